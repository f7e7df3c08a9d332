/* SPDX-License-Identifier: ISC */
/* mail.c - the notification text: subject, body, RFC 5322 message (pure) */
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../account.h"
#include "mail.h"
#include "../text.h"

/* a growing string */
struct buf {
	char	*s;
	size_t	 len;
	size_t	 cap;
	int	 oom;
};

static void
bput(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 512;
		char *ns;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((ns = realloc(b->s, cap)) == NULL) {
			b->oom = 1;
			return;
		}
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
bputs(struct buf *b, const char *s)
{
	bput(b, s, strlen(s));
}

#define BFMT_MAX	2048	/* one formatted piece, cut beyond */

/* append fmt's text; one_line: flattened and ended with a newline */
static void bvput(struct buf *, int one_line, const char *, va_list)
    __attribute__((format(printf, 3, 0)));

static void
bvput(struct buf *b, int one_line, const char *fmt, va_list ap)
{
	char	tmp[BFMT_MAX];

	if (vsnprintf(tmp, sizeof(tmp), fmt, ap) < 0)
		return;
	if (one_line)
		text_flatten(tmp);
	bputs(b, tmp);
	if (one_line)
		bputs(b, "\n");
}

static void bprintf(struct buf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
bprintf(struct buf *b, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	bvput(b, 0, fmt, ap);
	va_end(ap);
}

/* one line of the body: whatever the fields hold, it stays one line */
static void bline(struct buf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
bline(struct buf *b, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	bvput(b, 1, fmt, ap);
	va_end(ap);
}

static char *
bdone(struct buf *b)
{
	if (b->oom) {
		free(b->s);
		return NULL;
	}
	if (b->s == NULL)
		return strdup("");
	return b->s;
}

static const char *
field(const cJSON *n, const char *key)
{
	const cJSON	*x = cJSON_GetObjectItemCaseSensitive(n, key);

	return cJSON_IsString(x) ? x->valuestring : NULL;
}

static const char *
field_or(const cJSON *n, const char *key, const char *dflt)
{
	const char	*v = field(n, key);

	return v != NULL && *v != '\0' ? v : dflt;
}

/*
 * A value of our own in a header (the notice id and host in Message-ID, the
 * event, the audit hash): printable ASCII, no blank, none of <>@, or the
 * message is refused.  They never hold more; a spool file edited to make
 * them would otherwise add a header line.
 */
static int
header_token_ok(const char *v)
{
	for (; *v != '\0'; v++)
		if ((unsigned char)*v <= 0x20 || (unsigned char)*v >= 0x7f ||
		    strchr("<>@", *v) != NULL)
			return 0;
	return 1;
}

int
mail_address_ok(const char *a)
{
	const char	*at = strchr(a, '@');

	if (at == NULL || at == a || at[1] == '\0' || strlen(a) > 254)
		return 0;
	for (; *a; a++)
		if ((unsigned char)*a <= 0x20 || *a == 0x7f ||
		    strchr("<>(),;:\"[]\\", *a) != NULL)
			return 0;
	return 1;
}

/* the short name from the DN: CN=btg-admin,... -> btg-admin */
static void
short_name(const char *dn, char *out, size_t size)
{
	const char	*p = dn;
	size_t		 n;

	if (strncasecmp(p, "CN=", 3) == 0)
		p += 3;
	n = strcspn(p, ",");
	if (n >= size)
		n = size - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* DC=corp,DC=example,DC=com -> corp.example.com */
static void
domain_name(const char *dn, char *out, size_t size)
{
	const char	*p = dn;
	size_t		 len = 0;

	out[0] = '\0';
	while ((p = strcasestr(p, "DC=")) != NULL) {
		size_t n;
		p += 3;
		n = strcspn(p, ",");
		if (len + n + 2 > size)
			break;
		if (len > 0)
			out[len++] = '.';
		memcpy(out + len, p, n);
		len += n;
		out[len] = '\0';
		p += n;
	}
}

static long long
audit_seq(const cJSON *n)
{
	const cJSON	*x = cJSON_GetObjectItemCaseSensitive(n, "audit_seq");

	if (!cJSON_IsNumber(x) || !(x->valuedouble >= 0) ||
	    x->valuedouble > 9e15)
		return 0;
	return (long long)x->valuedouble;
}

static const char *
event_title(const cJSON *n)
{
	/* event, title, title when the result is "failed: ..." (NULL: same) */
	static const char *const titles[][3] = {
		{ "enable", "ENABLED", "ENABLE FAILED" },
		{ "disable", "DISABLED", "DISABLE FAILED" },
		{ "drift", "CHANGED OUTSIDE BREAKGLASS", NULL },
		{ "outage-declared", "OUTAGE DECLARED", NULL },
		{ "outage-cleared", "OUTAGE CLEARED", NULL },
		{ "override-set", "OVERRIDE SET", NULL },
		{ "override-expired", "OVERRIDE EXPIRED", NULL },
		{ "override-cleared", "OVERRIDE CLEARED", NULL },
		{ "agent-start", "AGENT RESTARTED after an unclean stop", NULL },
		{ "reminder", "STILL ENABLED", NULL },
		{ "reconcile", "INTERRUPTED CHANGE RECONCILED", NULL },
		{ "notify-test", "TEST", NULL },
		{ "sync", "SYNC STARTED", "SYNC COMMAND FAILED" },
		{ "cloud-confirmed", "CONFIRMED IN THE CLOUD", NULL },
		{ "cloud-unconfirmed", "NOT CONFIRMED IN THE CLOUD", NULL },
		{ "drill-finished", "DRILL PASSED", "DRILL FAILED" },
		{ "drill-overdue", "DRILL OVERDUE", NULL },
		{ "signin", "SIGN-IN", NULL },
		{ "ad-watch", "ACCOUNT ACTIVITY IN AD", NULL },
		{ "warn", "WARNING: ENTRA ID MAY BE DOWN", NULL },
		{ "alert", "ALERT: POSSIBLE INTERCEPTION", NULL },
		{ "sessions-revoked", "SESSIONS REVOKED",
		    "SESSIONS NOT REVOKED" },
		{ "review", "REVIEW AFTER USE", NULL },
		{ "rotate-password", "PASSWORD NOT ROTATED AFTER USE", NULL },
	};
	const char	*e = field_or(n, "event", "?");
	const char	*r = field_or(n, "result", "ok");
	int		 failed = strncmp(r, "failed", 6) == 0;

	for (size_t i = 0; i < sizeof(titles) / sizeof(titles[0]); i++)
		if (strcmp(e, titles[i][0]) == 0)
			return failed && titles[i][2] != NULL ? titles[i][2] :
			    titles[i][1];
	return e;
}

#define SUBJECT_REASON_MAX	120

char *
notice_subject(const cJSON *n)
{
	struct buf	 b = { 0 };
	char		 name[128], dom[256], reason[SUBJECT_REASON_MAX * 4 + 8];
	const char	*acct = field_or(n, "account", "");
	size_t		 len;

	short_name(acct, name, sizeof(name));
	domain_name(acct, dom, sizeof(dom));
	snprintf(reason, sizeof(reason), "%s", field_or(n, "reason", ""));
	text_flatten(reason);
	/* cut at a character boundary, not inside a UTF-8 sequence */
	if ((len = strlen(reason)) > SUBJECT_REASON_MAX) {
		len = SUBJECT_REASON_MAX;
		while (len > 0 && ((unsigned char)reason[len] & 0xc0) == 0x80)
			len--;
		strcpy(reason + len, "...");
	}
	bprintf(&b, "[breakglass] %s %s", event_title(n), name);
	if (dom[0])
		bprintf(&b, " (%s)", dom);
	if (field(n, "peer") != NULL)	/* which of the HA hosts says it */
		bprintf(&b, " on %s", field(n, "peer"));
	if (reason[0])
		bprintf(&b, ": %s", reason);
	if (b.s != NULL)
		text_flatten(b.s);	/* the DN may hold escaped controls */
	return bdone(&b);
}

static void
next_steps(struct buf *b, const cJSON *n)
{
	const char		*e = field_or(n, "event", "");
	enum account_state	 state;

	/* a spooled notice's state: anything but the two names is unknown */
	account_state_parse(field(n, "state"), &state);
	bputs(b, "\nWhat to do next:\n");
	if (state == ACCOUNT_ENABLED) {
		bputs(b, "  - The break-glass account is ENABLED and excluded from "
		    "MFA. Use it only to\n    restore access, and watch its "
		    "sign-ins.\n"
		    "  - Entra Connect syncs the change within 30 minutes; to "
		    "sync now, run on\n    the Connect server: "
		    "Start-ADSyncSyncCycle -PolicyType Delta\n"
		    "  - When the outage is over: breakglass disable --reason "
		    "\"...\"\n    (in automatic mode the agent disables it after "
		    "recovery).\n");
	} else if (state == ACCOUNT_DISABLED) {
		bputs(b, "  - The break-glass account is disabled. Nothing to do "
		    "unless this was not\n    expected: then check "
		    "breakglass history.\n"
		    "  - To enable it in an emergency: breakglass enable --reason "
		    "\"...\"\n");
	} else
		bputs(b, "  - The account state is unknown: run breakglass status "
		    "on the breakglass host.\n");
	if (strcmp(e, "drift") == 0)
		bputs(b, "  - Someone changed the account outside breakglass: "
		    "find out who (AD security\n    log, event 4722/4725) before "
		    "anything else.\n");
	if (strncmp(field_or(n, "result", "ok"), "failed", 6) == 0)
		bputs(b, "  - The change FAILED: read the reason above, fix it, "
		    "and run the command again.\n");
}

char *
notice_body(const cJSON *n)
{
	struct buf	 b = { 0 };
	const cJSON	*ev = cJSON_GetObjectItemCaseSensitive(n, "evidence");
	const cJSON	*issues, *o;
	const char	*actor = field_or(n, "actor", "?");

	/* every line that holds a field is a bline: no field adds a line */
	bline(&b, "%s", event_title(n));
	bputs(&b, "\n");
	bline(&b, "Account:     %s", field_or(n, "account", "?"));
	bline(&b, "State now:   %s", field_or(n, "state", "unknown"));
	if (field(n, "from") != NULL || field(n, "to") != NULL)
		bline(&b, "Change:      %s -> %s", field_or(n, "from", "-"),
		    field_or(n, "to", "-"));
	bline(&b, "Result:      %s", field_or(n, "result", "ok"));
	bline(&b, "Decided by:  %s%s", actor, strcmp(actor, "agent") == 0 ?
	    " (automatic mode)" : "");
	bline(&b, "Reason:      %s", field_or(n, "reason", "-"));
	if (field(n, "until") != NULL)
		bline(&b, "Override to: %s", field(n, "until"));
	bline(&b, "Time:        %s", field_or(n, "time", "?"));
	if (field(n, "peer") != NULL)
		bline(&b, "Host:        %s (%s)", field(n, "peer"),
		    field_or(n, "host", "?"));
	else
		bline(&b, "Host:        %s", field_or(n, "host", "?"));
	issues = cJSON_GetObjectItemCaseSensitive(ev, "issues");
	if (cJSON_GetArraySize(issues) > 0) {
		bputs(&b, "\n");
		bline(&b, "Evidence (%s):", field_or(ev, "source", "?"));
		cJSON_ArrayForEach(o, issues) {
			if (field(o, "id") != NULL)
				bline(&b, "  - %s [%s, %s] %s", field(o, "id"),
				    field_or(o, "service", "?"),
				    field_or(o, "status", "?"),
				    field_or(o, "title", ""));
			else
				bline(&b, "  - %s", field_or(o, "detail", "?"));
		}
	}
	if (field(n, "details") != NULL) {
		/* the review: each of its lines stays one line */
		char *dt = strdup(field(n, "details")), *line, *save = NULL;

		bputs(&b, "\n");
		for (line = dt ? strtok_r(dt, "\n", &save) : NULL; line != NULL;
		    line = strtok_r(NULL, "\n", &save))
			bline(&b, "%s", line);
		free(dt);
	}
	next_steps(&b, n);
	bputs(&b, "\n");
	bline(&b, "Audit head:  seq %lld sha256 %s", audit_seq(n),
	    field_or(n, "audit_sha256", "?"));
	bputs(&b, "Check it:    breakglass verify; breakglass history --limit "
	    "20\n");
	return bdone(&b);
}

static const char b64tab[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
b64(struct buf *b, const unsigned char *in, size_t len)
{
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)in[i] << 16;
		char q[4];
		if (i + 1 < len)
			v |= (unsigned)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		q[0] = b64tab[v >> 18 & 63];
		q[1] = b64tab[v >> 12 & 63];
		q[2] = i + 1 < len ? b64tab[v >> 6 & 63] : '=';
		q[3] = i + 2 < len ? b64tab[v & 63] : '=';
		bput(b, q, 4);
	}
}

char *
mail_encode_subject(const char *subject)
{
	struct buf		 b = { 0 };
	const unsigned char	*p = (const unsigned char *)subject;
	size_t			 len = strlen(subject), i = 0;
	int			 ascii = 1;

	for (size_t k = 0; k < len; k++)
		if (p[k] >= 0x80 || p[k] < 0x20)
			ascii = 0;
	if (ascii && len < 900)
		return strdup(subject);
	/* encoded words of at most 45 bytes, whole characters, folded */
	while (i < len) {
		size_t n = len - i > 45 ? 45 : len - i;
		while (n > 1 && i + n < len && (p[i + n] & 0xc0) == 0x80)
			n--;	/* whole characters; invalid UTF-8 may split */
		if (i > 0)
			bputs(&b, "\r\n ");
		bputs(&b, "=?UTF-8?B?");
		b64(&b, p + i, n);
		bputs(&b, "?=");
		i += n;
	}
	return bdone(&b);
}

char *
mail_qp_encode(const char *text)
{
	static const char	 hex[] = "0123456789ABCDEF";
	struct buf		 b = { 0 };
	const unsigned char	*p = (const unsigned char *)text;
	size_t			 col = 0;

	for (; *p != '\0'; p++) {
		char enc[4];
		size_t n;

		if (*p == '\n') {
			bputs(&b, "\r\n");
			col = 0;
			continue;
		}
		if (*p == '\r')
			continue;
		if ((*p >= 33 && *p <= 126 && *p != '=') ||
		    ((*p == ' ' || *p == '\t') && p[1] != '\n' && p[1] != '\0' &&
		    p[1] != '\r')) {
			enc[0] = (char)*p;
			n = 1;
		} else {
			enc[0] = '=';
			enc[1] = hex[*p >> 4];
			enc[2] = hex[*p & 15];
			n = 3;
		}
		/* a dot alone at a line start is fine: SMTP stuffs it */
		if (col + n > 75) {
			bputs(&b, "=\r\n");
			col = 0;
		}
		bput(&b, enc, n);
		col += n;
	}
	if (col > 0)
		bputs(&b, "\r\n");
	return bdone(&b);
}

char *
mail_message(const cJSON *n, const char *from, const char *const *to,
    size_t nto, int64_t now_ms, char *err, size_t errlen)
{
	static const char *const tokens[] = { "id", "host", "event",
	    "audit_sha256", "peer" };
	struct buf	 b = { 0 };
	char		 date[64], *subject = NULL, *esubj = NULL, *body = NULL;
	char		*qp = NULL, *out = NULL;
	time_t		 t = (time_t)(now_ms / 1000);
	struct tm	 tm;

	if (!mail_address_ok(from)) {
		snprintf(err, errlen, "from: not a plain mail address");
		return NULL;
	}
	for (size_t i = 0; i < nto; i++)
		if (!mail_address_ok(to[i])) {
			snprintf(err, errlen, "to: not a plain mail address");
			return NULL;
		}
	for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++)
		if (field(n, tokens[i]) != NULL &&
		    !header_token_ok(field(n, tokens[i]))) {
			snprintf(err, errlen, "the notice's %s holds a control "
			    "character, a blank or one of <>@: it would change "
			    "the mail's headers", tokens[i]);
			return NULL;
		}
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	if ((subject = notice_subject(n)) == NULL ||
	    (esubj = mail_encode_subject(subject)) == NULL ||
	    (body = notice_body(n)) == NULL || (qp = mail_qp_encode(body)) ==
	    NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	bprintf(&b, "Date: %s\r\n", date);
	bprintf(&b, "Message-ID: <%s@%s>\r\n", field_or(n, "id", "x"),
	    field_or(n, "host", "breakglass"));
	bprintf(&b, "From: %s\r\n", from);
	bputs(&b, "To: ");
	for (size_t i = 0; i < nto; i++)
		bprintf(&b, "%s%s", i ? ",\r\n " : "", to[i]);
	bputs(&b, "\r\n");
	bputs(&b, "Subject: ");
	bputs(&b, esubj);
	bputs(&b, "\r\n");
	bputs(&b, "MIME-Version: 1.0\r\n");
	bputs(&b, "Content-Type: text/plain; charset=utf-8\r\n");
	bputs(&b, "Content-Transfer-Encoding: quoted-printable\r\n");
	bputs(&b, "Auto-Submitted: auto-generated\r\n");
	bprintf(&b, "X-Breakglass-Event: %s\r\n", field_or(n, "event", "?"));
	bprintf(&b, "X-Breakglass-Audit: seq=%lld sha256=%s\r\n",
	    audit_seq(n), field_or(n, "audit_sha256", "?"));
	bputs(&b, "\r\n");
	bputs(&b, qp);
	if ((out = bdone(&b)) == NULL)
		snprintf(err, errlen, "out of memory");
 out:
	free(subject);
	free(esubj);
	free(body);
	free(qp);
	return out;
}
