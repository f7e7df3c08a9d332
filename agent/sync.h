/* SPDX-License-Identifier: ISC */
/* sync.h - Entra Connect delta sync after a change, and cloud confirmation */
#ifndef BG_SYNC_H
#define BG_SYNC_H

#include <stdint.h>

#include "config.h"
#include "poll.h"
#include "state.h"

/*
 * After the account changed to want: run sync.command (audit "sync", a
 * notice if it failed), and when Graph and account.upn are set, mark a
 * cloud confirmation pending.  sync_after_change with the lock held and st
 * loaded (the drill); sync_unlocked without it (the command line and the
 * agent): the command runs unlocked, the lock is taken only to record it.
 */
void	sync_after_change(const struct config *, struct state *,
	    const char *actor, enum account_state want);
void	sync_unlocked(const struct config *, const char *actor,
	    enum account_state want);
/* Graph, account.upn and sync.confirm_within set: the cloud is watched */
int	confirm_applies(const struct config *);
/*
 * A URL path segment: unreserved characters and '@' kept, the rest %XX.
 * -1 (out empty) if out is too small: a cut name would be another user.
 */
int	path_segment(const char *in, char *out, size_t size);
/* the cloud user's accountEnabled now; -1 with err */
int	cloud_state(const struct config *, struct poll_ctx *, int *enabled,
	    char *err, size_t errlen);
/*
 * A pending confirmation, given what cloud_state answered at asked_ms (got
 * its return, enabled its answer; fetched by the caller without the lock):
 * 1 when the cloud matches ("cloud-confirmed", the elapsed time), -1 past
 * sync.confirm_within ("cloud-unconfirmed", a notice), 0 while still
 * waiting or none pending.  Lock held.
 */
int	cloud_confirm_apply(const struct config *, struct state *,
	    const char *actor, int got, int enabled, int64_t asked_ms);

/* policy.drill_every set and no drill within it (or none on record) */
int	drill_overdue(const struct config *, const struct state *, int64_t now);

#endif
