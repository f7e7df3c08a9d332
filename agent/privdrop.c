/* SPDX-License-Identifier: ISC */
/* privdrop.c - a command run as root becomes the owner of state_dir */
#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "privdrop.h"
#include "statedir.h"
#include "util.h"

/*
 * An admin runs the command line as root (sudo); state_dir belongs to the
 * service user, who can plant anything in it.  Rather than root acting in
 * a directory another user controls, the command becomes that user before
 * it touches a file there, so the files it creates are the user's too.  The
 * secret files may be root's alone: they are opened first and read through
 * those descriptors (secret_hold).  A state_dir of root's keeps root.
 */
int
privdrop(const struct config *c, char *err, size_t errlen)
{
	const char	*secrets[] = { c->ldap.bind_password_file,
			    c->graph.client_secret_file,
			    c->notify.smtp.password_file };
	struct passwd	*pw;
	uid_t		 uid, ruid, euid, suid;
	gid_t		 gid, rgid, egid, sgid, groups[2];

	if (statedir_open(c->state_dir, 0, err, errlen) == -1)
		return -1;
	if (geteuid() != 0 || statedir_owner(&uid, &gid) == -1 || uid == 0)
		return 0;
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		if (secrets[i] != NULL && *secrets[i] != '\0')
			secret_hold(secrets[i]);
	/* the owner's own group, as its service gets it; else the dir's */
	if ((pw = getpwuid(uid)) != NULL)
		gid = pw->pw_gid;
	if (setgroups(1, &gid) == -1 || setresgid(gid, gid, gid) == -1 ||
	    setresuid(uid, uid, uid) == -1) {
		bg_err(err, errlen, "state_dir %s: cannot become its owner "
		    "(uid %u, gid %u): %s", c->state_dir, (unsigned)uid,
		    (unsigned)gid, strerror(errno));
		return -1;
	}
	/* for good: no saved root id, no root group, no way back */
	if (getresuid(&ruid, &euid, &suid) == -1 ||
	    getresgid(&rgid, &egid, &sgid) == -1 ||
	    ruid != uid || euid != uid || suid != uid || rgid != gid ||
	    egid != gid || sgid != gid || getgroups(2, groups) != 1 ||
	    groups[0] != gid || setuid(0) != -1 || setgid(0) != -1) {
		bg_err(err, errlen, "state_dir %s: the change to its owner "
		    "(uid %u) is incomplete; refusing to go on", c->state_dir,
		    (unsigned)uid);
		return -1;
	}
	log_debug("running as uid %u gid %u, the owner of state_dir %s",
	    (unsigned)uid, (unsigned)gid, c->state_dir);
	return statedir_check(err, errlen);
}
