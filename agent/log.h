/* SPDX-License-Identifier: ISC */
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
/*
 * An audited event: as log_authpriv, with the audit head its line made
 * appended, "; audit seq=N sha256=HEX" (the form of the mail's
 * X-Breakglass-Audit header), so that a syslog server off the host anchors
 * the chain (breakglass verify --against).  sha256 NULL: the audit write
 * failed, and the line says so.
 */
#define LOG_AUDIT_SUFFIX_MAX	128
void	log_authpriv_audit(long long seq, const char *sha256,
	    const char *fmt, ...) BG_PRINTF(3, 4);

#endif
