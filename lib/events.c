#include <stdlib.h>

#include "db.h"
#include "events.h"

/* A cursor has its own statement: it stays open across others' use of
 * the store while it follows the log. */
struct uoms_events_cursor {
	struct uoms_store *s;
	struct uoms_stmt *st;
	long long last;
	int at_end;
};

/* By the filter's parts: an order (1), a type (2). */
static const enum uoms_sql sql[4] = {
	SQL_EVENTS_AFTER,
	SQL_EVENTS_ORDER,
	SQL_EVENTS_TYPE,
	SQL_EVENTS_ORDER_TYPE,
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
	if ((c->st = uoms_db_own(s, sql[which])) == NULL) {
		uoms_db_fail(s, e, "reading events");
		free(c);
		return NULL;
	}
	uoms_db_bind_int(c->st, 1, c->last);
	if (f->order_id > 0)
		uoms_db_bind_int(c->st, 2, f->order_id);
	if (f->type != NULL)
		uoms_db_bind_text(c->st, 3, f->type);
	return c;
}

int
uoms_events_next(struct uoms_events_cursor *c, struct uoms_buf *out,
    struct uoms_error *e)
{
	enum uoms_db_step rc;

	if (c->at_end) {
		c->at_end = 0;
		uoms_db_bind_int(c->st, 1, c->last);
	}
	rc = uoms_db_step(c->st);
	if (rc == UOMS_DB_ROW) {
		c->last = uoms_db_int(c->st, 1);
		if (uoms_buf_add(out, uoms_db_text(c->st, 0),
		    uoms_db_bytes(c->st, 0)) < 0) {
			uoms_fail(e, UOMS_INTERNAL, "out of memory");
			return -1;
		}
		return 1;
	}
	/* Resetting ends the read transaction: the next step sees the
	 * log as committed then. */
	uoms_db_done(c->st);
	c->at_end = 1;
	if (rc == UOMS_DB_DONE)
		return 0;
	uoms_db_fail(c->s, e, "reading events");
	return -1;
}

int
uoms_events_wait(struct uoms_events_cursor *c, int fd)
{
	return uoms_db_wait_events(c->s, fd);
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
	uoms_db_free(c->st);
	free(c);
}
