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
	assert_int_equal(state_load(unit_sdir, &a, err, sizeof(err)), 0);
	assert_int_equal(a.ovr.active, 0);	/* no file: a zeroed state */
	a.ovr.active = 1;
	bg_strlcpy(a.ovr.state, "disabled", sizeof(a.ovr.state));
	a.ovr.until_ms = 1700000000123LL;
	bg_strlcpy(a.ovr.actor, "cli:alice(uid=1000)", sizeof(a.ovr.actor));
	bg_strlcpy(a.ovr.reason, "INC-1 \"quoted\"", sizeof(a.ovr.reason));
	bg_strlcpy(a.account_state, "enabled", sizeof(a.account_state));
	bg_strlcpy(a.last_set, "enabled", sizeof(a.last_set));
	a.outage_count = 3;
	a.outage_declared = 1;
	a.agent_pid = 4242;
	a.audit_head.seq = 17;
	memset(a.audit_head.sha256, 'a', 64);
	a.audit_head.sha256[64] = '\0';
	assert_int_equal(state_save(unit_sdir, &a, err, sizeof(err)), 0);
	assert_int_equal(state_load(unit_sdir, &b, err, sizeof(err)), 0);
	assert_int_equal(b.ovr.active, 1);
	assert_string_equal(b.ovr.state, "disabled");
	assert_int_equal(b.ovr.until_ms, 1700000000123LL);
	assert_string_equal(b.ovr.actor, "cli:alice(uid=1000)");
	assert_string_equal(b.ovr.reason, "INC-1 \"quoted\"");
	assert_string_equal(b.account_state, "enabled");
	assert_string_equal(b.last_set, "enabled");
	assert_int_equal(b.outage_count, 3);
	assert_int_equal(b.outage_declared, 1);
	assert_int_equal(b.agent_pid, 4242);
	assert_int_equal(b.audit_head.seq, 17);
	assert_string_equal(b.audit_head.sha256, a.audit_head.sha256);
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
		if (state_load(unit_sdir, &st, err, sizeof(err)) != -1)
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
	assert_int_equal(state_update(unit_sdir, bump, &ret, err, sizeof(err)), 1);
	assert_int_equal(state_load(unit_sdir, &st, err, sizeof(err)), 0);
	assert_int_equal(st.outage_count, 1);
	ret = 0;
	assert_int_equal(state_update(unit_sdir, bump, &ret, err, sizeof(err)), 0);
	ret = -1;
	assert_int_equal(state_update(unit_sdir, bump, &ret, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "no");
	assert_int_equal(state_load(unit_sdir, &st, err, sizeof(err)), 0);
	assert_int_equal(st.outage_count, 1);	/* neither was saved */
	write_text("{\"torn\": ");
	ret = 1;
	assert_int_equal(state_update(unit_sdir, bump, &ret, err, sizeof(err)),
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
		int rc = state_update(unit_sdir, bump, &ret, err, sizeof(err));
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, setup_dir,
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
