#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/*
 * Grows by moving to a new block and wiping the old one, never with
 * realloc(): a buffer may hold a secret (a request header, a token in an
 * answer), and realloc would leave a copy of it in freed memory.
 */
static int
reserve(struct uoms_buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 256;
	char *p;

	if (more > SIZE_MAX / 2 - b->n)
		return -1;
	if (b->n + more + 1 <= b->cap)
		return 0;
	while (cap < b->n + more + 1)
		cap *= 2;
	if ((p = malloc(cap)) == NULL)
		return -1;
	if (b->p != NULL) {
		memcpy(p, b->p, b->n + 1);
		explicit_bzero(b->p, b->cap);
		free(b->p);
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

int
uoms_buf_add(struct uoms_buf *b, const void *s, size_t n)
{
	if (reserve(b, n) < 0)
		return -1;
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
	return 0;
}

int
uoms_buf_str(struct uoms_buf *b, const char *s)
{
	return uoms_buf_add(b, s, strlen(s));
}

int
uoms_buf_printf(struct uoms_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || reserve(b, n) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->p + b->n, n + 1, fmt, ap);
	va_end(ap);
	b->n += n;
	return 0;
}

int
uoms_buf_json_string(struct uoms_buf *b, const char *s, size_t n)
{
	if (uoms_buf_add(b, "\"", 1) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		char esc[8];

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = c;
			if (uoms_buf_add(b, esc, 2) < 0)
				return -1;
		} else if (c < 0x20) {
			/* As SQLite's json_object() writes them, so records
			 * built here and there are the same bytes. */
			static const char brief[32] = { [8] = 'b', [9] = 't',
			    [10] = 'n', [12] = 'f', [13] = 'r' };
			int n = brief[c] ? snprintf(esc, sizeof esc, "\\%c",
			    brief[c]) : snprintf(esc, sizeof esc, "\\u%04x", c);
			if (uoms_buf_add(b, esc, n) < 0)
				return -1;
		} else if (uoms_buf_add(b, &s[i], 1) < 0)
			return -1;
	}
	return uoms_buf_add(b, "\"", 1);
}

void
uoms_buf_clear(struct uoms_buf *b)
{
	b->n = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

void
uoms_buf_free(struct uoms_buf *b)
{
	if (b->p != NULL)
		explicit_bzero(b->p, b->cap);
	free(b->p);
	memset(b, 0, sizeof *b);
}
