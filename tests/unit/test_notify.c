/* SPDX-License-Identifier: ISC */
/* test_notify.c - the channel table and the spool: queue, requeue, ledger */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../agent/audit.h"
#include "../../agent/notify/channel.h"
#include "../../agent/notify/notify.h"
#include "../../agent/statedir.h"
#include "../../agent/util.h"
#include "unit.h"

static char		spool[128];
static struct config	cfg;
static struct account_cfg account0 = { .name = "default",
	.dn = "CN=btg-admin,DC=example,DC=com", .automatic = 1 };

/* the state_dir of each test, made fresh and removed after */
static int
setup(void **state)
{
	memset(&cfg, 0, sizeof(cfg));
	if (unit_setup_state_dir(state) == -1)
		return -1;
	snprintf(spool, sizeof(spool), "%s/%s", unit_sdir, SPOOL_DIR);
	cfg.state_dir = unit_sdir;
	cfg.accounts = &account0;
	cfg.account = &account0;
	cfg.naccounts = 1;
	return 0;
}

/* the spool files (sorted, as flushed) and how many there are */
static int
spool_files(char names[][PATH_MAX], int max)
{
	struct dirent	**list;
	int		  n, got = 0;

	if ((n = scandir(spool, &list, NULL, alphasort)) < 0)
		return 0;
	for (int i = 0; i < n; i++) {
		size_t len = strlen(list[i]->d_name);
		if (len > 5 && got < max &&
		    strcmp(list[i]->d_name + len - 5, ".json") == 0)
			snprintf(names[got++], PATH_MAX, "%s/%s", spool,
			    list[i]->d_name);
		free(list[i]);
	}
	free(list);
	return got;
}

/* the spool file of channel name; NULL if none (caller frees) */
static cJSON *
spool_file_of(const char *name)
{
	char	names[8][PATH_MAX], suffix[32], *buf;
	int	n = spool_files(names, 8);
	size_t	len, sl;
	cJSON	*f = NULL;

	sl = (size_t)snprintf(suffix, sizeof(suffix), "-%s.json", name);
	for (int i = 0; i < n && f == NULL; i++) {
		len = strlen(names[i]);
		if (len < sl || strcmp(names[i] + len - sl, suffix) != 0)
			continue;
		buf = read_file(names[i], 1 << 20, &len);
		assert_non_null(buf);
		f = cJSON_ParseWithLength(buf, len);
		free(buf);
	}
	return f;
}

static int
audit_count(const char *event)
{
	char	path[160], needle[64], *buf, *p;
	size_t	len;
	int	n = 0;

	snprintf(path, sizeof(path), "%s/%s", unit_sdir, AUDIT_FILE);
	snprintf(needle, sizeof(needle), "\"event\":\"%s\"", event);
	if ((buf = read_file(path, 1 << 20, &len)) == NULL)
		return 0;
	for (p = buf; (p = strstr(p, needle)) != NULL; p++)
		n++;
	free(buf);
	return n;
}

static void
notice_of(struct notice_in *in, struct audit_head *head, int64_t seq)
{
	memset(in, 0, sizeof(*in));
	memset(head, 0, sizeof(*head));
	head->seq = seq;
	in->event = "enable";
	in->account = "CN=btg-admin,DC=example,DC=com";
	in->state = ACCOUNT_ENABLED;
	in->reason = "unit";
	in->actor = "test";
	in->head = head;
}

/* the names are the spool's on-disk channel field: they never change */
static void
test_channel_table(void **state)
{
	static const char *const names[] = { "smtp", "webhook", "command" };
	size_t	n = 0;

	(void)state;
	for (const struct channel *ch = channels; ch->name != NULL; ch++, n++) {
		assert_true(n < 3);
		assert_string_equal(ch->name, names[n]);
		assert_non_null(ch->configured);
		assert_non_null(ch->send);
		assert_ptr_equal(channel_find(ch->name), ch);
	}
	assert_int_equal(n, 3);
	assert_null(channel_find("fax"));
	assert_null(channel_find(""));
}

/* each channel is configured by its own key and by nothing else */
static void
test_channel_configured(void **state)
{
	const struct channel	*smtp = channel_find("smtp");
	const struct channel	*webhook = channel_find("webhook");
	const struct channel	*command = channel_find("command");

	(void)state;
	assert_false(notify_configured(&cfg));
	for (const struct channel *ch = channels; ch->name != NULL; ch++)
		assert_false(ch->configured(&cfg));
	cfg.notify.smtp.url = "smtp://relay.example.com";
	assert_true(smtp->configured(&cfg));
	assert_false(webhook->configured(&cfg) || command->configured(&cfg));
	assert_true(notify_configured(&cfg));
	cfg.notify.smtp.url = NULL;
	cfg.notify.webhook.url_file = "/etc/breakglass/webhook.url";
	assert_true(webhook->configured(&cfg));
	assert_false(smtp->configured(&cfg) || command->configured(&cfg));
	cfg.notify.webhook.url_file = NULL;
	cfg.notify.command = "/bin/true";
	assert_true(command->configured(&cfg));
	assert_false(smtp->configured(&cfg) || webhook->configured(&cfg));
	assert_true(notify_configured(&cfg));
}

/* nothing configured: nothing spooled, no spool directory made */
static void
test_queue_none(void **state)
{
	struct notice_in	in;
	struct audit_head	head;
	char			err[512], names[4][PATH_MAX];

	(void)state;
	notice_of(&in, &head, 3);
	assert_int_equal(notify_queue(&cfg, &in, err, sizeof(err)), 0);
	assert_int_equal(notify_requeue(&cfg, &in, err, sizeof(err)), 0);
	assert_int_equal(spool_files(names, 4), 0);
}

/* one file per configured channel, in the spool file format */
static void
test_queue(void **state)
{
	struct notice_in	in;
	struct audit_head	head;
	char			err[512], names[4][PATH_MAX];
	cJSON			*f;

	(void)state;
	cfg.notify.smtp.url = "smtp://relay.example.com";
	cfg.notify.command = "/bin/true";
	notice_of(&in, &head, 7);
	assert_int_equal(notify_queue(&cfg, &in, err, sizeof(err)), 2);
	assert_int_equal(spool_files(names, 4), 2);
	assert_null(spool_file_of("webhook"));
	f = spool_file_of("command");
	assert_non_null(f);
	cJSON_Delete(f);
	f = spool_file_of("smtp");
	assert_non_null(f);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(f,
	    "channel")), "smtp");
	assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(f,
	    "attempts")), 0);
	assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(f,
	    "next_attempt_ms")), 0);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(f, "last_error")));
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(f, "failure_recorded")));
	assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(
	    cJSON_GetObjectItem(f, "notice"), "audit_seq")), 7);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
	    cJSON_GetObjectItem(f, "notice"), "event")), "enable");
	cJSON_Delete(f);
}

/* requeue adds only what a crash kept from the spool, once */
static void
test_requeue(void **state)
{
	struct notice_in	in;
	struct audit_head	head;
	char			err[512], names[4][PATH_MAX];
	size_t			len;
	int			n;

	(void)state;
	cfg.notify.smtp.url = "smtp://relay.example.com";
	cfg.notify.command = "/bin/true";
	notice_of(&in, &head, 9);
	assert_int_equal(notify_queue(&cfg, &in, err, sizeof(err)), 2);
	assert_int_equal(notify_requeue(&cfg, &in, err, sizeof(err)), 0);
	/* the command channel's file was never written */
	n = spool_files(names, 4);
	assert_int_equal(n, 2);
	for (int i = 0; i < n; i++) {
		len = strlen(names[i]);
		if (strcmp(names[i] + len - 13, "-command.json") == 0)
			assert_int_equal(unlink(names[i]), 0);
	}
	assert_null(spool_file_of("command"));
	assert_int_equal(notify_requeue(&cfg, &in, err, sizeof(err)), 1);
	assert_int_equal(spool_files(names, 4), 2);
	assert_int_equal(notify_requeue(&cfg, &in, err, sizeof(err)), 0);
	/* another audit seq: a notice of its own on every channel */
	notice_of(&in, &head, 10);
	assert_int_equal(notify_requeue(&cfg, &in, err, sizeof(err)), 2);
	assert_int_equal(spool_files(names, 4), 4);
	/* no audit head: nothing to compare with, nothing requeued */
	in.head = NULL;
	assert_int_equal(notify_requeue(&cfg, &in, err, sizeof(err)), 0);
}

/*
 * The ledger: a failed delivery stays spooled with its attempt and error,
 * its first failure audited once as notify-failed; delivered, it is gone.
 */
static void
test_flush_ledger(void **state)
{
	struct notice_in	in;
	struct audit_head	head;
	char			err[512], names[4][PATH_MAX];
	cJSON			*f;

	(void)state;
	cfg.notify.command = "/bin/false";
	cfg.ha.peer_name = "bg-b";	/* the spool's own line names it too */
	notice_of(&in, &head, 11);
	assert_int_equal(notify_queue(&cfg, &in, err, sizeof(err)), 1);
	assert_int_equal(notify_flush(&cfg, "test", 1), 1);
	f = NULL;
	assert_int_equal(unit_audit_lines(unit_sdir, &f, 1), 1);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(f,
	    "host")), "bg-b");
	cJSON_Delete(f);
	f = spool_file_of("command");
	assert_non_null(f);
	assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(f,
	    "attempts")), 1);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(f, "failure_recorded")));
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(f,
	    "last_error")), "notify.command exited 1");
	assert_true(cJSON_GetNumberValue(cJSON_GetObjectItem(f,
	    "next_attempt_ms")) > (double)now_ms());
	cJSON_Delete(f);
	assert_int_equal(audit_count("notify-failed"), 1);
	/* not due yet: not tried */
	assert_int_equal(notify_flush(&cfg, "test", 0), 1);
	f = spool_file_of("command");
	assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(f,
	    "attempts")), 1);
	cJSON_Delete(f);
	/* forced: tried, failed again, audited no second time */
	assert_int_equal(notify_flush(&cfg, "test", 1), 1);
	f = spool_file_of("command");
	assert_int_equal(cJSON_GetNumberValue(cJSON_GetObjectItem(f,
	    "attempts")), 2);
	cJSON_Delete(f);
	assert_int_equal(audit_count("notify-failed"), 1);
	/* the channel works again: delivered and removed */
	cfg.notify.command = "/bin/true";
	assert_int_equal(notify_flush(&cfg, "test", 1), 0);
	assert_int_equal(spool_files(names, 4), 0);
	assert_int_equal(audit_count("notify-failed"), 1);
}

/* a spool file naming a channel that is not in the table stays pending */
static void
test_flush_unknown_channel(void **state)
{
	char	path[PATH_MAX], err[512];
	char	text[] = "{\"channel\":\"fax\",\"attempts\":0,"
	    "\"next_attempt_ms\":0,\"last_error\":null,"
	    "\"failure_recorded\":false,\"notice\":{\"id\":\"x\","
	    "\"event\":\"enable\",\"audit_seq\":1}}";
	cJSON	*f;

	(void)state;
	assert_int_equal(sd_mkdir(spool, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/1-00000000-fax.json", spool);
	assert_int_equal(sd_write_atomic(path, text, strlen(text), err,
	    sizeof(err)), 0);
	assert_int_equal(notify_flush(&cfg, "test", 1), 1);
	f = spool_file_of("fax");
	assert_non_null(f);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(f,
	    "last_error")), "unknown channel fax");
	cJSON_Delete(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_channel_table),
		cmocka_unit_test_setup_teardown(test_channel_configured, setup,
		    unit_teardown),
		cmocka_unit_test_setup_teardown(test_queue_none, setup,
		    unit_teardown),
		cmocka_unit_test_setup_teardown(test_queue, setup, unit_teardown),
		cmocka_unit_test_setup_teardown(test_requeue, setup, unit_teardown),
		cmocka_unit_test_setup_teardown(test_flush_ledger, setup,
		    unit_teardown),
		cmocka_unit_test_setup_teardown(test_flush_unknown_channel,
		    setup, unit_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
