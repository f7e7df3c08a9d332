/* SPDX-License-Identifier: ISC */
/* source_token_probe.c - no token while the rest of the internet answers */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "session.h"
#include "source.h"
#include "util.h"

struct probe {
	struct http_client	*http;		/* probe_url */
	long			 failures;	/* countable ones, in a row */
};

/*
 * Only what an outage of Entra ID looks like counts: a timeout, a refused
 * or dropped connection, HTTP 5xx.  Not a 4xx (our configuration), a 429
 * (Entra pacing us), an answer that is not a token's, and never a name
 * that does not resolve or a certificate that does not verify: those are
 * cheap for an attacker to produce (breakglass(8), HEALTH).
 */
static int
countable(const struct graph_session *s)
{
	if (s->state != TOKEN_FAILED)
		return 0;
	if (s->err.kind == GRAPH_E_SERVER)
		return 1;
	return s->err.kind == GRAPH_E_TRANSPORT &&
	    (s->err.fail == HTTP_FAIL_TIMEOUT ||
	    s->err.fail == HTTP_FAIL_CONNECT);
}

/* does the rest of the internet answer?  Any HTTP status counts. */
static int
probe_answers(const struct config *c, struct probe *pr, int64_t deadline)
{
	struct http_response	r;
	char			err[256];
	int64_t			left = deadline - now_ms();

	/* the same trust as Graph: both are Microsoft endpoints */
	if (pr->http == NULL && (pr->http = http_new(c->graph.ca_file,
	    c->graph.timeout, err, sizeof(err))) == NULL)
		return 0;
	if (http_request(pr->http, c->policy.probe_url, NULL, NULL,
	    left > 1000 ? (long)left : 1000, &r) == -1) {
		log_debug("probe %s: %s", c->policy.probe_url, r.error);
		return 0;
	}
	http_response_free(&r);
	return 1;
}

static void
token_probe(const struct config *c, struct poll_ctx *p, void **state,
    int64_t now, struct poll_result *r)
{
	const struct graph_session	*s = &p->graph;
	struct probe			*pr = *state;
	cJSON				*o;

	r->abstain = 1;
	if (c->policy.unreachable_after <= 0)
		return;
	if (pr == NULL && (pr = *state = calloc(1, sizeof(*pr))) == NULL) {
		r->abstain = 0;
		source_unknown(r, 0, "token probe: out of memory");
		return;
	}
	if (s->state == TOKEN_NONE || s->state == TOKEN_HELD)
		return;			/* no token asked for this poll */
	if (!countable(s)) {
		pr->failures = 0;	/* the streak starts again */
		return;
	}
	pr->failures++;
	if (!probe_answers(c, pr, now + c->graph.timeout * 1000)) {
		r->abstain = 0;
		source_unknown(r, 0, "token: %s; and %s does not answer either "
		    "(our own network?)", s->why, c->policy.probe_url);
		return;
	}
	if (pr->failures < c->policy.unreachable_after)
		return;
	r->abstain = 0;
	r->verdict = VERDICT_OUTAGE;
	snprintf(r->error, sizeof(r->error), "token endpoint failed %ld polls "
	    "in a row while %.200s answers: %.380s", pr->failures,
	    c->policy.probe_url, s->why);
	r->evidence = cJSON_CreateArray();
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "source", "token-probe");
	cJSON_AddStringToObject(o, "detail", r->error);
	cJSON_AddItemToArray(r->evidence, o);
}

static int
token_probe_acts(const struct config *c)
{
	return c->policy.token_probe_acts;
}

static void
token_probe_free(void *state)
{
	struct probe	*pr = state;

	if (pr != NULL)
		http_free(pr->http);
	free(pr);
}

const struct source source_token_probe = {
	.name = "token-probe",
	.role_key = "policy.sources.token-probe",
	.acts = token_probe_acts,
	.poll = token_probe,
	.free = token_probe_free,
};
