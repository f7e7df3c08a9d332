/* SPDX-License-Identifier: ISC */
/* process.c - run a configured command: no shell, own session, a deadline */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../graph/http.h"
#include "process.h"
#include "util.h"

#define ARGV_MAX	32

/* split on blanks; "double quotes" group; no other shell syntax */
static int
split(char *s, char **argv, int max)
{
	int	n = 0;

	while (*s != '\0') {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		if (n == max - 1)
			return -1;
		if (*s == '"') {
			argv[n++] = ++s;
			while (*s != '\0' && *s != '"')
				s++;
		} else {
			argv[n++] = s;
			while (*s != '\0' && *s != ' ' && *s != '\t')
				s++;
		}
		if (*s != '\0')
			*s++ = '\0';
	}
	argv[n] = NULL;
	return n;
}

/*
 * Whom the command runs as: root (an admin through sudo) runs it as the
 * owner of state_dir, with that user's groups, as the agent under systemd
 * would; anyone else runs it as themselves.  Looked up before the fork:
 * the child may only make system calls.
 */
struct run_as {
	int	 drop;
	uid_t	 uid;
	gid_t	 gid;
	gid_t	*groups;		/* malloc'd */
	int	 ngroups;
};

static int
run_as_owner(const char *key, const char *state_dir, struct run_as *ra,
    char *err, size_t errlen)
{
	struct passwd	 pw, *pwp = NULL;
	struct stat	 st;
	char		 buf[4096];
	int		 n = 16;

	memset(ra, 0, sizeof(*ra));
	if (geteuid() != 0)
		return 0;
	if (stat(state_dir, &st) == -1) {
		bg_err(err, errlen, "%s: state_dir %s: %s (its owner is who "
		    "the command runs as)", key, state_dir, strerror(errno));
		return -1;
	}
	if (st.st_uid == 0)
		return 0;
	ra->drop = 1;
	ra->uid = st.st_uid;
	ra->gid = st.st_gid;
	if (getpwuid_r(st.st_uid, &pw, buf, sizeof(buf), &pwp) != 0)
		pwp = NULL;
	if (pwp != NULL)
		ra->gid = pw.pw_gid;
	for (;;) {
		gid_t *g = realloc(ra->groups, (size_t)n * sizeof(gid_t));

		if (g == NULL) {
			bg_err(err, errlen, "out of memory");
			return -1;
		}
		ra->groups = g;
		if (pwp == NULL) {	/* no passwd entry: its group only */
			g[0] = ra->gid;
			n = 1;
			break;
		}
		if (getgrouplist(pw.pw_name, ra->gid, g, &n) != -1)
			break;
	}
	ra->ngroups = n;
	return 0;
}

/* what failed in the child before execve, sent up a CLOEXEC pipe */
enum child_step { STEP_SETGROUPS, STEP_SETGID, STEP_SETUID, STEP_EXECVE };
static const char *const child_steps[] = {
	"setgroups", "setgid", "setuid", "execve"
};
struct child_error {
	enum child_step	step;
	int		errnum;
};

static void
close_fds_above(int lowfd, int keep, long maxfd)
{
#ifdef SYS_close_range
	if (keep < lowfd) {
		if (syscall(SYS_close_range, (unsigned)lowfd, ~0U, 0) == 0)
			return;
	} else if ((keep == lowfd || syscall(SYS_close_range,
	    (unsigned)lowfd, (unsigned)keep - 1, 0) == 0) &&
	    syscall(SYS_close_range, (unsigned)keep + 1, ~0U, 0) == 0)
		return;
#endif
	for (long fd = lowfd; fd < maxfd; fd++)
		if (fd != keep)
			(void)close((int)fd);
}

/*
 * The child: a session and process group of its own (the timeout and a
 * stop kill all of it), default signal dispositions and an empty mask (the
 * agent ignores SIGPIPE), stdin/stdout on /dev/null, stderr kept, nothing
 * else open (curl keeps sockets without CLOEXEC), then the user switch.
 * Only system calls from here: the parent may have threads.
 */
static void __attribute__((noreturn))
child(char *const argv[], char *const envp[], const struct run_as *ra,
    int report, long maxfd)
{
	struct child_error	 ce = { STEP_EXECVE, 0 };
	struct sigaction	 sa;
	sigset_t		 none;
	int			 fd;

	(void)setsid();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &sa, NULL);
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
	}
	close_fds_above(STDERR_FILENO + 1, report, maxfd);
	if (ra->drop) {
		if (setgroups((size_t)ra->ngroups, ra->groups) == -1)
			ce.step = STEP_SETGROUPS;
		else if (setgid(ra->gid) == -1)
			ce.step = STEP_SETGID;
		else if (setuid(ra->uid) == -1)
			ce.step = STEP_SETUID;
	}
	if (ce.step == STEP_EXECVE) {
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execve(argv[0], argv, envp);
	}
	ce.errnum = errno;
	(void)!write(report, &ce, sizeof(ce));
	_exit(127);
}

/*
 * Signals that would kill the command line (no handler of its own) kill the
 * command first: in its own session it no longer gets the terminal's ^C.
 */
static const int	 fatal_sigs[] = { SIGINT, SIGTERM, SIGHUP };
#define NFATAL	(sizeof(fatal_sigs) / sizeof(fatal_sigs[0]))
static volatile sig_atomic_t fatal_caught;

static void
on_fatal(int sig)
{
	fatal_caught = sig;
}

#define WAIT_STEP_MS	20	/* how often a running command is looked at */

static void
nap(void)
{
	struct timespec	ts = { 0, WAIT_STEP_MS * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

/* kill the command's process group: TERM, a grace, then KILL */
static void
kill_group(pid_t pid, int *status)
{
	int64_t	end = now_ms() + COMMAND_KILL_GRACE_MS;
	pid_t	w = 0;

	(void)kill(-pid, SIGTERM);
	while (now_ms() < end && (w = waitpid(pid, status, WNOHANG)) == 0)
		nap();
	(void)kill(-pid, SIGKILL);	/* what is left of the group */
	if (w != pid)
		while (waitpid(pid, status, 0) == -1 && errno == EINTR)
			;
}

/* fork and exec; the pid once execve succeeded, else -1 with err */
static pid_t
spawn(const char *key, char *const argv[], char *const envp[],
    const struct run_as *ra, char *err, size_t errlen)
{
	struct child_error	 ce;
	struct rlimit		 rl;
	sigset_t		 all, mask;
	pid_t			 pid;
	ssize_t			 got;
	long			 maxfd = 1024;
	int			 pfd[2], status;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		maxfd = (long)rl.rlim_cur;
	if (pipe2(pfd, O_CLOEXEC) == -1) {
		bg_err(err, errlen, "%s: pipe: %s", key, strerror(errno));
		return -1;
	}
	/* no handler of ours may run in the child before it resets them */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &mask);
	if ((pid = fork()) == 0)
		child(argv, envp, ra, pfd[1], maxfd);
	sigprocmask(SIG_SETMASK, &mask, NULL);
	close(pfd[1]);
	if (pid == -1) {
		bg_err(err, errlen, "%s: fork: %s", key, strerror(errno));
		close(pfd[0]);
		return -1;
	}
	/* EOF: execve succeeded; a record: what failed before it */
	while ((got = read(pfd[0], &ce, sizeof(ce))) == -1 && errno == EINTR)
		;
	close(pfd[0]);
	if (got != (ssize_t)sizeof(ce))
		return pid;
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (ce.step != STEP_EXECVE)
		bg_err(err, errlen, "%s: %s to uid %u (the owner of state_dir): "
		    "%s", key, child_steps[ce.step], (unsigned)ra->uid,
		    strerror(ce.errnum));
	else
		bg_err(err, errlen, "%s: execve %s: %s", key, argv[0],
		    strerror(ce.errnum));
	return -1;
}

/* until it exits, times out or breakglass is told to stop */
static int
wait_command(const char *key, pid_t pid, long timeout_sec, char *err,
    size_t errlen)
{
	int64_t	deadline = now_ms() + timeout_sec * 1000;
	int	status;
	pid_t	w;

	while ((w = waitpid(pid, &status, WNOHANG)) != pid) {
		if (w == -1 && errno != EINTR) {
			bg_err(err, errlen, "%s: waitpid: %s", key,
			    strerror(errno));
			kill_group(pid, &status);
			return -1;
		}
		if (http_aborted() || fatal_caught) {
			kill_group(pid, &status);
			bg_err(err, errlen, "%s: killed: breakglass is "
			    "stopping", key);
			return -1;
		}
		if (now_ms() > deadline) {
			kill_group(pid, &status);
			bg_err(err, errlen, "%s: killed after %lds", key,
			    timeout_sec);
			return -1;
		}
		nap();
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		bg_err(err, errlen, "%s exited %d", key, WEXITSTATUS(status));
	else
		bg_err(err, errlen, "%s killed by signal %d", key,
		    WTERMSIG(status));
	return -1;
}

int
run_command(const char *key, const char *cmdline, const char *state_dir,
    char *const envp[], long timeout_sec, char *err, size_t errlen)
{
	struct sigaction	 sa, old[NFATAL];
	struct run_as		 ra;
	char			*copy, *argv[ARGV_MAX];
	pid_t			 pid;
	int			 rc = -1;

	memset(&ra, 0, sizeof(ra));
	if ((copy = strdup(cmdline)) == NULL) {
		bg_err(err, errlen, "out of memory");
		return -1;
	}
	if (split(copy, argv, ARGV_MAX) <= 0 || argv[0][0] != '/') {
		bg_err(err, errlen, "%s: \"%s\" must start with an absolute "
		    "program path", key, cmdline);
		goto out;
	}
	if (http_aborted()) {
		bg_err(err, errlen, "%s: not run: breakglass is stopping", key);
		goto out;
	}
	if (run_as_owner(key, state_dir, &ra, err, errlen) == -1)
		goto out;
	fatal_caught = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < NFATAL; i++) {
		sigaction(fatal_sigs[i], NULL, &old[i]);
		if (old[i].sa_handler == SIG_DFL)
			sigaction(fatal_sigs[i], &sa, NULL);
	}
	if ((pid = spawn(key, argv, envp, &ra, err, errlen)) != -1)
		rc = wait_command(key, pid, timeout_sec, err, errlen);
	for (size_t i = 0; i < NFATAL; i++)
		if (old[i].sa_handler == SIG_DFL)
			sigaction(fatal_sigs[i], &old[i], NULL);
	if (fatal_caught)
		raise(fatal_caught);	/* die of it, as without a command */
 out:
	free(ra.groups);
	free(copy);
	return rc;
}
