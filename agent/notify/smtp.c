/* SPDX-License-Identifier: ISC */
/* smtp.c - the mail channel: libcurl SMTP, STARTTLS or SMTPS, verified */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "channel.h"
#include "mail.h"
#include "../util.h"

struct reader {
	const char	*data;
	size_t		 len;
	size_t		 off;
};

static size_t
read_cb(char *buf, size_t size, size_t n, void *arg)
{
	struct reader	*r = arg;
	size_t		 left = r->len - r->off, want = size * n;

	if (want > left)
		want = left;
	memcpy(buf, r->data + r->off, want);
	r->off += want;
	return want;
}

/* a handle for the relay: URL, TLS verified, STARTTLS as configured, AUTH */
static CURL *
smtp_handle(const struct config *c, const char *pw, char *errbuf)
{
	CURL	*h;

	if ((h = curl_easy_init()) == NULL)
		return NULL;
	curl_easy_setopt(h, CURLOPT_URL, c->notify.smtp.url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	if (strncasecmp(c->notify.smtp.url, "smtp://", 7) == 0)
		curl_easy_setopt(h, CURLOPT_USE_SSL, strcasecmp(
		    c->notify.smtp.starttls, "none") == 0 ? (long)CURLUSESSL_NONE :
		    (long)CURLUSESSL_ALL);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->notify.smtp.ca_file != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->notify.smtp.ca_file);
	if (c->notify.smtp.username != NULL) {
		curl_easy_setopt(h, CURLOPT_USERNAME, c->notify.smtp.username);
		curl_easy_setopt(h, CURLOPT_PASSWORD, pw);
	}
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	return h;
}

static void
smtp_handle_free(CURL *h)
{
	if (h != NULL) {
		curl_easy_setopt(h, CURLOPT_PASSWORD, "");
		curl_easy_cleanup(h);
	}
}

int
smtp_configured(const struct config *c)
{
	return c->notify.smtp.url != NULL;
}

int
smtp_probe(const struct config *c, char *err, size_t errlen)
{
	char		 errbuf[CURL_ERROR_SIZE] = "", *pw = NULL, why[512];
	CURL		*h;
	CURLcode	 rc;

	if (c->notify.smtp.password_file != NULL &&
	    read_secret_file(c->notify.smtp.password_file, &pw, why,
	    sizeof(why)) == -1) {
		bg_err(err, errlen, "notify.smtp.password_file: %s", why);
		return -1;
	}
	if ((h = smtp_handle(c, pw, errbuf)) == NULL) {
		secret_free(pw);
		bg_err(err, errlen, "out of memory");
		return -1;
	}
	/* greeting, EHLO, STARTTLS (verified), AUTH, then NOOP: no mail */
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "NOOP");
	curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
	rc = curl_easy_perform(h);
	smtp_handle_free(h);
	secret_free(pw);
	if (rc != CURLE_OK) {
		bg_err(err, errlen, "%s: %s%s%s", c->notify.smtp.url,
		    curl_easy_strerror(rc), errbuf[0] ? ": " : "", errbuf);
		return -1;
	}
	return 0;
}

int
smtp_send(const struct config *c, const cJSON *notice, char *err,
    size_t errlen)
{
	struct curl_slist	*rcpt = NULL, *nl;
	struct reader		 rd = { 0 };
	char			 errbuf[CURL_ERROR_SIZE] = "", from[300];
	char			*msg = NULL, *pw = NULL, why[512];
	CURL			*h = NULL;
	CURLcode		 rc;
	int			 ret = -1;

	msg = mail_message(notice, c->notify.smtp.from,
	    (const char *const *)c->notify.smtp.to.v, c->notify.smtp.to.n,
	    now_ms(), why, sizeof(why));
	if (msg == NULL) {
		bg_err(err, errlen, "notify.smtp: mail not composed: %s", why);
		return -1;
	}
	if (c->notify.smtp.password_file != NULL &&
	    read_secret_file(c->notify.smtp.password_file, &pw, why,
	    sizeof(why)) == -1) {
		bg_err(err, errlen, "notify.smtp.password_file: %s", why);
		goto out;
	}
	snprintf(from, sizeof(from), "<%s>", c->notify.smtp.from);
	for (size_t i = 0; i < c->notify.smtp.to.n; i++) {
		char to[300];
		snprintf(to, sizeof(to), "<%s>", c->notify.smtp.to.v[i]);
		if ((nl = curl_slist_append(rcpt, to)) == NULL)
			goto oom;
		rcpt = nl;
	}
	if ((h = smtp_handle(c, pw, errbuf)) == NULL)
		goto oom;
	rd.data = msg;
	rd.len = strlen(msg);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(h, CURLOPT_READDATA, &rd);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)rd.len);
	rc = curl_easy_perform(h);
	if (rc != CURLE_OK) {
		bg_err(err, errlen, "%s: %s%s%s", c->notify.smtp.url,
		    curl_easy_strerror(rc), errbuf[0] ? ": " : "", errbuf);
		goto out;
	}
	ret = 0;
	goto out;
 oom:
	bg_err(err, errlen, "out of memory");
 out:
	smtp_handle_free(h);
	curl_slist_free_all(rcpt);
	secret_free(pw);
	free(msg);
	return ret;
}
