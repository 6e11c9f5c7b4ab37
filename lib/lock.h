/*
 * lock: pessimistic locks on orders (SPEC 5). A lock has a type, an
 * owner and an expiry; an expired lock is as good as none, everywhere.
 * A change of type T is refused with `locked` while another actor holds
 * T or EDIT on the order (EDIT blocks every change). Lock times are RFC
 * 3339 with milliseconds, from one clock (uoms_time_lock_clock, which
 * tests may set): a lock expires exactly TTL seconds after it was taken or
 * renewed, and is expired from its expires_at on.
 */
#ifndef UOMS_LOCK_H
#define UOMS_LOCK_H

#include "buf.h"
#include "rfc3339.h"
#include "store.h"

enum uoms_lock_type {
	UOMS_LOCK_EDIT,
	UOMS_LOCK_STATUS,
	UOMS_LOCK_ASSIGN,
	UOMS_LOCK_REMARK,
	UOMS_LOCK_COUNT
};

#define UOMS_LOCK_TTL_DEFAULT 300
/* The longest a lock may live, --ttl or lock_ttl: a week. */
#define UOMS_LOCK_TTL_MAX 604800

/*
 * Now, as lock times are written and compared, into out (>=
 * UOMS_TIME_MS_SIZE bytes). Anything asking whether a lock is live
 * compares its expires_at with this, never with a whole-second time.
 */
void uoms_lock_now(char *out);

/* "STATUS" -> UOMS_LOCK_STATUS; -1 when it is not a lock type. */
int uoms_lock_parse(const char *s);
const char *uoms_lock_name(enum uoms_lock_type t);

/*
 * Refuses (locked, with owner, lock_type and expires_at in e->detail)
 * when someone other than actor holds type or EDIT on the order.
 */
enum uoms_code uoms_lock_check(struct uoms_store *s, long long order_id,
    enum uoms_lock_type type, const char *actor, struct uoms_error *e);

/*
 * Takes (or, for its owner, extends) a lock for ttl seconds. Refused
 * (locked) when another actor holds a conflicting lock: the same type, or
 * EDIT, or any type when asking for EDIT. expires (>= UOMS_TIME_MS_SIZE
 * bytes) gets the expiry, exactly ttl seconds from now.
 */
enum uoms_code uoms_lock_acquire(struct uoms_store *s, long long order_id,
    enum uoms_lock_type type, const char *owner, long long ttl,
    char *expires, struct uoms_error *e);

/*
 * Extends owner's live lock to exactly ttl seconds from now. Refused with
 * not_found when owner holds no live lock of type: never held, released,
 * or expired (the message says so) -- an expired lock is gone, another
 * actor may have changed the order meanwhile, so it is not renewed.
 */
enum uoms_code uoms_lock_renew(struct uoms_store *s, long long order_id,
    enum uoms_lock_type type, const char *owner, long long ttl,
    char *expires, struct uoms_error *e);

/*
 * Releases owner's lock; not_found when owner holds none. With force
 * (the caller has checked that owner is an admin) the live lock of type
 * is released whoever holds it: another owner's is broken, logged as
 * lock_broken by the store's actor, naming the owner in its details;
 * not_found when no one holds it.
 */
enum uoms_code uoms_lock_release(struct uoms_store *s, long long order_id,
    enum uoms_lock_type type, const char *owner, int force,
    struct uoms_error *e);

/*
 * Deletes every lock owner holds (a user being disabled), logging each
 * live one as lock_broken by the store's actor; *n (may be NULL) gets how
 * many were live.
 */
enum uoms_code uoms_lock_release_owner(struct uoms_store *s,
    const char *owner, long long *n, struct uoms_error *e);

/* Appends a JSON line per live lock (owner's only unless all). */
enum uoms_code uoms_lock_list(struct uoms_store *s, const char *owner,
    int all, struct uoms_buf *out, struct uoms_error *e);
/* The same for every live lock on order_id, whoever holds it. */
enum uoms_code uoms_lock_list_order(struct uoms_store *s, long long order_id,
    struct uoms_buf *out, struct uoms_error *e);

/* Deletes expired locks; *n gets how many. */
enum uoms_code uoms_lock_cleanup(struct uoms_store *s, long long *n,
    struct uoms_error *e);

#endif
