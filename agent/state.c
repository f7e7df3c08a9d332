/* SPDX-License-Identifier: ISC */
/* state.c - state.json (written atomically) and the flock of state_dir */
#include <sys/file.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cJSON.h>

#include "state.h"
#include "statedir.h"
#include "util.h"

#define STATE_MAX	(1024 * 1024)

int
override_active(const struct override *o, int64_t now)
{
	return o->active && (o->until_ms == 0 || now < o->until_ms);
}

static void
get_str(const cJSON *j, const char *key, char *buf, size_t size)
{
	const cJSON	*x = cJSON_GetObjectItemCaseSensitive(j, key);

	if (cJSON_IsString(x))
		bg_strlcpy(buf, x->valuestring, size);
}

/*
 * An account state read as today's names only: a missing or foreign value
 * (hand-edited, another version) is ACCOUNT_UNKNOWN, which for each field
 * means "not known" or "none"; the file still loads.
 */
static enum account_state
get_state(const cJSON *j, const char *key)
{
	enum account_state	s;

	account_state_parse(cJSON_GetStringValue(
	    cJSON_GetObjectItemCaseSensitive(j, key)), &s);
	return s;
}

static int64_t
get_num(const cJSON *j, const char *key)
{
	const cJSON	*x = cJSON_GetObjectItemCaseSensitive(j, key);

	return cJSON_IsNumber(x) ? (int64_t)x->valuedouble : 0;
}

static int64_t
get_time(const cJSON *j, const char *key)
{
	const cJSON	*x = cJSON_GetObjectItemCaseSensitive(j, key);
	int64_t		 ms = 0;

	if (cJSON_IsString(x))
		parse_time(x->valuestring, &ms);
	return ms;
}

/* the keys of one account's block; the rest of state.json is global */
static const char *const account_keys[] = {
	"override", "account", "last_reminder", "cloud_confirm",
	"last_drill", "watch", "drill_reminded", "review", NULL
};

static void
load_globals(const cJSON *j, struct state *s)
{
	const cJSON	*c, *g, *h;

	if (cJSON_IsObject(c = cJSON_GetObjectItemCaseSensitive(j, "counters"))) {
		s->outage_count = (long)get_num(c, "outage");
		s->healthy_count = (long)get_num(c, "healthy");
	}
	if (cJSON_IsObject(g = cJSON_GetObjectItemCaseSensitive(j, "outage"))) {
		s->outage_declared = cJSON_IsTrue(
		    cJSON_GetObjectItemCaseSensitive(g, "declared"));
		s->outage_since_ms = get_time(g, "since");
	}
	/* a pid, or nothing: -1 or 2^32-1 would make kill(pid, 0) ask
	   about every process */
	s->agent_pid = (long)get_num(j, "agent_pid");
	if (s->agent_pid <= 0 || s->agent_pid > INT_MAX)
		s->agent_pid = 0;
	s->notified_seq = cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(j,
	    "notified_seq")) ? get_num(j, "notified_seq") : -1;
	if (cJSON_IsObject(h = cJSON_GetObjectItemCaseSensitive(j,
	    "audit_head"))) {
		s->audit_head.seq = get_num(h, "seq");
		get_str(h, "sha256", s->audit_head.sha256,
		    sizeof(s->audit_head.sha256));
	}
}

/* Long on purpose: every per-account field of state.json, one a line. */
static void
load_account(const cJSON *j, struct state *s)
{
	const cJSON	*o, *a, *c;

	if (cJSON_IsObject(o = cJSON_GetObjectItemCaseSensitive(j, "override"))) {
		s->ovr.active = 1;
		s->ovr.state = get_state(o, "state");
		s->ovr.until_ms = get_time(o, "until");
		s->ovr.set_ms = get_time(o, "set");
		get_str(o, "actor", s->ovr.actor, sizeof(s->ovr.actor));
		get_str(o, "reason", s->ovr.reason, sizeof(s->ovr.reason));
		s->ovr.during_outage = cJSON_IsTrue(
		    cJSON_GetObjectItemCaseSensitive(o, "during_outage"));
		if (s->ovr.state == ACCOUNT_UNKNOWN)	/* not ours */
			s->ovr.active = 0;
	}
	if (cJSON_IsObject(a = cJSON_GetObjectItemCaseSensitive(j, "account"))) {
		s->account_state = get_state(a, "state");
		s->account_uac = (unsigned int)get_num(a, "userAccountControl");
		s->account_seen_ms = get_time(a, "seen");
		s->last_set = get_state(a, "last_set");
	}
	s->last_reminder_ms = get_time(j, "last_reminder");
	if (cJSON_IsObject(c = cJSON_GetObjectItemCaseSensitive(j,
	    "cloud_confirm"))) {
		s->confirm_want = get_state(c, "want");
		s->confirm_since_ms = get_time(c, "since");
	}
	s->last_drill_ms = get_time(j, "last_drill");
	if (cJSON_IsObject(c = cJSON_GetObjectItemCaseSensitive(j, "watch"))) {
		const cJSON *ids, *x;
		int i = 0;

		if (cJSON_IsArray(a = cJSON_GetObjectItemCaseSensitive(c,
		    "ad"))) {
			s->adw_seen = 1;
			cJSON_ArrayForEach(x, a)
				if (i < WATCH_ATTRS && cJSON_IsString(x))
					bg_strlcpy(s->adw[i++], x->valuestring,
					    sizeof(s->adw[0]));
		}
		get_str(c, "signin_since", s->signin_since,
		    sizeof(s->signin_since));
		i = 0;
		ids = cJSON_GetObjectItemCaseSensitive(c, "signin_ids");
		cJSON_ArrayForEach(x, ids)
			if (i < SIGNIN_RING && cJSON_IsString(x))
				bg_strlcpy(s->signin_ids[i++], x->valuestring,
				    sizeof(s->signin_ids[0]));
		s->signin_next = i % SIGNIN_RING;
	}
	s->drill_reminded_ms = get_time(j, "drill_reminded");
	if (cJSON_IsObject(c = cJSON_GetObjectItemCaseSensitive(j, "review"))) {
		s->review.end_seq = get_num(c, "end_seq");
		s->review.revoke_pending = cJSON_IsTrue(
		    cJSON_GetObjectItemCaseSensitive(c, "revoke_pending"));
		s->review.revoke_told = cJSON_IsTrue(
		    cJSON_GetObjectItemCaseSensitive(c, "revoke_told"));
		s->review.report_pending = cJSON_IsTrue(
		    cJSON_GetObjectItemCaseSensitive(c, "report_pending"));
		s->review.rotate_after_ms = get_time(c, "rotate_after");
		s->review.rotate_reminded_ms = get_time(c, "rotate_reminded");
		s->review.pwd_ms = get_time(c, "pwd_last_set");
	}
}

/* the name the top level's account block belongs to; NULL: unnamed */
static const char *
top_name(const cJSON *j)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(j, "account"), "name"));
}

/*
 * Where a's block is (issue 15): "accounts": {NAME: {...}} for every
 * account but the first, whose block is the top level, as in a file of
 * before (one account).  The top level names its account; a file of before
 * names none and is the first account's.  NULL: a has no block yet.
 */
static const cJSON *
account_block(const cJSON *j, const struct account_cfg *a)
{
	const cJSON	*b, *top = top_name(j) != NULL ? j : NULL;

	if (a == NULL)
		return j;
	b = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j,
	    "accounts"), a->name);
	if (cJSON_IsObject(b))
		return b;
	if (a->index != 0)
		return NULL;
	return top == NULL || strcmp(top_name(j), a->name) == 0 ? j : NULL;
}

/* the file as JSON, NULL with errno ENOENT when there is none yet */
static cJSON *
read_json(const char *state_dir, char *err, size_t errlen)
{
	char	 path[PATH_MAX], *buf;
	cJSON	*j;
	size_t	 len;

	snprintf(path, sizeof(path), "%s/%s", state_dir, STATE_FILE);
	if ((buf = sd_read_file(path, STATE_MAX, &len, err, errlen)) == NULL)
		return NULL;
	j = cJSON_ParseWithLength(buf, len);
	free(buf);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		bg_err(err, errlen, "%s: not valid JSON; move it aside to start "
		    "from a clean state (the audit log keeps the history)", path);
		errno = EINVAL;
		return NULL;
	}
	return j;
}

int
state_load(const char *state_dir, const struct account_cfg *a,
    struct state *s, char *err, size_t errlen)
{
	const cJSON	*b;
	cJSON		*j;

	memset(s, 0, sizeof(*s));
	s->notified_seq = -1;
	if ((j = read_json(state_dir, err, errlen)) == NULL) {
		if (errno != ENOENT)
			return -1;
		bg_err(err, errlen, "%s", "");	/* none yet: not an error */
		return 0;
	}
	load_globals(j, s);
	if ((b = account_block(j, a)) != NULL)
		load_account(b, s);
	cJSON_Delete(j);
	return 0;
}

static void
add_time(cJSON *j, const char *key, int64_t ms)
{
	char	t[RFC3339_LEN];

	if (ms == 0) {
		cJSON_AddNullToObject(j, key);
		return;
	}
	format_time_ms(ms, t, sizeof(t));
	cJSON_AddStringToObject(j, key, t);
}

static void
put_globals(cJSON *j, const struct state *s)
{
	cJSON	*c, *g, *h;

	c = cJSON_AddObjectToObject(j, "counters");
	cJSON_AddNumberToObject(c, "outage", (double)s->outage_count);
	cJSON_AddNumberToObject(c, "healthy", (double)s->healthy_count);
	g = cJSON_AddObjectToObject(j, "outage");
	cJSON_AddBoolToObject(g, "declared", s->outage_declared);
	add_time(g, "since", s->outage_since_ms);
	h = cJSON_AddObjectToObject(j, "audit_head");
	cJSON_AddNumberToObject(h, "seq", (double)s->audit_head.seq);
	cJSON_AddStringToObject(h, "sha256", s->audit_head.sha256);
	cJSON_AddNumberToObject(j, "agent_pid", (double)s->agent_pid);
	if (s->notified_seq >= 0)
		cJSON_AddNumberToObject(j, "notified_seq",
		    (double)s->notified_seq);
}

/* Long on purpose: every per-account field of state.json, one a line. */
static void
put_account(cJSON *j, const struct state *s, const char *name)
{
	cJSON	*o, *a, *c;

	if (s->ovr.active) {
		o = cJSON_AddObjectToObject(j, "override");
		cJSON_AddStringToObject(o, "state",
		    account_state_name(s->ovr.state));
		add_time(o, "until", s->ovr.until_ms);
		add_time(o, "set", s->ovr.set_ms);
		cJSON_AddStringToObject(o, "actor", s->ovr.actor);
		cJSON_AddStringToObject(o, "reason", s->ovr.reason);
		cJSON_AddBoolToObject(o, "during_outage", s->ovr.during_outage);
	} else
		cJSON_AddNullToObject(j, "override");
	a = cJSON_AddObjectToObject(j, "account");
	if (name != NULL)
		cJSON_AddStringToObject(a, "name", name);
	cJSON_AddStringToObject(a, "state",
	    account_state_name(s->account_state));
	cJSON_AddNumberToObject(a, "userAccountControl", s->account_uac);
	add_time(a, "seen", s->account_seen_ms);
	if (s->last_set != ACCOUNT_UNKNOWN)	/* none: null */
		cJSON_AddStringToObject(a, "last_set",
		    account_state_name(s->last_set));
	else
		cJSON_AddNullToObject(a, "last_set");
	add_time(j, "last_reminder", s->last_reminder_ms);
	if (s->confirm_want != ACCOUNT_UNKNOWN) {
		c = cJSON_AddObjectToObject(j, "cloud_confirm");
		cJSON_AddStringToObject(c, "want",
		    account_state_name(s->confirm_want));
		add_time(c, "since", s->confirm_since_ms);
	}
	add_time(j, "last_drill", s->last_drill_ms);
	c = cJSON_AddObjectToObject(j, "watch");
	if (s->adw_seen) {
		a = cJSON_AddArrayToObject(c, "ad");
		for (int i = 0; i < WATCH_ATTRS; i++)
			cJSON_AddItemToArray(a, cJSON_CreateString(s->adw[i]));
	}
	if (s->signin_since[0] != '\0')
		cJSON_AddStringToObject(c, "signin_since", s->signin_since);
	a = cJSON_AddArrayToObject(c, "signin_ids");
	for (int i = 0; i < SIGNIN_RING; i++)
		if (s->signin_ids[i][0] != '\0')
			cJSON_AddItemToArray(a, cJSON_CreateString(
			    s->signin_ids[i]));
	add_time(j, "drill_reminded", s->drill_reminded_ms);
	c = cJSON_AddObjectToObject(j, "review");
	cJSON_AddNumberToObject(c, "end_seq", (double)s->review.end_seq);
	cJSON_AddBoolToObject(c, "revoke_pending", s->review.revoke_pending);
	cJSON_AddBoolToObject(c, "revoke_told", s->review.revoke_told);
	cJSON_AddBoolToObject(c, "report_pending", s->review.report_pending);
	add_time(c, "rotate_after", s->review.rotate_after_ms);
	add_time(c, "rotate_reminded", s->review.rotate_reminded_ms);
	add_time(c, "pwd_last_set", s->review.pwd_ms);
}

/* the top level's account keys moved into a new object, or deleted */
static cJSON *
take_account(cJSON *j)
{
	cJSON	*b = cJSON_CreateObject(), *x;

	for (const char *const *k = account_keys; *k != NULL; k++)
		if ((x = cJSON_DetachItemFromObjectCaseSensitive(j, *k)) !=
		    NULL)
			cJSON_AddItemToObject(b, *k, x);
	return b;
}

/*
 * The other accounts' blocks of the file on disk are kept: the caller holds
 * the lock, so nobody else writes between this read and the rename.
 */
static cJSON *
merge_file(const char *state_dir, const struct account_cfg *a,
    const struct state *s)
{
	cJSON		*old, *j, *accts, *b;
	const char	*was;
	char		 err[256];

	j = cJSON_CreateObject();
	cJSON_AddNumberToObject(j, "version", 1);
	if ((old = read_json(state_dir, err, sizeof(err))) == NULL)
		old = cJSON_CreateObject();	/* none, or damaged: anew */
	if ((accts = cJSON_DetachItemFromObjectCaseSensitive(old,
	    "accounts")) == NULL || !cJSON_IsObject(accts)) {
		cJSON_Delete(accts);
		accts = cJSON_CreateObject();
	}
	was = top_name(old);
	if (a == NULL || a->index == 0) {
		/* a first account renamed or reordered: its block moves */
		if (a != NULL && was != NULL && strcmp(was, a->name) != 0 &&
		    !cJSON_HasObjectItem(accts, was)) {
			char *keep = strdup(was);
			if (keep != NULL)
				cJSON_AddItemToObject(accts, keep,
				    take_account(old));
			free(keep);
		}
		cJSON_DeleteItemFromObjectCaseSensitive(accts, a != NULL ?
		    a->name : "");
		put_account(j, s, a != NULL ? a->name : was);
	} else {
		cJSON *top = take_account(old);
		for (cJSON *x = top->child; x != NULL; x = top->child)
			cJSON_AddItemToObject(j, x->string,
			    cJSON_DetachItemViaPointer(top, x));
		cJSON_Delete(top);
		cJSON_DeleteItemFromObjectCaseSensitive(accts, a->name);
		b = cJSON_CreateObject();
		put_account(b, s, a->name);
		cJSON_AddItemToObject(accts, a->name, b);
	}
	put_globals(j, s);
	if (accts->child != NULL)
		cJSON_AddItemToObject(j, "accounts", accts);
	else
		cJSON_Delete(accts);
	cJSON_Delete(old);
	return j;
}

int
state_save(const char *state_dir, const struct account_cfg *a,
    const struct state *s, char *err, size_t errlen)
{
	char	 path[PATH_MAX], *text;
	cJSON	*j;
	int	 rc;

	snprintf(path, sizeof(path), "%s/%s", state_dir, STATE_FILE);
	j = merge_file(state_dir, a, s);
	text = cJSON_Print(j);
	cJSON_Delete(j);
	if (text == NULL) {
		bg_err(err, errlen, "%s: out of memory", path);
		return -1;
	}
	rc = sd_write_atomic(path, text, strlen(text), err, errlen);
	free(text);
	return rc;
}

void
state_review_due(struct state *st, int revoke, int64_t now, int64_t pwd_ms)
{
	st->review.pwd_ms = pwd_ms;
	st->review.end_seq = st->audit_head.seq;
	st->review.revoke_pending = revoke;
	st->review.revoke_told = 0;
	st->review.report_pending = 1;
	st->review.rotate_after_ms = now;
	st->review.rotate_reminded_ms = now;	/* the review reminds first */
}

static int
lock_wait_sec(void)
{
	const char	*e = getenv("BREAKGLASS_LOCK_WAIT");
	char		*end;
	long		 v;

	if (e == NULL || *e == '\0')
		return LOCK_WAIT_SEC;
	v = strtol(e, &end, 10);
	return (*end == '\0' && v >= 0 && v <= 3600) ? (int)v : LOCK_WAIT_SEC;
}

int
state_lock(const char *state_dir, char *err, size_t errlen)
{
	struct timespec	 pause = { 0, 20 * 1000 * 1000 };
	char		 path[PATH_MAX], pid[32], holder[32] = "";
	int64_t		 deadline;
	ssize_t		 n;
	int		 fd;

	snprintf(path, sizeof(path), "%s/%s", state_dir, LOCK_FILE);
	if ((fd = sd_open(path, O_RDWR | O_CREAT, 0600, err, errlen)) == -1)
		return -1;
	deadline = now_ms() + (int64_t)lock_wait_sec() * 1000;
	while (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			bg_err(err, errlen, "%s: flock: %s", path,
			    strerror(errno));
			close(fd);
			return -1;
		}
		if (now_ms() >= deadline) {
			if ((n = pread(fd, holder, sizeof(holder) - 1, 0)) > 0)
				holder[n] = '\0';
			holder[strcspn(holder, "\n")] = '\0';
			bg_err(err, errlen, "%s: held by pid %s for more than "
			    "%ds; another breakglass command is changing the "
			    "state", path, holder[0] ? holder : "(unknown)",
			    lock_wait_sec());
			close(fd);
			return -2;
		}
		nanosleep(&pause, NULL);
	}
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == 0)
		n = pwrite(fd, pid, strlen(pid), 0);
	return fd;
}

void
state_unlock(int fd)
{
	if (fd < 0)
		return;
	flock(fd, LOCK_UN);
	close(fd);
}

int
state_update(const char *state_dir, const struct account_cfg *a, state_fn fn,
    void *arg, char *err, size_t errlen)
{
	struct state	st;
	char		why[768];
	int		lockfd, rc;

	if ((lockfd = state_lock(state_dir, why, sizeof(why))) < 0) {
		bg_err(err, errlen, "lock: %s", why);
		return -1;
	}
	if ((rc = state_load(state_dir, a, &st, err, errlen)) == 0 &&
	    (rc = fn(&st, arg, err, errlen)) == 1 &&
	    state_save(state_dir, a, &st, why, sizeof(why)) == -1) {
		bg_err(err, errlen, "state: %s", why);
		rc = -1;
	}
	state_unlock(lockfd);
	return rc;
}
