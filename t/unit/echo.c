/*
 * echo: the record writer (uoms_order_json) and the appenders it is made
 * of (uoms_buf_int, uoms_buf_json_string) against the printf writer they
 * replaced (issue 14), kept here as the reference: the same bytes for
 * crafted and random orders, strings and integers, and every record of a
 * parsed line valid JSON to jansson. Prints TAP.
 */
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "line.h"
#include "order.h"
#include "word.h"

#include "tap.h"

/* The reference: the writer as it was, member names by printf. */

static void
old_printf(struct uoms_buf *b, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	uoms_buf_add(b, s, n);
	free(s);
}

static void
old_string(struct uoms_buf *b, const char *s, size_t n)
{
	uoms_buf_add(b, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		static const char brief[32] = { [8] = 'b', [9] = 't',
		    [10] = 'n', [12] = 'f', [13] = 'r' };

		if (c == '"' || c == '\\')
			old_printf(b, "\\%c", c);
		else if (c < 0x20)
			old_printf(b, brief[c] ? "\\%c" : "\\u%04x",
			    brief[c] ? brief[c] : c);
		else
			uoms_buf_add(b, &s[i], 1);
	}
	uoms_buf_add(b, "\"", 1);
}

static int
is_object(int f)
{
	return f == UOMS_O_CUSTOMER || f == UOMS_O_SHIPPING ||
	    f == UOMS_O_DRIVER || f == UOMS_O_SHIPMENT;
}

static void
old_val(struct uoms_buf *b, const struct uoms_val *v, int object)
{
	if (v->type == UOMS_V_INT)
		old_printf(b, "%lld", v->i);
	else if (v->type != UOMS_V_TEXT)
		uoms_buf_str(b, "null");
	else if (object)
		uoms_buf_add(b, v->s, v->n);
	else
		old_string(b, v->s, v->n);
}

static void
old_extra(struct uoms_buf *b, const struct uoms_val *x)
{
	if (x->type != UOMS_V_TEXT || x->n <= 2 || x->s[0] != '{' ||
	    x->s[x->n - 1] != '}' || !uoms_json_valid(x->s, x->n))
		return;
	uoms_buf_add(b, ",", 1);
	uoms_buf_add(b, x->s + 1, x->n - 2);
}

static void
old_json(const struct uoms_order *o, long long id, long long version,
    const char *created, const char *updated, const char *holds,
    struct uoms_buf *b)
{
	old_printf(b, "{\"id\":%lld", id);
	for (int f = 0; f < UOMS_O_COUNT; f++) {
		if (f == UOMS_O_SHIPMENT && o->f[f].type != UOMS_V_TEXT)
			continue;
		old_printf(b, ",\"%s\":", uoms_order_field_name(f));
		old_val(b, &o->f[f], is_object(f));
		if (f == UOMS_O_STATUS)
			old_printf(b, ",\"version\":%lld", version);
	}
	uoms_buf_str(b, ",\"items\":[");
	for (int i = 0; i < o->nitems; i++) {
		for (int f = 0; f < UOMS_I_COUNT; f++) {
			old_printf(b, "%s\"%s\":", f ? "," : i ? ",{" : "{",
			    uoms_item_field_name(f));
			old_val(b, &o->items[i].f[f], 0);
		}
		old_extra(b, &o->items[i].extra);
		uoms_buf_str(b, "}");
	}
	old_printf(b, "],\"holds\":%s,\"created_at\":\"%s\","
	    "\"updated_at\":\"%s\"", holds != NULL ? holds : "[]",
	    created != NULL ? created : "(null)",
	    updated != NULL ? updated : "(null)");
	old_extra(b, &o->extra);
	uoms_buf_str(b, "}");
}

/* The items of the channel's last word (lib/word.c) as they were
 * written: their digests are in stores, so the bytes must stay. */
static void
old_word_items(const struct uoms_order *o, struct uoms_buf *b)
{
	uoms_buf_str(b, "[");
	for (int i = 0; i < o->nitems; i++) {
		const struct uoms_item *it = &o->items[i];
		int n = 0;

		uoms_buf_str(b, i ? ",{" : "{");
		for (int f = 0; f < UOMS_I_COUNT; f++) {
			const struct uoms_val *v = &it->f[f];

			if (v->type == UOMS_V_ABSENT)
				continue;
			old_printf(b, "%s\"%s\":", n++ ? "," : "",
			    uoms_item_field_name(f));
			if (v->type == UOMS_V_TEXT)
				old_string(b, v->s, v->n);
			else if (v->type == UOMS_V_INT)
				old_printf(b, "%lld", v->i);
			else
				uoms_buf_str(b, "null");
		}
		if (it->extra.type == UOMS_V_TEXT) {
			old_printf(b, "%s\"extra\":", n ? "," : "");
			uoms_buf_add(b, it->extra.s, it->extra.n);
		}
		uoms_buf_str(b, "}");
	}
	uoms_buf_str(b, "]");
}

/* xorshift64*: the same cases on every run. */
static uint64_t seed = 0x9e3779b97f4a7c15ULL;

static uint64_t
rnd(void)
{
	seed ^= seed >> 12;
	seed ^= seed << 25;
	seed ^= seed >> 27;
	return seed * 0x2545f4914f6cdd1dULL;
}

/* Bytes a record's strings are made of, the awkward ones often. */
static const char *const pieces[] = {
	"a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\b", "\f",
	"\x01", "\x1f", "\x7f", "\xc3\xa9", "\xea\xb9\x80", "\xe2\x80\xa8",
	"\xe2\x80\xa9", "\xf0\x9f\x93\xa6", "\xff", "\xc3", "\\u0000", "{}",
	"\"k\":", "plain run of text ",
};
#define NPIECES ((int)(sizeof pieces / sizeof pieces[0]))

/* A random string of up to max pieces into s (NUL bytes too); its
 * length. */
static size_t
rnd_string(char *s, size_t cap, int max)
{
	size_t n = 0;
	int k = rnd() % (max + 1);

	for (int i = 0; i < k; i++) {
		const char *p = pieces[rnd() % NPIECES];
		size_t l = rnd() % 16 == 0 ? 1 : strlen(p);

		if (rnd() % 32 == 0)
			p = "\0", l = 1;
		if (n + l >= cap)
			break;
		memcpy(s + n, p, l);
		n += l;
	}
	s[n] = '\0';
	return n;
}

static long long
rnd_int(void)
{
	static const long long edge[] = { 0, 1, -1, 9, 10, -10, 99, 100,
	    LLONG_MAX, LLONG_MIN, LLONG_MAX - 1, LLONG_MIN + 1,
	    1000000000000000LL, -1000000000000000LL, 4294967296LL,
	    -2147483648LL };

	switch (rnd() % 3) {
	case 0:
		return edge[rnd() % (sizeof edge / sizeof edge[0])];
	case 1:
		return (long long)(rnd() % 100000) - 50000;
	default:
		return (long long)rnd();
	}
}

static void
test_ints(void)
{
	struct uoms_buf a = { 0 }, b = { 0 };
	int same = 1, n = 0;

	for (int i = 0; i < 200000; i++, n++) {
		long long v = rnd_int();

		uoms_buf_clear(&a);
		uoms_buf_clear(&b);
		uoms_buf_int(&a, v);
		old_printf(&b, "%lld", v);
		if (a.n != b.n || strcmp(a.p, b.p) != 0) {
			printf("# %s, not %s\n", a.p, b.p);
			same = 0;
			break;
		}
	}
	ok(same, "uoms_buf_int writes %d integers as %%lld does", n);
	uoms_buf_clear(&a);
	uoms_buf_int(&a, LLONG_MIN);
	is(a.p, "-9223372036854775808", "LLONG_MIN");
	uoms_buf_free(&a);
	uoms_buf_free(&b);
}

static void
test_strings(void)
{
	struct uoms_buf a = { 0 }, b = { 0 };
	char s[4096];
	int same = 1, n = 0, valid = 1;

	/* Every byte alone, then random strings. */
	for (int c = 0; c < 256 && same; c++, n++) {
		char one = c;

		uoms_buf_clear(&a);
		uoms_buf_clear(&b);
		uoms_buf_json_string(&a, &one, 1);
		old_string(&b, &one, 1);
		same = a.n == b.n && memcmp(a.p, b.p, a.n) == 0;
	}
	ok(same, "each of the 256 bytes escaped as before");
	for (int i = 0; i < 100000 && same; i++, n++) {
		size_t l = rnd_string(s, sizeof s, i % 100 == 0 ? 400 : 12);

		uoms_buf_clear(&a);
		uoms_buf_clear(&b);
		uoms_buf_json_string(&a, s, l);
		old_string(&b, s, l);
		if (a.n != b.n || memcmp(a.p, b.p, a.n) != 0 ||
		    a.p[a.n] != '\0') {
			printf("# %s\n# not %s\n", a.p, b.p);
			same = 0;
		}
		/* Valid UTF-8 in, a JSON string jansson reads back as it. */
		if (same && memchr(s, 0, l) == NULL &&
		    uoms_utf8_valid(s, l)) {
			json_t *j = json_loadb(a.p, a.n, JSON_DECODE_ANY,
			    NULL);

			if (j == NULL || !json_is_string(j) ||
			    json_string_length(j) != l ||
			    memcmp(json_string_value(j), s, l) != 0) {
				printf("# jansson reads %s otherwise\n", a.p);
				valid = 0;
			}
			json_decref(j);
		}
	}
	ok(same, "%d strings escaped byte for byte as before", n);
	ok(valid, "the valid UTF-8 ones read back by jansson as they were");
	uoms_buf_free(&a);
	uoms_buf_free(&b);
}

/* A random value of a member: absent, null, text or integer. */
static void
rnd_val(struct uoms_val *v, char *store, size_t cap, int object)
{
	static const char *const objects[] = { "{}", "{\"a\":1}",
	    "{\"name\":\"\\uAC00\\n\",\"n\":{\"deep\":[1,{\"x\":null}]}}",
	    "not json", "" };

	memset(v, 0, sizeof *v);
	switch (rnd() % 5) {
	case 0:
		v->type = UOMS_V_ABSENT;
		break;
	case 1:
		v->type = UOMS_V_NULL;
		break;
	case 2:
		v->type = UOMS_V_INT;
		v->i = rnd_int();
		break;
	default:
		v->type = UOMS_V_TEXT;
		if (object) {
			v->s = objects[rnd() % 5];
			v->n = strlen(v->s);
		} else {
			v->n = rnd_string(store, cap, 8);
			v->s = store;
		}
	}
}

static void
rnd_extra(struct uoms_val *v)
{
	static const char *const extras[] = {
		"{\"gift\":true}",
		"{\"note\":\"\\u2028 \xe2\x80\xa8 \\\"q\\\"\",\"n\":-0.5e3}",
		"{\"nested\":{\"a\":[{\"b\":{\"c\":[]}}],\"big\":"
		    "123456789012345678901234567890}}",
		"{\"x\":1,}", "{}", "[1]", "{\"a\":\"\\u0000\"}", "{\"k\":1",
	};

	memset(v, 0, sizeof *v);
	if (rnd() % 3 == 0)
		return;
	v->type = UOMS_V_TEXT;
	v->s = extras[rnd() % (sizeof extras / sizeof extras[0])];
	v->n = strlen(v->s);
}

static void
test_random_orders(void)
{
	static char text[UOMS_O_COUNT + 5 * UOMS_I_COUNT][256];
	struct uoms_buf a = { 0 }, b = { 0 };
	struct uoms_item items[5];
	int same = 1, n = 0, word = 1;

	for (int i = 0; i < 20000 && same; i++, n++) {
		struct uoms_order o = { 0 };
		const char *holds = rnd() % 2 ? NULL :
		    "[{\"id\":3,\"reason\":\"x\"}]";
		const char *created = rnd() % 50 ? "2026-12-06T20:00:00Z" :
		    NULL;
		long long id = rnd_int(), version = rnd_int();
		int t = 0;

		for (int f = 0; f < UOMS_O_COUNT; f++, t++)
			rnd_val(&o.f[f], text[t], sizeof text[t], is_object(f));
		rnd_extra(&o.extra);
		o.nitems = rnd() % 6;
		o.items = items;
		for (int k = 0; k < o.nitems; k++) {
			for (int f = 0; f < UOMS_I_COUNT; f++, t++)
				rnd_val(&items[k].f[f], text[t],
				    sizeof text[t], 0);
			rnd_extra(&items[k].extra);
		}
		uoms_buf_clear(&a);
		uoms_buf_clear(&b);
		if (uoms_order_json(&o, id, version, created,
		    "2026-12-06T21:00:00Z", holds, &a) != 0)
			same = 0;
		old_json(&o, id, version, created, "2026-12-06T21:00:00Z",
		    holds, &b);
		if (a.n != b.n || memcmp(a.p, b.p, a.n) != 0) {
			printf("# %s\n# not %s\n", a.p, b.p);
			same = 0;
		}
		uoms_buf_clear(&a);
		uoms_buf_clear(&b);
		uoms_word_items(&o, &a);
		old_word_items(&o, &b);
		if (word && (a.n != b.n || memcmp(a.p, b.p, a.n) != 0)) {
			printf("# %s\n# not %s\n", a.p, b.p);
			word = 0;
		}
	}
	ok(same, "%d random orders written byte for byte as before", n);
	ok(word, "their items as the last word keeps them, as before");
	uoms_buf_free(&a);
	uoms_buf_free(&b);
}

/* Orders from lines, as uoms-upsert reads them. */
static const char *const lines[] = {
	"{\"channel\":\"naver\",\"external_order_id\":\"1\",\"items\":[]}",
	"{\"channel\":\"c\\u0001\\u001f\\b\\f\\n\\r\\t\\\"\\\\/\","
	    "\"external_order_id\":12345678901234567890123456789,"
	    "\"order_no\":\"2612-000001\",\"kind\":\"delivery\","
	    "\"customer\":{\"name\":\"\xea\xb9\x80\\u2028\xe2\x80\xa8\","
	    "\"phone\":\"010-1234-5678\"},\"total_amount\":-1000000000000000,"
	    "\"department\":null,\"eta\":\"2026-12-06T09:00:00+09:00\","
	    "\"items\":[{\"external_item_id\":\"i\\u0001x\",\"quantity\":"
	    "1000000000,\"unit_price\":1000000000000000,\"sku\":42,"
	    "\"options\":[{\"color\":\"\xec\x83\x89\"}],\"gift\":true},"
	    "{\"external_item_id\":\"2\",\"quantity\":1,\"name\":null,"
	    "\"note\":{\"deep\":{\"deeper\":[null,1.5e10,\"\\ud83d\\udce6\"]}}}],"
	    "\"extra_member\":{\"a\":[1,2,{\"b\":\"\xe2\x80\xa9\"}]},"
	    "\"z\":null}",
	"{\"channel\":\"\xf0\x9f\x93\xa6\",\"external_order_id\":\"x y\","
	    "\"shipment\":{\"carrier\":\"cj\",\"tracking_no\":\"1\"},"
	    "\"shipping\":{\"postal_code\":\"06236\",\"address\":\"\\\"q\\\"\"},"
	    "\"items\":[{\"external_item_id\":\"a\",\"quantity\":3}]}",
};

/* Their channels as the record must give them back, decoded. */
static const char *const channels[] = {
	"naver", "c\x01\x1f\b\f\n\r\t\"\\/", "\xf0\x9f\x93\xa6",
};

static void
test_parsed_orders(void)
{
	struct uoms_parser *p = uoms_parser_new();
	struct uoms_buf a = { 0 }, b = { 0 };

	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		struct uoms_order o;
		struct uoms_error e = { 0 };
		json_t *j;

		if (!ok(uoms_order_parse(p, lines[i], strlen(lines[i]), &o,
		    &e) == UOMS_OK, "line %zu parses", i + 1)) {
			printf("# %s\n", e.msg);
			continue;
		}
		uoms_buf_clear(&a);
		uoms_buf_clear(&b);
		uoms_order_json(&o, 7, 1, "2026-12-06T20:00:00Z",
		    "2026-12-06T20:00:00Z", NULL, &a);
		old_json(&o, 7, 1, "2026-12-06T20:00:00Z",
		    "2026-12-06T20:00:00Z", NULL, &b);
		is(a.p, b.p, "its record as before");
		j = json_loadb(a.p, a.n, JSON_ALLOW_NUL, NULL);
		ok(j != NULL && json_is_object(j), "its record is JSON");
		ok(j != NULL && json_is_string(json_object_get(j, "channel")) &&
		    strcmp(json_string_value(json_object_get(j, "channel")),
		    channels[i]) == 0, "its channel reads back as the line "
		    "had it");
		json_decref(j);
	}
	uoms_buf_free(&a);
	uoms_buf_free(&b);
	uoms_parser_free(p);
}

/* Many small pieces into one buffer: all there, in order. */
static void
test_growth(void)
{
	struct uoms_buf a = { 0 };
	int right = 1;

	for (int i = 0; i < 100000; i++)
		UOMS_BUF_LIT(&a, "0123456789");
	for (size_t i = 0; i < a.n && right; i++)
		right = a.p[i] == '0' + (char)(i % 10);
	ok(right && a.n == 1000000 && a.p[a.n] == '\0' && a.cap < 4 * a.n,
	    "a million bytes in pieces, NUL-terminated, capacity %zu", a.cap);
	uoms_buf_free(&a);
}

int
main(void)
{
	test_ints();
	test_strings();
	test_random_orders();
	test_parsed_orders();
	test_growth();
	printf("1..%d\n", tests);
	return failed != 0;
}
