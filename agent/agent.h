/* SPDX-License-Identifier: ISC */
/* agent.h - the run loop: poll, decide, act, sleep; signals */
#ifndef BG_AGENT_H
#define BG_AGENT_H

#include "config.h"

/*
 * Run until SIGTERM/SIGINT; SIGHUP reloads conf_path (a bad file is rejected
 * and the running configuration kept).  Takes ownership of *cfg (it may be
 * replaced by a reload; the caller frees *cfg after).  Returns the exit code.
 */
int	agent_run(const char *conf_path, struct config **cfg, long max_polls);

#endif
