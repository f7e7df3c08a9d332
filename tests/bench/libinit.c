/* SPDX-License-Identifier: ISC */
/*
 * libinit.c - the peak RSS of one of breakglass's libraries on its own:
 * built once per library (-DWITH_CURL, -DWITH_LDAP, -DWITH_CRYPTO, or none
 * for libc alone), it calls only that library's initialisation and prints
 * its peak RSS in KiB.  make bench reports the four figures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(WITH_CURL)
#include <curl/curl.h>
#elif defined(WITH_LDAP)
#include <ldap.h>
#elif defined(WITH_CRYPTO)
#include <openssl/evp.h>
#endif

int
main(void)
{
	char	 line[256];
	long	 kib = -1;
	FILE	*fp;
#if defined(WITH_CURL)
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
#elif defined(WITH_LDAP)
	LDAP	*ld;

	if (ldap_initialize(&ld, "ldaps://127.0.0.1") != LDAP_SUCCESS)
		return 1;
#elif defined(WITH_CRYPTO)
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen;

	if (EVP_Digest("x", 1, md, &mdlen, EVP_sha256(), NULL) != 1)
		return 1;
#endif
	if ((fp = fopen("/proc/self/status", "r")) == NULL)
		return 1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, "VmHWM:", 6) == 0)
			kib = atol(line + 6);
	fclose(fp);
	printf("%ld\n", kib);
	return kib < 0;
}
