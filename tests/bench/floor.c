/* SPDX-License-Identifier: ISC */
/*
 * floor.c - the memory floor of breakglass's libraries, without breakglass.
 *
 * make bench builds this with the same libraries as breakglass and runs it
 * next to the agent: it initialises libcurl, libldap and libcrypto the way
 * any program must, then does a bare poll loop of the library calls one
 * agent poll makes (an HTTPS GET on one kept connection, an LDAPS search on
 * one bound session, a SHA-256), and prints its peak RSS in KiB after each
 * stage.  Whatever breakglass's peak RSS is above the last figure is
 * breakglass's own; the figures below it are the libraries'.
 *
 * usage: floor URL CA_FILE LDAPS_URI BIND_DN PASSWORD_FILE BASE_DN POLLS
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <confuse.h>
#include <curl/curl.h>
#include <ldap.h>
#include <openssl/evp.h>

static long
peak_kib(void)
{
	char	 line[256];
	long	 kib = -1;
	FILE	*fp;

	if ((fp = fopen("/proc/self/status", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, "VmHWM:", 6) == 0)
			kib = atol(line + 6);
	fclose(fp);
	return kib;
}

static size_t
discard(void *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

static void
die(const char *what)
{
	fprintf(stderr, "floor: %s\n", what);
	exit(1);
}

int
main(int argc, char *argv[])
{
	char		 pw[256];
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;
	struct berval	 cred;
	LDAPMessage	*res;
	LDAP		*ld;
	CURL		*h;
	FILE		*fp;
	cJSON		*j;
	cfg_opt_t	 opts[] = { CFG_STR("x", "", CFGF_NONE), CFG_END() };
	cfg_t		*cfg;
	char		*attrs[] = { "userAccountControl", NULL };
	int		 v3 = LDAP_VERSION3, i, polls;

	if (argc != 8)
		die("usage: floor URL CA_FILE LDAPS_URI BIND_DN PASSWORD_FILE "
		    "BASE_DN POLLS");
	polls = atoi(argv[7]);
	printf("loaded %ld\n", peak_kib());

	/* the initialisation every user of these libraries pays */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		die("curl_global_init");
	if (ldap_initialize(&ld, argv[3]) != LDAP_SUCCESS)
		die("ldap_initialize");
	EVP_Digest("x", 1, md, &mdlen, EVP_sha256(), NULL);
	cfg = cfg_init(opts, CFGF_NONE);
	j = cJSON_Parse("{\"value\":[]}");
	printf("initialised %ld\n", peak_kib());

	/* one kept HTTPS connection, one bound LDAPS session */
	if ((h = curl_easy_init()) == NULL)
		die("curl_easy_init");
	curl_easy_setopt(h, CURLOPT_URL, argv[1]);
	curl_easy_setopt(h, CURLOPT_CAINFO, argv[2]);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3);
	ldap_set_option(NULL, LDAP_OPT_X_TLS_CACERTFILE, argv[2]);
	if ((fp = fopen(argv[5], "r")) == NULL || fgets(pw, sizeof(pw), fp) ==
	    NULL)
		die("cannot read the password file");
	fclose(fp);
	pw[strcspn(pw, "\n")] = '\0';
	cred.bv_val = pw;
	cred.bv_len = strlen(pw);
	if (ldap_sasl_bind_s(ld, argv[4], LDAP_SASL_SIMPLE, &cred, NULL, NULL,
	    NULL) != LDAP_SUCCESS)
		die("LDAPS bind failed");
	memset(pw, 0, sizeof(pw));

	for (i = 0; i < polls; i++) {
		if (curl_easy_perform(h) != CURLE_OK)
			die("HTTPS GET failed");
		if (ldap_search_ext_s(ld, argv[6], LDAP_SCOPE_BASE, NULL,
		    attrs, 0, NULL, NULL, NULL, 1, &res) != LDAP_SUCCESS)
			die("LDAPS search failed");
		ldap_msgfree(res);
		EVP_Digest(argv[6], strlen(argv[6]), md, &mdlen, EVP_sha256(),
		    NULL);
	}
	printf("polled %ld\n", peak_kib());

	curl_easy_cleanup(h);
	ldap_unbind_ext_s(ld, NULL, NULL);
	cJSON_Delete(j);
	cfg_free(cfg);
	curl_global_cleanup();
	return 0;
}
