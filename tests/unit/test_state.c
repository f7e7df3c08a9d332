/* SPDX-License-Identifier: ISC */
/* test_state.c - state.json: round trip, damaged files, the transaction */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../agent/state.h"
#include "../../agent/statedir.h"
#include "../../agent/util.h"
#include "unit.h"

static char	spath[128];

static int
setup_dir(void **state)
{
	unsetenv("BREAKGLASS_LOCK_WAIT");
	if (unit_setup_state_dir(state) == -1)
		return -1;
	snprintf(spath, sizeof(spath), "%s/%s", unit_sdir, STATE_FILE);
	return 0;
}

static void
write_text(const char *text)
{
	int	fd = open(spath, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* what is saved is what is loaded, field by field */
static void
test_roundtrip(void **unused)
{
	struct state	a, b;
	char		err[256];

	(void)unused;
	assert_int_equal(state_load(unit_sdir, NULL, &a, err, sizeof(err)), 0);
	assert_int_equal(a.ovr.active, 0);	/* no file: a zeroed state */
	a.ovr.active = 1;
	a.ovr.state = ACCOUNT_DISABLED;
	a.ovr.until_ms = 1700000000123LL;
	bg_strlcpy(a.ovr.actor, "cli:alice(uid=1000)", sizeof(a.ovr.actor));
	bg_strlcpy(a.ovr.reason, "INC-1 \"quoted\"", sizeof(a.ovr.reason));
	a.account_state = ACCOUNT_ENABLED;
	a.last_set = ACCOUNT_ENABLED;
	a.outage_count = 3;
	a.outage_declared = 1;
	a.agent_pid = 4242;
	a.audit_head.seq = 17;
	memset(a.audit_head.sha256, 'a', 64);
	a.audit_head.sha256[64] = '\0';
	assert_int_equal(state_save(unit_sdir, NULL, &a, err, sizeof(err)), 0);
	assert_int_equal(state_load(unit_sdir, NULL, &b, err, sizeof(err)), 0);
	assert_int_equal(b.ovr.active, 1);
	assert_int_equal(b.ovr.state, ACCOUNT_DISABLED);
	assert_int_equal(b.ovr.until_ms, 1700000000123LL);
	assert_string_equal(b.ovr.actor, "cli:alice(uid=1000)");
	assert_string_equal(b.ovr.reason, "INC-1 \"quoted\"");
	assert_int_equal(b.account_state, ACCOUNT_ENABLED);
	assert_int_equal(b.last_set, ACCOUNT_ENABLED);
	assert_int_equal(b.outage_count, 3);
	assert_int_equal(b.outage_declared, 1);
	assert_int_equal(b.agent_pid, 4242);
	assert_int_equal(b.audit_head.seq, 17);
	assert_string_equal(b.audit_head.sha256, a.audit_head.sha256);
}

/* the names are state.json's, the audit log's and the CLI's: each parses back */
static void
test_account_names(void **unused)
{
	static const struct {
		enum account_state	 s;
		const char		*name;
	} names[] = {
		{ ACCOUNT_UNKNOWN, "unknown" },
		{ ACCOUNT_ENABLED, "enabled" },
		{ ACCOUNT_DISABLED, "disabled" },
	};
	/* strict: a near miss is no state (a hand edit, a typo) */
	static const char *const bad[] = {
		"Enabled", "DISABLED", "enabledX", "enable", "disable", "",
		" enabled", "enabled ", "unknownX", "true", "1",
	};
	enum account_state	s;

	(void)unused;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_string_equal(account_state_name(names[i].s),
		    names[i].name);
		s = ACCOUNT_DISABLED + 1;
		assert_int_equal(account_state_parse(names[i].name, &s), 0);
		assert_int_equal(s, names[i].s);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s = ACCOUNT_ENABLED;
		if (account_state_parse(bad[i], &s) != -1 ||
		    s != ACCOUNT_UNKNOWN)
			fail_msg("\"%s\" parsed as %d", bad[i], (int)s);
	}
	s = ACCOUNT_ENABLED;
	assert_int_equal(account_state_parse(NULL, &s), -1);
	assert_int_equal(s, ACCOUNT_UNKNOWN);
	assert_string_equal(account_state_name((enum account_state)7),
	    "unknown");
	assert_int_equal(account_state_of_uac(0x0200), ACCOUNT_ENABLED);
	assert_int_equal(account_state_of_uac(0x0202), ACCOUNT_DISABLED);
}

/* every value of every account-state field survives save and load */
static void
test_account_fields(void **unused)
{
	static const enum account_state all[] = {
		ACCOUNT_UNKNOWN, ACCOUNT_ENABLED, ACCOUNT_DISABLED,
	};
	struct state	a, b;
	char		err[256];

	(void)unused;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		memset(&a, 0, sizeof(a));
		a.notified_seq = -1;
		a.account_state = all[i];
		a.last_set = all[i];
		a.confirm_want = all[i];
		a.confirm_since_ms = 1700000000000LL;
		/* an override is enabled or disabled, never unknown */
		a.ovr.active = all[i] != ACCOUNT_UNKNOWN;
		a.ovr.state = all[i];
		assert_int_equal(state_save(unit_sdir, NULL, &a, err, sizeof(err)), 0);
		assert_int_equal(state_load(unit_sdir, NULL, &b, err, sizeof(err)), 0);
		if (b.account_state != all[i] || b.last_set != all[i] ||
		    b.confirm_want != all[i] || b.ovr.active != a.ovr.active ||
		    (a.ovr.active && b.ovr.state != all[i]))
			fail_msg("%s: loaded account %d, last_set %d, confirm "
			    "%d, override %d/%d", account_state_name(all[i]),
			    (int)b.account_state, (int)b.last_set,
			    (int)b.confirm_want, b.ovr.active, (int)b.ovr.state);
	}
}

/*
 * A state.json written by hand or by another version, with a state that is
 * no name of ours: it loads (no error), the state is unknown (so no drift is
 * seen from it), the override is not in force, nothing is pending; saved
 * again, it carries only our names.
 */
static void
test_account_foreign(void **unused)
{
	struct state	st;
	char		err[256], *text;
	size_t		len;

	(void)unused;
	write_text("{\"version\": 1, \"override\": {\"state\": \"Enabled\", "
	    "\"until\": null, \"actor\": \"x\", \"reason\": \"y\"}, "
	    "\"account\": {\"state\": \"garbage\", \"userAccountControl\": 514, "
	    "\"last_set\": \"enabledX\"}, \"cloud_confirm\": {\"want\": "
	    "\"Disabled\", \"since\": null}, \"counters\": {\"outage\": 2}}");
	assert_int_equal(state_load(unit_sdir, NULL, &st, err, sizeof(err)), 0);
	assert_int_equal(st.account_state, ACCOUNT_UNKNOWN);
	assert_int_equal(st.account_uac, 514);
	assert_int_equal(st.last_set, ACCOUNT_UNKNOWN);
	assert_int_equal(st.confirm_want, ACCOUNT_UNKNOWN);
	assert_false(st.ovr.active);
	assert_int_equal(st.outage_count, 2);	/* the rest still read */
	assert_int_equal(state_save(unit_sdir, NULL, &st, err, sizeof(err)), 0);
	text = sd_read_file(spath, 1 << 20, &len, err, sizeof(err));
	assert_non_null(text);
	assert_non_null(strstr(text, "\"state\":\t\"unknown\""));
	assert_non_null(strstr(text, "\"last_set\":\tnull"));
	assert_null(strstr(text, "cloud_confirm"));
	assert_null(strstr(text, "garbage"));
	free(text);
}

/* a torn or foreign file is an error naming the file, never zeroes */
static void
test_damaged(void **unused)
{
	static const char *const bad[] = {
		"{\"override\": {\"active\": tr",	/* torn mid-write */
		"[1, 2, 3]",				/* not an object */
		"\x01\x02garbage",
		"",
	};
	struct state	st;
	char		err[256];

	(void)unused;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_text(bad[i]);
		err[0] = '\0';
		if (state_load(unit_sdir, NULL, &st, err, sizeof(err)) != -1)
			fail_msg("case %zu loaded", i);
		if (strstr(err, STATE_FILE) == NULL)
			fail_msg("case %zu: \"%s\" does not name the file", i,
			    err);
	}
}

static int
bump(struct state *st, void *arg, char *err, size_t errlen)
{
	int	*ret = arg;

	(void)err;
	(void)errlen;
	st->outage_count++;
	if (*ret == -1)
		bg_err(err, errlen, "no");
	return *ret;
}

/* fn's 1 saves, 0 and -1 do not; a damaged file never reaches fn */
static void
test_update(void **unused)
{
	struct state	st;
	char		err[256];
	int		ret;

	(void)unused;
	ret = 1;
	assert_int_equal(state_update(unit_sdir, NULL, bump, &ret, err, sizeof(err)), 1);
	assert_int_equal(state_load(unit_sdir, NULL, &st, err, sizeof(err)), 0);
	assert_int_equal(st.outage_count, 1);
	ret = 0;
	assert_int_equal(state_update(unit_sdir, NULL, bump, &ret, err, sizeof(err)), 0);
	ret = -1;
	assert_int_equal(state_update(unit_sdir, NULL, bump, &ret, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "no");
	assert_int_equal(state_load(unit_sdir, NULL, &st, err, sizeof(err)), 0);
	assert_int_equal(st.outage_count, 1);	/* neither was saved */
	write_text("{\"torn\": ");
	ret = 1;
	assert_int_equal(state_update(unit_sdir, NULL, bump, &ret, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, STATE_FILE));
	write_text("{\"torn\": ");		/* left as it was */
}

/* the lock held by another holder: -1, "lock: ...", fn not called */
static void
test_update_locked(void **unused)
{
	char	err[256];
	int	ret = 1, fd;
	pid_t	pid;

	(void)unused;
	assert_true((fd = state_lock(unit_sdir, err, sizeof(err))) >= 0);
	setenv("BREAKGLASS_LOCK_WAIT", "0", 1);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {		/* flock: another open file description */
		int rc = state_update(unit_sdir, NULL, bump, &ret, err, sizeof(err));
		_exit(rc == -1 && strncmp(err, "lock: ", 6) == 0 ? 0 : 1);
	}
	{
		int status;

		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	unsetenv("BREAKGLASS_LOCK_WAIT");
	state_unlock(fd);
}

/*
 * Issue 15: each account its own block, the global part shared.  The
 * first account's block is the top level (a file of before is the first
 * account's); the others are under "accounts"; a reorder moves blocks.
 */
static void
test_account_blocks(void **unused)
{
	struct account_cfg	first = { .name = "first", .index = 0 },
				second = { .name = "second", .index = 1 };
	struct state		st;
	char			err[256];

	(void)unused;
	/* a file of before: one account, no name */
	memset(&st, 0, sizeof(st));
	st.notified_seq = -1;
	st.ovr.active = 1;
	st.ovr.state = ACCOUNT_ENABLED;
	st.account_state = ACCOUNT_ENABLED;
	st.outage_count = 1;
	assert_int_equal(state_save(unit_sdir, NULL, &st, err, sizeof(err)), 0);
	/* it is the first account's, not the second's */
	assert_int_equal(state_load(unit_sdir, &first, &st, err, sizeof(err)),
	    0);
	assert_true(st.ovr.active);
	assert_int_equal(st.account_state, ACCOUNT_ENABLED);
	assert_int_equal(state_load(unit_sdir, &second, &st, err, sizeof(err)),
	    0);
	assert_false(st.ovr.active);
	assert_int_equal(st.account_state, ACCOUNT_UNKNOWN);
	assert_int_equal(st.outage_count, 1);		/* global */

	/* the second saves its own block and a global change */
	st.account_state = ACCOUNT_DISABLED;
	st.last_drill_ms = 1700000000000LL;
	st.outage_count = 2;
	assert_int_equal(state_save(unit_sdir, &second, &st, err, sizeof(err)),
	    0);
	assert_int_equal(state_load(unit_sdir, &first, &st, err, sizeof(err)),
	    0);
	assert_true(st.ovr.active);			/* kept */
	assert_int_equal(st.account_state, ACCOUNT_ENABLED);
	assert_int_equal(st.last_drill_ms, 0);
	assert_int_equal(st.outage_count, 2);		/* the second's save */
	/* the first saves: the second's block stays */
	st.outage_count = 3;
	assert_int_equal(state_save(unit_sdir, &first, &st, err, sizeof(err)),
	    0);
	assert_int_equal(state_load(unit_sdir, &second, &st, err, sizeof(err)),
	    0);
	assert_int_equal(st.account_state, ACCOUNT_DISABLED);
	assert_int_equal(st.last_drill_ms, 1700000000000LL);
	assert_int_equal(st.outage_count, 3);

	/* reordered: second is now first; first's block must not be taken */
	second.index = 0;
	first.index = 1;
	assert_int_equal(state_load(unit_sdir, &second, &st, err, sizeof(err)),
	    0);
	assert_int_equal(st.account_state, ACCOUNT_DISABLED);
	assert_false(st.ovr.active);
	assert_int_equal(state_save(unit_sdir, &second, &st, err, sizeof(err)),
	    0);
	assert_int_equal(state_load(unit_sdir, &first, &st, err, sizeof(err)),
	    0);
	assert_true(st.ovr.active);
	assert_int_equal(st.ovr.state, ACCOUNT_ENABLED);
	assert_int_equal(st.account_state, ACCOUNT_ENABLED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, setup_dir,
		    unit_teardown),
		cmocka_unit_test(test_account_names),
		cmocka_unit_test_setup_teardown(test_account_blocks, setup_dir,
		    unit_teardown),
		cmocka_unit_test_setup_teardown(test_account_fields, setup_dir,
		    unit_teardown),
		cmocka_unit_test_setup_teardown(test_account_foreign, setup_dir,
		    unit_teardown),
		cmocka_unit_test_setup_teardown(test_damaged, setup_dir,
		    unit_teardown),
		cmocka_unit_test_setup_teardown(test_update, setup_dir,
		    unit_teardown),
		cmocka_unit_test_setup_teardown(test_update_locked, setup_dir,
		    unit_teardown),
	};
	return cmocka_run_group_tests_name("state", tests, NULL, NULL);
}
