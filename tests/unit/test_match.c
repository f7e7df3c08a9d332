/* SPDX-License-Identifier: ISC */
/* test_match.c - DESIGN.md §7: what counts as an Entra ID / MFA outage */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../agent/match.h"

static char *services_default[] = { (char *)"Microsoft Entra" };
static char *keywords_default[] = { (char *)"multi-factor",
    (char *)"multifactor", (char *)"MFA" };
static char *statuses_default[] = { (char *)"serviceDegradation",
    (char *)"serviceInterruption", (char *)"extendedRecovery",
    (char *)"restoringService" };
static char *class_default[] = { (char *)"incident" };

static void
policy_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->policy.services.v = services_default;
	c->policy.services.n = 1;
	c->policy.keywords.v = keywords_default;
	c->policy.keywords.n = 3;
	c->policy.statuses.v = statuses_default;
	c->policy.statuses.n = 4;
	c->policy.classifications.v = class_default;
	c->policy.classifications.n = 1;
}

static struct graph_issue
issue(const char *service, const char *status, const char *cls,
    const char *title, const char *impact, int resolved)
{
	struct graph_issue i;

	memset(&i, 0, sizeof(i));
	i.id = (char *)"XX1";
	i.service = (char *)service;
	i.status = (char *)status;
	i.classification = (char *)cls;
	i.title = (char *)title;
	i.impact = (char *)impact;
	i.is_resolved = resolved;
	return i;
}

static void
test_table(void **state)
{
	static const struct {
		const char *service, *status, *cls, *title, *impact;
		int resolved, counts;
		const char *why;
	} cases[] = {
		/* the identity service under each of its names */
		{ "Microsoft Entra", "serviceInterruption", "incident",
		  "Sign-in failures", "", 0, 1, "service" },
		{ "Microsoft Entra ID", "serviceDegradation", "incident",
		  "x", "", 0, 1, "service" },
		{ "Azure Active Directory", "extendedRecovery", "incident",
		  "x", "", 0, 1, "service" },
		{ "Identity Service", "restoringService", "incident", "x", "",
		  0, 1, "service" },
		{ "identity service", "SERVICEINTERRUPTION", "Incident", "x",
		  "", 0, 1, "service" },
		/* MFA under Microsoft 365 suite, by keyword */
		{ "Microsoft 365 suite", "serviceDegradation", "incident",
		  "Unable to sign in to Microsoft 365 services",
		  "users may be unable to sign in using multi-factor "
		  "authentication", 0, 1, "keyword" },
		{ "Microsoft 365 suite", "serviceInterruption", "incident",
		  "Some users see MFA prompts fail", "", 0, 1, "keyword" },
		/* noise: never */
		{ "Exchange Online", "serviceInterruption", "incident",
		  "Mail delays", "users may not receive mail", 0, 0, NULL },
		{ "Microsoft Entra", "serviceInterruption", "advisory",
		  "x", "", 0, 0, NULL },
		{ "Microsoft 365 suite", "serviceDegradation", "advisory",
		  "MFA registration page slow", "multi-factor", 0, 0, NULL },
		{ "Microsoft Entra", "serviceRestored", "incident", "x", "", 0,
		  0, NULL },
		{ "Microsoft Entra", "falsePositive", "incident", "x", "", 0, 0,
		  NULL },
		{ "Microsoft Entra", "investigating", "incident", "x", "", 0,
		  0, NULL },
		{ "Microsoft Entra", "serviceInterruption", "incident", "x",
		  "", 1, 0, NULL },
		{ "Microsoft Entra", "serviceInterruption", NULL, "x", "", 0,
		  0, NULL },
		{ NULL, "serviceInterruption", "incident", NULL, NULL, 0, 0,
		  NULL },
	};
	struct config	c;
	const char	*why;

	(void)state;
	policy_defaults(&c);
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct graph_issue i = issue(cases[k].service, cases[k].status,
		    cases[k].cls, cases[k].title, cases[k].impact,
		    cases[k].resolved);
		int got = match_issue(&c, &i, &why);
		if (got != cases[k].counts)
			fail_msg("case %zu (%s/%s/%s): got %d", k,
			    cases[k].service ? cases[k].service : "null",
			    cases[k].status, cases[k].cls ? cases[k].cls :
			    "null", got);
		if (got && strcmp(why, cases[k].why) != 0)
			fail_msg("case %zu: rule %s, wanted %s", k, why,
			    cases[k].why);
	}
}

static void
test_features(void **state)
{
	static char	*features[] = { (char *)"Sign In" };
	struct config	 c;
	struct graph_issue i;
	const char	*why;

	(void)state;
	policy_defaults(&c);
	c.policy.features.v = features;
	c.policy.features.n = 1;
	i = issue("Microsoft Entra", "serviceInterruption", "incident",
	    "Conditional Access portal", "", 0);
	i.feature = (char *)"Admin Portal";
	assert_false(match_issue(&c, &i, &why));
	i.feature = (char *)"sign in";
	assert_true(match_issue(&c, &i, &why));
	i.feature = NULL;
	i.feature_group = (char *)"Sign In";
	assert_true(match_issue(&c, &i, &why));
	/* the keyword rule does not need the feature */
	i = issue("Microsoft 365 suite", "serviceInterruption", "incident",
	    "MFA failing", "", 0);
	assert_true(match_issue(&c, &i, &why));
}

static void
test_evidence(void **state)
{
	struct graph_issue	 v[3];
	struct graph_issues	 is = { v, 3, 1 };
	struct config		 c;
	cJSON			*ev = cJSON_CreateArray();
	char			*text;

	(void)state;
	policy_defaults(&c);
	v[0] = issue("Exchange Online", "serviceInterruption", "incident",
	    "x", "", 0);
	v[1] = issue("Azure Active Directory", "serviceInterruption",
	    "incident", "Sign-in failures", "", 0);
	v[1].id = (char *)"AD123456";
	v[2] = issue("Microsoft 365 suite", "serviceDegradation", "incident",
	    "t", "multifactor prompts fail", 0);
	v[2].id = (char *)"MO654321";
	assert_int_equal(match_issues(&c, &is, ev), 2);
	text = cJSON_PrintUnformatted(ev);
	assert_non_null(strstr(text, "\"id\":\"AD123456\""));
	assert_non_null(strstr(text, "\"rule\":\"service\""));
	assert_non_null(strstr(text, "\"id\":\"MO654321\""));
	assert_non_null(strstr(text, "\"rule\":\"keyword\""));
	assert_null(strstr(text, "Exchange"));
	free(text);
	cJSON_Delete(ev);
}

static void
test_aliases(void **state)
{
	(void)state;
	assert_true(match_is_identity_alias("Microsoft Entra ID"));
	assert_true(match_is_identity_alias("orgliveid"));
	assert_false(match_is_identity_alias("Microsoft Entra Connect"));
	assert_false(match_is_identity_alias("Exchange Online"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_features),
		cmocka_unit_test(test_evidence),
		cmocka_unit_test(test_aliases),
	};
	return cmocka_run_group_tests_name("match", tests, NULL, NULL);
}
