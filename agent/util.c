/* SPDX-License-Identifier: ISC */
/* util.c - durations, time formatting, hashing, secure file I/O */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <signal.h>

#include <openssl/evp.h>

#include "util.h"

#ifdef BG_FAULT_HOOKS
void
fault_point(const char *name)
{
	static long	 hits;
	const char	*want = getenv("BREAKGLASS_FAULT");
	const char	*cmd = getenv("BREAKGLASS_FAULT_CMD");
	size_t		 len = strlen(name);
	long		 nth = 1;
	int		 rc;

	/* "name" acts at the first hit, "name:N" at the Nth */
	if (want == NULL || strncmp(want, name, len) != 0 ||
	    (want[len] != '\0' && want[len] != ':'))
		return;
	if (want[len] == ':')
		nth = strtol(want + len + 1, NULL, 10);
	if (++hits != nth)
		return;
	if (cmd == NULL || *cmd == '\0')
		kill(getpid(), SIGKILL);
	if ((rc = system(cmd)) != 0)
		fprintf(stderr, "fault point %s: BREAKGLASS_FAULT_CMD exited "
		    "with status %d\n", name, rc);
}

/* "state-write" in state.json, "spool-write" in a spool file */
void
fault_write(const char *path)
{
	size_t	len = strlen(path);

	if (len >= 11 && strcmp(path + len - 11, "/state.json") == 0)
		fault_point("state-write");
	else if (strstr(path, "/spool/") != NULL)
		fault_point("spool-write");
}
#endif

size_t
bg_strlcpy(char *dst, const char *src, size_t size)
{
	size_t	len = strlen(src);

	if (size > 0) {
		size_t n = len >= size ? size - 1 : len;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

void
bg_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int
parse_duration(const char *s, int64_t *secs, char *err, size_t errlen)
{
	const char	*p = s;
	int64_t		 n = 0, mult = 1;

	if (s == NULL || *s == '\0') {
		bg_err(err, errlen, "empty duration");
		return -1;
	}
	if (!isdigit((unsigned char)*p))
		goto bad;
	for (; isdigit((unsigned char)*p); p++) {
		if (n > (INT64_MAX - 9) / 10)
			goto big;
		n = n * 10 + (*p - '0');
	}
	switch (*p) {
	case '\0':
		break;
	case 's':
		mult = 1;
		p++;
		break;
	case 'm':
		mult = 60;
		p++;
		break;
	case 'h':
		mult = 3600;
		p++;
		break;
	case 'd':
		mult = 86400;
		p++;
		break;
	default:
		goto bad;
	}
	if (*p != '\0')
		goto bad;
	if (n > (int64_t)100 * 365 * 86400 / mult)
		goto big;
	*secs = n * mult;
	return 0;
 bad:
	bg_err(err, errlen, "invalid duration \"%s\" (want seconds or a number "
	    "with one unit s, m, h or d, e.g. 90, 15m, 4h)", s);
	return -1;
 big:
	bg_err(err, errlen, "duration \"%s\" is too large", s);
	return -1;
}

void
format_duration(int64_t secs, char *buf, size_t size)
{
	if (secs != 0 && secs % 86400 == 0)
		snprintf(buf, size, "%lldd", (long long)(secs / 86400));
	else if (secs != 0 && secs % 3600 == 0)
		snprintf(buf, size, "%lldh", (long long)(secs / 3600));
	else if (secs != 0 && secs % 60 == 0)
		snprintf(buf, size, "%lldm", (long long)(secs / 60));
	else
		snprintf(buf, size, "%llds", (long long)secs);
}

int64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
format_time_ms(int64_t ms, char *buf, size_t size)
{
	time_t		t = (time_t)(ms / 1000);
	struct tm	tm;
	char		base[24];

	gmtime_r(&t, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%03dZ", base, (int)(ms % 1000));
}

static int
digits(const char **pp, int n, int *out)
{
	int	v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*pp)[i]))
			return -1;
		v = v * 10 + ((*pp)[i] - '0');
	}
	*pp += n;
	*out = v;
	return 0;
}

int
parse_time(const char *s, int64_t *ms)
{
	struct tm	tm;
	const char	*p = s;
	int		y, mo, d, h = 0, mi = 0, sec = 0, frac = 0, off = 0;

	memset(&tm, 0, sizeof(tm));
	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) ||
	    *p++ != '-' || digits(&p, 2, &d))
		return -1;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi) ||
		    *p++ != ':' || digits(&p, 2, &sec))
			return -1;
		if (*p == '.') {
			int scale = 100;
			for (p++; isdigit((unsigned char)*p); p++) {
				frac += (*p - '0') * scale;
				scale /= 10;
			}
		}
		if (*p == 'Z' || *p == 'z')
			p++;
		else if (*p == '+' || *p == '-') {
			int sign = *p == '-' ? -1 : 1, oh, om;
			p++;
			if (digits(&p, 2, &oh) || *p++ != ':' ||
			    digits(&p, 2, &om))
				return -1;
			off = sign * (oh * 3600 + om * 60);
		} else
			return -1;
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*ms = ((int64_t)timegm(&tm) - off) * 1000 + frac;
	return 0;
}

void
sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN + 1])
{
	static const char	hex[] = "0123456789abcdef";
	unsigned char		md[EVP_MAX_MD_SIZE];
	unsigned int		mdlen = 0;

	static EVP_MD	       *sha256;
	static EVP_MD_CTX      *ctx;

	/*
	 * Fetched once and one context reused: the implicit fetch of
	 * EVP_sha256() takes a lock and a context is a malloc (verify hashes
	 * a million lines a second).
	 */
	if (sha256 == NULL && (sha256 = EVP_MD_fetch(NULL, "SHA256",
	    NULL)) == NULL)
		sha256 = (EVP_MD *)EVP_sha256();
	if (ctx == NULL)
		ctx = EVP_MD_CTX_new();
	if (ctx == NULL || EVP_DigestInit_ex(ctx, sha256, NULL) != 1 ||
	    EVP_DigestUpdate(ctx, data, len) != 1 ||
	    EVP_DigestFinal_ex(ctx, md, &mdlen) != 1)
		EVP_Digest(data, len, md, &mdlen, sha256, NULL);
	for (unsigned int i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[SHA256_HEX_LEN] = '\0';
}

/* secret files opened before a change of user (secret_hold) */
#define HELD_MAX	4
static struct {
	char	path[PATH_MAX];
	int	fd;
} held[HELD_MAX];
static size_t	nheld;

void
secret_hold(const char *path)
{
	int	fd;

	if (nheld == HELD_MAX || strlen(path) >= sizeof(held[0].path) ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return;		/* not there: the check says so later */
	bg_strlcpy(held[nheld].path, path, sizeof(held[nheld].path));
	held[nheld++].fd = fd;
}

/* by its path (a secret replaced since is read anew), else as held */
static int
open_secret(const char *path)
{
	int	fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) != -1 ||
	    errno != EACCES)
		return fd;
	saved = errno;
	for (size_t i = 0; i < nheld; i++)
		if (strcmp(held[i].path, path) == 0)
			return fcntl(held[i].fd, F_DUPFD_CLOEXEC, 0);
	errno = saved;
	return -1;
}

static int
check_secret_fd(int fd, const char *path, char *err, size_t errlen)
{
	struct stat	st;

	if (fstat(fd, &st) == -1) {
		bg_err(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		bg_err(err, errlen, "%s: not a regular file", path);
		return -1;
	}
	if (st.st_mode & 077) {
		bg_err(err, errlen, "%s: mode %04o is group/world accessible; "
		    "run chmod 600 %s", path, (unsigned)(st.st_mode & 07777),
		    path);
		return -1;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		bg_err(err, errlen, "%s: owned by uid %u, not by root or the "
		    "running user (uid %u)", path, (unsigned)st.st_uid,
		    (unsigned)geteuid());
		return -1;
	}
	return 0;
}

int
check_secret_file(const char *path, char *err, size_t errlen)
{
	int	fd, rc;

	if ((fd = open_secret(path)) == -1) {
		bg_err(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = check_secret_fd(fd, path, err, errlen);
	close(fd);
	return rc;
}

#define SECRET_MAX	4096

int
read_secret_file(const char *path, char **out, char *err, size_t errlen)
{
	char	*buf = NULL;
	ssize_t	 n;
	size_t	 len = 0;
	int	 fd, rc = -1;

	*out = NULL;
	if ((fd = open_secret(path)) == -1) {
		bg_err(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (check_secret_fd(fd, path, err, errlen) == -1)
		goto out;
	if ((buf = calloc(1, SECRET_MAX + 1)) == NULL) {
		bg_err(err, errlen, "%s: out of memory", path);
		goto out;
	}
	/* pread: a held descriptor's offset is shared with its dups */
	while ((n = pread(fd, buf + len, SECRET_MAX - len, (off_t)len)) > 0)
		len += (size_t)n;
	if (n == -1) {
		bg_err(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (len == SECRET_MAX) {
		bg_err(err, errlen, "%s: larger than %d bytes", path,
		    SECRET_MAX);
		goto out;
	}
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	if (len == 0) {
		bg_err(err, errlen, "%s: empty", path);
		goto out;
	}
	if (memchr(buf, '\0', len) != NULL) {
		bg_err(err, errlen, "%s: contains a NUL byte", path);
		goto out;
	}
	*out = buf;
	buf = NULL;
	rc = 0;
 out:
	secret_free(buf);
	close(fd);
	return rc;
}

char *
secret_dup(const char *s)
{
	char	*buf;

	if (strlen(s) > SECRET_MAX || (buf = calloc(1, SECRET_MAX + 1)) ==
	    NULL)
		return NULL;
	memcpy(buf, s, strlen(s));
	return buf;
}

void
secret_free(char *secret)
{
	if (secret == NULL)
		return;
	explicit_bzero(secret, SECRET_MAX + 1);
	free(secret);
}

int
no_core_dumps(char *err, size_t errlen)
{
	struct rlimit	rl = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &rl) == -1) {
		bg_err(err, errlen, "setrlimit RLIMIT_CORE 0: %s",
		    strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1) {
		bg_err(err, errlen, "prctl PR_SET_DUMPABLE 0: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

char *
read_file(const char *path, size_t max, size_t *lenp)
{
	char	*buf;
	int	 fd, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	buf = read_fd(fd, max, lenp);
	e = errno;
	close(fd);
	errno = e;
	return buf;
}

char *
read_fd(int fd, size_t max, size_t *lenp)
{
	char	*buf;
	size_t	 len = 0;
	ssize_t	 n;

	if ((buf = malloc(max + 1)) == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	while (len < max && (n = read(fd, buf + len, max - len)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			free(buf);
			return NULL;
		}
		len += (size_t)n;
	}
	if (len == max) {
		free(buf);
		errno = EFBIG;
		return NULL;
	}
	buf[len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return buf;
}
