/* SPDX-License-Identifier: ISC */
/* account.h - the account's state as a type; its names only at the edges */
#ifndef BG_ACCOUNT_H
#define BG_ACCOUNT_H

/*
 * What the account is (or should be).  ACCOUNT_UNKNOWN is 0, so a zeroed
 * field means "not known" (the account state) or "none" (an override's,
 * what breakglass last set, a confirmation pending).
 */
enum account_state { ACCOUNT_UNKNOWN = 0, ACCOUNT_ENABLED, ACCOUNT_DISABLED };

/* "unknown", "enabled", "disabled": state.json, audit, notices, the CLI */
const char		*account_state_name(enum account_state);
/*
 * Strict: only the exact names above (case included) are 0 with *out set;
 * anything else, NULL too, is -1 with *out ACCOUNT_UNKNOWN, which each
 * caller reads as "not known" or "none" (state.json written by hand or by
 * an older version must still load).
 */
int			 account_state_parse(const char *,
			    enum account_state *out);
/* userAccountControl's ACCOUNTDISABLE bit, as a state */
enum account_state	 account_state_of_uac(unsigned int uac);

#endif
