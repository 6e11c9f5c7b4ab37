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

/*
 * Prints s with its control characters escaped (a newline as \n, others
 * as \xHH): a diagnostic is one line whatever the input it quotes holds,
 * so the next tool or a log reader never takes half of it for another.
 */
static void
put_escaped(const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n')
			fputs("\\n", stderr);
		else if (c == '\r')
			fputs("\\r", stderr);
		else if (c == '\t')
			fputs("\\t", stderr);
		else if (c < 0x20 || c == 0x7f)
			fprintf(stderr, "\\x%02x", c);
		else
			fputc(c, stderr);
	}
}

static void
vwarn(const char *where, const char *fmt, va_list ap)
{
	char buf[2048], *p = buf;
	va_list aq;
	int n;

	fflush(stdout);
	va_copy(aq, ap);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	if (n >= (int)sizeof buf && (p = malloc((size_t)n + 1)) != NULL)
		vsnprintf(p, (size_t)n + 1, fmt, aq);
	else if (p == NULL)
		p = buf;	/* out of memory: the message cut short */
	va_end(aq);
	fprintf(stderr, "%s: ", prog);
	if (where != NULL) {
		put_escaped(where);
		fputs(": ", stderr);
	}
	put_escaped(n < 0 ? fmt : p);
	fputc('\n', stderr);
	if (p != buf)
		free(p);
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
