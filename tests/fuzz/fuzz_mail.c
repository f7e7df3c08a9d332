/* SPDX-License-Identifier: ISC */
/* fuzz_mail.c - mail header folding: no input may add a header line */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "../../agent/notify/mail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*to[] = { "it@corp.example.com" };
	char		*s = malloc(size + 1), *m, *end, *p;
	cJSON		*n = cJSON_CreateObject();
	char		 err[256];
	int		 headers = 0;

	memcpy(s, data, size);
	s[size] = '\0';
	cJSON_AddStringToObject(n, "id", "x");
	cJSON_AddStringToObject(n, "event", "enable");
	cJSON_AddStringToObject(n, "account", "CN=btg-admin,DC=corp,DC=com");
	cJSON_AddStringToObject(n, "state", "enabled");
	cJSON_AddStringToObject(n, "reason", s);
	cJSON_AddStringToObject(n, "actor", s);
	cJSON_AddNumberToObject(n, "audit_seq", 1);
	m = mail_message(n, "bg@corp.example.com", to, 1, 0, err, sizeof(err));
	if (m == NULL)
		abort();
	if ((end = strstr(m, "\r\n\r\n")) == NULL)
		abort();
	*end = '\0';
	for (p = m; *p; p++) {
		if (*p == '\n' && (p == m || p[-1] != '\r'))
			abort();	/* a bare LF in the header */
		if (*p == '\r' && p[1] != '\n')
			abort();	/* a bare CR */
		if (*p == '\n' && p[1] != ' ')
			headers++;
	}
	if (headers + 1 != 11)
		abort();		/* a header was added */
	free(m);
	free(s);
	cJSON_Delete(n);
	return 0;
}
