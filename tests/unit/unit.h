/* SPDX-License-Identifier: ISC */
/* unit.h - what the unit tests share: a scratch directory, a state_dir */
#ifndef BG_UNIT_H
#define BG_UNIT_H

#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "../../agent/audit.h"
#include "../../agent/notify/notify.h"
#include "../../agent/statedir.h"
#include "../../agent/util.h"

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

/* the running test's scratch directory, and DIR/state in it */
static char	unit_dir[64], unit_sdir[96];

/* a cmocka setup: a scratch directory with DIR/state opened as state_dir */
static inline int
unit_setup_state_dir(void **unused)
{
	char	err[256];

	(void)unused;
	if (unit_tmpdir(unit_dir, sizeof(unit_dir)) == -1)
		return -1;
	snprintf(unit_sdir, sizeof(unit_sdir), "%s/state", unit_dir);
	return statedir_open(unit_sdir, 1, err, sizeof(err));
}

/* a cmocka teardown: the scratch directory removed */
static inline int
unit_teardown(void **unused)
{
	(void)unused;
	return unit_rmtree(unit_dir);
}

/* how many notices state_dir's spool holds (one file per channel each) */
static inline int
unit_spool_count(const char *sdir)
{
	char		 path[PATH_MAX];
	DIR		*d;
	struct dirent	*e;
	int		 n = 0;

	snprintf(path, sizeof(path), "%s/%s", sdir, SPOOL_DIR);
	if ((d = opendir(path)) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0)
			n++;
	}
	closedir(d);
	return n;
}

/*
 * The audit log's lines parsed, at most max of them in line[] (the caller
 * cJSON_Deletes each); how many lines the log has, 0 if none.
 */
static inline int
unit_audit_lines(const char *sdir, cJSON **line, int max)
{
	char	path[PATH_MAX], *buf, *p, *nl;
	size_t	len;
	int	n = 0;

	snprintf(path, sizeof(path), "%s/%s", sdir, AUDIT_FILE);
	if ((buf = read_file(path, AUDIT_LINE_MAX * 16, &len)) == NULL)
		return 0;
	for (p = buf; (nl = strchr(p, '\n')) != NULL; p = nl + 1, n++)
		if (n < max)
			line[n] = cJSON_ParseWithLength(p, (size_t)(nl - p));
	free(buf);
	return n;
}

#endif
