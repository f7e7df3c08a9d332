/* SPDX-License-Identifier: ISC */
/* session.c - the Graph session: one token, one kept connection, Retry-After */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "session.h"
#include "util.h"

#define TOKEN_MARGIN_MS	(5 * 60 * 1000)	/* renew this long before expiry */

/*
 * Graph's Retry-After is honoured across polls, up to RETRY_AFTER_MAX: an
 * hour-long answer must not leave the agent blind for an hour mid-outage.
 */
#define RETRY_AFTER_MAX	300

void
session_init(struct graph_session *s)
{
	memset(s, 0, sizeof(*s));
}

void
session_free(struct graph_session *s)
{
	http_free(s->http);
	graph_token_free(&s->token);
	memset(s, 0, sizeof(*s));
}

void
session_hold_off(struct graph_session *s, long long secs)
{
	if (secs > RETRY_AFTER_MAX) {
		log_warnx("Graph asked to wait %lld s (Retry-After); waiting "
		    "%d s, the most breakglass waits", secs, RETRY_AFTER_MAX);
		secs = RETRY_AFTER_MAX;
	}
	s->not_before_ms = now_ms() + secs * 1000;
}

static int
failed(struct graph_session *s, enum graph_err_kind kind, int config_error,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
failed(struct graph_session *s, enum graph_err_kind kind, int config_error,
    const char *fmt, ...)
{
	va_list	ap;

	s->state = TOKEN_FAILED;
	s->err.kind = kind;
	s->config_error = config_error;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
	return -1;
}

int
session_token(const struct config *c, struct graph_session *s, int64_t now,
    int64_t deadline)
{
	struct graph_creds	cr;
	char			scope[600], why[1024], *secret = NULL;
	int			rc;

	memset(&s->err, 0, sizeof(s->err));
	s->config_error = 0;
	s->why[0] = '\0';
	if (config_graph_ready(c, why, sizeof(why)) == -1)
		return failed(s, GRAPH_E_LOCAL, 1, "%s", why);
	if (s->http == NULL && (s->http = http_new(c->graph.ca_file,
	    c->graph.timeout, why, sizeof(why))) == NULL)
		return failed(s, GRAPH_E_LOCAL, 0, "%s", why);
	if (s->token.access_token != NULL &&
	    now < s->token.expires_ms - TOKEN_MARGIN_MS) {
		s->state = TOKEN_OK;
		return 0;
	}
	graph_token_free(&s->token);
	memset(&cr, 0, sizeof(cr));
	snprintf(scope, sizeof(scope), "%s/.default", c->graph.endpoint);
	cr.authority = c->graph.authority;
	cr.tenant = c->graph.tenant_id;
	cr.client_id = c->graph.client_id;
	cr.scope = scope;
	if (c->graph.client_secret_file != NULL) {
		if (read_secret_file(c->graph.client_secret_file, &secret, why,
		    sizeof(why)) == -1)
			return failed(s, GRAPH_E_LOCAL, 1,
			    "graph.client_secret_file: %s", why);
		cr.secret = secret;
	} else {
		if (check_secret_file(c->graph.client_key_file, why,
		    sizeof(why)) == -1)
			return failed(s, GRAPH_E_LOCAL, 1,
			    "graph.client_key_file: %s", why);
		cr.cert_file = c->graph.client_cert_file;
		cr.key_file = c->graph.client_key_file;
	}
	rc = graph_get_token(s->http, &cr, now, deadline, &s->token, &s->err);
	secret_free(secret);
	if (rc == 0) {
		s->state = TOKEN_OK;
		return 0;
	}
	if (s->err.retry_after > 0)
		session_hold_off(s, s->err.retry_after);
	s->state = TOKEN_FAILED;
	s->config_error = s->err.kind == GRAPH_E_CLIENT ||
	    s->err.kind == GRAPH_E_LOCAL;
	graph_strerror(&s->err, s->why, sizeof(s->why));
	return -1;
}

cJSON *
session_get(const struct config *c, struct graph_session *s, const char *path,
    long *status, char *err, size_t errlen)
{
	return session_send(c, s, path, NULL, status, err, errlen);
}

cJSON *
session_send(const struct config *c, struct graph_session *s,
    const char *path, const char *body, long *status, char *err,
    size_t errlen)
{
	struct http_response	 r;
	struct graph_error	 e;
	char			 url[2048], why[1024];
	int64_t			 now = now_ms();
	cJSON			*j;

	*status = 0;
	if (session_token(c, s, now, now + c->graph.timeout * 1000) == -1) {
		bg_err(err, errlen, "%s", s->why);
		return NULL;
	}
	if ((size_t)snprintf(url, sizeof(url), "%s%s", c->graph.endpoint,
	    path) >= sizeof(url)) {
		bg_err(err, errlen, "URL too long");
		return NULL;
	}
	memset(&r, 0, sizeof(r));
	if (graph_send(s->http, url, s->token.access_token, body,
	    now_ms() + c->graph.timeout * 1000, &r, &e) == -1) {
		*status = e.status;
		graph_strerror(&e, why, sizeof(why));
		bg_err(err, errlen, "%s", why);
		http_response_free(&r);
		if (e.status == 401)
			graph_token_free(&s->token);
		return NULL;
	}
	*status = r.status;
	if (r.status == 204)		/* a POST's "No Content" */
		j = cJSON_CreateObject();
	else if ((j = cJSON_ParseWithLength(r.body, r.len)) == NULL ||
	    !cJSON_IsObject(j)) {
		bg_err(err, errlen, "%s: not a JSON object", path);
		cJSON_Delete(j);
		j = NULL;
	}
	http_response_free(&r);
	return j;
}
