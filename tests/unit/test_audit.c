/* SPDX-License-Identifier: ISC */
/* test_audit.c - the chain writer and verifier: every way a log can break */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/sha.h>

#include "../../agent/audit.h"
#include "../../agent/jscan.h"
#include "../../agent/statedir.h"
#include "unit.h"

static char dir[64], logpath[128];

static int
setup(void **state)
{
	(void)state;
	if (unit_tmpdir(dir, sizeof(dir)) == -1)
		return -1;
	snprintf(logpath, sizeof(logpath), "%s/%s", dir, AUDIT_FILE);
	return statedir_open(dir, 0, NULL, 0);
}

static int
teardown(void **state)
{
	(void)state;
	return unit_rmtree(dir);
}

static void
append_n(int n)
{
	for (int i = 0; i < n; i++) {
		struct audit_entry e = {
			.actor = "cli:alice(uid=1000)", .event = "enable",
			.account = "CN=btg-admin,DC=x", .from = "disabled",
			.to = "enabled", .reason = "INC-1 \"quoted\"\nline2",
			.result = i % 2 ? "ok" : "started",
		};
		struct audit_head h;
		char err[256];
		assert_int_equal(audit_append(dir, &e, &h, err, sizeof(err)), 0);
	}
}

/* the file's lines, for tampering; caller frees lines[i] and lines */
static char **
read_lines(int *n)
{
	FILE	*fp = fopen(logpath, "r");
	char	**lines = calloc(64, sizeof(char *)), *line = NULL;
	size_t	 cap = 0;

	assert_non_null(fp);
	*n = 0;
	while (getline(&line, &cap, fp) != -1 && *n < 64) {
		lines[(*n)++] = line;
		line = NULL;
		cap = 0;
	}
	free(line);
	fclose(fp);
	return lines;
}

static void
write_lines(char **lines, int n)
{
	FILE *fp = fopen(logpath, "w");

	for (int i = 0; i < n; i++)
		if (lines[i] != NULL)
			fputs(lines[i], fp);
	fclose(fp);
}

static void
free_lines(char **lines, int n)
{
	for (int i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

static int
verify(struct audit_verdict *v, const struct audit_head *anchor)
{
	char err[256];

	return audit_verify(logpath, anchor, v, err, sizeof(err));
}

/* recompute the chain with libcrypto directly, not through the writer */
static void
test_chain_format(void **state)
{
	char		**lines, prev[65] = "";
	struct stat	  st;
	int		  n;

	(void)state;
	append_n(3);
	assert_int_equal(stat(logpath, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	lines = read_lines(&n);
	assert_int_equal(n, 3);
	for (int i = 0; i < n; i++) {
		unsigned char md[32];
		char want[80], seq[32];
		size_t len = strlen(lines[i]);

		assert_true(len > 1 && lines[i][len - 1] == '\n');
		snprintf(seq, sizeof(seq), "{\"seq\":%d,\"time\":\"", i + 1);
		assert_memory_equal(lines[i], seq, strlen(seq));
		if (i == 0)
			snprintf(want, sizeof(want), "\"prev\":\"%064d\"", 0);
		else
			snprintf(want, sizeof(want), "\"prev\":\"%s\"", prev);
		assert_non_null(strstr(lines[i], want));
		assert_non_null(strstr(lines[i], "Z\",\"actor\""));
		assert_non_null(strstr(lines[i], "\\\"quoted\\\"\\nline2"));
		SHA256((unsigned char *)lines[i], len - 1, md);
		for (int k = 0; k < 32; k++)
			snprintf(prev + 2 * k, 3, "%02x", md[k]);
	}
	free_lines(lines, n);
}

static void
test_intact(void **state)
{
	struct audit_verdict	v;
	struct audit_head	h;
	char			err[128];

	(void)state;
	append_n(5);
	assert_int_equal(verify(&v, NULL), 0);
	assert_int_equal(v.entries, 5);
	assert_int_equal(audit_read_head(dir, &h, err, sizeof(err)), 0);
	assert_int_equal(h.seq, 5);
	assert_string_equal(h.sha256, v.head.sha256);
	assert_int_equal(verify(&v, &h), 0);
}

static void
test_edited_line(void **state)
{
	struct audit_verdict	v;
	char			**lines, *p;
	int			n;

	(void)state;
	append_n(5);
	lines = read_lines(&n);
	p = strstr(lines[2], "INC-1");
	p[4] = '9';			/* seq 3 now says INC-9 */
	write_lines(lines, n);
	free_lines(lines, n);
	assert_int_equal(verify(&v, NULL), 1);
	assert_int_equal(v.bad_seq, 3);
	assert_non_null(strstr(v.why, "edited"));
}

static void
test_deleted_line(void **state)
{
	struct audit_verdict	v;
	char			**lines;
	int			n;

	(void)state;
	append_n(5);
	lines = read_lines(&n);
	free(lines[1]);
	lines[1] = NULL;		/* seq 2 gone */
	write_lines(lines, n);
	free_lines(lines, n);
	assert_int_equal(verify(&v, NULL), 1);
	assert_int_equal(v.bad_seq, 2);
	assert_non_null(strstr(v.why, "deleted"));
}

static void
test_reordered(void **state)
{
	struct audit_verdict	v;
	char			**lines, *t;
	int			n;

	(void)state;
	append_n(5);
	lines = read_lines(&n);
	t = lines[3];
	lines[3] = lines[2];
	lines[2] = t;
	write_lines(lines, n);
	free_lines(lines, n);
	assert_int_equal(verify(&v, NULL), 1);
	assert_int_equal(v.bad_seq, 3);
}

static void
test_not_json(void **state)
{
	struct audit_verdict	v;
	char			**lines;
	int			n;

	(void)state;
	append_n(4);
	lines = read_lines(&n);
	free(lines[1]);
	lines[1] = strdup("this is not json\n");
	write_lines(lines, n);
	free_lines(lines, n);
	assert_int_equal(verify(&v, NULL), 1);
	assert_int_equal(v.bad_seq, 2);
	assert_non_null(strstr(v.why, "not a JSON"));
}

static void
test_anchor_catches_tail(void **state)
{
	struct audit_verdict	v;
	struct audit_head	h;
	char			**lines, *p, err[128];
	int			n;

	(void)state;
	append_n(4);
	assert_int_equal(audit_read_head(dir, &h, err, sizeof(err)), 0);
	/* the last line edited: only the anchor can see it */
	lines = read_lines(&n);
	p = strstr(lines[3], "INC-1");
	p[4] = '7';
	write_lines(lines, n);
	assert_int_equal(verify(&v, NULL), 0);
	assert_int_equal(verify(&v, &h), 1);
	assert_int_equal(v.bad_seq, 4);
	/* the last line removed */
	free(lines[3]);
	lines[3] = NULL;
	write_lines(lines, n);
	free_lines(lines, n);
	assert_int_equal(verify(&v, NULL), 0);
	assert_int_equal(verify(&v, &h), 1);
	assert_non_null(strstr(v.why, "deleted from the end"));
}

static void
test_torn_tail_is_chained(void **state)
{
	struct audit_verdict	v;
	FILE			*fp;

	(void)state;
	append_n(2);
	fp = fopen(logpath, "a");
	fputs("{\"seq\":3,\"time\":\"2025-", fp);	/* crash mid-write */
	fclose(fp);
	assert_int_equal(verify(&v, NULL), 1);
	append_n(1);					/* still appends */
	assert_int_equal(verify(&v, NULL), 1);
	assert_int_equal(v.bad_seq, 3);
}

static void
test_history_tail(void **state)
{
	struct history_opts	o = { .limit = 2 };
	char			*buf = NULL, err[128];
	size_t			len = 0;
	FILE			*out;
	int			rows = 0;

	(void)state;
	append_n(6);
	out = open_memstream(&buf, &len);
	assert_int_equal(audit_history(logpath, &o, out, err, sizeof(err)), 0);
	fclose(out);
	for (char *p = buf; (p = strchr(p, '\n')) != NULL; p++)
		rows++;
	assert_int_equal(rows, 3);	/* header + 2 */
	assert_memory_equal(buf, "TIME", 4);	/* no HOST: one log */
	assert_non_null(strstr(buf, "disabled->enabled"));
	assert_null(strstr(buf, "\nline2"));	/* one entry, one line */
	free(buf);
	o.json = 1;
	o.limit = 1;
	buf = NULL;
	out = open_memstream(&buf, &len);
	assert_int_equal(audit_history(logpath, &o, out, err, sizeof(err)), 0);
	fclose(out);
	assert_memory_equal(buf, "{\"seq\":6,", 9);
	free(buf);
	/* --since with --limit keeps the last N of the period */
	o.since_ms = 1;
	o.limit = 2;
	buf = NULL;
	out = open_memstream(&buf, &len);
	assert_int_equal(audit_history(logpath, &o, out, err, sizeof(err)), 0);
	fclose(out);
	assert_memory_equal(buf, "{\"seq\":5,", 9);
	assert_non_null(strstr(buf, "\n{\"seq\":6,"));
	assert_null(strstr(buf, "\"seq\":4,"));
	free(buf);
}

/* history's output for o, to free */
static char *
history_out(const struct history_opts *o)
{
	char	*buf = NULL, err[256];
	size_t	 len = 0;
	FILE	*out = open_memstream(&buf, &len);

	assert_non_null(out);
	assert_int_equal(audit_history(logpath, o, out, err, sizeof(err)), 0);
	fclose(out);
	return buf;
}

/* history of two accounts: --account filters, ACCOUNT names them */
static void
test_history_accounts(void **state)
{
	static const char *const names[] = { "first", "second" };
	static const char *const dns[] = { "CN=btg-admin,DC=x",
	    "CN=btg-admin2,DC=x" };
	struct history_opts	o = { .names = names, .dns = dns,
				      .naccounts = 2 };
	struct audit_entry	e = { .actor = "agent", .event = "enable",
				      .account = "cn=BTG-ADMIN2,dc=x",
				      .from = "disabled", .to = "enabled",
				      .reason = "r", .result = "ok" };
	struct audit_head	h;
	char			*buf, err[256];

	(void)state;
	append_n(4);		/* CN=btg-admin,DC=x */
	assert_int_equal(audit_append(dir, &e, &h, err, sizeof(err)), 0);
	append_n(1);
	buf = history_out(&o);
	assert_non_null(strstr(buf, "EVENT   ACCOUNT  CHANGE"));
	assert_non_null(strstr(buf, "enable  second   disabled->enabled"));
	assert_non_null(strstr(buf, "enable  first    disabled->enabled"));
	free(buf);

	/* the second only, its last line despite --limit 1 */
	o.account = dns[1];
	o.limit = 1;
	o.json = 1;
	buf = history_out(&o);
	assert_memory_equal(buf, "{\"seq\":5,", 9);
	assert_null(strchr(buf, '\n') == NULL ? NULL : strstr(strchr(buf,
	    '\n') + 1, "seq"));
	free(buf);

	/* one account: no ACCOUNT column, as before */
	o = (struct history_opts){ .names = names, .dns = dns, .naccounts = 1 };
	buf = history_out(&o);
	assert_null(strstr(buf, "ACCOUNT"));
	assert_non_null(strstr(buf, "EVENT   CHANGE"));
	free(buf);
}

/* every form of a head breakglass prints is read back; nothing else is */
static void
test_parse_head(void **state)
{
	static const char h[] =
	    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
	static const struct { const char *in; int64_t seq; } good[] = {
		{ "seq=12 sha256=%s", 12 },		/* mail header, syslog */
		{ "seq 12 sha256 %s", 12 },		/* mail body, enable */
		{ "seq 12, sha256 %s", 12 },		/* status */
		{ "12:%s", 12 },
		{ "%s", 0 },
		{ "  seq=3 sha256=%s \t", 3 },
	};
	static const char *bad[] = { "seq=12", "seq=0 sha256=%s", "0:%s",
	    "seq=12 sha256 %s", "seq 12 sha256=%s", "seq=x sha256=%s",
	    "%s0", "%.63s", "12:%s trailing", "seq=12, sha256=%s",
	    "sha256=%s", "12 %s", "" };
	char	in[200], sha[65];
	int64_t	seq;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(in, sizeof(in), good[i].in, h);
		if (audit_parse_head(in, &seq, sha) != 0)
			fail_msg("\"%s\" not read", in);
		assert_int_equal(seq, good[i].seq);
		assert_string_equal(sha, h);
	}
	/* upper-case hex is read, lower-cased */
	snprintf(in, sizeof(in), "seq=1 sha256=9F86D081884C7D659A2FEAA0C55AD015"
	    "A3BF4F1B2B0B822CD15D6C15B0F00A08");
	assert_int_equal(audit_parse_head(in, &seq, sha), 0);
	assert_string_equal(sha, h);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(in, sizeof(in), bad[i], h);
		if (audit_parse_head(in, &seq, sha) != -1)
			fail_msg("\"%s\" read as a head", in);
	}
}

/*
 * Delete a line and re-chain every later one (seq and prev), as someone with
 * the service user's rights can: the chain is intact again.
 */
static void
delete_and_rechain(int which)
{
	char	**lines, prev[65];
	int	  n;

	lines = read_lines(&n);
	free(lines[which - 1]);
	lines[which - 1] = NULL;
	for (int i = which; i < n; i++) {
		cJSON *j = cJSON_Parse(lines[i]);
		char *s;
		size_t len;

		assert_non_null(j);
		cJSON_ReplaceItemInObject(j, "seq", cJSON_CreateNumber(i));
		if (i == which && which == 1)
			snprintf(prev, sizeof(prev), "%064d", 0);
		else if (i == which) {
			size_t l = strlen(lines[which - 2]) - 1;
			sha256_hex(lines[which - 2], l, prev);
		}
		cJSON_ReplaceItemInObject(j, "prev", cJSON_CreateString(prev));
		s = cJSON_PrintUnformatted(j);
		cJSON_Delete(j);
		len = strlen(s);
		sha256_hex(s, len, prev);
		free(lines[i]);
		assert_non_null(lines[i] = malloc(len + 2));
		memcpy(lines[i], s, len);
		memcpy(lines[i] + len, "\n", 2);
		free(s);
	}
	write_lines(lines, n);
	free_lines(lines, n);
}

/* the head a mail carried proves what state.json's anchor cannot */
static void
test_verify_against(void **state)
{
	struct audit_verdict	v;
	struct audit_head	mailed, any, now;
	char			err[256];

	(void)state;
	append_n(4);
	assert_int_equal(audit_read_head(dir, &mailed, err, sizeof(err)), 0);
	assert_int_equal(mailed.seq, 4);
	append_n(2);
	any = mailed;
	any.seq = 0;
	assert_int_equal(audit_verify_against(logpath, NULL, &mailed, &v, err,
	    sizeof(err)), 0);
	assert_int_equal(v.outside_seq, 4);
	assert_int_equal(audit_verify_against(logpath, NULL, &any, &v, err,
	    sizeof(err)), 0);
	assert_int_equal(v.outside_seq, 4);

	delete_and_rechain(2);
	/* the anchor in state.json is updated too: verify is content */
	assert_int_equal(audit_read_head(dir, &now, err, sizeof(err)), 0);
	assert_int_equal(now.seq, 5);
	assert_int_equal(verify(&v, &now), 0);
	/* the mailed head is not */
	assert_int_equal(audit_verify_against(logpath, &now, &mailed, &v, err,
	    sizeof(err)), 1);
	assert_int_equal(v.bad_seq, 4);
	assert_non_null(strstr(v.why, "seq 4's sha256 is "));
	assert_non_null(strstr(v.why, "the anchor says "));
	assert_non_null(strstr(v.why, mailed.sha256));
	assert_non_null(strstr(v.why, "the chain was rewritten"));
	assert_int_equal(audit_verify_against(logpath, &now, &any, &v, err,
	    sizeof(err)), 1);
	assert_int_equal(v.bad_seq, 0);
	assert_non_null(strstr(v.why, "no line has sha256"));
	/* a head beyond the end */
	mailed.seq = 9;
	assert_int_equal(audit_verify_against(logpath, &now, &mailed, &v, err,
	    sizeof(err)), 1);
	assert_int_equal(v.bad_seq, 6);
	assert_non_null(strstr(v.why, "ends at seq 5"));
	/* no log at all */
	assert_int_equal(unlink(logpath), 0);
	assert_int_equal(audit_verify_against(logpath, NULL, &any, &v, err,
	    sizeof(err)), 1);
}

/* verify FILE: a copy outside state_dir, checked as it is, no anchor */
static void
test_verify_file(void **state)
{
	struct audit_verdict	v;
	struct audit_head	head;
	char			copy[160], cmd[400], err[256];
	char			**lines;
	int			n;

	(void)state;
	append_n(3);
	assert_int_equal(audit_read_head(dir, &head, err, sizeof(err)), 0);
	snprintf(copy, sizeof(copy), "%s.copy", dir);
	snprintf(cmd, sizeof(cmd), "cp %s %s", logpath, copy);
	assert_int_equal(system(cmd), 0);
	/* state_dir's own reader refuses it: not inside state_dir */
	assert_int_equal(audit_verify(copy, NULL, &v, err, sizeof(err)), -1);
	assert_int_equal(audit_verify_file(copy, NULL, &v, err, sizeof(err)),
	    0);
	assert_int_equal(v.entries, 3);
	assert_string_equal(v.head.sha256, head.sha256);
	assert_int_equal(audit_verify_file(copy, &head, &v, err, sizeof(err)),
	    0);
	assert_int_equal(v.outside_seq, 3);
	/* an edit in the copy is found */
	lines = read_lines(&n);
	lines[1][strlen(lines[1]) - 3] ^= 1;
	{
		FILE *fp = fopen(copy, "w");
		for (int i = 0; i < n; i++)
			fputs(lines[i], fp);
		fclose(fp);
	}
	free_lines(lines, n);
	assert_int_equal(audit_verify_file(copy, NULL, &v, err, sizeof(err)),
	    1);
	assert_int_equal(v.bad_seq, 2);
	assert_int_equal(unlink(copy), 0);
	/* missing, or not a file: unreadable, said why */
	assert_int_equal(audit_verify_file(copy, NULL, &v, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "No such file"));
	assert_int_equal(audit_verify_file(dir, NULL, &v, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "not a regular file"));
}

/* a log of lines, as given, at dir/name; its path in path */
static void
write_log(const char *name, const char *const *lines, char *path,
    size_t size)
{
	FILE	*fp;

	snprintf(path, size, "%s/%s", dir, name);
	assert_non_null(fp = fopen(path, "w"));
	for (; *lines != NULL; lines++)
		fputs(*lines, fp);
	fclose(fp);
}

#define T(s)	"\"time\":\"2026-11-25T02:10:0" s ".000Z\""

/* the merged --json output's lines as "HOST:SEQ ..." */
static void
merged(const char *const *paths, size_t n, char *got, size_t size)
{
	struct history_opts	 o = { .json = 1 };
	char			*buf = NULL, *p, err[256];
	size_t			 len = 0, used = 0;
	FILE			*out = open_memstream(&buf, &len);

	assert_int_equal(audit_history_merge(paths, n, &o, out, err,
	    sizeof(err)), 0);
	fclose(out);
	got[0] = '\0';
	for (p = buf; p != NULL && *p != '\0'; p = strchr(p, '\n') + 1) {
		cJSON *j = cJSON_ParseWithLength(p, strcspn(p, "\n"));
		const char *h = cJSON_GetStringValue(cJSON_GetObjectItem(j,
		    "host"));
		cJSON *e = cJSON_GetObjectItem(j, "entry");

		assert_non_null(h);
		used += (size_t)snprintf(got + used, size - used, "%s%s:%d",
		    used ? " " : "", h, (int)cJSON_GetNumberValue(
		    cJSON_GetObjectItem(e, "seq")));
		cJSON_Delete(j);
	}
	free(buf);
}

/*
 * history --merge: by time; equal times in the order the files were named;
 * no host field: the file name; a line with no time after its file's line
 * before; a line that is not JSON skipped; each file's order kept.
 */
static void
test_merge_order(void **state)
{
	static const char *const a[] = {
		"{\"seq\":1," T("0") ",\"host\":\"bg-a\",\"event\":\"x\"}\n",
		"{\"seq\":2," T("2") ",\"host\":\"bg-a\",\"event\":\"x\"}\n",
		"{\"seq\":3," T("2") ",\"host\":\"bg-a\",\"event\":\"x\"}\n",
		/* a clock stepped back: still after seq 3 of its file */
		"{\"seq\":4," T("1") ",\"host\":\"bg-a\",\"event\":\"x\"}\n",
		NULL
	};
	static const char *const b[] = {
		"{\"seq\":1," T("1") ",\"event\":\"y\"}\n",
		"not JSON at all\n",
		"{\"seq\":2," T("2") ",\"event\":\"y\"}\n",
		"{\"seq\":3,\"event\":\"no time\"}\n",
		NULL
	};
	const char	*ab[] = { "a.log", "b.log" }, *ba[] = { "b.log", "a.log" };
	char		 path[160], got[1024];

	(void)state;
	write_log("a.log", a, path, sizeof(path));
	write_log("b.log", b, path, sizeof(path));
	assert_int_equal(chdir(dir), 0);	/* the names as given */
	merged(ab, 2, got, sizeof(got));
	assert_string_equal(got, "bg-a:1 b.log:1 bg-a:2 bg-a:3 bg-a:4 b.log:2 "
	    "b.log:3");
	/* named the other way round, b comes first on equal times */
	merged(ba, 2, got, sizeof(got));
	assert_string_equal(got, "bg-a:1 b.log:1 b.log:2 b.log:3 bg-a:2 bg-a:3 "
	    "bg-a:4");
	assert_int_equal(chdir("/"), 0);
}

/* the table: a HOST column first; --limit and --since over the merge */
static void
test_merge_table(void **state)
{
	static const char *const a[] = {
		"{\"seq\":1," T("0") ",\"host\":\"bg-a\",\"event\":\"enable\","
		"\"from\":\"disabled\",\"to\":\"enabled\"}\n",
		NULL
	};
	static const char *const b[] = {
		"{\"seq\":1," T("1") ",\"host\":\"bg-b\",\"event\":\"adopted\"}"
		"\n",
		"{\"seq\":2," T("3") ",\"host\":\"bg-b\",\"event\":\"disable\"}"
		"\n",
		NULL
	};
	struct history_opts	 o = { .limit = 2 };
	char			 pa[160], pb[160], *buf = NULL, err[256];
	const char		*paths[2] = { pa, pb };
	size_t			 len = 0;
	FILE			*out;

	(void)state;
	write_log("a.log", a, pa, sizeof(pa));
	write_log("b.log", b, pb, sizeof(pb));
	out = open_memstream(&buf, &len);
	assert_int_equal(audit_history_merge(paths, 2, &o, out, err,
	    sizeof(err)), 0);
	fclose(out);
	assert_memory_equal(buf, "HOST  TIME", 10);
	assert_null(strstr(buf, "enable "));	/* --limit 2: the last two */
	assert_non_null(strstr(buf, "\nbg-b  2026-11-25 02:10:01Z"));
	assert_non_null(strstr(buf, "\nbg-b  2026-11-25 02:10:03Z"));
	free(buf);
	o.limit = 0;
	o.since_ms = 1795572602000LL;	/* 2026-11-25T02:10:02Z */
	buf = NULL;
	out = open_memstream(&buf, &len);
	assert_int_equal(audit_history_merge(paths, 2, &o, out, err,
	    sizeof(err)), 0);
	fclose(out);
	assert_null(strstr(buf, "adopted"));
	assert_non_null(strstr(buf, "disable"));
	free(buf);
	/* a file that cannot be read fails the merge, naming it */
	paths[1] = "/nonexistent/b.log";
	out = open_memstream(&buf, &len);
	assert_int_equal(audit_history_merge(paths, 2, &o, out, err,
	    sizeof(err)), -1);
	fclose(out);
	free(buf);
	assert_non_null(strstr(err, "/nonexistent/b.log"));
}

/* regression (found by fuzz_audit): a 19-character time overflowed */
static void
test_history_odd_times(void **state)
{
	static const char *lines[] = {
		"{\"seq\":1,\"time\":\"2026-11-25T02:10:00\"}\n",
		"{\"seq\":2,\"time\":\"x\"}\n",
		"{\"seq\":3,\"time\":7,\"actor\":null}\n",
		"{\"seq\":4}\n",
	};
	struct history_opts	o = { 0 };
	char			*buf = NULL, err[128];
	size_t			len = 0;
	FILE			*out, *fp;

	(void)state;
	fp = fopen(logpath, "w");
	for (size_t i = 0; i < 4; i++)
		fputs(lines[i], fp);
	fclose(fp);
	out = open_memstream(&buf, &len);
	assert_int_equal(audit_history(logpath, &o, out, err, sizeof(err)), 0);
	fclose(out);
	assert_non_null(strstr(buf, "2026-11-25T02:10:00"));
	free(buf);
}

/* verify's allocation-free scan: what it takes and what it refuses */
static void
test_jscan(void **state)
{
	static const char *good[] = {
		"{\"seq\":7,\"prev\":\"ab\"}",
		" { \"a\" : [1, -2.5e+3, true, false, null, {\"prev\":\"x\"}],"
		    " \"seq\" : 7 , \"r\":\"q\\\"\\u00e9\\n\", \"prev\":\"ab\" } ",
		"{\"prev\":\"ab\",\"e\":{\"seq\":99},\"seq\":7}",
	};
	static const char *bad[] = {
		"", "[]", "{}", "{\"seq\":7}", "{\"prev\":\"ab\"}",
		"{\"seq\":7,\"prev\":\"ab\"} x",		/* trailing */
		"{\"seq\":7,\"prev\":\"ab\"",		/* torn */
		"{\"seq\":7.5,\"prev\":\"ab\"}",		/* not an integer */
		"{\"seq\":-7,\"prev\":\"ab\"}",
		"{\"seq\":\"7\",\"prev\":\"ab\"}",
		"{\"seq\":7,\"prev\":\"a\\u0062\"}",	/* escaped prev */
		"{\"seq\":7,\"prev\":\"ab\",\"r\":\"a\tb\"}",	/* raw tab */
		"{\"seq\":7,\"prev\":\"ab\",\"r\":\"\\x\"}",
		"{\"seq\":07,\"prev\":\"ab\"}",
		"{\"seq\":7,,\"prev\":\"ab\"}",
		"{\"seq\":7,\"prev\":\"ab\",\"t\":tru}",
		"{'seq':7}",
	};
	char		 deep[300];
	int64_t		 seq;
	const char	*p;
	size_t		 pl;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		seq = 0;
		assert_int_equal(jscan_audit_line(good[i], strlen(good[i]),
		    &seq, &p, &pl), 0);
		assert_int_equal(seq, 7);
		assert_int_equal(pl, 2);
		assert_memory_equal(p, "ab", 2);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(jscan_audit_line(bad[i], strlen(bad[i]), &seq,
		    &p, &pl), -1);
	/* nesting is bounded: 10 deep passes, 100 deep is refused */
	for (int depth = 10; depth <= 100; depth += 90) {
		int n = snprintf(deep, sizeof(deep),
		    "{\"seq\":7,\"prev\":\"ab\",\"d\":");
		for (int i = 0; i < depth; i++)
			deep[n++] = '[';
		for (int i = 0; i < depth; i++)
			deep[n++] = ']';
		deep[n++] = '}';
		assert_int_equal(jscan_audit_line(deep, (size_t)n, &seq, &p,
		    &pl), depth == 10 ? 0 : -1);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_chain_format, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_intact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edited_line, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_deleted_line, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reordered, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_not_json, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_anchor_catches_tail,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_torn_tail_is_chained,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_accounts, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_history_tail, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_history_odd_times, setup,
		    teardown),
		cmocka_unit_test(test_jscan),
		cmocka_unit_test(test_parse_head),
		cmocka_unit_test_setup_teardown(test_verify_against, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_verify_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_merge_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_merge_table, setup,
		    teardown),
	};
	return cmocka_run_group_tests_name("audit", tests, NULL, NULL);
}
