/* SPDX-License-Identifier: ISC */
/* config_check.h - what a config value must be: one table row per key */
#ifndef BG_CONFIG_CHECK_H
#define BG_CONFIG_CHECK_H

#include <stddef.h>

#include <confuse.h>

#define STATE_DIR_MAX	1024	/* bytes; paths inside stay under PATH_MAX */


enum config_kind { KIND_STR, KIND_LIST, KIND_INT, KIND_DUR, KIND_FLOAT };

/*
 * The rule of one key.  KIND_INT, KIND_DUR and KIND_FLOAT: the value lies
 * in lo..hi (each value of a list of integers: policy.signin_codes).
 * Strings and lists: ok, one of choices (case-insensitive), check.
 * Every string also passes the rules of all strings (no placeholder, no
 * control character, at most 4096 bytes), with or without a row.
 */
struct config_key {
	const char		*path;		/* as breakglass.conf(5) names it */
	enum config_kind	 kind;
	long			 lo, hi;
	const char *const	*choices;	/* NULL-terminated */
	const char		*choices_are;	/* NULL: "one of" the list */
	/* 0: refused with the message path: "v" bad */
	int			(*ok)(const char *v);
	const char		*bad;
	/* the rule that says more: -1 with why, the message after "path: " */
	int			(*check)(const char *v, char *why, size_t size);
	int			 optional;	/* "": not set, not checked */
};

/* ends with a row whose path is NULL */
extern const struct config_key	config_keys[];

/* the validators of every option of opts, a libconfuse schema */
void	config_check_register(cfg_t *, cfg_opt_t *opts);
/* the libconfuse parse callback of a duration ("90s", "15m", "4h", "1d") */
int	config_duration_cb(cfg_t *, cfg_opt_t *, const char *value,
	    void *result);
/* the webhook URL rule, for the value of url and the content of url_file */
int	config_webhook_url_ok(const char *url, char *why, size_t size);

#endif
