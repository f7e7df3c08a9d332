/* SPDX-License-Identifier: ISC */
/* channel.c - the table of notification channels; a new one is a row here */
#include <string.h>

#include "channel.h"

const struct channel	channels[] = {
	{ "smtp",	smtp_configured,	smtp_send },
	{ "webhook",	webhook_configured,	webhook_send },
	{ "command",	command_configured,	command_send },
	{ NULL,		NULL,			NULL }
};

const struct channel *
channel_find(const char *name)
{
	for (const struct channel *ch = channels; ch->name != NULL; ch++)
		if (strcmp(ch->name, name) == 0)
			return ch;
	return NULL;
}
