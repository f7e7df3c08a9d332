/* policy.c - the pure decision logic: inputs in, decision out */
#include "policy.h"

const char *
policy_desired_state(const struct state *s, enum bg_mode mode, int64_t now)
{
	if (override_active(&s->ovr, now))
		return s->ovr.state;
	if (mode == MODE_AUTO && s->outage_declared)
		return "enabled";
	return "disabled";
}
