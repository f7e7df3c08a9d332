/* SPDX-License-Identifier: ISC */
/* watch.h - sign-ins of the cloud user and changes of the AD account */
#ifndef BG_WATCH_H
#define BG_WATCH_H

#include <cJSON.h>

#include "../ldap/ad.h"
#include "config.h"
#include "poll.h"
#include "state.h"

/*
 * badPwdCount (rises only), lockoutTime, lastLogonTimestamp, pwdLastSet and
 * memberOf of the account, against what st last saw: a change is an
 * "ad-watch" audit line and a notice.  The first look only remembers.
 */
void	watch_directory(const struct config *, struct ad_conn *,
	    struct state *);
/*
 * Sign-ins of account.upn (Graph auditLogs/signIns, AuditLog.Read.All), in
 * three steps so that the Graph call runs without the lock: signins_start
 * (lock held) sets st's starting point the first time, from now on, no
 * history; signins_fetch (no lock) asks for those since then, NULL with
 * err; signins_apply (lock held) gives each one not seen before a "signin"
 * audit line and a notice, never twice, and returns how many.
 */
int	signins_watched(const struct config *);
void	signins_start(struct state *);
cJSON  *signins_fetch(const struct config *, struct poll_ctx *,
	    const char *since, char *err, size_t errlen);
int	signins_apply(const struct config *, struct state *, const cJSON *);

#endif
