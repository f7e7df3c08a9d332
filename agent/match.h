/* SPDX-License-Identifier: ISC */
/* match.h - which service health issues mean an Entra ID / MFA outage (§7) */
#ifndef BG_MATCH_H
#define BG_MATCH_H

#include <cJSON.h>

#include "../graph/graph.h"
#include "config.h"

enum verdict { VERDICT_UNKNOWN, VERDICT_HEALTHY, VERDICT_OUTAGE };

const char	*verdict_name(enum verdict);
/* the identity service under any of its display names (case-insensitive) */
int		 match_is_identity_alias(const char *service);
/* 1 if this issue counts as an outage under the policy; why gets the rule */
int		 match_issue(const struct config *, const struct graph_issue *,
		    const char **why);
/*
 * Every issue that counts, appended to evidence (an array) as objects with
 * id, title, service, status, classification, rule.  Returns how many.
 */
int		 match_issues(const struct config *, const struct graph_issues *,
		    cJSON *evidence);

#endif
