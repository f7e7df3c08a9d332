/* SPDX-License-Identifier: ISC */
/* revoke.h - after a window of use: sessions revoked, review mailed, password */
#ifndef BG_REVOKE_H
#define BG_REVOKE_H

#include <stdint.h>

#include "../ldap/ad.h"
#include "config.h"
#include "poll.h"
#include "state.h"

/*
 * Without the lock, after a change's lock was released (as sync.h runs
 * sync.command).  The work after a window of use was marked due in the
 * disable's own save (state_review_due(), toggle.c); here, whatever is due:
 * POST users/{upn}/revokeSignInSessions while the account is disabled
 * (audit "sessions-revoked"; a failure is audited and noticed once and
 * stays due, so the agent retries it every poll), and the review of the
 * window mailed once (audit "review", one notice carrying report.h's
 * text).  p: the caller's Graph session, or NULL for one of its own.
 * Never touches the account.
 */
void	after_use(const struct config *, struct poll_ctx *, const char *actor);
/* AD pwdLastSet of the account, in ms since the epoch (0: not set);
   conn NULL: a connection of its own */
int	account_pwd_last_set(const struct config *, struct ad_conn *,
	    int64_t *ms, char *err, size_t errlen);
/*
 * Lock held (the agent, each poll): once pwdLastSet is newer than the
 * last window's end, "password-rotated" is audited and nothing is due;
 * until then a notice every notify.remind_every.
 */
void	rotation_watch(const struct config *, struct ad_conn *, struct state *,
	    int64_t now);
/*
 * For check: 1 with text when a window ended and the password was not
 * changed since, else 0.
 */
int	rotation_overdue(const struct config *, const struct state *,
	    char *text, size_t size);

#endif
