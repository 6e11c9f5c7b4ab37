/*
 * Reading an order's record back: plain columns, its items and open holds,
 * written by the same uoms_order_json() that writes new orders, so the
 * bytes match whichever way a record is made. Building it in SQL with
 * json_object() re-parsed every nested object and cost three times more.
 */
#include <stdlib.h>
#include <string.h>

#include "order.h"
#include "record.h"
#include "store_priv.h"

/* The order's items, copied (the statement moves on) into s's arena. */
static enum uoms_code
read_items(struct uoms_store *s, long long id, struct uoms_order *o,
    struct uoms_error *e)
{
	sqlite3_stmt *st = uoms_store_stmt(s, SQL_ITEMS_FIND);
	int rc;

	if (st == NULL)
		return uoms_store_fail(s, e, "reading items");
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct uoms_item *it;

		if (o->nitems == s->items_cap) {
			int cap = s->items_cap ? 2 * s->items_cap : 16;
			void *p = realloc(s->items, cap * sizeof *s->items);

			if (p == NULL) {
				sqlite3_reset(st);
				return uoms_fail(e, UOMS_INTERNAL, "out of memory");
			}
			s->items = p;
			s->items_cap = cap;
		}
		it = &s->items[o->nitems++];
		for (int f = 0; f <= UOMS_I_COUNT; f++) {
			struct uoms_val *v = f < UOMS_I_COUNT ? &it->f[f] :
			    &it->extra;

			*v = uoms_column_val(st, f);
			if (v->type == UOMS_V_TEXT)
				v->s = uoms_arena_strndup(&s->arena, v->s, v->n);
		}
	}
	o->items = s->items;
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return uoms_store_fail(s, e, "reading items");
	return UOMS_OK;
}

/* The open holds as a JSON array in s's arena; NULL when there are none. */
static enum uoms_code
read_holds(struct uoms_store *s, long long id, const char **holds,
    struct uoms_error *e)
{
	sqlite3_stmt *st;

	*holds = NULL;
	if (s->tx_any_holds == 0)
		return UOMS_OK;
	if ((st = uoms_store_stmt(s, SQL_HOLDS_JSON)) == NULL)
		return uoms_store_fail(s, e, "reading holds");
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return uoms_store_fail(s, e, "reading holds");
	}
	*holds = uoms_arena_strndup(&s->arena,
	    (const char *)sqlite3_column_text(st, 0),
	    sqlite3_column_bytes(st, 0));
	sqlite3_reset(st);
	return UOMS_OK;
}

enum uoms_code
uoms_record_from_row(struct uoms_store *s, sqlite3_stmt *st,
    struct uoms_buf *out, struct uoms_error *e)
{
	long long id = sqlite3_column_int64(st, 0);
	struct uoms_order o = { 0 };
	enum uoms_code code;
	const char *holds;

	uoms_arena_reset(&s->arena);
	if ((code = read_items(s, id, &o, e)) != UOMS_OK ||
	    (code = read_holds(s, id, &holds, e)) != UOMS_OK)
		return code;
	for (int f = 0; f < UOMS_O_COUNT; f++)
		o.f[f] = uoms_column_val(st, 2 + f);
	o.extra = uoms_column_val(st, 2 + UOMS_O_COUNT);
	if (uoms_order_json(&o, id, sqlite3_column_int64(st, 1),
	    (const char *)sqlite3_column_text(st, 3 + UOMS_O_COUNT),
	    (const char *)sqlite3_column_text(st, 4 + UOMS_O_COUNT), holds,
	    out) < 0)
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	return UOMS_OK;
}

enum uoms_code
uoms_order_record(struct uoms_store *s, long long id, struct uoms_buf *out,
    struct uoms_error *e)
{
	sqlite3_stmt *st = uoms_store_stmt(s, SQL_RECORD);
	enum uoms_code code;
	int rc;

	if (st == NULL)
		return uoms_store_fail(s, e, "reading an order");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		code = uoms_record_from_row(s, st, out, e);
	else if (rc == SQLITE_DONE)
		code = uoms_fail(e, UOMS_NOT_FOUND, "no order %lld", id);
	else
		code = uoms_store_fail(s, e, "reading an order");
	sqlite3_reset(st);
	return code;
}
