/* log.h - one logging idiom for the whole program (after OpenBSD's log.c) */
#ifndef BG_LOG_H
#define BG_LOG_H

#include <stdarg.h>

#define BG_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* verbosity: 0 errors and warnings, 1 info, 2 debug */
void	log_init(const char *progname, int verbosity);
void	log_set_verbosity(int verbosity);
void	log_warn(const char *fmt, ...) BG_PRINTF(1, 2);	/* appends strerror(errno) */
void	log_warnx(const char *fmt, ...) BG_PRINTF(1, 2);
void	log_info(const char *fmt, ...) BG_PRINTF(1, 2);
void	log_debug(const char *fmt, ...) BG_PRINTF(1, 2);
/* account changes and verdict changes: syslog LOG_AUTHPRIV, and stderr at info */
void	log_authpriv(const char *fmt, ...) BG_PRINTF(1, 2);

#endif
