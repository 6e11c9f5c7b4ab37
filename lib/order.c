/*
 * Each line is parsed once: json_tree() walks the whole document in one
 * statement and hands us every node in document order, with its parent.
 * jansson parses about 9x slower than SQLite's JSON engine, and parsing is
 * most of what an upsert of an unchanged order costs.
 */
#include <ctype.h>
#include <limits.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "carrier.h"
#include "line.h"
#include "change.h"
#include "json.h"
#include "order.h"
#include "rfc3339.h"

enum kind {
	K_TEXT,		/* a string */
	K_ID,		/* a string; a whole number is taken as its digits */
	K_TIME,		/* RFC 3339, normalised to UTC */
	K_INT,		/* a whole number (money in minor units, counts) */
	K_OBJECT	/* a JSON object, kept as text */
};

/*
 * required: present and not null. notnull: may be left out (a stored
 * order keeps its value, a new one gets the default) but an explicit null
 * would break the store's NOT NULL: refused before anything is written.
 * min, max: the range of a K_INT member (both 0: any int64).
 */
struct fdef {
	const char *name;
	enum kind kind;
	int required, notnull;
	int (*check)(const struct uoms_val *, char *, size_t);
	long long min, max;
};

#define MONEY	-UOMS_MONEY_MAX, UOMS_MONEY_MAX
/* A price or a cost below nothing is a typo, and would turn profit. */
#define PRICE	0, UOMS_MONEY_MAX
#define QTY	1, UOMS_QUANTITY_MAX
#define STOCK	-UOMS_QUANTITY_MAX, UOMS_QUANTITY_MAX

static int check_order_no(const struct uoms_val *, char *, size_t);
static int check_currency(const struct uoms_val *, char *, size_t);
static int check_nonempty(const struct uoms_val *, char *, size_t);

static const struct fdef order_fields[UOMS_O_COUNT] = {
	[UOMS_O_CHANNEL] = { "channel", K_TEXT, 1, 1, check_nonempty, 0, 0 },
	[UOMS_O_EXTERNAL_ORDER_ID] = { "external_order_id", K_ID, 1, 1,
	    check_nonempty, 0, 0 },
	[UOMS_O_ORDER_NO] = { "order_no", K_TEXT, 0, 0, check_order_no, 0, 0 },
	[UOMS_O_KIND] = { "kind", K_TEXT, 0, 1, check_nonempty, 0, 0 },
	[UOMS_O_WORKFLOW] = { "workflow", K_TEXT, 0, 1, check_nonempty, 0, 0 },
	[UOMS_O_STATUS] = { "status", K_TEXT, 0, 1, check_nonempty, 0, 0 },
	[UOMS_O_DEPARTMENT] = { "department", K_TEXT, 0, 0, NULL, 0, 0 },
	[UOMS_O_WAREHOUSE] = { "warehouse", K_TEXT, 0, 0, NULL, 0, 0 },
	[UOMS_O_CUSTOMER] = { "customer", K_OBJECT, 0, 0, NULL, 0, 0 },
	[UOMS_O_SHIPPING] = { "shipping", K_OBJECT, 0, 0, NULL, 0, 0 },
	[UOMS_O_ETA] = { "eta", K_TIME, 0, 0, NULL, 0, 0 },
	[UOMS_O_DRIVER] = { "driver", K_OBJECT, 0, 0, NULL, 0, 0 },
	[UOMS_O_PLACED_AT] = { "placed_at", K_TIME, 0, 0, NULL, 0, 0 },
	[UOMS_O_CHANNEL_UPDATED_AT] = { "channel_updated_at", K_TIME, 0, 0,
	    NULL, 0, 0 },
	[UOMS_O_DEPART_TIME] = { "depart_time", K_TIME, 0, 0, NULL, 0, 0 },
	[UOMS_O_COMPLETE_TIME] = { "complete_time", K_TIME, 0, 0, NULL, 0, 0 },
	[UOMS_O_TOTAL_AMOUNT] = { "total_amount", K_INT, 0, 0, NULL, MONEY },
	[UOMS_O_CURRENCY] = { "currency", K_TEXT, 0, 0, check_currency, 0, 0 },
	[UOMS_O_SHIPMENT] = { "shipment", K_OBJECT, 0, 0, NULL, 0, 0 },
};

static const struct fdef item_fields[UOMS_I_COUNT] = {
	[UOMS_I_EXTERNAL_ITEM_ID] = { "external_item_id", K_ID, 1, 1,
	    check_nonempty, 0, 0 },
	[UOMS_I_SKU] = { "sku", K_ID, 0, 0, NULL, 0, 0 },
	[UOMS_I_NAME] = { "name", K_TEXT, 0, 0, NULL, 0, 0 },
	[UOMS_I_QUANTITY] = { "quantity", K_INT, 1, 1, NULL, QTY },
	[UOMS_I_UNIT_PRICE] = { "unit_price", K_INT, 0, 0, NULL, PRICE },
};

/* channel absent, null or "": the catalog every channel shares. */
static const struct fdef product_fields[UOMS_P_COUNT] = {
	[UOMS_P_CHANNEL] = { "channel", K_TEXT, 0, 0, NULL, 0, 0 },
	[UOMS_P_SKU] = { "sku", K_ID, 1, 1, check_nonempty, 0, 0 },
	[UOMS_P_NAME] = { "name", K_TEXT, 0, 0, NULL, 0, 0 },
	[UOMS_P_CATEGORY] = { "category", K_TEXT, 0, 0, NULL, 0, 0 },
	[UOMS_P_PRICE] = { "price", K_INT, 0, 0, NULL, PRICE },
	[UOMS_P_COST] = { "cost", K_INT, 0, 0, NULL, PRICE },
	[UOMS_P_CURRENCY] = { "currency", K_TEXT, 0, 0, check_currency, 0, 0 },
	[UOMS_P_STOCK] = { "stock", K_INT, 0, 0, NULL, STOCK },
	[UOMS_P_COST_FROM] = { "cost_from", K_TIME, 0, 0, NULL, 0, 0 },
};

/*
 * Members of the record (SPEC 3.1) the store keeps among the unknown
 * ones (extra) but that reports read as numbers: checked all the same,
 * so a figure that cannot be added never gets in.
 */
static const struct fdef order_numbers[] = {
	{ "refunded_amount", K_INT, 0, 0, NULL, 0, UOMS_MONEY_MAX },
};
static const struct fdef item_numbers[] = {
	{ "cancelled_quantity", K_INT, 0, 0, NULL, 0, UOMS_QUANTITY_MAX },
};
#define NUMBERS(a) ((int)(sizeof (a) / sizeof (a)[0]))

/* Members the store assigns or that belong to the protocol, not the order:
 * accepted on input (so a record or a reject line can be fed back) and not
 * kept as unknown members. */
static const char *const protocol_members[] = {
	"id", "version", "created_at", "updated_at", "holds", "items",
	"error", "idempotency_key", "channel_holds", NULL
};

const char *
uoms_order_field_name(enum uoms_ofield f)
{
	return order_fields[f].name;
}

const char *
uoms_item_field_name(enum uoms_ifield f)
{
	return item_fields[f].name;
}

const char *
uoms_product_field_name(enum uoms_pfield f)
{
	return product_fields[f].name;
}

struct uoms_parser {
	sqlite3 *db;
	sqlite3_stmt *tree;
	sqlite3_stmt *remove_known;	/* unknown members of the order */
	sqlite3_stmt *remove_item;	/* unknown members of item N */
	sqlite3_stmt *remove_product;
	sqlite3_stmt *ref;
	sqlite3_stmt *digits;		/* a number as written in the line */
	struct uoms_arena arena;
	struct uoms_item *items;
	int items_cap;
	struct uoms_chold *cholds;
	int cholds_cap;
	/* The keys seen in the line's objects, to refuse one given twice:
	 * open addressing, a slot is in use when its gen is this line's. */
	struct key_slot *keys;
	size_t keys_cap, keys_used;
	unsigned gen;
	const char *line;		/* the line being walked; borrowed */
	size_t len;
};

struct key_slot {
	unsigned gen;
	long long parent, id;
	const char *key;		/* in the arena */
	size_t n;
};

static char *
remove_paths(const struct fdef *defs, int n, const char *const *more,
    const char *arg)
{
	size_t cap = 4096, len;
	char *sql = malloc(cap);

	if (sql == NULL)
		return NULL;
	len = snprintf(sql, cap, "SELECT json_remove(%s", arg);
	for (int i = 0; i < n; i++)
		len += snprintf(sql + len, cap - len, ",'$.%s'", defs[i].name);
	for (; more != NULL && *more != NULL; more++)
		len += snprintf(sql + len, cap - len, ",'$.%s'", *more);
	snprintf(sql + len, cap - len, ")");
	return sql;
}

static int
prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
	return sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
	    NULL) == SQLITE_OK ? 0 : -1;
}

struct uoms_parser *
uoms_parser_new(void)
{
	struct uoms_parser *p = calloc(1, sizeof *p);
	char *order_sql, *item_sql, *product_sql;
	int bad;

	if (p == NULL)
		return NULL;
	if (sqlite3_open_v2(":memory:", &p->db, SQLITE_OPEN_READWRITE,
	    NULL) != SQLITE_OK) {
		uoms_parser_free(p);
		return NULL;
	}
	order_sql = remove_paths(order_fields, UOMS_O_COUNT, protocol_members,
	    "?1");
	item_sql = remove_paths(item_fields, UOMS_I_COUNT, NULL,
	    "json_extract(?1, ?2)");
	product_sql = remove_paths(product_fields, UOMS_P_COUNT,
	    protocol_members, "?1");
	/* Containers' text is rendered only at the top, where it is kept. */
	bad = order_sql == NULL || item_sql == NULL || product_sql == NULL ||
	    prepare(p->db, "SELECT id, parent, key, type, atom,"
	    " CASE WHEN parent = 0 AND type IN ('object', 'array')"
	    " AND key <> 'items' THEN value END FROM json_tree(?1)",
	    &p->tree) < 0 ||
	    prepare(p->db, order_sql, &p->remove_known) < 0 ||
	    prepare(p->db, item_sql, &p->remove_item) < 0 ||
	    prepare(p->db, product_sql, &p->remove_product) < 0 ||
	    prepare(p->db, "SELECT json_type(?1), json_type(?1, '$.id'),"
	    " json_extract(?1, '$.id'), json_extract(?1, '$.order_no'),"
	    " json_extract(?1, '$.channel'),"
	    " json_extract(?1, '$.external_order_id'),"
	    " json_type(?1, '$.version'), json_extract(?1, '$.version'),"
	    " json_extract(?1, '$.idempotency_key'),"
	    " json_type(?1, '$.external_order_id')", &p->ref) < 0 ||
	    /* With two paths json_extract writes the values as JSON, and a
	     * number as its very digits: "[1e19 exactly,...]", where a
	     * single path would give a real. */
	    prepare(p->db, "SELECT json_extract(?1, ?2, ?2)", &p->digits) < 0;
	free(order_sql);
	free(item_sql);
	free(product_sql);
	if (bad) {
		uoms_parser_free(p);
		return NULL;
	}
	return p;
}

void
uoms_parser_free(struct uoms_parser *p)
{
	if (p == NULL)
		return;
	sqlite3_finalize(p->tree);
	sqlite3_finalize(p->remove_known);
	sqlite3_finalize(p->remove_item);
	sqlite3_finalize(p->remove_product);
	sqlite3_finalize(p->ref);
	sqlite3_finalize(p->digits);
	sqlite3_close(p->db);
	uoms_arena_free(&p->arena);
	free(p->items);
	free(p->cholds);
	free(p->keys);
	free(p);
}

/* --- checks --- */

static int
check_nonempty(const struct uoms_val *v, char *why, size_t n)
{
	if (v->type == UOMS_V_TEXT && v->n == 0) {
		snprintf(why, n, "is empty");
		return -1;
	}
	return 0;
}

static int
check_order_no(const struct uoms_val *v, char *why, size_t n)
{
	if (v->type != UOMS_V_TEXT)
		return 0;
	if (v->n == 0 || v->n > 15 || strspn(v->s, "0123456789-") != v->n) {
		snprintf(why, n, "'%.40s' is not at most 15 digits and '-'",
		    v->s);
		return -1;
	}
	return 0;
}

static int
check_currency(const struct uoms_val *v, char *why, size_t n)
{
	if (v->type != UOMS_V_TEXT)
		return 0;
	if (v->n != 3 || strspn(v->s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3) {
		snprintf(why, n, "'%.40s' is not a 3-letter ISO 4217 code",
		    v->s);
		return -1;
	}
	return 0;
}

static int
all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* NNN-NNNN-NNNN (mobile) or NN-NNN(N)-NNNN (area code, e.g. Seoul 02). */
int
uoms_phone_valid(const char *s, size_t n)
{
	const char *d1 = memchr(s, '-', n), *d2;

	if (d1 == NULL)
		return 0;
	d2 = memchr(d1 + 1, '-', n - (d1 + 1 - s));
	if (d2 == NULL)
		return 0;
	size_t a = d1 - s, b = d2 - d1 - 1, c = n - (d2 + 1 - s);
	if (!all_digits(s, a) || !all_digits(d1 + 1, b) ||
	    !all_digits(d2 + 1, c) || c != 4)
		return 0;
	return (a == 3 && b == 4) || (a == 2 && (b == 3 || b == 4));
}

int
uoms_postal_valid(const char *s, size_t n)
{
	return n == 5 && all_digits(s, n);
}

int
uoms_val_equal(const struct uoms_val *a, const struct uoms_val *b)
{
	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case UOMS_V_TEXT:
		return a->n == b->n && memcmp(a->s, b->s, a->n) == 0;
	case UOMS_V_INT:
		return a->i == b->i;
	default:
		return 1;
	}
}

int
uoms_val_json_equal(const struct uoms_val *a, const struct uoms_val *b)
{
	json_t *ja, *jb;
	int same;

	if (uoms_val_equal(a, b))
		return 1;
	if (a->type != UOMS_V_TEXT || b->type != UOMS_V_TEXT)
		return 0;
	/* Rare: only when the bytes differ. */
	ja = json_loadb(a->s, a->n, JSON_DECODE_ANY, NULL);
	jb = json_loadb(b->s, b->n, JSON_DECODE_ANY, NULL);
	same = ja != NULL && jb != NULL && json_equal(ja, jb);
	json_decref(ja);
	json_decref(jb);
	return same;
}

/* --- the walk --- */

static int
lookup(const struct fdef *defs, int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (strcmp(defs[i].name, key) == 0)
			return i;
	return -1;
}

static int
is_protocol(const char *key)
{
	for (const char *const *m = protocol_members; *m != NULL; m++)
		if (strcmp(*m, key) == 0)
			return 1;
	return 0;
}

/*
 * The number at path (e.g. "$.items[0].sku") as the line writes it, its
 * digits and sign, copied into the arena; NULL when it can't be had.
 * SQLite hands an integer beyond 64 bits over as a rounded real: two
 * different ids would become one.
 */
static const char *
number_text(struct uoms_parser *p, const char *path, size_t *n)
{
	sqlite3_stmt *st = p->digits;
	const char *s = NULL, *t, *comma;

	sqlite3_bind_text(st, 1, p->line, p->len, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    (t = (const char *)sqlite3_column_text(st, 0)) != NULL &&
	    t[0] == '[' && (comma = strchr(t, ',')) != NULL) {
		*n = comma - t - 1;
		s = uoms_arena_strndup(&p->arena, t + 1, *n);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return s;
}

/*
 * A whole number in the member's range. SQLite says "integer" for any
 * run of digits but keeps only what fits 64 bits as one: the rest come
 * as reals, and are refused here rather than clamped.
 */
static enum uoms_code
take_int(struct uoms_parser *p, const struct fdef *def, struct uoms_val *v,
    const char *where, struct uoms_error *e)
{
	sqlite3_stmt *st = p->tree;
	long long lo = def->min, hi = def->max;
	const char *digits;
	char path[96];
	size_t n;

	if (lo == 0 && hi == 0)
		lo = LLONG_MIN, hi = LLONG_MAX;
	if (sqlite3_column_type(st, 4) != SQLITE_INTEGER) {
		snprintf(path, sizeof path, "$.%s%s", where, def->name);
		digits = number_text(p, path, &n);
		return uoms_fail(e, UOMS_INVALID, "%s%s %.40s is out of range "
		    "(%lld to %lld)", where, def->name, digits != NULL ?
		    digits : "(beyond 64 bits)", lo, hi);
	}
	v->type = UOMS_V_INT;
	v->i = sqlite3_column_int64(st, 4);
	if (v->i < lo && lo == 1)
		return uoms_fail(e, UOMS_INVALID, "%s%s %lld is not positive",
		    where, def->name, v->i);
	if (v->i < lo || v->i > hi)
		return uoms_fail(e, UOMS_INVALID, "%s%s %lld is out of range "
		    "(%lld to %lld)", where, def->name, v->i, lo, hi);
	return UOMS_OK;
}

/*
 * Takes the current json_tree row as the value of a member of the given
 * kind. Containers' text comes from column 5.
 */
static enum uoms_code
take(struct uoms_parser *p, const struct fdef *def, struct uoms_val *v,
    const char *where, struct uoms_error *e)
{
	sqlite3_stmt *st = p->tree;
	const char *type = (const char *)sqlite3_column_text(st, 3);
	char why[128], path[96];
	enum uoms_code rc;

	memset(v, 0, sizeof *v);
	if (strcmp(type, "null") == 0) {
		if (def->required)
			return uoms_fail(e, UOMS_INVALID, "%s%s is required",
			    where, def->name);
		if (def->notnull)
			return uoms_fail(e, UOMS_INVALID, "%s%s must not be "
			    "null (left out, the stored or default one stands)",
			    where, def->name);
		v->type = UOMS_V_NULL;
		return UOMS_OK;
	}
	switch (def->kind) {
	case K_INT:
		if (strcmp(type, "integer") != 0)
			return uoms_fail(e, UOMS_INVALID, "%s%s must be a "
			    "whole number, not %s", where, def->name, type);
		if ((rc = take_int(p, def, v, where, e)) != UOMS_OK)
			return rc;
		break;
	case K_OBJECT:
		if (strcmp(type, "object") != 0)
			return uoms_fail(e, UOMS_INVALID, "%s%s must be an "
			    "object, not %s", where, def->name, type);
		v->type = UOMS_V_TEXT;
		v->n = sqlite3_column_bytes(st, 5);
		v->s = uoms_arena_strndup(&p->arena,
		    (const char *)sqlite3_column_text(st, 5), v->n);
		break;
	case K_ID:
		/* A numeric id is kept as its digits, exactly: beyond 64
		 * bits, from the line's own text. */
		if (strcmp(type, "integer") == 0 &&
		    sqlite3_column_type(st, 4) != SQLITE_INTEGER) {
			snprintf(path, sizeof path, "$.%s%s", where,
			    def->name);
			v->type = UOMS_V_TEXT;
			v->s = number_text(p, path, &v->n);
			break;
		}
		if (strcmp(type, "integer") == 0) {
			v->type = UOMS_V_TEXT;
			v->n = sqlite3_column_bytes(st, 4);
			v->s = uoms_arena_strndup(&p->arena,
			    (const char *)sqlite3_column_text(st, 4), v->n);
			break;
		}
		/* FALLTHROUGH */
	case K_TEXT:
	case K_TIME:
		if (strcmp(type, "text") != 0)
			return uoms_fail(e, UOMS_INVALID, "%s%s must be a "
			    "string, not %s", where, def->name, type);
		v->type = UOMS_V_TEXT;
		v->n = sqlite3_column_bytes(st, 4);
		v->s = uoms_arena_strndup(&p->arena,
		    (const char *)sqlite3_column_text(st, 4), v->n);
		if (v->s != NULL && strlen(v->s) != v->n)
			return uoms_fail(e, UOMS_INVALID, "%s%s holds a NUL "
			    "character", where, def->name);
		if (def->kind == K_TIME) {
			char norm[40];

			if (uoms_time_normalize(v->s, v->n, norm, 0) < 0)
				return uoms_fail(e, UOMS_INVALID, "%s%s '%.40s'"
				    " is not an RFC 3339 time", where,
				    def->name, v->s);
			v->n = strlen(norm);
			v->s = uoms_arena_strndup(&p->arena, norm, v->n);
		}
		break;
	}
	if (v->type == UOMS_V_TEXT && v->s == NULL)
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	if (def->check != NULL && def->check(v, why, sizeof why) < 0)
		return uoms_fail(e, UOMS_INVALID, "%s%s %s", where, def->name,
		    why);
	return UOMS_OK;
}

/* Checks one member of customer, shipping or driver. */
static enum uoms_code
check_sub(struct uoms_parser *p, const char *obj, const char *key,
    struct uoms_error *e)
{
	sqlite3_stmt *st = p->tree;
	const char *type = (const char *)sqlite3_column_text(st, 3);
	const char *s = (const char *)sqlite3_column_text(st, 4);
	size_t n = sqlite3_column_bytes(st, 4);
	int is_text = strcmp(type, "text") == 0;

	if (strcmp(key, "phone") == 0 && strcmp(type, "null") != 0) {
		if (!is_text || !uoms_phone_valid(s, n))
			return uoms_fail(e, UOMS_INVALID, "%s.phone '%.40s' is "
			    "not NNN-NNNN-NNNN or NN-NNN(N)-NNNN", obj,
			    is_text ? s : type);
	} else if (strcmp(obj, "shipping") == 0 &&
	    strcmp(key, "postal_code") == 0 && strcmp(type, "null") != 0) {
		if (!is_text || !uoms_postal_valid(s, n))
			return uoms_fail(e, UOMS_INVALID, "postal code '%.40s' "
			    "is not 5 digits", is_text ? s : type);
	} else if (strcmp(key, "name") == 0 && !is_text &&
	    strcmp(type, "null") != 0) {
		return uoms_fail(e, UOMS_INVALID, "%s.name must be a string, "
		    "not %s", obj, type);
	}
	return UOMS_OK;
}

static enum uoms_code
required(const struct fdef *defs, int n, const struct uoms_val *vals,
    const char *where, struct uoms_error *e)
{
	for (int i = 0; i < n; i++)
		if (defs[i].required && vals[i].type == UOMS_V_ABSENT)
			return uoms_fail(e, UOMS_INVALID, "%s%s is required",
			    where, defs[i].name);
	return UOMS_OK;
}

/* Says why a line that SQLite found malformed is not JSON, with where. */
static enum uoms_code
malformed(const char *line, size_t len, struct uoms_error *e)
{
	json_error_t je;
	json_t *j = json_loadb(line, len, JSON_DECODE_ANY, &je);

	if (j != NULL) {
		json_decref(j);
		return uoms_fail(e, UOMS_INVALID, "not JSON");
	}
	return uoms_fail(e, UOMS_INVALID, "not JSON: %s at column %d",
	    je.text, je.column);
}

static enum uoms_code
unknown_members(struct uoms_parser *p, sqlite3_stmt *st, const char *line,
    size_t len, const char *path, struct uoms_val *out)
{
	enum uoms_code rc = UOMS_OK;

	sqlite3_bind_text(st, 1, line, len, SQLITE_STATIC);
	if (path != NULL)
		sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		out->type = UOMS_V_TEXT;
		out->n = sqlite3_column_bytes(st, 0);
		out->s = uoms_arena_strndup(&p->arena,
		    (const char *)sqlite3_column_text(st, 0), out->n);
		if (out->s == NULL)
			rc = UOMS_INTERNAL;
	} else
		rc = UOMS_INTERNAL;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

static struct uoms_item *
new_item(struct uoms_parser *p, struct uoms_order *o)
{
	if (o->nitems == p->items_cap) {
		int cap = p->items_cap ? p->items_cap * 2 : 16;
		struct uoms_item *it = realloc(p->items, cap * sizeof *it);

		if (it == NULL)
			return NULL;
		p->items = it;
		p->items_cap = cap;
	}
	o->items = p->items;
	memset(&p->items[o->nitems], 0, sizeof p->items[0]);
	return &p->items[o->nitems++];
}

static struct uoms_chold *
new_chold(struct uoms_parser *p, struct uoms_order *o)
{
	if (o->ncholds == p->cholds_cap) {
		int cap = p->cholds_cap ? p->cholds_cap * 2 : 8;
		struct uoms_chold *c = realloc(p->cholds, cap * sizeof *c);

		if (c == NULL)
			return NULL;
		p->cholds = c;
		p->cholds_cap = cap;
	}
	o->cholds = p->cholds;
	memset(&p->cholds[o->ncholds], 0, sizeof p->cholds[0]);
	return &p->cholds[o->ncholds++];
}

/* Characters, not bytes: the line is valid UTF-8 by now. */
static size_t
utf8_chars(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

/*
 * A member of channel_holds[N]: key (1..128 characters) or note (up to
 * 500, or null); anything else is refused, so that a kind's typo does
 * not pass for a request without a name.
 */
static enum uoms_code
take_chold(struct uoms_parser *p, struct uoms_order *o, const char *key,
    const char *type, struct uoms_error *e)
{
	struct uoms_chold *c = &o->cholds[o->ncholds - 1];
	sqlite3_stmt *st = p->tree;
	const char *s = (const char *)sqlite3_column_text(st, 4);
	size_t n = sqlite3_column_bytes(st, 4), max;
	int is_key = strcmp(key, "key") == 0;
	int i = o->ncholds - 1;

	if (!is_key && strcmp(key, "note") != 0)
		return uoms_fail(e, UOMS_INVALID, "channel_holds[%d] has an "
		    "unknown member '%.40s' (key, note)", i, key);
	if (!is_key && strcmp(type, "null") == 0)
		return UOMS_OK;
	if (strcmp(type, "text") != 0)
		return uoms_fail(e, UOMS_INVALID, "channel_holds[%d].%s must "
		    "be a string, not %s", i, key, type);
	max = is_key ? UOMS_CHOLD_KEY_MAX : UOMS_CHOLD_NOTE_MAX;
	if (is_key && n == 0)
		return uoms_fail(e, UOMS_INVALID, "channel_holds[%d].key is "
		    "empty", i);
	if (utf8_chars(s, n) > max)
		return uoms_fail(e, UOMS_INVALID, "channel_holds[%d].%s is "
		    "over %zu characters", i, key, max);
	if ((s = uoms_arena_strndup(&p->arena, s, n)) == NULL)
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	*(is_key ? &c->key : &c->note) = s;
	return UOMS_OK;
}

/*
 * A member of shipment: carrier, one of carriers.tsv's ids; and
 * tracking_number, 1..64 letters, digits and '-' (what carriers print
 * and channels take). Null unsets either; other members are kept.
 */
static enum uoms_code
check_shipment(struct uoms_parser *p, const char *key, const char *type,
    struct uoms_error *e)
{
	static const char tn[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-";
	sqlite3_stmt *st = p->tree;
	const char *s = (const char *)sqlite3_column_text(st, 4);
	size_t n = sqlite3_column_bytes(st, 4);
	char why[300];

	if (strcmp(type, "null") == 0 || (strcmp(key, "carrier") != 0 &&
	    strcmp(key, "tracking_number") != 0))
		return UOMS_OK;
	if (strcmp(type, "text") != 0)
		return uoms_fail(e, UOMS_INVALID, "shipment.%s must be a "
		    "string, not %s", key, type);
	if (key[0] == 'c' && !uoms_carrier_known(s, n, why, sizeof why))
		return uoms_fail(e, UOMS_INVALID, "shipment.carrier: %s", why);
	if (key[0] == 't' && (n == 0 || n > 64 || strspn(s, tn) != n))
		return uoms_fail(e, UOMS_INVALID, "shipment.tracking_number "
		    "'%.70s' is not 1 to 64 letters, digits and '-'", s);
	return UOMS_OK;
}

struct walk {
	long long customer, shipping, driver, items, item;
	long long shipment, cholds, chold;
	int unknown;			/* top-level unknown members seen */
	unsigned char *item_unknown;	/* per item, when seen */
};

static enum uoms_code
walk_row(struct uoms_parser *p, struct uoms_order *o, struct walk *w,
    struct uoms_error *e)
{
	sqlite3_stmt *st = p->tree;
	long long id = sqlite3_column_int64(st, 0);
	long long parent = sqlite3_column_int64(st, 1);
	const char *key = (const char *)sqlite3_column_text(st, 2);
	const char *type = (const char *)sqlite3_column_text(st, 3);
	char where[48];
	int f;

	if (sqlite3_column_type(st, 1) == SQLITE_NULL) {
		if (strcmp(type, "object") != 0)
			return uoms_fail(e, UOMS_INVALID, "line is a JSON %s, "
			    "not an object", type);
		return UOMS_OK;
	}
	if (parent == 0) {
		if ((f = lookup(order_fields, UOMS_O_COUNT, key)) >= 0) {
			enum uoms_code rc = take(p, &order_fields[f],
			    &o->f[f], "", e);
			if (rc != UOMS_OK)
				return rc;
			if (f == UOMS_O_CUSTOMER)
				w->customer = id;
			else if (f == UOMS_O_SHIPPING)
				w->shipping = id;
			else if (f == UOMS_O_DRIVER)
				w->driver = id;
			else if (f == UOMS_O_SHIPMENT)
				w->shipment = id;
		} else if (strcmp(key, "items") == 0) {
			if (strcmp(type, "array") != 0)
				return uoms_fail(e, UOMS_INVALID, "items must "
				    "be an array, not %s", type);
			o->has_items = 1;
			w->items = id;
		} else if (strcmp(key, "channel_holds") == 0) {
			if (strcmp(type, "array") != 0)
				return uoms_fail(e, UOMS_INVALID,
				    "channel_holds must be an array, not %s",
				    type);
			o->has_cholds = 1;
			w->cholds = id;
		} else if (strcmp(key, "id") == 0 || strcmp(key, "version")
		    == 0) {
			if (strcmp(type, "null") == 0)
				return UOMS_OK;
			/* Beyond 64 bits SQLite gives a real: not clamped. */
			if (strcmp(type, "integer") != 0 ||
			    sqlite3_column_type(st, 4) != SQLITE_INTEGER ||
			    sqlite3_column_int64(st, 4) < 1)
				return uoms_fail(e, UOMS_INVALID, "%s must be a"
				    " positive whole number", key);
			*(key[0] == 'i' ? &o->id : &o->version) =
			    sqlite3_column_int64(st, 4);
		} else if (!is_protocol(key)) {
			struct uoms_val v;

			w->unknown = 1;
			if ((f = lookup(order_numbers, NUMBERS(order_numbers),
			    key)) >= 0)
				return take(p, &order_numbers[f], &v, "", e);
		}
		return UOMS_OK;
	}
	if (parent == w->items && w->items != 0) {
		if (strcmp(type, "object") != 0)
			return uoms_fail(e, UOMS_INVALID, "items[%d] must be an "
			    "object, not %s", o->nitems, type);
		if (new_item(p, o) == NULL)
			return uoms_fail(e, UOMS_INTERNAL, "out of memory");
		w->item = id;
		return UOMS_OK;
	}
	if (parent == w->item && w->item != 0) {
		struct uoms_item *it = &o->items[o->nitems - 1];

		snprintf(where, sizeof where, "items[%d].", o->nitems - 1);
		if ((f = lookup(item_fields, UOMS_I_COUNT, key)) >= 0)
			return take(p, &item_fields[f], &it->f[f], where, e);
		it->extra.type = UOMS_V_NULL;	/* marks: has unknown */
		if ((f = lookup(item_numbers, NUMBERS(item_numbers), key)) >= 0) {
			struct uoms_val v;

			return take(p, &item_numbers[f], &v, where, e);
		}
		return UOMS_OK;
	}
	if (parent == w->cholds && w->cholds != 0) {
		if (strcmp(type, "object") != 0)
			return uoms_fail(e, UOMS_INVALID, "channel_holds[%d] "
			    "must be an object, not %s", o->ncholds, type);
		if (new_chold(p, o) == NULL)
			return uoms_fail(e, UOMS_INTERNAL, "out of memory");
		w->chold = id;
		return UOMS_OK;
	}
	if (parent == w->chold && w->chold != 0)
		return take_chold(p, o, key, type, e);
	if (parent == w->shipment && w->shipment != 0)
		return check_shipment(p, key, type, e);
	if (parent == w->customer && w->customer != 0)
		return check_sub(p, "customer", key, e);
	if (parent == w->shipping && w->shipping != 0)
		return check_sub(p, "shipping", key, e);
	if (parent == w->driver && w->driver != 0)
		return check_sub(p, "driver", key, e);
	return UOMS_OK;
}

/*
 * SQLite's JSON engine ends a string at an escaped NUL (\u0000), so
 * "1\u0000a" and "1\u0000b" would both read as "1": refuse them first.
 */
static int
has_nul_escape(const char *line, size_t len)
{
	const char *p = line, *end = line + len;

	while ((p = memmem(p, end - p, "\\u0000", 6)) != NULL) {
		size_t backslashes = 0;

		for (const char *q = p; q > line && q[-1] == '\\'; q--)
			backslashes++;
		if (backslashes % 2 == 0)
			return 1;
		p += 6;
	}
	return 0;
}

static uint64_t
key_hash(long long parent, const char *key, size_t n)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)parent;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)key[i]) * 1099511628211ULL;
	return h ^ h >> 29;
}

/* Makes room for one more key; 0, or -1 when out of memory. */
static int
keys_room(struct uoms_parser *p)
{
	struct key_slot *old = p->keys, *k;
	size_t cap = p->keys_cap ? 2 * p->keys_cap : 128, ocap = p->keys_cap;

	if (p->keys_used * 2 < p->keys_cap)
		return 0;
	if ((k = calloc(cap, sizeof *k)) == NULL)
		return -1;
	p->keys = k;
	p->keys_cap = cap;
	for (size_t i = 0; i < ocap; i++) {
		size_t j;

		if (old[i].gen != p->gen)
			continue;
		j = (old[i].key != NULL ? key_hash(old[i].parent, old[i].key,
		    old[i].n) : key_hash(old[i].parent ^ (long long)old[i].n <<
		    32, "", 0)) & (cap - 1);
		while (k[j].gen == p->gen)
			j = (j + 1) & (cap - 1);
		k[j] = old[i];
	}
	free(old);
	return 0;
}

/* Where the member id sits, for a message: "customer", "items[0]". */
static void
key_path(struct uoms_parser *p, long long id, char *out, size_t outlen)
{
	char tail[160], head[48];

	out[0] = '\0';
	for (int depth = 0; id != 0 && depth < 8; depth++) {
		size_t i;

		for (i = 0; i < p->keys_cap; i++)
			if (p->keys[i].gen == p->gen && p->keys[i].id == id)
				break;
		if (i == p->keys_cap)
			return;
		if (p->keys[i].key != NULL)
			snprintf(head, sizeof head, "%.40s", p->keys[i].key);
		else
			snprintf(head, sizeof head, "[%zu]", p->keys[i].n);
		snprintf(tail, sizeof tail, "%s", out);
		snprintf(out, outlen, "%s%s%s", head,
		    tail[0] != '\0' && tail[0] != '[' ? "." : "", tail);
		id = p->keys[i].parent;
	}
}

/*
 * Refuses a key given twice in one object, at any depth: SQLite would
 * keep both and each reader would pick its own, the last or the first.
 * Array elements (key NULL, n their index) are remembered only to name
 * where a key is: an array has no two alike.
 */
static enum uoms_code
check_key(struct uoms_parser *p, struct uoms_error *e)
{
	sqlite3_stmt *st = p->tree;
	long long parent = sqlite3_column_int64(st, 1);
	char where[256];
	const char *key = NULL;
	size_t n, j;

	if (keys_room(p) < 0)
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	if (sqlite3_column_type(st, 2) == SQLITE_TEXT) {
		key = (const char *)sqlite3_column_text(st, 2);
		n = sqlite3_column_bytes(st, 2);
		j = key_hash(parent, key, n) & (p->keys_cap - 1);
	} else {
		n = sqlite3_column_int64(st, 2);
		j = key_hash(parent ^ (long long)n << 32, "", 0) &
		    (p->keys_cap - 1);
	}
	for (; p->keys[j].gen == p->gen; j = (j + 1) & (p->keys_cap - 1)) {
		if (key == NULL || p->keys[j].key == NULL ||
		    p->keys[j].parent != parent || p->keys[j].n != n ||
		    memcmp(p->keys[j].key, key, n) != 0)
			continue;
		key_path(p, parent, where, sizeof where);
		return uoms_fail(e, UOMS_INVALID, "key '%.40s%s%.40s' is "
		    "given twice", where, where[0] != '\0' ? "." : "", key);
	}
	p->keys[j] = (struct key_slot){ p->gen, parent,
	    sqlite3_column_int64(st, 0), NULL, n };
	if (key != NULL &&
	    (p->keys[j].key = uoms_arena_strndup(&p->arena, key, n)) == NULL)
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	p->keys_used++;
	return UOMS_OK;
}

static enum uoms_code
walk_tree(struct uoms_parser *p, const char *line, size_t len,
    enum uoms_code (*row)(struct uoms_parser *, void *, void *,
    struct uoms_error *), void *rec, void *w, struct uoms_error *e)
{
	sqlite3_stmt *st = p->tree;
	enum uoms_code rc = UOMS_OK;
	int s;

	if (has_nul_escape(line, len))
		return uoms_fail(e, UOMS_INVALID, "a string holds \\u0000 (NUL)");
	/* SQLite 3.40 reads some text that is not JSON (json.h). */
	if (!uoms_json_valid(line, len))
		return malformed(line, len, e);
	p->line = line;
	p->len = len;
	p->keys_used = 0;
	if (++p->gen == 0) {
		/* Wrapped: slots of 2^32 lines ago would look current. */
		memset(p->keys, 0, p->keys_cap * sizeof *p->keys);
		p->gen = 1;
	}
	sqlite3_bind_text(st, 1, line, len, SQLITE_STATIC);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 1) != SQLITE_NULL &&
		    (rc = check_key(p, e)) != UOMS_OK)
			break;
		if (row != NULL && (rc = row(p, rec, w, e)) != UOMS_OK)
			break;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc == UOMS_OK && s != SQLITE_DONE)
		rc = malformed(line, len, e);
	return rc;
}

static enum uoms_code
order_row(struct uoms_parser *p, void *o, void *w, struct uoms_error *e)
{
	return walk_row(p, o, w, e);
}

enum uoms_code
uoms_order_parse(struct uoms_parser *p, const char *line, size_t len,
    struct uoms_order *o, struct uoms_error *e)
{
	struct walk w = { 0 };
	enum uoms_code rc;
	char where[48];

	uoms_arena_reset(&p->arena);
	memset(o, 0, sizeof *o);
	o->id = o->version = -1;
	e->code = UOMS_OK;
	rc = walk_tree(p, line, len, order_row, o, &w, e);
	if (rc != UOMS_OK)
		return rc;
	if ((rc = required(order_fields, UOMS_O_COUNT, o->f, "", e)) != UOMS_OK)
		return rc;
	if (w.unknown && (rc = unknown_members(p, p->remove_known, line, len,
	    NULL, &o->extra)) != UOMS_OK)
		return uoms_fail(e, rc, "can't gather unknown members");
	for (int i = 0; i < o->nitems; i++) {
		struct uoms_item *it = &o->items[i];

		snprintf(where, sizeof where, "items[%d].", i);
		if ((rc = required(item_fields, UOMS_I_COUNT, it->f, where, e))
		    != UOMS_OK)
			return rc;
		for (int j = 0; j < i; j++)
			if (uoms_val_equal(&o->items[j].f[0], &it->f[0]))
				return uoms_fail(e, UOMS_INVALID, "items[%d] "
				    "repeats external_item_id '%s'", i,
				    it->f[0].s);
		if (it->extra.type == UOMS_V_NULL) {
			snprintf(where, sizeof where, "$.items[%d]", i);
			if (unknown_members(p, p->remove_item, line, len,
			    where, &it->extra) != UOMS_OK)
				return uoms_fail(e, UOMS_INTERNAL, "can't "
				    "gather unknown item members");
		}
	}
	for (int i = 0; i < o->ncholds; i++) {
		if (o->cholds[i].key == NULL)
			return uoms_fail(e, UOMS_INVALID, "channel_holds[%d]."
			    "key is required", i);
		for (int j = 0; j < i; j++)
			if (strcmp(o->cholds[j].key, o->cholds[i].key) == 0)
				return uoms_fail(e, UOMS_INVALID, "channel_holds"
				    "[%d] repeats key '%.60s'", i,
				    o->cholds[i].key);
	}
	return UOMS_OK;
}

static enum uoms_code
product_row(struct uoms_parser *p, void *rec, void *unknown,
    struct uoms_error *e)
{
	struct uoms_product *o = rec;
	sqlite3_stmt *st = p->tree;
	const char *type = (const char *)sqlite3_column_text(st, 3);
	int f;

	if (sqlite3_column_type(st, 1) == SQLITE_NULL)
		return strcmp(type, "object") == 0 ? UOMS_OK : uoms_fail(e,
		    UOMS_INVALID, "line is a JSON %s, not an object", type);
	if (sqlite3_column_int64(st, 1) != 0)
		return UOMS_OK;
	f = lookup(product_fields, UOMS_P_COUNT,
	    (const char *)sqlite3_column_text(st, 2));
	if (f >= 0)
		return take(p, &product_fields[f], &o->f[f], "", e);
	if (!is_protocol((const char *)sqlite3_column_text(st, 2)))
		*(int *)unknown = 1;
	return UOMS_OK;
}

enum uoms_code
uoms_product_parse(struct uoms_parser *p, const char *line, size_t len,
    struct uoms_product *o, struct uoms_error *e)
{
	int unknown = 0;
	enum uoms_code rc;

	uoms_arena_reset(&p->arena);
	memset(o, 0, sizeof *o);
	e->code = UOMS_OK;
	rc = walk_tree(p, line, len, product_row, o, &unknown, e);
	if (rc != UOMS_OK)
		return rc;
	if ((rc = required(product_fields, UOMS_P_COUNT, o->f, "", e))
	    != UOMS_OK)
		return rc;
	if (unknown && unknown_members(p, p->remove_product, line, len, NULL,
	    &o->extra) != UOMS_OK)
		return uoms_fail(e, UOMS_INTERNAL, "can't gather unknown "
		    "members");
	return UOMS_OK;
}

static int
error_object(struct uoms_buf *out, enum uoms_code code, const char *msg,
    long lineno, const char *extra_json)
{
	uoms_buf_printf(out, "{\"code\":\"%s\",\"message\":",
	    uoms_code_name(code));
	uoms_buf_json_string(out, msg, strlen(msg));
	if (lineno > 0)
		uoms_buf_printf(out, ",\"line\":%ld", lineno);
	if (extra_json != NULL)
		uoms_buf_printf(out, ",%s", extra_json);
	return uoms_buf_str(out, "}");
}

int
uoms_reject_line(struct uoms_parser *p, const char *line, size_t len,
    enum uoms_code code, const char *msg, long lineno,
    const char *extra_json, struct uoms_buf *out)
{
	struct uoms_buf err = { 0 };
	sqlite3_stmt *st = NULL;
	int rc = -1;

	error_object(&err, code, msg, lineno, extra_json);
	if (line != NULL && (uoms_utf8_valid(line, len) && memchr(line, 0, len) == NULL) &&
	    uoms_json_valid(line, len) &&
	    sqlite3_prepare_v2(p->db, "SELECT CASE json_type(?1) WHEN 'object'"
	    " THEN json_set(?1, '$.error', json(?2)) END", -1, &st, NULL)
	    == SQLITE_OK) {
		sqlite3_bind_text(st, 1, line, len, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, err.p, err.n, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW &&
		    sqlite3_column_type(st, 0) == SQLITE_TEXT) {
			rc = uoms_buf_add(out, sqlite3_column_text(st, 0),
			    sqlite3_column_bytes(st, 0));
			goto out;
		}
	}
	uoms_buf_str(out, "{\"error\":");
	uoms_buf_add(out, err.p, err.n);
	if (line != NULL && (uoms_utf8_valid(line, len) && memchr(line, 0, len) == NULL)) {
		uoms_buf_str(out, ",\"raw\":");
		uoms_buf_json_string(out, line, len);
	} else if (line != NULL) {
		size_t cap = 4 * ((len + 2) / 3) + 1;
		char *b64 = malloc(cap);

		if (b64 != NULL) {
			EVP_EncodeBlock((unsigned char *)b64,
			    (const unsigned char *)line, len);
			uoms_buf_printf(out, ",\"raw_base64\":\"%s\"", b64);
			free(b64);
		}
	}
	rc = uoms_buf_str(out, "}");
out:
	sqlite3_finalize(st);
	uoms_buf_free(&err);
	return rc;
}

static void
json_val(struct uoms_buf *out, const struct uoms_val *v, enum kind kind)
{
	if (v->type == UOMS_V_INT)
		uoms_buf_printf(out, "%lld", v->i);
	else if (v->type != UOMS_V_TEXT)
		uoms_buf_str(out, "null");
	else if (kind == K_OBJECT)
		uoms_buf_add(out, v->s, v->n);
	else
		uoms_buf_json_string(out, v->s, v->n);
}

/* Unknown members go after the known ones, as the store's record has them. */
static void
json_extra(struct uoms_buf *out, const struct uoms_val *extra)
{
	if (extra->type == UOMS_V_TEXT && extra->n > 2) {
		uoms_buf_add(out, ",", 1);
		uoms_buf_add(out, extra->s + 1, extra->n - 2);
	}
}

int
uoms_order_json(const struct uoms_order *o, long long id, long long version,
    const char *created_at, const char *updated_at, const char *holds,
    struct uoms_buf *out)
{
	uoms_buf_printf(out, "{\"id\":%lld", id);
	for (int f = 0; f < UOMS_O_COUNT; f++) {
		/* Newer than most records and their readers: printed only
		 * when the order has one, so a record without is as before. */
		if (f == UOMS_O_SHIPMENT && o->f[f].type != UOMS_V_TEXT)
			continue;
		uoms_buf_printf(out, ",\"%s\":", order_fields[f].name);
		json_val(out, &o->f[f], order_fields[f].kind);
		if (f == UOMS_O_STATUS)
			uoms_buf_printf(out, ",\"version\":%lld", version);
	}
	uoms_buf_str(out, ",\"items\":[");
	for (int i = 0; i < o->nitems; i++) {
		for (int f = 0; f < UOMS_I_COUNT; f++) {
			uoms_buf_printf(out, "%s\"%s\":", f ? "," : i ? ",{" :
			    "{", item_fields[f].name);
			json_val(out, &o->items[i].f[f], item_fields[f].kind);
		}
		json_extra(out, &o->items[i].extra);
		uoms_buf_str(out, "}");
	}
	uoms_buf_printf(out, "],\"holds\":%s,\"created_at\":\"%s\","
	    "\"updated_at\":\"%s\"", holds != NULL ? holds : "[]",
	    created_at, updated_at);
	json_extra(out, &o->extra);
	return uoms_buf_str(out, "}");
}

/* A text column of the reference statement, copied into the arena. */
static const char *
ref_text(struct uoms_parser *p, int col)
{
	if (sqlite3_column_type(p->ref, col) == SQLITE_NULL)
		return NULL;
	return uoms_arena_strndup(&p->arena,
	    (const char *)sqlite3_column_text(p->ref, col),
	    sqlite3_column_bytes(p->ref, col));
}

static int
ref_whole(struct uoms_parser *p, int type_col, long long *out)
{
	const char *type = (const char *)sqlite3_column_text(p->ref, type_col);

	if (type == NULL || strcmp(type, "null") == 0)
		return 0;
	if (strcmp(type, "integer") != 0 ||
	    sqlite3_column_type(p->ref, type_col + 1) != SQLITE_INTEGER ||
	    sqlite3_column_int64(p->ref, type_col + 1) < 1)
		return -1;
	*out = sqlite3_column_int64(p->ref, type_col + 1);
	return 0;
}

enum uoms_code
uoms_ref_from_line(struct uoms_parser *p, const char *line, size_t len,
    struct uoms_ref *r, struct uoms_error *e)
{
	sqlite3_stmt *st = p->ref;
	enum uoms_code code = UOMS_OK;
	const char *type;

	uoms_arena_reset(&p->arena);
	memset(r, 0, sizeof *r);
	r->version = -1;
	e->code = UOMS_OK;
	/* The walk refuses what the lookups below would read wrong: a key
	 * given twice, a NUL in a string, a line that is not JSON. */
	if ((code = walk_tree(p, line, len, NULL, NULL, NULL, e)) != UOMS_OK)
		return code;
	sqlite3_bind_text(st, 1, line, len, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return malformed(line, len, e);
	}
	type = (const char *)sqlite3_column_text(st, 0);
	if (strcmp(type, "object") != 0)
		code = uoms_fail(e, UOMS_INVALID, "line is a JSON %s, not an "
		    "object", type);
	else if (ref_whole(p, 1, &r->id) < 0)
		code = uoms_fail(e, UOMS_INVALID, "id must be a positive whole "
		    "number");
	else if (ref_whole(p, 6, &r->version) < 0)
		code = uoms_fail(e, UOMS_INVALID, "version must be a positive "
		    "whole number");
	else {
		r->order_no = ref_text(p, 3);
		r->channel = ref_text(p, 4);
		r->external_order_id = ref_text(p, 5);
		if (sqlite3_column_type(st, 5) == SQLITE_FLOAT &&
		    strcmp((const char *)sqlite3_column_text(st, 9),
		    "integer") == 0) {
			size_t n;

			/* As uoms_order_parse keeps it: its digits. */
			r->external_order_id = number_text(p,
			    "$.external_order_id", &n);
		}
		r->idempotency_key = ref_text(p, 8);
		if (r->id == 0 && r->order_no == NULL &&
		    (r->channel == NULL || r->external_order_id == NULL))
			code = uoms_fail(e, UOMS_INVALID, "not a reference: no "
			    "id, order_no, or channel and external_order_id");
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return code;
}
