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

int64_t
session_hold_until(int64_t now, long long secs)
{
	if (secs > RETRY_AFTER_MAX) {
		log_warnx("Graph asked to wait %lld s (Retry-After); waiting "
		    "%d s, the most breakglass waits", secs, RETRY_AFTER_MAX);
		secs = RETRY_AFTER_MAX;
	}
	return now + secs * 1000;
}

void
session_hold_off(struct graph_session *s, long long secs)
{
	s->not_before_ms = session_hold_until(now_ms(), secs);
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

/*
 * GET url (absolute), or POST body to it, with the token: the JSON object
 * of a 2xx ({} for a 204 "No Content"), or NULL
 */
static cJSON *
send_url(const struct config *c, struct graph_session *s, const char *url,
    const char *body, struct session_answer *a)
{
	struct http_response	 r;
	struct graph_error	 e;
	char			 why[1024];
	int64_t			 now = now_ms();
	cJSON			*j;

	if (session_token(c, s, now, now + c->graph.timeout * 1000) == -1) {
		bg_err(a->err, sizeof(a->err), "%s", s->why);
		return NULL;
	}
	memset(&r, 0, sizeof(r));
	if (graph_send(s->http, url, s->token.access_token, body,
	    now_ms() + c->graph.timeout * 1000, &r, &e) == -1) {
		a->status = e.status;
		a->retry_after = e.retry_after;
		snprintf(a->code, sizeof(a->code), "%s", e.code);
		graph_strerror(&e, why, sizeof(why));
		bg_err(a->err, sizeof(a->err), "%s", why);
		http_response_free(&r);
		if (e.status == 401)
			graph_token_free(&s->token);
		return NULL;
	}
	a->status = r.status;
	if (r.status == 204)		/* a POST's "No Content" */
		j = cJSON_CreateObject();
	else if ((j = cJSON_ParseWithLength(r.body, r.len)) == NULL ||
	    !cJSON_IsObject(j)) {
		bg_err(a->err, sizeof(a->err), "not a JSON object");
		cJSON_Delete(j);
		j = NULL;
	}
	http_response_free(&r);
	return j;
}

/* graph.endpoint + path, or -1 */
static int
endpoint_url(const struct config *c, const char *path, char *url,
    size_t size)
{
	return (size_t)snprintf(url, size, "%s%s", c->graph.endpoint, path) >=
	    size ? -1 : 0;
}

static cJSON *
send_path(const struct config *c, struct graph_session *s, const char *path,
    const char *body, long *status, char *err, size_t errlen)
{
	struct session_answer	 a;
	char			 url[2048];
	cJSON			*j;

	memset(&a, 0, sizeof(a));
	*status = 0;
	if (endpoint_url(c, path, url, sizeof(url)) == -1) {
		bg_err(err, errlen, "URL too long");
		return NULL;
	}
	j = send_url(c, s, url, body, &a);
	*status = a.status;
	if (j == NULL)
		bg_err(err, errlen, "%s%s%s", a.status == 200 ? path : "",
		    a.status == 200 ? ": " : "", a.err);
	return j;
}

cJSON *
session_get(const struct config *c, struct graph_session *s, const char *path,
    long *status, char *err, size_t errlen)
{
	return send_path(c, s, path, NULL, status, err, errlen);
}

cJSON *
session_send(const struct config *c, struct graph_session *s,
    const char *path, const char *body, long *status, char *err,
    size_t errlen)
{
	return send_path(c, s, path, body, status, err, errlen);
}

cJSON *
session_list(const struct config *c, struct graph_session *s,
    const char *path, struct session_answer *a)
{
	char	 url[2048], origin[512], norigin[512];
	cJSON	*all = cJSON_CreateObject(), *items, *page = NULL;
	int	 pages = 0;

	memset(a, 0, sizeof(*a));
	items = cJSON_AddArrayToObject(all, "value");
	if (items == NULL || endpoint_url(c, path, url, sizeof(url)) == -1 ||
	    http_origin(c->graph.endpoint, origin, sizeof(origin)) == -1) {
		bg_err(a->err, sizeof(a->err), "%s: URL too long or not https",
		    path);
		goto fail;
	}
	for (;;) {
		const cJSON	*v, *nl;
		cJSON		*it;

		if ((page = send_url(c, s, url, NULL, a)) == NULL)
			goto fail;
		v = cJSON_GetObjectItemCaseSensitive(page, "value");
		if (!cJSON_IsArray(v)) {
			bg_err(a->err, sizeof(a->err), "%s: not a Graph "
			    "collection (no value array)", path);
			goto fail;
		}
		/* move the page's items over, no copy */
		while ((it = cJSON_DetachItemFromArray((cJSON *)v, 0)) != NULL)
			cJSON_AddItemToArray(items, it);
		nl = cJSON_GetObjectItemCaseSensitive(page, "@odata.nextLink");
		pages++;
		if (!cJSON_IsString(nl) || nl->valuestring[0] == '\0')
			break;
		/* the token goes to Graph only, never to a host a page names */
		if (http_origin(nl->valuestring, norigin, sizeof(norigin)) ==
		    -1 || strcmp(norigin, origin) != 0) {
			bg_err(a->err, sizeof(a->err), "%s: @odata.nextLink "
			    "points away from %.200s; not followed", path,
			    origin);
			goto fail;
		}
		if (pages >= GRAPH_MAX_PAGES) {
			bg_err(a->err, sizeof(a->err), "%s: more than %d pages "
			    "(a nextLink loop?)", path, GRAPH_MAX_PAGES);
			goto fail;
		}
		if ((size_t)snprintf(url, sizeof(url), "%s", nl->valuestring) >=
		    sizeof(url)) {
			bg_err(a->err, sizeof(a->err), "%s: @odata.nextLink "
			    "too long", path);
			goto fail;
		}
		cJSON_Delete(page);
		page = NULL;
	}
	cJSON_Delete(page);
	a->pages = pages;
	return all;
 fail:
	cJSON_Delete(page);
	cJSON_Delete(all);
	return NULL;
}
