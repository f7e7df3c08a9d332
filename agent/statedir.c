/* SPDX-License-Identifier: ISC */
/* statedir.c - state_dir opened once; every file in it opened relative to it */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "statedir.h"
#include "util.h"

#define DIR_FLAGS	(O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

/*
 * Whoever else can write in state_dir could plant a symbolic link, a hard
 * link or a FIFO for us to follow.  So the directory is opened once, without
 * following a link, and checked; everything in it is opened from that fd a
 * component at a time, O_NOFOLLOW, and checked again once open.
 */
static struct {
	char	path[PATH_MAX];		/* as configured, no trailing '/' */
	size_t	len;			/* 0: none */
	int	fd;			/* -1: not open */
	int	error;			/* why not (errno) */
	int	refused;		/* ... and refused: why says it */
	char	why[PATH_MAX + 256];
} sd = { "", 0, -1, ENOENT, 0, "" };

/*
 * A directory on the way: ours (state_dir itself may be root's, and root
 * accepts any owner: it becomes that owner, see privdrop.c), and nobody
 * else may write in it.
 */
static int
check_dir(int fd, const char *path, int len, int top, char *err,
    size_t errlen)
{
	const char	*what = top ? "state_dir " : "";
	struct stat	 st;
	uid_t		 me = geteuid();

	if (fstat(fd, &st) == -1) {
		bg_err(err, errlen, "%s%.*s: %s", what, len, path,
		    strerror(errno));
		return -1;
	}
	errno = EPERM;
	if (!S_ISDIR(st.st_mode)) {
		bg_err(err, errlen, "%s%.*s: not a directory", what, len, path);
		return -1;
	}
	if (st.st_uid != me && !(top && (me == 0 || st.st_uid == 0))) {
		bg_err(err, errlen, "%s%.*s: owned by uid %u, not by %sthe "
		    "running user (uid %u); refused", what, len, path,
		    (unsigned)st.st_uid, top ? "root or " : "", (unsigned)me);
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		bg_err(err, errlen, "%s%.*s: mode %04o is group/world "
		    "writable; refused (chmod 700 %.*s)", what, len, path,
		    (unsigned)(st.st_mode & 07777), len, path);
		return -1;
	}
	return 0;
}

/* a file in it: a regular file of ours with no other name */
static int
check_file(int fd, const char *path, char *err, size_t errlen)
{
	struct stat	st;

	if (fstat(fd, &st) == -1) {
		bg_err(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	errno = EPERM;
	if (!S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EPERM;
		bg_err(err, errlen, "%s: not a regular file; refused", path);
		return -1;
	}
	if (st.st_uid != geteuid()) {
		bg_err(err, errlen, "%s: owned by uid %u, not by the running "
		    "user (uid %u); refused (chown %u %s)", path,
		    (unsigned)st.st_uid, (unsigned)geteuid(),
		    (unsigned)geteuid(), path);
		return -1;
	}
	if (st.st_nlink != 1) {
		bg_err(err, errlen, "%s: has %ju hard links, not 1; refused",
		    path, (uintmax_t)st.st_nlink);
		return -1;
	}
	return 0;
}

/* why openat(dfd, name) failed; O_NOFOLLOW on a link gives ELOOP or ENOTDIR */
static void
open_failed(int dfd, const char *name, const char *path, int len, char *err,
    size_t errlen)
{
	struct stat	st;
	int		e = errno;

	if ((e == ELOOP || e == ENOTDIR) &&
	    fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISLNK(st.st_mode)) {
		e = ELOOP;
		bg_err(err, errlen, "%.*s: a symbolic link; refused", len,
		    path);
	} else
		bg_err(err, errlen, "%.*s: %s", len, path, strerror(e));
	errno = e;
}

static void
put_dir(int fd)
{
	if (fd != -1 && fd != sd.fd)
		close(fd);
}

/*
 * The directory holding PATH's last component, opened from the state_dir
 * fd without following a link; *name is that component (in path).  The
 * fd is sd.fd or one to release with put_dir().
 */
static int
get_dir(const char *path, const char **name, char *err, size_t errlen)
{
	const char	*p, *slash;
	char		 comp[NAME_MAX + 1];
	size_t		 n;
	int		 dfd, nfd;

	if (sd.len == 0 || strncmp(path, sd.path, sd.len) != 0 ||
	    path[sd.len] != '/') {
		errno = EINVAL;
		bg_err(err, errlen, "%s: not inside state_dir %s", path,
		    sd.len ? sd.path : "(none open)");
		return -1;
	}
	if (sd.fd == -1) {
		errno = sd.error;
		if (sd.refused)
			bg_err(err, errlen, "%s", sd.why);
		else
			bg_err(err, errlen, "%s: %s", path, strerror(sd.error));
		return -1;
	}
	dfd = sd.fd;
	for (p = path + sd.len; ; p = slash) {
		while (*p == '/')
			p++;
		n = (slash = strchr(p, '/')) != NULL ? (size_t)(slash - p) :
		    strlen(p);
		if (n == 0 || n > NAME_MAX || (p[0] == '.' && (n == 1 ||
		    (n == 2 && p[1] == '.')))) {
			put_dir(dfd);
			errno = EINVAL;
			bg_err(err, errlen, "%s: not a name inside state_dir",
			    path);
			return -1;
		}
		if (slash == NULL)
			break;
		memcpy(comp, p, n);
		comp[n] = '\0';
		if ((nfd = openat(dfd, comp, DIR_FLAGS)) == -1) {
			open_failed(dfd, comp, path, (int)(slash - path), err,
			    errlen);
			put_dir(dfd);
			return -1;
		}
		put_dir(dfd);
		if (check_dir(nfd, path, (int)(slash - path), 0, err,
		    errlen) == -1) {
			close(nfd);
			errno = EPERM;
			return -1;
		}
		dfd = nfd;
	}
	*name = p;
	return dfd;
}

int
statedir_open(const char *path, int create, char *err, size_t errlen)
{
	const char	*made = "";
	size_t		 len = strlen(path);
	int		 fd;

	while (len > 1 && path[len - 1] == '/')
		len--;
	if (len >= sizeof(sd.path)) {
		bg_err(err, errlen, "state_dir %s: path too long", path);
		return -1;
	}
	if (sd.len == len && strncmp(sd.path, path, len) == 0) {
		if (sd.fd != -1)
			return 0;
		if (sd.refused) {
			bg_err(err, errlen, "%s", sd.why);
			return -1;
		}
		if (!create)
			return 0;
	} else {
		if (sd.fd != -1)
			close(sd.fd);
		memcpy(sd.path, path, len);
		sd.path[len] = '\0';
		sd.len = len;
		sd.fd = -1;
	}
	sd.refused = 0;
	fd = open(sd.path, DIR_FLAGS);
	if (fd == -1 && errno == ENOENT && create) {
		if (mkdir(sd.path, 0700) == -1 && errno != EEXIST)
			made = "cannot create: ";
		else
			fd = open(sd.path, DIR_FLAGS);
	}
	if (fd == -1 && errno == EACCES &&
	    (fd = open(sd.path, O_PATH | DIR_FLAGS)) != -1) {
		/* not ours to read: still refused if not ours at all */
		if (check_dir(fd, sd.path, (int)sd.len, 1, sd.why,
		    sizeof(sd.why)) == -1)
			goto refused;
		close(fd);
		fd = -1;
		errno = EACCES;
	}
	if (fd == -1) {
		struct stat st;

		sd.error = errno;
		sd.refused = sd.error == ELOOP || sd.error == ENOTDIR;
		if (sd.refused && lstat(sd.path, &st) == 0 &&
		    S_ISLNK(st.st_mode))
			bg_err(sd.why, sizeof(sd.why), "state_dir %s: a "
			    "symbolic link; refused (name the directory "
			    "itself)", sd.path);
		else if (sd.error == ENOTDIR)
			bg_err(sd.why, sizeof(sd.why), "state_dir %s: not a "
			    "directory", sd.path);
		else
			bg_err(sd.why, sizeof(sd.why), "state_dir %s: %s%s",
			    sd.path, made, strerror(sd.error));
		if (!sd.refused && !create)
			return 0;	/* reads find nothing */
		bg_err(err, errlen, "%s", sd.why);
		errno = sd.error;
		return -1;
	}
	if (check_dir(fd, sd.path, (int)sd.len, 1, sd.why,
	    sizeof(sd.why)) == -1) {
 refused:
		close(fd);
		sd.error = EPERM;
		sd.refused = 1;
		bg_err(err, errlen, "%s", sd.why);
		errno = EPERM;
		return -1;
	}
	sd.fd = fd;
	return 0;
}

int
statedir_owner(uid_t *uid, gid_t *gid)
{
	struct stat	st;

	if (sd.fd == -1 || fstat(sd.fd, &st) == -1)
		return -1;
	*uid = st.st_uid;
	*gid = st.st_gid;
	return 0;
}

int
statedir_check(char *err, size_t errlen)
{
	if (sd.fd == -1)
		return 0;
	return check_dir(sd.fd, sd.path, (int)sd.len, 1, err, errlen);
}

int
sd_open(const char *path, int flags, mode_t mode, char *err, size_t errlen)
{
	const char	*name;
	int		 dfd, fd, fl;

	if (flags & O_TRUNC) {		/* it would act before the checks */
		errno = EINVAL;
		bg_err(err, errlen, "%s: O_TRUNC is not allowed", path);
		return -1;
	}
	if ((dfd = get_dir(path, &name, err, errlen)) == -1)
		return -1;
	/* O_NONBLOCK: a FIFO planted under the name must not hang us */
	fd = openat(dfd, name, flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK,
	    mode);
	if (fd == -1)
		open_failed(dfd, name, path, (int)strlen(path), err, errlen);
	put_dir(dfd);
	if (fd == -1)
		return -1;
	if (check_file(fd, path, err, errlen) == -1)
		goto fail;
	if (!(flags & O_NONBLOCK) && ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == -1)) {
		bg_err(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	return fd;
 fail:
	fl = errno;
	close(fd);
	errno = fl;
	return -1;
}

FILE *
sd_fopen_read(const char *path, char *err, size_t errlen)
{
	FILE	*fp;
	int	 fd;

	if ((fd = sd_open(path, O_RDONLY, 0, err, errlen)) == -1)
		return NULL;
	if ((fp = fdopen(fd, "r")) == NULL) {
		bg_err(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
	}
	return fp;
}

/* open and check the directory NAME in dfd */
static int
open_subdir(int dfd, const char *name, const char *path, char *err,
    size_t errlen)
{
	int	fd;

	if ((fd = openat(dfd, name, DIR_FLAGS)) == -1) {
		open_failed(dfd, name, path, (int)strlen(path), err, errlen);
		return -1;
	}
	if (check_dir(fd, path, (int)strlen(path), 0, err, errlen) == -1) {
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

DIR *
sd_opendir(const char *path, char *err, size_t errlen)
{
	const char	*name;
	DIR		*d = NULL;
	int		 dfd, fd;

	if ((dfd = get_dir(path, &name, err, errlen)) == -1)
		return NULL;
	fd = open_subdir(dfd, name, path, err, errlen);
	put_dir(dfd);
	if (fd != -1 && (d = fdopendir(fd)) == NULL) {
		bg_err(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
	}
	return d;
}

int
sd_mkdir(const char *path, char *err, size_t errlen)
{
	const char	*name;
	int		 dfd, fd = -1;

	if ((dfd = get_dir(path, &name, err, errlen)) == -1)
		return -1;
	if (mkdirat(dfd, name, 0700) == -1 && errno != EEXIST)
		bg_err(err, errlen, "%s: cannot create: %s", path,
		    strerror(errno));
	else
		fd = open_subdir(dfd, name, path, err, errlen);
	put_dir(dfd);
	if (fd == -1)
		return -1;
	close(fd);
	return 0;
}

int
sd_lstat(const char *path, struct stat *st)
{
	const char	*name;
	int		 dfd, rc;

	if ((dfd = get_dir(path, &name, NULL, 0)) == -1)
		return -1;
	rc = fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW);
	put_dir(dfd);
	return rc;
}

int
sd_unlink(const char *path)
{
	const char	*name;
	int		 dfd, rc;

	/* unlinkat removes a planted link itself, never what it names */
	if ((dfd = get_dir(path, &name, NULL, 0)) == -1)
		return -1;
	rc = unlinkat(dfd, name, 0);
	put_dir(dfd);
	return rc;
}

int
sd_rename(const char *from, const char *to)
{
	const char	*fname, *tname;
	int		 fdir, tdir, rc = -1;

	if ((fdir = get_dir(from, &fname, NULL, 0)) == -1)
		return -1;
	if ((tdir = get_dir(to, &tname, NULL, 0)) != -1) {
		rc = renameat(fdir, fname, tdir, tname);
		put_dir(tdir);
	}
	put_dir(fdir);
	return rc;
}

char *
sd_read_file(const char *path, size_t max, size_t *lenp, char *err,
    size_t errlen)
{
	char	*buf;
	int	 fd, e;

	if ((fd = sd_open(path, O_RDONLY, 0, err, errlen)) == -1)
		return NULL;
	if ((buf = read_fd(fd, max, lenp)) == NULL)
		bg_err(err, errlen, "%s: %s", path, strerror(errno));
	e = errno;
	close(fd);
	errno = e;
	return buf;
}

int
sd_write_atomic(const char *path, const void *data, size_t len, char *err,
    size_t errlen)
{
	char		 tmp[NAME_MAX + 8];
	const char	*p = data, *name;
	int		 dfd, fd = -1, e;

	if ((dfd = get_dir(path, &name, err, errlen)) == -1)
		return -1;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", name) >=
	    sizeof(tmp)) {
		bg_err(err, errlen, "%s: name too long", path);
		put_dir(dfd);
		return -1;
	}
	/* a stale one (a killed write) or anything planted: never followed */
	(void)unlinkat(dfd, tmp, 0);
	if ((fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1)
		goto fail;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) == -1)
		goto fail;
	FAULT_WRITE(path);	/* written and synced, not yet renamed */
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (renameat(dfd, tmp, dfd, name) == -1)
		goto fail;
	fsync(dfd);
	put_dir(dfd);
	return 0;
 fail:
	e = errno;
	bg_err(err, errlen, "%s.tmp: %s", path, strerror(e));
	if (fd != -1)
		close(fd);
	unlinkat(dfd, tmp, 0);
	put_dir(dfd);
	errno = e;
	return -1;
}
