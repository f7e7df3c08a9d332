/* SPDX-License-Identifier: ISC */
/* mail.h - the notification text: subject, body, RFC 5322 message (pure) */
#ifndef BG_MAIL_H
#define BG_MAIL_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

/*
 * A notice is a cJSON object with: id, event, result, account, state,
 * reason, actor, time, host, audit_seq, audit_sha256, and optional from, to,
 * evidence, until.  These build text from it; every returned string is
 * malloc'd, the caller frees it.
 */
char	*notice_subject(const cJSON *notice);	/* one line, may be UTF-8 */
char	*notice_body(const cJSON *notice);	/* UTF-8, LF line ends */
/* both flattened (text.h): no field adds a line or a terminal code */
/*
 * The whole RFC 5322 message: Date, Message-ID, From, To, Subject (RFC 2047
 * when not ASCII), MIME-Version, Content-Type text/plain; charset=utf-8,
 * quoted-printable body, CRLF line ends.  NULL with err when from or to is
 * not a plain address, or id, host, event or audit_sha256 is not a plain
 * token (a control character, blank or <>@ in them would add a header).
 * Every other field is flattened (text.h): it cannot add a header or a body
 * line either.
 */
char	*mail_message(const cJSON *notice, const char *from,
	    const char *const *to, size_t nto, int64_t now_ms, char *err,
	    size_t errlen);

/* helpers, exposed for the tests and fuzzers */
char	*mail_encode_subject(const char *subject);	/* RFC 2047 B */
char	*mail_qp_encode(const char *text);		/* RFC 2045 QP */
int	 mail_address_ok(const char *addr);

#endif
