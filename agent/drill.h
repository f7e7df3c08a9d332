/* SPDX-License-Identifier: ISC */
/* drill.h - the drill: enable, confirm in AD and the cloud, disable, timed */
#ifndef BG_DRILL_H
#define BG_DRILL_H

#include <stdint.h>

#include "config.h"

/* what the drill is about to do, for a progress line */
enum drill_step {
	DRILL_ENABLING,
	DRILL_DISABLING
};

/* each step's time in ms from its start; -1: it failed or did not run */
struct drill_result {
	int	locked;			/* the state lock was taken */
	int	ran;			/* 0: refused before it started */
	int	ok;			/* every step that applies passed */
	int	cloud;			/* the cloud's confirmation applies */
	int64_t	enable_ms;		/* the enable, in AD */
	int64_t	ad_confirm_ms;		/* AD reads it back enabled */
	int64_t	cloud_confirm_ms;	/* the cloud shows it enabled */
	int64_t	disable_ms;		/* the disable, in AD */
	int64_t	ad_disabled_ms;		/* AD reads it back disabled */
	int64_t	total_ms;
	char	cloud_err[1024];	/* why the cloud did not confirm */
	char	disable_err[1024];	/* why the disable failed */
};

/*
 * The drill (DESIGN.md: breakglass drill): with the state lock, enable
 * the disabled account, confirm it in AD and (if it applies) the cloud,
 * disable it again whatever happened, audit drill-started and
 * drill-finished (with the timings), mail the result.  step, if not NULL,
 * is told before the enable and the disable.  Warnings during the run are
 * logged as they happen.  Returns the exit code: BG_EXIT_DONE (passed)
 * or BG_EXIT_FAIL (res says which step); if res->ran is 0, the drill did
 * not start and err says why (BG_EXIT_REFUSED, or BG_EXIT_FAIL when AD
 * could not be read).
 */
int	drill_run(const struct config *, const char *actor, const char *reason,
	    void (*step)(enum drill_step, const struct config *),
	    struct drill_result *res, char *err, size_t errlen);

#endif
