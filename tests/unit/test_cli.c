/* SPDX-License-Identifier: ISC */
/* test_cli.c - the argument parser: every command, option and usage error */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "../../agent/cli/cli.h"
#include "../../agent/cli/commands.h"

#define NOW	1764036600000LL		/* 2025-11-25T02:10:00Z */

static int
parse(struct cli *c, char *err, size_t errlen, ...)
{
	char	*argv[16];
	int	 argc = 0;
	va_list	 ap;

	argv[argc++] = (char *)"breakglass";
	va_start(ap, errlen);
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	err[0] = '\0';
	return cli_parse(argc, argv, NOW, c, err, errlen);
}

static void
test_enable(void **state)
{
	struct cli	c;
	char		err[256];

	(void)state;
	assert_int_equal(parse(&c, err, sizeof(err), "-c", "/x.conf", "enable",
	    "--reason", "INC-123 MFA outage", "--for", "2h", "--dry-run",
	    NULL), 0);
	assert_int_equal(c.cmd, CMD_ENABLE);
	assert_string_equal(c.config, "/x.conf");
	assert_string_equal(c.reason, "INC-123 MFA outage");
	assert_int_equal(c.for_secs, 7200);
	assert_true(c.dry_run);
	assert_int_equal(parse(&c, err, sizeof(err), "disable",
	    "--reason=done", NULL), 0);
	assert_int_equal(c.cmd, CMD_DISABLE);
	assert_string_equal(c.reason, "done");
	assert_int_equal(c.for_secs, 0);
	assert_false(c.dry_run);
}

static void
test_reason_required(void **state)
{
	struct cli	c;
	char		err[256];

	(void)state;
	assert_int_equal(parse(&c, err, sizeof(err), "enable", NULL), -1);
	assert_non_null(strstr(err, "--reason"));
	assert_int_equal(parse(&c, err, sizeof(err), "auto", NULL), -1);
	assert_int_equal(parse(&c, err, sizeof(err), "enable", "--reason",
	    "   ", NULL), -1);
	assert_int_equal(parse(&c, err, sizeof(err), "enable", "--reason",
	    NULL), -1);
	assert_non_null(strstr(err, "needs a value"));
	assert_int_equal(parse(&c, err, sizeof(err), "enable", "--reason",
	    "bad \xff utf8", NULL), -1);
	assert_non_null(strstr(err, "UTF-8"));
	/* non-ASCII is fine, a no-break space too */
	assert_int_equal(parse(&c, err, sizeof(err), "enable", "--reason",
	    "Störung \xe2\x80\x94\xc2\xa0INC-1", NULL), 0);
}

/* a reason is one line of printable text (issue 19, item 9) */
static void
test_reason_controls(void **state)
{
	static const struct { const char *reason, *why; } bad[] = {
		{ "x\nResult: ok", "U+000A at position 2" },
		{ "INC-1\r\nDecided by:  agent", "U+000D at position 6" },
		{ "\tINC-1", "U+0009 at position 1" },
		{ "a\x1b]52;c;ZXZpbA==\x07", "U+001B at position 2" },
		{ "del\x7f", "U+007F at position 4" },
		/* C1 as UTF-8: CSI and NEL, after a two-byte character */
		{ "\xc3\xb6\xc2\x9b" "31m", "U+009B at position 2" },
		{ "x\xc2\x85y", "U+0085 at position 2" },
		/* a raw C1 byte is not UTF-8 */
		{ "x\x9b" "31m", "not valid UTF-8 at character 2" },
		/* overlong and surrogate encodings */
		{ "\xc0\x8a", "not valid UTF-8 at character 1" },
		{ "a\xed\xa0\x80", "not valid UTF-8 at character 2" },
	};
	struct cli	c;
	char		err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(&c, err, sizeof(err), "enable",
		    "--reason", bad[i].reason, NULL), -1);
		assert_non_null(strstr(err, "--reason: "));
		if (strstr(err, bad[i].why) == NULL)
			fail_msg("reason %zu: \"%s\" lacks \"%s\"", i, err,
			    bad[i].why);
	}
	/* every command that takes a reason */
	assert_int_equal(parse(&c, err, sizeof(err), "auto", "--reason=a\nb",
	    NULL), -1);
	assert_int_equal(parse(&c, err, sizeof(err), "drill", "--reason",
	    "a\nb", NULL), -1);
}

static void
test_bad_options(void **state)
{
	struct cli	c;
	char		err[256];

	(void)state;
	assert_int_equal(parse(&c, err, sizeof(err), NULL), -1);
	assert_non_null(strstr(err, "no command"));
	assert_int_equal(parse(&c, err, sizeof(err), "frobnicate", NULL), -1);
	assert_non_null(strstr(err, "frobnicate"));
	assert_int_equal(parse(&c, err, sizeof(err), "status", "--reason",
	    "x", NULL), -1);
	assert_int_equal(parse(&c, err, sizeof(err), "enable", "--reason",
	    "x", "--for", "soon", NULL), -1);
	assert_non_null(strstr(err, "--for"));
	assert_int_equal(parse(&c, err, sizeof(err), "enable", "--reason",
	    "x", "--for", "0", NULL), -1);
	assert_int_equal(parse(&c, err, sizeof(err), "history", "--limit",
	    "-3", NULL), -1);
	assert_int_equal(parse(&c, err, sizeof(err), "history", "--limit",
	    "3x", NULL), -1);
	assert_int_equal(parse(&c, err, sizeof(err), "history", "--since",
	    "whenever", NULL), -1);
	assert_int_equal(parse(&c, err, sizeof(err), "-c", NULL), -1);
	assert_int_equal(parse(&c, err, sizeof(err), "-x", "status", NULL), -1);
	assert_int_equal(parse(&c, err, sizeof(err), "verify", "--json", NULL),
	    -1);
	/* --account: where a command acts on or shows accounts, only there */
	assert_int_equal(parse(&c, err, sizeof(err), "verify", "--account",
	    "a", NULL), -1);
	assert_int_equal(parse(&c, err, sizeof(err), "run", "--account", "a",
	    NULL), -1);
	assert_int_equal(parse(&c, err, sizeof(err), "status", "--account",
	    NULL), -1);
	assert_non_null(strstr(err, "--account needs a value"));
	assert_int_equal(parse(&c, err, sizeof(err), "history", "--merge",
	    "a.log", "--account", "x", NULL), -1);
	assert_non_null(strstr(err, "not with --merge"));
}

/* issue 15: --account NAME on the commands that act per account */
static void
test_account_option(void **state)
{
	static const char *const takes[] = { "status", "enable", "disable",
	    "auto", "history", "check", "doctor", "drill", "report" };
	struct cli	c;
	char		err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(takes) / sizeof(takes[0]); i++) {
		if (parse(&c, err, sizeof(err), takes[i], "--reason", "x",
		    "--account=second", NULL) != 0 && parse(&c, err,
		    sizeof(err), takes[i], "--account", "second", NULL) != 0)
			fail_msg("%s --account: %s", takes[i], err);
		assert_non_null(c.account);
		assert_string_equal(c.account, "second");
	}
	assert_int_equal(parse(&c, err, sizeof(err), "enable", "--reason",
	    "x", NULL), 0);
	assert_null(c.account);		/* every account */
}

static void
test_history(void **state)
{
	struct cli	c;
	char		err[256];

	(void)state;
	assert_int_equal(parse(&c, err, sizeof(err), "history", "--json",
	    "--limit", "20", "--since", "2025-11-24T00:00:00Z", NULL), 0);
	assert_int_equal(c.cmd, CMD_HISTORY);
	assert_true(c.json);
	assert_int_equal(c.limit, 20);
	assert_int_equal(c.since_ms, 1763942400000LL);
	assert_int_equal(parse(&c, err, sizeof(err), "history", "--since",
	    "24h", NULL), 0);
	assert_int_equal(c.since_ms, NOW - 86400000LL);
}

/* verify --against: a head as the mail prints it (test_audit: every form) */
static void
test_verify_against(void **state)
{
	struct cli	c;
	char		err[512];

	(void)state;
	assert_int_equal(parse(&c, err, sizeof(err), "verify", NULL), 0);
	assert_false(c.against);
	assert_int_equal(parse(&c, err, sizeof(err), "verify", "--against",
	    "seq=12 sha256=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd1"
	    "5d6c15b0f00a08", NULL), 0);
	assert_true(c.against);
	assert_int_equal(c.against_seq, 12);
	assert_string_equal(c.against_sha256, "9f86d081884c7d659a2feaa0c55ad0"
	    "15a3bf4f1b2b0b822cd15d6c15b0f00a08");
	assert_int_equal(parse(&c, err, sizeof(err), "verify", "--against="
	    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	    NULL), 0);
	assert_int_equal(c.against_seq, 0);
	assert_int_equal(parse(&c, err, sizeof(err), "verify", "--against",
	    "seq=12 sha256=abc", NULL), -1);
	assert_non_null(strstr(err, "--against: \"seq=12 sha256=abc\" is not "
	    "an audit head"));
	assert_int_equal(parse(&c, err, sizeof(err), "verify", "--against",
	    NULL), -1);
	assert_int_equal(parse(&c, err, sizeof(err), "history", "--against",
	    "12:x", NULL), -1);
}

static void
test_simple_commands(void **state)
{
	static const struct { const char *name; enum cmd cmd; } cases[] = {
		{ "status", CMD_STATUS }, { "verify", CMD_VERIFY },
		{ "health", CMD_HEALTH }, { "run", CMD_RUN },
		{ "check", CMD_CHECK }, { "config-check", CMD_CONFIG_CHECK },
		{ "notify-test", CMD_NOTIFY_TEST }, { "doctor", CMD_DOCTOR },
		{ "version", CMD_VERSION },
	};
	struct cli	c;
	char		err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(&c, err, sizeof(err), cases[i].name,
		    NULL), 0);
		assert_int_equal(c.cmd, cases[i].cmd);
	}
	assert_int_equal(parse(&c, err, sizeof(err), "-v", "-v", "status",
	    "--json", NULL), 0);
	assert_int_equal(c.verbose, 2);
	assert_true(c.json);
	assert_int_equal(parse(&c, err, sizeof(err), "--help", NULL), 0);
	assert_int_equal(c.cmd, CMD_HELP);
}

/* each command's row: its function, and what main() does before it */
static void
test_command_table(void **state)
{
	static const struct {
		const char	*argv1, *argv2, *argv3;
		cmd_fn		 run;
		int		 config, secrets;
	} cases[] = {
		{ "status", NULL, NULL, cmd_status, 1, 1 },
		{ "enable", "--reason", "x", cmd_set, 1, 1 },
		{ "disable", "--reason", "x", cmd_set, 1, 1 },
		{ "auto", "--reason", "x", cmd_auto, 1, 0 },
		{ "history", NULL, NULL, cmd_history, 1, 0 },
		{ "verify", NULL, NULL, cmd_verify, 1, 0 },
		/* files named: read as named, no config (issue 18) */
		{ "history", "--merge", "a.log", cmd_history, 0, 0 },
		{ "verify", "b.log", NULL, cmd_verify, 0, 0 },
		{ "health", NULL, NULL, cmd_health, 1, 0 },
		{ "run", NULL, NULL, cmd_run, 1, 1 },
		{ "check", NULL, NULL, cmd_check, 1, 0 },
		{ "config-check", NULL, NULL, cmd_config_check, 1, 0 },
		{ "notify-test", NULL, NULL, cmd_notify_test, 1, 1 },
		{ "doctor", NULL, NULL, cmd_doctor, 1, 0 },
		{ "drill", "--reason", "x", cmd_drill, 1, 1 },
		{ "report", "--seq", "3", cmd_report, 1, 0 },
		{ "version", NULL, NULL, cmd_version, 0, 0 },
	};
	struct cli	c;
	char		err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (parse(&c, err, sizeof(err), cases[i].argv1,
		    cases[i].argv2, cases[i].argv3, NULL) != 0)
			fail_msg("%s: %s", cases[i].argv1, err);
		if (c.run != cases[i].run || c.needs_config !=
		    cases[i].config || c.needs_secrets != cases[i].secrets)
			fail_msg("%s: the row's function or needs differ",
			    cases[i].argv1);
	}
}

/* history --merge FILE..., verify FILE: the files, and what is refused */
static void
test_files(void **state)
{
	struct cli	c;
	char		err[256];

	(void)state;
	assert_int_equal(parse(&c, err, sizeof(err), "history", "--merge",
	    "a.log", "--json", "b.log", "--limit", "5", NULL), 0);
	assert_true(c.merge);
	assert_true(c.json);
	assert_int_equal(c.limit, 5);
	assert_int_equal(c.nfiles, 2);
	assert_string_equal(c.files[0], "a.log");
	assert_string_equal(c.files[1], "b.log");
	assert_int_equal(parse(&c, err, sizeof(err), "verify", "--against",
	    "1:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
	    "/srv/bg-b/audit.log", NULL), 0);
	assert_int_equal(c.nfiles, 1);
	assert_true(c.against);
	assert_int_equal(parse(&c, err, sizeof(err), "history", "--merge",
	    NULL), -1);
	assert_non_null(strstr(err, "--merge FILE..."));
	assert_int_equal(parse(&c, err, sizeof(err), "history", "a.log", NULL),
	    -1);
	assert_non_null(strstr(err, "with --merge"));
	assert_int_equal(parse(&c, err, sizeof(err), "verify", "a.log",
	    "b.log", NULL), -1);
	assert_non_null(strstr(err, "one FILE at a time"));
	/* no other command takes a file */
	assert_int_equal(parse(&c, err, sizeof(err), "status", "a.log", NULL),
	    -1);
	assert_int_equal(parse(&c, err, sizeof(err), "report", "--merge",
	    "a.log", NULL), -1);
}

/* report: one of --last, --seq N, --since T (issue 16) */
static void
test_report_options(void **state)
{
	struct cli	c;
	char		err[256];

	(void)state;
	assert_int_equal(parse(&c, err, sizeof(err), "report", "--last", NULL,
	    NULL), 0);
	assert_true(c.last);
	assert_int_equal(parse(&c, err, sizeof(err), "report", "--seq", "12",
	    NULL), 0);
	assert_int_equal(c.seq, 12);
	assert_int_equal(parse(&c, err, sizeof(err), "report", "--seq", "0",
	    NULL), -1);
	assert_int_equal(parse(&c, err, sizeof(err), "report", "--last",
	    "--since=24h", NULL), -1);
	assert_non_null(strstr(err, "one of --last, --seq, --since"));
	assert_int_equal(parse(&c, err, sizeof(err), "history", "--last", NULL,
	    NULL), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enable),
		cmocka_unit_test(test_command_table),
		cmocka_unit_test(test_report_options),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_reason_required),
		cmocka_unit_test(test_reason_controls),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_account_option),
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_verify_against),
		cmocka_unit_test(test_simple_commands),
	};
	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
