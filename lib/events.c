#include <stdlib.h>

#include "events.h"
#include "store_priv.h"

struct uoms_events_cursor {
	struct uoms_store *s;
	sqlite3_stmt *st;
	long long last;
	int at_end;
};

/* The rowid range scan (or events_order for one order) keeps each poll
 * as cheap as the events it finds. */
#define EVENT_JSON "SELECT json_object('id', id, 'order_id', order_id," \
	" 'type', type, 'from', from_state, 'to', to_state, 'actor', actor," \
	" 'at', at, 'version', version, 'details', CASE" \
	" WHEN details IS NULL THEN json_object()" \
	" WHEN json_valid(details) THEN json(details)" \
	" ELSE json_quote(details) END), id FROM events WHERE id > ?1"

static const char *const sql[4] = {
	EVENT_JSON " ORDER BY id",
	EVENT_JSON " AND order_id = ?2 ORDER BY id",
	EVENT_JSON " AND type = ?3 ORDER BY id",
	EVENT_JSON " AND order_id = ?2 AND type = ?3 ORDER BY id",
};

struct uoms_events_cursor *
uoms_events_open(struct uoms_store *s, const struct uoms_events_filter *f,
    struct uoms_error *e)
{
	struct uoms_events_cursor *c = calloc(1, sizeof *c);
	int which = (f->order_id > 0) | ((f->type != NULL) << 1);

	if (c == NULL) {
		uoms_fail(e, UOMS_INTERNAL, "out of memory");
		return NULL;
	}
	c->s = s;
	c->last = f->after;
	if (sqlite3_prepare_v2(s->db, sql[which], -1, &c->st, NULL) !=
	    SQLITE_OK) {
		uoms_store_fail(s, e, "reading events");
		free(c);
		return NULL;
	}
	sqlite3_bind_int64(c->st, 1, c->last);
	if (f->order_id > 0)
		sqlite3_bind_int64(c->st, 2, f->order_id);
	if (f->type != NULL)
		sqlite3_bind_text(c->st, 3, f->type, -1, SQLITE_STATIC);
	return c;
}

int
uoms_events_next(struct uoms_events_cursor *c, struct uoms_buf *out,
    struct uoms_error *e)
{
	int rc;

	if (c->at_end) {
		c->at_end = 0;
		sqlite3_bind_int64(c->st, 1, c->last);
	}
	rc = sqlite3_step(c->st);
	if (rc == SQLITE_ROW) {
		c->last = sqlite3_column_int64(c->st, 1);
		if (uoms_buf_add(out, sqlite3_column_text(c->st, 0),
		    sqlite3_column_bytes(c->st, 0)) < 0) {
			uoms_fail(e, UOMS_INTERNAL, "out of memory");
			return -1;
		}
		return 1;
	}
	/* Resetting ends the read transaction: the next step sees the
	 * log as committed then. */
	sqlite3_reset(c->st);
	c->at_end = 1;
	if (rc == SQLITE_DONE)
		return 0;
	uoms_store_fail(c->s, e, "reading events");
	return -1;
}

long long
uoms_events_last(const struct uoms_events_cursor *c)
{
	return c->last;
}

void
uoms_events_close(struct uoms_events_cursor *c)
{
	if (c == NULL)
		return;
	sqlite3_finalize(c->st);
	free(c);
}
