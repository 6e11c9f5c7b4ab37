#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "hold.h"
#include "rfc3339.h"
#include "stock.h"

/* What an order wants of one product, read before any write. */
struct want {
	char *channel, *sku;
	long long n, available;
};

struct wants {
	struct want *v;
	int n;
	char status[64], workflow[64];
};

static void
wants_free(struct wants *w)
{
	for (int i = 0; i < w->n; i++) {
		free(w->v[i].channel);
		free(w->v[i].sku);
	}
	free(w->v);
}

/* Whether entering state of wf cancels (-1), ships (1), or neither (0). */
static int
state_kind(const struct uoms_workflow *wf, const char *state)
{
	const struct uoms_state *st;
	int *k, kind = 0;

	if (wf == NULL || state == NULL ||
	    (st = uoms_workflow_state(wf, state)) == NULL)
		return 0;
	if ((k = calloc(wf->nstates, sizeof *k)) == NULL ||
	    uoms_workflow_classes(wf, k) < 0) {
		free(k);
		return st->ships;
	}
	for (int i = 0; i < wf->nstates; i++)
		if (strcmp(wf->states[i].name, state) == 0)
			kind = k[i] & UOMS_CLASS_CANCELLED ? -1 :
			    st->ships || (k[i] & UOMS_CLASS_SHIPPED) ? 1 : 0;
	free(k);
	return kind;
}

static enum uoms_code
read_wants(struct uoms_store *s, long long id, struct wants *w,
    struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_STOCK_WANTED);
	int rc;

	memset(w, 0, sizeof *w);
	if (st == NULL)
		return uoms_db_fail(s, e, "reading stock");
	uoms_db_bind_int(st, 1, id);
	while ((rc = uoms_db_step(st)) == UOMS_DB_ROW) {
		struct want *v = realloc(w->v, (w->n + 1) * sizeof *v);

		if (v == NULL) {
			uoms_db_done(st);
			return uoms_fail(e, UOMS_INTERNAL, "out of memory");
		}
		w->v = v;
		v = &w->v[w->n++];
		v->channel = strdup(uoms_db_text(st, 0));
		v->sku = strdup(uoms_db_text(st, 1));
		v->n = uoms_db_int(st, 2);
		v->available = uoms_db_int(st, 3);
		snprintf(w->status, sizeof w->status, "%s",
		    uoms_db_text(st, 4));
		snprintf(w->workflow, sizeof w->workflow, "%s",
		    uoms_db_text(st, 5));
		if (v->channel == NULL || v->sku == NULL) {
			uoms_db_done(st);
			return uoms_fail(e, UOMS_INTERNAL, "out of memory");
		}
	}
	uoms_db_done(st);
	return rc == UOMS_DB_DONE ? UOMS_OK : uoms_db_fail(s, e,
	    "reading stock");
}

/* Runs one of the statements keyed (channel, sku, n). */
static enum uoms_code
product_step(struct uoms_store *s, enum uoms_sql which, const struct want *v,
    int *taken, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, which);
	int rc;

	if (st == NULL)
		return uoms_db_fail(s, e, "reserving stock");
	uoms_db_bind_text(st, 1, v->channel);
	uoms_db_bind_text(st, 2, v->sku);
	uoms_db_bind_int(st, 3, v->n);
	if (taken == NULL)
		return uoms_db_exec(s, st, "reserving stock", e);
	rc = uoms_db_step(st);
	*taken = rc == UOMS_DB_ROW;
	uoms_db_done(st);
	return rc == UOMS_DB_ROW || rc == UOMS_DB_DONE ? UOMS_OK :
	    uoms_db_fail(s, e, "reserving stock");
}

/*
 * Asks which (an EXISTS) once a write transaction, remembered in *known
 * (uoms_store_any_*): nobody else writes while it is open (SQLite's BEGIN
 * IMMEDIATE, PostgreSQL's write lock). Out of one, asked every time.
 */
static enum uoms_code
ask_once(struct uoms_store *s, int *known, enum uoms_sql which, int *any,
    struct uoms_error *e)
{
	struct uoms_stmt *st;
	int rc;

	if (*known >= 0) {
		*any = *known;
		return UOMS_OK;
	}
	if ((st = uoms_db_stmt(s, which)) == NULL)
		return uoms_db_fail(s, e, "reading stock");
	rc = uoms_db_step(st);
	*any = rc != UOMS_DB_ROW || uoms_db_int(st, 0);
	uoms_db_done(st);
	if (rc != UOMS_DB_ROW)
		return uoms_db_fail(s, e, "reading stock");
	*known = uoms_store_in_tx(s) ? *any : -1;
	return UOMS_OK;
}

/*
 * Is any product tracked (has a stock)? A fresh ingest into a store that
 * tracks nothing then skips the per-order query of what it wants. A
 * product given a stock by another process between two batches is seen
 * by the next, which asks again.
 */
static enum uoms_code
any_tracked(struct uoms_store *s, int *any, struct uoms_error *e)
{
	return ask_once(s, uoms_store_any_stock(s), SQL_STOCK_ANY, any, e);
}

/* Is any unit reserved? A move that ships or cancels an order then has
 * something to settle; a store with none skips two writes a move. */
static enum uoms_code
any_reserved(struct uoms_store *s, int *any, struct uoms_error *e)
{
	return ask_once(s, uoms_store_any_reserved(s), SQL_STOCK_ANY_RESERVED,
	    any, e);
}

enum uoms_code
uoms_stock_reserve(struct uoms_store *s, long long order_id, int *held,
    struct uoms_error *e)
{
	const struct uoms_workflow *wf;
	struct uoms_stmt *st;
	struct wants w;
	enum uoms_code code;
	int i, taken = 1, any;
	char now[24], note[400], why[300];

	*held = 0;
	if ((code = any_tracked(s, &any, e)) != UOMS_OK || !any)
		return code;
	if ((code = read_wants(s, order_id, &w, e)) != UOMS_OK || w.n == 0)
		goto out;
	wf = uoms_workflow_get(w.workflow, why, sizeof why);
	if (state_kind(wf, w.status) != 0)
		goto out;
	/* All or nothing: a short product gives back what came before. */
	for (i = 0; i < w.n && taken; i++)
		if ((code = product_step(s, SQL_STOCK_TAKE, &w.v[i], &taken,
		    e)) != UOMS_OK)
			goto out;
	if (!taken) {
		const struct want *v = &w.v[--i];

		while (i-- > 0)
			if ((code = product_step(s, SQL_STOCK_GIVE_BACK,
			    &w.v[i], NULL, e)) != UOMS_OK)
				goto out;
		snprintf(note, sizeof note, "sku %s%s%.200s: wanted %lld, "
		    "available %lld", v->channel, *v->channel ? "/" : "",
		    v->sku, v->n, v->available < 0 ? 0 : v->available);
		*held = 1;
		code = uoms_hold_place(s, order_id, "stock_shortage", note,
		    NULL, e);
		goto out;
	}
	uoms_time_now(now);
	for (i = 0; i < w.n; i++) {
		if ((st = uoms_db_stmt(s, SQL_STOCK_RESERVE)) == NULL) {
			code = uoms_db_fail(s, e, "reserving stock");
			goto out;
		}
		uoms_db_bind_int(st, 1, order_id);
		uoms_db_bind_text(st, 2, w.v[i].channel);
		uoms_db_bind_text(st, 3, w.v[i].sku);
		uoms_db_bind_int(st, 4, w.v[i].n);
		uoms_db_bind_text(st, 5, now);
		if ((code = uoms_db_exec(s, st, "reserving stock", e)) !=
		    UOMS_OK)
			goto out;
		*uoms_store_any_reserved(s) = 1;
	}
out:
	wants_free(&w);
	return code;
}

enum uoms_code
uoms_stock_items(struct uoms_store *s, long long order_id,
    struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_STOCK_RESERVED);
	struct wants w = { 0 };
	enum uoms_code code = UOMS_OK;
	char now[24];
	int rc;

	if (st == NULL)
		return uoms_db_fail(s, e, "reading stock");
	uoms_db_bind_int(st, 1, order_id);
	/* The ones wanting fewer units now, as the units to give back. */
	while ((rc = uoms_db_step(st)) == UOMS_DB_ROW) {
		long long held = uoms_db_int(st, 2), now_wanted = uoms_db_int(st,
		    3);
		struct want *v;

		if (now_wanted >= held)
			continue;
		if ((v = realloc(w.v, (w.n + 1) * sizeof *v)) == NULL) {
			code = uoms_fail(e, UOMS_INTERNAL, "out of memory");
			break;
		}
		w.v = v;
		v = &w.v[w.n++];
		v->channel = strdup(uoms_db_text(st, 0));
		v->sku = strdup(uoms_db_text(st, 1));
		v->n = held - now_wanted;
		v->available = now_wanted;	/* what stays reserved */
		if (v->channel == NULL || v->sku == NULL) {
			code = uoms_fail(e, UOMS_INTERNAL, "out of memory");
			break;
		}
	}
	uoms_db_done(st);
	if (code == UOMS_OK && rc != UOMS_DB_DONE)
		code = uoms_db_fail(s, e, "reading stock");
	uoms_time_now(now);
	for (int i = 0; code == UOMS_OK && i < w.n; i++) {
		const struct want *v = &w.v[i];

		if ((code = product_step(s, SQL_STOCK_GIVE_BACK, v, NULL, e)) !=
		    UOMS_OK)
			break;
		if ((st = uoms_db_stmt(s, SQL_STOCK_SET)) == NULL) {
			code = uoms_db_fail(s, e, "releasing stock");
			break;
		}
		uoms_db_bind_int(st, 1, order_id);
		uoms_db_bind_text(st, 2, v->channel);
		uoms_db_bind_text(st, 3, v->sku);
		uoms_db_bind_int(st, 4, v->available);
		uoms_db_bind_text(st, 5, v->available > 0 ? "reserved" :
		    "released");
		uoms_db_bind_text(st, 6, now);
		code = uoms_db_exec(s, st, "releasing stock", e);
	}
	wants_free(&w);
	return code;
}

/* Every reservation order_id holds, given back (kind < 0) or taken out
 * of stock (kind > 0), then marked so: writes only. */
static enum uoms_code
settle(struct uoms_store *s, long long order_id, int kind,
    struct uoms_error *e)
{
	struct uoms_stmt *st;
	enum uoms_code code;
	char now[24];
	int any;

	if ((code = any_reserved(s, &any, e)) != UOMS_OK || !any)
		return code;
	if ((st = uoms_db_stmt(s, kind < 0 ? SQL_STOCK_RELEASE_ALL :
	    SQL_STOCK_CONSUME_ALL)) == NULL)
		return uoms_db_fail(s, e, "releasing stock");
	uoms_db_bind_int(st, 1, order_id);
	if ((code = uoms_db_exec(s, st, "releasing stock", e)) != UOMS_OK)
		return code;
	if ((st = uoms_db_stmt(s, SQL_STOCK_MARK_ALL)) == NULL)
		return uoms_db_fail(s, e, "releasing stock");
	uoms_time_now(now);
	uoms_db_bind_int(st, 1, order_id);
	uoms_db_bind_text(st, 2, kind < 0 ? "released" : "consumed");
	uoms_db_bind_text(st, 3, now);
	return uoms_db_exec(s, st, "releasing stock", e);
}

enum uoms_code
uoms_stock_enter(struct uoms_store *s, long long order_id,
    const struct uoms_workflow *wf, const char *state, struct uoms_error *e)
{
	enum uoms_code code;
	int kind, any;

	/* Asked first: a workflow's classes cost more than the answer. */
	if ((code = any_reserved(s, &any, e)) != UOMS_OK || !any)
		return code;
	kind = state_kind(wf, state);
	return kind == 0 ? UOMS_OK : settle(s, order_id, kind, e);
}

enum uoms_code
uoms_stock_release(struct uoms_store *s, long long order_id,
    struct uoms_error *e)
{
	return settle(s, order_id, -1, e);
}
