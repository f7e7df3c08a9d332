/* SPDX-License-Identifier: ISC */
/* log.c - stderr for the user and the journal, syslog(LOG_AUTHPRIV) for account changes */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "log.h"
#include "text.h"

static const char	*log_prog = "breakglass";
static int		 log_verbose;
static int		 log_syslog_open;

void
log_init(const char *progname, int verbosity)
{
	log_prog = progname;
	log_verbose = verbosity;
}

void
log_set_verbosity(int verbosity)
{
	log_verbose = verbosity;
}

static void
vlog(const char *prefix, const char *fmt, va_list ap, const char *suffix)
{
	char	buf[2048];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	text_flatten(buf);	/* one event, one line, no terminal codes */
	if (suffix != NULL)
		fprintf(stderr, "%s: %s%s: %s\n", log_prog, prefix, buf, suffix);
	else
		fprintf(stderr, "%s: %s%s\n", log_prog, prefix, buf);
	fflush(stderr);
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	vlog("", fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog("", fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	if (log_verbose < 1)
		return;
	va_start(ap, fmt);
	vlog("", fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (log_verbose < 2)
		return;
	va_start(ap, fmt);
	vlog("debug: ", fmt, ap, NULL);
	va_end(ap);
}

static void
authpriv(char *line)
{
	text_flatten(line);	/* one event, one line, no terminal codes */
	if (!log_syslog_open) {
		openlog("breakglass", LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
		log_syslog_open = 1;
	}
	syslog(LOG_AUTHPRIV | LOG_NOTICE, "%s", line);
	log_info("%s", line);
}

void
log_authpriv(const char *fmt, ...)
{
	va_list	ap;
	char	buf[2048];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	authpriv(buf);
}

void
log_authpriv_audit(long long seq, const char *sha256, const char *fmt, ...)
{
	va_list	ap;
	char	buf[2048];
	size_t	len;

	/* the message may be cut, never the head after it */
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf) - LOG_AUDIT_SUFFIX_MAX, fmt, ap);
	va_end(ap);
	len = strlen(buf);
	if (sha256 != NULL)
		snprintf(buf + len, sizeof(buf) - len, "; audit seq=%lld "
		    "sha256=%s", seq, sha256);
	else
		snprintf(buf + len, sizeof(buf) - len, "; not in the audit log "
		    "(its write failed)");
	authpriv(buf);
}
