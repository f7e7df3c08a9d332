/* SPDX-License-Identifier: ISC */
/* test_report.c - the windows of use in the audit log, read from its end */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "../../agent/audit.h"
#include "../../agent/report.h"
#include "../../agent/statedir.h"
#include "unit.h"

#define DN	"CN=btg-admin,DC=x"

static int64_t
line(const char *event, const char *to, int changed)
{
	struct audit_entry	e = { .actor = "agent", .event = event,
				      .account = DN, .to = to, .reason = "r",
				      .result = "ok" };
	struct audit_head	h;
	cJSON			*extra = NULL;
	char			err[256];

	if (changed) {
		extra = cJSON_CreateObject();
		cJSON_AddBoolToObject(extra, "changed", 1);
		e.extra = extra;
	}
	assert_int_equal(audit_append(unit_sdir, &e, &h, err, sizeof(err)),
	    0);
	cJSON_Delete(extra);
	return h.seq;
}

static void
filler(int n)
{
	for (int i = 0; i < n; i++)
		line("agent-start", NULL, 0);
}

/* the events of the window the review of end_seq finds, in one string */
static char *
review_events(int64_t end_seq)
{
	struct report_query	 q = { REPORT_SEQ, end_seq, 0 };
	char			 err[256], *s;
	const cJSON		*e;
	cJSON			*ws;
	size_t			 n = 0;

	ws = report_windows(unit_sdir, DN, &q, err, sizeof(err));
	assert_non_null(ws);
	assert_int_equal(cJSON_GetArraySize(ws), 1);
	s = calloc(1, 1024);
	cJSON_ArrayForEach(e, cJSON_GetObjectItem(cJSON_GetArrayItem(ws, 0),
	    "events"))
		n += (size_t)snprintf(s + n, 1024 - n, "%s ",
		    cJSON_GetStringValue(cJSON_GetObjectItem(e, "event")));
	assert_int_equal((int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(
	    cJSON_GetArrayItem(ws, 0), "end_seq")), end_seq);
	cJSON_Delete(ws);
	return s;
}

/*
 * The review reads the log from its end (64 lines, then more): the window
 * and what led to it come out whole, however far back the outage was
 * declared and however long the log.
 */
static void
test_window_from_the_end(void **unused)
{
	int64_t	end;
	char	*ev;

	(void)unused;
	filler(300);			/* a long history, no window */
	line("outage-declared", NULL, 0);
	filler(100);			/* declared long before the enable */
	line("enable", "enabled", 1);
	filler(10);
	end = line("disable", "disabled", 1);
	ev = review_events(end);
	assert_non_null(strstr(ev, "outage-declared enable "));
	assert_non_null(strstr(ev, "disable"));
	free(ev);

	/* a second window: the first one's end bounds what led to it */
	filler(200);
	line("enable", "enabled", 1);
	end = line("disable", "disabled", 1);
	ev = review_events(end);
	assert_null(strstr(ev, "outage-declared"));
	assert_non_null(strstr(ev, "enable disable"));
	free(ev);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_window_from_the_end,
		    unit_setup_state_dir, unit_teardown),
	};
	return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
