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
	/* The common case, room already there, without reserve()'s call. */
	if (n >= b->cap - b->n && reserve(b, n) < 0)
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
uoms_buf_int(struct uoms_buf *b, long long v)
{
	char d[24], *q = d + sizeof d;
	/* Negated unsigned, so LLONG_MIN has its digits too. */
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v :
	    (unsigned long long)v;

	do
		*--q = '0' + u % 10;
	while ((u /= 10) != 0);
	if (v < 0)
		*--q = '-';
	return uoms_buf_add(b, q, d + sizeof d - q);
}

/*
 * Copies the runs of bytes that need no escape with one uoms_buf_add
 * each: a record's strings are mostly such runs, and a byte at a time
 * was a fifth of an ingest (issue 14).
 */
int
uoms_buf_json_string(struct uoms_buf *b, const char *s, size_t n)
{
	/* As SQLite's json_object() writes them, so records built here and
	 * there are the same bytes. */
	static const char brief[32] = { [8] = 'b', [9] = 't', [10] = 'n',
	    [12] = 'f', [13] = 'r' };
	static const char hex[] = "0123456789abcdef";
	size_t i = 0;

	/* The quotes and the string unescaped, at least, in one growth. */
	if (n > SIZE_MAX / 2 || reserve(b, n + 2) < 0 ||
	    uoms_buf_add(b, "\"", 1) < 0)
		return -1;
	while (i < n) {
		size_t run = i;
		unsigned char c;
		char esc[6] = { '\\' };

		while (run < n && (c = s[run]) >= 0x20 && c != '"' &&
		    c != '\\')
			run++;
		if (run > i && uoms_buf_add(b, s + i, run - i) < 0)
			return -1;
		if ((i = run) == n)
			break;
		c = s[i++];
		if (c == '"' || c == '\\') {
			esc[1] = c;
			if (uoms_buf_add(b, esc, 2) < 0)
				return -1;
		} else if (brief[c]) {
			esc[1] = brief[c];
			if (uoms_buf_add(b, esc, 2) < 0)
				return -1;
		} else {
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			if (uoms_buf_add(b, esc, 6) < 0)
				return -1;
		}
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
