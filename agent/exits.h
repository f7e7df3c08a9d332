/* SPDX-License-Identifier: ISC */
/* exits.h - the exit codes of the contract (DESIGN.md §4) */
#ifndef BG_EXITS_H
#define BG_EXITS_H

enum {
	BG_EXIT_DONE = 0,	/* done, or already so */
	BG_EXIT_FAIL = 1,	/* runtime failure */
	BG_EXIT_USAGE = 2,	/* usage or configuration */
	BG_EXIT_REFUSED = 3,	/* a safety check said no */
};

#endif
