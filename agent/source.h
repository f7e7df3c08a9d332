/* SPDX-License-Identifier: ISC */
/* source.h - a health source: one file each, one row in poll.c's table */
#ifndef BG_SOURCE_H
#define BG_SOURCE_H

#include <stdint.h>

#include "config.h"
#include "poll.h"

/*
 * A source looks once per poll and fills one poll_result: outage, healthy,
 * unknown (with error), or abstain (nothing to say this poll).  Sources run
 * in table order, and a later one may judge what an earlier one fetched
 * (the token probe judges the token that service health asked for).
 */
struct source {
	const char	*name;		/* "service-health": JSON, audit, logs */
	/*
	 * The config key that says whether its outage may enable the
	 * account alone ("act") or only warn; NULL: it always acts.
	 */
	const char	*role_key;
	int		(*acts)(const struct config *);
	/* *state: the source's own, kept across polls (NULL at first) */
	void		(*poll)(const struct config *, struct poll_ctx *,
			    void **state, int64_t now_ms, struct poll_result *);
	void		(*free)(void *state);
	/* its healthy verdict, said beside another source's warning */
	const char	*quiet;
};

extern const struct source	source_service_health;
extern const struct source	source_token_probe;
extern const struct source	source_signin_failures;

/*
 * One window of the sign-in log (failures only) judged by policy.signin_*:
 * r's verdict (outage or healthy), error (the summary) and evidence.
 */
void	signin_judge(const struct config *, const cJSON *items,
	    struct poll_result *r);

/* r is unknown: error says why (printf), config_error if it is ours */
void	source_unknown(struct poll_result *r, int config_error,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
