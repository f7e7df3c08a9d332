/* poll.c - one look at every health source: Graph service health, token probe */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "poll.h"
#include "util.h"

#define TOKEN_MARGIN_MS	(5 * 60 * 1000)	/* renew this long before expiry */

void
poll_ctx_init(struct poll_ctx *p)
{
	memset(p, 0, sizeof(*p));
}

void
poll_ctx_free(struct poll_ctx *p)
{
	http_free(p->graph);
	http_free(p->probe);
	graph_token_free(&p->token);
	memset(p, 0, sizeof(*p));
}

static void
unknown(struct poll_result *r, int config_error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
unknown(struct poll_result *r, int config_error, const char *fmt, ...)
{
	va_list	ap;

	r->verdict = VERDICT_UNKNOWN;
	r->config_error = config_error;
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
}

/*
 * Graph's Retry-After is honoured across polls, up to RETRY_AFTER_MAX: an
 * hour-long answer must not leave the agent blind for an hour mid-outage.
 */
#define RETRY_AFTER_MAX	300

static void
hold_off(struct poll_ctx *p, long long secs)
{
	if (secs > RETRY_AFTER_MAX) {
		log_warnx("Graph asked to wait %lld s (Retry-After); waiting "
		    "%d s, the most breakglass waits", secs, RETRY_AFTER_MAX);
		secs = RETRY_AFTER_MAX;
	}
	p->not_before_ms = now_ms() + secs * 1000;
}

/* does the rest of the internet answer?  Any HTTP status counts. */
static int
probe_answers(const struct config *c, struct poll_ctx *p, int64_t deadline)
{
	struct http_response	r;
	char			err[256];
	int64_t			left = deadline - now_ms();

	/* the same trust as Graph: both are Microsoft endpoints */
	if (p->probe == NULL && (p->probe = http_new(c->graph.ca_file,
	    c->graph.timeout,
	    err, sizeof(err))) == NULL)
		return 0;
	if (http_request(p->probe, c->policy.probe_url, NULL, NULL,
	    left > 1000 ? (long)left : 1000, &r) == -1) {
		log_debug("probe %s: %s", c->policy.probe_url, r.error);
		return 0;
	}
	http_response_free(&r);
	return 1;
}

static int
get_token(const struct config *c, struct poll_ctx *p, int64_t now,
    int64_t deadline, struct poll_result *r)
{
	struct graph_creds	cr;
	struct graph_error	e;
	char			scope[600], why[1024], *secret = NULL;
	int			rc;

	if (p->token.access_token != NULL &&
	    now < p->token.expires_ms - TOKEN_MARGIN_MS)
		return 0;
	graph_token_free(&p->token);
	memset(&cr, 0, sizeof(cr));
	snprintf(scope, sizeof(scope), "%s/.default", c->graph.endpoint);
	cr.authority = c->graph.authority;
	cr.tenant = c->graph.tenant_id;
	cr.client_id = c->graph.client_id;
	cr.scope = scope;
	if (c->graph.client_secret_file != NULL) {
		if (read_secret_file(c->graph.client_secret_file, &secret, why,
		    sizeof(why)) == -1) {
			unknown(r, 1, "graph.client_secret_file: %s", why);
			return -1;
		}
		cr.secret = secret;
	} else {
		if (check_secret_file(c->graph.client_key_file, why,
		    sizeof(why)) == -1) {
			unknown(r, 1, "graph.client_key_file: %s", why);
			return -1;
		}
		cr.cert_file = c->graph.client_cert_file;
		cr.key_file = c->graph.client_key_file;
	}
	rc = graph_get_token(p->graph, &cr, now, deadline, &p->token, &e);
	secret_free(secret);
	if (rc == -1 && e.retry_after > 0)
		hold_off(p, e.retry_after);
	if (rc == 0) {
		p->token_failures = 0;
		return 0;
	}
	graph_strerror(&e, why, sizeof(why));
	if (e.kind == GRAPH_E_CLIENT || e.kind == GRAPH_E_LOCAL ||
	    e.kind == GRAPH_E_PARSE || e.kind == GRAPH_E_THROTTLED) {
		/* a 4xx is our configuration, 429 Entra pacing us: never
		   an outage, and the streak starts again */
		p->token_failures = 0;
		unknown(r, e.kind == GRAPH_E_CLIENT || e.kind == GRAPH_E_LOCAL,
		    "token: %s", why);
		return -1;
	}
	if (e.kind == GRAPH_E_TRANSPORT && (e.fail == HTTP_FAIL_DNS ||
	    e.fail == HTTP_FAIL_TLS || e.fail == HTTP_FAIL_OTHER)) {
		/*
		 * Whoever can spoof DNS for, or sit between us and, the
		 * login endpoint produces exactly these: never evidence of
		 * an outage, which would enable an MFA-exempt account.
		 */
		p->token_failures = 0;
		unknown(r, 0, "token: %s%s", e.fail == HTTP_FAIL_OTHER ? "" :
		    "possible interception: ", why);
		if (e.fail != HTTP_FAIL_OTHER)
			r->alert = 1;
		return -1;
	}
	/* timeout, refused or dropped connection, 5xx: Entra may be down */
	p->token_failures++;
	if (c->policy.unreachable_after > 0) {
		if (!probe_answers(c, p, deadline)) {
			unknown(r, 0, "token: %s; and %s does not answer either "
			    "(our own network?)", why, c->policy.probe_url);
			return -1;
		}
		if (p->token_failures >= c->policy.unreachable_after) {
			/* alone it only warns, unless policy.token_probe =
			   "act": a blocked connection is cheap to fake */
			r->verdict = c->policy.token_probe_acts ?
			    VERDICT_OUTAGE : VERDICT_UNKNOWN;
			r->warning = !c->policy.token_probe_acts;
			r->source = "token-probe";
			snprintf(r->error, sizeof(r->error), "token endpoint "
			    "failed %ld polls in a row while %.200s answers: "
			    "%.380s%s", p->token_failures, c->policy.probe_url,
			    why, r->warning ? " (policy.token_probe = warn: "
			    "not acting alone)" : "");
			return -1;
		}
	}
	unknown(r, 0, "token: %s", why);
	return -1;
}

void
poll_health(const struct config *c, struct poll_ctx *p, int64_t now,
    struct poll_result *r)
{
	struct graph_issues	is;
	struct graph_error	e;
	char			why[1024];
	int64_t			deadline = now + c->graph.timeout * 1000;

	memset(r, 0, sizeof(*r));
	r->source = "service-health";
	if (config_graph_ready(c, why, sizeof(why)) == -1) {
		unknown(r, 1, "%s", why);
		return;
	}
	if (now < p->not_before_ms) {
		unknown(r, 0, "Graph asked us to wait (Retry-After) %lld s more",
		    (long long)((p->not_before_ms - now + 999) / 1000));
		return;
	}
	if (p->graph == NULL && (p->graph = http_new(c->graph.ca_file,
	    c->graph.timeout, why, sizeof(why))) == NULL) {
		unknown(r, 0, "%s", why);
		return;
	}
	if (get_token(c, p, now, deadline, r) == -1) {
		if (r->verdict == VERDICT_OUTAGE || r->warning) {
			r->evidence = cJSON_CreateArray();
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "source", "token-probe");
			cJSON_AddStringToObject(o, "detail", r->error);
			cJSON_AddItemToArray(r->evidence, o);
		}
		return;
	}
	if (graph_list_issues(p->graph, c->graph.endpoint,
	    p->token.access_token, deadline, &is, &e) == -1) {
		graph_strerror(&e, why, sizeof(why));
		if (e.retry_after > 0)	/* honoured across polls too */
			hold_off(p, e.retry_after);
		if (e.status == 401)
			graph_token_free(&p->token);	/* fetch anew */
		if (e.kind == GRAPH_E_TRANSPORT && (e.fail == HTTP_FAIL_DNS ||
		    e.fail == HTTP_FAIL_TLS)) {
			unknown(r, 0, "service health: possible interception: "
			    "%s", why);
			r->alert = 1;
			return;
		}
		unknown(r, e.kind == GRAPH_E_CLIENT, "service health: %s", why);
		return;
	}
	r->issues_seen = (int)is.n;
	r->evidence = cJSON_CreateArray();
	r->verdict = match_issues(c, &is, r->evidence) > 0 ? VERDICT_OUTAGE :
	    VERDICT_HEALTHY;
	graph_issues_free(&is);
}

int
poll_token(const struct config *c, struct poll_ctx *p, char *err,
    size_t errlen)
{
	struct poll_result	r;
	int64_t			now = now_ms();

	memset(&r, 0, sizeof(r));
	if (config_graph_ready(c, err, errlen) == -1)
		return -1;
	if (p->graph == NULL && (p->graph = http_new(c->graph.ca_file,
	    c->graph.timeout, err, errlen)) == NULL)
		return -1;
	if (get_token(c, p, now, now + c->graph.timeout * 1000, &r) == -1) {
		bg_err(err, errlen, "%s", r.error);
		cJSON_Delete(r.evidence);
		return -1;
	}
	return 0;
}

cJSON *
poll_graph_get(const struct config *c, struct poll_ctx *p, const char *path,
    long *status, char *err, size_t errlen)
{
	struct http_response	 r;
	struct graph_error	 e;
	char			 url[2048], why[1024];
	cJSON			*j;

	*status = 0;
	if (poll_token(c, p, err, errlen) == -1)
		return NULL;
	if ((size_t)snprintf(url, sizeof(url), "%s%s", c->graph.endpoint,
	    path) >= sizeof(url)) {
		bg_err(err, errlen, "URL too long");
		return NULL;
	}
	memset(&r, 0, sizeof(r));
	if (graph_get(p->graph, url, p->token.access_token,
	    now_ms() + c->graph.timeout * 1000, &r, &e) == -1) {
		*status = e.status;
		graph_strerror(&e, why, sizeof(why));
		bg_err(err, errlen, "%s", why);
		http_response_free(&r);
		if (e.status == 401)
			graph_token_free(&p->token);
		return NULL;
	}
	*status = r.status;
	if ((j = cJSON_ParseWithLength(r.body, r.len)) == NULL ||
	    !cJSON_IsObject(j)) {
		bg_err(err, errlen, "%s: not a JSON object", path);
		cJSON_Delete(j);
		j = NULL;
	}
	http_response_free(&r);
	return j;
}
