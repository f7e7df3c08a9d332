/* SPDX-License-Identifier: ISC */
/* commands.h - one function per command; each returns the exit code */
#ifndef BG_COMMANDS_H
#define BG_COMMANDS_H

#include "cli.h"
#include "config.h"

int	cmd_status(const struct cli *, const struct config *);
int	cmd_set(const struct cli *, const struct config *, const char *actor);
int	cmd_auto(const struct cli *, const struct config *, const char *actor);
int	cmd_history(const struct cli *, const struct config *);
int	cmd_verify(const struct cli *, const struct config *);
int	cmd_health(const struct cli *, const struct config *);
int	cmd_check(const struct cli *, const struct config *);
int	cmd_doctor(const struct cli *, const struct config *);
int	cmd_drill(const struct cli *, const struct config *, const char *actor);
/* after a command: each new notification tried once, the rest left spooled */
void	notify_once(const struct config *, const char *actor);
int	cmd_run(const struct cli *, const char *path, struct config **);

/* "cli:NAME(uid=N)": SUDO_USER/SUDO_UID through sudo, else the caller */
void	actor_name(char *buf, size_t size);

#endif
