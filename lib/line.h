/*
 * line: the JSON Lines reader and the record writer (SPEC 3).
 * The reader hands out one line at a time from one reused buffer, counts
 * lines for messages, and refuses (without stopping) lines that are too
 * long, hold a NUL byte or are not valid UTF-8. Memory stays bounded by
 * the size limit, however long the stream.
 */
#ifndef UOMS_LINE_H
#define UOMS_LINE_H

#include <stddef.h>
#include <stdio.h>

#define UOMS_LINE_MAX_DEFAULT (1024 * 1024)

struct uoms_line_reader {
	int fd;
	const char *name;	/* "-" for stdin; borrowed */
	size_t max;		/* longest accepted line, without its newline */
	long lineno;		/* number of the line last returned */
	char *buf;
	size_t cap, start, end;
	int eof;
	/* Called before the reader blocks waiting for input, so a tool can
	 * commit what it has and flush its output to a slow reader. */
	void (*idle)(void *);
	void *idle_arg;
};

enum uoms_line_status {
	UOMS_LINE_EOF = 0,
	UOMS_LINE_OK = 1,
	UOMS_LINE_BAD = -1,	/* refused; why in the error, go on reading */
	UOMS_LINE_IOERR = -2	/* read failed; errno set */
};

/* Opens path ("-" or NULL for stdin). Returns 0, or -1 with errno set. */
int uoms_line_open(struct uoms_line_reader *r, const char *path, size_t max);
void uoms_line_close(struct uoms_line_reader *r);

/*
 * Reads the next line. On UOMS_LINE_OK, *line points into the reader's
 * buffer (valid until the next call), NUL-terminated, without its newline;
 * a final line without a newline is returned too. On UOMS_LINE_BAD, why
 * is filled (and *line and *len give what was kept of the line, possibly
 * nothing for an over-long line).
 */
enum uoms_line_status uoms_line_next(struct uoms_line_reader *r,
    char **line, size_t *len, char *why, size_t whylen);

/* Nonzero when s[0..n) is valid UTF-8 (no overlongs, no surrogates). */
int uoms_utf8_valid(const char *s, size_t n);

/* Blank lines (only spaces and tabs) are skipped by callers, not refused. */
int uoms_line_blank(const char *s, size_t n);

/*
 * Writes one record and its newline to stdout. Output is fully buffered;
 * the reader's idle hook flushes it, so a slow pipeline still sees each
 * record promptly. Returns 0, or -1 when stdout failed.
 */
int uoms_out_record(const char *json, size_t len);
/* Flushes stdout; -1 when a write failed (e.g. EPIPE, disk full). */
int uoms_out_flush(void);

#endif
