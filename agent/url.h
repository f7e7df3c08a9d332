/* SPDX-License-Identifier: ISC */
/* url.h - the relay's and the webhook's URLs, read by libcurl's own parser */
#ifndef BG_URL_H
#define BG_URL_H

#include <stddef.h>

/*
 * url as libcurl will read it: scheme one of schemes (NULL-terminated,
 * lowercase), a host, and unless userinfo_ok no user:password@ or ;options.
 * -1 with why; why never quotes url, which may hold a secret.
 */
int	url_check(const char *url, const char *const *schemes, int userinfo_ok,
	    char *why, size_t size);
/* the host is exactly localhost, an address in 127.0.0.0/8, or ::1 */
int	url_is_loopback(const char *url);
/*
 * url fit to print: scheme://host[:port]/ and "***" -- user, path, query and
 * fragment are where webhook tokens live.  "***" if it does not parse.
 */
void	url_mask(const char *url, char *out, size_t size);

#endif
