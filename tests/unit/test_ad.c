/* SPDX-License-Identifier: ISC */
/* test_ad.c - the pure parts of ldap/: bit arithmetic, GUID form, escaping */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "../../ldap/ad.h"

static void
test_uac_bit(void **state)
{
	(void)state;
	/* the sequence of the integration test: only 0x2 moves */
	assert_int_equal(ad_uac_with_disabled(66050, 0), 66048);
	assert_int_equal(ad_uac_with_disabled(66048, 1), 66050);
	assert_int_equal(ad_uac_with_disabled(66050, 1), 66050);
	assert_int_equal(ad_uac_with_disabled(66048, 0), 66048);
	assert_int_equal(ad_uac_with_disabled(512, 1), 514);
	assert_int_equal(ad_uac_with_disabled(0xffffffffu, 0), 0xfffffffdu);
	assert_int_equal(ad_uac_with_disabled(0, 1), 2);
	for (unsigned int v = 0; v < 0x40000; v += 7) {
		assert_int_equal(ad_uac_with_disabled(v, 1) & ~2u, v & ~2u);
		assert_int_equal(ad_uac_with_disabled(v, 0) & ~2u, v & ~2u);
		assert_true(ad_uac_is_disabled(ad_uac_with_disabled(v, 1)));
		assert_false(ad_uac_is_disabled(ad_uac_with_disabled(v, 0)));
	}
}

static void
test_guid_format(void **state)
{
	/* wire bytes of eb6c701a-a39a-4193-84fe-86a89f901849 */
	static const unsigned char b[16] = {
		0x1a, 0x70, 0x6c, 0xeb, 0x9a, 0xa3, 0x93, 0x41,
		0x84, 0xfe, 0x86, 0xa8, 0x9f, 0x90, 0x18, 0x49,
	};
	char g[AD_GUID_LEN + 1];

	(void)state;
	ad_guid_format(b, g);
	assert_string_equal(g, "eb6c701a-a39a-4193-84fe-86a89f901849");
	assert_true(ad_guid_equal(g, "EB6C701A-A39A-4193-84FE-86A89F901849"));
	assert_false(ad_guid_equal(g, "1a706ceb-9aa3-9341-84fe-86a89f901849"));
}

static void
test_dn_valid(void **state)
{
	(void)state;
	assert_true(ad_dn_valid("CN=btg-admin,OU=Emergency,DC=corp,DC=example,"
	    "DC=com"));
	assert_true(ad_dn_valid("CN=Smith\\, John,CN=Users,DC=x"));
	assert_false(ad_dn_valid(""));
	assert_false(ad_dn_valid("btg-admin"));
	assert_false(ad_dn_valid("CN=a,,DC=x"));
}

/* one ldap.uri entry is one URL: libldap would read a list and try each */
static void
test_uri_one_url(void **state)
{
	static const struct { const char *uri; int starttls, ok; } cases[] = {
		{ "ldaps://dc1.corp.example.com", 0, 1 },
		{ "ldaps://127.0.0.1:636/", 0, 1 },
		{ "ldaps://[::1]:636", 0, 1 },
		{ "ldap://127.0.0.1", 1, 1 },
		{ "ldap://127.0.0.1", 0, 0 },
		{ "ldaps://127.0.0.1", 1, 0 },
		{ "ldaps://127.0.0.1:1 ldap://127.0.0.1:16790", 0, 0 },
		{ "ldaps://127.0.0.1:1,ldap://127.0.0.1:16790", 0, 0 },
		{ "ldaps://127.0.0.1:1/,ldap://127.0.0.1:16790", 0, 0 },
		{ "ldaps://127.0.0.1:1/??sub", 0, 0 },
		{ "ldaps://", 0, 0 },
		{ "ldapi://%2frun%2fldapi", 0, 0 },
		{ "dc1.corp.example.com", 0, 0 },
	};
	char	why[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why[0] = '\0';
		if ((ad_uri_allowed(cases[i].uri, cases[i].starttls, why,
		    sizeof(why)) == 0) != cases[i].ok)
			fail_msg("case %zu \"%s\": %s", i, cases[i].uri,
			    cases[i].ok ? why : "allowed");
		if (!cases[i].ok && why[0] == '\0')
			fail_msg("case %zu: no reason given", i);
	}
}

/* ad_connect refuses such a URI itself, before libldap sees it */
static void
test_connect_refuses_list(void **state)
{
	const char *uris[] = { "ldaps://127.0.0.1:1 ldap://127.0.0.1:9" };
	struct ad_params p = { .uris = uris, .nuris = 1, .ca_file = "/nx",
	    .bind_dn = "x", .password = "pw", .timeout = 1 };
	char	err[512];

	(void)state;
	assert_null(ad_connect(&p, err, sizeof(err)));
	if (strstr(err, "blank or a comma") == NULL)
		fail_msg("%s", err);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uac_bit),
		cmocka_unit_test(test_guid_format),
		cmocka_unit_test(test_dn_valid),
		cmocka_unit_test(test_uri_one_url),
		cmocka_unit_test(test_connect_refuses_list),
	};
	return cmocka_run_group_tests_name("ad", tests, NULL, NULL);
}
