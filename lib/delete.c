#include <string.h>

#include "db.h"
#include "delete.h"
#include "rfc3339.h"
#include "stock.h"

static enum uoms_code
apply(struct uoms_store *s, const struct uoms_actor *a,
    const struct uoms_target *t, int force, void *arg,
    struct uoms_event_desc *ev, struct uoms_error *e)
{
	struct uoms_stmt *st;
	char now[24];

	(void)force;
	(void)arg;
	if (a->role != UOMS_ROLE_ADMIN)
		return uoms_fail(e, UOMS_FORBIDDEN, "deleting an order needs "
		    "the admin role; '%s' is a user", a->name);
	uoms_time_now(now);
	if ((st = uoms_db_stmt(s, SQL_DELETE_ORDER)) == NULL)
		return uoms_db_fail(s, e, "deleting an order");
	uoms_db_bind_int(st, 1, t->id);
	uoms_db_bind_text(st, 2, now);
	if (uoms_db_exec(s, st, "deleting an order", e) != UOMS_OK ||
	    uoms_stock_release(s, t->id, e) != UOMS_OK)
		return e->code;
	ev->type = "deleted";
	return UOMS_OK;
}

void
uoms_delete_change(struct uoms_change *c)
{
	memset(c, 0, sizeof *c);
	c->lock = UOMS_LOCK_EDIT;
	c->holds_block = 0;
	c->apply = apply;
	c->request = "delete";
}
