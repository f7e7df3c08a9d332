/* SPDX-License-Identifier: ISC */
/* webhook.c - the webhook channel: a JSON POST, Teams/Slack-compatible text */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../graph/http.h"
#include "channel.h"
#include "mail.h"
#include "../util.h"

int
webhook_configured(const struct config *c)
{
	return config_has_webhook(c);
}

int
webhook_send(const struct config *c, const cJSON *notice, char *err,
    size_t errlen)
{
	static const char	*hdrs[] = { "Content-Type: application/json",
	    NULL };
	struct http_client	*hc;
	struct http_response	 r;
	char			*subject, *body, *text, *json, *url = NULL;
	cJSON			*j;
	size_t			 len;
	int			 rc = -1;

	subject = notice_subject(notice);
	body = notice_body(notice);
	if (subject == NULL || body == NULL) {
		free(subject);
		free(body);
		bg_err(err, errlen, "out of memory");
		return -1;
	}
	len = strlen(subject) + strlen(body) + 4;
	text = malloc(len);
	if (text != NULL)
		snprintf(text, len, "%s\n\n%s", subject, body);
	/* "text" for Teams and Slack incoming webhooks, the notice for tools */
	j = cJSON_Duplicate(notice, 1);
	cJSON_AddStringToObject(j, "text", text ? text : subject);
	cJSON_AddStringToObject(j, "summary", subject);
	json = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	free(subject);
	free(body);
	free(text);
	if (json == NULL) {
		bg_err(err, errlen, "out of memory");
		return -1;
	}
	/* read for each message: the file may have been rotated */
	if (config_webhook_url(c, &url, err, errlen) == -1) {
		free(json);
		return -1;
	}
	if ((hc = http_new(c->notify.webhook.ca_file, c->notify.webhook.timeout,
	    err, errlen)) == NULL) {
		secret_free(url);
		free(json);
		return -1;
	}
	/* errors name the host at most, never the path or query (the token) */
	if (http_request(hc, url, hdrs, json, 0, &r) == -1)
		bg_err(err, errlen, "webhook: %s", r.error);
	else if (r.status < 200 || r.status > 299)
		bg_err(err, errlen, "webhook: HTTP %ld", r.status);
	else
		rc = 0;
	http_response_free(&r);
	http_free(hc);
	secret_free(url);
	free(json);
	return rc;
}
