/* SPDX-License-Identifier: ISC */
/*
 * jscan.c - a strict JSON syntax walk without allocation, for verify's hot
 * loop: one audit line checked to be a JSON object and its top-level "seq"
 * and "prev" found, at a few hundred MB/s (cJSON allocates every node).
 */
#include <stdint.h>
#include <string.h>

#include "jscan.h"

#define JSCAN_DEPTH	64

/* bytes a string cannot simply contain: the quote, the backslash, controls */
static const unsigned char special[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	['"'] = 1, ['\\'] = 1,
};

struct sc {
	const char	*p;
	const char	*end;
};

static void
ws(struct sc *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
	    *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int
hexdig(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/* a string: start and len of the raw bytes between the quotes; -1 if bad */
static int
string(struct sc *s, const char **start, size_t *len, int *escaped)
{
	const char	*b;

	if (s->p >= s->end || *s->p != '"')
		return -1;
	b = ++s->p;
	*escaped = 0;
	while (s->p < s->end) {
		unsigned char c;

		/* the common case: plain bytes, one table look each */
		while (s->p < s->end && !special[(unsigned char)*s->p])
			s->p++;
		if (s->p >= s->end)
			break;
		c = (unsigned char)*s->p;
		if (c == '"') {
			*start = b;
			*len = (size_t)(s->p - b);
			s->p++;
			return 0;
		}
		if (c < 0x20)
			return -1;
		if (c == '\\') {
			*escaped = 1;
			if (++s->p >= s->end)
				return -1;
			switch (*s->p) {
			case '"': case '\\': case '/': case 'b': case 'f':
			case 'n': case 'r': case 't':
				break;
			case 'u':
				if (s->end - s->p < 5 || !hexdig(s->p[1]) ||
				    !hexdig(s->p[2]) || !hexdig(s->p[3]) ||
				    !hexdig(s->p[4]))
					return -1;
				s->p += 4;
				break;
			default:
				return -1;
			}
		}
		s->p++;
	}
	return -1;
}

static int	exponent(struct sc *);

static int
digits(struct sc *s)
{
	const char	*b = s->p;

	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return s->p > b ? 0 : -1;
}

/* a number; *integer set when it is a plain non-negative integer */
static int
number(struct sc *s, int64_t *integer, int *is_int)
{
	const char	*b = s->p;
	int		 neg = 0;

	*is_int = 0;
	if (s->p < s->end && *s->p == '-') {
		neg = 1;
		s->p++;
	}
	if (s->p < s->end && *s->p == '0')
		s->p++;
	else if (digits(s) == -1)
		return -1;
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (digits(s) == -1)
			return -1;
		return exponent(s);
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E'))
		return exponent(s);
	if (!neg && s->p - b <= 18) {
		*integer = 0;
		for (const char *q = b; q < s->p; q++)
			*integer = *integer * 10 + (*q - '0');
		*is_int = 1;
	}
	return 0;
}

static int
exponent(struct sc *s)
{
	if (s->p >= s->end || (*s->p != 'e' && *s->p != 'E'))
		return 0;
	s->p++;
	if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
		s->p++;
	return digits(s);
}

static int
literal(struct sc *s, const char *word)
{
	size_t	n = strlen(word);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0)
		return -1;
	s->p += n;
	return 0;
}

static int value(struct sc *, int);

static int
container(struct sc *s, int depth, char close)
{
	const char	*k;
	size_t		 kl;
	int		 esc;

	s->p++;			/* '{' or '[' */
	ws(s);
	if (s->p < s->end && *s->p == close) {
		s->p++;
		return 0;
	}
	for (;;) {
		if (close == '}') {
			if (string(s, &k, &kl, &esc) == -1)
				return -1;
			ws(s);
			if (s->p >= s->end || *s->p++ != ':')
				return -1;
		}
		if (value(s, depth + 1) == -1)
			return -1;
		ws(s);
		if (s->p >= s->end)
			return -1;
		if (*s->p == ',') {
			s->p++;
			ws(s);
			continue;
		}
		if (*s->p++ != close)
			return -1;
		return 0;
	}
}

static int
value(struct sc *s, int depth)
{
	const char	*str;
	size_t		 len;
	int64_t		 i;
	int		 esc, is_int;

	if (depth > JSCAN_DEPTH)
		return -1;
	ws(s);
	if (s->p >= s->end)
		return -1;
	switch (*s->p) {
	case '{':
		return container(s, depth, '}');
	case '[':
		return container(s, depth, ']');
	case '"':
		return string(s, &str, &len, &esc);
	case 't':
		return literal(s, "true");
	case 'f':
		return literal(s, "false");
	case 'n':
		return literal(s, "null");
	default:
		return number(s, &i, &is_int);
	}
}

int
jscan_audit_line(const char *line, size_t n, int64_t *seq,
    const char **prev, size_t *prevlen)
{
	struct sc	 s = { line, line + n };
	const char	*k, *str;
	size_t		 kl, len;
	int		 esc, is_int, have_seq = 0, have_prev = 0;
	int64_t		 i;

	ws(&s);
	if (s.p >= s.end || *s.p != '{')
		return -1;
	s.p++;
	ws(&s);
	if (s.p < s.end && *s.p == '}')
		return -1;		/* no members, no seq */
	for (;;) {
		if (string(&s, &k, &kl, &esc) == -1)
			return -1;
		ws(&s);
		if (s.p >= s.end || *s.p++ != ':')
			return -1;
		ws(&s);
		if (!esc && kl == 3 && memcmp(k, "seq", 3) == 0 &&
		    s.p < s.end && *s.p != '"' && *s.p != '{' &&
		    *s.p != '[') {
			if (number(&s, &i, &is_int) == -1 || !is_int)
				return -1;
			*seq = i;
			have_seq = 1;
		} else if (!esc && kl == 4 && memcmp(k, "prev", 4) == 0 &&
		    s.p < s.end && *s.p == '"') {
			if (string(&s, &str, &len, &esc) == -1 || esc)
				return -1;
			*prev = str;
			*prevlen = len;
			have_prev = 1;
		} else if (value(&s, 1) == -1)
			return -1;
		ws(&s);
		if (s.p >= s.end)
			return -1;
		if (*s.p == ',') {
			s.p++;
			ws(&s);
			continue;
		}
		if (*s.p++ != '}')
			return -1;
		break;
	}
	ws(&s);
	if (s.p != s.end)
		return -1;		/* trailing bytes */
	return have_seq && have_prev ? 0 : -1;
}
