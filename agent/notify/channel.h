/* SPDX-License-Identifier: ISC */
/* channel.h - notification channels: a row in channels[] and a file each */
#ifndef BG_CHANNEL_H
#define BG_CHANNEL_H

#include <stddef.h>

#include <cJSON.h>

#include "../config.h"

struct channel {
	const char	*name;		/* in spool files, notify-test */
	int		(*configured)(const struct config *);
	/* deliver one notice now: 0 accepted, else -1 with err */
	int		(*send)(const struct config *, const cJSON *notice,
			    char *err, size_t errlen);
};

/* every channel, in the order they are tried; the last row's name is NULL */
extern const struct channel	channels[];

/* the row named name, NULL if there is none */
const struct channel	*channel_find(const char *name);

/* smtp.c */
int	smtp_configured(const struct config *);
int	smtp_send(const struct config *, const cJSON *notice, char *err,
	    size_t errlen);
/* the relay answers: greeting, EHLO, STARTTLS verified, AUTH, NOOP */
int	smtp_probe(const struct config *, char *err, size_t errlen);
/* webhook.c */
int	webhook_configured(const struct config *);
int	webhook_send(const struct config *, const cJSON *notice, char *err,
	    size_t errlen);
/* channel_command.c */
int	command_configured(const struct config *);
int	command_send(const struct config *, const cJSON *notice, char *err,
	    size_t errlen);

#endif
