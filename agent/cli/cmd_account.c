/* SPDX-License-Identifier: ISC */
/* cmd_account.c - status, enable, disable, auto: the admin at the keyboard */
#include <sys/stat.h>

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "../audit.h"
#include "commands.h"
#include "../event.h"
#include "../log.h"
#include "../override.h"
#include "../notify/notify.h"
#include "../policy.h"
#include "../revoke.h"
#include "../state.h"
#include "../statedir.h"
#include "../sync.h"
#include "../text.h"
#include "../toggle.h"
#include "../util.h"

void
actor_name(char *buf, size_t size)
{
	const char	*name = NULL, *sudo = getenv("SUDO_USER");
	const char	*sudo_uid = getenv("SUDO_UID");
	struct passwd	*pw;
	char		 clean[64];
	unsigned long	 uid = (unsigned long)getuid();
	size_t		 i;

	if (sudo != NULL && *sudo != '\0' && getuid() == 0) {
		name = sudo;
		if (sudo_uid != NULL && *sudo_uid != '\0')
			uid = strtoul(sudo_uid, NULL, 10);
	} else if ((pw = getpwuid(getuid())) != NULL)
		name = pw->pw_name;
	if (name == NULL)
		name = "unknown";
	/* a user name must not smuggle anything into logs or mail */
	for (i = 0; name[i] != '\0' && i < sizeof(clean) - 1; i++) {
		char ch = name[i];
		clean[i] = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("._-@$\\", ch) != NULL ?
		    ch : '_';
	}
	clean[i] = '\0';
	snprintf(buf, size, "cli:%s(uid=%lu)", clean, uid);
}

static void
fmt_time(int64_t ms, char *buf, size_t size)
{
	if (ms == 0)
		bg_strlcpy(buf, "never", size);
	else
		format_time_ms(ms, buf, size);
}

static cJSON *
override_json(const struct override *o)
{
	cJSON	*j = cJSON_CreateObject();
	char	 t[RFC3339_LEN];

	cJSON_AddStringToObject(j, "state", account_state_name(o->state));
	fmt_time(o->until_ms, t, sizeof(t));
	cJSON_AddStringToObject(j, "until", t);
	fmt_time(o->set_ms, t, sizeof(t));
	cJSON_AddStringToObject(j, "set", t);
	cJSON_AddStringToObject(j, "actor", o->actor);
	cJSON_AddStringToObject(j, "reason", o->reason);
	return j;
}

static cJSON *
load_status_json(const char *state_dir)
{
	char	 path[4096], *buf;
	size_t	 len;
	cJSON	*j;

	snprintf(path, sizeof(path), "%s/status.json", state_dir);
	if ((buf = sd_read_file(path, 1024 * 1024, &len, NULL, 0)) == NULL)
		return NULL;
	j = cJSON_ParseWithLength(buf, len);
	free(buf);
	return j;
}

/* what status knows of one account */
struct acct_status {
	struct config		 v;		/* the account's view */
	struct ad_account	 a;
	enum ad_result		 r;
	enum account_state	 live;
	char			 dc[256], err[1024];
	struct state		 st;
	int			 active;	/* its override in force */
};

static void
status_read(const struct config *c, size_t i, struct acct_status *s,
    int64_t now)
{
	char	serr[512];

	config_view(c, i, &s->v);
	s->live = ACCOUNT_UNKNOWN;
	s->r = account_read(&s->v, &s->a, s->dc, sizeof(s->dc), s->err,
	    sizeof(s->err));
	if (s->r == AD_OK)
		s->live = account_state_of_uac(s->a.uac);
	if (state_load(c->state_dir, s->v.account, &s->st, serr,
	    sizeof(serr)) == -1)
		memset(&s->st, 0, sizeof(s->st));
	s->active = override_active(&s->st.ovr, now);
}

/* the account's keys of status --json: part 1 before "mode", 2, 3 after */
static void
status_keys(cJSON *j, const struct acct_status *s, int part, int64_t now)
{
	const struct config	*c = &s->v;

	if (part == 1) {
		cJSON_AddStringToObject(j, "account_dn", c->account->dn);
		cJSON_AddStringToObject(j, "account_state",
		    account_state_name(s->live));
		cJSON_AddStringToObject(j, "desired_state", account_state_name(
		    policy_desired_state(&s->st, c->policy.mode,
		    c->account->automatic, now)));
	} else if (part == 2) {
		if (s->active)
			cJSON_AddItemToObject(j, "override",
			    override_json(&s->st.ovr));
		else
			cJSON_AddNullToObject(j, "override");
	} else if (s->r == AD_OK) {
		cJSON_AddNumberToObject(j, "userAccountControl", s->a.uac);
		cJSON_AddStringToObject(j, "object_guid", s->a.guid);
		cJSON_AddStringToObject(j, "sAMAccountName", s->a.sam);
		cJSON_AddStringToObject(j, "whenChanged", s->a.when_changed);
		cJSON_AddStringToObject(j, "dc", s->dc);
	} else
		cJSON_AddStringToObject(j, "error", s->err);
}

static void
status_text(const struct acct_status *s, int several, int64_t now)
{
	const struct config	*c = &s->v;

	/* state.json and AD's errors are read back: out_line flattens */
	if (several)
		out_line(stdout, "account   %s: %s%s", c->account->name,
		    c->account->dn, c->account->automatic ? "" :
		    " (auto = false)");
	else
		out_line(stdout, "account   %s", c->account->dn);
	if (s->r == AD_OK)
		out_line(stdout, "state     %s (userAccountControl %u, "
		    "read from %s)", account_state_name(s->live), s->a.uac,
		    s->dc);
	else
		out_line(stdout, "state     unknown (%s)", s->err);
	out_line(stdout, "desired   %s", account_state_name(
	    policy_desired_state(&s->st, c->policy.mode,
	    c->account->automatic, now)));
	if (several)
		return;			/* mode once, below */
	out_line(stdout, "mode      %s", mode_name(c->policy.mode));
}

static void
status_override(const struct acct_status *s)
{
	char	t[RFC3339_LEN];

	if (s->active) {
		fmt_time(s->st.ovr.until_ms, t, sizeof(t));
		out_line(stdout, "override  %s until %s, set by %s: %s",
		    account_state_name(s->st.ovr.state), t, s->st.ovr.actor,
		    s->st.ovr.reason);
	} else
		out_line(stdout, "override  none");
}

/*
 * Long on purpose: status --json and its text, the accounts' rows and the
 * shared health and audit head, in the order the contract prints them.
 */
int
cmd_status(const struct cmd_ctx *x)
{
	const struct cli	*cli = x->cli;
	const struct config	*c = *x->cfg;
	struct acct_status	*s;
	struct audit_head	 head;
	char			 serr[512];
	cJSON			*health;
	int64_t			 now = now_ms();
	size_t			 n = 0;
	int			 several = accounts_several(x), rc = -1;

	if ((s = calloc(c->naccounts, sizeof(*s))) == NULL) {
		log_warnx("status: out of memory");
		return BG_EXIT_FAIL;
	}
	for (size_t i = 0; i < c->naccounts; i++)
		if (cli->account == NULL || config_account(c, cli->account) ==
		    &c->accounts[i])
			status_read(c, i, &s[n++], now);
	if (audit_read_head(c->state_dir, &head, serr, sizeof(serr)) == -1)
		memset(&head, 0, sizeof(head));
	health = load_status_json(c->state_dir);

	if (cli->json) {
		cJSON *j = cJSON_CreateObject(), *h, *l;
		char *text;

		/* the first account's keys at the top, as with one */
		status_keys(j, &s[0], 1, now);
		cJSON_AddStringToObject(j, "mode", mode_name(c->policy.mode));
		status_keys(j, &s[0], 2, now);
		if (health != NULL)
			cJSON_AddItemToObject(j, "health", health);
		else
			cJSON_AddNullToObject(j, "health");
		health = NULL;
		status_keys(j, &s[0], 3, now);
		h = cJSON_AddObjectToObject(j, "audit_head");
		cJSON_AddNumberToObject(h, "seq", (double)head.seq);
		cJSON_AddStringToObject(h, "sha256", head.sha256);
		if (c->naccounts > 1) {
			l = cJSON_AddArrayToObject(j, "accounts");
			for (size_t i = 0; i < n; i++) {
				cJSON *o = cJSON_CreateObject();
				cJSON_AddStringToObject(o, "name",
				    s[i].v.account->name);
				cJSON_AddBoolToObject(o, "auto",
				    s[i].v.account->automatic);
				for (int part = 1; part <= 3; part++)
					status_keys(o, &s[i], part, now);
				cJSON_AddItemToArray(l, o);
			}
		}
		if ((text = cJSON_PrintUnformatted(j)) != NULL)
			out_json(stdout, text);
		free(text);
		cJSON_Delete(j);
	} else {
		for (size_t i = 0; i < n; i++) {
			status_text(&s[i], several, now);
			status_override(&s[i]);
		}
		if (several)
			out_line(stdout, "mode      %s", mode_name(
			    c->policy.mode));
		if (health != NULL) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(
			    health, "verdict");
			const cJSON *w = cJSON_GetObjectItemCaseSensitive(
			    health, "time");
			out_line(stdout, "health    %s at %s", cJSON_IsString(v) ?
			    v->valuestring : "?", cJSON_IsString(w) ?
			    w->valuestring : "?");
			print_sources(cJSON_GetObjectItemCaseSensitive(health,
			    "sources"));
		} else
			out_line(stdout, "health    no verdict yet (the agent has "
			    "not run)");
		out_line(stdout, "audit     seq %lld, sha256 %s",
		    (long long)head.seq, head.sha256);
	}
	cJSON_Delete(health);
	for (size_t i = 0; i < n; i++) {
		int one = s[i].r == AD_OK ? BG_EXIT_DONE : s[i].r == AD_EGUID ?
		    BG_EXIT_REFUSED : BG_EXIT_FAIL;

		if (s[i].r != AD_OK && !cli->json)
			log_warnx("status: %s", s[i].err);
		rc = rc == -1 || rc == one ? one : BG_EXIT_FAIL;
	}
	free(s);
	return rc;
}

/* the command line tries each new message once, outside the lock */
void
notify_once(const struct config *c, const char *actor)
{
	int	pending;

	if (!notify_configured(c))
		return;
	if ((pending = notify_flush(c, actor, 0)) > 0)
		fprintf(stderr, "breakglass: %d notification(s) not delivered "
		    "yet; kept in %s/spool, the agent retries them\n", pending,
		    c->state_dir);
}

static int
prepare_state_dir(const struct config *c, int *lockfd)
{
	char	err[1024];
	int	fd;

	if (statedir_open(c->state_dir, 1, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return BG_EXIT_REFUSED;
	}
	if ((fd = state_lock(c->state_dir, err, sizeof(err))) < 0) {
		log_warnx("lock: %s", err);
		return BG_EXIT_REFUSED;
	}
	*lockfd = fd;
	return BG_EXIT_DONE;
}

/*
 * An override set or cleared at the command line: its audit line (with
 * "until" when it has an end), no authpriv line; refused (-1, err) if the
 * line cannot be written.
 */
static int
record_override(const struct config *c, struct event *ev, int64_t until,
    char *err, size_t errlen)
{
	cJSON	*extra = NULL;
	char	 t[RFC3339_LEN];
	int	 done;

	if (until != 0) {
		extra = cJSON_CreateObject();
		format_time_ms(until, t, sizeof(t));
		cJSON_AddStringToObject(extra, "until", t);
	}
	ev->extra = extra;
	ev->flags |= EV_NEED_AUDIT | EV_NO_SYSLOG;
	done = event_record(c, ev, err, errlen);
	cJSON_Delete(extra);
	return done & EV_AUDITED ? 0 : -1;
}

static int
dry_run(const struct cli *cli, const struct config *c, int disable)
{
	struct ad_account	a;
	char			err[1024], dc[256], d[32];
	const char		*want = account_state_name(disable ?
				    ACCOUNT_DISABLED : ACCOUNT_ENABLED);
	unsigned int		newv;
	enum ad_result		r;

	r = account_read(c, &a, dc, sizeof(dc), err, sizeof(err));
	if (r != AD_OK) {
		log_warnx("%s --dry-run: %s", cli->cmd_name, err);
		return BG_EXIT_FAIL;
	}
	if (c->account->object_guid != NULL &&
	    !ad_guid_equal(a.guid, c->account->object_guid)) {
		log_warnx("%s --dry-run: %s has objectGUID %s, not the pinned "
		    "%s: the real command would refuse", cli->cmd_name,
		    c->account->dn, a.guid, c->account->object_guid);
		return BG_EXIT_REFUSED;
	}
	newv = ad_uac_with_disabled(a.uac, disable);
	format_duration(cli->for_secs ? cli->for_secs : c->policy.manual_for,
	    d, sizeof(d));
	if (newv == a.uac)
		out_line(stdout, "dry run: %s is already %s (userAccountControl "
		    "%u on %s); nothing would change in AD", c->account->dn, want,
		    a.uac, dc);
	else
		out_line(stdout, "dry run: would set %s %s on %s "
		    "(userAccountControl %u -> %u, only ACCOUNTDISABLE)",
		    c->account->dn, want, dc, a.uac, newv);
	printf("dry run: would hold it %s for %s (override), and record it in "
	    "the audit log; nothing was changed\n", want, d);
	return BG_EXIT_DONE;
}

/* "a, b": the accounts that failed, for the summary */
static void
names_add(char *list, const char *name)
{
	size_t	n = strlen(list);

	snprintf(list + n, ACCOUNTS_MAX * (ACCOUNT_NAME_MAX + 2) + 1 - n,
	    "%s%s", n ? ", " : "", name);
}

/* a refusal before AD was touched: the user and syslog are told */
static void
refused(const struct config *c, const struct cli *cli, const char *actor,
    const char *what, const char *err)
{
	log_warnx("%s, account not touched: %s", what, err);
	log_authpriv("%s of %s by %s refused: %s: %s", cli->cmd == CMD_DISABLE ?
	    "disable" : "enable", c->account->dn, actor, what, err);
}

/*
 * Long on purpose: enable and disable as the admin sees them, step by
 * step (lock, expired override, the new override, dry run, the change,
 * its notice, the sync after the lock): the order is the contract.
 */
static int
set_one(const struct cmd_ctx *x, const struct config *c, void *arg)
{
	const struct cli	*cli = x->cli;
	const char		*actor = x->actor;
	struct toggle_result	 res;
	struct state		 st;
	enum account_state	 want;
	const char		*to;
	char			 err[1536], t[RFC3339_LEN], d[32];
	int64_t			 now = now_ms(), secs;
	int			 disable = cli->cmd == CMD_DISABLE, lockfd = -1;
	int			 rc;

	memset(&res, 0, sizeof(res));
	want = disable ? ACCOUNT_DISABLED : ACCOUNT_ENABLED;
	to = account_state_name(want);
	if (accounts_several(x))
		out_line(stdout, "== account %s (%s)", c->account->name,
		    c->account->dn);
	if (cli->dry_run)
		return dry_run(cli, c, disable);
	if ((rc = prepare_state_dir(c, &lockfd)) != BG_EXIT_DONE)
		return rc;
	if (state_load(c->state_dir, c->account, &st, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		rc = BG_EXIT_REFUSED;
		goto out;
	}
	if (reconcile(c, &st, actor))
		fprintf(stderr, "breakglass: an interrupted change was found "
		    "and reconciled (see breakglass history)\n");
	if (override_expire(c, &st, now, err, sizeof(err)) == -1) {
		refused(c, cli, actor, "audit log not writable", err);
		rc = BG_EXIT_REFUSED;
		goto out;
	}
	secs = cli->for_secs ? cli->for_secs : c->policy.manual_for;
	/* its notice only if the account does not change (below) */
	if (record_override(c, &(struct event){ .actor = actor, .event =
	    "override-set", .from = override_active(&st.ovr, now) ?
	    account_state_name(st.ovr.state) : NULL, .to = to, .reason =
	    cli->reason, .head = &st.audit_head, .flags = EV_NO_NOTICE },
	    now + secs * 1000, err, sizeof(err)) == -1) {
		refused(c, cli, actor, "audit log not writable", err);
		rc = BG_EXIT_REFUSED;
		goto out;
	}
	st.ovr.active = 1;
	st.ovr.state = want;
	st.ovr.until_ms = now + secs * 1000;
	st.ovr.set_ms = now;
	bg_strlcpy(st.ovr.actor, actor, sizeof(st.ovr.actor));
	bg_strlcpy(st.ovr.reason, cli->reason, sizeof(st.ovr.reason));
	st.ovr.during_outage = st.outage_declared;
	/* the override and the notice ledger on disk before AD is touched */
	if (state_save(c->state_dir, c->account, &st, err, sizeof(err)) == -1) {
		refused(c, cli, actor, "state not writable", err);
		rc = BG_EXIT_REFUSED;
		goto out;
	}

	toggle_account(c, &st, actor, cli->reason, disable ? TOGGLE_DISABLE :
	    0, NULL, &res, err,
	    sizeof(err));
	rc = res.exit_code;
	if (rc == BG_EXIT_DONE && !res.state_saved)
		rc = BG_EXIT_FAIL;	/* toggle_account said why */
	/* no account change to tell of: tell of the override */
	if (res.exit_code == BG_EXIT_DONE && !res.change.changed)
		event_record(c, &(struct event){ .actor = actor, .event =
		    "override-set", .to = to, .state = want, .reason =
		    cli->reason, .until_ms = st.ovr.until_ms, .head =
		    &st.audit_head, .flags = EV_NO_AUDIT | EV_NO_SYSLOG }, NULL,
		    0);
	if (res.exit_code != BG_EXIT_DONE) {
		log_warnx("%s", err);
		if (res.exit_code == BG_EXIT_FAIL && res.dc[0] == '\0')
			fprintf(stderr, "hint: check that a domain controller in "
			    "ldap.uri answers (breakglass status), then run the "
			    "command again\n");
		goto out;
	}
	format_time_ms(st.ovr.until_ms, t, sizeof(t));
	format_duration(secs, d, sizeof(d));
	if (res.change.changed)
		out_line(stdout, "%s %s on %s (userAccountControl %u -> %u)",
		    to, c->account->dn, res.dc, res.change.old_uac,
		    res.change.new_uac);
	else
		out_line(stdout, "%s was already %s (userAccountControl %u on "
		    "%s); nothing changed in AD", c->account->dn, to,
		    res.change.new_uac, res.dc);
	printf("override: held %s for %s, until %s; then the agent decides "
	    "again\n", to, d, t);
	if (res.change.changed)
		printf("next: Entra Connect syncs this within 30 minutes; to "
		    "sync now, on the Connect server run: Start-ADSyncSyncCycle "
		    "-PolicyType Delta\n");
	printf("undo: breakglass %s --reason \"...\"\n",
	    disable ? "enable" : "disable");
	printf("audit: seq %lld sha256 %s\n", (long long)st.audit_head.seq,
	    st.audit_head.sha256);
 out:
	state_unlock(lockfd);
	if (rc == BG_EXIT_DONE && res.sync_want != ACCOUNT_UNKNOWN)
		sync_unlocked(c, actor, res.sync_want);
	if (rc == BG_EXIT_DONE && res.sync_want == ACCOUNT_DISABLED)
		after_use(c, NULL, actor);	/* revoke.h */
	if (rc != BG_EXIT_DONE)
		names_add(arg, c->account->name);
	return rc;
}

/*
 * enable, disable: each account its own compare-and-swap, audit lines and
 * notice; one failing does not stop the others (issue 15)
 */
int
cmd_set(const struct cmd_ctx *x)
{
	char	failed[ACCOUNTS_MAX * (ACCOUNT_NAME_MAX + 2) + 1] = "";
	int	rc;

	rc = accounts_each(x, set_one, failed);
	notify_once(*x->cfg, x->actor);
	if (rc != BG_EXIT_DONE && accounts_several(x))
		log_warnx("%s failed for: %s (the others are done; see above)",
		    x->cli->cmd_name, failed);
	return rc;
}

static int
auto_one(const struct cmd_ctx *x, const struct config *c, void *arg)
{
	const struct cli	*cli = x->cli;
	const char		*actor = x->actor;
	struct state	st;
	struct override	was;
	char		err[1024];
	int64_t		now = now_ms();
	int		lockfd = -1, rc;

	(void)arg;
	if (accounts_several(x))
		out_line(stdout, "== account %s (%s)", c->account->name,
		    c->account->dn);
	if ((rc = prepare_state_dir(c, &lockfd)) != BG_EXIT_DONE)
		return rc;
	rc = BG_EXIT_REFUSED;
	if (state_load(c->state_dir, c->account, &st, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		goto out;
	}
	reconcile(c, &st, actor);
	if (override_expire(c, &st, now, err, sizeof(err)) == -1) {
		log_warnx("audit log not writable: %s", err);
		goto out;
	}
	if (!st.ovr.active) {
		printf("no override is set; the agent already decides (mode "
		    "%s)\n", mode_name(c->policy.mode));
		rc = state_save(c->state_dir, c->account,
		    &st, err, sizeof(err)) == 0 ?
		    BG_EXIT_DONE : BG_EXIT_FAIL;
		goto out;
	}
	if (record_override(c, &(struct event){ .actor = actor, .event =
	    "override-cleared", .from = account_state_name(st.ovr.state),
	    .reason = cli->reason,
	    .state = st.account_state, .head = &st.audit_head }, 0, err,
	    sizeof(err)) == -1) {
		log_warnx("audit log not writable, override kept: %s", err);
		goto out;
	}
	was = st.ovr;
	memset(&st.ovr, 0, sizeof(st.ovr));
	/* the actor is read back from state.json: out_line flattens it */
	if (c->policy.mode == MODE_AUTO)
		out_line(stdout, "override cleared (was %s until %s's request); "
		    "the agent decides again from health at its next poll "
		    "(wanted now: %s)", account_state_name(was.state),
		    was.actor, account_state_name(policy_desired_state(&st,
		    c->policy.mode, c->account->automatic, now)));
	else
		out_line(stdout, "override cleared (was %s until %s's request); "
		    "mode is %s: the account stays as it is until changed with "
		    "enable/disable", account_state_name(was.state), was.actor,
		    mode_name(c->policy.mode));
	printf("audit: seq %lld sha256 %s\n", (long long)st.audit_head.seq,
	    st.audit_head.sha256);
	if (state_save(c->state_dir, c->account, &st, err, sizeof(err)) == -1) {
		log_warnx("state: %s", err);
		rc = BG_EXIT_FAIL;
		goto out;
	}
	rc = BG_EXIT_DONE;
 out:
	state_unlock(lockfd);
	return rc;
}

/* auto: each account's override cleared (--account: that one's) */
int
cmd_auto(const struct cmd_ctx *x)
{
	int	rc;

	rc = accounts_each(x, auto_one, NULL);
	notify_once(*x->cfg, x->actor);
	return rc;
}
