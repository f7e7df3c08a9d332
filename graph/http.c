/* SPDX-License-Identifier: ISC */
/* http.c - the one curl wrapper: TLS verified, timeouts, size cap, reuse */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/rand.h>

#include "http.h"

struct http_client {
	CURL	*curl;
	char	*ca_file;
	long	 timeout_ms;
};

static volatile sig_atomic_t	*abort_flag;

void
http_set_abort_flag(volatile sig_atomic_t *flag)
{
	abort_flag = flag;
}

int
http_aborted(void)
{
	return abort_flag != NULL && *abort_flag;
}

void
http_sleep_ms(int64_t ms)
{
	while (ms > 0 && !http_aborted()) {
		int64_t step = ms > 100 ? 100 : ms;
		struct timespec ts = { 0, (long)step * 1000000 };
		nanosleep(&ts, NULL);
		ms -= step;
	}
}

static int
progress_cb(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	(void)arg;
	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return http_aborted();	/* non-zero aborts the transfer */
}

struct sink {
	char	*buf;
	size_t	 len;
	size_t	 cap;
	int	 too_big;
};

static size_t
write_cb(char *data, size_t size, size_t n, void *arg)
{
	struct sink	*s = arg;
	size_t		 len = size * n;

	if (s->len + len > HTTP_BODY_MAX) {
		s->too_big = 1;
		return 0;		/* curl aborts the transfer */
	}
	if (s->len + len + 1 > s->cap) {
		size_t ncap = s->cap ? s->cap : 16384;
		char *nb;
		while (ncap < s->len + len + 1)
			ncap *= 2;
		if ((nb = realloc(s->buf, ncap)) == NULL)
			return 0;
		s->buf = nb;
		s->cap = ncap;
	}
	memcpy(s->buf + s->len, data, len);
	s->len += len;
	s->buf[s->len] = '\0';
	return len;
}

struct http_client *
http_new(const char *ca_file, long timeout_sec, char *err, size_t errlen)
{
	static int		 inited;
	struct http_client	*c;

	if (!inited) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			snprintf(err, errlen, "curl_global_init failed");
			return NULL;
		}
		inited = 1;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->curl = curl_easy_init()) == NULL) {
		free(c);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (ca_file != NULL && (c->ca_file = strdup(ca_file)) == NULL) {
		http_free(c);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->timeout_ms = timeout_sec * 1000;
	return c;
}

void
http_free(struct http_client *c)
{
	if (c == NULL)
		return;
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	free(c->ca_file);
	free(c);
}

int
http_json_answer(const struct http_response *r, char *err, size_t errlen)
{
	if (r->status < 200 || r->status > 299 ||
	    strncasecmp(r->content_type, "application/json", 16) == 0)
		return 1;
	snprintf(err, errlen, "HTTP %ld answer is %s, not application/json "
	    "(a proxy or captive portal in the way?)", r->status,
	    r->content_type[0] ? r->content_type : "without a Content-Type");
	return 0;
}

void
http_response_free(struct http_response *r)
{
	free(r->body);
	r->body = NULL;
	r->len = 0;
}

void
http_guid(char out[37])
{
	unsigned char	b[16];

	if (RAND_bytes(b, sizeof(b)) != 1)
		memset(b, 0x5a, sizeof(b));
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
	    b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

int
http_origin(const char *url, char *out, size_t size)
{
	const char	*host, *end;
	size_t		 len;

	if (strncasecmp(url, "https://", 8) != 0)
		return -1;
	host = url + 8;
	end = host + strcspn(host, "/?#");
	if (end == host || memchr(host, '@', (size_t)(end - host)) != NULL)
		return -1;	/* no userinfo tricks */
	len = (size_t)(end - url);
	if (len + 1 > size)
		return -1;
	memcpy(out, url, len);
	out[len] = '\0';
	for (char *p = out; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return 0;
}

static long
parse_retry_after(CURL *curl)
{
	struct curl_header	*h = NULL;
	char			*end;
	long			 v;

	if (curl_easy_header(curl, "Retry-After", 0, CURLH_HEADER, -1,
	    &h) != CURLHE_OK || h == NULL)
		return -1;
	v = strtol(h->value, &end, 10);
	if (end == h->value || v < 0)
		return -1;		/* an HTTP date: treat as absent */
	return v > 3600 ? 3600 : v;
}

int64_t
http_wall_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *
http_fail_name(enum http_fail f)
{
	static const char *const names[] = {
		[HTTP_FAIL_NONE] = "none", [HTTP_FAIL_TIMEOUT] = "timeout",
		[HTTP_FAIL_CONNECT] = "connection", [HTTP_FAIL_DNS] = "dns",
		[HTTP_FAIL_TLS] = "tls", [HTTP_FAIL_OTHER] = "other",
	};

	return (size_t)f < sizeof(names) / sizeof(names[0]) ? names[f] : "?";
}

/*
 * curl's codes into the classes of enum http_fail.  Only what cannot be
 * told from a network attacker's work more cheaply stays "timeout" or
 * "connection"; a resolver that times out is still a DNS failure (curl
 * reports it as CURLE_OPERATION_TIMEDOUT, "Resolving timed out ...").
 */
static enum http_fail
classify(CURLcode rc, const char *errbuf)
{
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return strncmp(errbuf, "Resolving timed out", 19) == 0 ?
		    HTTP_FAIL_DNS : HTTP_FAIL_TIMEOUT;
	case CURLE_COULDNT_CONNECT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		return HTTP_FAIL_CONNECT;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return HTTP_FAIL_DNS;
	case CURLE_PEER_FAILED_VERIFICATION:	/* = CURLE_SSL_CACERT */
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_USE_SSL_FAILED:
		return HTTP_FAIL_TLS;
	default:
		return HTTP_FAIL_OTHER;
	}
}

int
http_request(struct http_client *c, const char *url,
    const char *const *headers, const char *body, long timeout_ms,
    struct http_response *r)
{
	struct curl_slist	*hl = NULL, *nl;
	struct sink		 s = { 0 };
	char			 errbuf[CURL_ERROR_SIZE] = "", rid[80];
	char			*ct = NULL;
	CURL			*h = c->curl;
	CURLcode		 rc;
	long			 t = c->timeout_ms;

	memset(r, 0, sizeof(*r));
	r->retry_after = -1;
	if (timeout_ms > 0 && timeout_ms < t)
		t = timeout_ms;
	if (t < 1)
		t = 1;
	http_guid(r->request_id);
	snprintf(rid, sizeof(rid), "client-request-id: %s", r->request_id);
	if ((hl = curl_slist_append(NULL, rid)) == NULL)
		goto oom;
	for (; headers != NULL && *headers != NULL; headers++) {
		if ((nl = curl_slist_append(hl, *headers)) == NULL)
			goto oom;
		hl = nl;
	}
	curl_easy_reset(h);	/* keeps the connection, drops the options */
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->ca_file != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, t);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, t);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_MAXCONNECTS, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "breakglass");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, progress_cb);
	if (body != NULL) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	rc = curl_easy_perform(h);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hl);
	if (rc != CURLE_OK) {
		free(s.buf);
		r->timed_out = rc == CURLE_OPERATION_TIMEDOUT;
		r->fail = s.too_big ? HTTP_FAIL_OTHER : classify(rc, errbuf);
		if (s.too_big)
			snprintf(r->error, sizeof(r->error), "response larger "
			    "than %d bytes", HTTP_BODY_MAX);
		else
			snprintf(r->error, sizeof(r->error), "%.100s%s%.150s",
			    curl_easy_strerror(rc), errbuf[0] ? ": " : "",
			    errbuf);
		return -1;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK &&
	    ct != NULL)
		snprintf(r->content_type, sizeof(r->content_type), "%s", ct);
	r->retry_after = parse_retry_after(h);
	if (s.buf == NULL && (s.buf = calloc(1, 1)) == NULL)
		goto oom;
	r->body = s.buf;
	r->len = s.len;
	return 0;
 oom:
	curl_slist_free_all(hl);
	free(s.buf);
	snprintf(r->error, sizeof(r->error), "out of memory");
	r->fail = HTTP_FAIL_OTHER;
	return -1;
}
