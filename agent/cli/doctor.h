/* SPDX-License-Identifier: ISC */
/* doctor.h - doctor's checks: the set-up (cmd_doctor.c), the tenant (doctor_tenant.c) */
#ifndef BG_DOCTOR_H
#define BG_DOCTOR_H

#include <cJSON.h>

#include "../config.h"
#include "../poll.h"

/* a warning never changes the exit code; a failure makes it 1 */
enum doc_status { DOC_PASS, DOC_WARN, DOC_FAIL, DOC_SKIP };

struct doctor {
	const struct config	*cfg;
	int			 json;
	cJSON			*checks;
	int			 failed;
	int			 warned;
	struct poll_ctx		 poll;
	int			 graph_ok;	/* a token was had */
	int			 ad_enabled;	/* -1 unknown, else 0/1 */
	char			 cloud_id[64];	/* the cloud user's id */
	const char		*prefix;	/* "NAME: " before each check
						   of an account, or "" */
	struct ad_conn		*conn;		/* the first DC that bound */
};

/* what one check found; cmd_doctor.c's report() prints it */
struct doc_result {
	enum doc_status	 status;
	char		 fix[512];
	char		 detail[1536];
};

/* a check: 0 with r filled, or -1 when it has nothing to say (no Graph) */
struct doc_check {
	const char	*name;
	int		(*fn)(struct doctor *, struct doc_result *r);
	int		 per_account;	/* run for each account (issue 15) */
};

/*
 * The tenant facts that decide whether the enabled account can rescue it,
 * in order; the table ends with a NULL name.
 */
extern const struct doc_check doctor_tenant_checks[];

/*
 * A Graph read that did not answer: a warning "cannot check", never a failure
 * of the tenant; a 403 names the application permission to grant.
 */
void	doctor_graph_failed(struct doc_result *r, const char *permission,
	    long status, const char *err);

#endif
