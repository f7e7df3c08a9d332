/* SPDX-License-Identifier: ISC */
/* fuzz_token.c - the token endpoint answer parser */
#include <stdint.h>
#include <string.h>

#include "../../graph/graph.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long	statuses[] = { 200, 400, 401, 429, 500, 503 };
	struct graph_token	t;
	struct graph_error	e;
	long			st = statuses[size % 6];

	memset(&e, 0, sizeof(e));
	if (graph_parse_token((const char *)data, size, st, 0, &t, &e) == 0)
		graph_token_free(&t);
	return 0;
}
