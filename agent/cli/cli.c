/* SPDX-License-Identifier: ISC */
/* cli.c - command-line parsing: global options, one command, its options */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../audit.h"
#include "cli.h"
#include "commands.h"
#include "../state.h"
#include "../text.h"
#include "../util.h"

enum {
	O_REASON = 1 << 0, O_FOR = 1 << 1, O_DRY = 1 << 2, O_JSON = 1 << 3,
	O_LIMIT = 1 << 4, O_SINCE = 1 << 5, O_POLLS = 1 << 6,
	O_AGAINST = 1 << 7, O_LAST = 1 << 8, O_SEQ = 1 << 9,
	O_ACCOUNT = 1 << 10,
	O_MERGE = 1 << 11,	/* --merge FILE...: several logs */
	O_FILE = 1 << 12,	/* FILE: one log, not state_dir's */
};

/* what a command needs before it runs: a reason, the config, the secrets */
#define N_REASON	0x1
#define N_CONFIG	0x2
#define N_SECRETS	0x4	/* the secret files checked first */

/*
 * The commands: name, its options, what it needs, the function that runs
 * it (commands.h).  A new command is a row here and a cmd_* function.
 */
static const struct {
	const char	*name;
	enum cmd	 cmd;
	int		 opts;
	int		 needs;
	cmd_fn		 run;
} commands[] = {
	{ "status",	  CMD_STATUS,	    O_JSON | O_ACCOUNT,
	  N_CONFIG | N_SECRETS, cmd_status },
	{ "enable",	  CMD_ENABLE,	    O_REASON | O_FOR | O_DRY | O_ACCOUNT,
	  N_REASON | N_CONFIG | N_SECRETS, cmd_set },
	{ "disable",	  CMD_DISABLE,	    O_REASON | O_FOR | O_DRY | O_ACCOUNT,
	  N_REASON | N_CONFIG | N_SECRETS, cmd_set },
	{ "auto",	  CMD_AUTO,	    O_REASON | O_ACCOUNT, N_REASON | N_CONFIG,
	  cmd_auto },
	{ "history",	  CMD_HISTORY,	    O_JSON | O_LIMIT | O_SINCE | O_ACCOUNT |
	  O_MERGE,
	  N_CONFIG, cmd_history },
	{ "verify",	  CMD_VERIFY,	    O_AGAINST | O_FILE, N_CONFIG,
	  cmd_verify },
	{ "health",	  CMD_HEALTH,	    O_JSON, N_CONFIG, cmd_health },
	{ "run",	  CMD_RUN,	    O_POLLS, N_CONFIG | N_SECRETS,
	  cmd_run },
	{ "check",	  CMD_CHECK,	    O_ACCOUNT, N_CONFIG, cmd_check },
	{ "config-check", CMD_CONFIG_CHECK, 0, N_CONFIG, cmd_config_check },
	{ "notify-test",  CMD_NOTIFY_TEST,  0, N_CONFIG | N_SECRETS,
	  cmd_notify_test },
	{ "doctor",	  CMD_DOCTOR,	    O_JSON | O_ACCOUNT, N_CONFIG,
	  cmd_doctor },
	{ "drill",	  CMD_DRILL,	    O_REASON | O_ACCOUNT,
	  N_REASON | N_CONFIG | N_SECRETS, cmd_drill },
	{ "report",	  CMD_REPORT,	    O_JSON | O_LAST | O_SEQ | O_SINCE |
	  O_ACCOUNT, N_CONFIG, cmd_report },
	{ "version",	  CMD_VERSION,	    0, 0, cmd_version },
	{ "help",	  CMD_HELP,	    0, 0, NULL },
};

const char *
cli_usage(void)
{
	return
"usage: breakglass [-v] [-c FILE] COMMAND [OPTIONS]\n"
"\n"
"  status [--json]                          account state, override, health\n"
"  enable --reason TEXT [--for D] [--dry-run]   enable the break-glass accounts\n"
"  disable --reason TEXT [--for D] [--dry-run]  disable them\n"
"  auto --reason TEXT                       clear the override\n"
"  history [--json] [--limit N] [--since TIME]  the audit trail\n"
"          [--merge FILE...]                several hosts' logs, by time\n"
"  verify [--against HEAD] [FILE]           check the audit hash chain (and\n"
"                                           that it holds a mailed head)\n"
"  health [--json]                          query the health sources once\n"
"  run [--polls N]                         the agent, in the foreground\n"
"  check                                    monitoring plugin\n"
"  config-check                             validate and print the config\n"
"  notify-test                              send a test notification\n"
"  doctor [--json]                          pre-flight checks, each with a fix\n"
"  drill --reason TEXT                      enable, confirm, disable, timed\n"
"  report [--last | --seq N | --since T] [--json]  review of an enabled window\n"
"  version                                  versions of breakglass and libraries\n"
"\n"
"--account NAME (status, enable, disable, auto, history, check, doctor,\n"
"drill, report): that account only; without it, every account.\n"
"Config: -c FILE, else $BREAKGLASS_CONF, else /etc/breakglass/breakglass.conf.\n"
"Durations: 90, 15m, 4h, 2d.  See breakglass(8).\n";
}

/*
 * One line of printable text: a line break would forge "Result: ok" in the
 * mail, an ESC sequence would drive the terminal of whoever reads it.  C0,
 * DEL and C1 (U+0080..U+009F) are refused; a raw byte 0x80..0x9F is not
 * valid UTF-8 and refused as such.
 */
int
cli_check_reason(const char *r, char *err, size_t errlen)
{
	const unsigned char	*p = (const unsigned char *)r;
	uint32_t		 cp;
	size_t			 n, pos = 0;
	int			 blank = 1;

	if (strlen(r) > REASON_MAX) {
		bg_err(err, errlen, "--reason: longer than %d bytes", REASON_MAX);
		return -1;
	}
	for (; *p != '\0'; p += n) {
		pos++;
		if ((n = utf8_char(p, &cp)) == 0) {
			bg_err(err, errlen, "--reason: not valid UTF-8 at "
			    "character %zu", pos);
			return -1;
		}
		if (is_control(cp)) {
			bg_err(err, errlen, "--reason: control character U+%04X "
			    "at position %zu: the reason must be one line of "
			    "printable text", (unsigned)cp, pos);
			return -1;
		}
		if (cp != ' ')
			blank = 0;
	}
	if (blank) {
		bg_err(err, errlen, "--reason: must say why (e.g. an incident "
		    "or ticket number)");
		return -1;
	}
	return 0;
}

/* "--opt VALUE" or "--opt=VALUE" */
static const char *
opt_value(const char *name, int argc, char *const argv[], int *i,
    char *err, size_t errlen)
{
	const char	*a = argv[*i];
	size_t		 len = strlen(name);

	if (a[len] == '=')
		return a + len + 1;
	if (*i + 1 >= argc) {
		bg_err(err, errlen, "%s needs a value", name);
		return NULL;
	}
	return argv[++*i];
}

/* "--opt N": N a positive whole number, else -1 with err saying what */
static int
opt_count(const char *name, const char *what, int argc, char *const argv[],
    int *i, int64_t *n, char *err, size_t errlen)
{
	const char	*v;
	char		*end;

	if ((v = opt_value(name, argc, argv, i, err, errlen)) == NULL)
		return -1;
	*n = strtoll(v, &end, 10);
	if (*v == '\0' || *end != '\0' || *n < 1) {
		bg_err(err, errlen, "%s: \"%s\" is not %s", name, v, what);
		return -1;
	}
	return 0;
}

static int
is_opt(const char *arg, const char *name)
{
	size_t	len = strlen(name);

	return strncmp(arg, name, len) == 0 &&
	    (arg[len] == '\0' || arg[len] == '=');
}

static int
parse_since(const char *v, int64_t now, int64_t *ms, char *err, size_t errlen)
{
	int64_t	secs;

	if (parse_time(v, ms) == 0)
		return 0;
	if (parse_duration(v, &secs, NULL, 0) == 0) {
		*ms = now - secs * 1000;
		return 0;
	}
	bg_err(err, errlen, "--since: \"%s\" is neither a time "
	    "(2026-11-24T08:00:00Z, 2026-11-24) nor a duration ago (24h)", v);
	return -1;
}

/*
 * Files named on the command line: history takes them after --merge,
 * verify one.  A command given files reads them, not state_dir: it needs
 * no config (an auditor's copies of two hosts' logs, on a third machine).
 */
static int
check_files(struct cli *c, int opts, char *err, size_t errlen)
{
	if ((opts & O_MERGE) && c->merge && c->nfiles == 0) {
		bg_err(err, errlen, "--merge: name the audit logs to merge "
		    "(--merge FILE...)");
		return -1;
	}
	if ((opts & O_MERGE) && !c->merge && c->nfiles > 0) {
		bg_err(err, errlen, "%s: \"%s\": files are read with --merge "
		    "FILE...", c->cmd_name, c->files[0]);
		return -1;
	}
	if (c->merge && c->account != NULL) {
		bg_err(err, errlen, "--account: not with --merge (the logs' "
		    "accounts are not in a config here); filter the JSON "
		    "(--json) by \"account\"");
		return -1;
	}
	if ((opts & O_FILE) && c->nfiles > 1) {
		bg_err(err, errlen, "%s: one FILE at a time (\"%s\", \"%s\")",
		    c->cmd_name, c->files[0], c->files[1]);
		return -1;
	}
	if (c->nfiles > 0)
		c->needs_config = c->needs_secrets = 0;
	return 0;
}

/*
 * Long on purpose: one walk over argv, every global and command option a
 * case of it (the table above says which command takes which).
 */
int
cli_parse(int argc, char *const argv[], int64_t now, struct cli *c,
    char *err, size_t errlen)
{
	int	i, k, opts = 0, need_reason = 0;
	char	why[256];

	memset(c, 0, sizeof(*c));
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-c") == 0) {
			if (++i >= argc) {
				bg_err(err, errlen, "-c needs a file name");
				return -1;
			}
			c->config = argv[i];
		} else if (strcmp(argv[i], "-v") == 0)
			c->verbose++;
		else if (strcmp(argv[i], "-vv") == 0)
			c->verbose += 2;
		else if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			c->cmd = CMD_HELP;
			c->cmd_name = "help";
			return 0;
		} else if (strcmp(argv[i], "--version") == 0) {
			c->cmd = CMD_VERSION;
			c->cmd_name = "version";
			return 0;
		} else {
			bg_err(err, errlen, "unknown option %s", argv[i]);
			return -1;
		}
	}
	if (i >= argc) {
		bg_err(err, errlen, "no command given");
		return -1;
	}
	for (k = 0; k < (int)(sizeof(commands) / sizeof(commands[0])); k++)
		if (strcmp(argv[i], commands[k].name) == 0)
			break;
	if (k == (int)(sizeof(commands) / sizeof(commands[0]))) {
		bg_err(err, errlen, "unknown command \"%s\"", argv[i]);
		return -1;
	}
	c->cmd = commands[k].cmd;
	c->cmd_name = commands[k].name;
	c->run = commands[k].run;
	c->needs_config = (commands[k].needs & N_CONFIG) != 0;
	c->needs_secrets = (commands[k].needs & N_SECRETS) != 0;
	opts = commands[k].opts;
	need_reason = (commands[k].needs & N_REASON) != 0;

	for (i++; i < argc; i++) {
		const char	*a = argv[i], *v;

		if ((opts & O_REASON) && is_opt(a, "--reason")) {
			if ((v = opt_value("--reason", argc, argv, &i, err,
			    errlen)) == NULL)
				return -1;
			if (cli_check_reason(v, err, errlen) == -1)
				return -1;
			c->reason = v;
		} else if ((opts & O_FOR) && is_opt(a, "--for")) {
			if ((v = opt_value("--for", argc, argv, &i, err,
			    errlen)) == NULL)
				return -1;
			if (parse_duration(v, &c->for_secs, why,
			    sizeof(why)) == -1) {
				bg_err(err, errlen, "--for: %s", why);
				return -1;
			}
			if (c->for_secs == 0) {
				bg_err(err, errlen, "--for: must be longer "
				    "than 0");
				return -1;
			}
		} else if ((opts & O_DRY) && strcmp(a, "--dry-run") == 0)
			c->dry_run = 1;
		else if ((opts & O_JSON) && strcmp(a, "--json") == 0)
			c->json = 1;
		else if ((opts & O_LIMIT) && is_opt(a, "--limit")) {
			if (opt_count("--limit", "a positive number", argc,
			    argv, &i, &c->limit, err, errlen) == -1)
				return -1;
		} else if ((opts & O_POLLS) && is_opt(a, "--polls")) {
			int64_t n;
			if (opt_count("--polls", "a positive number", argc,
			    argv, &i, &n, err, errlen) == -1)
				return -1;
			c->polls = (long)n;
		} else if ((opts & O_AGAINST) && is_opt(a, "--against")) {
			if ((v = opt_value("--against", argc, argv, &i, err,
			    errlen)) == NULL)
				return -1;
			if (audit_parse_head(v, &c->against_seq,
			    c->against_sha256) == -1) {
				bg_err(err, errlen, "--against: \"%.100s\" is not "
				    "an audit head: give it as the mail shows it "
				    "(seq=12 sha256=HEX, seq 12 sha256 HEX), as "
				    "12:HEX, or HEX alone (64 hex digits)", v);
				return -1;
			}
			c->against = 1;
		} else if ((opts & O_ACCOUNT) && is_opt(a, "--account")) {
			if ((v = opt_value("--account", argc, argv, &i, err,
			    errlen)) == NULL)
				return -1;
			c->account = v;	/* the config says which exist */
		} else if ((opts & O_LAST) && strcmp(a, "--last") == 0)
			c->last = 1;
		else if ((opts & O_SEQ) && is_opt(a, "--seq")) {
			if (opt_count("--seq", "an audit seq (a positive "
			    "number)", argc, argv, &i, &c->seq, err, errlen) ==
			    -1)
				return -1;
		} else if ((opts & O_MERGE) && strcmp(a, "--merge") == 0)
			c->merge = 1;
		else if ((opts & (O_MERGE | O_FILE)) && a[0] != '-' &&
		    a[0] != '\0') {
			if (c->nfiles == CLI_FILES_MAX) {
				bg_err(err, errlen, "%s: at most %d files",
				    c->cmd_name, CLI_FILES_MAX);
				return -1;
			}
			c->files[c->nfiles++] = a;
		} else if ((opts & O_SINCE) && is_opt(a, "--since")) {
			if ((v = opt_value("--since", argc, argv, &i, err,
			    errlen)) == NULL)
				return -1;
			if (parse_since(v, now, &c->since_ms, err,
			    errlen) == -1)
				return -1;
		} else {
			bg_err(err, errlen, "%s: unknown option or argument "
			    "\"%s\"", c->cmd_name, a);
			return -1;
		}
	}
	if (c->last + (c->seq > 0) + (c->since_ms != 0) > 1) {
		bg_err(err, errlen, "%s: give one of --last, --seq, --since",
		    c->cmd_name);
		return -1;
	}
	if (check_files(c, opts, err, errlen) == -1)
		return -1;
	if (need_reason && c->reason == NULL) {
		bg_err(err, errlen, "%s: --reason TEXT is required (who asked, "
		    "which incident)", c->cmd_name);
		return -1;
	}
	return 0;
}
