/* SPDX-License-Identifier: ISC */
/* account.c - the account's state as a type; its names only at the edges */
#include <stddef.h>
#include <string.h>

#include "../ldap/ad.h"
#include "account.h"

static const char *const names[] = {
	[ACCOUNT_UNKNOWN] = "unknown",
	[ACCOUNT_ENABLED] = "enabled",
	[ACCOUNT_DISABLED] = "disabled",
};

const char *
account_state_name(enum account_state s)
{
	if ((size_t)s >= sizeof(names) / sizeof(names[0]))
		return names[ACCOUNT_UNKNOWN];
	return names[s];
}

int
account_state_parse(const char *s, enum account_state *out)
{
	*out = ACCOUNT_UNKNOWN;
	for (size_t i = 0; s != NULL && i < sizeof(names) / sizeof(names[0]);
	    i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum account_state)i;
			return 0;
		}
	return -1;
}

enum account_state
account_state_of_uac(unsigned int uac)
{
	return ad_uac_is_disabled(uac) ? ACCOUNT_DISABLED : ACCOUNT_ENABLED;
}
