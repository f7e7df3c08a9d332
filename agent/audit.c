/* SPDX-License-Identifier: ISC */
/* audit.c - append, chain, verify and print the audit log */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "audit.h"
#include "jscan.h"
#include "text.h"
#include "statedir.h"
#include "util.h"

static const char zero_hash[] =
    "0000000000000000000000000000000000000000000000000000000000000000";

static void
audit_path(const char *state_dir, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", state_dir, AUDIT_FILE);
}

/*
 * Offset where the last n lines of the file begin (a final line without a
 * newline counts).  Reads backwards in blocks: cost follows n, not the size.
 */
off_t
audit_tail_offset(int fd, off_t size, int64_t n)
{
	char	 buf[65536];
	off_t	 pos = size;
	int64_t	 seen = 0;
	int	 first = 1;

	while (pos > 0) {
		size_t	chunk = pos > (off_t)sizeof(buf) ? sizeof(buf) :
		    (size_t)pos;
		ssize_t	r;

		pos -= (off_t)chunk;
		if ((r = pread(fd, buf, chunk, pos)) != (ssize_t)chunk)
			return -1;
		for (ssize_t i = (ssize_t)chunk - 1; i >= 0; i--) {
			if (buf[i] != '\n')
				continue;
			if (first && pos + i == size - 1) {
				first = 0;	/* the final newline */
				continue;
			}
			if (++seen == n)
				return pos + i + 1;
		}
		first = 0;
	}
	return 0;
}

/* last line without its newline, malloc'd; *terminated if it ended in \n */
static char *
read_last_line(int fd, size_t *lenp, int *terminated, char *err, size_t errlen)
{
	struct stat	 st;
	off_t		 off;
	char		*line;
	size_t		 len;

	if (fstat(fd, &st) == -1) {
		bg_err(err, errlen, "fstat: %s", strerror(errno));
		return NULL;
	}
	*lenp = 0;
	*terminated = 1;
	if (st.st_size == 0)
		return strdup("");
	if ((off = audit_tail_offset(fd, st.st_size, 1)) == -1) {
		bg_err(err, errlen, "read: %s", strerror(errno));
		return NULL;
	}
	len = (size_t)(st.st_size - off);
	if (len > AUDIT_LINE_MAX + 1) {
		bg_err(err, errlen, "last line longer than %d bytes",
		    AUDIT_LINE_MAX);
		return NULL;
	}
	if ((line = malloc(len + 1)) == NULL) {
		bg_err(err, errlen, "out of memory");
		return NULL;
	}
	if (pread(fd, line, len, off) != (ssize_t)len) {
		bg_err(err, errlen, "read: %s", strerror(errno));
		free(line);
		return NULL;
	}
	if (len > 0 && line[len - 1] == '\n')
		len--;
	else
		*terminated = 0;
	line[len] = '\0';
	*lenp = len;
	return line;
}

static int64_t
line_seq(const char *line)
{
	cJSON	*j = cJSON_Parse(line), *s;
	int64_t	 seq = -1;

	if (j != NULL && (s = cJSON_GetObjectItemCaseSensitive(j, "seq")) !=
	    NULL && cJSON_IsNumber(s) && s->valuedouble >= 1)
		seq = (int64_t)s->valuedouble;
	cJSON_Delete(j);
	return seq;
}

/* a damaged tail: number the next line after all lines present */
static int64_t
count_lines(int fd)
{
	char	buf[65536];
	ssize_t	r;
	off_t	pos = 0;
	int64_t	n = 0;

	while ((r = pread(fd, buf, sizeof(buf), pos)) > 0) {
		for (ssize_t i = 0; i < r; i++)
			n += buf[i] == '\n';
		pos += r;
	}
	return n;
}

static int
head_from_fd(int fd, struct audit_head *h, int *terminated, char *err,
    size_t errlen)
{
	char	*line;
	size_t	 len;

	if ((line = read_last_line(fd, &len, terminated, err, errlen)) == NULL)
		return -1;
	if (len == 0) {
		h->seq = 0;
		bg_strlcpy(h->sha256, zero_hash, sizeof(h->sha256));
	} else {
		sha256_hex(line, len, h->sha256);
		if ((h->seq = line_seq(line)) < 1)
			h->seq = count_lines(fd) + (*terminated ? 0 : 1);
	}
	free(line);
	return 0;
}

int
audit_read_head(const char *state_dir, struct audit_head *h, char *err,
    size_t errlen)
{
	char	path[PATH_MAX];
	int	fd, rc, term;

	audit_path(state_dir, path, sizeof(path));
	h->seq = 0;
	bg_strlcpy(h->sha256, zero_hash, sizeof(h->sha256));
	if ((fd = sd_open(path, O_RDONLY, 0, err, errlen)) == -1)
		return errno == ENOENT ? 0 : -1;
	rc = head_from_fd(fd, h, &term, err, errlen);
	close(fd);
	return rc;
}

cJSON *
audit_last_entry(const char *state_dir, struct audit_head *h)
{
	char	 path[PATH_MAX], err[256], *line;
	size_t	 len;
	int	 fd, term;
	cJSON	*j = NULL;

	audit_path(state_dir, path, sizeof(path));
	if ((fd = sd_open(path, O_RDONLY, 0, NULL, 0)) == -1)
		return NULL;
	if ((line = read_last_line(fd, &len, &term, err, sizeof(err))) != NULL) {
		if (len > 0 && (j = cJSON_ParseWithLength(line, len)) != NULL) {
			sha256_hex(line, len, h->sha256);
			h->seq = line_seq(line);
		}
		free(line);
	}
	close(fd);
	return j;
}

static cJSON *
str_or_null(const char *s)
{
	return s != NULL ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static char *
build_line(const struct audit_entry *e, const struct audit_head *prev,
    int64_t seq)
{
	cJSON	*j;
	char	 t[RFC3339_LEN], *out = NULL;

	if ((j = cJSON_CreateObject()) == NULL)
		return NULL;
	format_time_ms(now_ms(), t, sizeof(t));
	cJSON_AddItemToObject(j, "seq", cJSON_CreateNumber((double)seq));
	cJSON_AddItemToObject(j, "time", cJSON_CreateString(t));
	/* two hosts' chains read side by side (history --merge) */
	if (e->host != NULL)
		cJSON_AddItemToObject(j, "host", cJSON_CreateString(e->host));
	cJSON_AddItemToObject(j, "actor", str_or_null(e->actor));
	cJSON_AddItemToObject(j, "event", str_or_null(e->event));
	cJSON_AddItemToObject(j, "account", str_or_null(e->account));
	cJSON_AddItemToObject(j, "from", str_or_null(e->from));
	cJSON_AddItemToObject(j, "to", str_or_null(e->to));
	cJSON_AddItemToObject(j, "reason", str_or_null(e->reason));
	cJSON_AddItemToObject(j, "result", str_or_null(e->result));
	cJSON_AddItemToObject(j, "prev", cJSON_CreateString(prev->sha256));
	if (e->evidence != NULL)
		cJSON_AddItemToObject(j, "evidence",
		    cJSON_Duplicate(e->evidence, 1));
	if (e->extra != NULL) {
		const cJSON *x;
		cJSON_ArrayForEach(x, e->extra)
			if (cJSON_GetObjectItemCaseSensitive(j, x->string) ==
			    NULL)
				cJSON_AddItemToObject(j, x->string,
				    cJSON_Duplicate(x, 1));
	}
	out = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return out;
}

static int
write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
audit_append(const char *state_dir, const struct audit_entry *e,
    struct audit_head *head, char *err, size_t errlen)
{
	struct audit_head	 prev;
	char			 path[PATH_MAX], *line = NULL;
	size_t			 len;
	off_t			 end = -1;
	int			 fd, rc = -1, terminated;

	audit_path(state_dir, path, sizeof(path));
	if ((fd = sd_open(path, O_RDWR | O_APPEND | O_CREAT, 0600, err,
	    errlen)) == -1)
		return -1;
	if (head_from_fd(fd, &prev, &terminated, err, errlen) == -1)
		goto out;
	/* a torn last line (crash mid-write) stays, ended, and is chained */
	if (!terminated && write_all(fd, "\n", 1) == -1) {
		bg_err(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if ((line = build_line(e, &prev, prev.seq + 1)) == NULL) {
		bg_err(err, errlen, "%s: out of memory", path);
		goto out;
	}
	len = strlen(line);
	line[len] = '\n';	/* cJSON's NUL becomes the newline */
	if ((end = lseek(fd, 0, SEEK_END)) == -1 ||
	    write_all(fd, line, len + 1) == -1 || fsync(fd) == -1) {
		int saved = errno;
		/* disk full mid-line: no torn line left behind */
		if (end != -1 && ftruncate(fd, end) == 0)
			fsync(fd);
		bg_err(err, errlen, "%s: %s", path, strerror(saved));
		goto out;
	}
	if (head != NULL) {
		head->seq = prev.seq + 1;
		sha256_hex(line, len, head->sha256);
	}
	rc = 0;
 out:
	free(line);
	close(fd);
	return rc;
}

int
audit_verify(const char *path, const struct audit_head *anchor,
    struct audit_verdict *v, char *err, size_t errlen)
{
	return audit_verify_against(path, anchor, NULL, v, err, errlen);
}

/* the log holds the head given off the host: 0, else 1 with v->why */
static int
check_outside(const struct audit_head *o, const struct audit_head *found,
    struct audit_verdict *v)
{
	if (o->seq == 0 && found->seq == 0) {
		v->bad_seq = 0;
		snprintf(v->why, sizeof(v->why), "no line has sha256 %s: the "
		    "log was rewritten since that head was sent, or the head "
		    "is from another log", o->sha256);
		return 1;
	}
	if (o->seq > v->entries) {
		v->bad_seq = v->entries + 1;
		snprintf(v->why, sizeof(v->why), "the log ends at seq %lld, "
		    "but the anchor names seq %lld: entries were deleted from "
		    "the end", (long long)v->entries, (long long)o->seq);
		return 1;
	}
	if (strcmp(found->sha256, o->sha256) != 0) {
		v->bad_seq = o->seq;
		snprintf(v->why, sizeof(v->why), "seq %lld's sha256 is %s, the "
		    "anchor says %s: the chain was rewritten at or before seq "
		    "%lld", (long long)o->seq, found->sha256, o->sha256,
		    (long long)o->seq);
		return 1;
	}
	return 0;
}

/*
 * Long on purpose: one pass over the log does the chain, the anchor and
 * the head; split, each part would need the others' state.  Closes fp.
 */
static int
verify_stream(FILE *fp, const char *path, const struct audit_head *anchor,
    const struct audit_head *outside, struct audit_verdict *v, char *err,
    size_t errlen)
{
	struct audit_head	 found = { 0, "" };	/* outside's line */
	char	*line = NULL, prevhash[SHA256_HEX_LEN + 1];
	char	 anchor_hash[SHA256_HEX_LEN + 1] = "";
	size_t	 cap = 0;
	ssize_t	 n;
	int64_t	 lineno = 0, expect = 1;
	int	 rc = 0;

	bg_strlcpy(prevhash, zero_hash, sizeof(prevhash));
	while ((n = getline(&line, &cap, fp)) != -1) {
		const char	*p = NULL;
		size_t		 plen = 0;
		int64_t		 seq = 0;
		char		 hash[SHA256_HEX_LEN + 1];

		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		else {
			v->bad_seq = expect;
			snprintf(v->why, sizeof(v->why), "line %lld: no "
			    "newline at the end (torn write?)",
			    (long long)lineno);
			rc = 1;
			break;
		}
		/* no cJSON here: a million lines a second (make bench) */
		if (jscan_audit_line(line, (size_t)n, &seq, &p, &plen) == -1) {
			v->bad_seq = expect;
			snprintf(v->why, sizeof(v->why), "line %lld: not a "
			    "JSON audit entry (no seq/prev)", (long long)lineno);
			rc = 1;
			break;
		}
		if (seq != expect) {
			v->bad_seq = expect;
			if (seq > expect)
				snprintf(v->why, sizeof(v->why), "line %lld: "
				    "seq %lld where seq %lld was expected "
				    "(entries deleted)", (long long)lineno,
				    (long long)seq, (long long)expect);
			else
				snprintf(v->why, sizeof(v->why), "line %lld: "
				    "seq %lld where seq %lld was expected "
				    "(entries reordered or duplicated)",
				    (long long)lineno, (long long)seq,
				    (long long)expect);
			rc = 1;
			break;
		}
		if (plen != SHA256_HEX_LEN || memcmp(p, prevhash, plen) != 0) {
			v->bad_seq = seq > 1 ? seq - 1 : seq;
			snprintf(v->why, sizeof(v->why), "seq %lld records a "
			    "prev hash that does not match seq %lld as stored "
			    "(seq %lld was edited)", (long long)seq,
			    (long long)(seq - 1), (long long)v->bad_seq);
			rc = 1;
			break;
		}
		sha256_hex(line, (size_t)n, hash);
		bg_strlcpy(prevhash, hash, sizeof(prevhash));
		if (anchor != NULL && seq == anchor->seq)
			bg_strlcpy(anchor_hash, hash, sizeof(anchor_hash));
		if (outside != NULL && found.seq == 0 && (outside->seq == 0 ?
		    strcmp(hash, outside->sha256) == 0 : seq == outside->seq)) {
			found.seq = seq;
			bg_strlcpy(found.sha256, hash, sizeof(found.sha256));
		}
		v->entries++;
		expect++;
	}
	if (rc == 0 && ferror(fp)) {
		bg_err(err, errlen, "%s: %s", path, strerror(errno));
		rc = -1;
	}
	free(line);
	fclose(fp);
	if (rc != 0)
		return rc;
	v->head.seq = v->entries;
	bg_strlcpy(v->head.sha256, prevhash, sizeof(v->head.sha256));
	if (anchor != NULL && anchor->seq > 0) {
		if (anchor->seq > v->entries) {
			v->bad_seq = v->entries + 1;
			snprintf(v->why, sizeof(v->why), "the log ends at seq "
			    "%lld but state.json recorded seq %lld (entries "
			    "deleted from the end)", (long long)v->entries,
			    (long long)anchor->seq);
			return 1;
		}
		if (strcmp(anchor_hash, anchor->sha256) != 0) {
			v->bad_seq = anchor->seq;
			snprintf(v->why, sizeof(v->why), "seq %lld does not "
			    "match the hash state.json recorded for it "
			    "(edited)", (long long)anchor->seq);
			return 1;
		}
	}
	v->outside_seq = found.seq;
	if (outside != NULL)
		return check_outside(outside, &found, v);
	return 0;
}

int
audit_verify_against(const char *path, const struct audit_head *anchor,
    const struct audit_head *outside, struct audit_verdict *v, char *err,
    size_t errlen)
{
	struct audit_head	 none = { 0, "" };
	FILE			*fp;

	memset(v, 0, sizeof(*v));
	if ((fp = sd_fopen_read(path, err, errlen)) == NULL) {
		if (errno == ENOENT && (anchor == NULL || anchor->seq == 0)) {
			bg_strlcpy(v->head.sha256, zero_hash,
			    sizeof(v->head.sha256));
			return outside != NULL ? check_outside(outside, &none,
			    v) : 0;
		}
		return -1;
	}
	return verify_stream(fp, path, anchor, outside, v, err, errlen);
}

/*
 * A log named on the command line (another host's copy), not in state_dir:
 * opened as named, a regular file, never blocking on a FIFO.
 */
static FILE *
open_named(const char *path, char *err, size_t errlen)
{
	struct stat	 st;
	FILE		*fp = NULL;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)) ==
	    -1 || fstat(fd, &st) == -1 || (fp = fdopen(fd, "r")) == NULL) {
		bg_err(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		bg_err(err, errlen, "%s: not a regular file", path);
		goto fail;
	}
	return fp;
 fail:
	if (fp != NULL)
		fclose(fp);
	else if (fd != -1)
		close(fd);
	return NULL;
}

int
audit_verify_file(const char *path, const struct audit_head *outside,
    struct audit_verdict *v, char *err, size_t errlen)
{
	FILE	*fp;

	memset(v, 0, sizeof(*v));
	if ((fp = open_named(path, err, errlen)) == NULL)
		return -1;
	return verify_stream(fp, path, NULL, outside, v, err, errlen);
}

/* 64 hex digits at s, lowercased into out; the count read, 0 if not */
static size_t
hex64(const char *s, char out[SHA256_HEX_LEN + 1])
{
	static const char	hex[] = "0123456789abcdef";
	size_t			i;

	for (i = 0; i < SHA256_HEX_LEN; i++) {
		const char *d = strchr(hex, s[i] >= 'A' && s[i] <= 'F' ?
		    s[i] - 'A' + 'a' : s[i]);
		if (s[i] == '\0' || d == NULL)
			return 0;
		out[i] = *d;
	}
	out[i] = '\0';
	return i;
}

/* a positive decimal at s; the count read, 0 if none */
static size_t
dec(const char *s, int64_t *v)
{
	size_t	i;

	*v = 0;
	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++) {
		if (i >= 15)
			return 0;
		*v = *v * 10 + (s[i] - '0');
	}
	return *v > 0 ? i : 0;
}

int
audit_parse_head(const char *s, int64_t *seq, char sha256[SHA256_HEX_LEN + 1])
{
	size_t	n;

	*seq = 0;
	s += strspn(s, " \t");
	if (strncmp(s, "seq", 3) == 0) {
		/* seq=12 sha256=HEX (header, syslog), seq 12 sha256 HEX
		 * (mail body, enable/disable), seq 12, sha256 HEX (status) */
		int eq = s[3] == '=';
		s += 3;
		s += eq ? 1 : strspn(s, " ");
		if ((n = dec(s, seq)) == 0)
			return -1;
		s += n;
		s += !eq && *s == ',';
		if (*s != ' ')
			return -1;
		s += strspn(s, " ");
		if (strncmp(s, eq ? "sha256=" : "sha256 ", 7) != 0)
			return -1;
		s += 7;
		s += eq ? 0 : strspn(s, " ");
	} else if ((n = dec(s, seq)) > 0 && s[n] == ':')
		s += n + 1;	/* 12:HEX */
	else
		*seq = 0;	/* HEX: whichever line has it */
	if (hex64(s, sha256) == 0)
		return -1;
	s += SHA256_HEX_LEN;
	return s[strspn(s, " \t")] == '\0' ? 0 : -1;
}

/* history ------------------------------------------------------------ */

struct row {
	char	*host;		/* history --merge; NULL: no HOST column */
	char	*time, *actor, *event, *account, *change, *result, *reason;
};

/* the line is about dn (AD compares DNs without case) */
static int
line_account_is(const cJSON *j, const char *dn)
{
	const cJSON	*a = cJSON_GetObjectItemCaseSensitive(j, "account");

	return cJSON_IsString(a) && strcasecmp(a->valuestring, dn) == 0;
}

/* the account's name for the ACCOUNT column; its DN if not configured */
static char *
account_label(const cJSON *j, const struct history_opts *o)
{
	const cJSON	*a = cJSON_GetObjectItemCaseSensitive(j, "account");

	if (!cJSON_IsString(a))
		return strdup("-");
	for (size_t i = 0; i < o->naccounts; i++)
		if (strcasecmp(a->valuestring, o->dns[i]) == 0)
			return strdup(o->names[i]);
	return strdup(a->valuestring);
}

static char *
jstr(const cJSON *j, const char *key)
{
	const cJSON	*x = cJSON_GetObjectItemCaseSensitive(j, key);

	if (cJSON_IsString(x))
		return strdup(x->valuestring);
	if (cJSON_IsNumber(x)) {
		char buf[32];
		snprintf(buf, sizeof(buf), "%lld", (long long)x->valuedouble);
		return strdup(buf);
	}
	return strdup("-");
}

static int
row_from_json(const cJSON *j, const struct history_opts *ho, struct row *r)
{
	char	*from = jstr(j, "from"), *to = jstr(j, "to"), *t;
	const char *f, *o;
	size_t	 len;

	r->time = jstr(j, "time");
	/* 2026-11-25T02:10:00.123Z -> 2026-11-25 02:10:00Z */
	if ((t = r->time) != NULL && strlen(t) >= 20) {
		t[10] = ' ';
		t[19] = 'Z';
		t[20] = '\0';
	}
	r->actor = jstr(j, "actor");
	r->event = jstr(j, "event");
	len = strlen(from) + strlen(to) + 16;
	if ((r->change = malloc(len)) != NULL) {
		f = strcmp(from, "-") == 0 ? "none" : from;
		o = strcmp(to, "-") == 0 ? "none" : to;
		if (strcmp(from, "-") == 0 && strcmp(to, "-") == 0)
			snprintf(r->change, len, "-");
		else
			snprintf(r->change, len, "%s->%s", f, o);
	}
	free(from);
	free(to);
	r->result = jstr(j, "result");
	r->reason = jstr(j, "reason");
	r->account = account_label(j, ho);
	if (!r->time || !r->actor || !r->event || !r->change || !r->result ||
	    !r->reason || !r->account)
		return -1;
	text_flatten(r->account);
	/* one entry, one row, and nothing in it drives the terminal */
	text_flatten(r->time);
	text_flatten(r->actor);
	text_flatten(r->event);
	text_flatten(r->change);
	text_flatten(r->result);
	text_flatten(r->reason);
	return 0;
}

static void
row_free(struct row *r)
{
	free(r->host);
	free(r->time);
	free(r->actor);
	free(r->event);
	free(r->account);
	free(r->change);
	free(r->result);
	free(r->reason);
}

/* the table: a HOST column first when the rows have hosts (--merge) */
static void
print_rows(FILE *out, const struct row *rows, size_t n,
    const struct history_opts *o)
{
	int	w_host = 4, w_actor = 5, w_event = 5, w_change = 7;
	int	w_result = 6, l;
	/* ACCOUNT, after EVENT, only with two accounts or more */
	int	w_account = o->naccounts > 1 ? 7 : 0;

	if (n == 0) {
		fprintf(out, "(no audit entries%s)\n",
		    o->since_ms ? " in that period" : "");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (rows[i].host != NULL &&
		    (l = (int)strlen(rows[i].host)) > w_host)
			w_host = l > 40 ? 40 : l;
		if ((l = (int)strlen(rows[i].actor)) > w_actor)
			w_actor = l > 40 ? 40 : l;
		if ((l = (int)strlen(rows[i].event)) > w_event)
			w_event = l;
		if (w_account > 0 && (l = (int)strlen(rows[i].account)) >
		    w_account)
			w_account = l > 40 ? 40 : l;
		if ((l = (int)strlen(rows[i].change)) > w_change)
			w_change = l;
		if ((l = (int)strlen(rows[i].result)) > w_result)
			w_result = l > 40 ? 40 : l;
	}
	if (rows[0].host != NULL)
		fprintf(out, "%-*s  ", w_host, "HOST");
	fprintf(out, "%-20s  %-*s  %-*s  ", "TIME", w_actor, "ACTOR", w_event,
	    "EVENT");
	if (w_account > 0)
		fprintf(out, "%-*s  ", w_account, "ACCOUNT");
	fprintf(out, "%-*s  %-*s  %s\n", w_change, "CHANGE", w_result,
	    "RESULT", "REASON");
	for (size_t i = 0; i < n; i++) {
		if (rows[i].host != NULL)
			fprintf(out, "%-*.*s  ", w_host, w_host, rows[i].host);
		fprintf(out, "%-20s  %-*.*s  %-*s  ", rows[i].time, w_actor,
		    w_actor, rows[i].actor, w_event, rows[i].event);
		if (w_account > 0)
			fprintf(out, "%-*.*s  ", w_account, w_account,
			    rows[i].account);
		fprintf(out, "%-*s  %-*.*s  %s\n", w_change, rows[i].change,
		    w_result, w_result, rows[i].result, rows[i].reason);
	}
}

static int
line_time(const cJSON *j, int64_t *ms)
{
	const cJSON	*t = cJSON_GetObjectItemCaseSensitive(j, "time");

	return cJSON_IsString(t) ? parse_time(t->valuestring, ms) : -1;
}

/*
 * Long on purpose: one pass over the log with the filters (--since,
 * --limit) and both outputs (table, --json) of history.
 */
int
audit_history(const char *path, const struct history_opts *o, FILE *out,
    char *err, size_t errlen)
{
	struct row	*rows = NULL;
	char		**ring = NULL;
	size_t		 nrows = 0, cap = 0, start = 0, count, nring = 0;
	char		*line = NULL;
	size_t		 lcap = 0;
	ssize_t		 n;
	FILE		*fp;
	int		 fd, rc = -1;
	/* the tail holds the last lines only when nothing is filtered out */
	int		 filtered = o->since_ms > 0 || o->account != NULL;

	if ((fd = sd_open(path, O_RDONLY, 0, err, errlen)) == -1) {
		if (errno == ENOENT) {
			if (!o->json)
				fprintf(out, "(the audit log is empty)\n");
			return 0;
		}
		return -1;
	}
	/* --limit without a filter: read only the tail */
	if (o->limit > 0 && !filtered) {
		struct stat st;
		off_t off;
		if (fstat(fd, &st) == -1 ||
		    (off = audit_tail_offset(fd, st.st_size, o->limit)) == -1 ||
		    lseek(fd, off, SEEK_SET) == -1) {
			bg_err(err, errlen, "%s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
	}
	if ((fp = fdopen(fd, "r")) == NULL) {
		bg_err(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	while ((n = getline(&line, &lcap, fp)) != -1) {
		cJSON	*j;
		int64_t	 t;

		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if ((j = cJSON_ParseWithLength(line, (size_t)n)) == NULL) {
			fprintf(stderr, "breakglass: %s: skipping a line that "
			    "is not JSON (run breakglass verify)\n", path);
			continue;
		}
		if ((o->since_ms > 0 &&
		    (line_time(j, &t) == -1 || t < o->since_ms)) ||
		    (o->account != NULL && !line_account_is(j, o->account))) {
			cJSON_Delete(j);
			continue;
		}
		if (o->json) {
			cJSON_Delete(j);
			/* the stored bytes, as the chain hashes them (a line
			 * with raw control characters escaped: text.h) */
			if (o->limit > 0 && filtered) {
				if (ring == NULL && (ring = calloc((size_t)o->limit,
				    sizeof(char *))) == NULL) {
					bg_err(err, errlen, "out of memory");
					goto done;
				}
				free(ring[nring % (size_t)o->limit]);
				ring[nring++ % (size_t)o->limit] = strdup(line);
			} else
				out_json(out, line);
			continue;
		}
		if (nrows == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct row *nr = realloc(rows, ncap * sizeof(*rows));
			if (nr == NULL) {
				cJSON_Delete(j);
				bg_err(err, errlen, "out of memory");
				goto done;
			}
			rows = nr;
			cap = ncap;
		}
		memset(&rows[nrows], 0, sizeof(*rows));
		if (row_from_json(j, o, &rows[nrows]) == -1) {
			cJSON_Delete(j);
			row_free(&rows[nrows]);
			bg_err(err, errlen, "out of memory");
			goto done;
		}
		nrows++;
		cJSON_Delete(j);
	}
	rc = 0;
	if (ring != NULL) {
		size_t keep = nring < (size_t)o->limit ? nring :
		    (size_t)o->limit;
		for (size_t i = nring - keep; i < nring; i++)
			if (ring[i % (size_t)o->limit] != NULL)
				out_json(out, ring[i % (size_t)o->limit]);
	}
	if (o->json)
		goto done;
	count = nrows;
	if (o->limit > 0 && (size_t)o->limit < nrows) {
		start = nrows - (size_t)o->limit;
		count = (size_t)o->limit;
	}
	print_rows(out, rows + start, count, o);
 done:
	if (ring != NULL)
		for (int64_t i = 0; i < o->limit; i++)
			free(ring[i]);
	free(ring);
	for (size_t i = 0; i < nrows; i++)
		row_free(&rows[i]);
	free(rows);
	free(line);
	fclose(fp);
	return rc;
}

/* history --merge ---------------------------------------------------- */

struct mline {
	int64_t	 t;
	int	 has_time;
	char	*host;		/* the line's, else its file's name */
	char	*line;		/* as stored */
};

struct mfile {
	struct mline	*v;
	size_t		 n, cap, next;
};

static void
mfile_free(struct mfile *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].host);
		free(f->v[i].line);
	}
	free(f->v);
}

/* append line (parsed: j) of path to f; -1 out of memory */
static int
mfile_add(struct mfile *f, const char *path, const char *line,
    const cJSON *j, int64_t *t)
{
	const cJSON	*h = cJSON_GetObjectItemCaseSensitive(j, "host");
	struct mline	*m;
	int64_t		 own;

	if (f->n == f->cap) {
		size_t ncap = f->cap ? f->cap * 2 : 64;
		struct mline *nv = realloc(f->v, ncap * sizeof(*nv));
		if (nv == NULL)
			return -1;
		f->v = nv;
		f->cap = ncap;
	}
	m = &f->v[f->n];
	/* no time of its own: it keeps its place after the line before */
	if ((m->has_time = line_time(j, &own) == 0))
		*t = own;
	m->t = *t;
	m->host = strdup(cJSON_IsString(h) ? h->valuestring : path);
	m->line = strdup(line);
	if (m->host == NULL || m->line == NULL) {
		free(m->host);
		free(m->line);
		return -1;
	}
	f->n++;
	return 0;
}

/* every line of one log, in its order; -1 with err */
static int
mfile_read(const char *path, struct mfile *f, char *err, size_t errlen)
{
	FILE	*fp;
	char	*line = NULL;
	size_t	 cap = 0;
	ssize_t	 n;
	int64_t	 lineno = 0, t = 0;
	int	 rc = -1;

	if ((fp = open_named(path, err, errlen)) == NULL)
		return -1;
	while ((n = getline(&line, &cap, fp)) != -1) {
		cJSON	*j;
		int	 added;

		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if ((j = cJSON_ParseWithLength(line, (size_t)n)) == NULL) {
			out_line(stderr, "breakglass: %s:%lld: skipping a line "
			    "that is not JSON (run breakglass verify %s)", path,
			    (long long)lineno, path);
			continue;
		}
		added = mfile_add(f, path, line, j, &t);
		cJSON_Delete(j);
		if (added == -1) {
			bg_err(err, errlen, "%s: out of memory", path);
			goto out;
		}
	}
	if (ferror(fp)) {
		bg_err(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
 out:
	free(line);
	fclose(fp);
	return rc;
}

/* the next line in time of all files: the earliest head, first file on a tie */
static struct mline *
mfile_next(struct mfile *f, size_t nf)
{
	size_t	best = nf;

	for (size_t i = 0; i < nf; i++)
		if (f[i].next < f[i].n && (best == nf ||
		    f[i].v[f[i].next].t < f[best].v[f[best].next].t))
			best = i;
	return best == nf ? NULL : &f[best].v[f[best].next++];
}

/* --json: {"host":H,"entry":LINE}, LINE as stored */
static int
print_tagged(FILE *out, const struct mline *m)
{
	cJSON	*h = cJSON_CreateString(m->host);
	char	*hs = h != NULL ? cJSON_PrintUnformatted(h) : NULL, *b = NULL;
	size_t	 len;

	cJSON_Delete(h);
	if (hs != NULL) {
		len = strlen(hs) + strlen(m->line) + 32;
		if ((b = malloc(len)) != NULL) {
			snprintf(b, len, "{\"host\":%s,\"entry\":%s}", hs,
			    m->line);
			out_json(out, b);
		}
	}
	free(hs);
	free(b);
	return b != NULL ? 0 : -1;
}

int
audit_history_merge(const char *const *paths, size_t npaths,
    const struct history_opts *o, FILE *out, char *err, size_t errlen)
{
	struct mfile	 *f;
	struct mline	**seq = NULL, *m;
	struct row	 *rows = NULL;
	size_t		  total = 0, nseq = 0, start = 0, nrows = 0;
	int		  rc = -1;

	if ((f = calloc(npaths, sizeof(*f))) == NULL) {
		bg_err(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < npaths; i++) {
		if (mfile_read(paths[i], &f[i], err, errlen) == -1)
			goto done;
		total += f[i].n;
	}
	if ((seq = calloc(total + 1, sizeof(*seq))) == NULL)
		goto oom;
	while ((m = mfile_next(f, npaths)) != NULL)
		if (o->since_ms == 0 || (m->has_time && m->t >= o->since_ms))
			seq[nseq++] = m;
	if (o->limit > 0 && (size_t)o->limit < nseq)
		start = nseq - (size_t)o->limit;
	if (o->json) {
		for (size_t i = start; i < nseq; i++)
			if (print_tagged(out, seq[i]) == -1)
				goto oom;
		rc = 0;
		goto done;
	}
	if ((rows = calloc(nseq - start + 1, sizeof(*rows))) == NULL)
		goto oom;
	for (size_t i = start; i < nseq; i++) {
		cJSON		*j = cJSON_Parse(seq[i]->line);
		struct row	*r = &rows[nrows++];

		if (j == NULL || row_from_json(j, o, r) == -1 ||
		    (r->host = strdup(seq[i]->host)) == NULL) {
			cJSON_Delete(j);
			goto oom;
		}
		text_flatten(r->host);
		cJSON_Delete(j);
	}
	print_rows(out, rows, nrows, o);
	rc = 0;
	goto done;
 oom:
	bg_err(err, errlen, "out of memory");
 done:
	for (size_t i = 0; i < nrows; i++)
		row_free(&rows[i]);
	free(rows);
	free(seq);
	for (size_t i = 0; i < npaths; i++)
		mfile_free(&f[i]);
	free(f);
	return rc;
}
