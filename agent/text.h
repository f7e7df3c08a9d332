/* SPDX-License-Identifier: ISC */
/* text.h - text from outside made safe to print: terminal, log line, mail */
#ifndef BG_TEXT_H
#define BG_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Text that breakglass did not write itself -- a reason or actor read back
 * from state.json or the audit log, a Graph issue title, an LDAP or SMTP
 * server's error, a host name -- may hold control characters: a line break
 * forges a line of its own, an ESC sequence drives the terminal (OSC 52
 * writes the clipboard).  Everything printed goes through one of these.
 *
 * Flattened: tab, LF, VT, FF, CR -> ' '; the other C0 controls, DEL, the C1
 * controls U+0080..U+009F (encoded as UTF-8) and every byte that is not part
 * of valid UTF-8 (a raw 0x9B is CSI to an 8-bit terminal) -> '?'.  Valid
 * UTF-8 otherwise passes unchanged.
 */

/* 1..4: a valid UTF-8 sequence at p (*cp its code point); 0: not valid */
size_t	utf8_char(const unsigned char *p, uint32_t *cp);
/* a C0 or C1 control or DEL */
int	is_control(uint32_t cp);
/* flatten s in place (it can only get shorter) */
void	text_flatten(char *s);
/* printf to fp, everything it formatted flattened, then one newline */
void	out_line(FILE *fp, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * JSON text (cJSON's, or a line of the audit log) to fp and a newline:
 * unchanged when it is clean; else, inside strings, controls become \u00XX
 * and invalid UTF-8 bytes \ufffd, and outside strings they become blanks,
 * so the output stays JSON and means the same.
 */
void	out_json(FILE *fp, const char *json);

#endif
