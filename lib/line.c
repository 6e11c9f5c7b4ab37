#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "line.h"

#define CHUNK (64 * 1024)

int
uoms_line_open(struct uoms_line_reader *r, const char *path, size_t max)
{
	memset(r, 0, sizeof *r);
	r->max = max != 0 ? max : UOMS_LINE_MAX_DEFAULT;
	if (path == NULL || strcmp(path, "-") == 0) {
		r->fd = 0;
		r->name = "-";
	} else {
		r->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (r->fd < 0)
			return -1;
		r->name = path;
	}
	r->cap = r->max + CHUNK + 1;
	r->buf = malloc(r->cap);
	if (r->buf == NULL) {
		if (r->fd > 0)
			close(r->fd);
		return -1;
	}
	return 0;
}

void
uoms_line_close(struct uoms_line_reader *r)
{
	if (r->fd > 0)
		close(r->fd);
	free(r->buf);
	r->buf = NULL;
}

/*
 * How long input may pause before the tool commits what it holds: a
 * producer streaming into a pipe (uoms-query | uoms-status) pauses for a
 * moment between its writes and pages, and a commit at every pause cut
 * a batch of 1 000 into a hundred transactions (on PostgreSQL 150
 * commits for 10 000 moves, not 17); a slow producer's line is still
 * committed and printed this soon after it came.
 */
#define IDLE_GRACE_MS	10

/* Would a read block? Then give the tool its chance to commit and flush. */
static void
before_read(struct uoms_line_reader *r)
{
	struct pollfd p = { .fd = r->fd, .events = POLLIN };
	int n;

	if (r->idle == NULL)
		return;
	while ((n = poll(&p, 1, IDLE_GRACE_MS)) < 0 && errno == EINTR)
		;
	if (n == 1)
		return;
	r->idle(r->idle_arg);
}

/* Appends more input after r->end; returns bytes read, 0 at EOF, -1. */
static ssize_t
fill(struct uoms_line_reader *r)
{
	ssize_t n;

	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	before_read(r);
	do
		n = read(r->fd, r->buf + r->end, r->cap - 1 - r->end);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		r->end += n;
	return n;
}

/* Drops input up to and including the next newline (an over-long line). */
static int
skip_line(struct uoms_line_reader *r, size_t *skipped)
{
	for (;;) {
		char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		ssize_t n;

		if (nl != NULL) {
			*skipped += nl - (r->buf + r->start);
			r->start = nl + 1 - r->buf;
			return 0;
		}
		*skipped += r->end - r->start;
		r->start = r->end = 0;
		n = fill(r);
		if (n < 0)
			return -1;
		if (n == 0) {
			r->eof = 1;
			return 0;
		}
	}
}

enum uoms_line_status
uoms_line_next(struct uoms_line_reader *r, char **line, size_t *len,
    char *why, size_t whylen)
{
	char *nl;
	size_t n;

	*line = NULL;
	*len = 0;
	for (;;) {
		nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		if (nl != NULL || r->eof)
			break;
		/* max bytes and a CR may still end in a newline: the
		 * verdict must not depend on where a read stopped. */
		if (r->end - r->start > r->max + 1) {
			size_t skipped = 0;

			r->lineno++;
			if (skip_line(r, &skipped) < 0)
				return UOMS_LINE_IOERR;
			snprintf(why, whylen, "line is longer than %zu bytes",
			    r->max);
			return UOMS_LINE_BAD;
		}
		ssize_t got = fill(r);
		if (got < 0)
			return UOMS_LINE_IOERR;
		if (got == 0)
			r->eof = 1;
	}
	if (nl == NULL && r->start == r->end)
		return UOMS_LINE_EOF;
	r->lineno++;
	*line = r->buf + r->start;
	n = nl != NULL ? (size_t)(nl - *line) : r->end - r->start;
	r->start += n + (nl != NULL);
	if (n > 0 && (*line)[n - 1] == '\r')
		n--;
	(*line)[n] = '\0';
	*len = n;
	if (n > r->max) {
		/* Never handed out, however it fit: the limit means "not kept". */
		*line = NULL;
		*len = 0;
		snprintf(why, whylen, "line is longer than %zu bytes", r->max);
		return UOMS_LINE_BAD;
	}
	if (memchr(*line, '\0', n) != NULL) {
		snprintf(why, whylen, "line holds a NUL byte at column %zu",
		    (size_t)((char *)memchr(*line, '\0', n) - *line) + 1);
		return UOMS_LINE_BAD;
	}
	if (!uoms_utf8_valid(*line, n)) {
		snprintf(why, whylen, "line is not valid UTF-8");
		return UOMS_LINE_BAD;
	}
	return UOMS_LINE_OK;
}

int
uoms_utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str, *e = s + n;

	while (s < e) {
		unsigned c = *s;
		uint64_t w;

		/* Eight bytes of ASCII at a time: most of a line is. */
		if (e - s >= 8 && (memcpy(&w, s, 8), (w &
		    0x8080808080808080ULL) == 0)) {
			s += 8;
			continue;
		}
		if (c < 0x80) {
			s++;
			continue;
		}
		size_t need;
		unsigned min, cp;
		if ((c & 0xe0) == 0xc0) {
			need = 1, min = 0x80, cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			need = 2, min = 0x800, cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			need = 3, min = 0x10000, cp = c & 0x07;
		} else
			return 0;
		if ((size_t)(e - s) <= need)
			return 0;
		for (size_t i = 1; i <= need; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		s += need + 1;
	}
	return 1;
}

int
uoms_line_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

int
uoms_out_record(const char *json, size_t len)
{
	if (fwrite(json, 1, len, stdout) != len || putchar('\n') == EOF)
		return -1;
	return 0;
}

int
uoms_out_flush(void)
{
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : -1;
}
