/* SPDX-License-Identifier: ISC */
/* notify.c - the spool: one file per message and channel, retried until sent */
#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../graph/http.h"
#include "channel.h"
#include "../audit.h"
#include "../log.h"
#include "notify.h"
#include "../state.h"
#include "../text.h"
#include "../statedir.h"
#include "../util.h"

#define SPOOL_FILE_MAX	(1024 * 1024)
/* a *.json.tmp this old is left by a write that was killed, never renamed */
#define SPOOL_TMP_STALE	(60 * 60)

int
notify_configured(const struct config *c)
{
	for (const struct channel *ch = channels; ch->name != NULL; ch++)
		if (ch->configured(c))
			return 1;
	return 0;
}

static int
spool_path(const struct config *c, char *buf, size_t size)
{
	return snprintf(buf, size, "%s/%s", c->state_dir, SPOOL_DIR) <
	    (int)size ? 0 : -1;
}

static cJSON *
make_notice(const struct config *c, const struct notice_in *in)
{
	cJSON	*n = cJSON_CreateObject();
	char	 id[37], t[RFC3339_LEN], host[256] = "breakglass";

	http_guid(id);
	format_time_ms(now_ms(), t, sizeof(t));
	gethostname(host, sizeof(host) - 1);
	cJSON_AddStringToObject(n, "id", id);
	cJSON_AddStringToObject(n, "event", in->event);
	cJSON_AddStringToObject(n, "account", in->account ? in->account : "");
	cJSON_AddStringToObject(n, "result", in->result ? in->result : "ok");
	if (in->from)
		cJSON_AddStringToObject(n, "from", in->from);
	if (in->to)
		cJSON_AddStringToObject(n, "to", in->to);
	cJSON_AddStringToObject(n, "state", account_state_name(in->state));
	cJSON_AddStringToObject(n, "reason", in->reason ? in->reason : "");
	cJSON_AddStringToObject(n, "actor", in->actor ? in->actor : "?");
	cJSON_AddStringToObject(n, "time", t);
	cJSON_AddStringToObject(n, "host", host);
	if (c->ha.peer_name != NULL)	/* the mail names it (mail.c) */
		cJSON_AddStringToObject(n, "peer", c->ha.peer_name);
	if (in->until_ms) {
		format_time_ms(in->until_ms, t, sizeof(t));
		cJSON_AddStringToObject(n, "until", t);
	}
	if (in->evidence)
		cJSON_AddItemToObject(n, "evidence",
		    cJSON_Duplicate(in->evidence, 1));
	if (in->details)
		cJSON_AddStringToObject(n, "details", in->details);
	cJSON_AddNumberToObject(n, "audit_seq",
	    in->head ? (double)in->head->seq : 0);
	cJSON_AddStringToObject(n, "audit_sha256", in->head ?
	    in->head->sha256 : "");
	return n;
}

static int
write_spool(const char *path, const cJSON *j, char *err, size_t errlen)
{
	char	*text = cJSON_Print(j);
	int	 rc;

	if (text == NULL) {
		bg_err(err, errlen, "out of memory");
		return -1;
	}
	rc = sd_write_atomic(path, text, strlen(text), err, errlen);
	free(text);
	return rc;
}

/* a spool file in dir holds a notice of audit seq for channel name */
static int
spool_holds(const char *dir, int64_t seq, const char *name)
{
	char		 path[PATH_MAX + 300], *buf;
	struct dirent	*de;
	DIR		*d;
	size_t		 len;
	int		 found = 0;

	if ((d = sd_opendir(dir, NULL, 0)) == NULL)
		return 0;
	while (!found && (de = readdir(d)) != NULL) {
		cJSON		*f;
		const char	*ch;
		size_t		 nl = strlen(de->d_name);

		if (nl < 6 || strcmp(de->d_name + nl - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if ((buf = sd_read_file(path, SPOOL_FILE_MAX, &len, NULL,
		    0)) == NULL)
			continue;
		f = cJSON_ParseWithLength(buf, len);
		free(buf);
		ch = cJSON_GetStringValue(cJSON_GetObjectItem(f, "channel"));
		found = ch != NULL && strcmp(ch, name) == 0 &&
		    cJSON_GetNumberValue(cJSON_GetObjectItem(
		    cJSON_GetObjectItem(f, "notice"), "audit_seq")) ==
		    (double)seq;
		cJSON_Delete(f);
	}
	closedir(d);
	return found;
}

/*
 * Spool the notice on every configured channel; with requeue, not on those
 * whose spool already holds a notice of in->head->seq.
 */
static int
queue_channels(const struct config *c, const struct notice_in *in,
    int requeue, char *err, size_t errlen)
{
	char			 dir[PATH_MAX], path[PATH_MAX + 128];
	cJSON			*notice;
	const char		*id;
	int			 n = 0;

	if (!notify_configured(c))
		return 0;
	if (spool_path(c, dir, sizeof(dir)) == -1 ||
	    sd_mkdir(dir, err, errlen) == -1)
		return -1;
	if ((notice = make_notice(c, in)) == NULL || (id = cJSON_GetStringValue(
	    cJSON_GetObjectItem(notice, "id"))) == NULL) {
		cJSON_Delete(notice);
		bg_err(err, errlen, "out of memory");
		return -1;
	}
	for (const struct channel *ch = channels; ch->name != NULL; ch++) {
		cJSON *f;
		if (!ch->configured(c) ||
		    (requeue && spool_holds(dir, in->head->seq, ch->name)))
			continue;
		snprintf(path, sizeof(path), "%s/%lld-%.8s-%s.json", dir,
		    (long long)now_ms(), id, ch->name);
		f = cJSON_CreateObject();
		cJSON_AddStringToObject(f, "channel", ch->name);
		cJSON_AddNumberToObject(f, "attempts", 0);
		cJSON_AddNumberToObject(f, "next_attempt_ms", 0);
		cJSON_AddNullToObject(f, "last_error");
		cJSON_AddBoolToObject(f, "failure_recorded", 0);
		cJSON_AddItemReferenceToObject(f, "notice", notice);
		if (write_spool(path, f, err, errlen) == -1) {
			cJSON_Delete(f);
			cJSON_Delete(notice);
			return -1;
		}
		cJSON_Delete(f);
		n++;
	}
	cJSON_Delete(notice);
	return n;
}

int
notify_queue(const struct config *c, const struct notice_in *in, char *err,
    size_t errlen)
{
	return queue_channels(c, in, 0, err, errlen);
}

int
notify_requeue(const struct config *c, const struct notice_in *in, char *err,
    size_t errlen)
{
	if (in->head == NULL)
		return 0;
	return queue_channels(c, in, 1, err, errlen);
}

/* deliver one notice through the channel named in its spool file now */
static int
notify_send(const struct config *c, const char *channel, const cJSON *notice,
    char *err, size_t errlen)
{
	const struct channel	*ch = channel_find(channel);

	if (ch == NULL) {
		bg_err(err, errlen, "unknown channel %s", channel);
		return -1;
	}
	return ch->send(c, notice, err, errlen);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct failure_audit {
	const char		*state_dir;
	struct audit_entry	 e;
};

static int
audit_failure(struct state *st, void *arg, char *err, size_t errlen)
{
	struct failure_audit	*fa = arg;

	return audit_append(fa->state_dir, &fa->e, &st->audit_head, err,
	    errlen) == 0 ? 1 : -1;
}

/* the first failure of a message goes into the audit log, once */

/* the account the notice is about (a DN); the first account's if unnamed */
static const char *
notice_account(const struct config *c, const cJSON *n)
{
	const char	*dn = cJSON_GetStringValue(cJSON_GetObjectItem(n,
			    "account"));

	return dn != NULL && *dn != '\0' ? dn : c->account->dn;
}

static void
record_failure(const struct config *c, const char *actor, const cJSON *f,
    const char *why)
{
	const cJSON	*n = cJSON_GetObjectItem(f, "notice");
	cJSON		*extra = cJSON_CreateObject();
	struct failure_audit fa;
	char		 err[512], reason[1024];

	cJSON_AddStringToObject(extra, "channel",
	    cJSON_GetStringValue(cJSON_GetObjectItem(f, "channel")));
	cJSON_AddStringToObject(extra, "notice_id",
	    cJSON_GetStringValue(cJSON_GetObjectItem(n, "id")));
	cJSON_AddStringToObject(extra, "notice_event",
	    cJSON_GetStringValue(cJSON_GetObjectItem(n, "event")));
	snprintf(reason, sizeof(reason), "%s: %.700s (kept in the spool, retried)",
	    cJSON_GetStringValue(cJSON_GetObjectItem(f, "channel")), why);
	/*
	 * The spool's own record, straight in the audit format: the event
	 * funnel (event.c) spools notices, so it cannot be called from here.
	 */
	fa.state_dir = c->state_dir;
	fa.e = (struct audit_entry){ .host = c->ha.peer_name, .actor = actor,
	    .event = "notify-failed", .account = notice_account(c, n),
	    .reason = reason, .result = "ok", .extra = extra };
	if (state_update(c->state_dir, c->account, audit_failure, &fa, err,
	    sizeof(err)) == -1)
		log_warnx("notify-failed not audited: %s", err);
	cJSON_Delete(extra);
}

/* one spool file; 1 delivered, 0 still pending, -1 skipped */
static int
flush_one(const struct config *c, const char *actor, const char *path,
    int force)
{
	char	 err[1024], *buf;
	cJSON	*f;
	size_t	 len;
	int64_t	 now = now_ms(), next;
	int	 fd, rc = 0, attempts;
	const char *channel;

	if ((fd = sd_open(path, O_RDONLY, 0, err, sizeof(err))) == -1) {
		if (errno != ENOENT)	/* else someone delivered it meanwhile */
			log_warnx("spool: %s", err);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		close(fd);
		return -1;		/* another process is sending it */
	}
	if ((buf = read_fd(fd, SPOOL_FILE_MAX, &len)) == NULL) {
		close(fd);
		return -1;
	}
	f = cJSON_ParseWithLength(buf, len);
	free(buf);
	if (!cJSON_IsObject(f) || !cJSON_IsString(cJSON_GetObjectItem(f,
	    "channel")) || !cJSON_IsObject(cJSON_GetObjectItem(f, "notice"))) {
		char bad[PATH_MAX + 400];
		snprintf(bad, sizeof(bad), "%s.bad", path);
		log_warnx("spool: %s is damaged; moved to %s", path, bad);
		sd_rename(path, bad);
		cJSON_Delete(f);
		close(fd);
		return -1;
	}
	next = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(f,
	    "next_attempt_ms"));
	if (!force && next > now)
		goto out;
	channel = cJSON_GetStringValue(cJSON_GetObjectItem(f, "channel"));
	FAULT_POINT("before-send");
	if (notify_send(c, channel, cJSON_GetObjectItem(f, "notice"), err,
	    sizeof(err)) == 0) {
		FAULT_POINT("after-send");	/* sent, still spooled */
		sd_unlink(path);
		rc = 1;
		goto out;
	}
	attempts = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(f,
	    "attempts")) + 1;
	next = NOTIFY_BACKOFF_MS;
	for (int i = 1; i < attempts && next < NOTIFY_BACKOFF_MAX_MS; i++)
		next *= 2;
	if (next > NOTIFY_BACKOFF_MAX_MS)
		next = NOTIFY_BACKOFF_MAX_MS;
	cJSON_ReplaceItemInObject(f, "attempts", cJSON_CreateNumber(attempts));
	cJSON_ReplaceItemInObject(f, "next_attempt_ms",
	    cJSON_CreateNumber((double)(now + next)));
	cJSON_ReplaceItemInObject(f, "last_error", cJSON_CreateString(err));
	log_warnx("notify: %s: %s; retry in %llds (attempt %d)", channel, err,
	    (long long)(next / 1000), attempts);
	if (!cJSON_IsTrue(cJSON_GetObjectItem(f, "failure_recorded"))) {
		record_failure(c, actor, f, err);
		cJSON_ReplaceItemInObject(f, "failure_recorded",
		    cJSON_CreateBool(1));
	}
	if (write_spool(path, f, err, sizeof(err)) == -1)
		log_warnx("spool: %s", err);
 out:
	cJSON_Delete(f);
	close(fd);
	return rc;
}

/*
 * A spool file is written to NAME.json.tmp and renamed; a process killed in
 * between leaves the .tmp behind.  Its notice is still in the .json (a
 * rewrite after an attempt) or is spooled again from the audit log
 * (notify_requeue), so the partial file only takes space: remove it once it
 * is clearly not a write in progress.
 */
static void
remove_stale_tmp(const char *dir, const char *name)
{
	char		path[PATH_MAX + 300];
	struct stat	sb;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (sd_lstat(path, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    time(NULL) - sb.st_mtime < SPOOL_TMP_STALE)
		return;
	if (sd_unlink(path) == 0)
		log_warnx("spool: removed %s, left by an interrupted write",
		    path);
}

int
notify_flush(const struct config *c, const char *actor, int force)
{
	char		  dir[PATH_MAX], path[PATH_MAX + 300];
	char		  err[PATH_MAX + 256];
	char		**names = NULL;
	size_t		  n = 0, cap = 0;
	struct dirent	 *de;
	struct stat	  sb;
	DIR		 *d;
	int		  pending = 0;

	if (spool_path(c, dir, sizeof(dir)) == -1)
		return 0;
	if ((d = sd_opendir(dir, err, sizeof(err))) == NULL) {
		if (errno != ENOENT)	/* no spool yet: nothing to send */
			log_warnx("spool: %s", err);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		if (len > 9 && strcmp(de->d_name + len - 9, ".json.tmp") == 0) {
			remove_stale_tmp(dir, de->d_name);
			continue;
		}
		if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0 ||
		    de->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap ? cap * 2 : 16) *
			    sizeof(char *));
			if (nn == NULL)
				break;
			names = nn;
			cap = cap ? cap * 2 : 16;
		}
		if ((names[n] = strdup(de->d_name)) != NULL)
			n++;
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(char *), cmp_names);	/* oldest first */
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (flush_one(c, actor, path, force) != 1 &&
		    sd_lstat(path, &sb) == 0)
			pending++;
		free(names[i]);
	}
	free(names);
	return pending;
}

int
notify_test(const struct config *c, const char *actor, FILE *out)
{
	struct notice_in	 in;
	struct audit_head	 head;
	cJSON			*n;
	char			 err[1024];
	int			 failed = 0;

	memset(&in, 0, sizeof(in));
	memset(&head, 0, sizeof(head));
	audit_read_head(c->state_dir, &head, err, sizeof(err));
	in.event = "notify-test";
	in.state = ACCOUNT_UNKNOWN;
	in.reason = "breakglass notify-test: if you read this, the channel "
	    "works";
	in.actor = actor;
	in.head = &head;
	n = make_notice(c, &in);
	for (const struct channel *ch = channels; ch->name != NULL; ch++) {
		if (!ch->configured(c))
			continue;
		if (ch->send(c, n, err, sizeof(err)) == 0)
			fprintf(out, "%-8s ok\n", ch->name);
		else {
			out_line(out, "%-8s FAILED: %s", ch->name, err);
			failed++;
		}
	}
	cJSON_Delete(n);
	return failed ? -1 : 0;
}
