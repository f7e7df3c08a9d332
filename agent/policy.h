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

/* enabled or disabled: what the account should be now (for status) */
enum account_state policy_desired_state(const struct state *, enum bg_mode,
		    int64_t now_ms);
/*
 * One poll's verdict into the counters, outage declaration, override expiry
 * and the wanted account state.  Updates st; decides, does nothing.  In modes
 * other than auto, want is always ACCOUNT_UNKNOWN: the agent never toggles.
 */
void		policy_step(enum bg_mode, long rise, long fall, struct state *st,
		    enum verdict, int64_t now_ms, struct decision *);

#endif
