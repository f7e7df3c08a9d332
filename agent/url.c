/* SPDX-License-Identifier: ISC */
/* url.c - the relay's and the webhook's URLs, read by libcurl's own parser */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "url.h"

/* url parsed, or NULL; a URL needs its scheme and no blank or control byte */
static CURLU *
url_parse(const char *url)
{
	CURLU	*u;

	for (const unsigned char *p = (const unsigned char *)url; *p; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return NULL;
	if ((u = curl_url()) == NULL)
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, url,
	    CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
		curl_url_cleanup(u);
		return NULL;
	}
	return u;
}

/* part of u, or NULL when absent; curl_free() it */
static char *
url_part(CURLU *u, CURLUPart what)
{
	char	*v = NULL;

	if (curl_url_get(u, what, &v, 0) != CURLUE_OK)
		return NULL;
	return v;
}

int
url_check(const char *url, const char *const *schemes, int userinfo_ok,
    char *why, size_t size)
{
	CURLU		*u;
	char		*scheme = NULL, *host = NULL, *user = NULL, *pass = NULL;
	char		*opts = NULL;
	const char	*const *s;
	int		 rc = -1;

	if ((u = url_parse(url)) == NULL) {
		snprintf(why, size, "not a URL libcurl can read (scheme://host"
		    "[:port]/...)");
		return -1;
	}
	scheme = url_part(u, CURLUPART_SCHEME);
	host = url_part(u, CURLUPART_HOST);
	user = url_part(u, CURLUPART_USER);
	pass = url_part(u, CURLUPART_PASSWORD);
	opts = url_part(u, CURLUPART_OPTIONS);
	for (s = schemes; scheme != NULL && *s != NULL; s++)
		if (strcasecmp(scheme, *s) == 0)
			break;
	if (scheme == NULL || *s == NULL) {
		snprintf(why, size, "the scheme must be %s%s%s://", schemes[0],
		    schemes[1] != NULL ? ":// or " : "",
		    schemes[1] != NULL ? schemes[1] : "");
	} else if (host == NULL || *host == '\0')
		snprintf(why, size, "names no host");
	else if (!userinfo_ok && (user != NULL || pass != NULL || opts != NULL))
		snprintf(why, size, "holds user information (user:password@), "
		    "which would be printed and stored with the URL");
	else
		rc = 0;
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	if (pass != NULL)
		explicit_bzero(pass, strlen(pass));
	curl_free(pass);
	curl_free(opts);
	curl_url_cleanup(u);
	return rc;
}

int
url_is_loopback(const char *url)
{
	CURLU		*u;
	char		*host;
	struct in_addr	 a4;
	struct in6_addr	 a6;
	size_t		 len;
	int		 yes = 0;

	if ((u = url_parse(url)) == NULL)
		return 0;
	if ((host = url_part(u, CURLUPART_HOST)) != NULL) {
		len = strlen(host);
		if (strcasecmp(host, "localhost") == 0)
			yes = 1;
		else if (inet_pton(AF_INET, host, &a4) == 1)
			yes = (ntohl(a4.s_addr) >> 24) == 127;
		else if (len > 2 && host[0] == '[' && host[len - 1] == ']') {
			host[len - 1] = '\0';
			yes = inet_pton(AF_INET6, host + 1, &a6) == 1 &&
			    IN6_IS_ADDR_LOOPBACK(&a6);
		}
	}
	curl_free(host);
	curl_url_cleanup(u);
	return yes;
}

void
url_mask(const char *url, char *out, size_t size)
{
	CURLU	*u;
	char	*scheme = NULL, *host = NULL, *port = NULL;

	snprintf(out, size, "***");
	if ((u = url_parse(url)) == NULL)
		return;
	scheme = url_part(u, CURLUPART_SCHEME);
	host = url_part(u, CURLUPART_HOST);
	port = url_part(u, CURLUPART_PORT);
	if (scheme != NULL && host != NULL &&
	    snprintf(out, size, "%s://%s%s%s/***", scheme, host,
	    port != NULL ? ":" : "", port != NULL ? port : "") >= (int)size)
		snprintf(out, size, "***");
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
}
