/*
 * line: uoms_utf8_valid and the line reader, over files and pipes.
 * Prints TAP.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "line.h"

#include "tap.h"

/* --- uoms_utf8_valid --- */

static const struct {
	const char *s;
	size_t n;		/* 0: strlen */
	int valid;
	const char *desc;
} utf8[] = {
	{ "", 0, 1, "empty" },
	{ "plain ascii {\"a\":1}", 0, 1, "ASCII" },
	{ "홍길동 서울 강남구", 0, 1, "Korean (3-byte)" },
	{ "caf\xc3\xa9", 0, 1, "2-byte" },
	{ "\xc2\x80", 0, 1, "smallest 2-byte U+0080" },
	{ "\xe0\xa0\x80", 0, 1, "smallest 3-byte U+0800" },
	{ "\xef\xbf\xbf", 0, 1, "U+FFFF" },
	{ "\xf0\x9f\x98\x80", 0, 1, "4-byte emoji U+1F600" },
	{ "\xf0\x90\x80\x80", 0, 1, "smallest 4-byte U+10000" },
	{ "\xf4\x8f\xbf\xbf", 0, 1, "largest U+10FFFF" },
	{ "\xed\x9f\xbf", 0, 1, "U+D7FF just below the surrogates" },
	{ "\xee\x80\x80", 0, 1, "U+E000 just above the surrogates" },
	{ "a\0b", 3, 1, "NUL is ASCII (the reader refuses it, not this)" },
	{ "\xc0\xaf", 0, 0, "overlong '/' in 2 bytes" },
	{ "\xc1\xbf", 0, 0, "overlong C1" },
	{ "\xc0\x80", 0, 0, "overlong NUL" },
	{ "\xe0\x80\xaf", 0, 0, "overlong '/' in 3 bytes" },
	{ "\xe0\x9f\xbf", 0, 0, "overlong U+07FF in 3 bytes" },
	{ "\xf0\x80\x80\xaf", 0, 0, "overlong '/' in 4 bytes" },
	{ "\xf0\x8f\xbf\xbf", 0, 0, "overlong U+FFFF in 4 bytes" },
	{ "\xed\xa0\x80", 0, 0, "surrogate U+D800" },
	{ "\xed\xbf\xbf", 0, 0, "surrogate U+DFFF" },
	{ "\xed\xa0\xbd\xed\xb8\x80", 0, 0, "CESU-8 surrogate pair" },
	{ "\xf4\x90\x80\x80", 0, 0, "above U+10FFFF" },
	{ "\xf5\x80\x80\x80", 0, 0, "lead byte F5" },
	{ "\xf8\x88\x80\x80\x80", 0, 0, "5-byte form" },
	{ "\xfe", 0, 0, "byte FE" },
	{ "\xff", 0, 0, "byte FF" },
	{ "\x80", 0, 0, "lone continuation byte" },
	{ "a\xbf" "b", 0, 0, "continuation byte after ASCII" },
	{ "0123456789abcdef" "\x80", 0, 0, "continuation byte after 16 ASCII" },
	{ "0123456789abcdefg\x80", 0, 0, "continuation byte after 17 ASCII" },
	{ "012345678\xc3\xa9" "012345678", 0, 1, "2-byte between ASCII runs" },
	{ "0123456789abcdef" "\xc3", 0, 0, "a 2-byte cut after 16 ASCII" },
	{ "0123456\xed\xa0\x80" "01234567", 0, 0,
	    "surrogate between ASCII runs" },
	{ "\xea\xb0", 0, 0, "a 3-byte cut after two" },
	{ "\xea\xb0" "a", 0, 0, "a 3-byte with ASCII for its third" },
	{ "\xea" "a" "\x80", 0, 0, "a 3-byte with ASCII for its second" },
	{ "\xea\xb0\x80\xed\x9e\xa3", 0, 1, "Hangul U+AC00 and U+D7A3" },
	{ "\xed\x99", 0, 0, "truncated 3-byte at the end" },
	{ "\xed\x99" "a", 0, 0, "truncated 3-byte before ASCII" },
	{ "\xf0\x9f\x98", 0, 0, "truncated 4-byte at the end" },
	{ "\xc3", 0, 0, "truncated 2-byte at the end" },
	{ "\xea\xb8\xb8", 2, 0, "n cuts a Korean character" },
	{ "\xea\xb8\xb8\xff", 3, 1, "n stops before a bad byte" },
	{ "\xc3\xa9\xc3", 0, 0, "valid then truncated" },
};

static void
test_utf8(void)
{
	for (size_t i = 0; i < sizeof utf8 / sizeof utf8[0]; i++) {
		size_t n = utf8[i].n ? utf8[i].n : strlen(utf8[i].s);

		ok(!uoms_utf8_valid(utf8[i].s, n) == !utf8[i].valid,
		    "utf8_valid: %s is %s", utf8[i].desc,
		    utf8[i].valid ? "valid" : "invalid");
	}
}

/* --- the reader --- */

struct want {
	enum uoms_line_status st;
	long lineno;
	const char *line;	/* expected text on OK; a fragment of why on BAD */
};

/* Writes data to a temporary file and returns its path (static). */
static const char *
tmpfile_with(const char *data, size_t n)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof path, "/tmp/uoms-unit-line-XXXXXX");
	if ((fd = mkstemp(path)) < 0 || write(fd, data, n) != (ssize_t)n) {
		perror("tmpfile");
		exit(3);
	}
	close(fd);
	return path;
}

/* A copy of s (at most 20 bytes) fit for a TAP line: no control bytes. */
static const char *
printable(const char *s, char out[24])
{
	size_t i;

	for (i = 0; s != NULL && s[i] != '\0' && i < 20; i++)
		out[i] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
	strcpy(out + i, s != NULL && s[i] != '\0' ? "..." : "");
	return out;
}

/* Reads through r and compares with want[0..nwant) then EOF. */
static void
expect(struct uoms_line_reader *r, const char *name, const struct want *want,
    size_t nwant)
{
	char *line, why[256], p1[24], p2[24];
	size_t len;
	int good = 1;

	for (size_t i = 0; i <= nwant && good; i++) {
		enum uoms_line_status st;

		why[0] = '\0';
		st = uoms_line_next(r, &line, &len, why, sizeof why);
		if (i == nwant) {
			good = ok(st == UOMS_LINE_EOF, "%s: EOF after %zu "
			    "lines (got %d)", name, nwant, st);
			/* EOF stays EOF */
			if (good)
				ok(uoms_line_next(r, &line, &len, why,
				    sizeof why) == UOMS_LINE_EOF,
				    "%s: EOF again", name);
			break;
		}
		if (want[i].st == UOMS_LINE_OK)
			good = ok(st == UOMS_LINE_OK && r->lineno ==
			    want[i].lineno && line != NULL &&
			    len == strlen(want[i].line) &&
			    strcmp(line, want[i].line) == 0 &&
			    line[len] == '\0', "%s: line %ld is '%s' "
			    "(got status %d, line %ld, '%s', len %zu)",
			    name, want[i].lineno, printable(want[i].line, p1),
			    st, r->lineno, printable(st == UOMS_LINE_OK ? line :
			    "", p2), len);
		else
			good = ok(st == UOMS_LINE_BAD && r->lineno ==
			    want[i].lineno && strstr(why, want[i].line) != NULL,
			    "%s: line %ld refused: %s (got status %d, line %ld, "
			    "'%s')", name, want[i].lineno, want[i].line, st,
			    r->lineno, why);
	}
}

static void
file_case(const char *name, const char *data, size_t n, size_t max,
    const struct want *want, size_t nwant)
{
	struct uoms_line_reader r;
	const char *path = tmpfile_with(data, n);

	if (!ok(uoms_line_open(&r, path, max) == 0, "%s: open", name))
		return;
	expect(&r, name, want, nwant);
	uoms_line_close(&r);
	unlink(path);
}

#define W(...) ((const struct want[]){ __VA_ARGS__ })
#define NW(...) (sizeof W(__VA_ARGS__) / sizeof(struct want))
#define FILE_CASE(name, data, max, ...) \
	file_case(name, data, sizeof data - 1, max, W(__VA_ARGS__), \
	    NW(__VA_ARGS__))

static void
test_files(void)
{
	struct uoms_line_reader r;

	FILE_CASE("lines and numbers", "a\nbb\n\nccc\n", 16,
	    { UOMS_LINE_OK, 1, "a" }, { UOMS_LINE_OK, 2, "bb" },
	    { UOMS_LINE_OK, 3, "" }, { UOMS_LINE_OK, 4, "ccc" });
	FILE_CASE("last line without newline", "one\ntwo", 16,
	    { UOMS_LINE_OK, 1, "one" }, { UOMS_LINE_OK, 2, "two" });
	FILE_CASE("CRLF", "one\r\ntwo\r\n{\"a\":\"b\"}\r\n", 16,
	    { UOMS_LINE_OK, 1, "one" }, { UOMS_LINE_OK, 2, "two" },
	    { UOMS_LINE_OK, 3, "{\"a\":\"b\"}" });
	FILE_CASE("CR inside a line is kept", "a\rb\n", 16,
	    { UOMS_LINE_OK, 1, "a\rb" });
	FILE_CASE("too long refused and skipped",
	    "short\n0123456789abcdefXYZ\nafter\n", 16,
	    { UOMS_LINE_OK, 1, "short" },
	    { UOMS_LINE_BAD, 2, "longer than 16" },
	    { UOMS_LINE_OK, 3, "after" });
	FILE_CASE("exactly the limit is accepted", "0123456789abcdef\n", 16,
	    { UOMS_LINE_OK, 1, "0123456789abcdef" });
	FILE_CASE("too long without newline at the end",
	    "ok\n0123456789abcdefX", 16,
	    { UOMS_LINE_OK, 1, "ok" },
	    { UOMS_LINE_BAD, 2, "longer than 16" });
	FILE_CASE("NUL refused", "a\0b\nok\n", 16,
	    { UOMS_LINE_BAD, 1, "NUL" }, { UOMS_LINE_OK, 2, "ok" });
	FILE_CASE("NUL at the start", "\0\nok", 16,
	    { UOMS_LINE_BAD, 1, "NUL" }, { UOMS_LINE_OK, 2, "ok" });
	FILE_CASE("invalid UTF-8 refused", "\xff\xfe\n\xed\xa0\x80\n홍\n",
	    16, { UOMS_LINE_BAD, 1, "UTF-8" }, { UOMS_LINE_BAD, 2, "UTF-8" },
	    { UOMS_LINE_OK, 3, "홍" });
	FILE_CASE("blank lines are lines", "\n  \t\nx\n", 16,
	    { UOMS_LINE_OK, 1, "" }, { UOMS_LINE_OK, 2, "  \t" },
	    { UOMS_LINE_OK, 3, "x" });

	/* No lines at all. */
	{
		const char *path = tmpfile_with("", 0);

		if (ok(uoms_line_open(&r, path, 16) == 0, "empty: open")) {
			expect(&r, "empty input, no lines", NULL, 0);
			uoms_line_close(&r);
		}
		unlink(path);
	}
	errno = 0;
	ok(uoms_line_open(&r, "/nonexistent/uoms/input", 16) == -1 &&
	    errno == ENOENT, "open of a missing file fails with ENOENT");
}

/* Feeds data to a pipe from a child in small pieces; returns read end. */
static int
pipe_from(const char *data, size_t n, size_t piece, pid_t *child,
    useconds_t pause)
{
	int p[2];

	if (pipe(p) < 0 || (*child = fork()) < 0) {
		perror("pipe");
		exit(3);
	}
	if (*child == 0) {
		close(p[0]);
		for (size_t off = 0; off < n; off += piece) {
			size_t k = n - off < piece ? n - off : piece;

			if (write(p[1], data + off, k) != (ssize_t)k)
				_exit(1);
			if (pause)
				usleep(pause);
		}
		_exit(0);
	}
	close(p[1]);
	return p[0];
}

static void
pipe_case(const char *name, const char *data, size_t n, size_t piece,
    size_t max, const struct want *want, size_t nwant)
{
	struct uoms_line_reader r;
	char path[32];
	pid_t child;
	int fd = pipe_from(data, n, piece, &child, 0), st;

	snprintf(path, sizeof path, "/dev/fd/%d", fd);
	if (ok(uoms_line_open(&r, path, max) == 0, "%s: open pipe", name)) {
		expect(&r, name, want, nwant);
		uoms_line_close(&r);
	}
	close(fd);
	waitpid(child, &st, 0);
}

static int idle_calls;

static void
on_idle(void *arg)
{
	(void)arg;
	idle_calls++;
}

static void
test_pipes(void)
{
	size_t big = 300 * 1024, n;
	char *data = malloc(big + 64), *lines;
	struct want *want;

	/* A line far beyond the limit and beyond the buffer, in a pipe. */
	n = 0;
	n += sprintf(data + n, "first\n");
	memset(data + n, 'x', big);
	n += big;
	n += sprintf(data + n, "\nlast");
	pipe_case("pipe: huge line refused and skipped", data, n, 4096, 1024,
	    W({ UOMS_LINE_OK, 1, "first" },
	    { UOMS_LINE_BAD, 2, "longer than 1024" },
	    { UOMS_LINE_OK, 3, "last" }), 3);

	/* A long line within the limit, longer than one read, arriving in
	 * odd pieces. */
	n = 0;
	memset(data, 'y', 100000);
	data[100000] = '\0';
	want = malloc(3 * sizeof *want);
	want[0] = (struct want){ UOMS_LINE_OK, 1, strdup(data) };
	n = 100000;
	n += sprintf(data + n, "\r\n\nz\n");
	want[1] = (struct want){ UOMS_LINE_OK, 2, "" };
	want[2] = (struct want){ UOMS_LINE_OK, 3, "z" };
	pipe_case("pipe: 100000-byte line within a 200000 limit", data, n,
	    777, 200000, want, 3);
	free((void *)want[0].line);
	free(want);

	/* Many short lines across many reads: numbering never slips. */
	enum { MANY = 20000 };
	lines = malloc(MANY * 16);
	want = malloc(MANY * sizeof *want);
	n = 0;
	for (int i = 0; i < MANY; i++) {
		want[i].st = UOMS_LINE_OK;
		want[i].lineno = i + 1;
		want[i].line = lines + n;
		n += sprintf(lines + n, "line %d", i + 1) + 1;
	}
	/* the same text with newlines in place of the NULs */
	memcpy(data = realloc(data, n), lines, n);
	for (size_t i = 0; i < n; i++)
		if (data[i] == '\0')
			data[i] = '\n';
	{
		struct uoms_line_reader r;
		char path[32], *line, why[128];
		size_t len;
		pid_t child;
		int fd = pipe_from(data, n, 1000, &child, 0), st, good = 1;
		long count = 0;

		snprintf(path, sizeof path, "/dev/fd/%d", fd);
		ok(uoms_line_open(&r, path, 64) == 0, "pipe: open for %d lines",
		    MANY);
		while (good && uoms_line_next(&r, &line, &len, why,
		    sizeof why) == UOMS_LINE_OK) {
			good = r.lineno == count + 1 &&
			    strcmp(line, want[count].line) == 0;
			count++;
		}
		ok(good && count == MANY, "pipe: %d lines read in order, "
		    "numbered 1..%d (got %ld)", MANY, MANY, count);
		uoms_line_close(&r);
		close(fd);
		waitpid(child, &st, 0);
	}
	free(lines);
	free(want);
	free(data);

	/* A slow writer: before each read that would wait, the idle hook. */
	{
		struct uoms_line_reader r;
		char path[32], *line, why[128];
		size_t len;
		pid_t child;
		int fd = pipe_from("a\nb\nc\n", 6, 2, &child, 100000), st;
		int got = 0, idle_before_b = -1;

		snprintf(path, sizeof path, "/dev/fd/%d", fd);
		ok(uoms_line_open(&r, path, 64) == 0, "slow pipe: open");
		r.idle = on_idle;
		while (uoms_line_next(&r, &line, &len, why, sizeof why) ==
		    UOMS_LINE_OK) {
			if (strcmp(line, "b") == 0)
				idle_before_b = idle_calls;
			got++;
		}
		ok(got == 3, "slow pipe: 3 lines (got %d)", got);
		ok(idle_before_b > 0, "slow pipe: the idle hook ran while the "
		    "reader waited (%d times before line 2)", idle_before_b);
		uoms_line_close(&r);
		close(fd);
		waitpid(child, &st, 0);
	}
}

static void
test_blank(void)
{
	ok(uoms_line_blank("", 0), "blank: empty");
	ok(uoms_line_blank(" \t  ", 4), "blank: spaces and tabs");
	ok(!uoms_line_blank("  x", 3), "blank: not with a letter");
	ok(!uoms_line_blank("\r", 1), "blank: CR is not blank");
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_utf8();
	test_files();
	test_pipes();
	test_blank();
	printf("1..%d\n", tests);
	return failed != 0;
}
