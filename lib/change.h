/*
 * change: the one way every tool changes a stored order (SPEC 3.2, 5).
 * Inside the caller's IMMEDIATE transaction it resolves the reference,
 * replays an idempotent retry, checks the role, the version, locks and
 * holds, lets the change decide and write, then bumps the version once,
 * appends one event, stores the idempotency key and appends the record.
 * Every refusal comes before the first write, so a refused reference
 * leaves the transaction as it was and its neighbours stand.
 */
#ifndef UOMS_CHANGE_H
#define UOMS_CHANGE_H

#include "buf.h"
#include "lock.h"
#include "order.h"
#include "store.h"
#include "user.h"

/* A reference to a stored order: any one of id, order_no, or (channel,
 * external_order_id); optionally the version it expects and a key. */
struct uoms_ref {
	long long id;			/* 0: not given */
	const char *order_no;
	const char *channel, *external_order_id;
	long long version;		/* -1: not given */
	const char *idempotency_key;
};

/*
 * Parses a command-line reference: ID, no:ORDER_NO or CHANNEL:EXTERNAL_ID.
 * Borrows arg and cuts it at the colon of CHANNEL:EXTERNAL_ID. Returns 0,
 * or -1 with why filled.
 */
int uoms_ref_from_arg(char *arg, struct uoms_ref *r, char *why,
    size_t whylen);

/*
 * Appends a command-line reference as a reference line ("42" ->
 * {"id":42}, "no:X" -> {"order_no":"X"}, "c:e" -> {"channel":"c",
 * "external_order_id":"e"}), so a reject file of arguments can be fed
 * back; anything else as {"ref":"..."}.
 */
void uoms_ref_json(const char *arg, struct uoms_buf *out);

/* Writes a short name of the reference for messages ("order 42"). */
void uoms_ref_where(const struct uoms_ref *r, char *out, size_t outlen);

/* The stored order a change starts from. */
struct uoms_target {
	long long id, version;
	char status[64], workflow[64];
	char order_no[32];
	char deleted_at[40];		/* "" unless deleted (delete.h) */
	/* Asked with it ahead (uoms_change_ahead_ask), in the transaction
	 * that changes it: its open holds, the first one's reason, and its
	 * live locks (no other writer comes between). */
	int ahead;
	long long holds_open, locks_live;
	char hold_reason[64];
};

/* What a change did, for its event. */
struct uoms_event_desc {
	const char *type;		/* "status", "assigned", "edited"... */
	const char *from, *to;		/* states, for status changes */
	struct uoms_buf details;	/* JSON object, or empty */
	int bumped;			/* apply wrote version + 1 itself */
	/* Set when apply may stage its write rather than make it
	 * (uoms_change_later_status); staged says it did. */
	struct uoms_change_later *stage;
	int staged;
};

struct uoms_change {
	enum uoms_lock_type lock;	/* the lock type that guards it */
	int holds_block;		/* refused while the order is on hold */
	const char *request;		/* canonical text of what is asked */
	/*
	 * Decides (refusing before any write) and writes the change to
	 * order t, describing it in ev. force is set only for admins.
	 */
	enum uoms_code (*apply)(struct uoms_store *s,
	    const struct uoms_actor *a, const struct uoms_target *t,
	    int force, void *arg, struct uoms_event_desc *ev,
	    struct uoms_error *e);
	void *arg;
	/*
	 * apply's writes and the event may be sent unawaited (uoms_db_later):
	 * apply reads nothing it wrote and asks no uoms_db_changes. On
	 * PostgreSQL the change then costs one round trip, not one a write.
	 */
	int later;
	/* apply stages its write when asked (ev->stage), for a batch's
	 * set statements (uoms_change_later). */
	int stage;
};

/* Resolves a reference to its order. not_found (a deleted order too), or
 * invalid when an order number matches several orders. */
enum uoms_code uoms_change_target(struct uoms_store *s,
    const struct uoms_ref *ref, struct uoms_target *t, struct uoms_error *e);

/* The same, a deleted order found too (by id or channel key: a deleted
 * order's number finds nothing), with its deleted_at: for its events. */
enum uoms_code uoms_change_target_any(struct uoms_store *s,
    const struct uoms_ref *ref, struct uoms_target *t, struct uoms_error *e);

/*
 * A look-ahead for references by id (run.h's ahead hook): the orders of
 * the next lines of a batch, asked of a server's store (uoms_db_remote)
 * in one round trip, so that each line's change needs no lookup of its
 * own. What it learns holds in the transaction it asked in (uoms_db_tx)
 * while each order is changed by its own line alone: the second line of
 * an id, and from a line not as asked (by key, by number) on every line
 * after it, look theirs up. The caller owns it (zeroed to begin with,
 * uoms_change_ahead_free to end).
 */
struct uoms_change_ahead {
	long long tx;		/* the transaction asked in, 0: none */
	int n, cap, good;	/* lines; those from 0 on it holds for */
	long long *id;		/* line i's id asked, 0: none */
	struct uoms_target *t;	/* line i's order; id 0: none to use */
};

/* Forgets the lines asked about: a new look-ahead begins. */
void uoms_change_ahead_clear(struct uoms_change_ahead *ah);
/* Adds the next line's reference (borrowed for the call), NULL for a
 * line that is none (refused when parsed). -1 when out of memory. */
int uoms_change_ahead_add(struct uoms_change_ahead *ah,
    const struct uoms_ref *ref);
/*
 * Asks the store about the lines added, in the open transaction, at
 * once; on SQLite nothing (each lookup is local). UOMS_OK, or the
 * store's failure (the transaction then fails with it, as a step's).
 */
enum uoms_code uoms_change_ahead_ask(struct uoms_store *s,
    struct uoms_change_ahead *ah, struct uoms_error *e);
/*
 * The order line at (0-based, in the order added; -1 for none) was
 * found to be, when ref is the reference it was asked about and the
 * transaction the one it asked in; else NULL (the line looks it up),
 * and a line not as asked ends the look-ahead for the lines after it.
 * Borrowed from ah until the next clear.
 */
const struct uoms_target *uoms_change_ahead_target(struct uoms_store *s,
    struct uoms_change_ahead *ah, int at, const struct uoms_ref *ref);
void uoms_change_ahead_free(struct uoms_change_ahead *ah);

/*
 * A batch's changes written by set statements (on a server's store, with
 * a look-ahead): each line is decided in C as on its own (the same
 * checks, the same refusals), but a change that can (c->stage) stages
 * its write, its event and its record: staged, they are written by one
 * UPDATE and one INSERT of events for them all and their records read
 * back by one SELECT, before the commit (uoms_change_later_settle), and
 * before anything else reads or writes what they change: a lookup, a
 * line that writes on its own, another line of the same order, the
 * next lines' look-ahead (uoms_change_later_read). What a line sees is
 * thus what its line alone would have seen. The caller owns it (zeroed
 * to begin with, uoms_change_later_free to end).
 */
struct uoms_change_later {
	int n, cap, read;	/* noted; of them, 0..read-1 are read */
	struct uoms_later_rec {
		size_t at;		/* where in the output it goes */
		long long id;
		size_t off, len;	/* its record in text, once read */
	} *rec;
	struct uoms_buf text;
	struct uoms_buf ids;	/* scratch: a JSON array */
	struct uoms_buf moves, events;	/* staged: JSON objects, with commas */
	int failed;		/* a staged write failed (whose: redo) */
};

/* Forgets what was staged and noted (the output was dropped: a redo). */
void uoms_change_later_forget(struct uoms_change_later *l);
/* Stages a status change (status.h's SQL_STATUS_ENTER as a row); -1
 * when out of memory. */
int uoms_change_later_status(struct uoms_change_later *l, long long id,
    const char *to, int depart, int complete, const char *now,
    long long version);
/*
 * Writes what is staged and reads the records noted and not read yet:
 * three statements. A failure of a staged write sets l->failed: one of
 * the lines staged is at fault, which one only each on its own tells.
 */
enum uoms_code uoms_change_later_read(struct uoms_store *s,
    struct uoms_change_later *l, struct uoms_error *e);
/*
 * Reads the rest and puts every record noted at its place in out (the
 * output they were noted in), then forgets them: before the commit.
 */
enum uoms_code uoms_change_later_settle(struct uoms_store *s,
    struct uoms_change_later *l, struct uoms_buf *out, struct uoms_error *e);
void uoms_change_later_free(struct uoms_change_later *l);

/*
 * Applies c to the order ref names, as actor a (a deleted order is
 * not_found, but for a replay of the key that deleted it). key (or the
 * reference's own idempotency_key, which wins) makes it idempotent for
 * ttl seconds.
 * force skips the version check (admins only: forbidden otherwise). On
 * success the order's record is appended to record and *replayed says
 * whether it is a stored result from an earlier run.
 */
enum uoms_code uoms_change_order(struct uoms_store *s,
    const struct uoms_actor *a, const struct uoms_ref *ref, int force,
    const char *key, long long ttl, const struct uoms_change *c,
    struct uoms_buf *record, int *replayed, struct uoms_error *e);
/* As uoms_change_order, from the order known to be ref's (a look-ahead's
 * target, read in this transaction) rather than looking it up; NULL
 * looks it up. */
enum uoms_code uoms_change_order_known(struct uoms_store *s,
    const struct uoms_actor *a, const struct uoms_ref *ref,
    const struct uoms_target *known, int force, const char *key,
    long long ttl, const struct uoms_change *c, struct uoms_buf *record,
    int *replayed, struct uoms_error *e);
/* As uoms_change_order_known; with later (not NULL), a change that can
 * (c->stage, no key, no hold open anywhere, a server's store) is staged
 * in later and its record noted at the end of record, to be read with
 * the batch's. */
enum uoms_code uoms_change_order_batch(struct uoms_store *s,
    const struct uoms_actor *a, const struct uoms_ref *ref,
    const struct uoms_target *known, int force, const char *key,
    long long ttl, const struct uoms_change *c, struct uoms_buf *record,
    struct uoms_change_later *later, int *replayed, struct uoms_error *e);

#endif
