/* policy.h - the pure decision logic (DESIGN.md §8): no I/O, no clock reads */
#ifndef BG_POLICY_H
#define BG_POLICY_H

#include <stdint.h>

#include "config.h"
#include "state.h"

/* "enabled" or "disabled": what the account should be now */
const char	*policy_desired_state(const struct state *, enum bg_mode,
		    int64_t now_ms);

#endif
