/* SPDX-License-Identifier: ISC */
/* graph.h - Microsoft Graph: token, service health; errors the caller can act on */
#ifndef BG_GRAPH_H
#define BG_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"

enum graph_err_kind {
	GRAPH_OK = 0,
	GRAPH_E_TRANSPORT,	/* no answer: connection, TLS, timeout */
	GRAPH_E_SERVER,		/* HTTP 5xx */
	GRAPH_E_THROTTLED,	/* HTTP 429 beyond the poll's budget */
	GRAPH_E_CLIENT,		/* HTTP 4xx: configuration or permission */
	GRAPH_E_PARSE,		/* an answer that is not what Graph sends */
	GRAPH_E_LOCAL,		/* our side: key file, memory */
};

struct graph_error {
	enum graph_err_kind	kind;
	long			status;
	char			code[64];	/* Graph/AAD error code */
	char			message[512];
	char			request_id[40];	/* client-request-id sent */
	long			retry_after;	/* seconds Graph asked for, or -1 */
	enum http_fail		fail;		/* GRAPH_E_TRANSPORT: which */
};

/* credentials: a secret, or a certificate and its key (PEM files) */
struct graph_creds {
	const char	*authority;	/* https://login.microsoftonline.com */
	const char	*tenant;
	const char	*client_id;
	const char	*scope;		/* {endpoint}/.default */
	const char	*secret;	/* borrowed; or NULL */
	const char	*cert_file;
	const char	*key_file;
};

struct graph_token {
	char	*access_token;		/* malloc'd; never logged */
	int64_t	 expires_ms;		/* wall clock */
};

/*
 * Get a token by client credentials (retrying 429/5xx until deadline_ms).
 * Returns 0, or -1 with e->kind saying whose fault it is.
 */
int	graph_get_token(struct http_client *, const struct graph_creds *,
	    int64_t now_ms, int64_t deadline_ms, struct graph_token *,
	    struct graph_error *);
void	graph_token_free(struct graph_token *);
/* the signed client assertion (RS256 JWT), malloc'd; pure but for the key */
char	*graph_client_assertion(const char *token_url, const char *client_id,
	    const char *cert_file, const char *key_file, int64_t now_ms,
	    char *err, size_t errlen);
/* parse a token endpoint answer (pure; fuzzed) */
int	graph_parse_token(const char *body, size_t len, long status,
	    int64_t now_ms, struct graph_token *, struct graph_error *);

struct graph_issue {
	char	*id;
	char	*title;
	char	*impact;		/* impactDescription */
	char	*classification;
	char	*status;
	char	*service;
	char	*feature;
	char	*feature_group;
	char	*last_modified;
	int	 is_resolved;
};

struct graph_issues {
	struct graph_issue	*v;
	size_t			 n;
	int			 pages;
};

#define GRAPH_MAX_PAGES	20

/*
 * GET {endpoint}/v1.0/admin/serviceAnnouncement/issues (unresolved), following
 * @odata.nextLink on the same origin, at most GRAPH_MAX_PAGES pages, retrying
 * 429 (Retry-After) and 5xx with back-off until deadline_ms.
 */
int	graph_list_issues(struct http_client *, const char *endpoint,
	    const char *token, int64_t deadline_ms, struct graph_issues *,
	    struct graph_error *);
/* one page: appends to issues, *next is the nextLink or NULL (pure; fuzzed) */
int	graph_parse_issues(const char *body, size_t len,
	    struct graph_issues *, char **next, struct graph_error *);
void	graph_issues_free(struct graph_issues *);

/* a GET that fills e from Graph's error body; used by the callers above */
int	graph_get(struct http_client *, const char *url, const char *token,
	    int64_t deadline_ms, struct http_response *, struct graph_error *);
/* as graph_get, with body: a POST (retried as a GET is: only for actions
   that may be repeated); success is any 2xx */
int	graph_send(struct http_client *, const char *url, const char *token,
	    const char *body, int64_t deadline_ms, struct http_response *,
	    struct graph_error *);
/* "HTTP 401 InvalidAuthenticationToken: ... (client-request-id ...)" */
void	graph_strerror(const struct graph_error *, char *buf, size_t size);

#endif
