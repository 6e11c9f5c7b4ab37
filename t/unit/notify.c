/*
 * notify: uoms_notify_render (templates), uoms_notify_retry_after,
 * uoms_notify_backoff and uoms_notify_url_check. Prints TAP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "notify.h"

#include "tap.h"

/* template, line, the body or NULL for a refused line, why's start. */
static const struct {
	const char *tmpl, *line, *want, *why;
} renders[] = {
	{ "{\"text\":\"{{a}}\"}", "{\"a\":\"x\"}", "{\"text\":\"x\"}", NULL },
	{ "{\"text\":\"{{a.b.c}}!\"}", "{\"a\":{\"b\":{\"c\":\"deep\"}}}",
	    "{\"text\":\"deep!\"}", NULL },
	/* escaped, without quotes: a quote, a newline, a backslash */
	{ "{\"text\":\"<{{a}}>\"}", "{\"a\":\"q\\\"\\n\\\\\"}",
	    "{\"text\":\"<q\\\"\\n\\\\>\"}", NULL },
	/* other values as JSON */
	{ "{\"n\":{{n}},\"ok\":{{b}},\"o\":{{o}}}",
	    "{\"n\":3.5,\"b\":true,\"o\":{\"k\":[1,2]}}",
	    "{\"n\":3.5,\"ok\":true,\"o\":{\"k\":[1,2]}}", NULL },
	{ "{\"text\":\"{{a}} {{a}}\"}", "{\"a\":\"x\"}",
	    "{\"text\":\"x x\"}", NULL },
	{ "{\"text\":\"no members\"}", "{}", "{\"text\":\"no members\"}",
	    NULL },
	{ "{\"text\":\"{{missing}}\"}", "{\"a\":1}", NULL,
	    "template member 'missing' is missing" },
	{ "{\"text\":\"{{a}}\"}", "{\"a\":null}", NULL,
	    "template member 'a' is null" },
	{ "{\"text\":\"{{a.b}}\"}", "{\"a\":\"str\"}", NULL,
	    "template member 'a.b' is missing" },
	/* an object inside a string makes no JSON */
	{ "{\"text\":\"{{o}}\"}", "{\"o\":{\"k\":\"v\"}}", NULL,
	    "the template made no JSON" },
	{ "not json {{a}}", "{\"a\":\"x\"}", NULL,
	    "the template made no JSON" },
};

static const struct {
	const char *tmpl;
	int ok;
} checks[] = {
	{ "{\"text\":\"{{a}}\"}", 1 },
	{ "{\"text\":\"{{a.b_c-d}}\"}", 1 },
	{ "{\"text\":\"plain\"}", 1 },
	{ "{\"text\":\"{{a\"}", 0 },
	{ "{\"text\":\"{{}}\"}", 0 },
	{ "{\"text\":\"{{a b}}\"}", 0 },
	{ "{\"text\":\"{{.a}}\"}", 0 },
	{ "{\"text\":\"{{a.}}\"}", 0 },
};

static void
test_render(void)
{
	for (size_t i = 0; i < sizeof renders / sizeof renders[0]; i++) {
		json_t *line = json_loads(renders[i].line, 0, NULL);
		struct uoms_buf out = { 0 };
		char why[300] = "";
		int rc;

		rc = uoms_notify_render(renders[i].tmpl, line, &out, why,
		    sizeof why);
		if (renders[i].want != NULL) {
			ok(rc == 0, "render %zu: made a body", i);
			is(out.p, renders[i].want, "render: the body");
		} else {
			ok(rc < 0, "render %zu: refused", i);
			ok(strncmp(why, renders[i].why,
			    strlen(renders[i].why)) == 0,
			    "render %zu: why '%s'", i, why);
		}
		uoms_buf_free(&out);
		json_decref(line);
	}
	for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
		char why[300];

		ok((uoms_notify_template_check(checks[i].tmpl, why,
		    sizeof why) == 0) == checks[i].ok, "check '%s': %s",
		    checks[i].tmpl, checks[i].ok ? "taken" : "refused");
	}
}

static void
test_retry_after(void)
{
	/* Sun, 06 Nov 1994 08:49:37 GMT: RFC 9110's example date */
	time_t now = 784111777;

	ok(uoms_notify_retry_after("2", now) == 2, "retry-after 2");
	ok(uoms_notify_retry_after(" 0 ", now) == 0, "retry-after 0");
	ok(uoms_notify_retry_after("99999", now) ==
	    UOMS_NOTIFY_RETRY_AFTER_MAX, "retry-after capped");
	ok(uoms_notify_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now) ==
	    10, "retry-after an IMF date 10 s on");
	ok(uoms_notify_retry_after("Sunday, 06-Nov-94 08:49:42 GMT", now) ==
	    5, "retry-after an RFC 850 date 5 s on");
	ok(uoms_notify_retry_after("Sun Nov  6 08:49:40 1994", now) == 3,
	    "retry-after an asctime date 3 s on");
	ok(uoms_notify_retry_after("Sun, 06 Nov 1994 08:40:00 GMT", now) == 0,
	    "retry-after a date gone by: 0");
	ok(uoms_notify_retry_after("", now) < 0, "retry-after empty: none");
	ok(uoms_notify_retry_after("1.5", now) < 0, "retry-after 1.5: none");
	ok(uoms_notify_retry_after("-3", now) < 0, "retry-after -3: none");
	ok(uoms_notify_retry_after("soon", now) < 0, "retry-after soon: none");
	ok(uoms_notify_retry_after("5s", now) < 0, "retry-after 5s: none");
}

static void
test_backoff(void)
{
	ok(uoms_notify_backoff(1, 0) == 0.25, "backoff 1, low jitter");
	ok(uoms_notify_backoff(1, 0.999) < 0.5, "backoff 1, high jitter");
	ok(uoms_notify_backoff(3, 0) == 1, "backoff 3 doubles twice");
	ok(uoms_notify_backoff(40, 0.999) < UOMS_NOTIFY_BACKOFF_MAX &&
	    uoms_notify_backoff(40, 0) == UOMS_NOTIFY_BACKOFF_MAX / 2,
	    "backoff capped");
}

static void
test_url(void)
{
	char why[200];

	ok(uoms_notify_url_check("https://hooks.example.com/T/B/x", why,
	    sizeof why) == 0, "url https");
	ok(uoms_notify_url_check("http://127.0.0.1:8080/x", why,
	    sizeof why) == 0, "url http with a port");
	ok(uoms_notify_url_check("ftp://example.com/x", why, sizeof why) < 0,
	    "url ftp refused");
	ok(uoms_notify_url_check("https:///x", why, sizeof why) < 0,
	    "url without a host refused");
	ok(uoms_notify_url_check("https://h/a b", why, sizeof why) < 0,
	    "url with a space refused");
	ok(strstr(why, "a b") == NULL, "the refusal does not show the URL");
}

int
main(void)
{
	test_render();
	test_retry_after();
	test_backoff();
	test_url();
	printf("1..%d\n", tests);
	return failed != 0;
}
