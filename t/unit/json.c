/*
 * json: uoms_json_valid against RFC 8259, and the text SQLite 3.40 takes
 * that is not JSON (an object or array where a key goes); uoms_json_tree's
 * nodes and verdicts, strings decoded, text without spaces. Prints TAP.
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

/* The nodes of a line: document order, containers, keys, text. */
static void
tree(void)
{
	static const char line[] = " {\"a\" : [1, 2.5e1 ,\"x\"], \"b\":{\"c\":null},"
	    "\"d\":true}";
	static const struct {
		const char *type, *key, *value;
		int parent;
		size_t index, last;
	} want[] = {
		{ "object", NULL, NULL, -1, 0, 8 },
		{ "array", "\"a\"", "[1, 2.5e1 ,\"x\"]", 0, 0, 5 },
		{ "integer", NULL, "1", 1, 0, 3 },
		{ "real", NULL, "2.5e1", 1, 1, 4 },
		{ "text", NULL, "\"x\"", 1, 2, 5 },
		{ "object", "\"b\"", "{\"c\":null}", 0, 1, 7 },
		{ "null", "\"c\"", "null", 5, 0, 7 },
		{ "true", "\"d\"", "true", 0, 2, 8 },
	};
	struct uoms_jtree t = { 0 };
	int same;

	ok(uoms_json_tree(line, strlen(line), &t) == 1 && t.len == 8,
	    "tree: 8 nodes");
	for (size_t i = 0; i < t.len && i < 8; i++) {
		const struct uoms_jnode *n = &t.n[i];

		same = strcmp(uoms_json_type_name(n->type), want[i].type) == 0 &&
		    n->parent == want[i].parent && n->last == want[i].last &&
		    (want[i].key == NULL ? n->k == NULL : n->k != NULL &&
		    (size_t)(n->kend - n->k) == strlen(want[i].key) &&
		    memcmp(n->k, want[i].key, n->kend - n->k) == 0) &&
		    (want[i].parent != 1 || n->index == want[i].index) &&
		    (want[i].value == NULL || ((size_t)(n->vend - n->v) ==
		    strlen(want[i].value) && memcmp(n->v, want[i].value,
		    n->vend - n->v) == 0));
		ok(same, "tree: node %zu, %s %s", i, want[i].type,
		    want[i].value != NULL ? want[i].value : "");
	}
	ok(uoms_json_tree("[1] x", 5, &t) == 0, "tree: text after the value");
	uoms_json_tree_free(&t);
}

/* Strings decoded as SQLite 3.40 decoded them; text without spaces. */
static void
text(void)
{
	static const struct { const char *in, *out; } unesc[] = {
		{ "\"\"", "" }, { "\"abc\"", "abc" },
		{ "\"a\\n\\t\\\"\\\\\\/\\b\\f\\r\"", "a\n\t\"\\/\b\f\r" },
		{ "\"\\u0041\\u00e9\\u20ac\"", "A\xc3\xa9\xe2\x82\xac" },
		{ "\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80" },
		{ "\"\\ud800x\"", "\xed\xa0\x80x" },
	};
	static const struct { const char *in, *out; } mini[] = {
		{ " { \"a b\" : [ 1 , \"x \\\" y\" ] }\t", "{\"a b\":[1,\"x \\\" y\"]}" },
		{ "\"\\\\\" ", "\"\\\\\"" },
	};
	char out[64];
	size_t n;

	for (size_t i = 0; i < sizeof unesc / sizeof unesc[0]; i++) {
		n = uoms_json_unescape(unesc[i].in, unesc[i].in +
		    strlen(unesc[i].in), out);
		out[n] = '\0';
		ok(n == strlen(unesc[i].out) && strcmp(out, unesc[i].out) == 0,
		    "unescape: %s", unesc[i].in);
	}
	n = uoms_json_unescape("\"a\\u0000b\"", "\"a\\u0000b\"" + 10, out);
	ok(n == 3 && memcmp(out, "a\0b", 3) == 0, "unescape: \\u0000 is a NUL");
	for (size_t i = 0; i < sizeof mini / sizeof mini[0]; i++) {
		n = uoms_json_minify(mini[i].in, mini[i].in + strlen(mini[i].in),
		    out);
		out[n] = '\0';
		is(out, mini[i].out, "minify");
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
	struct uoms_jtree t = { 0 };

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
	{
		ok(uoms_json_valid(cases[i].text, strlen(cases[i].text)) ==
		    cases[i].valid, "%s: %s", cases[i].valid ? "valid" :
		    "refused", strpbrk(cases[i].text, "\t\n") != NULL ?
		    "(a control character in a string)" : cases[i].text);
		ok(uoms_json_tree(cases[i].text, strlen(cases[i].text), &t) ==
		    cases[i].valid, "tree: the same verdict");
	}
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
	ok(uoms_json_tree(deep, 2 * UOMS_JSON_DEPTH + 2, &t) == 0,
	    "tree: nested %d deep refused", UOMS_JSON_DEPTH + 1);
	ok(uoms_json_tree(deep + 1, 2 * UOMS_JSON_DEPTH, &t) == 1 &&
	    t.len == UOMS_JSON_DEPTH, "tree: nested %d deep, a node each",
	    UOMS_JSON_DEPTH);
	uoms_json_tree_free(&t);
	members();
	tree();
	text();
	printf("1..%d\n", tests);
	return failed != 0;
}
