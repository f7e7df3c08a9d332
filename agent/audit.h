/* SPDX-License-Identifier: ISC */
/* audit.h - the hash-chained audit log (DESIGN.md §6) */
#ifndef BG_AUDIT_H
#define BG_AUDIT_H

#include <stdint.h>
#include <stdio.h>

#include <cJSON.h>

#include "util.h"

#define AUDIT_FILE	"audit.log"
#define AUDIT_LINE_MAX	(256 * 1024)

struct audit_head {
	int64_t	seq;				/* 0: empty log */
	char	sha256[SHA256_HEX_LEN + 1];	/* of the last line */
};

struct audit_entry {
	const char	*host;		/* ha.peer_name; NULL: no "host" key */
	const char	*actor;		/* "agent" or "cli:NAME(uid=N)" */
	const char	*event;
	const char	*account;
	const char	*from;		/* NULL: JSON null */
	const char	*to;
	const char	*reason;
	const char	*result;	/* "started", "ok", "failed: ..." */
	const cJSON	*evidence;	/* optional, borrowed */
	const cJSON	*extra;		/* optional object, members appended */
};

/*
 * Append one line and fsync it.  The caller holds the state lock.  On
 * success *head (if not NULL) is the new head.
 */
int	audit_append(const char *state_dir, const struct audit_entry *,
	    struct audit_head *head, char *err, size_t errlen);
/* the head of the log as it is now (seq 0 if empty or missing) */
int	audit_read_head(const char *state_dir, struct audit_head *,
	    char *err, size_t errlen);

/*
 * The last line parsed (NULL if empty, missing or not JSON) and its head
 * (seq, sha256 of the line); cJSON_Delete it.
 */
cJSON	*audit_last_entry(const char *state_dir, struct audit_head *);

struct audit_verdict {
	int64_t	entries;
	int64_t	bad_seq;		/* first bad seq, 0 if intact */
	char	why[512];
	struct audit_head head;
	int64_t	outside_seq;		/* the line holding the outside head */
};

/*
 * Check every line: JSON, seq 1, 2, 3 ..., prev = SHA-256 of the line
 * before.  With anchor (the head state.json last recorded), also check that
 * the log still holds that line unchanged.  Returns 0 intact, 1 broken,
 * -1 unreadable (err).
 */
int	audit_verify(const char *path, const struct audit_head *anchor,
	    struct audit_verdict *, char *err, size_t errlen);

/*
 * As audit_verify, and the log must also hold a head recorded off the host
 * (a mail's X-Breakglass-Audit, an authpriv syslog line): the line of
 * outside->seq (any line, if 0) with outside->sha256.  A log rewritten since
 * -- a line deleted or edited, every later one re-chained, the anchor in
 * state.json updated -- passes audit_verify but not this.
 */
int	audit_verify_against(const char *path, const struct audit_head *anchor,
	    const struct audit_head *outside, struct audit_verdict *,
	    char *err, size_t errlen);
/*
 * verify FILE: a log named on the command line -- another host's, or a copy
 * -- not under state_dir, so without state.json's anchor: the chain and,
 * with outside, that head.  Returns as audit_verify_against.
 */
int	audit_verify_file(const char *path, const struct audit_head *outside,
	    struct audit_verdict *, char *err, size_t errlen);
/*
 * A head as breakglass prints it: "seq=N sha256=HEX" (the mail header, the
 * syslog line), "seq N sha256 HEX" (the mail body, enable/disable),
 * "seq N, sha256 HEX" (status), "N:HEX", or "HEX" alone (*seq 0).  HEX is
 * 64 hex digits, lowercased into sha256.  -1 if s is none of these.
 */
int	audit_parse_head(const char *s, int64_t *seq,
	    char sha256[SHA256_HEX_LEN + 1]);

/* the offset of the last n lines of the open file (0: the whole file) */
off_t	audit_tail_offset(int fd, off_t size, int64_t n);

struct history_opts {
	int64_t	limit;		/* 0: all */
	int64_t	since_ms;	/* 0: from the start */
	int	json;
	const char	 *account;	/* only lines of this DN; NULL: all */
	/* an ACCOUNT column naming names[i] for dns[i]; 0: no column */
	const char *const *names;
	const char *const *dns;
	size_t		  naccounts;
};
int	audit_history(const char *path, const struct history_opts *, FILE *out,
	    char *err, size_t errlen);
/*
 * history --merge: the logs of several hosts, named on the command line,
 * interleaved by time, each line tagged with its host (its "host" field,
 * else the file name as given).  Each file keeps its own order; of lines
 * with equal times the file named first comes first; a line without a time
 * follows the line before it in its file.  A line that is not JSON is
 * skipped with a warning.  --json: {"host":H,"entry":LINE} a line, LINE the
 * stored bytes.  -1 with err if a file cannot be read.
 */
int	audit_history_merge(const char *const *paths, size_t n,
	    const struct history_opts *, FILE *out, char *err, size_t errlen);

#endif
