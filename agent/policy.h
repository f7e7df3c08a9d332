/* SPDX-License-Identifier: ISC */
/* policy.h - the pure decision logic (DESIGN.md §8): no I/O, no clock reads */
#ifndef BG_POLICY_H
#define BG_POLICY_H

#include <stdint.h>

#include "config.h"
#include "match.h"
#include "state.h"

struct decision {
	int		 outage_declared;	/* became declared this step */
	int		 outage_cleared;
	int		 override_expired;	/* ran out: recorded, cleared */
	int		 override_ended;	/* disable-override ended with
						   the outage it was set in */
	enum account_state want;		/* ACCOUNT_UNKNOWN: unchanged */
};

/*
 * enabled or disabled: what the account should be now (for status);
 * automatic: the account's auto (an auto = false account follows no outage)
 */
enum account_state policy_desired_state(const struct state *, enum bg_mode,
		    int automatic, int64_t now_ms);
/*
 * One poll's verdict into the counters, outage declaration, override expiry
 * and the wanted account state.  Updates st; decides, does nothing.  In modes
 * other than auto, want is always ACCOUNT_UNKNOWN: the agent never toggles.
 */
void		policy_step(enum bg_mode, long rise, long fall, struct state *st,
		    enum verdict, int64_t now_ms, struct decision *);
/*
 * policy_step in its two halves, for several accounts (issue 15): the
 * poll's verdict into the shared counters and the outage, once a poll
 * (d zeroed and filled); then each account's override and wanted state,
 * with d's outage_cleared of that poll.  automatic: the account's auto.
 */
void		policy_count(long rise, long fall, struct state *st,
		    enum verdict, int64_t now_ms, struct decision *d);
void		policy_account(enum bg_mode, long fall, int automatic,
		    struct state *st, int64_t now_ms, struct decision *d);

#endif
