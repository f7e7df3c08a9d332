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

/*
 * The service user: when root (an admin through sudo) writes into a state_dir
 * owned by the service user, the files are handed to that user, and secret
 * files that user owns are trusted.  state_owner_init() reads the owner of
 * state_dir (nothing to do if missing or owned by us); own_fd() chowns.
 */
void	state_owner_init(const char *state_dir);
void	own_fd(int fd);
void	own_path(const char *path);

/* create dir with mode 0700 if missing; refuse if it is not a directory */
int	ensure_private_dir(const char *path, char *err, size_t errlen);
/* write path via path.tmp, fsync, rename, fsync the directory; mode 0600 */
int	write_file_atomic(const char *path, const void *data, size_t len,
	    char *err, size_t errlen);
/* whole file into a malloc'd NUL-terminated buffer (max bytes); NULL + errno */
char	*read_file(const char *path, size_t max, size_t *lenp);

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
