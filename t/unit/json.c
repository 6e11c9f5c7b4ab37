/*
 * json: uoms_json_valid against RFC 8259, and the text SQLite 3.40 takes
 * that is not JSON (an object or array where a key goes). Prints TAP.
 */
#include <stdio.h>
#include <string.h>

#include "json.h"

#include "tap.h"

/* uoms_json_scan's member: appends "key=value;" to the buffer in arg. */
static int
collect(void *arg, const char *k, const char *kend, const char *v,
    const char *vend)
{
	char *out = arg;

	snprintf(out + strlen(out), 256 - strlen(out), "%.*s=%.*s;",
	    (int)(kend - k), k, (int)(vend - v), v);
	return kend - k == 6 && memcmp(k, "\"stop\"", 6) == 0 ? -1 : 0;
}

/* The outermost object's members, each once, nested keys not among them. */
static void
members(void)
{
	static const struct { const char *text, *want; int rc; } cases[] = {
		{ " {\"a\":1, \"b\":{\"c\":[1,{\"d\":2}]} ,\"e\":{},\"f\":\"x\"} ",
		    "\"a\"=1;\"b\"={\"c\":[1,{\"d\":2}]};\"e\"={};\"f\"=\"x\";", 1 },
		{ "{}", "", 1 },
		{ "[{\"a\":1}]", "", 1 },
		{ "{\"a\":[{\"b\":{\"c\":1}}]}", "\"a\"=[{\"b\":{\"c\":1}}];", 1 },
		{ "{\"a\":1,\"b\":}", "\"a\"=1;", 0 },
		{ "{\"stop\":1,\"b\":2}", "\"stop\"=1;", -1 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char got[256] = "";
		int rc = uoms_json_scan(cases[i].text, strlen(cases[i].text),
		    collect, got);

		ok(rc == cases[i].rc && strcmp(got, cases[i].want) == 0,
		    "members of %s: %s (%d)", cases[i].text, got, rc);
	}
}

int
main(void)
{
	static const struct {
		const char *text;
		int valid;
	} cases[] = {
		{ "{}", 1 }, { "[]", 1 }, { " { } ", 1 }, { "\t[ ]\r\n", 1 },
		{ "0", 1 }, { "-0", 1 }, { "1.5e-3", 1 }, { "-12E+4", 1 },
		{ "true", 1 }, { "false", 1 }, { "null", 1 }, { "\"\"", 1 },
		{ "\"a\\\"b\\\\c\\/\\b\\f\\n\\r\\t\\u00e9\\u0000\"", 1 },
		{ "{\"a\":1,\"b\":[1,{\"c\":null}],\"d\":{}}", 1 },
		{ "[[[[[]]]]]", 1 },
		{ "{\"홍\":\"길동\"}", 1 },
		{ "", 0 }, { " ", 0 }, { "{", 0 }, { "}", 0 }, { "[", 0 },
		{ "{\"a\"}", 0 }, { "{\"a\":}", 0 }, { "{\"a\":1,}", 0 },
		{ "[1,]", 0 }, { "[,1]", 0 }, { "{,}", 0 }, { "[1 2]", 0 },
		{ "{\"a\":1 \"b\":2}", 0 }, { "{} {}", 0 }, { "{}x", 0 },
		{ "01", 0 }, { "1.", 0 }, { ".5", 0 }, { "+1", 0 }, { "1e", 0 },
		{ "-", 0 }, { "0x10", 0 }, { "NaN", 0 }, { "tru", 0 },
		{ "True", 0 }, { "nul", 0 }, { "'a'", 0 }, { "\"a", 0 },
		{ "\"\\x\"", 0 }, { "\"\\u12\"", 0 }, { "\"\\u12g4\"", 0 },
		{ "\"a\tb\"", 0 }, { "\"a\nb\"", 0 }, { "{a:1}", 0 },
		{ "{1:1}", 0 }, { "[1]]", 0 }, { "{\"a\":[1}", 0 },
		{ "[{]}", 0 },
		/* SQLite 3.40's json_valid() says 1 to these */
		{ "{{\"a\":\"x\"}:\"\"}", 0 },
		{ "{\"k\":1,{\"a\":\"x\"}:\"\"}", 0 },
		{ "{[\"a\"]:\"\"}", 0 },
		{ "{\"x\":{{\"a\":\"x\"}:1}}", 0 },
	};
	char deep[2 * UOMS_JSON_DEPTH + 3];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		ok(uoms_json_valid(cases[i].text, strlen(cases[i].text)) ==
		    cases[i].valid, "%s: %s", cases[i].valid ? "valid" :
		    "refused", strpbrk(cases[i].text, "\t\n") != NULL ?
		    "(a control character in a string)" : cases[i].text);
	ok(uoms_json_valid("{\"a\":1}\0", 8) == 0, "a NUL after the value");
	ok(uoms_json_valid("[1]", 2) == 0, "only the first n bytes are read");

	memset(deep, '[', UOMS_JSON_DEPTH);
	memset(deep + UOMS_JSON_DEPTH, ']', UOMS_JSON_DEPTH);
	ok(uoms_json_valid(deep, 2 * UOMS_JSON_DEPTH), "nested %d deep",
	    UOMS_JSON_DEPTH);
	memset(deep, '[', UOMS_JSON_DEPTH + 1);
	memset(deep + UOMS_JSON_DEPTH + 1, ']', UOMS_JSON_DEPTH + 1);
	ok(!uoms_json_valid(deep, 2 * UOMS_JSON_DEPTH + 2), "nested %d deep "
	    "refused", UOMS_JSON_DEPTH + 1);
	members();
	printf("1..%d\n", tests);
	return failed != 0;
}
