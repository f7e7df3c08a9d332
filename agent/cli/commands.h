/* SPDX-License-Identifier: ISC */
/* commands.h - one function per command; each returns the exit code */
#ifndef BG_COMMANDS_H
#define BG_COMMANDS_H

#include <cJSON.h>

#include "cli.h"
#include "../config.h"

/* what every command is given */
struct cmd_ctx {
	const struct cli	 *cli;
	struct config		**cfg;		/* run replaces it on reload */
	const char		 *path;		/* the config file */
	const char		 *actor;	/* the invoking user */
};

typedef int	(*cmd_fn)(const struct cmd_ctx *);

/*
 * fn on a view of each account the command acts on (--account NAME, or
 * every one, in the config's order; one failing does not stop the
 * others).  The exit code: the accounts' own when all agree, else 1.
 */
typedef int	(*account_fn)(const struct cmd_ctx *, const struct config *view,
		    void *arg);
int	accounts_each(const struct cmd_ctx *, account_fn, void *arg);
/* no --account and two accounts or more: output names each account */
int	accounts_several(const struct cmd_ctx *);

int	cmd_status(const struct cmd_ctx *);
int	cmd_set(const struct cmd_ctx *);		/* enable, disable */
int	cmd_auto(const struct cmd_ctx *);
int	cmd_history(const struct cmd_ctx *);
int	cmd_verify(const struct cmd_ctx *);
int	cmd_health(const struct cmd_ctx *);
int	cmd_check(const struct cmd_ctx *);
/* one "source" line per health source (poll.h's sources array) */
void	print_sources(const cJSON *sources);
int	cmd_doctor(const struct cmd_ctx *);
int	cmd_drill(const struct cmd_ctx *);
int	cmd_report(const struct cmd_ctx *);
int	cmd_run(const struct cmd_ctx *);
int	cmd_version(const struct cmd_ctx *);
int	cmd_config_check(const struct cmd_ctx *);
int	cmd_notify_test(const struct cmd_ctx *);
void	notify_once(const struct config *, const char *actor);

/* "cli:NAME(uid=N)": SUDO_USER/SUDO_UID through sudo, else the caller */
void	actor_name(char *buf, size_t size);

#endif
