/* SPDX-License-Identifier: ISC */
/* toggle.h - the one path that changes the account (DESIGN.md §9) */
#ifndef BG_TOGGLE_H
#define BG_TOGGLE_H

#include <cJSON.h>

#include "../ldap/ad.h"
#include "config.h"
#include "exits.h"
#include "state.h"


struct toggle_result {
	int			exit_code;
	struct ad_change	change;
	char			dc[256];	/* the DC that answered */
	struct audit_head	head;
	/* the account changed: the caller runs the sync (sync.h) for this */
	enum account_state	sync_want;	/* ACCOUNT_UNKNOWN: none */
	int			state_saved;	/* state.json written after it */
};

/*
 * Enable (disable = 0) or disable the account.  The caller holds the state
 * lock and passes the loaded state, which is updated and saved as soon as
 * the result is audited.  Audit "started" goes first: if it cannot be
 * written nothing is touched.  On a change, res->sync_want asks the caller
 * to run the sync (sync.h).
 */
#define TOGGLE_DISABLE	0x1	/* disable; without it, enable */
#define TOGGLE_DRILL	0x2	/* a drill: not a use, no review after */
int	toggle_account(const struct config *, struct state *, const char *actor,
	    const char *reason, unsigned how, const cJSON *evidence,
	    struct toggle_result *, char *err, size_t errlen);

/*
 * Lock held: if the last audit line is an enable/disable "started" with no
 * result (a crash in between), read the account and record what it really
 * is (event "reconcile"), notify, update st.  Returns 1 if it reconciled.
 */
int	reconcile(const struct config *, struct state *, const char *actor);

/* read the account live (no lock, no audit); dc gets the server's URI;
   on the session the accounts of a command or poll share */
enum ad_result	account_read(const struct config *, struct ad_account *,
		    char *dc, size_t dclen, char *err, size_t errlen);

/* that session (connected now if needed), NULL with err; not to close */
struct ad_conn	*account_session(const struct config *, char *err,
		    size_t errlen);
/* close that session: at the end of a command, of a poll */
void		account_session_end(void);
/* connect and bind to the first DC that answers (password read and wiped) */
struct ad_conn	*account_connect(const struct config *, char *err,
		    size_t errlen);

#endif
