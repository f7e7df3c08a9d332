/* SPDX-License-Identifier: ISC */
/* text.c - text from outside made safe to print: terminal, log line, mail */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

size_t
utf8_char(const unsigned char *p, uint32_t *cp)
{
	uint32_t	c, min;
	size_t		n;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xe0) == 0xc0) {
		c = p[0] & 0x1f;
		n = 2;
		min = 0x80;
	} else if ((p[0] & 0xf0) == 0xe0) {
		c = p[0] & 0x0f;
		n = 3;
		min = 0x800;
	} else if ((p[0] & 0xf8) == 0xf0) {
		c = p[0] & 0x07;
		n = 4;
		min = 0x10000;
	} else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)	/* also stops at the NUL */
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	/* overlong, a UTF-16 surrogate, beyond Unicode */
	if (c < min || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return n;
}

int
is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

void
text_flatten(char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	char			*o = s;
	uint32_t		 cp;
	size_t			 n;

	while (*p != '\0') {
		if ((n = utf8_char(p, &cp)) == 0) {
			*o++ = '?';
			p++;
		} else if (is_control(cp)) {
			*o++ = cp == '\t' || cp == '\n' || cp == '\v' ||
			    cp == '\f' || cp == '\r' ? ' ' : '?';
			p += n;
		} else {
			memmove(o, p, n);
			o += n;
			p += n;
		}
	}
	*o = '\0';
}

void
out_line(FILE *fp, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		fputs("(out of memory)\n", fp);
		return;
	}
	text_flatten(s);
	fputs(s, fp);
	fputc('\n', fp);
	free(s);
}

/* nothing to escape: printable ASCII and valid UTF-8 without controls */
static int
json_clean(const unsigned char *p)
{
	uint32_t	cp;
	size_t		n;

	for (; *p != '\0'; p += n) {
		if (*p >= 0x20 && *p < 0x7f) {
			n = 1;
			continue;
		}
		if ((n = utf8_char(p, &cp)) == 0 || is_control(cp))
			return 0;
	}
	return 1;
}

void
out_json(FILE *fp, const char *json)
{
	const unsigned char	*p = (const unsigned char *)json;
	uint32_t		 cp;
	size_t			 n;
	int			 in_string = 0;

	if (json_clean(p)) {	/* every line breakglass wrote, nearly */
		fputs(json, fp);
		fputc('\n', fp);
		return;
	}
	while (*p != '\0') {
		if ((n = utf8_char(p, &cp)) == 0) {
			fputs(in_string ? "\\ufffd" : " ", fp);
			p++;
			continue;
		}
		if (is_control(cp)) {
			/* whitespace between tokens is JSON's own */
			if (!in_string && (cp == '\t' || cp == '\n' ||
			    cp == '\r'))
				fputc((int)cp, fp);
			else if (in_string)
				fprintf(fp, "\\u%04x", (unsigned)cp);
			else
				fputc(' ', fp);
			p += n;
			continue;
		}
		if (cp == '"')
			in_string = !in_string;
		else if (cp == '\\' && in_string && p[1] >= 0x20 && p[1] < 0x7f) {
			fwrite(p, 1, 2, fp);	/* an escape: both as they are */
			p += 2;
			continue;
		}
		fwrite(p, 1, n, fp);
		p += n;
	}
	fputc('\n', fp);
}
