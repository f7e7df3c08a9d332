/* SPDX-License-Identifier: ISC */
/* policy.c - the pure decision logic: inputs in, decision out */
#include <string.h>

#include "policy.h"

enum account_state
policy_desired_state(const struct state *s, enum bg_mode mode, int automatic,
    int64_t now)
{
	if (override_active(&s->ovr, now))
		return s->ovr.state;
	if (mode == MODE_AUTO && automatic && s->outage_declared)
		return ACCOUNT_ENABLED;
	return ACCOUNT_DISABLED;
}

void
policy_count(long rise, long fall, struct state *st, enum verdict v,
    int64_t now, struct decision *d)
{
	memset(d, 0, sizeof(*d));
	/* unknown counts toward neither: the streaks hold */
	if (v == VERDICT_OUTAGE) {
		st->outage_count++;
		st->healthy_count = 0;
	} else if (v == VERDICT_HEALTHY) {
		st->healthy_count++;
		st->outage_count = 0;
	}
	if (!st->outage_declared && st->outage_count >= rise) {
		st->outage_declared = 1;
		st->outage_since_ms = now;
		d->outage_declared = 1;
	} else if (st->outage_declared && st->healthy_count >= fall) {
		st->outage_declared = 0;
		st->outage_since_ms = 0;
		d->outage_cleared = 1;
	}
}

void
policy_account(enum bg_mode mode, long fall, int automatic, struct state *st,
    int64_t now, struct decision *d)
{
	d->override_expired = d->override_ended = 0;
	d->want = ACCOUNT_UNKNOWN;
	if (st->ovr.active && !override_active(&st->ovr, now)) {
		d->override_expired = 1;
		memset(&st->ovr, 0, sizeof(st->ovr));
	} else if (st->ovr.active && d->outage_cleared &&
	    st->ovr.state == ACCOUNT_DISABLED && st->ovr.during_outage) {
		d->override_ended = 1;
		memset(&st->ovr, 0, sizeof(st->ovr));
	}
	if (mode != MODE_AUTO)
		return;
	if (st->ovr.active)
		d->want = st->ovr.state;
	else if (!automatic)
		return;			/* auto = false: by hand only */
	else if (st->outage_declared)
		d->want = ACCOUNT_ENABLED;
	else if (st->healthy_count >= fall)
		d->want = ACCOUNT_DISABLED;
}

void
policy_step(enum bg_mode mode, long rise, long fall, struct state *st,
    enum verdict v, int64_t now, struct decision *d)
{
	policy_count(rise, fall, st, v, now, d);
	policy_account(mode, fall, 1, st, now, d);
}
