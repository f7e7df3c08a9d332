/* SPDX-License-Identifier: ISC */
/* notify.h - notifications that are never lost: spool, channels, retries */
#ifndef BG_NOTIFY_H
#define BG_NOTIFY_H

#include <stdint.h>
#include <stdio.h>

#include <cJSON.h>

#include "../account.h"
#include "../audit.h"
#include "../config.h"

#define SPOOL_DIR		"spool"
#define NOTIFY_BACKOFF_MS	5000		/* first retry */
#define NOTIFY_BACKOFF_MAX_MS	(15 * 60 * 1000)

struct notice_in {
	const char		*event;
	const char		*account;	/* the DN */
	const char		*result;	/* "ok" or "failed: ..." */
	const char		*from;
	const char		*to;
	enum account_state	 state;		/* the account now */
	const char		*reason;
	const char		*actor;
	const cJSON		*evidence;
	const struct audit_head	*head;
	int64_t			 until_ms;	/* override end, 0 if none */
	const char		*details;	/* lines of text, or NULL */
};

/* any channel configured? */
int	notify_configured(const struct config *);
/*
 * Write one spool file per configured channel (0600, atomic) before any
 * attempt.  Returns the number of files, -1 with err if the spool is not
 * writable.
 */
int	notify_queue(const struct config *, const struct notice_in *,
	    char *err, size_t errlen);
/*
 * As notify_queue, but only on the channels whose spool lacks a notice of
 * in->head->seq (recovery after a crash between audit and spool).
 */
int	notify_requeue(const struct config *, const struct notice_in *,
	    char *err, size_t errlen);
/*
 * Try every message that is due (every one with force) once.  A message is
 * removed only after its channel accepted it; a failure backs off
 * (NOTIFY_BACKOFF_MS doubling, at most NOTIFY_BACKOFF_MAX_MS) and, the first
 * time only, is audited as notify-failed (taking the state lock, so the
 * caller must not hold it).  Returns how many messages are still pending.
 */
int	notify_flush(const struct config *, const char *actor, int force);
/* notify-test: every channel, each result printed; 0 if all succeeded */
int	notify_test(const struct config *, const char *actor, FILE *out);

#endif
