/* SPDX-License-Identifier: ISC */
/* statedir.h - state_dir: one directory fd, every file in it opened from it */
#ifndef BG_STATEDIR_H
#define BG_STATEDIR_H

#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <stddef.h>
#include <stdio.h>

/*
 * The state directory is opened once, O_DIRECTORY|O_NOFOLLOW, and must be a
 * directory owned by root or the running user and not group/world writable.
 * statedir_open() returns -1 with err (one line naming the directory and the
 * reason) when it is refused; a directory that is missing or cannot be
 * opened is no refusal (reads find nothing, writes fail as they would), but
 * with create it is made 0700 or the failure returned.  Calling it again
 * with the same path is free; another path replaces the one before (tests).
 */
int	statedir_open(const char *path, int create, char *err, size_t errlen);
/* the open directory's owner and group; -1 if it is not open */
int	statedir_owner(uid_t *uid, gid_t *gid);
/* check the open directory again (after a change of user) */
int	statedir_check(char *err, size_t errlen);

/*
 * Files under state_dir, named by their whole path (state_dir "/" NAME or
 * state_dir "/spool/" NAME): resolved from the directory fd one component
 * at a time, never through a symbolic link (O_NOFOLLOW everywhere); every
 * directory on the way must be ours and not group/world writable, and the
 * file opened a regular file of ours with one link.  A path outside
 * state_dir is refused.  On failure -1 (NULL) with errno (ENOENT when it is
 * not there) and err "PATH: why".
 */
int	sd_open(const char *path, int flags, mode_t mode, char *err,
	    size_t errlen);
FILE	*sd_fopen_read(const char *path, char *err, size_t errlen);
DIR	*sd_opendir(const char *path, char *err, size_t errlen);
/* mkdir 0700 unless it exists; either way it must be a directory of ours */
int	sd_mkdir(const char *path, char *err, size_t errlen);
/* lstat-like: the entry itself, a link is not followed */
int	sd_lstat(const char *path, struct stat *st);
int	sd_unlink(const char *path);
int	sd_rename(const char *from, const char *to);
/* read_file() of a file in state_dir; NULL + errno and err */
char	*sd_read_file(const char *path, size_t max, size_t *lenp, char *err,
	    size_t errlen);
/* path via path.tmp (O_EXCL), fsync, rename, fsync the directory; 0600 */
int	sd_write_atomic(const char *path, const void *data, size_t len,
	    char *err, size_t errlen);

#endif
