/*
 * buf: a growable byte buffer, reused across lines. Its memory is wiped
 * when it grows and when it is freed, so a buffer that held a secret
 * leaves no copy behind (uoms-channels(7)).
 */
#ifndef UOMS_BUF_H
#define UOMS_BUF_H

#include <stddef.h>

struct uoms_buf {
	char *p;
	size_t n, cap;
};

/* Appends n bytes; -1 when out of memory. p stays NUL-terminated. */
int uoms_buf_add(struct uoms_buf *b, const void *s, size_t n);
int uoms_buf_str(struct uoms_buf *b, const char *s);
int uoms_buf_printf(struct uoms_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string, quoted and escaped: control characters as
 * SQLite's json_object() writes them, everything else (UTF-8, U+2028)
 * as it is. Runs of bytes that need no escape are copied at once. */
int uoms_buf_json_string(struct uoms_buf *b, const char *s, size_t n);
/* Appends v in decimal, as printf's "%lld" does, without printf. */
int uoms_buf_int(struct uoms_buf *b, long long v);
/* Appends a string literal (its length known when compiled). */
#define UOMS_BUF_LIT(b, lit)	uoms_buf_add((b), "" lit, sizeof (lit) - 1)
/* Empties b, keeping its memory (and what it held, until freed). */
void uoms_buf_clear(struct uoms_buf *b);
/* Wipes and frees b's memory; b is then empty and may be reused. */
void uoms_buf_free(struct uoms_buf *b);

#endif
