/* SPDX-License-Identifier: ISC */
/* auth.c - OAuth 2.0 client credentials: a secret or a certificate JWT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>
#include <curl/curl.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "graph.h"

void
graph_token_free(struct graph_token *t)
{
	if (t->access_token != NULL) {
		explicit_bzero(t->access_token, strlen(t->access_token));
		free(t->access_token);
	}
	t->access_token = NULL;
	t->expires_ms = 0;
}

/* base64url without padding; out must hold 4 * ceil(len / 3) + 1 */
static void
b64url(const unsigned char *in, size_t len, char *out)
{
	static const char	tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t			i, o = 0;

	for (i = 0; i + 2 < len; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 |
		    in[i + 2];
		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = tab[v >> 6 & 63];
		out[o++] = tab[v & 63];
	}
	if (i < len) {
		unsigned v = (unsigned)in[i] << 16;
		if (i + 1 < len)
			v |= (unsigned)in[i + 1] << 8;
		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		if (i + 1 < len)
			out[o++] = tab[v >> 6 & 63];
	}
	out[o] = '\0';
}

static char *
b64url_str(const char *s)
{
	size_t	 len = strlen(s);
	char	*out = malloc(len / 3 * 4 + 8);

	if (out != NULL)
		b64url((const unsigned char *)s, len, out);
	return out;
}

static char *
json_b64(cJSON *j)
{
	char	*text = cJSON_PrintUnformatted(j), *out = NULL;

	if (text != NULL)
		out = b64url_str(text);
	free(text);
	return out;
}

/*
 * Long on purpose: the RS256 client assertion, header, claims, signature
 * and encoding in the order RFC 7523 and Microsoft's docs give them.
 */
char *
graph_client_assertion(const char *token_url, const char *client_id,
    const char *cert_file, const char *key_file, int64_t now_ms, char *err,
    size_t errlen)
{
	unsigned char	 s256[32], s1[20], *der = NULL, *sig = NULL;
	char		 t256[64], t1[64], jti[37], *h64 = NULL, *c64 = NULL;
	char		*input = NULL, *sig64 = NULL, *jwt = NULL;
	cJSON		*hdr = NULL, *claims = NULL;
	EVP_PKEY	*key = NULL;
	EVP_MD_CTX	*md = NULL;
	X509		*cert = NULL;
	FILE		*fp;
	size_t		 siglen = 0, len;
	int		 derlen;
	long		 now = (long)(now_ms / 1000);

	if ((fp = fopen(cert_file, "re")) == NULL ||
	    (cert = PEM_read_X509(fp, NULL, NULL, NULL)) == NULL) {
		snprintf(err, errlen, "%s: cannot read a PEM certificate",
		    cert_file);
		if (fp != NULL)
			fclose(fp);
		goto out;
	}
	fclose(fp);
	if ((fp = fopen(key_file, "re")) == NULL ||
	    (key = PEM_read_PrivateKey(fp, NULL, NULL, NULL)) == NULL) {
		snprintf(err, errlen, "%s: cannot read a PEM private key",
		    key_file);
		if (fp != NULL)
			fclose(fp);
		goto out;
	}
	fclose(fp);
	if (EVP_PKEY_base_id(key) != EVP_PKEY_RSA) {
		snprintf(err, errlen, "%s: not an RSA key (RS256 needs one)",
		    key_file);
		goto out;
	}
	if ((derlen = i2d_X509(cert, &der)) <= 0) {
		snprintf(err, errlen, "%s: cannot encode the certificate",
		    cert_file);
		goto out;
	}
	EVP_Digest(der, (size_t)derlen, s256, NULL, EVP_sha256(), NULL);
	EVP_Digest(der, (size_t)derlen, s1, NULL, EVP_sha1(), NULL);
	b64url(s256, sizeof(s256), t256);
	b64url(s1, sizeof(s1), t1);
	http_guid(jti);

	hdr = cJSON_CreateObject();
	cJSON_AddStringToObject(hdr, "alg", "RS256");
	cJSON_AddStringToObject(hdr, "typ", "JWT");
	cJSON_AddStringToObject(hdr, "x5t#S256", t256);
	cJSON_AddStringToObject(hdr, "x5t", t1);
	claims = cJSON_CreateObject();
	cJSON_AddStringToObject(claims, "aud", token_url);
	cJSON_AddStringToObject(claims, "iss", client_id);
	cJSON_AddStringToObject(claims, "sub", client_id);
	cJSON_AddStringToObject(claims, "jti", jti);
	cJSON_AddNumberToObject(claims, "nbf", (double)(now - 60));
	cJSON_AddNumberToObject(claims, "iat", (double)now);
	cJSON_AddNumberToObject(claims, "exp", (double)(now + 600));
	if ((h64 = json_b64(hdr)) == NULL || (c64 = json_b64(claims)) == NULL)
		goto oom;
	len = strlen(h64) + strlen(c64) + 2;
	if ((input = malloc(len)) == NULL)
		goto oom;
	snprintf(input, len, "%s.%s", h64, c64);
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(md, NULL, &siglen, (unsigned char *)input,
	    strlen(input)) != 1 || (sig = malloc(siglen)) == NULL ||
	    EVP_DigestSign(md, sig, &siglen, (unsigned char *)input,
	    strlen(input)) != 1) {
		snprintf(err, errlen, "%s: signing the client assertion failed",
		    key_file);
		goto out;
	}
	if ((sig64 = malloc(siglen / 3 * 4 + 8)) == NULL)
		goto oom;
	b64url(sig, siglen, sig64);
	len = strlen(input) + strlen(sig64) + 2;
	if ((jwt = malloc(len)) == NULL)
		goto oom;
	snprintf(jwt, len, "%s.%s", input, sig64);
	goto out;
 oom:
	snprintf(err, errlen, "out of memory");
 out:
	cJSON_Delete(hdr);
	cJSON_Delete(claims);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	X509_free(cert);
	OPENSSL_free(der);
	free(sig);
	free(sig64);
	free(h64);
	free(c64);
	free(input);
	return jwt;
}

static void
copy_json_str(const cJSON *j, const char *key, char *out, size_t size)
{
	const cJSON	*x = cJSON_GetObjectItemCaseSensitive(j, key);

	if (cJSON_IsString(x))
		snprintf(out, size, "%s", x->valuestring);
}

int
graph_parse_token(const char *body, size_t len, long status, int64_t now_ms,
    struct graph_token *t, struct graph_error *e)
{
	cJSON		*j = cJSON_ParseWithLength(body, len);
	const cJSON	*at, *exp;
	int		 rc = -1;

	memset(t, 0, sizeof(*t));
	e->status = status;
	if (status != 200) {
		e->kind = status >= 500 ? GRAPH_E_SERVER : status == 429 ?
		    GRAPH_E_THROTTLED : GRAPH_E_CLIENT;
		if (cJSON_IsObject(j)) {
			copy_json_str(j, "error", e->code, sizeof(e->code));
			copy_json_str(j, "error_description", e->message,
			    sizeof(e->message));
		}
		if (e->message[0] == '\0')
			snprintf(e->message, sizeof(e->message),
			    "token endpoint answered HTTP %ld", status);
		goto out;
	}
	at = cJSON_GetObjectItemCaseSensitive(j, "access_token");
	exp = cJSON_GetObjectItemCaseSensitive(j, "expires_in");
	if (!cJSON_IsString(at) || at->valuestring[0] == '\0') {
		e->kind = GRAPH_E_PARSE;
		snprintf(e->message, sizeof(e->message), "token response has "
		    "no access_token");
		goto out;
	}
	if ((t->access_token = strdup(at->valuestring)) == NULL) {
		e->kind = GRAPH_E_LOCAL;
		snprintf(e->message, sizeof(e->message), "out of memory");
		goto out;
	}
	/* expires_in is a number (AAD v2) or a numeric string (v1) */
	if (cJSON_IsNumber(exp) && exp->valuedouble > 0)
		t->expires_ms = now_ms + (int64_t)exp->valuedouble * 1000;
	else if (cJSON_IsString(exp) && atol(exp->valuestring) > 0)
		t->expires_ms = now_ms + atol(exp->valuestring) * 1000LL;
	else
		t->expires_ms = now_ms + 300 * 1000;
	e->kind = GRAPH_OK;
	rc = 0;
 out:
	cJSON_Delete(j);
	return rc;
}

static int
form_add(char **form, size_t *len, const char *key, const char *value)
{
	char	*esc = curl_easy_escape(NULL, value, 0);
	size_t	 need;
	char	*nf;

	if (esc == NULL)
		return -1;
	need = *len + strlen(key) + strlen(esc) + 3;
	if ((nf = realloc(*form, need)) == NULL) {
		curl_free(esc);
		return -1;
	}
	*form = nf;
	*len += (size_t)snprintf(nf + *len, need - *len, "%s%s=%s",
	    *len ? "&" : "", key, esc);
	curl_free(esc);
	return 0;
}


int
graph_get_token(struct http_client *hc, const struct graph_creds *c,
    int64_t now_ms, int64_t deadline_ms, struct graph_token *t,
    struct graph_error *e)
{
	static const char	*hdrs[] = {
	    "Content-Type: application/x-www-form-urlencoded", NULL };
	struct http_response	 r;
	char			 url[1024], *form = NULL, *jwt = NULL;
	size_t			 flen = 0;
	int64_t			 backoff = 1000;
	int			 rc = -1;

	memset(e, 0, sizeof(*e));
	memset(t, 0, sizeof(*t));
	snprintf(url, sizeof(url), "%s/%s/oauth2/v2.0/token", c->authority,
	    c->tenant);
	if (form_add(&form, &flen, "client_id", c->client_id) == -1 ||
	    form_add(&form, &flen, "scope", c->scope) == -1 ||
	    form_add(&form, &flen, "grant_type", "client_credentials") == -1)
		goto oom;
	if (c->secret != NULL) {
		if (form_add(&form, &flen, "client_secret", c->secret) == -1)
			goto oom;
	} else {
		if ((jwt = graph_client_assertion(url, c->client_id,
		    c->cert_file, c->key_file, now_ms, e->message,
		    sizeof(e->message))) == NULL) {
			e->kind = GRAPH_E_LOCAL;
			goto out;
		}
		if (form_add(&form, &flen, "client_assertion_type",
		    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer") ==
		    -1 || form_add(&form, &flen, "client_assertion", jwt) == -1)
			goto oom;
	}
	for (;;) {
		int64_t left = deadline_ms - http_wall_ms();

		if (left <= 0) {
			if (e->kind == GRAPH_OK) {
				e->kind = GRAPH_E_TRANSPORT;
				e->fail = HTTP_FAIL_TIMEOUT;
				snprintf(e->message, sizeof(e->message),
				    "no time left in this poll");
			}
			goto out;
		}
		if (http_request(hc, url, hdrs, form, (long)left, &r) == -1) {
			e->kind = GRAPH_E_TRANSPORT;
			e->fail = r.fail;
			snprintf(e->message, sizeof(e->message), "%.200s: %s",
			    url, r.error);
			snprintf(e->request_id, sizeof(e->request_id), "%s",
			    r.request_id);
			goto out;
		}
		snprintf(e->request_id, sizeof(e->request_id), "%s",
		    r.request_id);
		if (!http_json_answer(&r, e->message, sizeof(e->message))) {
			e->kind = GRAPH_E_PARSE;
			e->status = r.status;
			http_response_free(&r);
			goto out;
		}
		rc = graph_parse_token(r.body, r.len, r.status, now_ms, t, e);
		e->retry_after = r.retry_after;
		http_response_free(&r);
		if (rc == 0 || (e->kind != GRAPH_E_SERVER &&
		    e->kind != GRAPH_E_THROTTLED))
			goto out;
		/* 429 / 5xx: wait as told, or back off, while time is left */
		{
			int64_t wait = r.retry_after >= 0 ?
			    r.retry_after * 1000 : backoff;
			if (http_wall_ms() + wait >= deadline_ms)
				goto out;
			http_sleep_ms(wait);
			backoff = backoff * 2 > 8000 ? 8000 : backoff * 2;
		}
	}
 oom:
	e->kind = GRAPH_E_LOCAL;
	snprintf(e->message, sizeof(e->message), "out of memory");
 out:
	if (form != NULL) {
		explicit_bzero(form, flen);
		free(form);
	}
	free(jwt);
	return rc;
}
