/* poll.h - one look at every health source: Graph service health, token probe */
#ifndef BG_POLL_H
#define BG_POLL_H

#include <stdint.h>

#include <cJSON.h>

#include "../graph/graph.h"
#include "config.h"
#include "match.h"

/* what lives across polls: connections, the token, throttling, streaks */
struct poll_ctx {
	struct http_client	*graph;		/* token endpoint and Graph */
	struct http_client	*probe;		/* probe_url */
	struct graph_token	 token;
	int64_t			 not_before_ms;	/* Retry-After from Graph */
	long			 token_failures;	/* in a row, for the probe */
};

struct poll_result {
	enum verdict	 verdict;
	const char	*source;	/* "service-health", "token-probe" */
	cJSON		*evidence;	/* array of matching issues, or NULL */
	int		 issues_seen;	/* unresolved issues read */
	int		 config_error;	/* the unknown is ours to fix */
	int		 warning;	/* outage evidence of a source that
					   may only warn (policy.token_probe) */
	int		 alert;		/* possible interception: tell now */
	char		 error[768];	/* why unknown */
};

void	poll_ctx_init(struct poll_ctx *);
void	poll_ctx_free(struct poll_ctx *);
/* one poll; never touches the account.  Free r->evidence with cJSON_Delete. */
void	poll_health(const struct config *, struct poll_ctx *, int64_t now_ms,
	    struct poll_result *r);

/* a token now (cached while valid); -1 with err */
int	poll_token(const struct config *, struct poll_ctx *, char *err,
	    size_t errlen);
/*
 * GET graph.endpoint + path (e.g. "/v1.0/users/x") with the token: the JSON
 * object of a 200, or NULL with err and *status (0: no HTTP answer).
 */
cJSON	*poll_graph_get(const struct config *, struct poll_ctx *,
	    const char *path, long *status, char *err, size_t errlen);

#endif
