/* SPDX-License-Identifier: ISC */
/* override.h - the override's end: recorded the same way on every path */
#ifndef BG_OVERRIDE_H
#define BG_OVERRIDE_H

#include <stdint.h>

#include "config.h"
#include "state.h"

/*
 * Lock held: an override that has run out is recorded (override-expired:
 * audit line, authpriv line, notice) and cleared.  The agent's poll and
 * every command line that loads the state call this, so the record is the
 * same whoever notices first.  1 expired, 0 nothing to do, -1 the audit
 * line could not be written (err; the override is kept, nothing is told).
 */
int	override_expire(const struct config *, struct state *, int64_t now_ms,
	    char *err, size_t errlen);

#endif
