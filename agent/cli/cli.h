/* SPDX-License-Identifier: ISC */
/* cli.h - command-line parsing, pure so it can be unit-tested */
#ifndef BG_CLI_H
#define BG_CLI_H

#include <stddef.h>
#include <stdint.h>

enum cmd {
	CMD_NONE, CMD_STATUS, CMD_ENABLE, CMD_DISABLE, CMD_AUTO, CMD_HISTORY,
	CMD_VERIFY, CMD_HEALTH, CMD_RUN, CMD_CHECK, CMD_CONFIG_CHECK,
	CMD_NOTIFY_TEST, CMD_DOCTOR, CMD_DRILL, CMD_VERSION, CMD_HELP,
	CMD_REPORT,
};

struct cmd_ctx;

#define CLI_FILES_MAX	64	/* history --merge FILE... */

struct cli {
	const char	*config;	/* -c FILE, NULL if not given */
	int		(*run)(const struct cmd_ctx *);	/* the command */
	int		 needs_config;	/* load the configuration first */
	int		 needs_secrets;	/* and check the secret files */
	int		 verbose;
	enum cmd	 cmd;
	const char	*cmd_name;
	const char	*reason;
	const char	*account;	/* --account NAME; NULL: every one */
	int64_t		 for_secs;	/* 0: not given */
	int		 dry_run;
	int		 json;
	int64_t		 limit;
	int64_t		 since_ms;
	long		 polls;		/* run: stop after this many, 0: never */
	int		 against;	/* verify --against HEAD given */
	int64_t		 against_seq;	/* 0: whichever line has the hash */
	char		 against_sha256[65];
	int		 last;		/* report --last */
	int64_t		 seq;		/* report --seq N, 0: not given */
	int		 merge;		/* history --merge */
	/* audit logs named on the command line: history --merge FILE...,
	   verify FILE; read instead of state_dir's, no config needed */
	const char	*files[CLI_FILES_MAX];
	size_t		 nfiles;
};

/* now_ms: the clock, for --since 24h.  -1 with err on a usage error. */
int		 cli_parse(int argc, char *const argv[], int64_t now_ms,
		    struct cli *, char *err, size_t errlen);
/*
 * a reason must be non-blank valid UTF-8 of at most REASON_MAX bytes, with
 * no control character (C0, DEL, C1): -1 with err naming the position
 */
int		 cli_check_reason(const char *reason, char *err, size_t errlen);
const char	*cli_usage(void);

#endif
