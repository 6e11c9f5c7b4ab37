/*
 * tap: the Test Anything Protocol for the library's unit tests (prove
 * reads it): ok() prints one test point, is() compares two strings and
 * shows both when they differ. Each test prints its plan with `tests`
 * and exits non-zero when `failed`.
 */
#ifndef UOMS_TAP_H
#define UOMS_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tests, failed;

static inline int __attribute__((format(printf, 2, 3)))
ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	/* Before any test forks or writes to a pipe of its own. */
	fflush(stdout);
	if (!cond)
		failed++;
	return cond;
}

static inline int
is(const char *got, const char *want, const char *what)
{
	int same = got != NULL && want != NULL ? strcmp(got, want) == 0 :
	    got == want;

	if (!ok(same, "%s", what))
		printf("#   got:  %s\n#   want: %s\n", got ? got : "(null)",
		    want ? want : "(null)");
	return same;
}

#endif
