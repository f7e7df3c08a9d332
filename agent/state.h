/* SPDX-License-Identifier: ISC */
/* state.h - state.json (atomic) and the state lock */
#ifndef BG_STATE_H
#define BG_STATE_H

#include <stdint.h>

#include "account.h"
#include "audit.h"
#include "config.h"

#define STATE_FILE	"state.json"
#define LOCK_FILE	"lock"
#define LOCK_WAIT_SEC	10
#define REASON_MAX	1000
#define ACTOR_MAX	128
#define WATCH_ATTRS	5	/* AD attributes watched (watch.c) */
#define SIGNIN_RING	50	/* sign-in ids remembered (a ring) */

struct override {
	int			active;
	enum account_state	state;		/* enabled or disabled */
	int64_t			until_ms;
	int64_t			set_ms;
	char			actor[ACTOR_MAX];
	char			reason[REASON_MAX + 1];
	int			during_outage;	/* set while an outage was
						   declared */
};

/* the work after a window the account was enabled in (revoke.c) */
struct review_state {
	int64_t	end_seq;		/* audit seq of the disable ending it */
	int	revoke_pending;		/* revokeSignInSessions not done yet */
	int	revoke_told;		/* its failure audited and noticed */
	int	report_pending;		/* the review not mailed yet */
	int64_t	rotate_after_ms;	/* the window's end while pwdLastSet is
					   not newer; 0: nothing due */
	int64_t	rotate_reminded_ms;
	int64_t	pwd_ms;			/* pwdLastSet when it closed, read by
					   the disable; 0: not read */
};

struct state {
	/* the health, the audit chain, the agent: one of each */
	long		outage_count;		/* consecutive verdicts */
	long		healthy_count;
	int		outage_declared;
	int64_t		outage_since_ms;
	struct audit_head audit_head;		/* anchor for verify */
	long		agent_pid;		/* the agent running, 0 if none */
	int64_t		notified_seq;		/* last audited change whose
						   notice was spooled; -1 unknown */
	/* the account: what breakglass knows and holds of it */
	struct override	ovr;
	enum account_state account_state;	/* last seen */
	unsigned int	account_uac;
	int64_t		account_seen_ms;
	enum account_state last_set;		/* what breakglass last set,
						   ACCOUNT_UNKNOWN: nothing */
	int64_t		last_reminder_ms;	/* while enabled */
	enum account_state confirm_want;	/* cloud confirmation pending,
						   ACCOUNT_UNKNOWN: none */
	int64_t		confirm_since_ms;
	int64_t		last_drill_ms;
	int64_t		drill_reminded_ms;
	/* watch: the account's AD attributes last seen, sign-ins seen */
	int		adw_seen;
	char		adw[WATCH_ATTRS][2048];	/* watch.c watch_attrs order */
	char		signin_since[32];	/* createdDateTime, RFC 3339 */
	char		signin_ids[SIGNIN_RING][40];	/* ids already told */
	int		signin_next;
	struct review_state review;
};

/*
 * The state as one account sees it (issue 15): the global part (health
 * counters, outage, audit head, agent, notice ledger) and a's own block.
 * a NULL: the first account's block, as a file of before holds it.
 * Missing file: a zeroed state; a damaged one: -1 with err.  Saving keeps
 * the other accounts' blocks; the caller holds the lock.  Within one lock,
 * save one account's state before loading the next: each load reads the
 * global part that the previous save wrote.
 */
int	state_load(const char *state_dir, const struct account_cfg *a,
	    struct state *, char *err, size_t errlen);
int	state_save(const char *state_dir, const struct account_cfg *a,
	    const struct state *, char *err, size_t errlen);
/* active and not expired at now */
int	override_active(const struct override *, int64_t now);

/*
 * A window of use closed (a disable that changed the account, or one seen
 * from outside while breakglass held it enabled): the work after it due,
 * in the caller's save -- the sessions revoked (revoke: the config wants
 * it), the review mailed, the password's rotation watched from now.
 * pwd_ms: pwdLastSet when the window closed, if the disable read it (0:
 * the review reads it).
 */
void	state_review_due(struct state *, int revoke, int64_t now,
	    int64_t pwd_ms);

/*
 * Take the exclusive lock of state_dir, waiting up to wait_sec (or
 * $BREAKGLASS_LOCK_WAIT).  Returns the lock fd, -1 on error, -2 when another
 * process held it all along (err names its pid).  state_unlock() releases.
 */
int	state_lock(const char *state_dir, char *err, size_t errlen);
void	state_unlock(int fd);

/*
 * One transaction on state.json: take the lock, load, let fn change the
 * state, save, release.  fn returns 1 (save), 0 (nothing to save) or -1
 * (failed, err filled: nothing saved).  Returns fn's answer; -1 with err
 * when the lock, the load or the save failed ("lock: ...", "state: ...").
 */
typedef int	(*state_fn)(struct state *, void *arg, char *err,
		    size_t errlen);
int	state_update(const char *state_dir, const struct account_cfg *a,
	    state_fn fn, void *arg, char *err, size_t errlen);

#endif
