/* SPDX-License-Identifier: ISC */
/* fuzz_config.c - the config loader (libconfuse + our validation) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../agent/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char	path[64];
	struct config	*c;
	char		 err[1024];
	FILE		*fp;

	if (path[0] == '\0')
		snprintf(path, sizeof(path), "/tmp/fuzz-config-%d.conf",
		    (int)getpid());
	if ((fp = fopen(path, "w")) == NULL)
		return 0;
	fwrite(data, 1, size, fp);
	fclose(fp);
	if ((c = config_load(path, err, sizeof(err))) != NULL)
		config_free(c);
	return 0;
}
