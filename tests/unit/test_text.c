/* SPDX-License-Identifier: ISC */
/* test_text.c - text from outside made safe to print */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "../../agent/text.h"

static void
test_flatten(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "INC-1 MFA outage", "INC-1 MFA outage" },
		{ "x\nResult: ok", "x Result: ok" },
		{ "a\r\nb\tc\vd\fe", "a  b c d e" },
		/* OSC 52: ESC ] 52 ; c ; base64 BEL -- a clipboard write */
		{ "\x1b]52;c;ZXZpbA==\x07", "?]52;c;ZXZpbA==?" },
		{ "\x1b[2J\x7f", "?[2J?" },
		/* C1 as UTF-8: U+009B CSI, U+0085 NEL */
		{ "a\xc2\x9b" "31mb\xc2\x85" "c", "a?31mb?c" },
		/* raw 0x9B (CSI to an 8-bit terminal), a lone 0xff */
		{ "a\x9b" "31m\xff", "a?31m?" },
		/* overlong '/', a surrogate, a truncated sequence */
		{ "\xc0\xaf|\xed\xa0\x80|\xe2\x80", "??|???|??" },
		/* valid UTF-8 passes: U+00A0, umlauts, an em dash, an emoji */
		{ "\xc2\xa0St\xc3\xb6rung \xe2\x80\x94 \xf0\x9f\x94\x92",
		  "\xc2\xa0St\xc3\xb6rung \xe2\x80\x94 \xf0\x9f\x94\x92" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = strdup(cases[i].in);
		text_flatten(s);
		assert_string_equal(s, cases[i].out);
		free(s);
	}
}

static void
test_out_line(void **state)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp = open_memstream(&buf, &len);

	(void)state;
	out_line(fp, "override  %s: %s", "cli:x(uid=1)",
	    "ok\n\x1b]52;c;ZXZpbA==\x07");
	fclose(fp);
	assert_string_equal(buf, "override  cli:x(uid=1): ok ?]52;c;ZXZpbA==?\n");
	free(buf);
}

/* out_json: the text printed, and the string it parses back to */
static void
json_case(const char *in, const char *want, const char *want_r)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp = open_memstream(&buf, &len);
	cJSON	*j;

	out_json(fp, in);
	fclose(fp);
	assert_string_equal(buf, want);
	for (size_t i = 0; i < len; i++)
		assert_true((unsigned char)buf[i] >= 0x20 || buf[i] == '\n' ||
		    buf[i] == '\t');
	assert_non_null(j = cJSON_Parse(buf));
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(j, "r")),
	    want_r);
	cJSON_Delete(j);
	free(buf);
}

static void
test_out_json(void **state)
{
	(void)state;
	/* clean JSON: the bytes as they are */
	json_case("{\"r\":\"a \\\"q\\\" \\u001b \xc3\xa9\"}",
	    "{\"r\":\"a \\\"q\\\" \\u001b \xc3\xa9\"}\n", "a \"q\" \x1b \xc3\xa9");
	json_case("{\n\t\"r\":\t\"x\"\n}", "{\n\t\"r\":\t\"x\"\n}\n", "x");
	/* raw controls in a string (a hand-written line): escaped */
	json_case("{\"r\":\"a\x1b]52;c;ZXZpbA==\x07\"}",
	    "{\"r\":\"a\\u001b]52;c;ZXZpbA==\\u0007\"}\n",
	    "a\x1b]52;c;ZXZpbA==\x07");
	/* a raw tab is a blank between tokens, an escape inside a string */
	json_case("{\"r\":\t\"a\tb\"}", "{\"r\":\t\"a\\u0009b\"}\n", "a\tb");
	/* C1 as UTF-8 (cJSON prints it raw): escaped */
	json_case("{\"r\":\"\xc2\x9b" "31m\"}", "{\"r\":\"\\u009b31m\"}\n",
	    "\xc2\x9b" "31m");
	/* invalid UTF-8 in a string, a control between tokens */
	json_case("{\x1b\"r\":\"a\x9b\"}", "{ \"r\":\"a\\ufffd\"}\n",
	    "a\xef\xbf\xbd");
	/* an escaped backslash before the closing quote */
	json_case("{\"r\":\"a\\\\\",\"s\":\"\x1b\"}",
	    "{\"r\":\"a\\\\\",\"s\":\"\\u001b\"}\n", "a\\");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flatten),
		cmocka_unit_test(test_out_line),
		cmocka_unit_test(test_out_json),
	};
	return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
