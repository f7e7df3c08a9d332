/* SPDX-License-Identifier: ISC */
/* session.h - the Graph session: one token, one kept connection, Retry-After */
#ifndef BG_SESSION_H
#define BG_SESSION_H

#include <stdint.h>

#include <cJSON.h>

#include "../graph/graph.h"
#include "config.h"

/* how the last token attempt went: what the health sources judge */
enum token_state {
	TOKEN_NONE = 0,		/* not asked yet */
	TOKEN_OK,		/* a token, fresh or cached */
	TOKEN_HELD,		/* Graph asked us to wait (Retry-After) */
	TOKEN_FAILED,		/* see err and why */
};

struct graph_session {
	struct http_client	*http;		/* token endpoint and Graph */
	struct graph_token	 token;
	int64_t			 not_before_ms;	/* Retry-After from Graph */
	enum token_state	 state;
	struct graph_error	 err;		/* TOKEN_FAILED: the failure */
	int			 config_error;	/* it is ours to fix */
	char			 why[1024];	/* TOKEN_HELD/FAILED: text */
};

void	session_init(struct graph_session *);
void	session_free(struct graph_session *);
/*
 * A token now (cached while valid): 0, or -1 with s->state, s->err and
 * s->why saying why.  Never counts anything: judging the failure is the
 * health sources' job (source_token_probe.c).
 */
int	session_token(const struct config *, struct graph_session *,
	    int64_t now_ms, int64_t deadline_ms);
/* honour Graph's Retry-After across polls (capped) */
void	session_hold_off(struct graph_session *, long long secs);
/* now + secs, capped as session_hold_off() caps it: for a source's own */
int64_t	session_hold_until(int64_t now_ms, long long secs);
/*
 * GET graph.endpoint + path (e.g. "/v1.0/users/x") with the token: the JSON
 * object of a 200, or NULL with err and *status (0: no HTTP answer).
 */
cJSON	*session_get(const struct config *, struct graph_session *,
	    const char *path, long *status, char *err, size_t errlen);
/* as session_get; body non-NULL: a POST of it (success: any 2xx, and a
   204 gives an empty object) */
cJSON	*session_send(const struct config *, struct graph_session *,
	    const char *path, const char *body, long *status, char *err,
	    size_t errlen);

/* how a session_list() went */
struct session_answer {
	long	status;		/* the last HTTP status, 0: no answer */
	long	retry_after;	/* seconds Graph asked for, or <= 0 */
	char	code[64];	/* Graph's error code */
	int	pages;
	char	err[1024];
};
/*
 * GET a collection: graph.endpoint + path, then each @odata.nextLink on the
 * same origin, at most GRAPH_MAX_PAGES pages (graph_get retries 429 and
 * 5xx within graph.timeout).  {"value": [every item]}, or NULL with a.
 */
cJSON	*session_list(const struct config *, struct graph_session *,
	    const char *path, struct session_answer *a);

#endif
