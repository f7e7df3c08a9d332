/* SPDX-License-Identifier: ISC */
/* poll.h - one look at every health source, combined into one verdict */
#ifndef BG_POLL_H
#define BG_POLL_H

#include <stdint.h>

#include <cJSON.h>

#include "config.h"
#include "match.h"
#include "session.h"

#define POLL_SOURCES_MAX	8

/* what lives across polls: the Graph session, each source's own state */
struct poll_ctx {
	struct graph_session	 graph;
	void			*src[POLL_SOURCES_MAX];
};

struct poll_result {
	enum verdict	 verdict;
	const char	*source;	/* "service-health", "token-probe" */
	cJSON		*evidence;	/* array of matching issues, or NULL */
	int		 issues_seen;	/* unresolved issues read */
	int		 config_error;	/* the unknown is ours to fix */
	int		 abstain;	/* a source with nothing to say */
	int		 warning;	/* outage evidence of a source that
					   may only warn (policy.token_probe) */
	int		 alert;		/* possible interception: tell now */
	char		 error[768];	/* why unknown */
	/*
	 * poll_health(): every source as it answered, in table order:
	 * [{name, role ("act"/"warn"), verdict ("outage", "healthy",
	 * "unknown", or "none": nothing to say), warning, error, evidence}]
	 */
	cJSON		*sources;
};

void	poll_ctx_init(struct poll_ctx *);
void	poll_ctx_free(struct poll_ctx *);
/*
 * One poll of every source, combined: an outage of a source that acts
 * wins, then a warning, then unknown, then healthy; among equals the later
 * source.  The unknown of a source that only warns decides nothing: its
 * streaks are the acting sources'.  Never touches the account.  Release r
 * with poll_result_free().
 */
void	poll_health(const struct config *, struct poll_ctx *, int64_t now_ms,
	    struct poll_result *r);
void	poll_result_free(struct poll_result *);
/* the source named, "warn" or "act" */
const char	*poll_source_role(const struct config *, const char *name);

/* a token now (cached while valid); -1 with err */
int	poll_token(const struct config *, struct poll_ctx *, char *err,
	    size_t errlen);
/* session_get() on the poll's session (session.h) */
cJSON	*poll_graph_get(const struct config *, struct poll_ctx *,
	    const char *path, long *status, char *err, size_t errlen);

#endif
