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

int
cmd_check(const struct cmd_ctx *x)
{
	const struct cli	*cli = x->cli;
	const struct config	*c = *x->cfg;
	struct ad_account	a;
	struct audit_verdict	v;
	struct state		st;
	char			err[1024], perf[256], text[1536], path[4096],
				source_warn[1024];
	int64_t			now = now_ms(), age;
	int			enabled, active, chain, warn;

	(void)cli;
	if (config_check_secrets(c, err, sizeof(err)) == -1) {
		snprintf(text, sizeof(text), "config: %s", err);
		return plugin_line(NAGIOS_UNKNOWN, text, "");
	}
	if (state_load(c->state_dir, &st, err, sizeof(err)) == -1)
		memset(&st, 0, sizeof(st));
	snprintf(path, sizeof(path), "%s/%s", c->state_dir, AUDIT_FILE);
	chain = audit_verify(path, st.audit_head.seq > 0 ? &st.audit_head :
	    NULL, &v, err, sizeof(err));
	age = status_age(c->state_dir, now, source_warn, sizeof(source_warn));
	if (account_read(c, &a, NULL, 0, err, sizeof(err)) != AD_OK) {
		snprintf(text, sizeof(text), "account unreadable: %s", err);
		return plugin_line(NAGIOS_UNKNOWN, text, "");
	}
	enabled = !ad_uac_is_disabled(a.uac);
	active = override_active(&st.ovr, now);
	snprintf(perf, sizeof(perf), "enabled=%d audit_seq=%lld "
	    "status_age=%llds", enabled, (long long)v.head.seq,
	    (long long)age);
	if (chain != 0) {
		snprintf(text, sizeof(text), "audit chain broken at seq %lld: %s",
		    (long long)v.bad_seq, chain == -1 ? err : v.why);
		return plugin_line(NAGIOS_CRITICAL, text, perf);
	}
	if (enabled && !active && !st.outage_declared) {
		snprintf(text, sizeof(text), "account %s is ENABLED with no "
		    "override and no declared outage", c->account.dn);
		return plugin_line(NAGIOS_CRITICAL, text, perf);
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
		return plugin_line(NAGIOS_CRITICAL, text, perf);
	}
	if (enabled) {
		if (active)
			snprintf(text, sizeof(text), "account enabled by "
			    "override of %s until its expiry: %s",
			    st.ovr.actor, st.ovr.reason);
		else
			snprintf(text, sizeof(text), "account enabled during "
			    "a declared outage");
		return plugin_line(NAGIOS_WARNING, text, perf);
	}
	/* the warnings of a disabled account, all of them on the line */
	warn = rotation_overdue(c, &st, text, sizeof(text));
	if (source_warn[0] != '\0') {	/* a source that may only warn */
		size_t	o = warn ? strlen(text) : 0;

		if (warn)
			o += (size_t)snprintf(text + o, sizeof(text) - o, "; ");
		snprintf(text + o, sizeof(text) - o, "account disabled; %s",
		    source_warn);
		warn = 1;
	}
	if (drill_overdue(c, &st, now)) {
		char	d[32];
		size_t	o = warn ? strlen(text) : 0;

		if (warn)
			o += (size_t)snprintf(text + o, sizeof(text) - o, "; ");
		format_duration(c->policy.drill_every, d, sizeof(d));
		if (st.last_drill_ms == 0)
			snprintf(text + o, sizeof(text) - o, "account disabled, "
			    "but no drill on record (policy.drill_every %s): "
			    "run breakglass drill", d);
		else {
			char t[RFC3339_LEN];
			format_time_ms(st.last_drill_ms, t, sizeof(t));
			snprintf(text + o, sizeof(text) - o, "account disabled, "
			    "but the last drill was %s, more than %s ago: run "
			    "breakglass drill", t, d);
		}
		warn = 1;
	}
	if (warn)
		return plugin_line(NAGIOS_WARNING, text, perf);
	snprintf(text, sizeof(text), "account disabled, audit chain intact "
	    "(seq %lld)", (long long)v.head.seq);
	return plugin_line(NAGIOS_OK, text, perf);
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
