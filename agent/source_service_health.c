/* SPDX-License-Identifier: ISC */
/* source_service_health.c - Microsoft's service health: issues that match */
#include <string.h>

#include "session.h"
#include "source.h"
#include "util.h"

static void
service_health(const struct config *c, struct poll_ctx *p, void **state,
    int64_t now, struct poll_result *r)
{
	struct graph_session	*s = &p->graph;
	struct graph_issues	 is;
	struct graph_error	 e;
	char			 why[1024];
	int64_t			 deadline = now + c->graph.timeout * 1000;

	(void)state;
	if (now < s->not_before_ms) {
		source_unknown(r, 0, "Graph asked us to wait (Retry-After) %lld "
		    "s more", (long long)((s->not_before_ms - now + 999) /
		    1000));
		return;
	}
	if (session_token(c, s, now, deadline) == -1) {
		/*
		 * Whoever can spoof DNS for, or sit between us and, the login
		 * endpoint produces exactly these: say so (source_token_probe
		 * never counts them).
		 */
		r->alert = s->err.kind == GRAPH_E_TRANSPORT &&
		    (s->err.fail == HTTP_FAIL_DNS ||
		    s->err.fail == HTTP_FAIL_TLS);
		source_unknown(r, s->config_error, "token: %s%s", r->alert ?
		    "possible interception: " : "", s->why);
		return;
	}
	if (graph_list_issues(s->http, c->graph.endpoint,
	    s->token.access_token, deadline, &is, &e) == -1) {
		graph_strerror(&e, why, sizeof(why));
		if (e.retry_after > 0)	/* honoured across polls too */
			session_hold_off(s, e.retry_after);
		if (e.status == 401)
			graph_token_free(&s->token);	/* fetch anew */
		r->alert = e.kind == GRAPH_E_TRANSPORT &&
		    (e.fail == HTTP_FAIL_DNS || e.fail == HTTP_FAIL_TLS);
		source_unknown(r, e.kind == GRAPH_E_CLIENT, "service health: "
		    "%s%s", r->alert ? "possible interception: " : "", why);
		return;
	}
	r->issues_seen = (int)is.n;
	r->evidence = cJSON_CreateArray();
	r->verdict = match_issues(c, &is, r->evidence) > 0 ? VERDICT_OUTAGE :
	    VERDICT_HEALTHY;
	graph_issues_free(&is);
}

static int
service_health_acts(const struct config *c)
{
	return c->policy.service_health_acts;
}

const struct source source_service_health = {
	.name = "service-health",
	.role_key = "policy.sources.service-health",
	.acts = service_health_acts,
	.poll = service_health,
	.quiet = "Microsoft has posted nothing",
};
