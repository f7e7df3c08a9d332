/* SPDX-License-Identifier: ISC */
/* test_policy.c - policy_step, every branch, as tables of verdict sequences */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../agent/policy.h"

#define T0	1764036600000LL

/*
 * A run: verdicts one per character (O outage, H healthy, U unknown) and the
 * wanted state after each step ('e' enabled, 'd' disabled, '-' unchanged).
 */
static const struct {
	const char	*name;
	enum bg_mode	 mode;
	long		 rise, fall;
	const char	*verdicts;
	const char	*want;
	const char	*declared;	/* after each step: 1 declared, 0 not */
} runs[] = {
	{ "rise 2 enables on the 2nd outage", MODE_AUTO, 2, 3,
	  "OO", "-e", "01" },
	{ "rise 1 enables at once", MODE_AUTO, 1, 3, "O", "e", "1" },
	{ "rise 3", MODE_AUTO, 3, 3, "OOO", "--e", "001" },
	{ "a one-poll blip does nothing", MODE_AUTO, 2, 3,
	  "HHHOHHH", "--d---d", "0000000" },
	{ "fall 3 disables on the 3rd healthy", MODE_AUTO, 2, 3,
	  "OOHHH", "-eeed", "01110" },
	{ "unknown never counts toward rise", MODE_AUTO, 2, 3,
	  "OUUUO", "----e", "00001" },
	{ "unknown never counts toward fall", MODE_AUTO, 2, 3,
	  "OOHUHUH", "-eeeeed", "0111110" },
	{ "unknown does not reset a streak", MODE_AUTO, 2, 2,
	  "OUO", "--e", "001" },
	{ "healthy resets the outage streak", MODE_AUTO, 2, 3,
	  "OHO", "---", "000" },
	{ "outage resets the healthy streak", MODE_AUTO, 2, 3,
	  "OOHHOHHH", "-eeeeeed", "01111110" },
	{ "at start, healthy disables after fall", MODE_AUTO, 2, 3,
	  "HHH", "--d", "000" },
	{ "all unknown: no decision", MODE_AUTO, 2, 3, "UUUU", "----",
	  "0000" },
	{ "monitor declares but never toggles", MODE_MONITOR, 2, 3,
	  "OOHHH", "-----", "01110" },
	{ "manual declares but never toggles", MODE_MANUAL, 1, 1,
	  "OH", "--", "10" },
};

static void
test_runs(void **state)
{
	(void)state;
	for (size_t r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
		struct state	st;
		const char	*want = runs[r].want;

		memset(&st, 0, sizeof(st));
		for (size_t i = 0; runs[r].verdicts[i] != '\0'; i++) {
			struct decision	d;
			enum verdict	v;
			char		got;

			v = runs[r].verdicts[i] == 'O' ? VERDICT_OUTAGE :
			    runs[r].verdicts[i] == 'H' ? VERDICT_HEALTHY :
			    VERDICT_UNKNOWN;
			policy_step(runs[r].mode, runs[r].rise, runs[r].fall,
			    &st, v, T0 + (int64_t)i * 1000, &d);
			got = d.want == ACCOUNT_UNKNOWN ? '-' :
			    account_state_name(d.want)[0];
			if (got != want[i])
				fail_msg("%s: step %zu want '%c' got '%c'",
				    runs[r].name, i, want[i], got);
			if (st.outage_declared != runs[r].declared[i] - '0')
				fail_msg("%s: step %zu declared %d", runs[r].name,
				    i, st.outage_declared);
		}
	}
}

static void
test_edges(void **state)
{
	struct state	st;
	struct decision	d;

	(void)state;
	memset(&st, 0, sizeof(st));
	policy_step(MODE_AUTO, 2, 2, &st, VERDICT_OUTAGE, T0, &d);
	assert_false(d.outage_declared);
	policy_step(MODE_AUTO, 2, 2, &st, VERDICT_OUTAGE, T0 + 1, &d);
	assert_true(d.outage_declared);
	assert_int_equal(st.outage_since_ms, T0 + 1);
	policy_step(MODE_AUTO, 2, 2, &st, VERDICT_OUTAGE, T0 + 2, &d);
	assert_false(d.outage_declared);	/* an edge, once */
	policy_step(MODE_AUTO, 2, 2, &st, VERDICT_HEALTHY, T0 + 3, &d);
	assert_false(d.outage_cleared);
	policy_step(MODE_AUTO, 2, 2, &st, VERDICT_HEALTHY, T0 + 4, &d);
	assert_true(d.outage_cleared);
	assert_int_equal(st.outage_since_ms, 0);
}

static void
set_override(struct state *st, enum account_state s, int64_t until,
    int during)
{
	st->ovr.active = 1;
	st->ovr.state = s;
	st->ovr.until_ms = until;
	st->ovr.during_outage = during;
}

static void
test_override_holds_and_expires(void **state)
{
	struct state	st;
	struct decision	d;

	(void)state;
	memset(&st, 0, sizeof(st));
	set_override(&st, ACCOUNT_ENABLED, T0 + 5000, 0);
	/* healthy verdicts would disable: the override holds */
	for (int i = 0; i < 4; i++) {
		policy_step(MODE_AUTO, 2, 3, &st, VERDICT_HEALTHY,
		    T0 + i * 1000, &d);
		assert_int_equal(d.want, ACCOUNT_ENABLED);
		assert_false(d.override_expired);
	}
	policy_step(MODE_AUTO, 2, 3, &st, VERDICT_HEALTHY, T0 + 5000, &d);
	assert_true(d.override_expired);
	assert_false(st.ovr.active);
	assert_int_equal(d.want, ACCOUNT_DISABLED);
	/* expiry is recorded in every mode, toggling only in auto */
	set_override(&st, ACCOUNT_ENABLED, T0 + 1, 0);
	policy_step(MODE_MANUAL, 2, 3, &st, VERDICT_UNKNOWN, T0 + 2, &d);
	assert_true(d.override_expired);
	assert_int_equal(d.want, ACCOUNT_UNKNOWN);
}

static void
test_disable_override_ends_with_outage(void **state)
{
	struct state	st;
	struct decision	d;

	(void)state;
	memset(&st, 0, sizeof(st));
	policy_step(MODE_AUTO, 1, 2, &st, VERDICT_OUTAGE, T0, &d);
	assert_int_equal(d.want, ACCOUNT_ENABLED);
	set_override(&st, ACCOUNT_DISABLED, T0 + 3600000, 1);
	policy_step(MODE_AUTO, 1, 2, &st, VERDICT_OUTAGE, T0 + 1000, &d);
	assert_int_equal(d.want, ACCOUNT_DISABLED);	/* holds in the outage */
	policy_step(MODE_AUTO, 1, 2, &st, VERDICT_HEALTHY, T0 + 2000, &d);
	assert_false(d.override_ended);
	policy_step(MODE_AUTO, 1, 2, &st, VERDICT_HEALTHY, T0 + 3000, &d);
	assert_true(d.outage_cleared);
	assert_true(d.override_ended);
	assert_false(st.ovr.active);
	assert_int_equal(d.want, ACCOUNT_DISABLED);
	/* one set outside an outage does not end with a later outage */
	memset(&st, 0, sizeof(st));
	set_override(&st, ACCOUNT_DISABLED, T0 + 3600000, 0);
	policy_step(MODE_AUTO, 1, 1, &st, VERDICT_OUTAGE, T0, &d);
	policy_step(MODE_AUTO, 1, 1, &st, VERDICT_HEALTHY, T0 + 1, &d);
	assert_true(d.outage_cleared);
	assert_false(d.override_ended);
	assert_true(st.ovr.active);
	/* an enable override does not end with the outage */
	memset(&st, 0, sizeof(st));
	policy_step(MODE_AUTO, 1, 1, &st, VERDICT_OUTAGE, T0, &d);
	set_override(&st, ACCOUNT_ENABLED, T0 + 3600000, 1);
	policy_step(MODE_AUTO, 1, 1, &st, VERDICT_HEALTHY, T0 + 1, &d);
	assert_false(d.override_ended);
	assert_int_equal(d.want, ACCOUNT_ENABLED);
}

static void
test_desired_state(void **state)
{
	struct state	st;

	(void)state;
	memset(&st, 0, sizeof(st));
	assert_int_equal(policy_desired_state(&st, MODE_AUTO, 1, T0),
	    ACCOUNT_DISABLED);
	st.outage_declared = 1;
	assert_int_equal(policy_desired_state(&st, MODE_AUTO, 1, T0),
	    ACCOUNT_ENABLED);
	assert_int_equal(policy_desired_state(&st, MODE_MONITOR, 1, T0),
	    ACCOUNT_DISABLED);
	set_override(&st, ACCOUNT_DISABLED, T0 + 10, 0);
	assert_int_equal(policy_desired_state(&st, MODE_AUTO, 1, T0),
	    ACCOUNT_DISABLED);
	assert_int_equal(policy_desired_state(&st, MODE_AUTO, 1, T0 + 10),
	    ACCOUNT_ENABLED);	/* expired: back to the outage */
	/* auto = false: no outage enables it, an override still holds */
	assert_int_equal(policy_desired_state(&st, MODE_AUTO, 0, T0 + 10),
	    ACCOUNT_DISABLED);
	set_override(&st, ACCOUNT_ENABLED, T0 + 20, 0);
	assert_int_equal(policy_desired_state(&st, MODE_AUTO, 0, T0 + 10),
	    ACCOUNT_ENABLED);
}

/*
 * Issue 15: the counters step once a poll, each account after it.  Two
 * accounts in one poll count the verdict once; an auto = false account
 * wants nothing from the outage, only from its override.
 */
static void
test_two_accounts(void **state)
{
	struct state	a, b;
	struct decision	d;

	(void)state;
	memset(&a, 0, sizeof(a));
	for (int poll = 1; poll <= 2; poll++) {
		policy_count(2, 3, &a, VERDICT_OUTAGE, T0 + poll, &d);
		policy_account(MODE_AUTO, 3, 1, &a, T0 + poll, &d);
		/* the second account sees the counters the first saved */
		b = a;
		policy_account(MODE_AUTO, 3, 0, &b, T0 + poll, &d);
		assert_int_equal(b.outage_count, poll);
		assert_int_equal(d.want, ACCOUNT_UNKNOWN);	/* by hand */
	}
	assert_int_equal(a.outage_count, 2);
	assert_true(a.outage_declared);
	policy_account(MODE_AUTO, 3, 1, &a, T0 + 3, &d);
	assert_int_equal(d.want, ACCOUNT_ENABLED);
	/* the outage ends: a disable override set in it ends with it */
	set_override(&b, ACCOUNT_DISABLED, T0 + 3600000, 1);
	for (int poll = 1; poll <= 3; poll++) {
		policy_count(2, 3, &a, VERDICT_HEALTHY, T0 + 10 + poll, &d);
		policy_account(MODE_AUTO, 3, 1, &a, T0 + 10 + poll, &d);
		b.outage_declared = a.outage_declared;
		b.healthy_count = a.healthy_count;
		policy_account(MODE_AUTO, 3, 0, &b, T0 + 10 + poll, &d);
	}
	assert_false(a.outage_declared);
	assert_true(d.outage_cleared);
	assert_true(d.override_ended);
	assert_false(b.ovr.active);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_override_holds_and_expires),
		cmocka_unit_test(test_disable_override_ends_with_outage),
		cmocka_unit_test(test_desired_state),
		cmocka_unit_test(test_two_accounts),
	};
	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
