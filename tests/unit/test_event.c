/* SPDX-License-Identifier: ISC */
/* test_event.c - the funnel (one audit line, the head, a notice per channel),
   and the override's end that goes through it (override.c) */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <string.h>

#include "../../agent/event.h"
#include "../../agent/override.h"
#include "unit.h"

#define DN	"CN=btg-admin,OU=Admins,DC=example,DC=com"

static struct config	cfg;
static struct account_cfg account0 = { .name = "default", .dn = DN,
	.automatic = 1 };

static int
setup(void **state)
{
	memset(&cfg, 0, sizeof(cfg));
	cfg.accounts = &account0;
	cfg.account = &account0;
	cfg.naccounts = 1;
	cfg.state_dir = unit_sdir;
	return unit_setup_state_dir(state);
}

/* two channels: a notice is two spool files */
static void
two_channels(void)
{
	cfg.notify.smtp.url = "smtp://relay.example.com";
	cfg.notify.command = "/bin/true";
}

/* the audit log cannot be written: a directory where the file goes */
static void
break_audit(void)
{
	char	path[160];

	snprintf(path, sizeof(path), "%s/%s", unit_sdir, AUDIT_FILE);
	assert_int_equal(mkdir(path, 0700), 0);
}

static const char *
str(const cJSON *j, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, key));
}

/* one event, one line with its fields; the head moves on to that line */
static void
test_one_line(void **unused)
{
	struct audit_head	head, disk;
	cJSON			*line[2];
	cJSON			*extra = cJSON_CreateObject();

	(void)unused;
	memset(&head, 0, sizeof(head));
	cJSON_AddNumberToObject(extra, "tries", 2);
	assert_int_equal(event_record(&cfg, &(struct event){ .actor =
	    "cli:alice(uid=1000)", .event = "enable", .from = "disabled",
	    .to = "enabled", .reason = "INC-1", .extra = extra, .head = &head,
	    .flags = EV_NO_SYSLOG | EV_NO_NOTICE }, NULL, 0), EV_AUDITED);
	cJSON_Delete(extra);
	assert_int_equal(unit_audit_lines(unit_sdir, line, 2), 1);
	assert_string_equal(str(line[0], "actor"), "cli:alice(uid=1000)");
	assert_string_equal(str(line[0], "event"), "enable");
	assert_string_equal(str(line[0], "account"), DN);
	assert_string_equal(str(line[0], "from"), "disabled");
	assert_string_equal(str(line[0], "to"), "enabled");
	assert_string_equal(str(line[0], "reason"), "INC-1");
	assert_string_equal(str(line[0], "result"), "ok");	/* NULL: ok */
	assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(line[0],
	    "tries")), 2);
	assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(line[0],
	    "seq")), 1);
	cJSON_Delete(line[0]);
	assert_int_equal(head.seq, 1);
	assert_int_equal(audit_read_head(unit_sdir, &disk, NULL, 0), 0);
	assert_string_equal(head.sha256, disk.sha256);
	assert_int_equal(unit_spool_count(unit_sdir), 0);
}

/* the first audit line as stored, malloc'd */
static char *
raw_first_line(void)
{
	char	path[160], *buf, *nl;
	size_t	len;

	snprintf(path, sizeof(path), "%s/%s", unit_sdir, AUDIT_FILE);
	assert_non_null(buf = read_file(path, 1 << 20, &len));
	if ((nl = strchr(buf, '\n')) != NULL)
		*nl = '\0';
	return buf;
}

/* the notice of the one spool file, parsed */
static cJSON *
only_notice(void)
{
	char		 path[160], file[PATH_MAX], *buf;
	struct dirent	*de;
	DIR		*d;
	size_t		 len;
	cJSON		*f, *n;

	snprintf(path, sizeof(path), "%s/%s", unit_sdir, SPOOL_DIR);
	assert_non_null(d = opendir(path));
	while ((de = readdir(d)) != NULL && de->d_name[0] == '.')
		;
	assert_non_null(de);
	snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
	closedir(d);
	assert_non_null(buf = read_file(file, 1 << 20, &len));
	f = cJSON_ParseWithLength(buf, len);
	free(buf);
	n = cJSON_DetachItemFromObject(f, "notice");
	cJSON_Delete(f);
	return n;
}

/* without ha.peer_name the line is as it always was: no "host" key */
static void
test_no_peer_no_host(void **unused)
{
	struct audit_head	head;
	char			*raw;

	(void)unused;
	memset(&head, 0, sizeof(head));
	event_record(&cfg, &(struct event){ .actor = "agent", .event = "drift",
	    .reason = "a", .head = &head, .flags = EV_NO_SYSLOG |
	    EV_NO_NOTICE }, NULL, 0);
	raw = raw_first_line();
	assert_null(strstr(raw, "\"host\""));
	assert_non_null(strstr(raw, "Z\",\"actor\":\"agent\""));
	free(raw);
}

/* with it: "host" after "time" in the line, "peer" in the notice (mail.c) */
static void
test_peer_host(void **unused)
{
	struct audit_head	head;
	cJSON			*n;
	char			*raw;

	(void)unused;
	memset(&head, 0, sizeof(head));
	cfg.notify.command = "/bin/true";
	cfg.ha.peer_name = "bg-b";
	assert_int_equal(event_record(&cfg, &(struct event){ .actor = "agent",
	    .event = "drift", .reason = "a", .head = &head, .flags =
	    EV_NO_SYSLOG }, NULL, 0), EV_AUDITED | EV_NOTICED);
	raw = raw_first_line();
	assert_non_null(strstr(raw, "Z\",\"host\":\"bg-b\",\"actor\":"));
	free(raw);
	n = only_notice();
	assert_string_equal(str(n, "peer"), "bg-b");
	cJSON_Delete(n);
}

/* the next event chains on: seq 2, prev is the first line's hash */
static void
test_head_moves(void **unused)
{
	struct audit_head	head, first;
	cJSON			*line[2];

	(void)unused;
	memset(&head, 0, sizeof(head));
	event_record(&cfg, &(struct event){ .actor = "agent", .event =
	    "outage-declared", .reason = "a", .head = &head, .flags =
	    EV_NO_SYSLOG }, NULL, 0);
	first = head;
	assert_int_equal(event_record(&cfg, &(struct event){ .actor = "agent",
	    .event = "outage-cleared", .reason = "b", .result = "failed: x",
	    .head = &head, .flags = EV_NO_SYSLOG }, NULL, 0) & EV_AUDITED,
	    EV_AUDITED);
	assert_int_equal(head.seq, 2);
	assert_string_not_equal(head.sha256, first.sha256);
	assert_int_equal(unit_audit_lines(unit_sdir, line, 2), 2);
	assert_string_equal(str(line[1], "prev"), first.sha256);
	assert_string_equal(str(line[1], "result"), "failed: x");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(line[1], "from")));
	cJSON_Delete(line[0]);
	cJSON_Delete(line[1]);
}

/* a notice is one spool file per configured channel; EV_NO_NOTICE none */
static void
test_notice_per_channel(void **unused)
{
	struct audit_head	head;

	(void)unused;
	memset(&head, 0, sizeof(head));
	two_channels();
	assert_int_equal(event_record(&cfg, &(struct event){ .actor = "agent",
	    .event = "override-set", .reason = "held", .head = &head,
	    .flags = EV_NO_SYSLOG | EV_NO_NOTICE }, NULL, 0), EV_AUDITED);
	assert_int_equal(unit_spool_count(unit_sdir), 0);
	assert_int_equal(event_record(&cfg, &(struct event){ .actor = "agent",
	    .event = "drift", .reason = "changed", .head = &head, .flags =
	    EV_NO_SYSLOG }, NULL, 0), EV_AUDITED | EV_NOTICED);
	assert_int_equal(unit_spool_count(unit_sdir), 2);
	cfg.notify.webhook.url_file = "/etc/breakglass/webhook.url";
	event_record(&cfg, &(struct event){ .actor = "agent", .event =
	    "drift", .reason = "again", .head = &head, .flags = EV_NO_SYSLOG },
	    NULL, 0);
	assert_int_equal(unit_spool_count(unit_sdir), 2 + 3);
	assert_int_equal(unit_audit_lines(unit_sdir, NULL, 0), 3);
}

/* EV_NO_AUDIT: a notice only, carrying the head it is given */
static void
test_notice_only(void **unused)
{
	struct audit_head	head = { .seq = 41 };

	(void)unused;
	two_channels();
	assert_int_equal(event_record(&cfg, &(struct event){ .actor = "agent",
	    .event = "reminder", .reason = "still enabled", .head = &head,
	    .flags = EV_NO_AUDIT | EV_NO_SYSLOG }, NULL, 0), EV_NOTICED);
	assert_int_equal(unit_audit_lines(unit_sdir, NULL, 0), 0);
	assert_int_equal(head.seq, 41);
	assert_int_equal(unit_spool_count(unit_sdir), 2);
}

/*
 * The audit line cannot be written: the error comes back and the head
 * stays.  By default the notice still goes out (an account change must be
 * told even then); EV_NEED_AUDIT spools nothing (the caller refuses).
 */
static void
test_audit_fails(void **unused)
{
	struct audit_head	head;
	char			err[512] = "";

	(void)unused;
	memset(&head, 0, sizeof(head));
	two_channels();
	break_audit();
	assert_int_equal(event_record(&cfg, &(struct event){ .actor = "agent",
	    .event = "override-cleared", .reason = "r", .head = &head,
	    .flags = EV_NEED_AUDIT | EV_NO_SYSLOG }, err, sizeof(err)), 0);
	assert_true(err[0] != '\0');
	assert_int_equal(head.seq, 0);
	assert_int_equal(unit_spool_count(unit_sdir), 0);
	err[0] = '\0';
	assert_int_equal(event_record(&cfg, &(struct event){ .actor = "agent",
	    .event = "enable", .reason = "r", .head = &head, .flags =
	    EV_NO_SYSLOG }, err, sizeof(err)), EV_NOTICED);
	assert_true(err[0] != '\0');
	assert_int_equal(head.seq, 0);
	assert_int_equal(unit_spool_count(unit_sdir), 2);
}

#define UNTIL	1000000

static struct state	st;

/* an override held enabled until UNTIL; one channel (smtp) */
static int
setup_override(void **state)
{
	memset(&st, 0, sizeof(st));
	st.ovr.active = 1;
	st.ovr.state = ACCOUNT_ENABLED;
	st.ovr.set_ms = UNTIL - 3600000;
	st.ovr.until_ms = UNTIL;
	bg_strlcpy(st.ovr.actor, "cli:alice(uid=1000)", sizeof(st.ovr.actor));
	bg_strlcpy(st.ovr.reason, "INC-9", sizeof(st.ovr.reason));
	st.account_state = ACCOUNT_ENABLED;
	if (setup(state) == -1)
		return -1;
	cfg.notify.smtp.url = "smtp://relay.example.com";
	return 0;
}

/* before until_ms nothing happens: no line, no notice, the override held */
static void
test_expire_not_yet(void **unused)
{
	char	err[256];

	(void)unused;
	assert_true(override_active(&st.ovr, UNTIL - 1));
	assert_int_equal(override_expire(&cfg, &st, UNTIL - 1, err,
	    sizeof(err)), 0);
	assert_int_equal(st.ovr.active, 1);
	assert_int_equal(unit_audit_lines(unit_sdir, NULL, 0), 0);
	assert_int_equal(unit_spool_count(unit_sdir), 0);
}

/* at until_ms: one override-expired line, one notice, the state cleared */
static void
test_expire_once(void **unused)
{
	cJSON	*line[2];
	char	err[256];

	(void)unused;
	assert_false(override_active(&st.ovr, UNTIL));
	assert_int_equal(override_expire(&cfg, &st, UNTIL, err, sizeof(err)),
	    1);
	assert_int_equal(st.ovr.active, 0);
	assert_int_equal(st.ovr.until_ms, 0);
	assert_int_equal(st.ovr.state, ACCOUNT_UNKNOWN);
	assert_int_equal(st.audit_head.seq, 1);
	assert_int_equal(unit_audit_lines(unit_sdir, line, 2), 1);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(line[0],
	    "event")), "override-expired");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(line[0],
	    "actor")), "agent");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(line[0],
	    "from")), "enabled");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(line[0],
	    "reason")), "the override (enabled, set by cli:alice(uid=1000): "
	    "INC-9) ran out; the agent decides again");
	cJSON_Delete(line[0]);
	assert_int_equal(unit_spool_count(unit_sdir), 1);
	/* whoever comes second finds nothing to do */
	assert_int_equal(override_expire(&cfg, &st, UNTIL + 5000, err,
	    sizeof(err)), 0);
	assert_int_equal(unit_audit_lines(unit_sdir, NULL, 0), 1);
	assert_int_equal(unit_spool_count(unit_sdir), 1);
}

/* an override without end (a hold) never runs out */
static void
test_expire_no_end(void **unused)
{
	char	err[256];

	(void)unused;
	st.ovr.until_ms = 0;
	assert_int_equal(override_expire(&cfg, &st, INT64_MAX / 2, err,
	    sizeof(err)), 0);
	assert_int_equal(st.ovr.active, 1);
	assert_int_equal(unit_audit_lines(unit_sdir, NULL, 0), 0);
}

/*
 * The audit log not writable: -1 with the reason, the override kept for
 * the next try, and no notice (else one more at every poll until it is)
 */
static void
test_expire_audit_fails(void **unused)
{
	char	err[256] = "";

	(void)unused;
	break_audit();
	assert_int_equal(override_expire(&cfg, &st, UNTIL, err, sizeof(err)),
	    -1);
	assert_true(err[0] != '\0');
	assert_int_equal(st.ovr.active, 1);
	assert_int_equal(st.audit_head.seq, 0);
	assert_int_equal(unit_spool_count(unit_sdir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_one_line, setup,
		    unit_teardown),
		cmocka_unit_test_setup_teardown(test_no_peer_no_host, setup,
		    unit_teardown),
		cmocka_unit_test_setup_teardown(test_peer_host, setup,
		    unit_teardown),
		cmocka_unit_test_setup_teardown(test_head_moves, setup,
		    unit_teardown),
		cmocka_unit_test_setup_teardown(test_notice_per_channel, setup,
		    unit_teardown),
		cmocka_unit_test_setup_teardown(test_notice_only, setup,
		    unit_teardown),
		cmocka_unit_test_setup_teardown(test_audit_fails, setup,
		    unit_teardown),
		cmocka_unit_test_setup_teardown(test_expire_not_yet,
		    setup_override, unit_teardown),
		cmocka_unit_test_setup_teardown(test_expire_once,
		    setup_override, unit_teardown),
		cmocka_unit_test_setup_teardown(test_expire_no_end,
		    setup_override, unit_teardown),
		cmocka_unit_test_setup_teardown(test_expire_audit_fails,
		    setup_override, unit_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
