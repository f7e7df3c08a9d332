/* SPDX-License-Identifier: ISC */
/* http.h - the one curl wrapper: TLS verified, timeouts, size cap, reuse */
#ifndef BG_HTTP_H
#define BG_HTTP_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_BODY_MAX	(8 * 1024 * 1024)
#define HTTP_ERR_LEN	256

struct http_client;

/*
 * Why no HTTP answer came, in the classes a caller must tell apart: a
 * timeout or a refused/dropped connection may be the remote service being
 * down; a name that does not resolve or a certificate that does not verify
 * is as likely someone between us and it, and is never evidence of an
 * outage (see poll.c).
 */
enum http_fail {
	HTTP_FAIL_NONE = 0,
	HTTP_FAIL_TIMEOUT,	/* no answer in time */
	HTTP_FAIL_CONNECT,	/* refused, unreachable, dropped mid-way */
	HTTP_FAIL_DNS,		/* the name did not resolve */
	HTTP_FAIL_TLS,		/* handshake or certificate verification */
	HTTP_FAIL_OTHER,	/* ours: memory, size cap, bad URL, ... */
};

const char	*http_fail_name(enum http_fail);

struct http_response {
	long	 status;		/* 0: no HTTP answer (transport) */
	char	*body;			/* NUL-terminated, malloc'd */
	size_t	 len;
	long	 retry_after;		/* seconds, -1 if absent */
	char	 content_type[128];
	char	 request_id[40];	/* the client-request-id we sent */
	char	 error[HTTP_ERR_LEN];	/* transport error text */
	int	 timed_out;
	enum http_fail fail;		/* status 0: which kind of failure */
};

/*
 * One client per remote service; it keeps at most one connection open across
 * requests.  ca_file NULL: the system store.  Verification is never off.
 */
struct http_client	*http_new(const char *ca_file, long timeout_sec,
			    char *err, size_t errlen);
void			 http_free(struct http_client *);
/*
 * Send a request (body NULL: GET).  headers: NULL-terminated "Name: value".
 * Returns 0 when an HTTP answer came (any status), -1 on a transport error
 * (resp->error).  timeout_ms > 0 shortens the client's timeout.
 */
int			 http_request(struct http_client *, const char *url,
			    const char *const *headers, const char *body,
			    long timeout_ms, struct http_response *resp);
void			 http_response_free(struct http_response *);
/* a 2xx whose Content-Type is not application/json: err says so, returns 0 */
int			 http_json_answer(const struct http_response *,
			    char *err, size_t errlen);
/*
 * A flag (set from a signal handler) that aborts transfers and back-off
 * sleeps in progress: a stopping agent must not wait for a hung server.
 */
void			 http_set_abort_flag(volatile sig_atomic_t *flag);
int			 http_aborted(void);
/* the wall clock in milliseconds (deadlines are wall-clock times) */
int64_t			 http_wall_ms(void);
/* sleep, waking early when aborted */
void			 http_sleep_ms(int64_t ms);
/* a random RFC 4122 version 4 GUID, lowercase */
void			 http_guid(char out[37]);
/* "https://host[:port]" of url, for same-origin checks; -1 if not https */
int			 http_origin(const char *url, char *out, size_t size);

#endif
