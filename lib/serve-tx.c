/*
 * serve-tx: the one way a route of uoms-serve runs a write transaction.
 * Orders, locks, webhooks and the admin routes each had a retry loop of
 * their own, and they disagreed on what to redo (locks and webhooks did
 * not redo after a lost PostgreSQL connection); this one runs them
 * through the store's uoms_db_transact, as the tools do, for every route
 * alike.
 */
#include <string.h>

#include "db.h"
#include "serve.h"

/* fn, counting its runs: each run after the first is a redo. */
struct counted {
	enum uoms_code (*fn)(struct uoms_store *s, void *arg,
	    struct uoms_error *e);
	void *arg;
	int runs;
};

static enum uoms_code
counted_run(struct uoms_store *s, void *arg, struct uoms_error *e)
{
	struct counted *c = arg;

	c->runs++;
	return c->fn(s, c->arg, e);
}

enum uoms_code
uoms_serve_tx(struct uoms_req *rq, const char *actor,
    enum uoms_code (*fn)(struct uoms_store *s, void *arg,
    struct uoms_error *e), void *arg, struct uoms_error *e)
{
	struct uoms_store *s = rq->store;
	const char *was = uoms_store_actor(s);
	struct counted c = { fn, arg, 0 };
	enum uoms_code code;

	/* Events name who did it; the thread's store outlives the request,
	 * so the name (the request's) is set back before it goes. */
	uoms_store_set_actor(s, actor != NULL ? actor : rq->actor.name);
	memset(e, 0, sizeof *e);
	/* The store's own redo (what surely was not stored is run again),
	 * as every tool's transaction; each redo counts for /metrics. */
	code = uoms_db_transact(s, counted_run, &c, e);
	while (c.runs-- > 1)
		uoms_serve_count_busy();
	uoms_store_set_actor(s, was);
	return code;
}
