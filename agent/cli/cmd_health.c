/* SPDX-License-Identifier: ISC */
/* cmd_health.c - health (one poll), check (monitoring plugin), run (the agent) */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "../agent.h"
#include "../audit.h"
#include "commands.h"
#include "../log.h"
#include "../policy.h"
#include "../poll.h"
#include "../revoke.h"
#include "../state.h"
#include "../statedir.h"
#include "../sync.h"
#include "../text.h"
#include "../toggle.h"
#include "../util.h"

void
print_sources(const cJSON *sources)
{
	const cJSON	*s, *ev, *o;

	cJSON_ArrayForEach(s, sources) {
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(s, "error");
		out_line(stdout, "source    %s (%s): %s%s%s",
		    cJSON_GetStringValue(cJSON_GetObjectItem(s, "name")),
		    cJSON_GetStringValue(cJSON_GetObjectItem(s, "role")),
		    cJSON_GetStringValue(cJSON_GetObjectItem(s, "verdict")),
		    cJSON_IsString(e) ? ": " : "", cJSON_IsString(e) ?
		    e->valuestring : "");
		ev = cJSON_GetObjectItemCaseSensitive(s, "evidence");
		if (!cJSON_IsTrue(cJSON_GetObjectItem(s, "warning")) &&
		    strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(s,
		    "verdict")), "outage") != 0)
			continue;	/* the evidence of what matters */
		cJSON_ArrayForEach(o, ev) {
			const cJSON *d = cJSON_GetObjectItem(o, "detail");
			if (cJSON_IsString(d))
				out_line(stdout, "          %s", d->valuestring);
		}
	}
}

int
cmd_health(const struct cmd_ctx *x)
{
	const struct cli	*cli = x->cli;
	const struct config	*c = *x->cfg;
	struct poll_ctx		p;
	struct poll_result	r;
	char			err[512];
	const cJSON		*o;

	if (config_graph_ready(c, err, sizeof(err)) == -1) {
		log_warnx("health: %s", err);
		return BG_EXIT_USAGE;
	}
	poll_ctx_init(&p);
	poll_health(c, &p, now_ms(), &r);
	poll_ctx_free(&p);
	if (cli->json) {
		cJSON *j = cJSON_CreateObject();
		char *text;

		cJSON_AddStringToObject(j, "verdict", verdict_name(r.verdict));
		cJSON_AddStringToObject(j, "source", r.source);
		cJSON_AddNumberToObject(j, "issues_seen", r.issues_seen);
		if (r.evidence != NULL)
			cJSON_AddItemToObject(j, "evidence",
			    cJSON_Duplicate(r.evidence, 1));
		else
			cJSON_AddNullToObject(j, "evidence");
		if (r.error[0])
			cJSON_AddStringToObject(j, "error", r.error);
		else
			cJSON_AddNullToObject(j, "error");
		cJSON_AddBoolToObject(j, "warning", r.warning);
		cJSON_AddItemToObject(j, "sources", r.sources);
		r.sources = NULL;
		if ((text = cJSON_PrintUnformatted(j)) != NULL)
			out_json(stdout, text);
		free(text);
		cJSON_Delete(j);
	} else {
		/* Graph's titles and servers' errors: out_line flattens them */
		out_line(stdout, "verdict   %s (%s)", verdict_name(r.verdict),
		    r.source);
		if (r.verdict != VERDICT_UNKNOWN)
			out_line(stdout, "issues    %d unresolved read, %d "
			    "matching the policy", r.issues_seen,
			    cJSON_GetArraySize(r.evidence));
		cJSON_ArrayForEach(o, r.evidence) {
			const cJSON *id = cJSON_GetObjectItem(o, "id");
			const cJSON *t = cJSON_GetObjectItem(o, "title");
			const cJSON *s = cJSON_GetObjectItem(o, "status");
			const cJSON *sv = cJSON_GetObjectItem(o, "service");
			const cJSON *d = cJSON_GetObjectItem(o, "detail");
			if (cJSON_IsString(id))
				out_line(stdout, "evidence  %s [%s, %s] %s",
				    id->valuestring, cJSON_IsString(sv) ?
				    sv->valuestring : "?", cJSON_IsString(s) ?
				    s->valuestring : "?", cJSON_IsString(t) ?
				    t->valuestring : "");
			else if (cJSON_IsString(d))
				out_line(stdout, "evidence  %s", d->valuestring);
		}
		if (r.error[0] && r.verdict != VERDICT_UNKNOWN)
			out_line(stdout, "detail    %s", r.error);
		print_sources(r.sources);
	}
	if (r.verdict == VERDICT_UNKNOWN)
		log_warnx("health: unknown: %s", r.error);
	poll_result_free(&r);
	if (r.verdict == VERDICT_UNKNOWN)
		return r.config_error ? BG_EXIT_USAGE : BG_EXIT_FAIL;
	return BG_EXIT_DONE;
}

enum { NAGIOS_OK, NAGIOS_WARNING, NAGIOS_CRITICAL, NAGIOS_UNKNOWN };

/*
 * The text holds what state.json and AD say (an override's actor and
 * reason, an error): one line, no terminal codes (text.h), and no '|', which
 * would start the performance data.
 */
static int
plugin_line(int code, char *text, const char *perf)
{
	static const char *names[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };

	for (char *p = text; (p = strchr(p, '|')) != NULL; p++)
		*p = '/';
	out_line(stdout, "BREAKGLASS %s - %s|%s", names[code], text, perf);
	return code;
}

/*
 * Seconds since status.json was written, -1 if missing or unreadable; warn:
 * what a source that may only warn saw there (its outage), or "".
 */
static int64_t
status_age(const char *state_dir, int64_t now, char *warn, size_t size)
{
	char		 path[4096], *buf;
	size_t		 len;
	cJSON		*j;
	const cJSON	*t, *s;
	int64_t		 ms = -1;

	warn[0] = '\0';
	snprintf(path, sizeof(path), "%s/status.json", state_dir);
	if ((buf = sd_read_file(path, 1024 * 1024, &len, NULL, 0)) == NULL)
		return -1;
	j = cJSON_ParseWithLength(buf, len);
	free(buf);
	t = cJSON_GetObjectItemCaseSensitive(j, "time");
	if (!cJSON_IsString(t) || parse_time(t->valuestring, &ms) == -1)
		ms = -1;
	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(j, "sources")) {
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(s, "error");
		if (warn[0] == '\0' && cJSON_IsTrue(
		    cJSON_GetObjectItemCaseSensitive(s, "warning")))
			snprintf(warn, size, "%s: %s",
			    cJSON_GetStringValue(cJSON_GetObjectItem(s, "name")),
			    cJSON_IsString(e) ? e->valuestring : "outage");
	}
	cJSON_Delete(j);
	return ms < 0 ? -1 : (now - ms) / 1000;
}

/* one account's verdict for check: its code, its text, enabled or not */
struct acct_check {
	int	code;
	int	enabled;
	char	text[1536];
};

/*
 * Long on purpose: the account's states from worst to best, each with the
 * words an on-call admin reads at 3 a.m.
 */
static void
check_account(const struct config *c, int several, int64_t now,
    struct acct_check *k)
{
	struct ad_account	a;
	struct state		st;
	char			err[1024], who[ACCOUNT_NAME_MAX + 3] = "";
	size_t			o;
	int			active;

	if (several)
		snprintf(who, sizeof(who), "%s: ", c->account->name);
	o = strlen(who);
	bg_strlcpy(k->text, who, sizeof(k->text));
	if (state_load(c->state_dir, c->account, &st, err, sizeof(err)) == -1)
		memset(&st, 0, sizeof(st));
	if (account_read(c, &a, NULL, 0, err, sizeof(err)) != AD_OK) {
		k->code = NAGIOS_UNKNOWN;
		snprintf(k->text + o, sizeof(k->text) - o, "account "
		    "unreadable: %s", err);
		return;
	}
	k->enabled = !ad_uac_is_disabled(a.uac);
	active = override_active(&st.ovr, now);
	if (k->enabled && !active && !st.outage_declared) {
		k->code = NAGIOS_CRITICAL;
		snprintf(k->text + o, sizeof(k->text) - o, "account %s is "
		    "ENABLED with no override and no declared outage",
		    c->account->dn);
		return;
	}
	if (!k->enabled && policy_desired_state(&st, c->policy.mode,
	    c->account->automatic, now) == ACCOUNT_ENABLED) {
		k->code = NAGIOS_CRITICAL;
		snprintf(k->text + o, sizeof(k->text) - o, "account %s is "
		    "DISABLED but should be enabled (%s)", c->account->dn,
		    active ? "an override holds it enabled" :
		    "a declared outage");
		return;
	}
	k->code = NAGIOS_WARNING;
	if (k->enabled) {
		if (active)
			snprintf(k->text + o, sizeof(k->text) - o, "account "
			    "enabled by override of %s until its expiry: %s",
			    st.ovr.actor, st.ovr.reason);
		else
			snprintf(k->text + o, sizeof(k->text) - o, "account "
			    "enabled during a declared outage");
		return;
	}
	/* the warnings of a disabled account, all of them on the line */
	if (rotation_overdue(c, &st, k->text + o, sizeof(k->text) - o))
		o = strlen(k->text);
	else
		k->code = NAGIOS_OK;
	if (drill_overdue(c, &st, now)) {
		char	d[32];

		if (k->code == NAGIOS_WARNING)
			o += (size_t)snprintf(k->text + o, sizeof(k->text) - o,
			    "; ");
		format_duration(c->policy.drill_every, d, sizeof(d));
		if (st.last_drill_ms == 0)
			snprintf(k->text + o, sizeof(k->text) - o, "account "
			    "disabled, but no drill on record "
			    "(policy.drill_every %s): run breakglass drill", d);
		else {
			char t[RFC3339_LEN];
			format_time_ms(st.last_drill_ms, t, sizeof(t));
			snprintf(k->text + o, sizeof(k->text) - o, "account "
			    "disabled, but the last drill was %s, more than %s "
			    "ago: run breakglass drill", t, d);
		}
		k->code = NAGIOS_WARNING;
	}
}

/* the accounts' texts of one code, "; " between them */
static void
join_texts(const struct acct_check *k, size_t n, int code, char *text,
    size_t size)
{
	size_t	o = 0;

	text[0] = '\0';
	for (size_t i = 0; i < n && o + 1 < size; i++)
		if (k[i].code == code)
			o += (size_t)snprintf(text + o, size - o, "%s%s",
			    o ? "; " : "", k[i].text);
}

/*
 * The monitoring plugin: the worst of the accounts (issue 15: each named
 * when there are several, perfdata per account), the audit chain and the
 * agent's heartbeat.  CRITICAL > UNKNOWN > WARNING > OK.
 */
int
cmd_check(const struct cmd_ctx *x)
{
	const struct config	*c = *x->cfg;
	struct acct_check	*k;
	struct audit_verdict	 v;
	struct state		 st;
	struct config		 view;
	char			 err[1024], perf[1024], text[4096], path[4096];
	char			 source_warn[1024];
	int64_t			 now = now_ms(), age;
	size_t			 n = 0, o = 0;
	int			 several = accounts_several(x), chain, rc;
	int			 worst = NAGIOS_OK;

	if (config_check_secrets(c, err, sizeof(err)) == -1) {
		snprintf(text, sizeof(text), "config: %s", err);
		return plugin_line(NAGIOS_UNKNOWN, text, "");
	}
	if ((k = calloc(c->naccounts, sizeof(*k))) == NULL)
		return plugin_line(NAGIOS_UNKNOWN, "out of memory", "");
	for (size_t i = 0; i < c->naccounts; i++) {
		if (x->cli->account != NULL && config_account(c,
		    x->cli->account) != &c->accounts[i])
			continue;
		config_view(c, i, &view);
		check_account(&view, several, now, &k[n]);
		if (several)
			o += (size_t)snprintf(perf + o, sizeof(perf) - o,
			    "enabled_%s=%d ", view.account->name, k[n].enabled);
		else
			o += (size_t)snprintf(perf + o, sizeof(perf) - o,
			    "enabled=%d ", k[n].enabled);
		n++;
	}
	if (state_load(c->state_dir, NULL, &st, err, sizeof(err)) == -1)
		memset(&st, 0, sizeof(st));
	snprintf(path, sizeof(path), "%s/%s", c->state_dir, AUDIT_FILE);
	chain = audit_verify(path, st.audit_head.seq > 0 ? &st.audit_head :
	    NULL, &v, err, sizeof(err));
	age = status_age(c->state_dir, now, source_warn, sizeof(source_warn));
	snprintf(perf + o, sizeof(perf) - o, "audit_seq=%lld status_age=%llds",
	    (long long)v.head.seq, (long long)age);
	for (size_t i = 0; i < n; i++)
		if (k[i].code == NAGIOS_CRITICAL || (k[i].code ==
		    NAGIOS_UNKNOWN && worst != NAGIOS_CRITICAL) ||
		    (k[i].code == NAGIOS_WARNING && worst == NAGIOS_OK))
			worst = k[i].code;
	if (worst == NAGIOS_UNKNOWN && n == 1) {
		/* one account that cannot be read: as before, no perfdata */
		rc = plugin_line(NAGIOS_UNKNOWN, k[0].text, "");
		goto out;
	}
	if (chain != 0) {
		snprintf(text, sizeof(text), "audit chain broken at seq %lld: %s",
		    (long long)v.bad_seq, chain == -1 ? err : v.why);
		rc = plugin_line(NAGIOS_CRITICAL, text, perf);
		goto out;
	}
	if (worst == NAGIOS_CRITICAL) {
		join_texts(k, n, NAGIOS_CRITICAL, text, sizeof(text));
		rc = plugin_line(NAGIOS_CRITICAL, text, perf);
		goto out;
	}
	if (c->policy.mode == MODE_AUTO &&
	    (age < 0 || age > 3 * c->policy.poll_interval)) {
		if (age < 0)
			snprintf(text, sizeof(text), "the agent has written no "
			    "status (is breakglass run running?)");
		else
			snprintf(text, sizeof(text), "the agent's status is "
			    "%llds old (poll interval %llds): is it running?",
			    (long long)age,
			    (long long)c->policy.poll_interval);
		rc = plugin_line(NAGIOS_CRITICAL, text, perf);
		goto out;
	}
	if (worst != NAGIOS_OK) {
		join_texts(k, n, worst, text, sizeof(text));
		if (worst == NAGIOS_WARNING && source_warn[0] != '\0')
			snprintf(text + strlen(text), sizeof(text) -
			    strlen(text), "; %s", source_warn);
		rc = plugin_line(worst, text, perf);
		goto out;
	}
	if (source_warn[0] != '\0') {	/* a source that may only warn */
		snprintf(text, sizeof(text), "%s disabled; %s", several ?
		    "accounts" : "account", source_warn);
		rc = plugin_line(NAGIOS_WARNING, text, perf);
		goto out;
	}
	snprintf(text, sizeof(text), "%s disabled, audit chain intact (seq "
	    "%lld)", several ? "accounts" : "account", (long long)v.head.seq);
	rc = plugin_line(NAGIOS_OK, text, perf);
 out:
	free(k);
	return rc;
}

int
cmd_run(const struct cmd_ctx *x)
{
	const struct cli	*cli = x->cli;
	const char		*path = x->path;
	struct config		**cfg = x->cfg;
	char	err[1024];

	log_set_verbosity(cli->verbose > 1 ? cli->verbose : 1);
	if ((*cfg)->policy.mode != MODE_MANUAL &&
	    config_graph_ready(*cfg, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return BG_EXIT_USAGE;
	}
	return agent_run(path, cfg, cli->polls);
}
