#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "db.h"
#include "query.h"
#include "record.h"

/*
 * The flat columns: a column of the order, or a member of one of its JSON
 * columns (written as the engine reads it: uoms_db_json_member).
 */
static const struct {
	const char *name, *sql, *member;
} flat[UOMS_Q_COUNT] = {
	[UOMS_Q_ID] = { "id", "o.id", NULL },
	[UOMS_Q_CHANNEL] = { "channel", "o.channel", NULL },
	[UOMS_Q_EXTERNAL_ORDER_ID] = { "external_order_id",
	    "o.external_order_id", NULL },
	[UOMS_Q_ORDER_NO] = { "order_no", "o.order_no", NULL },
	[UOMS_Q_KIND] = { "kind", "o.kind", NULL },
	[UOMS_Q_WORKFLOW] = { "workflow", "o.workflow", NULL },
	[UOMS_Q_STATUS] = { "status", "o.status", NULL },
	[UOMS_Q_VERSION] = { "version", "o.version", NULL },
	[UOMS_Q_DEPARTMENT] = { "department", "o.department", NULL },
	[UOMS_Q_WAREHOUSE] = { "warehouse", "o.warehouse", NULL },
	[UOMS_Q_CUSTOMER_NAME] = { "customer_name", "o.customer", "name" },
	[UOMS_Q_CUSTOMER_PHONE] = { "customer_phone", "o.customer", "phone" },
	[UOMS_Q_POSTAL_CODE] = { "postal_code", "o.shipping", "postal_code" },
	[UOMS_Q_ADDRESS] = { "address", "o.shipping", "address" },
	[UOMS_Q_ZONE] = { "zone", "o.shipping", "zone" },
	[UOMS_Q_ETA] = { "eta", "o.eta", NULL },
	[UOMS_Q_DRIVER_NAME] = { "driver_name", "o.driver", "name" },
	[UOMS_Q_DRIVER_PHONE] = { "driver_phone", "o.driver", "phone" },
	[UOMS_Q_PLACED_AT] = { "placed_at", "o.placed_at", NULL },
	[UOMS_Q_CHANNEL_UPDATED_AT] = { "channel_updated_at",
	    "o.channel_updated_at", NULL },
	[UOMS_Q_DEPART_TIME] = { "depart_time", "o.depart_time", NULL },
	[UOMS_Q_COMPLETE_TIME] = { "complete_time", "o.complete_time", NULL },
	[UOMS_Q_TOTAL_AMOUNT] = { "total_amount", "o.total_amount", NULL },
	[UOMS_Q_CURRENCY] = { "currency", "o.currency", NULL },
	[UOMS_Q_ITEMS] = { "items", "(SELECT count(*) FROM order_items i"
	    " WHERE i.order_id = o.id)", NULL },
	[UOMS_Q_CREATED_AT] = { "created_at", "o.created_at", NULL },
	[UOMS_Q_UPDATED_AT] = { "updated_at", "o.updated_at", NULL },
};

struct uoms_cursor {
	struct uoms_stmt *st;
	struct uoms_stmt *items;	/* the page's items, or NULL */
	struct uoms_record_items ri;
	struct uoms_store *s;
	int flat, first;
	char keys[6][32];	/* parameters computed from the query's times */
	char *order_no_end;	/* the bound of --order-no's range, or NULL */
};

/* Open holds anywhere: read once per cursor, so a record need not ask. */
static int
any_open_holds(struct uoms_store *s)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_QUERY_ANY_HOLD);
	int any = 1;

	if (st != NULL && uoms_db_step(st) == UOMS_DB_ROW)
		any = (int)uoms_db_int(st, 0);
	if (st != NULL)
		uoms_db_done(st);
	return any;
}

const char *
uoms_query_column_name(enum uoms_qcol c)
{
	return flat[c].name;
}

/*
 * The comparison key of a normalised time column c, in SQL: its whole
 * second, then its decimals padded with zeros to nine (time_key in C).
 */
#define TIME_KEY(c) "(substr(" c ", 1, 19) || substr(CASE WHEN substr(" c \
	", 20, 1) = '.' THEN substr(" c ", 21, length(" c ") - 21) ELSE ''" \
	" END || '000000000', 1, 9))"

/* The text being built and the values its parameters take, in order. */
struct build {
	struct uoms_store *s;
	struct uoms_buf sql;
	size_t from;		/* where " FROM orders" starts in sql */
	const char **text;
	int n, cap, broken;
};

/* The number of a new parameter that takes text v (borrowed: it lives
 * as long as the cursor). */
static int
value(struct build *b, const char *v)
{
	if (b->n == b->cap) {
		int cap = b->cap ? 2 * b->cap : 16;
		const char **p = realloc(b->text, cap * sizeof *p);

		if (p == NULL) {
			b->broken = 1;
			return b->n;
		}
		b->text = p;
		b->cap = cap;
	}
	b->text[b->n++] = v;
	return b->n;
}

/* Appends a parameter that takes text v (as value). */
static void
param(struct build *b, const char *v)
{
	uoms_db_param(b->s, &b->sql, value(b, v));
}

/* An exclusive upper bound as text: the next whole second ("...:01"),
 * which sorts after every time in the second before it. */
static void
ceil_of(const char *t, char out[32])
{
	struct tm tm = { 0 };
	time_t sec;

	out[0] = '\0';
	if (strptime(t, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
		return;
	sec = timegm(&tm) + 1;
	gmtime_r(&sec, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
}

/*
 * The key of t (normalised by uoms_time_normalize: at most nine
 * decimals) as TIME_KEY writes it for a column.
 */
static void
key_of(const char *t, char out[32])
{
	size_t n = 0;

	out[0] = '\0';
	if (strlen(t) < 20)
		return;
	memcpy(out, t, 19);
	if (t[19] == '.')
		for (const char *p = t + 20; *p >= '0' && *p <= '9' && n < 9;
		    p++)
			out[19 + n++] = *p;
	while (n < 9)
		out[19 + n++] = '0';
	out[28] = '\0';
}

/* " AND col >= from AND col < to" for one time column, as keys. */
static void
time_range(struct build *b, const char *col, const char *key_sql,
    const char *from, const char *to, char (*keys)[32])
{
	/*
	 * Times are stored normalised ("...:SSZ" or "...:SS.fffZ", as many
	 * decimals as given), which sort wrong as text ('.' < 'Z') and which
	 * julianday() rounds to milliseconds; so both sides are compared as
	 * a fixed-width key, the whole second and nine decimals, exact at any
	 * stored precision. The whole-second text bound before it keeps the
	 * index.
	 */
	if (from[0]) {
		key_of(from, keys[0]);
		uoms_buf_printf(&b->sql, " AND %s >= substr(", col);
		param(b, from);
		uoms_buf_printf(&b->sql, ", 1, 19) AND %s >= ", key_sql);
		param(b, keys[0]);
	}
	/*
	 * A range open to the future is closed by ':', after every stored
	 * time (they start with a digit): SQLite takes a range of two
	 * bounds for a few rows and reads the index, where it took one of
	 * one bound for a quarter of the store and read every order (a
	 * --placed-from of today, at a million orders). A range open to the
	 * past is most of a store: read in id order, with no sort.
	 */
	if (from[0] && !to[0])
		uoms_buf_printf(&b->sql, " AND %s < ':'", col);
	if (to[0]) {
		ceil_of(to, keys[1]);
		key_of(to, keys[2]);
		uoms_buf_printf(&b->sql, " AND %s < ", col);
		param(b, keys[1]);
		uoms_buf_printf(&b->sql, " AND %s < ", key_sql);
		param(b, keys[2]);
	}
}

/* Builds the SQL for q; every value is a bound parameter, never text. */
static void
build(const struct uoms_query *q, struct build *b, struct uoms_cursor *c)
{
	uoms_buf_str(&b->sql, "SELECT " UOMS_RECORD_COLUMNS);
	for (int i = 0; q->flat && i < UOMS_Q_COUNT; i++) {
		uoms_buf_str(&b->sql, ", ");
		if (flat[i].member != NULL)
			uoms_db_json_member(b->s, &b->sql, flat[i].sql,
			    flat[i].member);
		else
			uoms_buf_str(&b->sql, flat[i].sql);
	}
	b->from = b->sql.n;
	/* A deleted order is in no normal view (lib/delete.h). */
	uoms_buf_str(&b->sql, q->deleted ? " FROM orders o WHERE"
	    " o.deleted_at IS NOT NULL" : " FROM orders o WHERE"
	    " o.deleted_at IS NULL");
	if (q->id > 0)
		uoms_buf_printf(&b->sql, " AND o.id = %lld", q->id);
	if (q->before_id > 0)
		uoms_buf_printf(&b->sql, " AND o.id < %lld", q->before_id);
	if (q->order_no != NULL) {
		int lo = value(b, q->order_no);

		if ((c->order_no_end = uoms_db_prefix_end(q->order_no)) ==
		    NULL)
			b->broken = 1;
		uoms_buf_str(&b->sql, " AND ");
		uoms_db_prefix_match(b->s, &b->sql, "o.order_no", lo,
		    c->order_no_end != NULL && c->order_no_end[0] != '\0' ?
		    value(b, c->order_no_end) : 0);
	}
	if (q->channel != NULL) {
		uoms_buf_str(&b->sql, " AND o.channel = ");
		param(b, q->channel);
	}
	if (q->department != NULL) {
		uoms_buf_str(&b->sql, " AND o.department = ");
		param(b, q->department);
	}
	if (q->statuses != NULL) {
		uoms_buf_str(&b->sql, " AND o.status IN (");
		for (int i = 0; q->statuses[i] != NULL; i++) {
			uoms_buf_str(&b->sql, i ? ", " : "");
			param(b, q->statuses[i]);
		}
		uoms_buf_str(&b->sql, ")");
	}
	/*
	 * Held: the orders of the open holds (holds_open), a few of the
	 * store, found by id; a correlated EXISTS read every order to ask.
	 * Not held is most of the store: it is read, each order asked.
	 */
	if (q->on_hold > 0)
		uoms_buf_str(&b->sql, " AND o.id IN (SELECT h.order_id FROM"
		    " holds h WHERE h.state <> 'resolved')");
	else if (q->on_hold == 0)
		uoms_buf_str(&b->sql, " AND NOT EXISTS (SELECT 1 FROM holds h"
		    " WHERE h.order_id = o.id AND h.state <> 'resolved')");
	time_range(b, "o.placed_at", TIME_KEY("o.placed_at"), q->placed_from,
	    q->placed_to, &c->keys[0]);
	time_range(b, "o.eta", TIME_KEY("o.eta"), q->eta_from, q->eta_to,
	    &c->keys[3]);
	uoms_buf_str(&b->sql, " ORDER BY o.id DESC");
	if (q->limit > 0)
		uoms_buf_printf(&b->sql, " LIMIT %lld", q->limit);
}

/*
 * The items of a page (a query with a limit) are read by a second
 * statement over the same orders, in the same order: on PostgreSQL a
 * round trip a page of items, not one an order. A listing without a
 * limit reads them order by order, so that no read sorts the items of
 * the whole store at once.
 */
static int
items(struct uoms_store *s, struct build *b, struct uoms_cursor *c,
    struct uoms_error *e)
{
	struct uoms_buf sql = { 0 };

	uoms_buf_str(&sql, "SELECT " UOMS_RECORD_ITEM_COLUMNS " FROM"
	    " order_items i WHERE i.order_id IN (SELECT o.id");
	uoms_buf_add(&sql, b->sql.p + b->from, b->sql.n - b->from);
	uoms_buf_str(&sql, ") ORDER BY i.order_id DESC, i.seq");
	if (sql.p == NULL) {
		uoms_fail(e, UOMS_INTERNAL, "out of memory");
		return -1;
	}
	c->items = uoms_db_prepare(s, sql.p);
	uoms_buf_free(&sql);
	if (c->items == NULL) {
		uoms_db_fail(s, e, "preparing the query");
		return -1;
	}
	for (int i = 0; i < b->n; i++)
		uoms_db_bind_text(c->items, i + 1, b->text[i]);
	c->ri.st = c->items;
	c->ri.at = -1;
	return 0;
}

struct uoms_cursor *
uoms_query_open(struct uoms_store *s, const struct uoms_query *q,
    struct uoms_error *e)
{
	struct uoms_cursor *c = calloc(1, sizeof *c);
	struct build b = { .s = s };

	if (c == NULL) {
		uoms_fail(e, UOMS_INTERNAL, "out of memory");
		return NULL;
	}
	build(q, &b, c);
	if (b.broken) {
		uoms_fail(e, UOMS_INTERNAL, "out of memory");
		goto fail;
	}
	if ((c->st = uoms_db_prepare(s, b.sql.p)) == NULL) {
		uoms_db_fail(s, e, "preparing the query");
		goto fail;
	}
	for (int i = 0; i < b.n; i++)
		uoms_db_bind_text(c->st, i + 1, b.text[i]);
	if (!q->flat && q->limit > 0 && items(s, &b, c, e) < 0)
		goto fail;
	uoms_buf_free(&b.sql);
	free(b.text);
	c->s = s;
	c->flat = q->flat;
	c->first = 1;
	return c;
fail:
	uoms_buf_free(&b.sql);
	free(b.text);
	uoms_db_free(c->st);
	free(c->order_no_end);
	free(c);
	return NULL;
}

int
uoms_query_next(struct uoms_cursor *c, struct uoms_buf *record,
    struct uoms_error *e)
{
	enum uoms_db_step rc = uoms_db_step(c->st);

	if (rc == UOMS_DB_DONE)
		return 0;
	if (rc != UOMS_DB_ROW) {
		uoms_db_fail(c->s, e, "reading orders");
		return -1;
	}
	if (c->first) {
		/* The cursor's snapshot stands while it runs: ask once. */
		c->first = 0;
		*uoms_store_any_holds(c->s) = any_open_holds(c->s);
	}
	if (record != NULL && (c->items != NULL ?
	    uoms_record_from_page(c->s, c->st, &c->ri, record, e) :
	    uoms_record_from_row(c->s, c->st, record, e)) != UOMS_OK)
		return -1;
	return 1;
}

const char *
uoms_query_text(struct uoms_cursor *c, enum uoms_qcol col)
{
	if (!c->flat)
		return NULL;
	return uoms_db_text(c->st, UOMS_RECORD_NCOLUMNS + col);
}

void
uoms_query_close(struct uoms_cursor *c)
{
	if (c == NULL)
		return;
	*uoms_store_any_holds(c->s) = -1;
	uoms_db_free(c->items);
	uoms_db_free(c->st);
	free(c->order_no_end);
	free(c);
}
