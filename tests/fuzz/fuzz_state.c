/* SPDX-License-Identifier: ISC */
/* fuzz_state.c - the state.json loader */
#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "../../agent/state.h"
#include "../../agent/statedir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char	dir[64];
	char		path[96], err[512];
	struct state	st;
	FILE		*fp;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/tmp/fuzz-state-%d", (int)getpid());
		mkdir(dir, 0700);
		statedir_open(dir, 0, NULL, 0);
	}
	snprintf(path, sizeof(path), "%s/state.json", dir);
	if ((fp = fopen(path, "w")) == NULL)
		return 0;
	fwrite(data, 1, size, fp);
	fclose(fp);
	state_load(dir, NULL, &st, err, sizeof(err));
	return 0;
}
