/* SPDX-License-Identifier: ISC */
/* match.c - which service health issues mean an Entra ID / MFA outage (§7) */
#include <string.h>
#include <strings.h>

#include "match.h"

/* the names Microsoft has shown the identity service under (GRAPH.md) */
static const char *const identity_aliases[] = {
	"Identity Service", "OrgLiveID", "Azure Active Directory",
	"Microsoft Entra", "Microsoft Entra ID", NULL
};

const char *
verdict_name(enum verdict v)
{
	switch (v) {
	case VERDICT_HEALTHY:
		return "healthy";
	case VERDICT_OUTAGE:
		return "outage";
	case VERDICT_UNKNOWN:
		break;
	}
	return "unknown";
}

int
match_is_identity_alias(const char *service)
{
	for (const char *const *a = identity_aliases; *a != NULL; a++)
		if (strcasecmp(service, *a) == 0)
			return 1;
	return 0;
}

static int
in_list(const char *v, const struct strlist *l)
{
	if (v == NULL)
		return 0;
	for (size_t i = 0; i < l->n; i++)
		if (strcasecmp(v, l->v[i]) == 0)
			return 1;
	return 0;
}

static int
contains_word(const char *text, const struct strlist *words)
{
	if (text == NULL)
		return 0;
	for (size_t i = 0; i < words->n; i++)
		if (words->v[i][0] != '\0' && strcasestr(text, words->v[i]))
			return 1;
	return 0;
}

/* a configured service, or any alias of a configured identity service */
static int
service_counts(const struct config *c, const char *service)
{
	int	identity = 0;

	if (service == NULL)
		return 0;
	if (in_list(service, &c->policy.services))
		return 1;
	for (size_t i = 0; i < c->policy.services.n; i++)
		if (match_is_identity_alias(c->policy.services.v[i]))
			identity = 1;
	return identity && match_is_identity_alias(service);
}

int
match_issue(const struct config *c, const struct graph_issue *i,
    const char **why)
{
	*why = NULL;
	if (i->is_resolved)
		return 0;
	if (!in_list(i->classification, &c->policy.classifications) ||
	    !in_list(i->status, &c->policy.statuses))
		return 0;
	if (service_counts(c, i->service) && (c->policy.features.n == 0 ||
	    in_list(i->feature, &c->policy.features) ||
	    in_list(i->feature_group, &c->policy.features))) {
		*why = "service";
		return 1;
	}
	if (contains_word(i->title, &c->policy.keywords) ||
	    contains_word(i->impact, &c->policy.keywords)) {
		*why = "keyword";
		return 1;
	}
	return 0;
}

static void
add_str(cJSON *o, const char *key, const char *v)
{
	if (v != NULL)
		cJSON_AddStringToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

int
match_issues(const struct config *c, const struct graph_issues *is,
    cJSON *evidence)
{
	const char	*why;
	int		 n = 0;

	for (size_t k = 0; k < is->n; k++) {
		const struct graph_issue *i = &is->v[k];
		cJSON *o;

		if (!match_issue(c, i, &why))
			continue;
		n++;
		if (evidence == NULL || (o = cJSON_CreateObject()) == NULL)
			continue;
		add_str(o, "id", i->id);
		add_str(o, "title", i->title);
		add_str(o, "service", i->service);
		add_str(o, "status", i->status);
		add_str(o, "classification", i->classification);
		add_str(o, "rule", why);
		cJSON_AddItemToArray(evidence, o);
	}
	return n;
}
