/* SPDX-License-Identifier: ISC */
/* jscan.h - an allocation-free JSON syntax walk for audit lines */
#ifndef BG_JSCAN_H
#define BG_JSCAN_H

#include <stddef.h>
#include <stdint.h>

/*
 * line[0..n) must be exactly one JSON object (RFC 8259 syntax, nesting up
 * to 64) with a top-level non-negative integer "seq" and a top-level string
 * "prev" without escapes.  0 and both found (prev points into line), else -1.
 */
int	jscan_audit_line(const char *line, size_t n, int64_t *seq,
	    const char **prev, size_t *prevlen);

#endif
