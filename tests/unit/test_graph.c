/* SPDX-License-Identifier: ISC */
/* test_graph.c - Graph parsers (issues page, token) and the client assertion */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "../../graph/graph.h"

#define NOW	1764036600000LL

static void
test_issues_page(void **state)
{
	static const char page[] = "{\"@odata.context\":\"https://graph."
	    "microsoft.com/v1.0/$metadata#admin/serviceAnnouncement/issues\","
	    "\"value\":[{\"startDateTime\":\"2026-11-25T01:00:00Z\","
	    "\"endDateTime\":null,\"lastModifiedDateTime\":\"2026-11-25T01:10:"
	    "00Z\",\"title\":\"Sign-in failures\",\"id\":\"AD123456\","
	    "\"impactDescription\":\"Users can't sign in\",\"classification\":"
	    "\"incident\",\"origin\":\"microsoft\",\"status\":"
	    "\"serviceInterruption\",\"service\":\"Microsoft Entra\","
	    "\"feature\":\"Sign In\",\"featureGroup\":null,\"isResolved\":false,"
	    "\"highImpact\":null,\"details\":[],\"posts\":[]},"
	    "{\"id\":\"EX1\",\"isResolved\":true,\"service\":\"Exchange Online\"},"
	    "{\"title\":\"no id: skipped\"}, 17],"
	    "\"@odata.nextLink\":\"https://graph.microsoft.com/v1.0/admin/"
	    "serviceAnnouncement/issues?$skiptoken=2\"}";
	struct graph_issues	is = { 0 };
	struct graph_error	e;
	char			*next;

	(void)state;
	assert_int_equal(graph_parse_issues(page, strlen(page), &is, &next,
	    &e), 0);
	assert_int_equal(is.n, 2);
	assert_string_equal(is.v[0].id, "AD123456");
	assert_string_equal(is.v[0].service, "Microsoft Entra");
	assert_string_equal(is.v[0].status, "serviceInterruption");
	assert_string_equal(is.v[0].impact, "Users can't sign in");
	assert_string_equal(is.v[0].feature, "Sign In");
	assert_null(is.v[0].feature_group);
	assert_false(is.v[0].is_resolved);
	assert_true(is.v[1].is_resolved);
	assert_non_null(next);
	assert_non_null(strstr(next, "$skiptoken=2"));
	free(next);
	/* a second page appends */
	assert_int_equal(graph_parse_issues("{\"value\":[{\"id\":\"Z\"}]}", 22,
	    &is, &next, &e), 0);
	assert_int_equal(is.n, 3);
	assert_null(next);
	assert_int_equal(is.pages, 2);
	graph_issues_free(&is);
}

static void
test_issues_bad(void **state)
{
	static const char *bad[] = { "", "not json", "[]", "{}",
	    "{\"value\":{}}", "{\"value\":[{\"id\":\"X\"}", "null" };
	struct graph_issues	is = { 0 };
	struct graph_error	e;
	char			*next;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(graph_parse_issues(bad[i], strlen(bad[i]), &is,
		    &next, &e), -1);
		assert_int_equal(e.kind, GRAPH_E_PARSE);
		assert_null(next);
	}
	graph_issues_free(&is);
}

static void
test_token_parse(void **state)
{
	static const char ok[] = "{\"token_type\":\"Bearer\",\"expires_in\":"
	    "3599,\"ext_expires_in\":3599,\"access_token\":\"eyJ0eXAi\"}";
	static const char err[] = "{\"error\":\"invalid_client\","
	    "\"error_description\":\"AADSTS7000215: Invalid client secret "
	    "provided.\",\"error_codes\":[7000215]}";
	struct graph_token	t;
	struct graph_error	e;

	(void)state;
	memset(&e, 0, sizeof(e));
	assert_int_equal(graph_parse_token(ok, strlen(ok), 200, NOW, &t, &e),
	    0);
	assert_string_equal(t.access_token, "eyJ0eXAi");
	assert_int_equal(t.expires_ms, NOW + 3599000);
	graph_token_free(&t);
	memset(&e, 0, sizeof(e));
	assert_int_equal(graph_parse_token(err, strlen(err), 401, NOW, &t, &e),
	    -1);
	assert_int_equal(e.kind, GRAPH_E_CLIENT);
	assert_string_equal(e.code, "invalid_client");
	assert_non_null(strstr(e.message, "AADSTS7000215"));
	memset(&e, 0, sizeof(e));
	assert_int_equal(graph_parse_token("oops", 4, 503, NOW, &t, &e), -1);
	assert_int_equal(e.kind, GRAPH_E_SERVER);
	memset(&e, 0, sizeof(e));
	assert_int_equal(graph_parse_token("{}", 2, 200, NOW, &t, &e), -1);
	assert_int_equal(e.kind, GRAPH_E_PARSE);
	memset(&e, 0, sizeof(e));
	{
		const char *v1 = "{\"access_token\":\"a\",\"expires_in\":\"60\"}";
		assert_int_equal(graph_parse_token(v1, strlen(v1), 200, NOW, &t,
		    &e), 0);
	}
	assert_int_equal(t.expires_ms, NOW + 60000);
	graph_token_free(&t);
}

static unsigned char *
b64url_decode(const char *in, size_t len, size_t *outlen)
{
	char		*s = malloc(len + 4);
	unsigned char	*out = malloc(len + 4);
	size_t		 n = len;
	int		 r;

	for (size_t i = 0; i < len; i++)
		s[i] = in[i] == '-' ? '+' : in[i] == '_' ? '/' : in[i];
	while (n % 4)
		s[n++] = '=';
	r = EVP_DecodeBlock(out, (unsigned char *)s, (int)n);
	free(s);
	assert_true(r >= 0);
	*outlen = (size_t)r - (len % 4 == 2 ? 2 : len % 4 == 3 ? 1 : 0);
	return out;
}

static char dir[64];

static void
make_cert(char *cert, char *key)
{
	char cmd[512];

	snprintf(dir, sizeof(dir), "/tmp/bg-jwt-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(cert, 128, "%s/cert.pem", dir);
	snprintf(key, 128, "%s/key.pem", dir);
	snprintf(cmd, sizeof(cmd), "openssl req -x509 -newkey rsa:2048 -nodes "
	    "-keyout %s -out %s -days 1 -subj /CN=app 2>/dev/null", key, cert);
	assert_int_equal(system(cmd), 0);
}

/* the assertion verifies with the certificate's public key, not our code */
static void
test_client_assertion(void **state)
{
	char		 cert[128], key[128], err[256], cmd[128];
	const char	*url = "https://login.example/tenant/oauth2/v2.0/token";
	char		*jwt, *d1, *d2;
	unsigned char	*hdr, *claims, *sig;
	size_t		 hl, cl, sl;
	cJSON		*h, *c;
	FILE		*fp;
	X509		*x;
	EVP_MD_CTX	*md;

	(void)state;
	make_cert(cert, key);
	jwt = graph_client_assertion(url, "client-1", cert, key, NOW, err,
	    sizeof(err));
	assert_non_null(jwt);
	d1 = strchr(jwt, '.');
	d2 = strchr(d1 + 1, '.');
	assert_non_null(d2);
	hdr = b64url_decode(jwt, (size_t)(d1 - jwt), &hl);
	claims = b64url_decode(d1 + 1, (size_t)(d2 - d1 - 1), &cl);
	sig = b64url_decode(d2 + 1, strlen(d2 + 1), &sl);
	h = cJSON_ParseWithLength((char *)hdr, hl);
	c = cJSON_ParseWithLength((char *)claims, cl);
	assert_string_equal(cJSON_GetObjectItem(h, "alg")->valuestring, "RS256");
	assert_string_equal(cJSON_GetObjectItem(h, "typ")->valuestring, "JWT");
	assert_int_equal(strlen(cJSON_GetObjectItem(h, "x5t#S256")->valuestring),
	    43);
	assert_string_equal(cJSON_GetObjectItem(c, "aud")->valuestring, url);
	assert_string_equal(cJSON_GetObjectItem(c, "iss")->valuestring,
	    "client-1");
	assert_string_equal(cJSON_GetObjectItem(c, "sub")->valuestring,
	    "client-1");
	assert_int_equal(strlen(cJSON_GetObjectItem(c, "jti")->valuestring), 36);
	assert_true(cJSON_GetObjectItem(c, "nbf")->valuedouble <= NOW / 1000);
	assert_true(cJSON_GetObjectItem(c, "exp")->valuedouble > NOW / 1000);

	fp = fopen(cert, "r");
	x = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	md = EVP_MD_CTX_new();
	assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL,
	    X509_get0_pubkey(x)), 1);
	assert_int_equal(EVP_DigestVerify(md, sig, sl, (unsigned char *)jwt,
	    (size_t)(d2 - jwt)), 1);
	/* one flipped byte of the signed part must fail */
	jwt[5] ^= 1;
	EVP_MD_CTX_reset(md);
	EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, X509_get0_pubkey(x));
	assert_int_not_equal(EVP_DigestVerify(md, sig, sl, (unsigned char *)jwt,
	    (size_t)(d2 - jwt)), 1);
	EVP_MD_CTX_free(md);
	X509_free(x);
	cJSON_Delete(h);
	cJSON_Delete(c);
	free(hdr);
	free(claims);
	free(sig);
	free(jwt);
	assert_null(graph_client_assertion(url, "c", "/nonexistent", key, NOW,
	    err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent"));
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void
test_origin(void **state)
{
	char o[128];

	(void)state;
	assert_int_equal(http_origin("https://Graph.Microsoft.com/v1.0/x?y",
	    o, sizeof(o)), 0);
	assert_string_equal(o, "https://graph.microsoft.com");
	assert_int_equal(http_origin("https://127.0.0.1:8443/v1.0", o,
	    sizeof(o)), 0);
	assert_string_equal(o, "https://127.0.0.1:8443");
	assert_int_equal(http_origin("http://graph.microsoft.com/", o,
	    sizeof(o)), -1);
	assert_int_equal(http_origin("https://user@evil/", o, sizeof(o)), -1);
	assert_int_equal(http_origin("https:///x", o, sizeof(o)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_issues_page),
		cmocka_unit_test(test_issues_bad),
		cmocka_unit_test(test_token_parse),
		cmocka_unit_test(test_client_assertion),
		cmocka_unit_test(test_origin),
	};
	return cmocka_run_group_tests_name("graph", tests, NULL, NULL);
}
