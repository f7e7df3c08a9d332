/* SPDX-License-Identifier: ISC */
/* fuzz_duration.c - durations and times, as typed by admins */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../agent/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s = malloc(size + 1), err[256], buf[64];
	int64_t	 v, ms;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (parse_duration(s, &v, err, sizeof(err)) == 0) {
		if (v < 0)
			abort();
		format_duration(v, buf, sizeof(buf));
	}
	if (parse_time(s, &ms) == 0)
		format_time_ms(ms, buf, sizeof(buf));
	free(s);
	return 0;
}
