/*
 * Each line is parsed once, by lib/json.c's reader: uoms_json_tree lays
 * the line out as nodes in document order, each with its container, and
 * the walk below takes the members it knows. The nodes point into the
 * line, so a number or a container is kept as the line wrote it (an id of
 * 30 digits, an object's own escapes), with no copy of the document.
 * jansson would lose that, and parsing is most of what an upsert of an
 * unchanged order costs.
 */
#include <ctype.h>
#include <limits.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arena.h"
#include "carrier.h"
#include "line.h"
#include "change.h"
#include "digest.h"
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

/* The same for a product: what uoms-catalog's listing adds to its record
 * (lib/stock.h), so that a listing fed back is the same product. */
static const char *const listing_members[] = {
	"reserved", "available", NULL
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

/* The node being walked, as the checks read it. */
struct row {
	size_t id;			/* its node in the tree */
	long parent;			/* its container's node; -1: the line */
	const struct uoms_jnode *node;
	const char *key;		/* decoded, in the arena; NULL in an array */
	size_t keyn;
	const char *type;		/* json_type()'s name of the value */
	const char *s;			/* a string's text, once read (text()) */
	size_t n;
};

/* The most nodes a parser keeps from line to line (a record has some
 * hundreds). */
#define TREE_KEEP	65536

struct uoms_parser {
	struct uoms_jtree tree;		/* the line being walked */
	struct uoms_jtree rtree;	/* a reject line's */
	struct row row;
	struct uoms_arena arena;
	struct uoms_item *items;
	size_t *item_nodes;		/* each item's node, for its extra */
	int items_cap;
	struct uoms_chold *cholds;
	int cholds_cap;
	/* The keys seen in the line's objects, to refuse one given twice:
	 * open addressing, a slot is in use when its gen is this line's. */
	struct key_slot *keys;
	size_t keys_cap, keys_used;
	unsigned gen;
};

struct key_slot {
	unsigned gen;
	long parent;
	const char *key;		/* in the arena */
	size_t n;
};

struct uoms_parser *
uoms_parser_new(void)
{
	return calloc(1, sizeof(struct uoms_parser));
}

void
uoms_parser_free(struct uoms_parser *p)
{
	if (p == NULL)
		return;
	uoms_json_tree_free(&p->tree);
	uoms_json_tree_free(&p->rtree);
	uoms_arena_free(&p->arena);
	free(p->items);
	free(p->item_nodes);
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

static int
is_listing(const char *key)
{
	for (const char *const *m = listing_members; *m != NULL; m++)
		if (strcmp(*m, key) == 0)
			return 1;
	return 0;
}

/* A string node's text, decoded into the arena; NULL out of memory. */
static const char *
node_text(struct uoms_parser *p, const struct uoms_jnode *nd, size_t *n)
{
	char *s = uoms_arena_alloc(&p->arena, nd->vend - nd->v + 1);

	if (s == NULL)
		return NULL;
	*n = uoms_json_unescape(nd->v, nd->vend, s);
	s[*n] = '\0';
	return s;
}

/* The current row's string, read once. */
static const char *
text(struct uoms_parser *p)
{
	struct row *r = &p->row;

	if (r->s == NULL && r->node->type == UOMS_J_STRING)
		r->s = node_text(p, r->node, &r->n);
	return r->s;
}

/* A node's text as written, without white space (a container's), in the
 * arena; NULL out of memory. */
static const char *
node_json(struct uoms_parser *p, const struct uoms_jnode *nd, size_t *n)
{
	char *s = uoms_arena_alloc(&p->arena, nd->vend - nd->v + 1);

	if (s == NULL)
		return NULL;
	*n = uoms_json_minify(nd->v, nd->vend, s);
	s[*n] = '\0';
	return s;
}

/*
 * An integer node's value: 1 with *out when it fits 64 bits, 0 when it
 * does not. A longer run of digits is refused or kept as written, never
 * rounded: two different ids must not become one.
 */
static int
node_int(const struct uoms_jnode *nd, long long *out)
{
	const char *s = nd->v;
	int neg = *s == '-';
	unsigned long long u = 0;
	unsigned long long lim = neg ? (unsigned long long)LLONG_MAX + 1 :
	    (unsigned long long)LLONG_MAX;

	for (s += neg; s < nd->vend; s++) {
		unsigned d = *s - '0';

		if (u > (lim - d) / 10)
			return 0;
		u = u * 10 + d;
	}
	*out = neg && u > 0 ? -(long long)(u - 1) - 1 : (long long)u;
	return 1;
}

/* A whole number in the member's range; beyond 64 bits, refused. */
static enum uoms_code
take_int(struct uoms_parser *p, const struct fdef *def, struct uoms_val *v,
    const char *where, struct uoms_error *e)
{
	const struct uoms_jnode *nd = p->row.node;
	long long lo = def->min, hi = def->max;

	if (lo == 0 && hi == 0)
		lo = LLONG_MIN, hi = LLONG_MAX;
	if (!node_int(nd, &v->i))
		return uoms_fail(e, UOMS_INVALID, "%s%s %.*s is out of range "
		    "(%lld to %lld)", where, def->name, nd->vend - nd->v > 40 ?
		    40 : (int)(nd->vend - nd->v), nd->v, lo, hi);
	v->type = UOMS_V_INT;
	if (v->i < lo && lo == 1)
		return uoms_fail(e, UOMS_INVALID, "%s%s %lld is not positive",
		    where, def->name, v->i);
	if (v->i < lo || v->i > hi)
		return uoms_fail(e, UOMS_INVALID, "%s%s %lld is out of range "
		    "(%lld to %lld)", where, def->name, v->i, lo, hi);
	return UOMS_OK;
}

/* Takes the current row as the value of a member of the given kind. */
static enum uoms_code
take(struct uoms_parser *p, const struct fdef *def, struct uoms_val *v,
    const char *where, struct uoms_error *e)
{
	const struct uoms_jnode *nd = p->row.node;
	const char *type = p->row.type;
	char why[128];
	enum uoms_code rc;
	long long i;

	memset(v, 0, sizeof *v);
	if (nd->type == UOMS_J_NULL) {
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
		if (nd->type != UOMS_J_INT)
			return uoms_fail(e, UOMS_INVALID, "%s%s must be a "
			    "whole number, not %s", where, def->name, type);
		if ((rc = take_int(p, def, v, where, e)) != UOMS_OK)
			return rc;
		break;
	case K_OBJECT:
		if (nd->type != UOMS_J_OBJECT)
			return uoms_fail(e, UOMS_INVALID, "%s%s must be an "
			    "object, not %s", where, def->name, type);
		v->type = UOMS_V_TEXT;
		v->s = node_json(p, nd, &v->n);
		break;
	case K_ID:
		/* A numeric id is kept as its digits, exactly: within 64
		 * bits as printed ("-0" is 0), beyond as the line has them. */
		if (nd->type == UOMS_J_INT) {
			char digits[24];

			v->type = UOMS_V_TEXT;
			if (!node_int(nd, &i)) {
				v->n = nd->vend - nd->v;
				v->s = uoms_arena_strndup(&p->arena, nd->v,
				    v->n);
				break;
			}
			v->n = snprintf(digits, sizeof digits, "%lld", i);
			v->s = uoms_arena_strndup(&p->arena, digits, v->n);
			break;
		}
		/* FALLTHROUGH */
	case K_TEXT:
	case K_TIME:
		if (nd->type != UOMS_J_STRING)
			return uoms_fail(e, UOMS_INVALID, "%s%s must be a "
			    "string, not %s", where, def->name, type);
		v->type = UOMS_V_TEXT;
		v->s = text(p);
		v->n = p->row.n;
		if (v->s != NULL && memchr(v->s, '\0', v->n) != NULL)
			return uoms_fail(e, UOMS_INVALID, "%s%s holds a NUL "
			    "character", where, def->name);
		if (v->s != NULL && def->kind == K_TIME) {
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
	const char *type = p->row.type;
	int is_text = p->row.node->type == UOMS_J_STRING;
	int is_null = p->row.node->type == UOMS_J_NULL;
	const char *s = is_text ? text(p) : NULL;
	size_t n = p->row.n;

	if (is_text && s == NULL)
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	if (strcmp(key, "phone") == 0 && !is_null) {
		if (!is_text || !uoms_phone_valid(s, n))
			return uoms_fail(e, UOMS_INVALID, "%s.phone '%.40s' is "
			    "not NNN-NNNN-NNNN or NN-NNN(N)-NNNN", obj,
			    is_text ? s : type);
	} else if (strcmp(obj, "shipping") == 0 &&
	    strcmp(key, "postal_code") == 0 && !is_null) {
		if (!is_text || !uoms_postal_valid(s, n))
			return uoms_fail(e, UOMS_INVALID, "postal code '%.40s' "
			    "is not 5 digits", is_text ? s : type);
	} else if (strcmp(key, "name") == 0 && !is_text && !is_null) {
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

/* Says why a line that is not JSON is not, with where. */
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

/*
 * Nonzero when the key of member nd, decoded, is name. Names are short:
 * a key written longer than any of them escaped is not one.
 */
static int
key_is(const struct uoms_jnode *nd, const char *name, size_t namelen)
{
	char buf[160];
	size_t n = nd->kend - nd->k;

	if (n == namelen + 2 && memcmp(nd->k + 1, name, namelen) == 0)
		return 1;
	if (n > sizeof buf || memchr(nd->k, '\\', n) == NULL)
		return 0;
	n = uoms_json_unescape(nd->k, nd->kend, buf);
	return n == namelen && memcmp(buf, name, n) == 0;
}

static int
key_in(const struct uoms_jnode *nd, const struct fdef *defs, int ndefs,
    int protocol)
{
	for (int i = 0; i < ndefs; i++)
		if (key_is(nd, defs[i].name, strlen(defs[i].name)))
			return 1;
	for (const char *const *m = protocol_members; protocol && *m != NULL;
	    m++)
		if (key_is(nd, *m, strlen(*m)))
			return 1;
	for (const char *const *m = listing_members; protocol == 2 &&
	    *m != NULL; m++)
		if (key_is(nd, *m, strlen(*m)))
			return 1;
	return 0;
}

/*
 * The members of object node obj the record does not know (defs, and
 * with protocol the protocol's; 2: a product's, its listing's too), as a JSON object text in the arena:
 * each as the line wrote it, without white space, in the line's order.
 */
static enum uoms_code
unknown_members(struct uoms_parser *p, size_t obj, const struct fdef *defs,
    int ndefs, int protocol, struct uoms_val *out)
{
	const struct uoms_jnode *o = &p->tree.n[obj];
	char *s = uoms_arena_alloc(&p->arena, o->vend - o->v + 1), *q = s;

	if (s == NULL)
		return UOMS_INTERNAL;
	*q++ = '{';
	for (size_t i = obj + 1; i < o->last; i = p->tree.n[i].last) {
		const struct uoms_jnode *m = &p->tree.n[i];

		if (key_in(m, defs, ndefs, protocol))
			continue;
		if (q > s + 1)
			*q++ = ',';
		q += uoms_json_minify(m->k, m->kend, q);
		*q++ = ':';
		q += uoms_json_minify(m->v, m->vend, q);
	}
	*q++ = '}';
	*q = '\0';
	out->type = UOMS_V_TEXT;
	out->s = s;
	out->n = q - s;
	return UOMS_OK;
}

static struct uoms_item *
new_item(struct uoms_parser *p, struct uoms_order *o)
{
	if (o->nitems == p->items_cap) {
		int cap = p->items_cap ? p->items_cap * 2 : 16;
		struct uoms_item *it = realloc(p->items, cap * sizeof *it);
		size_t *nodes;

		if (it == NULL)
			return NULL;
		p->items = it;
		if ((nodes = realloc(p->item_nodes, cap * sizeof *nodes)) ==
		    NULL)
			return NULL;
		p->item_nodes = nodes;
		p->items_cap = cap;
	}
	o->items = p->items;
	p->item_nodes[o->nitems] = p->row.id;
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
    struct uoms_error *e)
{
	struct uoms_chold *c = &o->cholds[o->ncholds - 1];
	const char *type = p->row.type, *s;
	size_t n, max;
	int is_key = strcmp(key, "key") == 0;
	int i = o->ncholds - 1;

	if (!is_key && strcmp(key, "note") != 0)
		return uoms_fail(e, UOMS_INVALID, "channel_holds[%d] has an "
		    "unknown member '%.40s' (key, note)", i, key);
	if (!is_key && p->row.node->type == UOMS_J_NULL)
		return UOMS_OK;
	if (p->row.node->type != UOMS_J_STRING)
		return uoms_fail(e, UOMS_INVALID, "channel_holds[%d].%s must "
		    "be a string, not %s", i, key, type);
	if ((s = text(p)) == NULL)
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	n = p->row.n;
	max = is_key ? UOMS_CHOLD_KEY_MAX : UOMS_CHOLD_NOTE_MAX;
	if (is_key && n == 0)
		return uoms_fail(e, UOMS_INVALID, "channel_holds[%d].key is "
		    "empty", i);
	if (utf8_chars(s, n) > max)
		return uoms_fail(e, UOMS_INVALID, "channel_holds[%d].%s is "
		    "over %zu characters", i, key, max);
	*(is_key ? &c->key : &c->note) = s;
	return UOMS_OK;
}

/*
 * A member of shipment: carrier, one of carriers.tsv's ids; and
 * tracking_number, 1..64 letters, digits and '-' (what carriers print
 * and channels take). Null unsets either; other members are kept.
 */
static enum uoms_code
check_shipment(struct uoms_parser *p, const char *key, struct uoms_error *e)
{
	static const char tn[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-";
	const char *s;
	size_t n;
	char why[300];

	if (p->row.node->type == UOMS_J_NULL || (strcmp(key, "carrier") != 0 &&
	    strcmp(key, "tracking_number") != 0))
		return UOMS_OK;
	if (p->row.node->type != UOMS_J_STRING)
		return uoms_fail(e, UOMS_INVALID, "shipment.%s must be a "
		    "string, not %s", key, p->row.type);
	if ((s = text(p)) == NULL)
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	n = p->row.n;
	if (key[0] == 'c' && !uoms_carrier_known(s, n, why, sizeof why))
		return uoms_fail(e, UOMS_INVALID, "shipment.carrier: %s", why);
	if (key[0] == 't' && (n == 0 || n > 64 || strspn(s, tn) != n))
		return uoms_fail(e, UOMS_INVALID, "shipment.tracking_number "
		    "'%.70s' is not 1 to 64 letters, digits and '-'", s);
	return UOMS_OK;
}

/* The nodes of the containers the walk is in (0: none: the root is the
 * line, never one of them). */
struct walk {
	size_t customer, shipping, driver, items, item;
	size_t shipment, cholds, chold;
	int unknown;			/* top-level unknown members seen */
};

static enum uoms_code
walk_row(struct uoms_parser *p, struct uoms_order *o, struct walk *w,
    struct uoms_error *e)
{
	const struct row *r = &p->row;
	size_t id = r->id;
	const char *key = r->key, *type = r->type;
	enum uoms_jtype t = r->node->type;
	char where[48];
	int f;

	if (r->parent < 0) {
		if (t != UOMS_J_OBJECT)
			return uoms_fail(e, UOMS_INVALID, "line is a JSON %s, "
			    "not an object", type);
		return UOMS_OK;
	}
	if (r->parent == 0) {
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
			if (t != UOMS_J_ARRAY)
				return uoms_fail(e, UOMS_INVALID, "items must "
				    "be an array, not %s", type);
			o->has_items = 1;
			w->items = id;
		} else if (strcmp(key, "channel_holds") == 0) {
			if (t != UOMS_J_ARRAY)
				return uoms_fail(e, UOMS_INVALID,
				    "channel_holds must be an array, not %s",
				    type);
			o->has_cholds = 1;
			w->cholds = id;
		} else if (strcmp(key, "id") == 0 || strcmp(key, "version")
		    == 0) {
			long long i;

			if (t == UOMS_J_NULL)
				return UOMS_OK;
			/* Beyond 64 bits: refused, not clamped. */
			if (t != UOMS_J_INT || !node_int(r->node, &i) || i < 1)
				return uoms_fail(e, UOMS_INVALID, "%s must be a"
				    " positive whole number", key);
			*(key[0] == 'i' ? &o->id : &o->version) = i;
		} else if (!is_protocol(key)) {
			struct uoms_val v;

			w->unknown = 1;
			if ((f = lookup(order_numbers, NUMBERS(order_numbers),
			    key)) >= 0)
				return take(p, &order_numbers[f], &v, "", e);
		}
		return UOMS_OK;
	}
	if (r->parent == (long)w->items && w->items != 0) {
		if (t != UOMS_J_OBJECT)
			return uoms_fail(e, UOMS_INVALID, "items[%d] must be an "
			    "object, not %s", o->nitems, type);
		if (new_item(p, o) == NULL)
			return uoms_fail(e, UOMS_INTERNAL, "out of memory");
		w->item = id;
		return UOMS_OK;
	}
	if (r->parent == (long)w->item && w->item != 0) {
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
	if (r->parent == (long)w->cholds && w->cholds != 0) {
		if (t != UOMS_J_OBJECT)
			return uoms_fail(e, UOMS_INVALID, "channel_holds[%d] "
			    "must be an object, not %s", o->ncholds, type);
		if (new_chold(p, o) == NULL)
			return uoms_fail(e, UOMS_INTERNAL, "out of memory");
		w->chold = id;
		return UOMS_OK;
	}
	if (r->parent == (long)w->chold && w->chold != 0)
		return take_chold(p, o, key, e);
	if (r->parent == (long)w->shipment && w->shipment != 0)
		return check_shipment(p, key, e);
	if (r->parent == (long)w->customer && w->customer != 0)
		return check_sub(p, "customer", key, e);
	if (r->parent == (long)w->shipping && w->shipping != 0)
		return check_sub(p, "shipping", key, e);
	if (r->parent == (long)w->driver && w->driver != 0)
		return check_sub(p, "driver", key, e);
	return UOMS_OK;
}

/*
 * A string holding \u0000 (NUL) is refused, as when SQLite read the
 * lines (it ended a string there, so "1\u0000a" and "1\u0000b" were
 * both "1"): no text of the store holds a NUL.
 */
static int
has_nul_escape(const char *line, size_t len)
{
	const char *p = line, *end = line + len;

	/* By backslash, not by memmem of the six bytes: most lines have
	 * none, and memchr passes them at a fraction of the cost. */
	while ((p = memchr(p, '\\', end - p)) != NULL) {
		const char *run = p;

		while (p < end && *p == '\\')
			p++;
		/* An odd run escapes what follows it. */
		if ((p - run) % 2 == 1 && end - p >= 5 &&
		    memcmp(p, "u0000", 5) == 0)
			return 1;
	}
	return 0;
}

static uint64_t
key_hash(long parent, const char *key, size_t n)
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
		j = key_hash(old[i].parent, old[i].key, old[i].n) & (cap - 1);
		while (k[j].gen == p->gen)
			j = (j + 1) & (cap - 1);
		k[j] = old[i];
	}
	free(old);
	return 0;
}

/* Where node id sits, for a message: "customer", "items[0]". */
static void
key_path(struct uoms_parser *p, long id, char *out, size_t outlen)
{
	char tail[160], head[48];

	out[0] = '\0';
	for (int depth = 0; id > 0 && depth < 8; depth++) {
		const struct uoms_jnode *nd = &p->tree.n[id];
		size_t n;
		const char *k;

		if (nd->k != NULL) {
			if ((k = node_text(p, &(struct uoms_jnode){ .v = nd->k,
			    .vend = nd->kend }, &n)) == NULL)
				return;
			snprintf(head, sizeof head, "%.40s", k);
		} else
			snprintf(head, sizeof head, "[%zu]", nd->index);
		snprintf(tail, sizeof tail, "%s", out);
		snprintf(out, outlen, "%s%s%s", head,
		    tail[0] != '\0' && tail[0] != '[' ? "." : "", tail);
		id = nd->parent;
	}
}

/*
 * Refuses a key given twice in one object, at any depth: each reader
 * would pick its own, the last or the first. Keys are compared decoded
 * ("a" and "\u0061" are one key).
 */
static enum uoms_code
check_key(struct uoms_parser *p, struct uoms_error *e)
{
	const struct row *r = &p->row;
	char where[256];
	size_t j;

	if (r->key == NULL)
		return UOMS_OK;		/* an array's: no two alike */
	if (keys_room(p) < 0)
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	j = key_hash(r->parent, r->key, r->keyn) & (p->keys_cap - 1);
	for (; p->keys[j].gen == p->gen; j = (j + 1) & (p->keys_cap - 1)) {
		if (p->keys[j].parent != r->parent || p->keys[j].n != r->keyn ||
		    memcmp(p->keys[j].key, r->key, r->keyn) != 0)
			continue;
		key_path(p, r->parent, where, sizeof where);
		return uoms_fail(e, UOMS_INVALID, "key '%.40s%s%.40s' is "
		    "given twice", where, where[0] != '\0' ? "." : "", r->key);
	}
	p->keys[j] = (struct key_slot){ p->gen, r->parent, r->key, r->keyn };
	p->keys_used++;
	return UOMS_OK;
}

/*
 * Lays the line out and hands each node, in document order, to row (may
 * be NULL) after checking its key; stops at the first refusal.
 */
static enum uoms_code
walk_tree(struct uoms_parser *p, const char *line, size_t len,
    enum uoms_code (*row)(struct uoms_parser *, void *, void *,
    struct uoms_error *), void *rec, void *w, struct uoms_error *e)
{
	struct row *r = &p->row;
	enum uoms_code rc = UOMS_OK;

	if (has_nul_escape(line, len))
		return uoms_fail(e, UOMS_INVALID, "a string holds \\u0000 (NUL)");
	/* The nodes of one long line (up to line_max) are not kept for
	 * all the short ones after it. */
	if (p->tree.cap > TREE_KEEP)
		uoms_json_tree_free(&p->tree);
	switch (uoms_json_tree(line, len, &p->tree)) {
	case 0:
		return malformed(line, len, e);
	case -1:
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	}
	p->keys_used = 0;
	if (++p->gen == 0) {
		/* Wrapped: slots of 2^32 lines ago would look current. */
		memset(p->keys, 0, p->keys_cap * sizeof *p->keys);
		p->gen = 1;
	}
	for (size_t i = 0; i < p->tree.len; i++) {
		const struct uoms_jnode *nd = &p->tree.n[i];

		/* A reference (no row) reads top-level members alone: a
		 * record's nested keys, most of a line, are not its business. */
		if (row == NULL && i > 0 && nd->parent != 0)
			continue;
		*r = (struct row){ i, nd->parent, nd, NULL, 0,
		    uoms_json_type_name(nd->type), NULL, 0 };
		if (nd->k != NULL && (r->key = node_text(p, &(struct
		    uoms_jnode){ .v = nd->k, .vend = nd->kend }, &r->keyn)) ==
		    NULL)
			return uoms_fail(e, UOMS_INTERNAL, "out of memory");
		if (i > 0 && (rc = check_key(p, e)) != UOMS_OK)
			break;
		if (row != NULL && (rc = row(p, rec, w, e)) != UOMS_OK)
			break;
	}
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
	if (w.unknown && (rc = unknown_members(p, 0, order_fields,
	    UOMS_O_COUNT, 1, &o->extra)) != UOMS_OK)
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
		if (it->extra.type == UOMS_V_NULL &&
		    unknown_members(p, p->item_nodes[i], item_fields,
		    UOMS_I_COUNT, 0, &it->extra) != UOMS_OK)
			return uoms_fail(e, UOMS_INTERNAL, "can't gather "
			    "unknown item members");
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
	const struct row *r = &p->row;
	int f;

	if (r->parent < 0)
		return r->node->type == UOMS_J_OBJECT ? UOMS_OK : uoms_fail(e,
		    UOMS_INVALID, "line is a JSON %s, not an object", r->type);
	if (r->parent != 0)
		return UOMS_OK;
	f = lookup(product_fields, UOMS_P_COUNT, r->key);
	if (f >= 0)
		return take(p, &product_fields[f], &o->f[f], "", e);
	if (!is_protocol(r->key) && !is_listing(r->key))
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
	if (unknown && unknown_members(p, 0, product_fields, UOMS_P_COUNT, 2,
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

/* Appends [s, end) to out without white space; -1 out of memory. */
static int
add_minified(struct uoms_buf *out, const char *s, const char *end)
{
	char *tmp = malloc(end - s + 1);
	int rc;

	if (tmp == NULL)
		return -1;
	rc = uoms_buf_add(out, tmp, uoms_json_minify(s, end, tmp));
	free(tmp);
	return rc;
}

/*
 * The line, an object, without white space and with its member "error"
 * (the first, when the line repeats it) replaced by err, or err added
 * last.
 */
static int
object_with_error(const struct uoms_jtree *t, const struct uoms_buf *err,
    struct uoms_buf *out)
{
	const struct uoms_jnode *o = &t->n[0];
	int replaced = 0, first = 1;

	uoms_buf_str(out, "{");
	for (size_t i = 1; i < o->last; i = t->n[i].last, first = 0) {
		const struct uoms_jnode *m = &t->n[i];

		if (!first)
			uoms_buf_str(out, ",");
		add_minified(out, m->k, m->kend);
		uoms_buf_str(out, ":");
		if (!replaced && key_is(m, "error", 5)) {
			add_minified(out, err->p, err->p + err->n);
			replaced = 1;
		} else
			add_minified(out, m->v, m->vend);
	}
	if (!replaced) {
		uoms_buf_str(out, first ? "\"error\":" : ",\"error\":");
		add_minified(out, err->p, err->p + err->n);
	}
	return uoms_buf_str(out, "}");
}

int
uoms_reject_line(struct uoms_parser *p, const char *line, size_t len,
    enum uoms_code code, const char *msg, long lineno,
    const char *extra_json, struct uoms_buf *out)
{
	struct uoms_buf err = { 0 };
	int rc = -1;

	error_object(&err, code, msg, lineno, extra_json);
	if (line != NULL && uoms_utf8_valid(line, len) &&
	    memchr(line, 0, len) == NULL && err.p != NULL &&
	    uoms_json_valid(err.p, err.n) &&
	    (p->rtree.cap <= TREE_KEEP || (uoms_json_tree_free(&p->rtree), 1)) &&
	    uoms_json_tree(line, len, &p->rtree) == 1 &&
	    p->rtree.n[0].type == UOMS_J_OBJECT) {
		rc = object_with_error(&p->rtree, &err, out);
		goto out;
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
			uoms_base64(b64, line, len);
			uoms_buf_printf(out, ",\"raw_base64\":\"%s\"", b64);
			free(b64);
		}
	}
	rc = uoms_buf_str(out, "}");
out:
	uoms_buf_free(&err);
	return rc;
}

static int
json_val(struct uoms_buf *out, const struct uoms_val *v, enum kind kind)
{
	if (v->type == UOMS_V_INT)
		return uoms_buf_int(out, v->i);
	else if (v->type != UOMS_V_TEXT)
		return UOMS_BUF_LIT(out, "null");
	else if (kind == K_OBJECT)
		return uoms_buf_add(out, v->s, v->n);
	else
		return uoms_buf_json_string(out, v->s, v->n);
}

/*
 * Unknown members go after the known ones, as the store's record has them.
 * Only an object's: a store edited by hand or copied from elsewhere may
 * hold any text there, and spliced in it would make the record no JSON.
 */
static int
json_extra(struct uoms_buf *out, const struct uoms_val *extra)
{
	if (extra->type == UOMS_V_TEXT && extra->n > 2 &&
	    extra->s[0] == '{' && extra->s[extra->n - 1] == '}' &&
	    uoms_json_valid(extra->s, extra->n))
		return UOMS_BUF_LIT(out, ",") < 0 || uoms_buf_add(out,
		    extra->s + 1, extra->n - 2) < 0 ? -1 : 0;
	return 0;
}

/*
 * The record's member names with their comma, quotes and colon, each
 * appended with one copy: formatting them with printf, twice a member
 * (once to measure), was most of a record's cost (issue 14). They are
 * order_fields' and item_fields' names: t/unit/echo compares the records
 * with those a writer by those names makes.
 */
struct lit {
	const char *s;
	size_t n;
};
#define MEMBER(name)	{ ",\"" name "\":", sizeof (",\"" name "\":") - 1 }
static const struct lit order_members[UOMS_O_COUNT] = {
	[UOMS_O_CHANNEL] = MEMBER("channel"),
	[UOMS_O_EXTERNAL_ORDER_ID] = MEMBER("external_order_id"),
	[UOMS_O_ORDER_NO] = MEMBER("order_no"),
	[UOMS_O_KIND] = MEMBER("kind"),
	[UOMS_O_WORKFLOW] = MEMBER("workflow"),
	[UOMS_O_STATUS] = MEMBER("status"),
	[UOMS_O_DEPARTMENT] = MEMBER("department"),
	[UOMS_O_WAREHOUSE] = MEMBER("warehouse"),
	[UOMS_O_CUSTOMER] = MEMBER("customer"),
	[UOMS_O_SHIPPING] = MEMBER("shipping"),
	[UOMS_O_ETA] = MEMBER("eta"),
	[UOMS_O_DRIVER] = MEMBER("driver"),
	[UOMS_O_PLACED_AT] = MEMBER("placed_at"),
	[UOMS_O_CHANNEL_UPDATED_AT] = MEMBER("channel_updated_at"),
	[UOMS_O_DEPART_TIME] = MEMBER("depart_time"),
	[UOMS_O_COMPLETE_TIME] = MEMBER("complete_time"),
	[UOMS_O_TOTAL_AMOUNT] = MEMBER("total_amount"),
	[UOMS_O_CURRENCY] = MEMBER("currency"),
	[UOMS_O_SHIPMENT] = MEMBER("shipment"),
};
static const struct lit item_members[UOMS_I_COUNT] = {
	[UOMS_I_EXTERNAL_ITEM_ID] = MEMBER("external_item_id"),
	[UOMS_I_SKU] = MEMBER("sku"),
	[UOMS_I_NAME] = MEMBER("name"),
	[UOMS_I_QUANTITY] = MEMBER("quantity"),
	[UOMS_I_UNIT_PRICE] = MEMBER("unit_price"),
};
#undef MEMBER

/* A store's own text (a time it wrote), quoted as it is; NULL as printf's
 * "%s" wrote it before, so no record changes. */
static int
json_raw(struct uoms_buf *out, const char *s)
{
	return UOMS_BUF_LIT(out, "\"") < 0 || uoms_buf_str(out, s != NULL ?
	    s : "(null)") < 0 || UOMS_BUF_LIT(out, "\"") < 0 ? -1 : 0;
}

int
uoms_order_json(const struct uoms_order *o, long long id, long long version,
    const char *created_at, const char *updated_at, const char *holds,
    struct uoms_buf *out)
{
	/* Failures are gathered, not checked at each step: one is enough
	 * for the record to be dropped. A statement each: the operands of
	 * | are evaluated in no set order. */
	int rc = UOMS_BUF_LIT(out, "{\"id\":");

	rc |= uoms_buf_int(out, id);
	for (int f = 0; f < UOMS_O_COUNT; f++) {
		/* Newer than most records and their readers: printed only
		 * when the order has one, so a record without is as before. */
		if (f == UOMS_O_SHIPMENT && o->f[f].type != UOMS_V_TEXT)
			continue;
		rc |= uoms_buf_add(out, order_members[f].s,
		    order_members[f].n);
		rc |= json_val(out, &o->f[f], order_fields[f].kind);
		if (f == UOMS_O_STATUS) {
			rc |= UOMS_BUF_LIT(out, ",\"version\":");
			rc |= uoms_buf_int(out, version);
		}
	}
	rc |= UOMS_BUF_LIT(out, ",\"items\":[");
	for (int i = 0; i < o->nitems; i++) {
		/* The first member's name without its comma. */
		rc |= i ? UOMS_BUF_LIT(out, ",{") : UOMS_BUF_LIT(out, "{");
		for (int f = 0; f < UOMS_I_COUNT; f++) {
			rc |= uoms_buf_add(out, item_members[f].s + !f,
			    item_members[f].n - !f);
			rc |= json_val(out, &o->items[i].f[f],
			    item_fields[f].kind);
		}
		rc |= json_extra(out, &o->items[i].extra);
		rc |= UOMS_BUF_LIT(out, "}");
	}
	rc |= UOMS_BUF_LIT(out, "],\"holds\":");
	rc |= uoms_buf_str(out, holds != NULL ? holds : "[]");
	rc |= UOMS_BUF_LIT(out, ",\"created_at\":");
	rc |= json_raw(out, created_at);
	rc |= UOMS_BUF_LIT(out, ",\"updated_at\":");
	rc |= json_raw(out, updated_at);
	rc |= json_extra(out, &o->extra);
	rc |= UOMS_BUF_LIT(out, "}");
	return rc;
}

/* The line's member named name, decoded; NULL when it has none. */
static const struct uoms_jnode *
member(const struct uoms_jtree *t, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 1; i < t->n[0].last; i = t->n[i].last)
		if (key_is(&t->n[i], name, n))
			return &t->n[i];
	return NULL;
}

/*
 * A real as text, as the references always read one (SQLite's "%!.15g":
 * 15 digits, and a point always, "1.0e+20"; "Inf" beyond the range).
 */
static const char *
real_text(struct uoms_parser *p, double r)
{
	char buf[40], *e;
	size_t n;

	if (isinf(r))
		return r > 0 ? "Inf" : "-Inf";
	if (r == 0)
		return "0.0";
	n = snprintf(buf, sizeof buf, "%.15g", r);
	if (strchr(buf, '.') == NULL) {
		e = strchr(buf, 'e');
		if (e == NULL)
			e = buf + n;
		memmove(e + 2, e, buf + n - e + 1);
		memcpy(e, ".0", 2);
	}
	return uoms_arena_strndup(&p->arena, buf, strlen(buf));
}

/*
 * A member of a reference as text, or NULL for none or null: a string
 * decoded, a number printed (beyond 64 bits, with digits, as written),
 * true and false as 1 and 0, a container as JSON.
 */
static const char *
ref_text(struct uoms_parser *p, const struct uoms_jnode *nd, int digits)
{
	char buf[24];
	long long i;
	size_t n;

	if (nd == NULL)
		return NULL;
	switch (nd->type) {
	case UOMS_J_NULL:
		return NULL;
	case UOMS_J_TRUE:
		return "1";
	case UOMS_J_FALSE:
		return "0";
	case UOMS_J_STRING:
		return node_text(p, nd, &n);
	case UOMS_J_INT:
		if (node_int(nd, &i)) {
			n = snprintf(buf, sizeof buf, "%lld", i);
			return uoms_arena_strndup(&p->arena, buf, n);
		}
		if (digits)
			return uoms_arena_strndup(&p->arena, nd->v,
			    nd->vend - nd->v);
		/* FALLTHROUGH */
	case UOMS_J_REAL:
		return real_text(p, strtod(nd->v, NULL));
	default:
		return node_json(p, nd, &n);
	}
}

/* A positive whole number, or none (0 left in *out); -1 for any other. */
static int
ref_whole(const struct uoms_jnode *nd, long long *out)
{
	long long i;

	if (nd == NULL || nd->type == UOMS_J_NULL)
		return 0;
	if (nd->type != UOMS_J_INT || !node_int(nd, &i) || i < 1)
		return -1;
	*out = i;
	return 0;
}

/* A reference line's top-level members, as scanned (no tree built). */
#define REF_MEMBERS 64
struct ref_scan {
	int n;
	uint64_t seen;		/* a bit per key's length and ends */
	struct uoms_jnode m[REF_MEMBERS];
};

/* uoms_json_scan's member: kept, unless it is one the quick way cannot
 * read (an escaped key, a key given twice, too many keys): -1 stops. */
static int
ref_member(void *arg, const char *k, const char *kend, const char *v,
    const char *vend)
{
	struct ref_scan *rs = arg;
	struct uoms_jnode *nd;
	size_t n = kend - k;

	uint64_t bit = 1ULL << ((n * 7 + (unsigned char)k[1] * 3 +
	    (unsigned char)kend[-2]) & 63);

	if (rs->n == REF_MEMBERS || memchr(k, '\\', n) != NULL)
		return -1;
	/* Looked for among the keys before only when one may be alike. */
	for (int i = 0; (rs->seen & bit) && i < rs->n; i++)
		if ((size_t)(rs->m[i].kend - rs->m[i].k) == n &&
		    memcmp(rs->m[i].k, k, n) == 0)
			return -1;
	rs->seen |= bit;
	nd = &rs->m[rs->n++];
	*nd = (struct uoms_jnode){ .k = k, .kend = kend, .v = v, .vend = vend };
	switch (*v) {
	case '"': nd->type = UOMS_J_STRING; break;
	case '{': nd->type = UOMS_J_OBJECT; break;
	case '[': nd->type = UOMS_J_ARRAY; break;
	case 't': nd->type = UOMS_J_TRUE; break;
	case 'f': nd->type = UOMS_J_FALSE; break;
	case 'n': nd->type = UOMS_J_NULL; break;
	default:
		nd->type = UOMS_J_INT;
		for (const char *c = v; c < vend; c++)
			if (*c == '.' || *c == 'e' || *c == 'E')
				nd->type = UOMS_J_REAL;
	}
	return 0;
}

/* The scanned member named name; NULL when the line has none. */
static const struct uoms_jnode *
ref_find(const struct ref_scan *rs, const char *name)
{
	size_t n = strlen(name);

	for (int i = 0; i < rs->n; i++)
		if ((size_t)(rs->m[i].kend - rs->m[i].k) == n + 2 &&
		    memcmp(rs->m[i].k + 1, name, n) == 0)
			return &rs->m[i];
	return NULL;
}

/* Reads the reference's members, found by find in from. */
static enum uoms_code
ref_read(struct uoms_parser *p, const void *from,
    const struct uoms_jnode *(*find)(const void *, const char *),
    struct uoms_ref *r, struct uoms_error *e)
{
	if (ref_whole(find(from, "id"), &r->id) < 0)
		return uoms_fail(e, UOMS_INVALID, "id must be a positive whole "
		    "number");
	if (ref_whole(find(from, "version"), &r->version) < 0)
		return uoms_fail(e, UOMS_INVALID, "version must be a positive "
		    "whole number");
	r->order_no = ref_text(p, find(from, "order_no"), 0);
	r->channel = ref_text(p, find(from, "channel"), 0);
	/* As uoms_order_parse keeps it: its digits. */
	r->external_order_id = ref_text(p, find(from, "external_order_id"), 1);
	r->idempotency_key = ref_text(p, find(from, "idempotency_key"), 0);
	if (r->id == 0 && r->order_no == NULL &&
	    (r->channel == NULL || r->external_order_id == NULL))
		return uoms_fail(e, UOMS_INVALID, "not a reference: no id, "
		    "order_no, or channel and external_order_id");
	return UOMS_OK;
}

static const struct uoms_jnode *
scan_find(const void *rs, const char *name)
{
	return ref_find(rs, name);
}

static const struct uoms_jnode *
tree_find(const void *t, const char *name)
{
	return member(t, name);
}

enum uoms_code
uoms_ref_from_line(struct uoms_parser *p, const char *line, size_t len,
    struct uoms_ref *r, struct uoms_error *e)
{
	const struct uoms_jtree *t = &p->tree;
	enum uoms_code code = UOMS_OK;
	struct ref_scan rs;
	size_t lead = 0;

	uoms_arena_reset(&p->arena);
	memset(r, 0, sizeof *r);
	r->version = -1;
	e->code = UOMS_OK;
	/*
	 * The quick way: the top-level members scanned, no tree laid out
	 * (a record's nested values were most of the parse). A line it
	 * cannot read as the walk would (not an object, not JSON, a NUL,
	 * an escaped or repeated key) takes the walk, which says why.
	 */
	while (lead < len && (line[lead] == ' ' || line[lead] == '\t' ||
	    line[lead] == '\r' || line[lead] == '\n'))
		lead++;
	rs.n = 0;
	rs.seen = 0;
	if (lead < len && line[lead] == '{' && !has_nul_escape(line, len) &&
	    uoms_json_scan(line, len, ref_member, &rs) == 1)
		return ref_read(p, &rs, scan_find, r, e);
	/* The walk refuses what the lookups below would read wrong: a key
	 * given twice, a NUL in a string, a line that is not JSON. */
	if ((code = walk_tree(p, line, len, NULL, NULL, NULL, e)) != UOMS_OK)
		return code;
	if (t->n[0].type != UOMS_J_OBJECT)
		return uoms_fail(e, UOMS_INVALID, "line is a JSON %s, not an "
		    "object", uoms_json_type_name(t->n[0].type));
	return ref_read(p, t, tree_find, r, e);
}
