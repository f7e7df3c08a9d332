/* SPDX-License-Identifier: ISC */
/* unit.h - what the unit tests share: a scratch directory under /tmp */
#ifndef BG_UNIT_H
#define BG_UNIT_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* a new empty directory /tmp/bg-unit-XXXXXX in buf; -1 on failure */
static inline int
unit_tmpdir(char *buf, size_t size)
{
	snprintf(buf, size, "/tmp/bg-unit-XXXXXX");
	return mkdtemp(buf) == NULL ? -1 : 0;
}

static inline int
unit_rm_one(const char *path, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(path);
}

/* remove the directory and all below it (no shell) */
static inline int
unit_rmtree(const char *dir)
{
	return nftw(dir, unit_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
