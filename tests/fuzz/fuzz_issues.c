/* SPDX-License-Identifier: ISC */
/* fuzz_issues.c - the Graph serviceHealthIssue collection parser */
#include <stdint.h>
#include <stdlib.h>

#include "../../graph/graph.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct graph_issues	is = { 0 };
	struct graph_error	e;
	char			*next = NULL;

	graph_parse_issues((const char *)data, size, &is, &next, &e);
	free(next);
	graph_issues_free(&is);
	return 0;
}
