/* command.c - the command channel: run notify.command without a shell */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "notify.h"
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

static const char *
str(const cJSON *n, const char *key)
{
	const char	*v = cJSON_GetStringValue(cJSON_GetObjectItem(n, key));

	return v != NULL ? v : "";
}

int
run_command(const char *key, const char *cmdline, char *const envp[],
    long timeout_sec, char *err, size_t errlen)
{
	char	*copy, *argv[ARGV_MAX];
	pid_t	 pid;
	int	 status, n;
	int64_t	 deadline;

	if ((copy = strdup(cmdline)) == NULL) {
		bg_err(err, errlen, "out of memory");
		return -1;
	}
	if ((n = split(copy, argv, ARGV_MAX)) <= 0 || argv[0][0] != '/') {
		bg_err(err, errlen, "%s: \"%s\" must start with an absolute "
		    "program path", key, cmdline);
		free(copy);
		return -1;
	}
	if ((pid = fork()) == -1) {
		bg_err(err, errlen, "fork: %s", strerror(errno));
		free(copy);
		return -1;
	}
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, STDIN_FILENO);
			dup2(fd, STDOUT_FILENO);
		}
		execve(argv[0], argv, envp);
		_exit(127);
	}
	free(copy);
	deadline = now_ms() + timeout_sec * 1000;
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w == -1 && errno != EINTR) {
			bg_err(err, errlen, "waitpid: %s", strerror(errno));
			return -1;
		}
		if (now_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			bg_err(err, errlen, "%s: killed after %lds", key,
			    timeout_sec);
			return -1;
		}
		{
			struct timespec ts = { 0, 20 * 1000 * 1000 };
			nanosleep(&ts, NULL);
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		bg_err(err, errlen, "%s exited %d%s", key,
		    WEXITSTATUS(status), WEXITSTATUS(status) == 127 ?
		    " (not found or not executable?)" : "");
	else
		bg_err(err, errlen, "%s killed by signal %d", key,
		    WTERMSIG(status));
	return -1;
}

int
command_run(const struct config *c, const cJSON *notice, char *err,
    size_t errlen)
{
	/* the documented variables only: no secret reaches the child */
	static const char *const vars[][2] = {
		{ "BREAKGLASS_EVENT", "event" },
		{ "BREAKGLASS_ACCOUNT", "account" },
		{ "BREAKGLASS_REASON", "reason" },
		{ "BREAKGLASS_STATE", "state" },
		{ "BREAKGLASS_RESULT", "result" },
		{ "BREAKGLASS_ACTOR", "actor" },
		{ "BREAKGLASS_AUDIT_SHA256", "audit_sha256" },
	};
	char	*envp[12], env[10][1200];
	size_t	 ne = 0;

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		snprintf(env[ne], sizeof(env[0]), "%s=%s", vars[i][0],
		    str(notice, vars[i][1]));
		envp[ne] = env[ne];
		ne++;
	}
	snprintf(env[ne], sizeof(env[0]), "BREAKGLASS_AUDIT_SEQ=%lld",
	    (long long)cJSON_GetNumberValue(cJSON_GetObjectItem(notice,
	    "audit_seq")));
	envp[ne] = env[ne];
	ne++;
	snprintf(env[ne], sizeof(env[0]), "PATH=/usr/sbin:/usr/bin:/sbin:/bin");
	envp[ne] = env[ne];
	ne++;
	envp[ne] = NULL;
	return run_command("notify.command", c->notify.command, envp,
	    COMMAND_TIMEOUT_SEC, err, errlen);
}
