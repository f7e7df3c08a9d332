/* SPDX-License-Identifier: ISC */
/* channel_command.c - the command channel: notify.command, the notice in env */
#include <stdio.h>

#include "channel.h"
#include "../process.h"

#define COMMAND_TIMEOUT_SEC	30

static const char *
str(const cJSON *n, const char *key)
{
	const char	*v = cJSON_GetStringValue(cJSON_GetObjectItem(n, key));

	return v != NULL ? v : "";
}

int
command_configured(const struct config *c)
{
	return c->notify.command != NULL;
}

int
command_send(const struct config *c, const cJSON *notice, char *err,
    size_t errlen)
{
	/* the documented variables only: no secret reaches the child */
	static const char *const vars[][2] = {
		{ "BREAKGLASS_EVENT", "event" },
		{ "BREAKGLASS_ACCOUNT", "account" },
		{ "BREAKGLASS_REASON", "reason" },
		{ "BREAKGLASS_STATE", "state" },
		{ "BREAKGLASS_RESULT", "result" },
		{ "BREAKGLASS_ACTOR", "actor" },
		{ "BREAKGLASS_AUDIT_SHA256", "audit_sha256" },
	};
	char	*envp[12], env[10][1200];
	size_t	 ne = 0;

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		snprintf(env[ne], sizeof(env[0]), "%s=%s", vars[i][0],
		    str(notice, vars[i][1]));
		envp[ne] = env[ne];
		ne++;
	}
	snprintf(env[ne], sizeof(env[0]), "BREAKGLASS_AUDIT_SEQ=%lld",
	    (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(notice,
	    "audit_seq")));
	envp[ne] = env[ne];
	ne++;
	snprintf(env[ne], sizeof(env[0]), "PATH=/usr/sbin:/usr/bin:/sbin:/bin");
	envp[ne] = env[ne];
	ne++;
	envp[ne] = NULL;
	return run_command("notify.command", c->notify.command, c->state_dir,
	    envp, COMMAND_TIMEOUT_SEC, err, errlen);
}
