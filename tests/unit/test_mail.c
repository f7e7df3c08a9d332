/* SPDX-License-Identifier: ISC */
/* test_mail.c - the message: headers, injection, encodings, the text */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../agent/notify/mail.h"

#define NOW	1764036600000LL

static cJSON *
notice(const char *event, const char *reason, const char *state)
{
	cJSON *n = cJSON_CreateObject();

	cJSON_AddStringToObject(n, "id", "595ff9d9-6584-4027-80c0-cd9f35a2a1ab");
	cJSON_AddStringToObject(n, "event", event);
	cJSON_AddStringToObject(n, "result", "ok");
	cJSON_AddStringToObject(n, "account",
	    "CN=btg-admin,OU=Emergency,DC=corp,DC=example,DC=com");
	cJSON_AddStringToObject(n, "state", state);
	cJSON_AddStringToObject(n, "reason", reason);
	cJSON_AddStringToObject(n, "actor", "cli:alice(uid=1000)");
	cJSON_AddStringToObject(n, "time", "2025-11-25T02:10:00.000Z");
	cJSON_AddStringToObject(n, "host", "bg1");
	cJSON_AddNumberToObject(n, "audit_seq", 12);
	cJSON_AddStringToObject(n, "audit_sha256", "ab12");
	return n;
}

static void
test_subject(void **state)
{
	cJSON	*n = notice("enable", "INC-123 MFA outage", "enabled");
	char	*s = notice_subject(n);

	(void)state;
	assert_string_equal(s, "[breakglass] ENABLED btg-admin "
	    "(corp.example.com): INC-123 MFA outage");
	free(s);
	cJSON_Delete(n);
	n = notice("disable", "a\r\nBcc: evil@example.com", "disabled");
	s = notice_subject(n);
	assert_null(strchr(s, '\r'));
	assert_null(strchr(s, '\n'));
	assert_non_null(strstr(s, "DISABLED"));
	free(s);
	cJSON_Delete(n);
}

/* with ha.peer_name, the subject and the body name the host (issue 18) */
static void
test_peer(void **state)
{
	const char	*to[] = { "it@corp.example.com" };
	cJSON		*n = notice("enable", "INC-123", "enabled");
	char		*s, *b, *m, err[256];

	(void)state;
	b = notice_body(n);
	assert_non_null(strstr(b, "\nHost:        bg1\n"));
	free(b);
	cJSON_AddStringToObject(n, "peer", "bg-b");
	s = notice_subject(n);
	assert_string_equal(s, "[breakglass] ENABLED btg-admin "
	    "(corp.example.com) on bg-b: INC-123");
	free(s);
	b = notice_body(n);
	assert_non_null(strstr(b, "\nHost:        bg-b (bg1)\n"));
	free(b);
	/* a spool file edited to put a header into it is refused */
	cJSON_ReplaceItemInObject(n, "peer", cJSON_CreateString("b\r\nBcc: x"));
	m = mail_message(n, "bg@corp.example.com", to, 1, NOW, err,
	    sizeof(err));
	assert_null(m);
	assert_non_null(strstr(err, "peer"));
	cJSON_Delete(n);
}

/* no reason, however crafted, adds a header line */
static void
test_no_header_injection(void **state)
{
	static const char *reasons[] = {
		"x\r\nBcc: evil@example.com",
		"x\nSubject: forged",
		"x\rTo: evil@example.com",
		"\r\n\r\nbody injection",
		"Störung \xe2\x80\x94 Überprüfung\r\nX-Evil: 1",
	};
	const char *to[] = { "it@corp.example.com", "t@corp.example.com" };

	(void)state;
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		cJSON *n = notice("enable", reasons[i], "enabled");
		char err[256];
		char *m = mail_message(n, "bg@corp.example.com", to, 2, NOW,
		    err, sizeof(err));
		char *hdr_end, *p;
		int headers = 0;

		assert_non_null(m);
		hdr_end = strstr(m, "\r\n\r\n");
		assert_non_null(hdr_end);
		*hdr_end = '\0';
		for (p = m; (p = strstr(p, "\r\n")) != NULL; p += 2)
			if (p[2] != ' ')	/* not a folded line */
				headers++;
		/* Date Message-ID From To Subject MIME CT CTE Auto X X */
		assert_int_equal(headers + 1, 11);
		/* the words may stand inside the Subject, never as a header */
		assert_null(strstr(m, "\r\nBcc:"));
		assert_null(strstr(m, "\r\nX-Evil"));
		assert_null(strstr(m, "\r\nSubject: forged"));
		assert_null(strstr(m, "\r\nTo: evil"));
		for (p = m; *p; p++)
			assert_true(*p != '\n' || (p > m && p[-1] == '\r'));
		free(m);
		cJSON_Delete(n);
	}
}

static void
test_message_headers(void **state)
{
	const char	*to[] = { "it@corp.example.com", "t@corp.example.com" };
	cJSON		*n = notice("enable", "INC-1", "enabled");
	char		 err[256];
	char		*m = mail_message(n, "bg@corp.example.com", to, 2, NOW,
			    err, sizeof(err));

	(void)state;
	assert_non_null(strstr(m, "Date: Tue, 25 Nov 2025 02:10:00 +0000\r\n"));
	assert_non_null(strstr(m, "Message-ID: <595ff9d9-6584-4027-80c0-"
	    "cd9f35a2a1ab@bg1>\r\n"));
	assert_non_null(strstr(m, "From: bg@corp.example.com\r\n"));
	assert_non_null(strstr(m, "To: it@corp.example.com,\r\n "
	    "t@corp.example.com\r\n"));
	assert_non_null(strstr(m, "MIME-Version: 1.0\r\n"));
	assert_non_null(strstr(m, "Content-Type: text/plain; charset=utf-8\r\n"));
	assert_non_null(strstr(m, "X-Breakglass-Audit: seq=12 sha256=ab12\r\n"));
	free(m);
	/* addresses with controls or spaces are refused */
	assert_null(mail_message(n, "bg@x\r\nBcc: e@x", to, 2, NOW, err,
	    sizeof(err)));
	assert_non_null(strstr(err, "from"));
	to[1] = "a b@x";
	assert_null(mail_message(n, "bg@corp.example.com", to, 2, NOW, err,
	    sizeof(err)));
	assert_non_null(strstr(err, "to"));
	cJSON_Delete(n);
}

static void
test_encodings(void **state)
{
	char	*s;

	(void)state;
	s = mail_encode_subject("plain ascii");
	assert_string_equal(s, "plain ascii");
	free(s);
	s = mail_encode_subject("Störung");
	assert_string_equal(s, "=?UTF-8?B?U3TDtnJ1bmc=?=");
	free(s);
	/* long non-ASCII: folded words, none splits a character */
	s = mail_encode_subject("ééééééééééééééééééééééééééééééééééé");
	assert_non_null(strstr(s, "?=\r\n =?UTF-8?B?"));
	free(s);
	/* regression (found by fuzz_mail): continuation bytes only hung */
	{
		char cont[200];
		memset(cont, 0x80, sizeof(cont) - 1);
		cont[sizeof(cont) - 1] = '\0';
		s = mail_encode_subject(cont);
		assert_non_null(s);
		assert_non_null(strstr(s, "=?UTF-8?B?"));
		free(s);
	}
	s = mail_qp_encode("a=b caf\xc3\xa9 \nend. \n");
	assert_string_equal(s, "a=3Db caf=C3=A9=20\r\nend.=20\r\n");
	free(s);
	s = mail_qp_encode("0123456789012345678901234567890123456789"
	    "01234567890123456789012345678901234567890123456789");
	assert_non_null(strstr(s, "=\r\n"));
	for (char *p = s; (p = strstr(p, "\r\n")) != NULL; p += 2)
		;
	free(s);
}

static void
test_body(void **state)
{
	cJSON	*n = notice("enable", "INC-9", "enabled"), *ev, *arr, *o;
	char	*b;

	(void)state;
	ev = cJSON_AddObjectToObject(n, "evidence");
	cJSON_AddStringToObject(ev, "source", "service-health");
	arr = cJSON_AddArrayToObject(ev, "issues");
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", "AD123456");
	cJSON_AddStringToObject(o, "service", "Microsoft Entra");
	cJSON_AddStringToObject(o, "status", "serviceInterruption");
	cJSON_AddStringToObject(o, "title", "Sign-in failures");
	cJSON_AddItemToArray(arr, o);
	b = notice_body(n);
	assert_non_null(strstr(b, "State now:   enabled"));
	assert_non_null(strstr(b, "Decided by:  cli:alice(uid=1000)"));
	assert_non_null(strstr(b, "AD123456 [Microsoft Entra, "
	    "serviceInterruption] Sign-in failures"));
	assert_non_null(strstr(b, "breakglass disable --reason"));
	assert_non_null(strstr(b, "Start-ADSyncSyncCycle"));
	assert_non_null(strstr(b, "Audit head:  seq 12 sha256 ab12"));
	free(b);
	cJSON_Delete(n);
	n = notice("drift", "changed", "enabled");
	b = notice_body(n);
	assert_non_null(strstr(b, "CHANGED OUTSIDE BREAKGLASS"));
	assert_non_null(strstr(b, "find out who"));
	free(b);
	cJSON_Delete(n);
}

/*
 * id, host, event and the audit hash go into headers as they are: one with
 * CR/LF (a spool file edited by someone with the service user's rights) is
 * refused, not sent with a forged header (issue 19, item 9)
 */
static void
test_header_values_refused(void **state)
{
	static const char *keys[] = { "id", "host", "event", "audit_sha256" };
	static const char *values[] = { "x\r\nBcc: evil@example.com",
	    "x\nBcc: evil@example.com", "x\rBcc: e@x", "a b", "x>\x1b[2J",
	    "x@y" };
	const char	*to[] = { "it@corp.example.com" };
	char		 err[256], *m;

	(void)state;
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		for (size_t v = 0; v < sizeof(values) / sizeof(values[0]);
		    v++) {
			cJSON *n = notice("enable", "INC-1", "enabled");
			cJSON_ReplaceItemInObject(n, keys[k],
			    cJSON_CreateString(values[v]));
			err[0] = '\0';
			m = mail_message(n, "bg@corp.example.com", to, 1, NOW,
			    err, sizeof(err));
			if (m != NULL)
				fail_msg("%s = \"%s\" was not refused", keys[k],
				    values[v]);
			assert_non_null(strstr(err, keys[k]));
			cJSON_Delete(n);
		}
}

/* no field forges a line of the body, nor reaches it with terminal codes */
static void
test_body_lines(void **state)
{
	cJSON	*n = notice("enable", "x\nResult:      ok\r\nDecided by:  agent",
		    "enabled"), *ev, *arr, *o;
	char	*b, *p;
	int	 results = 0, decided = 0;

	(void)state;
	cJSON_ReplaceItemInObject(n, "actor",
	    cJSON_CreateString("cli:x(uid=1)\x1b]52;c;ZXZpbA==\x07"));
	cJSON_ReplaceItemInObject(n, "result",
	    cJSON_CreateString("failed: x\nResult:      ok"));
	ev = cJSON_AddObjectToObject(n, "evidence");
	cJSON_AddStringToObject(ev, "source", "service-health\nHost: forged");
	arr = cJSON_AddArrayToObject(ev, "issues");
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", "AD1\nTime: forged");
	cJSON_AddStringToObject(o, "title", "t\xc2\x9b" "2J\nState now:   x");
	cJSON_AddItemToArray(arr, o);
	b = notice_body(n);
	for (p = b; *p; p++)
		assert_true((unsigned char)*p >= 0x20 || *p == '\n');
	assert_null(strstr(b, "\xc2\x9b"));
	for (p = b; p != NULL; p = strchr(p, '\n')) {
		p += *p == '\n';
		results += strncmp(p, "Result:", 7) == 0;
		decided += strncmp(p, "Decided by:", 11) == 0;
		assert_true(strncmp(p, "Host: forged", 12) != 0);
		assert_true(strncmp(p, "Time: forged", 12) != 0);
		assert_true(strncmp(p, "State now:   x", 14) != 0);
	}
	assert_int_equal(results, 1);
	assert_int_equal(decided, 1);
	assert_non_null(strstr(b, "Reason:      x Result:      ok  Decided by:  "
	    "agent\n"));
	assert_non_null(strstr(b, "Decided by:  cli:x(uid=1)?]52;c;ZXZpbA==?\n"));
	free(b);
	b = notice_subject(n);
	for (p = b; *p; p++)
		assert_true((unsigned char)*p >= 0x20);
	free(b);
	cJSON_Delete(n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_subject),
		cmocka_unit_test(test_peer),
		cmocka_unit_test(test_no_header_injection),
		cmocka_unit_test(test_message_headers),
		cmocka_unit_test(test_encodings),
		cmocka_unit_test(test_body),
		cmocka_unit_test(test_header_values_refused),
		cmocka_unit_test(test_body_lines),
	};
	return cmocka_run_group_tests_name("mail", tests, NULL, NULL);
}
