/*
 * Reading an order's record back: plain columns, its items and open holds,
 * written by the same uoms_order_json() that writes new orders, so the
 * bytes match whichever way a record is made. Building it in SQL with
 * json_object() re-parsed every nested object and cost three times more.
 */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "order.h"
#include "record.h"

/* A text value copied into the scratch: the row it is read from moves
 * on before the record is written. */
static void
keep(struct uoms_scratch *sc, struct uoms_val *v)
{
	if (v->type == UOMS_V_TEXT)
		v->s = uoms_arena_strndup(&sc->arena, v->s, v->n);
}

/* Column col as text (NULL for NULL), copied into the scratch. */
static const char *
text(struct uoms_scratch *sc, struct uoms_stmt *st, int col)
{
	const char *t = uoms_db_text(st, col);

	return t == NULL ? NULL : uoms_arena_strndup(&sc->arena, t,
	    strlen(t));
}

/* Appends to o the item in st's current row, from column col on. */
static enum uoms_code
add_item(struct uoms_scratch *sc, struct uoms_order *o, struct uoms_stmt *st,
    int col, struct uoms_error *e)
{
	struct uoms_item *it;

	if (o->nitems == sc->items_cap) {
		int cap = sc->items_cap ? 2 * sc->items_cap : 16;
		void *p = realloc(sc->items, cap * sizeof *sc->items);

		if (p == NULL)
			return uoms_fail(e, UOMS_INTERNAL, "out of memory");
		sc->items = p;
		sc->items_cap = cap;
	}
	o->items = sc->items;
	it = &sc->items[o->nitems++];
	for (int f = 0; f <= UOMS_I_COUNT; f++) {
		struct uoms_val *v = f < UOMS_I_COUNT ? &it->f[f] : &it->extra;

		*v = uoms_db_val(st, col + f);
		keep(sc, v);
	}
	return UOMS_OK;
}

/* Puts the n items in their order, by seq (an insertion sort: an order
 * has a few). */
static void
sort_items(struct uoms_item *it, long long *seq, int n)
{
	for (int i = 1; i < n; i++) {
		struct uoms_item x = it[i];
		long long k = seq[i];
		int j = i;

		for (; j > 0 && seq[j - 1] > k; j--) {
			it[j] = it[j - 1];
			seq[j] = seq[j - 1];
		}
		it[j] = x;
		seq[j] = k;
	}
}

/*
 * The order's items, copied (the statement moves on) into the scratch,
 * in seq order: sorted here, not by the statement, whose sort cost more
 * than the rest of the read (a temporary b-tree a record).
 */
static enum uoms_code
read_items(struct uoms_store *s, long long id, struct uoms_order *o,
    struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_ITEMS_UNSORTED);
	struct uoms_scratch *sc = uoms_store_scratch(s);
	long long few[16], *seq = few;
	enum uoms_code code = UOMS_OK;
	enum uoms_db_step rc;
	int n = 0, cap = 16;

	if (st == NULL)
		return uoms_db_fail(s, e, "reading items");
	uoms_db_bind_int(st, 1, id);
	while ((rc = uoms_db_step(st)) == UOMS_DB_ROW) {
		if (n == cap) {
			long long *p = seq == few ? malloc(2 * cap *
			    sizeof *p) : realloc(seq, 2 * cap * sizeof *p);

			if (p == NULL) {
				code = uoms_fail(e, UOMS_INTERNAL,
				    "out of memory");
				break;
			}
			if (seq == few)
				memcpy(p, few, sizeof few);
			seq = p;
			cap *= 2;
		}
		seq[n++] = uoms_db_int(st, UOMS_I_COUNT + 1);
		if ((code = add_item(sc, o, st, 0, e)) != UOMS_OK)
			break;
	}
	if (code == UOMS_OK && rc == UOMS_DB_ERROR)
		code = uoms_db_fail(s, e, "reading items");
	uoms_db_done(st);
	if (code == UOMS_OK)
		sort_items(o->items + o->nitems - n, seq, n);
	if (seq != few)
		free(seq);
	return code;
}

/* Appends member name and the text of column col (null for NULL). */
static void
json_member(struct uoms_buf *b, const char *name, struct uoms_stmt *st,
    int col)
{
	uoms_buf_add(b, ",\"", 2);
	uoms_buf_str(b, name);
	uoms_buf_add(b, "\":", 2);
	if (uoms_db_is_null(st, col))
		UOMS_BUF_LIT(b, "null");
	else
		uoms_buf_json_string(b, uoms_db_text(st, col),
		    uoms_db_bytes(st, col));
}

/*
 * The open holds as a JSON array in the scratch; NULL when none can be
 * (no hold in the transaction). Written here, not by the engine's JSON
 * functions, so that both engines give the same bytes.
 */
static enum uoms_code
read_holds(struct uoms_store *s, long long id, const char **holds,
    struct uoms_error *e)
{
	struct uoms_stmt *st;
	struct uoms_buf b = { 0 };
	enum uoms_db_step rc;
	int n = 0;

	*holds = NULL;
	if (*uoms_store_any_holds(s) == 0)
		return UOMS_OK;
	if ((st = uoms_db_stmt(s, SQL_HOLDS_OPEN)) == NULL)
		return uoms_db_fail(s, e, "reading holds");
	uoms_db_bind_int(st, 1, id);
	uoms_buf_str(&b, "[");
	while ((rc = uoms_db_step(st)) == UOMS_DB_ROW) {
		if (n++)
			UOMS_BUF_LIT(&b, ",");
		UOMS_BUF_LIT(&b, "{\"id\":");
		uoms_buf_int(&b, uoms_db_int(st, 0));
		json_member(&b, "reason", st, 1);
		json_member(&b, "note", st, 2);
		json_member(&b, "state", st, 3);
		json_member(&b, "placed_by", st, 4);
		json_member(&b, "placed_at", st, 5);
		uoms_buf_str(&b, "}");
	}
	uoms_buf_str(&b, "]");
	if (rc == UOMS_DB_ERROR) {
		enum uoms_code code = uoms_db_fail(s, e, "reading holds");

		uoms_db_done(st);
		uoms_buf_free(&b);
		return code;
	}
	uoms_db_done(st);
	*holds = uoms_arena_strndup(&uoms_store_scratch(s)->arena, b.p, b.n);
	uoms_buf_free(&b);
	return UOMS_OK;
}

/* The items of order id from the page's statement, as read_items. */
static enum uoms_code
page_items(struct uoms_store *s, struct uoms_record_items *ri, long long id,
    struct uoms_order *o, struct uoms_error *e)
{
	struct uoms_scratch *sc = uoms_store_scratch(s);

	if (ri->at < 0)
		ri->at = uoms_db_step(ri->st);
	while (ri->at == UOMS_DB_ROW) {
		long long of = uoms_db_int(ri->st, 0);

		if (of < id)
			break;	/* the next order's */
		if (of == id && add_item(sc, o, ri->st, 1, e) != UOMS_OK)
			return e->code;
		ri->at = uoms_db_step(ri->st);
	}
	if (ri->at == UOMS_DB_ERROR)
		return uoms_db_fail(s, e, "reading items");
	return UOMS_OK;
}

static enum uoms_code
from_row(struct uoms_store *s, struct uoms_stmt *st,
    struct uoms_record_items *ri, struct uoms_buf *out, struct uoms_error *e)
{
	long long id = uoms_db_int(st, 0);
	struct uoms_order o = { 0 };
	enum uoms_code code;
	const char *holds;

	uoms_arena_reset(&uoms_store_scratch(s)->arena);
	if ((code = ri != NULL ? page_items(s, ri, id, &o, e) :
	    read_items(s, id, &o, e)) != UOMS_OK ||
	    (code = read_holds(s, id, &holds, e)) != UOMS_OK)
		return code;
	for (int f = 0; f < UOMS_O_COUNT; f++)
		o.f[f] = uoms_db_val(st, 2 + f);
	o.extra = uoms_db_val(st, 2 + UOMS_O_COUNT);
	if (uoms_order_json(&o, id, uoms_db_int(st, 1),
	    uoms_db_text(st, 3 + UOMS_O_COUNT),
	    uoms_db_text(st, 4 + UOMS_O_COUNT), holds, out) < 0)
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	return UOMS_OK;
}

enum uoms_code
uoms_record_from_row(struct uoms_store *s, struct uoms_stmt *st,
    struct uoms_buf *out, struct uoms_error *e)
{
	return from_row(s, st, NULL, out, e);
}

enum uoms_code
uoms_record_from_page(struct uoms_store *s, struct uoms_stmt *st,
    struct uoms_record_items *ri, struct uoms_buf *out, struct uoms_error *e)
{
	return from_row(s, st, ri, out, e);
}

/*
 * The order and its items are one statement (SQL_RECORD: a row per item,
 * the order's columns on each, or one row with no item): on PostgreSQL a
 * record read back after a change is one round trip, not two.
 */
enum uoms_code
uoms_order_record(struct uoms_store *s, long long id, struct uoms_buf *out,
    struct uoms_error *e)
{
	return uoms_order_record_head(s, id, out, NULL, e);
}

/*
 * The order in st's current row (SQL_RECORD's columns) and its items,
 * from this row and those after it of the same order; *rc is the step
 * after them. Its texts are copied into the scratch (reset here).
 */
static enum uoms_code
order_rows(struct uoms_store *s, struct uoms_stmt *st, struct uoms_order *o,
    long long *version, int *deleted, const char **created,
    const char **updated, enum uoms_db_step *rc, struct uoms_error *e)
{
	struct uoms_scratch *sc = uoms_store_scratch(s);
	long long id = uoms_db_int(st, 0);

	uoms_arena_reset(&sc->arena);
	memset(o, 0, sizeof *o);
	*version = uoms_db_int(st, 1);
	/* After the item's six columns. */
	*deleted = !uoms_db_is_null(st, UOMS_RECORD_NCOLUMNS + 6);
	for (int f = 0; f < UOMS_O_COUNT; f++) {
		o->f[f] = uoms_db_val(st, 2 + f);
		keep(sc, &o->f[f]);
	}
	o->extra = uoms_db_val(st, 2 + UOMS_O_COUNT);
	keep(sc, &o->extra);
	*created = text(sc, st, 3 + UOMS_O_COUNT);
	*updated = text(sc, st, 4 + UOMS_O_COUNT);
	do {
		/* external_item_id is NOT NULL: NULL is the join's no item. */
		if (!uoms_db_is_null(st, UOMS_RECORD_NCOLUMNS) &&
		    add_item(sc, o, st, UOMS_RECORD_NCOLUMNS, e) != UOMS_OK)
			return e->code;
	} while ((*rc = uoms_db_step(st)) == UOMS_DB_ROW &&
	    uoms_db_int(st, 0) == id);
	if (*rc == UOMS_DB_ERROR)
		return uoms_db_fail(s, e, "reading an order");
	return UOMS_OK;
}

enum uoms_code
uoms_order_record_head(struct uoms_store *s, long long id,
    struct uoms_buf *out, struct uoms_record_head *head, struct uoms_error *e)
{
	/* Local, two statements: the items sorted alone, not the join's
	 * wide rows (6 000 instructions of a record's 47 700). */
	int alone = !uoms_db_remote(s);
	struct uoms_stmt *st = uoms_db_stmt(s, alone ? SQL_RECORD_ALONE :
	    SQL_RECORD);
	struct uoms_order o;
	const char *created, *updated;
	enum uoms_db_step rc;
	enum uoms_code code;
	const char *holds;
	long long version;
	int deleted;

	if (st == NULL)
		return uoms_db_fail(s, e, "reading an order");
	uoms_db_bind_int(st, 1, id);
	rc = uoms_db_step(st);
	if (rc != UOMS_DB_ROW) {
		code = rc == UOMS_DB_DONE ? uoms_fail(e, UOMS_NOT_FOUND,
		    "no order %lld", id) : uoms_db_fail(s, e,
		    "reading an order");
		uoms_db_done(st);
		return code;
	}
	code = order_rows(s, st, &o, &version, &deleted, &created, &updated,
	    &rc, e);
	uoms_db_done(st);
	if (code == UOMS_OK && alone)
		code = read_items(s, id, &o, e);
	if (code != UOMS_OK)
		return code;
	if (head != NULL) {
		head->version = version;
		head->deleted = deleted;
		head->department = o.f[UOMS_O_DEPARTMENT].type == UOMS_V_TEXT ?
		    o.f[UOMS_O_DEPARTMENT].s : NULL;
	}
	if (out == NULL)
		return UOMS_OK;
	if ((code = read_holds(s, id, &holds, e)) != UOMS_OK)
		return code;
	if (uoms_order_json(&o, id, version, created, updated, holds, out) < 0)
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	return UOMS_OK;
}

enum uoms_code
uoms_record_keep(struct uoms_store *s, long long id, long long version,
    const char *rec, size_t n, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_RENDERING_PUT);

	if (st == NULL)
		return uoms_db_fail(s, e, "keeping a record");
	uoms_db_bind_int(st, 1, id);
	uoms_db_bind_int(st, 2, version);
	uoms_db_bind_textn(st, 3, rec, n);
	return uoms_db_exec(s, st, "keeping a record", e);
}

/* The write is not awaited here: on PostgreSQL, while the run defers
 * its inputs' writes (uoms_db_defer), it goes with a later round trip. */
enum uoms_code
uoms_order_record_kept(struct uoms_store *s, long long id,
    struct uoms_buf *out, struct uoms_error *e)
{
	struct uoms_record_head head;
	size_t at = out->n;
	enum uoms_code code;
	enum uoms_sql failed;

	if ((code = uoms_order_record_head(s, id, out, &head, e)) != UOMS_OK)
		return code;
	uoms_db_later(s);
	code = uoms_record_keep(s, id, head.version, out->p + at, out->n - at,
	    e);
	if (uoms_db_flush(s, &failed) < 0 && code == UOMS_OK)
		code = uoms_db_fail(s, e, "keeping a record");
	return code;
}

enum uoms_code
uoms_order_records(struct uoms_store *s, const char *ids, size_t len,
    int (*fn)(void *, long long, const char *, size_t), void *arg,
    struct uoms_error *e)
{
	struct uoms_stmt *st;
	struct uoms_buf rec = { 0 };
	struct uoms_order o;
	const char *created, *updated, *holds;
	enum uoms_db_step rc;
	enum uoms_code code = UOMS_OK;
	long long version;
	int deleted;

	if ((st = uoms_db_stmt(s, SQL_RECORDS)) == NULL)
		return uoms_db_fail(s, e, "reading orders");
	uoms_db_bind_textn(st, 1, ids, len);
	rc = uoms_db_step(st);
	while (rc == UOMS_DB_ROW) {
		long long id = uoms_db_int(st, 0);

		if ((code = order_rows(s, st, &o, &version, &deleted,
		    &created, &updated, &rc, e)) != UOMS_OK)
			break;
		uoms_buf_clear(&rec);
		holds = NULL;
		if (uoms_order_json(&o, id, version, created, updated, holds,
		    &rec) < 0 || fn(arg, id, rec.p, rec.n) < 0) {
			code = uoms_fail(e, UOMS_INTERNAL, "out of memory");
			break;
		}
	}
	if (code == UOMS_OK && rc == UOMS_DB_ERROR)
		code = uoms_db_fail(s, e, "reading orders");
	uoms_db_done(st);
	uoms_buf_free(&rec);
	return code;
}
