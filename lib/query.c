#include <stdlib.h>
#include <time.h>
#include <string.h>

#include "query.h"
#include "store_priv.h"

static const struct {
	const char *name, *sql;
} flat[UOMS_Q_COUNT] = {
	[UOMS_Q_ID] = { "id", "o.id" },
	[UOMS_Q_CHANNEL] = { "channel", "o.channel" },
	[UOMS_Q_EXTERNAL_ORDER_ID] = { "external_order_id",
	    "o.external_order_id" },
	[UOMS_Q_ORDER_NO] = { "order_no", "o.order_no" },
	[UOMS_Q_KIND] = { "kind", "o.kind" },
	[UOMS_Q_WORKFLOW] = { "workflow", "o.workflow" },
	[UOMS_Q_STATUS] = { "status", "o.status" },
	[UOMS_Q_VERSION] = { "version", "o.version" },
	[UOMS_Q_DEPARTMENT] = { "department", "o.department" },
	[UOMS_Q_WAREHOUSE] = { "warehouse", "o.warehouse" },
	[UOMS_Q_CUSTOMER_NAME] = { "customer_name",
	    "json_extract(o.customer, '$.name')" },
	[UOMS_Q_CUSTOMER_PHONE] = { "customer_phone",
	    "json_extract(o.customer, '$.phone')" },
	[UOMS_Q_POSTAL_CODE] = { "postal_code",
	    "json_extract(o.shipping, '$.postal_code')" },
	[UOMS_Q_ADDRESS] = { "address", "json_extract(o.shipping, '$.address')" },
	[UOMS_Q_ZONE] = { "zone", "json_extract(o.shipping, '$.zone')" },
	[UOMS_Q_ETA] = { "eta", "o.eta" },
	[UOMS_Q_DRIVER_NAME] = { "driver_name",
	    "json_extract(o.driver, '$.name')" },
	[UOMS_Q_DRIVER_PHONE] = { "driver_phone",
	    "json_extract(o.driver, '$.phone')" },
	[UOMS_Q_PLACED_AT] = { "placed_at", "o.placed_at" },
	[UOMS_Q_CHANNEL_UPDATED_AT] = { "channel_updated_at",
	    "o.channel_updated_at" },
	[UOMS_Q_DEPART_TIME] = { "depart_time", "o.depart_time" },
	[UOMS_Q_COMPLETE_TIME] = { "complete_time", "o.complete_time" },
	[UOMS_Q_TOTAL_AMOUNT] = { "total_amount", "o.total_amount" },
	[UOMS_Q_CURRENCY] = { "currency", "o.currency" },
	[UOMS_Q_ITEMS] = { "items", "(SELECT count(*) FROM order_items i"
	    " WHERE i.order_id = o.id)" },
	[UOMS_Q_CREATED_AT] = { "created_at", "o.created_at" },
	[UOMS_Q_UPDATED_AT] = { "updated_at", "o.updated_at" },
};

struct uoms_cursor {
	sqlite3_stmt *st;
	struct uoms_store *s;
	int flat, first;
};

static int
any_open_holds(struct uoms_store *s)
{
	static const char sql[] = "SELECT EXISTS (SELECT 1 FROM holds"
	    " WHERE state <> 'resolved')";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	int any = 1;

	if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
		any = sqlite3_column_int(st, 0);
	if (st != NULL)
		sqlite3_reset(st);
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

/* Builds the SQL for q; every value is a bound parameter, never text. */
static void
build(const struct uoms_query *q, struct uoms_buf *sql)
{
	uoms_buf_str(sql, "SELECT " UOMS_RECORD_COLUMNS);
	for (int c = 0; q->flat && c < UOMS_Q_COUNT; c++)
		uoms_buf_printf(sql, ", %s", flat[c].sql);
	uoms_buf_str(sql, " FROM orders o WHERE 1");
	if (q->id > 0)
		uoms_buf_str(sql, " AND o.id = :id");
	if (q->order_no != NULL)
		uoms_buf_str(sql, " AND o.order_no GLOB :order_no || '*'");
	if (q->channel != NULL)
		uoms_buf_str(sql, " AND o.channel = :channel");
	if (q->department != NULL)
		uoms_buf_str(sql, " AND o.department = :department");
	if (q->statuses != NULL) {
		uoms_buf_str(sql, " AND o.status IN (");
		for (int i = 0; q->statuses[i] != NULL; i++)
			uoms_buf_printf(sql, "%s?%d", i ? ", " : "", 100 + i);
		uoms_buf_str(sql, ")");
	}
	if (q->on_hold >= 0)
		uoms_buf_printf(sql, " AND %sEXISTS (SELECT 1 FROM holds h"
		    " WHERE h.order_id = o.id AND h.state <> 'resolved')",
		    q->on_hold ? "" : "NOT ");
	/*
	 * Times are stored normalised ("...:SSZ" or "...:SS.fffZ", as many
	 * decimals as given), which sort wrong as text ('.' < 'Z') and which
	 * julianday() rounds to milliseconds; so both sides are compared as
	 * a fixed-width key, the whole second and nine decimals, exact at any
	 * stored precision. The whole-second text bound before it keeps the
	 * index.
	 */
	if (q->placed_from[0])
		uoms_buf_str(sql, " AND o.placed_at >= substr(:placed_from, 1, 19)"
		    " AND " TIME_KEY("o.placed_at") " >= :placed_from_key");
	if (q->placed_to[0])
		uoms_buf_str(sql, " AND o.placed_at < :placed_to_ceil"
		    " AND " TIME_KEY("o.placed_at") " < :placed_to_key");
	if (q->eta_from[0])
		uoms_buf_str(sql, " AND o.eta >= substr(:eta_from, 1, 19)"
		    " AND " TIME_KEY("o.eta") " >= :eta_from_key");
	if (q->eta_to[0])
		uoms_buf_str(sql, " AND o.eta < :eta_to_ceil"
		    " AND " TIME_KEY("o.eta") " < :eta_to_key");
	uoms_buf_str(sql, " ORDER BY o.id DESC");
	if (q->limit > 0)
		uoms_buf_str(sql, " LIMIT :limit");
}

static void
bind(sqlite3_stmt *st, const char *name, const char *value)
{
	int i = sqlite3_bind_parameter_index(st, name);

	if (i > 0)
		sqlite3_bind_text(st, i, value, -1, SQLITE_STATIC);
}

/* An exclusive upper bound as text: the next whole second ("...:01"),
 * which sorts after every time in the second before it. */
static void
ceil_bind(sqlite3_stmt *st, const char *name, const char *t)
{
	char next[24];
	struct tm tm = { 0 };
	time_t sec;

	if (t[0] == '\0')
		return;
	if (strptime(t, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
		return;
	sec = timegm(&tm) + 1;
	gmtime_r(&sec, &tm);
	strftime(next, sizeof next, "%Y-%m-%dT%H:%M:%S", &tm);
	sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, name), next, -1,
	    SQLITE_TRANSIENT);
}

/*
 * Binds the key of t (normalised by uoms_time_normalize: at most nine
 * decimals) as TIME_KEY writes it for a column.
 */
static void
key_bind(sqlite3_stmt *st, const char *name, const char *t)
{
	char key[29];
	size_t n = 0;

	if (t[0] == '\0' || strlen(t) < 20)
		return;
	memcpy(key, t, 19);
	if (t[19] == '.')
		for (const char *p = t + 20; *p >= '0' && *p <= '9' && n < 9;
		    p++)
			key[19 + n++] = *p;
	while (n < 9)
		key[19 + n++] = '0';
	key[28] = '\0';
	sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, name), key, -1,
	    SQLITE_TRANSIENT);
}

struct uoms_cursor *
uoms_query_open(struct uoms_store *s, const struct uoms_query *q,
    struct uoms_error *e)
{
	struct uoms_cursor *c = calloc(1, sizeof *c);
	struct uoms_buf sql = { 0 };

	if (c == NULL) {
		uoms_fail(e, UOMS_INTERNAL, "out of memory");
		return NULL;
	}
	build(q, &sql);
	if (sqlite3_prepare_v2(s->db, sql.p, -1, &c->st, NULL) != SQLITE_OK) {
		uoms_store_fail(s, e, "preparing the query");
		uoms_buf_free(&sql);
		free(c);
		return NULL;
	}
	uoms_buf_free(&sql);
	c->s = s;
	c->flat = q->flat;
	c->first = 1;
	sqlite3_bind_int64(c->st, sqlite3_bind_parameter_index(c->st, ":id"),
	    q->id);
	bind(c->st, ":order_no", q->order_no);
	bind(c->st, ":channel", q->channel);
	bind(c->st, ":department", q->department);
	for (int i = 0; q->statuses != NULL && q->statuses[i] != NULL; i++)
		sqlite3_bind_text(c->st, 100 + i, q->statuses[i], -1,
		    SQLITE_STATIC);
	bind(c->st, ":placed_from", q->placed_from);
	bind(c->st, ":eta_from", q->eta_from);
	ceil_bind(c->st, ":placed_to_ceil", q->placed_to);
	ceil_bind(c->st, ":eta_to_ceil", q->eta_to);
	key_bind(c->st, ":placed_from_key", q->placed_from);
	key_bind(c->st, ":placed_to_key", q->placed_to);
	key_bind(c->st, ":eta_from_key", q->eta_from);
	key_bind(c->st, ":eta_to_key", q->eta_to);
	sqlite3_bind_int64(c->st, sqlite3_bind_parameter_index(c->st,
	    ":limit"), q->limit);
	return c;
}

int
uoms_query_next(struct uoms_cursor *c, struct uoms_buf *record,
    struct uoms_error *e)
{
	int rc = sqlite3_step(c->st);

	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW) {
		uoms_store_fail(c->s, e, "reading orders");
		return -1;
	}
	if (c->first) {
		/* The cursor's snapshot stands while it runs: ask once. */
		c->first = 0;
		c->s->tx_any_holds = any_open_holds(c->s);
	}
	if (record != NULL && uoms_record_from_row(c->s, c->st, record, e)
	    != UOMS_OK)
		return -1;
	return 1;
}

const char *
uoms_query_text(struct uoms_cursor *c, enum uoms_qcol col)
{
	if (!c->flat)
		return NULL;
	return (const char *)sqlite3_column_text(c->st,
	    UOMS_RECORD_NCOLUMNS + col);
}

void
uoms_query_close(struct uoms_cursor *c)
{
	if (c == NULL)
		return;
	c->s->tx_any_holds = -1;
	sqlite3_finalize(c->st);
	free(c);
}
