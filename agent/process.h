/* SPDX-License-Identifier: ISC */
/* process.h - run a configured command: no shell, own session, a deadline */
#ifndef BG_PROCESS_H
#define BG_PROCESS_H

#include <stddef.h>

#define COMMAND_KILL_GRACE_MS	1000	/* SIGTERM to SIGKILL */

/*
 * Run cmdline (an absolute program and blank-separated arguments, "quotes"
 * group, no shell) with exactly envp, stdin/stdout on /dev/null, stderr
 * kept and no other descriptor, default signal dispositions, in a session
 * of its own; as root, as the owner of state_dir.  Its whole process group
 * is killed (SIGTERM, then SIGKILL after COMMAND_KILL_GRACE_MS) after
 * timeout_sec or when breakglass is told to stop.  0 if it exited 0; else
 * -1 with err naming key.  Used by notify.command and sync.command.
 */
int	run_command(const char *key, const char *cmdline, const char *state_dir,
	    char *const envp[], long timeout_sec, char *err, size_t errlen);

#endif
