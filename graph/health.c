/* SPDX-License-Identifier: ISC */
/* health.c - Graph service health issues: GET with retries, paging, parsing */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cJSON.h>

#include "graph.h"

#define ISSUES_PATH \
    "/v1.0/admin/serviceAnnouncement/issues?$filter=isResolved%20eq%20false"


void
graph_strerror(const struct graph_error *e, char *buf, size_t size)
{
	char	status[32] = "";

	if (e->status > 0)
		snprintf(status, sizeof(status), "HTTP %ld ", e->status);
	snprintf(buf, size, "%s%s%s%s%s%s%s", status, e->code,
	    e->code[0] ? ": " : "", e->message,
	    e->request_id[0] ? " (client-request-id " : "", e->request_id,
	    e->request_id[0] ? ")" : "");
}

/* Graph's error body: {"error":{"code":..., "message":...}} */
static void
parse_graph_error(const struct http_response *r, struct graph_error *e)
{
	cJSON		*j = cJSON_ParseWithLength(r->body, r->len);
	const cJSON	*er = cJSON_GetObjectItemCaseSensitive(j, "error");
	const cJSON	*code = cJSON_GetObjectItemCaseSensitive(er, "code");
	const cJSON	*msg = cJSON_GetObjectItemCaseSensitive(er, "message");

	e->status = r->status;
	if (cJSON_IsString(code))
		snprintf(e->code, sizeof(e->code), "%s", code->valuestring);
	if (cJSON_IsString(msg))
		snprintf(e->message, sizeof(e->message), "%s", msg->valuestring);
	if (e->message[0] == '\0')
		snprintf(e->message, sizeof(e->message), "%s answer without a "
		    "Graph error body", r->content_type[0] ? r->content_type :
		    "an");
	cJSON_Delete(j);
}

int
graph_get(struct http_client *hc, const char *url, const char *token,
    int64_t deadline_ms, struct http_response *r, struct graph_error *e)
{
	return graph_send(hc, url, token, NULL, deadline_ms, r, e);
}

int
graph_send(struct http_client *hc, const char *url, const char *token,
    const char *body, int64_t deadline_ms, struct http_response *r,
    struct graph_error *e)
{
	char		 auth[8192];
	const char	*hdrs[] = { auth, "Accept: application/json",
			    body != NULL ? "Content-Type: application/json" :
			    NULL, NULL };
	int64_t		 backoff = 1000;
	int		 ok;

	memset(e, 0, sizeof(*e));
	if ((size_t)snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
	    token) >= sizeof(auth)) {
		e->kind = GRAPH_E_LOCAL;
		snprintf(e->message, sizeof(e->message), "access token too long");
		return -1;
	}
	for (;;) {
		int64_t	wait, left = deadline_ms - http_wall_ms();

		if (left <= 0) {
			if (e->kind == GRAPH_OK) {
				e->kind = GRAPH_E_TRANSPORT;
				snprintf(e->message, sizeof(e->message),
				    "no time left in this poll");
			}
			break;
		}
		memset(e, 0, sizeof(*e));
		if (http_request(hc, url, hdrs, body, (long)left, r) == -1) {
			e->kind = GRAPH_E_TRANSPORT;
			e->fail = r->fail;
			snprintf(e->message, sizeof(e->message), "%s",
			    r->error);
			snprintf(e->request_id, sizeof(e->request_id), "%s",
			    r->request_id);
			break;
		}
		snprintf(e->request_id, sizeof(e->request_id), "%s",
		    r->request_id);
		/* a GET answers 200 with JSON; a POST any 2xx, 204 empty */
		ok = body == NULL ? r->status == 200 : r->status >= 200 &&
		    r->status <= 299;
		if (ok && r->status != 204 && !http_json_answer(r, e->message,
		    sizeof(e->message))) {
			e->kind = GRAPH_E_PARSE;
			e->status = r->status;
			http_response_free(r);
			break;
		}
		if (ok) {
			explicit_bzero(auth, sizeof(auth));
			return 0;
		}
		parse_graph_error(r, e);
		e->retry_after = r->retry_after;
		e->kind = r->status == 429 ? GRAPH_E_THROTTLED :
		    r->status >= 500 ? GRAPH_E_SERVER : GRAPH_E_CLIENT;
		wait = r->retry_after >= 0 ? r->retry_after * 1000 : backoff;
		http_response_free(r);
		if (e->kind == GRAPH_E_CLIENT ||
		    http_wall_ms() + wait >= deadline_ms)
			break;	/* 4xx, or no time to wait as told */
		http_sleep_ms(wait);
		backoff = backoff * 2 > 8000 ? 8000 : backoff * 2;
	}
	explicit_bzero(auth, sizeof(auth));
	return -1;
}

static char *
jdup(const cJSON *o, const char *key)
{
	const cJSON	*x = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(x) ? strdup(x->valuestring) : NULL;
}

static void
issue_free(struct graph_issue *i)
{
	free(i->id);
	free(i->title);
	free(i->impact);
	free(i->classification);
	free(i->status);
	free(i->service);
	free(i->feature);
	free(i->feature_group);
	free(i->last_modified);
}

void
graph_issues_free(struct graph_issues *is)
{
	for (size_t i = 0; i < is->n; i++)
		issue_free(&is->v[i]);
	free(is->v);
	is->v = NULL;
	is->n = 0;
}

int
graph_parse_issues(const char *body, size_t len, struct graph_issues *is,
    char **next, struct graph_error *e)
{
	cJSON		*j = cJSON_ParseWithLength(body, len);
	const cJSON	*value, *item, *nl;
	int		 rc = -1;

	*next = NULL;
	memset(e, 0, sizeof(*e));
	value = cJSON_GetObjectItemCaseSensitive(j, "value");
	if (!cJSON_IsObject(j) || !cJSON_IsArray(value)) {
		e->kind = GRAPH_E_PARSE;
		snprintf(e->message, sizeof(e->message), "issues response is "
		    "not a Graph collection (%s)", j == NULL ? "not JSON" :
		    "no value array");
		goto out;
	}
	cJSON_ArrayForEach(item, value) {
		struct graph_issue *v, *i;
		const cJSON *res;

		if (!cJSON_IsObject(item))
			continue;
		if ((v = realloc(is->v, (is->n + 1) * sizeof(*v))) == NULL) {
			e->kind = GRAPH_E_LOCAL;
			snprintf(e->message, sizeof(e->message), "out of memory");
			goto out;
		}
		is->v = v;
		i = &is->v[is->n];
		memset(i, 0, sizeof(*i));
		i->id = jdup(item, "id");
		i->title = jdup(item, "title");
		i->impact = jdup(item, "impactDescription");
		i->classification = jdup(item, "classification");
		i->status = jdup(item, "status");
		i->service = jdup(item, "service");
		i->feature = jdup(item, "feature");
		i->feature_group = jdup(item, "featureGroup");
		i->last_modified = jdup(item, "lastModifiedDateTime");
		res = cJSON_GetObjectItemCaseSensitive(item, "isResolved");
		/* an issue that does not say it is resolved is taken as open */
		i->is_resolved = cJSON_IsTrue(res);
		if (i->id == NULL) {
			issue_free(i);
			continue;	/* not an issue we could cite */
		}
		is->n++;
	}
	nl = cJSON_GetObjectItemCaseSensitive(j, "@odata.nextLink");
	if (cJSON_IsString(nl) && nl->valuestring[0] != '\0' &&
	    (*next = strdup(nl->valuestring)) == NULL) {
		e->kind = GRAPH_E_LOCAL;
		snprintf(e->message, sizeof(e->message), "out of memory");
		goto out;
	}
	is->pages++;
	rc = 0;
 out:
	cJSON_Delete(j);
	return rc;
}

int
graph_list_issues(struct http_client *hc, const char *endpoint,
    const char *token, int64_t deadline_ms, struct graph_issues *is,
    struct graph_error *e)
{
	struct http_response	 r;
	char			 origin[512], norigin[512], *url, *next = NULL;
	size_t			 len;
	int			 rc = -1;

	memset(is, 0, sizeof(*is));
	if (http_origin(endpoint, origin, sizeof(origin)) == -1) {
		memset(e, 0, sizeof(*e));
		e->kind = GRAPH_E_LOCAL;
		snprintf(e->message, sizeof(e->message), "graph.endpoint %s is "
		    "not an https URL", endpoint);
		return -1;
	}
	len = strlen(endpoint) + sizeof(ISSUES_PATH);
	if ((url = malloc(len)) == NULL)
		return -1;
	snprintf(url, len, "%s%s", endpoint, ISSUES_PATH);
	for (;;) {
		if (graph_get(hc, url, token, deadline_ms, &r, e) == -1)
			goto out;
		rc = graph_parse_issues(r.body, r.len, is, &next, e);
		if (rc == -1 && e->kind == GRAPH_E_PARSE)
			snprintf(e->request_id, sizeof(e->request_id), "%s",
			    r.request_id);
		http_response_free(&r);
		if (rc == -1)
			goto out;
		rc = -1;
		if (next == NULL)
			break;
		/* the token goes to Graph only, never to a host a page names */
		if (http_origin(next, norigin, sizeof(norigin)) == -1 ||
		    strcmp(norigin, origin) != 0) {
			e->kind = GRAPH_E_PARSE;
			snprintf(e->message, sizeof(e->message), "@odata.nextLink "
			    "points away from %.200s; not followed", origin);
			goto out;
		}
		if (is->pages >= GRAPH_MAX_PAGES) {
			e->kind = GRAPH_E_PARSE;
			snprintf(e->message, sizeof(e->message), "more than %d "
			    "pages of issues (a nextLink loop?)",
			    GRAPH_MAX_PAGES);
			goto out;
		}
		free(url);
		url = next;
		next = NULL;
	}
	rc = 0;
 out:
	free(url);
	free(next);
	if (rc == -1)
		graph_issues_free(is);
	return rc;
}
