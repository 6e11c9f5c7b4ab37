/*
 * serve-tx: the one way a route of uoms-serve runs a write transaction.
 * Orders, locks, webhooks and the admin routes each had a retry loop of
 * their own, and they disagreed on what to redo (locks and webhooks did
 * not redo after a lost PostgreSQL connection); this one redoes whatever
 * the store says surely was not stored, for every route alike.
 */
#include <string.h>

#include "db.h"
#include "serve.h"

/* Tries of a transaction PostgreSQL gave up on (a serialization
 * failure, a deadlock, a lost connection): run.c's bound. */
#define SERVE_TX_TRIES 5

enum uoms_code
uoms_serve_tx(struct uoms_req *rq, const char *actor,
    enum uoms_code (*fn)(struct uoms_store *s, void *arg,
    struct uoms_error *e), void *arg, struct uoms_error *e)
{
	struct uoms_store *s = rq->store;
	const char *was = uoms_store_actor(s);
	enum uoms_code code;

	/* Events name who did it; the thread's store outlives the request,
	 * so the name (the request's) is set back before it goes. */
	uoms_store_set_actor(s, actor != NULL ? actor : rq->actor.name);
	for (int tries = 1;; tries++) {
		memset(e, 0, sizeof *e);
		if ((code = uoms_store_begin(s, e)) == UOMS_OK) {
			if ((code = fn(s, arg, e)) == UOMS_OK)
				code = uoms_store_commit(s, e);
			else
				uoms_store_rollback(s);
		}
		/*
		 * Only a failure of the store itself is redone, and only when
		 * it says the transaction was not stored (PostgreSQL's
		 * sqlstate outlives the statement, so a refusal of fn's own
		 * must not be read as one). SQLite's busy_timeout has waited.
		 */
		if ((code != UOMS_BUSY && code != UOMS_INTERNAL) ||
		    !uoms_db_retryable(s) || tries == SERVE_TX_TRIES)
			break;
		uoms_store_rollback(s);
		uoms_serve_count_busy();
	}
	uoms_store_set_actor(s, was);
	return code;
}
