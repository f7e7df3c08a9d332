/* SPDX-License-Identifier: ISC */
/* fuzz_audit.c - the audit verifier, history and the head reader */
#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "../../agent/audit.h"
#include "../../agent/statedir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char		 dir[64];
	char			 path[96], err[512];
	struct audit_verdict	 v;
	struct audit_head	 h = { 3, "" };
	struct history_opts	 o = { .limit = 5 };
	FILE			*fp, *null;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/tmp/fuzz-audit-%d", (int)getpid());
		mkdir(dir, 0700);
		statedir_open(dir, 0, NULL, 0);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, AUDIT_FILE);
	if ((fp = fopen(path, "w")) == NULL)
		return 0;
	fwrite(data, 1, size, fp);
	fclose(fp);
	audit_verify(path, NULL, &v, err, sizeof(err));
	audit_verify(path, &h, &v, err, sizeof(err));
	audit_read_head(dir, &h, err, sizeof(err));
	if ((null = fopen("/dev/null", "w")) != NULL) {
		audit_history(path, &o, null, err, sizeof(err));
		o.limit = 0;
		o.json = 1;
		audit_history(path, &o, null, err, sizeof(err));
		fclose(null);
	}
	return 0;
}
