/* watch.h - sign-ins of the cloud user and changes of the AD account */
#ifndef BG_WATCH_H
#define BG_WATCH_H

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
 * Sign-ins of account.upn since the last seen (Graph auditLogs/signIns,
 * AuditLog.Read.All): one "signin" audit line and notice each, never twice.
 * Returns how many, -1 with err.
 */
int	watch_signins(const struct config *, struct poll_ctx *,
	    struct state *, char *err, size_t errlen);

#endif
