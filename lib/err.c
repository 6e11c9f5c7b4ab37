#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

static const char *prog = "uoms";

static const struct {
	const char *name;
	int http;
} codes[] = {
	[UOMS_OK] = { "ok", 200 },
	[UOMS_INVALID] = { "invalid", 422 },
	[UOMS_NOT_FOUND] = { "not_found", 404 },
	[UOMS_VERSION_CONFLICT] = { "version_conflict", 409 },
	[UOMS_PRECONDITION_REQUIRED] = { "precondition_required", 428 },
	[UOMS_LOCKED] = { "locked", 423 },
	[UOMS_INVALID_TRANSITION] = { "invalid_transition", 409 },
	[UOMS_ON_HOLD] = { "on_hold", 409 },
	[UOMS_FORBIDDEN] = { "forbidden", 403 },
	[UOMS_IDEMPOTENCY_MISMATCH] = { "idempotency_mismatch", 422 },
	[UOMS_IDEMPOTENCY_IN_PROGRESS] = { "idempotency_in_progress", 409 },
	[UOMS_BUSY] = { "busy", 503 },
	[UOMS_INTERNAL] = { "internal", 500 },
};

const char *
uoms_code_name(enum uoms_code code)
{
	return codes[code].name;
}

int
uoms_code_http(enum uoms_code code)
{
	return codes[code].http;
}

void
uoms_err_setprog(const char *name)
{
	const char *slash = strrchr(name, '/');

	prog = slash != NULL ? slash + 1 : name;
}

const char *
uoms_err_prog(void)
{
	return prog;
}

/* A diagnostic being written: on the stack up to its size, then on the
 * heap (broken once it could not grow: the line is cut there). */
struct line {
	char stack[2048], *p;
	size_t n, cap;
};

static void
line_add(struct line *l, const char *s, size_t n)
{
	char *p;

	if (l->n + n > l->cap) {
		size_t cap = 2 * (l->n + n);

		if (l->p == l->stack) {
			if ((p = malloc(cap)) != NULL)
				memcpy(p, l->p, l->n);
		} else
			p = realloc(l->p, cap);
		if (p == NULL)
			n = l->cap - l->n;
		else {
			l->p = p;
			l->cap = cap;
		}
	}
	memcpy(l->p + l->n, s, n);
	l->n += n;
}

/*
 * A diagnostic is one line, whatever it quotes: a reference or a value
 * from the input holding a newline (or any other control character, an
 * escape sequence for the terminal) is printed escaped, "a\nb".
 */
static void
put_escaped(const char *s, struct line *l)
{
	const unsigned char *p = (const unsigned char *)s;
	char esc[8];

	for (; *p != '\0'; p++) {
		const unsigned char *run = p;

		while (*p >= 0x20 && *p != 0x7f && !(*p == 0xc2 &&
		    p[1] >= 0x80 && p[1] <= 0x9f))
			p++;
		line_add(l, (const char *)run, p - run);
		if (*p == '\0')
			break;
		if (*p == '\n')
			line_add(l, "\\n", 2);
		else if (*p == '\r')
			line_add(l, "\\r", 2);
		else if (*p == '\t')
			line_add(l, "\\t", 2);
		else if (*p < 0x20 || *p == 0x7f)
			line_add(l, esc, snprintf(esc, sizeof esc, "\\x%02x",
			    *p));
		else	/* C1 */
			line_add(l, esc, snprintf(esc, sizeof esc, "\\u%04x",
			    *++p));
	}
}

/*
 * The line is written whole, in one write: stderr is unbuffered, so
 * written a character at a time (as it was) a line cost a system call
 * a byte, four fifths of uoms-serve's access log, and two threads'
 * lines could interleave.
 */
static void
vwarn(const char *where, const char *fmt, va_list ap)
{
	char buf[1024], *msg = buf;
	struct line l;
	va_list aq;
	int n;

	fflush(stdout);
	va_copy(aq, ap);
	n = vsnprintf(buf, sizeof buf, fmt, aq);
	va_end(aq);
	if (n >= (int)sizeof buf && (msg = malloc(n + 1)) != NULL)
		vsnprintf(msg, n + 1, fmt, ap);
	else if (msg == NULL)
		msg = buf;
	l.p = l.stack;
	l.n = 0;
	l.cap = sizeof l.stack;
	line_add(&l, prog, strlen(prog));
	line_add(&l, ": ", 2);
	if (where != NULL) {
		put_escaped(where, &l);
		line_add(&l, ": ", 2);
	}
	put_escaped(n < 0 ? fmt : msg, &l);
	line_add(&l, "\n", 1);
	fwrite(l.p, 1, l.n, stderr);
	if (l.p != l.stack)
		free(l.p);
	if (msg != buf)
		free(msg);
}

void
uoms_warn(const char *where, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(where, fmt, ap);
	va_end(ap);
}

void
uoms_die(int status, const char *where, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(where, fmt, ap);
	va_end(ap);
	exit(status);
}

enum uoms_code
uoms_fail(struct uoms_error *e, enum uoms_code code, const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	e->detail[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return code;
}

void
uoms_warn_error(const char *where, const struct uoms_error *e)
{
	if (e->code == UOMS_INTERNAL)
		uoms_warn(where, "%s", e->msg);
	else
		uoms_warn(where, "%s: %s", uoms_code_name(e->code), e->msg);
}

void
uoms_die_error(const char *where, const struct uoms_error *e)
{
	uoms_warn_error(where, e);
	exit(UOMS_EXIT_CANNOT);
}
