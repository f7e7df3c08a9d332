/* SPDX-License-Identifier: ISC */
/* util.h - durations, time formatting, hashing, secure file I/O */
#ifndef BG_UTIL_H
#define BG_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_HEX_LEN	64
#define RFC3339_LEN	32	/* "2026-11-25T02:10:00.123Z" plus room */

size_t	bg_strlcpy(char *dst, const char *src, size_t size);
void	bg_err(char *err, size_t errlen, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* "90", "15m", "4h", "2d": whole seconds; -1 with err on anything else */
int	parse_duration(const char *s, int64_t *secs, char *err, size_t errlen);
void	format_duration(int64_t secs, char *buf, size_t size);

int64_t	now_ms(void);
/* RFC 3339 UTC with milliseconds and Z: buf must hold RFC3339_LEN */
void	format_time_ms(int64_t ms, char *buf, size_t size);
/* accepts "YYYY-MM-DDTHH:MM:SS[.fff](Z|+hh:mm)" and "YYYY-MM-DD" */
int	parse_time(const char *s, int64_t *ms);

void	sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN + 1]);

/*
 * Secret files: a regular file, not group/world accessible, owned by the
 * running user or root.  read_secret_file() returns a malloc'd NUL-terminated
 * copy without trailing CR/LF; release it with secret_free().
 */
int	check_secret_file(const char *path, char *err, size_t errlen);
int	read_secret_file(const char *path, char **out, char *err, size_t errlen);
void	secret_free(char *secret);
/* a copy secret_free() can release; NULL if out of memory or too long */
char	*secret_dup(const char *s);
/*
 * The process holds the bind password, libldap's and curl's copies of
 * secrets and the bearer token: no core file (RLIMIT_CORE 0, also for the
 * children), not dumpable (no core through a core_pattern pipe either, no
 * ptrace or /proc/PID/mem by the same user).  Root can still read memory.
 */
int	no_core_dumps(char *err, size_t errlen);

/*
 * Before a change of user (privdrop.c): keep PATH open, so that a secret file
 * only root may read can still be read through it afterwards.
 */
void	secret_hold(const char *path);

/* whole file into a malloc'd NUL-terminated buffer (max bytes); NULL + errno */
char	*read_file(const char *path, size_t max, size_t *lenp);
char	*read_fd(int fd, size_t max, size_t *lenp);

/*
 * Crash tests (tests/faults): built with -DBG_FAULT_HOOKS only, never in the
 * shipped binary.  FAULT_POINT("name") kills the process with SIGKILL when
 * $BREAKGLASS_FAULT is that name ("name:N": at its Nth hit); with
 * $BREAKGLASS_FAULT_CMD set it runs that command (sh -c) there instead and
 * goes on, so that a test can act between two steps (tests/integration/
 * 25-cas.sh changes the account between the read and the write).
 */
#ifdef BG_FAULT_HOOKS
void	fault_point(const char *name);
void	fault_write(const char *path);
#define FAULT_POINT(name)	fault_point(name)
#define FAULT_WRITE(path)	fault_write(path)
#else
#define FAULT_POINT(name)	do { } while (0)
#define FAULT_WRITE(path)	do { } while (0)
#endif

#endif
