/*
 * order: uoms_order_parse on a full record (every field, unknown members
 * gathered into extra), the refusals listed in t/data/unit-order-parse.tsv,
 * products, and reject lines. Prints TAP.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "change.h"
#include "order.h"

#include "tap.h"

static int
is_text(const struct uoms_val *v, const char *want)
{
	return v->type == UOMS_V_TEXT && v->n == strlen(want) &&
	    memcmp(v->s, want, v->n) == 0;
}

static int
is_int(const struct uoms_val *v, long long want)
{
	return v->type == UOMS_V_INT && v->i == want;
}

static const char *
show(const struct uoms_val *v)
{
	static char buf[4][256];
	static int k;
	char *b = buf[k++ % 4];

	switch (v->type) {
	case UOMS_V_ABSENT: return "(absent)";
	case UOMS_V_NULL: return "(null)";
	case UOMS_V_INT: snprintf(b, 256, "%lld", v->i); return b;
	default: snprintf(b, 256, "'%.*s'", (int)v->n, v->s); return b;
	}
}

/* The keys of a JSON object text, in order, joined by ','. */
static char *
keys(const struct uoms_val *v)
{
	static char out[512];
	json_t *j;
	const char *k;
	json_t *val;

	out[0] = '\0';
	if (v->type != UOMS_V_TEXT)
		return out;
	if ((j = json_loadb(v->s, v->n, JSON_PRESERVE_ORDER, NULL)) == NULL)
		return strcpy(out, "(not JSON)");
	json_object_foreach(j, k, val) {
		if (out[0] != '\0')
			strcat(out, ",");
		strncat(out, k, sizeof out - strlen(out) - 2);
	}
	json_decref(j);
	return out;
}

static const char full[] =
    "{\"channel\":\"coupang\",\"external_order_id\":2000012345,"
    "\"order_no\":\"2611-000123\",\"kind\":\"delivery\",\"status\":\"WAITING\","
    "\"department\":\"east\",\"warehouse\":\"icn-1\","
    "\"customer\":{\"name\":\"홍길동\",\"phone\":\"010-1234-5678\","
    "\"email\":\"hong@example.com\"},"
    "\"shipping\":{\"postal_code\":\"06236\",\"address\":\"서울 강남구 테헤란로 1\","
    "\"zone\":\"gangnam\"},"
    "\"eta\":\"2026-11-22T10:00:00+09:00\",\"driver\":null,"
    "\"placed_at\":\"2026-11-21T09:12:00Z\","
    "\"channel_updated_at\":\"2026-11-21T09:15:00.250Z\","
    "\"depart_time\":null,\"total_amount\":38000,\"currency\":\"KRW\","
    "\"items\":[{\"external_item_id\":\"v-991\",\"sku\":\"SKU-1\",\"name\":\"사과\","
    "\"quantity\":2,\"unit_price\":19000,\"gift\":true,\"opts\":{\"c\":\"red\"}},"
    "{\"external_item_id\":7,\"sku\":12,\"quantity\":1}],"
    "\"tags\":[\"vip\",1],\"score\":1.5,\"메모\":\"문 앞\","
    "\"id\":42,\"version\":3,\"created_at\":\"x\",\"holds\":[],"
    "\"idempotency_key\":\"k-1\"}";

static void
test_full(struct uoms_parser *p)
{
	struct uoms_order o;
	struct uoms_error e = { 0 };
	enum uoms_code rc;

	rc = uoms_order_parse(p, full, strlen(full), &o, &e);
	if (!ok(rc == UOMS_OK, "a full record parses (%s)", e.msg))
		return;
	ok(is_text(&o.f[UOMS_O_CHANNEL], "coupang"), "channel %s",
	    show(&o.f[UOMS_O_CHANNEL]));
	ok(is_text(&o.f[UOMS_O_EXTERNAL_ORDER_ID], "2000012345"),
	    "external_order_id given as a number is its digits: %s",
	    show(&o.f[UOMS_O_EXTERNAL_ORDER_ID]));
	ok(is_text(&o.f[UOMS_O_ORDER_NO], "2611-000123"), "order_no %s",
	    show(&o.f[UOMS_O_ORDER_NO]));
	ok(is_text(&o.f[UOMS_O_KIND], "delivery"), "kind");
	ok(is_text(&o.f[UOMS_O_STATUS], "WAITING"), "status");
	ok(is_text(&o.f[UOMS_O_DEPARTMENT], "east"), "department");
	ok(is_text(&o.f[UOMS_O_WAREHOUSE], "icn-1"), "warehouse");
	ok(o.f[UOMS_O_WORKFLOW].type == UOMS_V_ABSENT, "workflow absent: %s",
	    show(&o.f[UOMS_O_WORKFLOW]));
	ok(o.f[UOMS_O_COMPLETE_TIME].type == UOMS_V_ABSENT,
	    "complete_time absent");
	ok(o.f[UOMS_O_DRIVER].type == UOMS_V_NULL, "driver null: %s",
	    show(&o.f[UOMS_O_DRIVER]));
	ok(o.f[UOMS_O_DEPART_TIME].type == UOMS_V_NULL, "depart_time null");
	ok(strcmp(keys(&o.f[UOMS_O_CUSTOMER]), "name,phone,email") == 0 &&
	    strstr(o.f[UOMS_O_CUSTOMER].s, "홍길동") != NULL,
	    "customer kept whole, unknown members too: %s",
	    show(&o.f[UOMS_O_CUSTOMER]));
	ok(strcmp(keys(&o.f[UOMS_O_SHIPPING]), "postal_code,address,zone")
	    == 0, "shipping kept whole: %s", show(&o.f[UOMS_O_SHIPPING]));
	ok(is_text(&o.f[UOMS_O_ETA], "2026-11-22T01:00:00Z"),
	    "eta normalised to UTC: %s", show(&o.f[UOMS_O_ETA]));
	ok(is_text(&o.f[UOMS_O_PLACED_AT], "2026-11-21T09:12:00Z"),
	    "placed_at");
	ok(is_text(&o.f[UOMS_O_CHANNEL_UPDATED_AT], "2026-11-21T09:15:00.250Z"),
	    "channel_updated_at keeps its fraction: %s",
	    show(&o.f[UOMS_O_CHANNEL_UPDATED_AT]));
	ok(is_int(&o.f[UOMS_O_TOTAL_AMOUNT], 38000), "total_amount %s",
	    show(&o.f[UOMS_O_TOTAL_AMOUNT]));
	ok(is_text(&o.f[UOMS_O_CURRENCY], "KRW"), "currency");
	ok(o.id == 42 && o.version == 3, "id %lld and version %lld read",
	    o.id, o.version);
	ok(o.has_items && o.nitems == 2, "two items (has_items %d, nitems %d)",
	    o.has_items, o.nitems);
	if (o.nitems == 2) {
		struct uoms_item *a = &o.items[0], *b = &o.items[1];

		ok(is_text(&a->f[UOMS_I_EXTERNAL_ITEM_ID], "v-991") &&
		    is_text(&a->f[UOMS_I_SKU], "SKU-1") &&
		    is_text(&a->f[UOMS_I_NAME], "사과") &&
		    is_int(&a->f[UOMS_I_QUANTITY], 2) &&
		    is_int(&a->f[UOMS_I_UNIT_PRICE], 19000),
		    "items[0] fields");
		ok(strcmp(keys(&a->extra), "gift,opts") == 0,
		    "items[0] unknown members in its extra: %s",
		    show(&a->extra));
		ok(is_text(&b->f[UOMS_I_EXTERNAL_ITEM_ID], "7") &&
		    is_text(&b->f[UOMS_I_SKU], "12"),
		    "items[1] ids given as numbers are their digits: %s %s",
		    show(&b->f[UOMS_I_EXTERNAL_ITEM_ID]),
		    show(&b->f[UOMS_I_SKU]));
		ok(b->f[UOMS_I_UNIT_PRICE].type == UOMS_V_ABSENT &&
		    b->f[UOMS_I_NAME].type == UOMS_V_ABSENT,
		    "items[1] missing members absent");
		ok(b->extra.type == UOMS_V_ABSENT,
		    "items[1] without unknown members has no extra: %s",
		    show(&b->extra));
	}
	ok(strcmp(keys(&o.extra), "tags,score,메모") == 0,
	    "unknown members gathered into extra, known and protocol "
	    "members left out: %s", show(&o.extra));
	ok(o.extra.type == UOMS_V_TEXT && strstr(o.extra.s, "[\"vip\",1]") &&
	    strstr(o.extra.s, "1.5") && strstr(o.extra.s, "문 앞"),
	    "extra keeps the values: %s", show(&o.extra));
}

static void
test_small(struct uoms_parser *p)
{
	struct uoms_order o;
	struct uoms_error e = { 0 };
	static const char bare[] = "{\"channel\":\"c\",\"external_order_id\":\"1\"}";
	static const char bad[] = "{\"channel\":\"c\"}";

	ok(uoms_order_parse(p, bare, strlen(bare), &o, &e) == UOMS_OK &&
	    !o.has_items && o.nitems == 0 && o.extra.type == UOMS_V_ABSENT &&
	    o.id == -1 && o.version == -1,
	    "a bare key: no items, no extra, no id, no version");
	ok(uoms_order_parse(p, bad, strlen(bad), &o, &e) == UOMS_INVALID &&
	    e.code == UOMS_INVALID, "a refusal sets the error's code");
	ok(uoms_order_parse(p, full, strlen(full), &o, &e) == UOMS_OK &&
	    o.nitems == 2 && e.code == UOMS_OK,
	    "the parser is good again after a refusal, and clears the error");
	ok(uoms_order_parse(p, bare, strlen(bare), &o, &e) == UOMS_OK &&
	    o.nitems == 0 && o.f[UOMS_O_ORDER_NO].type == UOMS_V_ABSENT,
	    "nothing of the previous order leaks into the next");
	/* len, not the NUL, ends the line */
	ok(uoms_order_parse(p, full, 40, &o, &e) == UOMS_INVALID,
	    "a line cut by len is not JSON: %s", e.msg);
}

/* The cases of the data file: name, line, "ok" or a message fragment. */
static void
test_table(struct uoms_parser *p)
{
	const char *src = getenv("UOMS_SRC");
	char path[1024], *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *fp;
	int cases = 0;

	snprintf(path, sizeof path, "%s/t/data/unit-order-parse.tsv",
	    src != NULL ? src : ".");
	if (!ok((fp = fopen(path, "r")) != NULL, "open %s", path))
		return;
	while ((n = getline(&buf, &cap, fp)) > 0) {
		char *name = buf, *line, *want;
		struct uoms_order o;
		struct uoms_error e = { 0 };
		enum uoms_code rc;

		if (buf[n - 1] == '\n')
			buf[--n] = '\0';
		if (buf[0] == '#' || buf[0] == '\0')
			continue;
		if ((line = strchr(name, '\t')) == NULL ||
		    (want = strchr(line + 1, '\t')) == NULL) {
			ok(0, "malformed case line: %s", buf);
			continue;
		}
		*line++ = '\0';
		*want++ = '\0';
		cases++;
		rc = uoms_order_parse(p, line, strlen(line), &o, &e);
		if (strcmp(want, "ok") == 0)
			ok(rc == UOMS_OK, "%s: accepted (got %d: %s)", name, rc,
			    rc == UOMS_OK ? "" : e.msg);
		else
			ok(rc == UOMS_INVALID && e.code == UOMS_INVALID &&
			    strstr(e.msg, want) != NULL, "%s: invalid: %s "
			    "(got %d: %s)", name, want, rc, e.msg);
	}
	free(buf);
	fclose(fp);
	ok(cases > 50, "%d cases in the table", cases);
}

/*
 * Numeric ids are kept as the digits the line wrote, however many: SQLite
 * hands an integer beyond 64 bits over as a rounded real, which made
 * 10000000000000000000 and 10000000000000000001 the same order.
 */
static void
test_exact(struct uoms_parser *p)
{
	static const char *const ids[] = {
		"0", "7", "-7", "9223372036854775807", "-9223372036854775808",
		"9223372036854775808", "-9223372036854775809",
		"10000000000000000000", "10000000000000000001",
		"18446744073709551616", "12345678901234567890123456789012345678",
		NULL
	};
	char line[256];

	for (int i = 0; ids[i] != NULL; i++) {
		static const struct uoms_val none = { 0 };
		struct uoms_order o;
		struct uoms_ref r;
		struct uoms_error e = { 0 };
		enum uoms_code rc;
		const struct uoms_val *id, *sku;

		snprintf(line, sizeof line, "{\"channel\":\"c\","
		    "\"external_order_id\":%s,\"items\":[{\"external_item_id\":"
		    "%s,\"sku\":%s,\"quantity\":1}]}", ids[i], ids[i], ids[i]);
		rc = uoms_order_parse(p, line, strlen(line), &o, &e);
		id = rc == UOMS_OK && o.nitems == 1 ?
		    &o.items[0].f[UOMS_I_EXTERNAL_ITEM_ID] : &none;
		sku = rc == UOMS_OK && o.nitems == 1 ?
		    &o.items[0].f[UOMS_I_SKU] : &none;
		ok(rc == UOMS_OK && is_text(&o.f[UOMS_O_EXTERNAL_ORDER_ID],
		    ids[i]) && is_text(id, ids[i]) && is_text(sku, ids[i]),
		    "numeric ids %s kept exactly: %s %s %s (%s)", ids[i],
		    show(&o.f[UOMS_O_EXTERNAL_ORDER_ID]), show(id), show(sku),
		    rc == UOMS_OK ? "ok" : e.msg);
		ok(uoms_ref_from_line(p, line, strlen(line), &r, &e) == UOMS_OK &&
		    r.external_order_id != NULL &&
		    strcmp(r.external_order_id, ids[i]) == 0,
		    "a reference keeps %s exactly: %s", ids[i],
		    r.external_order_id);
	}
}

/*
 * A member whose name is written with escapes is that member: taken
 * once, not kept among the unknown ones as well (the record then named
 * it twice and its own print was refused), and found by a reference.
 * With SQLite's paths, which compared names as written, it was both.
 */
static void
test_escaped_keys(struct uoms_parser *p)
{
	static const char order[] = "{\"ch\\u0061nnel\":\"c\","
	    "\"external_order_\\u0069d\":123456789012345678901234567890,"
	    "\"x\":1,\"items\":[{\"external_item_id\":\"a\","
	    "\"qu\\u0061ntity\":2,\"y\":[1, 2]}]}";
	static const char ref[] = "{\"\\u0069d\":5,\"n\\u006fte\":\"\\u00e9\"}";
	static const char twice[] = "{\"a\":{\"k\":1,\"\\u006b\":2}}";
	struct uoms_order o;
	struct uoms_ref r;
	struct uoms_error e = { 0 };
	enum uoms_code rc;

	rc = uoms_order_parse(p, order, strlen(order), &o, &e);
	ok(rc == UOMS_OK && is_text(&o.f[UOMS_O_CHANNEL], "c") &&
	    is_text(&o.f[UOMS_O_EXTERNAL_ORDER_ID],
	    "123456789012345678901234567890") && is_text(&o.extra, "{\"x\":1}")
	    && o.nitems == 1 && is_int(&o.items[0].f[UOMS_I_QUANTITY], 2) &&
	    is_text(&o.items[0].extra, "{\"y\":[1,2]}"),
	    "escaped names: taken once, not in extra: %s %s %s (%s)",
	    show(&o.f[UOMS_O_EXTERNAL_ORDER_ID]), show(&o.extra),
	    rc == UOMS_OK && o.nitems == 1 ? show(&o.items[0].extra) : "-",
	    rc == UOMS_OK ? "ok" : e.msg);
	rc = uoms_ref_from_line(p, ref, strlen(ref), &r, &e);
	ok(rc == UOMS_OK && r.id == 5, "escaped names: a reference's id "
	    "(%s)", rc == UOMS_OK ? "ok" : e.msg);
	rc = uoms_order_parse(p, twice, strlen(twice), &o, &e);
	ok(rc == UOMS_INVALID && strcmp(e.msg, "key 'a.k' is given twice") ==
	    0, "escaped names: \"\\u006b\" repeats \"k\" (%s)", e.msg);
}

/* Integers in range are taken as they are; beyond it, refused. */
static void
test_ranges(struct uoms_parser *p)
{
	static const struct {
		const char *member, *value;
		int good;
	} cases[] = {
		{ "total_amount", "1000000000000000", 1 },
		{ "total_amount", "-1000000000000000", 1 },
		{ "total_amount", "1000000000000001", 0 },
		{ "total_amount", "-1000000000000001", 0 },
		{ "total_amount", "9223372036854775807", 0 },
		{ "total_amount", "9223372036854775808", 0 },
		{ "total_amount", "-99999999999999999999", 0 },
		{ "total_amount", "1e3", 0 },
		{ "total_amount", "1.0", 0 },
		{ "refunded_amount", "0", 1 },
		{ "refunded_amount", "1000000000000000", 1 },
		{ "refunded_amount", "-1", 0 },
		{ "refunded_amount", "1000000000000001", 0 },
		{ "refunded_amount", "0.5", 0 },
		{ NULL, NULL, 0 }
	};
	static const struct {
		const char *member, *value;
		int good;
	} items[] = {
		{ "quantity", "1000000000", 1 },
		{ "quantity", "1000000001", 0 },
		{ "quantity", "18446744073709551617", 0 },
		{ "unit_price", "1000000000000000", 1 },
		{ "unit_price", "0", 1 },
		{ "unit_price", "-1", 0 },
		{ "unit_price", "-1000000000000000", 0 },
		{ "unit_price", "4611686018427387904", 0 },
		{ "cancelled_quantity", "0", 1 },
		{ "cancelled_quantity", "1000000000", 1 },
		{ "cancelled_quantity", "1000000001", 0 },
		{ "cancelled_quantity", "-1", 0 },
		{ "cancelled_quantity", "2.5", 0 },
		{ NULL, NULL, 0 }
	};
	char line[256];
	struct uoms_order o;
	struct uoms_error e = { 0 };

	for (int i = 0; cases[i].member != NULL; i++) {
		snprintf(line, sizeof line, "{\"channel\":\"c\","
		    "\"external_order_id\":\"1\",\"%s\":%s}", cases[i].member,
		    cases[i].value);
		enum uoms_code rc = uoms_order_parse(p, line, strlen(line), &o,
		    &e);
		ok(cases[i].good ? rc == UOMS_OK && (strcmp(cases[i].member,
		    "total_amount") != 0 || o.f[UOMS_O_TOTAL_AMOUNT].i ==
		    strtoll(cases[i].value, NULL, 10)) : rc == UOMS_INVALID &&
		    strstr(e.msg, cases[i].member) != NULL,
		    "%s %s %s (%s)", cases[i].member, cases[i].value,
		    cases[i].good ? "taken" : "refused, naming the member",
		    rc == UOMS_OK ? "ok" : e.msg);
	}
	for (int i = 0; items[i].member != NULL; i++) {
		snprintf(line, sizeof line, "{\"channel\":\"c\","
		    "\"external_order_id\":\"1\",\"items\":[{"
		    "\"external_item_id\":\"a\",%s\"%s\":%s}]}",
		    strcmp(items[i].member, "quantity") == 0 ? "" :
		    "\"quantity\":1,", items[i].member, items[i].value);
		enum uoms_code rc = uoms_order_parse(p, line, strlen(line), &o,
		    &e);
		ok(items[i].good ? rc == UOMS_OK : rc == UOMS_INVALID &&
		    strstr(e.msg, items[i].member) != NULL,
		    "items[0].%s %s %s (%s)", items[i].member, items[i].value,
		    items[i].good ? "taken" : "refused, naming the member",
		    rc == UOMS_OK ? "ok" : e.msg);
	}
}

static void
test_names(void)
{
	ok(strcmp(uoms_order_field_name(UOMS_O_EXTERNAL_ORDER_ID),
	    "external_order_id") == 0 &&
	    strcmp(uoms_order_field_name(UOMS_O_CHANNEL_UPDATED_AT),
	    "channel_updated_at") == 0 &&
	    strcmp(uoms_order_field_name(UOMS_O_CURRENCY), "currency") == 0,
	    "order field names");
	ok(strcmp(uoms_item_field_name(UOMS_I_UNIT_PRICE), "unit_price") == 0,
	    "item field names");
	ok(strcmp(uoms_product_field_name(UOMS_P_STOCK), "stock") == 0,
	    "product field names");
}

static void
test_equal(void)
{
	struct uoms_val absent = { 0 }, null = { .type = UOMS_V_NULL },
	    a = { .type = UOMS_V_TEXT, .s = "ab", .n = 2 },
	    a2 = { .type = UOMS_V_TEXT, .s = "abc", .n = 2 },
	    b = { .type = UOMS_V_TEXT, .s = "ac", .n = 2 },
	    i = { .type = UOMS_V_INT, .i = 5 }, j = { .type = UOMS_V_INT, .i = 6 };

	ok(!uoms_val_equal(&absent, &null), "val_equal: absent is not null");
	ok(uoms_val_equal(&null, &null), "val_equal: null is null");
	ok(uoms_val_equal(&a, &a2), "val_equal: text by its n bytes");
	ok(!uoms_val_equal(&a, &b), "val_equal: different text");
	ok(!uoms_val_equal(&i, &j) && uoms_val_equal(&i, &i),
	    "val_equal: integers");
}

static void
test_product(struct uoms_parser *p)
{
	static const char good[] = "{\"sku\":\"SKU-1\",\"name\":\"사과\","
	    "\"category\":\"fruit\",\"price\":1000,\"cost\":800,\"stock\":3,"
	    "\"color\":\"red\"}";
	static const char nosku[] = "{\"name\":\"x\"}";
	static const char badprice[] = "{\"sku\":\"S\",\"price\":\"1000\"}";
	struct uoms_product pr;
	struct uoms_error e = { 0 };

	ok(uoms_product_parse(p, good, strlen(good), &pr, &e) == UOMS_OK &&
	    is_text(&pr.f[UOMS_P_SKU], "SKU-1") &&
	    is_int(&pr.f[UOMS_P_PRICE], 1000) && is_int(&pr.f[UOMS_P_COST], 800)
	    && is_int(&pr.f[UOMS_P_STOCK], 3) &&
	    strcmp(keys(&pr.extra), "color") == 0,
	    "product: fields and extra (%s)", e.msg);
	ok(uoms_product_parse(p, nosku, strlen(nosku), &pr, &e) ==
	    UOMS_INVALID && strstr(e.msg, "sku is required") != NULL,
	    "product: sku is required (%s)", e.msg);
	ok(uoms_product_parse(p, badprice, strlen(badprice), &pr, &e) ==
	    UOMS_INVALID && strstr(e.msg, "price must be a whole number"),
	    "product: price must be a whole number (%s)", e.msg);
	/* A price or a cost below nothing is refused, naming the member. */
	static const char *const below[] = {
		"{\"sku\":\"S\",\"price\":-1}",
		"{\"sku\":\"S\",\"cost\":-1}",
	};
	for (int i = 0; i < 2; i++)
		ok(uoms_product_parse(p, below[i], strlen(below[i]), &pr, &e) ==
		    UOMS_INVALID && strstr(e.msg, i ? "cost -1 is out of range" :
		    "price -1 is out of range") != NULL,
		    "product: %s refused (%s)", below[i], e.msg);
	static const char chan[] = "{\"channel\":\"shop\",\"sku\":\"S\","
	    "\"currency\":\"USD\",\"cost\":5,"
	    "\"cost_from\":\"2026-11-01T09:00:00+09:00\"}";
	ok(uoms_product_parse(p, chan, strlen(chan), &pr, &e) == UOMS_OK &&
	    is_text(&pr.f[UOMS_P_CHANNEL], "shop") &&
	    is_text(&pr.f[UOMS_P_CURRENCY], "USD") &&
	    is_text(&pr.f[UOMS_P_COST_FROM], "2026-11-01T00:00:00Z") &&
	    pr.extra.type == UOMS_V_ABSENT,
	    "product: channel, currency, cost_from (UTC), not extra (%s)",
	    e.msg);
	static const char badcur[] = "{\"sku\":\"S\",\"currency\":\"usd\"}";
	ok(uoms_product_parse(p, badcur, strlen(badcur), &pr, &e) ==
	    UOMS_INVALID && strstr(e.msg, "currency 'usd' is not a 3-letter")
	    != NULL, "product: currency checked like an order's (%s)", e.msg);
}

/* The reject line for line, parsed back. */
static json_t *
reject(struct uoms_parser *p, const char *line, size_t len, long lineno)
{
	struct uoms_buf out = { 0 };
	json_t *j;

	if (uoms_reject_line(p, line, len, UOMS_INVALID, "why \"quoted\"",
	    lineno, NULL, &out) < 0)
		return NULL;
	j = json_loadb(out.p, out.n, 0, NULL);
	uoms_buf_free(&out);
	return j;
}

static int
error_ok(json_t *j, long lineno)
{
	json_t *err = json_object_get(j, "error");

	return json_is_object(err) &&
	    json_is_string(json_object_get(err, "code")) &&
	    strcmp(json_string_value(json_object_get(err, "code")),
	    "invalid") == 0 &&
	    json_is_string(json_object_get(err, "message")) &&
	    strcmp(json_string_value(json_object_get(err, "message")),
	    "why \"quoted\"") == 0 &&
	    json_integer_value(json_object_get(err, "line")) == lineno;
}

static void
test_reject(struct uoms_parser *p)
{
	static const char obj[] = "{\"channel\":\"c\",\"note\":\"홍\",\"n\":[1]}";
	static const char notjson[] = "{\"channel\":";
	static const char binary[] = "{\"a\":\"\xff\"}";
	json_t *j;

	j = reject(p, obj, strlen(obj), 3);
	ok(j != NULL && error_ok(j, 3) &&
	    strcmp(json_string_value(json_object_get(j, "note")), "홍") == 0 &&
	    json_array_size(json_object_get(j, "n")) == 1 &&
	    json_object_size(j) == 4,
	    "reject: an object keeps its members and gains error");
	json_decref(j);
	j = reject(p, notjson, strlen(notjson), 4);
	ok(j != NULL && error_ok(j, 4) &&
	    strcmp(json_string_value(json_object_get(j, "raw")), notjson) == 0,
	    "reject: a line that is not JSON is carried as raw");
	json_decref(j);
	j = reject(p, binary, strlen(binary), 5);
	ok(j != NULL && error_ok(j, 5) &&
	    strcmp(json_string_value(json_object_get(j, "raw_base64")),
	    "eyJhIjoi/yJ9") == 0,
	    "reject: a line that is not UTF-8 is carried as raw_base64");
	json_decref(j);
	j = reject(p, NULL, 0, 6);
	ok(j != NULL && error_ok(j, 6) && json_object_size(j) == 1,
	    "reject: an over-long line is only its error");
	json_decref(j);
}

int
main(void)
{
	struct uoms_parser *p = uoms_parser_new();

	if (!ok(p != NULL, "parser_new")) {
		printf("1..%d\n", tests);
		return 1;
	}
	test_full(p);
	test_small(p);
	test_table(p);
	test_exact(p);
	test_escaped_keys(p);
	test_ranges(p);
	test_names();
	test_equal();
	test_product(p);
	test_reject(p);
	uoms_parser_free(p);
	printf("1..%d\n", tests);
	return failed != 0;
}
