#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "change.h"
#include "db.h"
#include "idem.h"
#include "record.h"
#include "rfc3339.h"

int
uoms_ref_from_arg(char *arg, struct uoms_ref *r, char *why, size_t whylen)
{
	char *colon = strchr(arg, ':');
	char *end;

	memset(r, 0, sizeof *r);
	r->version = -1;
	if (*arg >= '0' && *arg <= '9' && strspn(arg, "0123456789") ==
	    strlen(arg)) {
		r->id = strtoll(arg, &end, 10);
		if (r->id > 0)
			return 0;
	} else if (strncmp(arg, "no:", 3) == 0 && arg[3] != '\0') {
		r->order_no = arg + 3;
		return 0;
	} else if (colon != NULL && colon > arg && colon[1] != '\0') {
		*colon = '\0';
		r->channel = arg;
		r->external_order_id = colon + 1;
		return 0;
	}
	snprintf(why, whylen, "'%s' is not an order id, no:ORDER_NO or "
	    "CHANNEL:EXTERNAL_ID", arg);
	return -1;
}

void
uoms_ref_json(const char *arg, struct uoms_buf *out)
{
	const char *colon = strchr(arg, ':');

	uoms_buf_clear(out);
	if (*arg >= '1' && *arg <= '9' && strspn(arg, "0123456789") ==
	    strlen(arg) && strlen(arg) < 19)
		uoms_buf_printf(out, "{\"id\":%s}", arg);
	else if (strncmp(arg, "no:", 3) == 0) {
		uoms_buf_str(out, "{\"order_no\":");
		uoms_buf_json_string(out, arg + 3, strlen(arg + 3));
		uoms_buf_str(out, "}");
	} else if (colon != NULL && colon > arg) {
		uoms_buf_str(out, "{\"channel\":");
		uoms_buf_json_string(out, arg, colon - arg);
		uoms_buf_str(out, ",\"external_order_id\":");
		uoms_buf_json_string(out, colon + 1, strlen(colon + 1));
		uoms_buf_str(out, "}");
	} else {
		uoms_buf_str(out, "{\"ref\":");
		uoms_buf_json_string(out, arg, strlen(arg));
		uoms_buf_str(out, "}");
	}
}

void
uoms_ref_where(const struct uoms_ref *r, char *out, size_t outlen)
{
	if (r->id > 0)
		snprintf(out, outlen, "order %lld", r->id);
	else if (r->channel != NULL && r->external_order_id != NULL)
		snprintf(out, outlen, "order %.40s:%.60s", r->channel,
		    r->external_order_id);
	else
		snprintf(out, outlen, "order no:%.40s", r->order_no);
}

static void
copy(char *dst, size_t n, struct uoms_stmt *st, int col)
{
	snprintf(dst, n, "%s", uoms_db_is_null(st, col) ? "" :
	    uoms_db_text(st, col));
}

static void
target_row(struct uoms_stmt *st, struct uoms_target *t)
{
	t->id = uoms_db_int(st, 0);
	t->version = uoms_db_int(st, 1);
	copy(t->status, sizeof t->status, st, 2);
	copy(t->workflow, sizeof t->workflow, st, 3);
	copy(t->order_no, sizeof t->order_no, st, 4);
	copy(t->deleted_at, sizeof t->deleted_at, st, 5);
	t->ahead = 0;
}

enum uoms_code
uoms_change_target_any(struct uoms_store *s, const struct uoms_ref *ref,
    struct uoms_target *t, struct uoms_error *e)
{
	struct uoms_stmt *st;
	enum uoms_db_step rc;

	if (ref->id > 0) {
		st = uoms_db_stmt(s, SQL_CHANGE_TARGET_BY_ID);
		if (st != NULL)
			uoms_db_bind_int(st, 1, ref->id);
	} else if (ref->channel != NULL && ref->external_order_id != NULL) {
		st = uoms_db_stmt(s, SQL_CHANGE_TARGET_BY_KEY);
		if (st != NULL) {
			uoms_db_bind_text(st, 1, ref->channel);
			uoms_db_bind_text(st, 2, ref->external_order_id);
		}
	} else {
		st = uoms_db_stmt(s, SQL_CHANGE_TARGET_BY_NO);
		if (st != NULL)
			uoms_db_bind_text(st, 1, ref->order_no);
	}
	if (st == NULL)
		return uoms_db_fail(s, e, "finding an order");
	rc = uoms_db_step(st);
	if (rc == UOMS_DB_DONE) {
		uoms_db_done(st);
		return uoms_fail(e, UOMS_NOT_FOUND, "no such order");
	}
	if (rc != UOMS_DB_ROW) {
		enum uoms_code code = uoms_db_fail(s, e, "finding an order");

		uoms_db_done(st);
		return code;
	}
	target_row(st, t);
	rc = uoms_db_step(st);
	uoms_db_done(st);
	if (rc == UOMS_DB_ROW)
		return uoms_fail(e, UOMS_INVALID, "the order number names "
		    "several orders; use the id");
	return UOMS_OK;
}

enum uoms_code
uoms_change_target(struct uoms_store *s, const struct uoms_ref *ref,
    struct uoms_target *t, struct uoms_error *e)
{
	enum uoms_code code = uoms_change_target_any(s, ref, t, e);

	if (code == UOMS_OK && t->deleted_at[0] != '\0')
		return uoms_fail(e, UOMS_NOT_FOUND, "no such order");
	return code;
}

void
uoms_change_ahead_clear(struct uoms_change_ahead *ah)
{
	ah->tx = 0;
	ah->n = ah->good = 0;
}

int
uoms_change_ahead_add(struct uoms_change_ahead *ah,
    const struct uoms_ref *ref)
{
	if (ah->n == ah->cap) {
		int cap = ah->cap ? 2 * ah->cap : 256;
		long long *id = realloc(ah->id, cap * sizeof *id);
		struct uoms_target *t = id != NULL ? realloc(ah->t,
		    cap * sizeof *t) : NULL;

		if (id != NULL)
			ah->id = id;
		if (t == NULL)
			return -1;
		ah->t = t;
		ah->cap = cap;
	}
	ah->id[ah->n] = ref != NULL && ref->id > 0 ? ref->id : 0;
	ah->t[ah->n].id = 0;
	ah->n++;
	return 0;
}

/* The lines by id, sorted by id and then line, to find a row's line. */
struct by_id {
	long long id;
	int line;
};

static int
by_id_cmp(const void *a, const void *b)
{
	const struct by_id *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->line - y->line;
}

enum uoms_code
uoms_change_ahead_ask(struct uoms_store *s, struct uoms_change_ahead *ah,
    struct uoms_error *e)
{
	struct uoms_buf json = { 0 };
	struct by_id *ids;
	char now[UOMS_TIME_MS_SIZE];
	struct uoms_stmt *st;
	enum uoms_code code = UOMS_OK;
	int rc, k = 0;

	ah->tx = 0;
	ah->good = 0;
	if (!uoms_db_remote(s) || ah->n == 0)
		return UOMS_OK;
	if ((ids = malloc(ah->n * sizeof *ids)) == NULL)
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	uoms_buf_str(&json, "[");
	for (int i = 0; i < ah->n; i++) {
		if (ah->id[i] == 0)
			continue;
		uoms_buf_printf(&json, "%s%lld", k ? "," : "", ah->id[i]);
		ids[k++] = (struct by_id){ ah->id[i], i };
	}
	uoms_buf_str(&json, "]");
	if (json.p == NULL) {
		free(ids);
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	}
	qsort(ids, k, sizeof *ids, by_id_cmp);
	if (k == 0 || (st = uoms_db_stmt(s, SQL_CHANGE_TARGET_AHEAD)) == NULL) {
		free(ids);
		uoms_buf_free(&json);
		return k == 0 ? UOMS_OK : uoms_db_fail(s, e, "finding orders");
	}
	uoms_db_bind_textn(st, 1, json.p, json.n);
	uoms_lock_now(now);	/* lock times have milliseconds */
	uoms_db_bind_text(st, 2, now);
	while ((rc = uoms_db_step(st)) == UOMS_DB_ROW) {
		long long id = uoms_db_int(st, 0);
		int lo = 0, hi = k;

		/* The first line of the id (the lowest of those sorted
		 * with it): the lines after it with the same id find the
		 * order changed by it, so look it up themselves. */
		while (lo < hi) {
			int mid = lo + (hi - lo) / 2;

			if (ids[mid].id < id)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < k && ids[lo].id == id) {
			struct uoms_target *t = &ah->t[ids[lo].line];

			target_row(st, t);
			t->ahead = 1;
			t->holds_open = uoms_db_int(st, 6);
			copy(t->hold_reason, sizeof t->hold_reason, st, 7);
			t->locks_live = uoms_db_int(st, 8);
		}
	}
	uoms_db_done(st);
	uoms_buf_free(&json);
	free(ids);
	if (rc != UOMS_DB_DONE)
		code = uoms_db_fail(s, e, "finding orders");
	else {
		ah->tx = uoms_db_tx(s);
		ah->good = ah->n;
	}
	return code;
}

const struct uoms_target *
uoms_change_ahead_target(struct uoms_store *s, struct uoms_change_ahead *ah,
    int at, const struct uoms_ref *ref)
{
	if (at < 0 || at >= ah->good || ah->tx == 0 || ah->tx != uoms_db_tx(s))
		return NULL;
	/* A line not as asked may change any order. */
	if (ah->id[at] == 0 || ah->id[at] != ref->id) {
		ah->good = at;
		return NULL;
	}
	/* Not found, or not the first line of its id: looked up. */
	return ah->t[at].id != 0 ? &ah->t[at] : NULL;
}

void
uoms_change_ahead_free(struct uoms_change_ahead *ah)
{
	free(ah->id);
	free(ah->t);
	*ah = (struct uoms_change_ahead){ 0 };
}

void
uoms_change_later_forget(struct uoms_change_later *l)
{
	l->n = l->read = 0;
	l->failed = 0;
	uoms_buf_clear(&l->text);
	uoms_buf_clear(&l->moves);
	uoms_buf_clear(&l->events);
}

int
uoms_change_later_status(struct uoms_change_later *l, long long id,
    const char *to, int depart, int complete, const char *now,
    long long version)
{
	uoms_buf_printf(&l->moves, "%s{\"i\":%lld,\"s\":", l->moves.n ? "," :
	    "", id);
	uoms_buf_json_string(&l->moves, to, strlen(to));
	uoms_buf_printf(&l->moves, ",\"d\":%d,\"c\":%d,\"a\":\"%s\","
	    "\"v\":%lld}", depart, complete, now, version);
	return l->moves.p == NULL ? -1 : 0;
}

/* Stages an event, as uoms_event_append_as would append it. */
static int
later_event(struct uoms_change_later *l, long long id, const char *actor,
    const struct uoms_event_desc *ev, long long version, const char *now)
{
	const char *v[] = { ev->type, ev->from, ev->to, actor, now };
	const char *name[] = { "t", "f", "o", "u", "a" };
	struct uoms_buf *b = &l->events;

	uoms_buf_printf(b, "%s{\"i\":%lld", b->n ? "," : "", id);
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		uoms_buf_printf(b, ",\"%s\":", name[i]);
		if (v[i] == NULL)
			uoms_buf_str(b, "null");
		else
			uoms_buf_json_string(b, v[i], strlen(v[i]));
	}
	uoms_buf_printf(b, ",\"v\":%lld,\"d\":", version);
	if (ev->details.n > 0)
		uoms_buf_json_string(b, ev->details.p, ev->details.n);
	else
		uoms_buf_str(b, "null");
	uoms_buf_str(b, "}");
	return b->p == NULL ? -1 : 0;
}

/* Runs a set statement over the rows staged in b, then forgets them. */
static enum uoms_code
later_write(struct uoms_store *s, struct uoms_change_later *l,
    struct uoms_buf *b, enum uoms_sql which, const char *doing,
    struct uoms_error *e)
{
	struct uoms_stmt *st;

	if (b->n == 0)
		return UOMS_OK;
	uoms_buf_clear(&l->ids);
	uoms_buf_str(&l->ids, "[");
	uoms_buf_add(&l->ids, b->p, b->n);
	if (uoms_buf_str(&l->ids, "]") < 0)
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	if ((st = uoms_db_stmt(s, which)) == NULL) {
		l->failed = 1;
		return uoms_db_fail(s, e, doing);
	}
	uoms_db_bind_textn(st, 1, l->ids.p, l->ids.n);
	if (uoms_db_exec(s, st, doing, e) != UOMS_OK) {
		l->failed = 1;
		return e->code;
	}
	uoms_buf_clear(b);
	return UOMS_OK;
}

/* A record read (uoms_order_records): kept for the entry waiting for it. */
static int
later_keep(void *arg, long long id, const char *rec, size_t len)
{
	struct uoms_change_later *l = arg;

	for (int i = l->read; i < l->n; i++) {
		if (l->rec[i].id != id)
			continue;
		l->rec[i].off = l->text.n;
		l->rec[i].len = len;
		return uoms_buf_add(&l->text, rec, len);
	}
	return 0;
}

enum uoms_code
uoms_change_later_read(struct uoms_store *s, struct uoms_change_later *l,
    struct uoms_error *e)
{
	enum uoms_code code;

	/* The moves first: the events' versions and the records follow
	 * them. */
	if ((code = later_write(s, l, &l->moves, SQL_CHANGE_STAGED_MOVES,
	    "changing a status", e)) != UOMS_OK ||
	    (code = later_write(s, l, &l->events, SQL_CHANGE_STAGED_EVENTS,
	    "appending an event", e)) != UOMS_OK)
		return code;
	if (l->read == l->n)
		return UOMS_OK;
	uoms_buf_clear(&l->ids);
	uoms_buf_str(&l->ids, "[");
	for (int i = l->read; i < l->n; i++)
		uoms_buf_printf(&l->ids, "%s%lld", i > l->read ? "," : "",
		    l->rec[i].id);
	if (uoms_buf_str(&l->ids, "]") < 0)
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	/* Staged only with no hold open on it (uoms_change_apply). */
	code = uoms_order_records(s, l->ids.p, l->ids.n, later_keep, l, e);
	if (code != UOMS_OK)
		return code;
	for (; l->read < l->n; l->read++)
		if (l->rec[l->read].off == SIZE_MAX)
			return uoms_fail(e, UOMS_INTERNAL, "order %lld: its "
			    "record is gone", l->rec[l->read].id);
	return UOMS_OK;
}

enum uoms_code
uoms_change_later_settle(struct uoms_store *s, struct uoms_change_later *l,
    struct uoms_buf *out, struct uoms_error *e)
{
	struct uoms_buf b = { 0 };
	enum uoms_code code;
	size_t from = 0;

	if (l->n == 0)
		return UOMS_OK;
	if ((code = uoms_change_later_read(s, l, e)) != UOMS_OK)
		return code;
	for (int i = 0; i < l->n; i++) {
		uoms_buf_add(&b, out->p + from, l->rec[i].at - from);
		uoms_buf_add(&b, l->text.p + l->rec[i].off, l->rec[i].len);
		from = l->rec[i].at;
	}
	if (uoms_buf_add(&b, out->p + from, out->n - from) < 0) {
		uoms_buf_free(&b);
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	}
	uoms_buf_free(out);
	*out = b;
	uoms_change_later_forget(l);
	return UOMS_OK;
}

void
uoms_change_later_free(struct uoms_change_later *l)
{
	free(l->rec);
	uoms_buf_free(&l->text);
	uoms_buf_free(&l->ids);
	uoms_buf_free(&l->moves);
	uoms_buf_free(&l->events);
	*l = (struct uoms_change_later){ 0 };
}

/* Notes order id's record to go at the end of out, read later. */
static enum uoms_code
later_note(struct uoms_change_later *l, const struct uoms_buf *out,
    long long id, struct uoms_error *e)
{
	if (l->n == l->cap) {
		int cap = l->cap ? 2 * l->cap : 256;
		struct uoms_later_rec *p = realloc(l->rec, cap * sizeof *p);

		if (p == NULL)
			return uoms_fail(e, UOMS_INTERNAL, "out of memory");
		l->rec = p;
		l->cap = cap;
	}
	l->rec[l->n++] = (struct uoms_later_rec){ out->n, id, SIZE_MAX, 0 };
	return UOMS_OK;
}

/* Is order id's record waiting to be read? */
static int
later_waits(const struct uoms_change_later *l, long long id)
{
	for (int i = l->read; i < l->n; i++)
		if (l->rec[i].id == id)
			return 1;
	return 0;
}

/*
 * Is there any row at all for which the per-order check could fail? Asked
 * once per write transaction: a bulk move over thousands of orders with
 * no holds and no locks then skips two lookups per order.
 */
static int
any(struct uoms_store *s, int *known, enum uoms_sql sql)
{
	struct uoms_stmt *st;
	char now[UOMS_TIME_MS_SIZE];

	if (*known >= 0)
		return *known;
	if ((st = uoms_db_stmt(s, sql)) == NULL)
		return 1;
	uoms_lock_now(now);	/* lock times have milliseconds */
	uoms_db_bind_text(st, 1, now);
	*known = uoms_db_step(st) != UOMS_DB_ROW || uoms_db_int(st, 0);
	uoms_db_done(st);
	if (!uoms_store_in_tx(s))
		*known = -1;	/* not in a transaction: ask every time */
	return *known != 0;
}

static enum uoms_code
on_hold(long long open, const char *reason, int *unheld,
    struct uoms_error *e)
{
	if (open > 0)
		return uoms_fail(e, UOMS_ON_HOLD, "on hold (%lld unresolved, "
		    "e.g. %s)", open, reason);
	*unheld = 1;
	return UOMS_OK;
}

/* Refuses order t when a hold on it is open; *unheld when none is. */
static enum uoms_code
check_holds(struct uoms_store *s, const struct uoms_target *t, int *unheld,
    struct uoms_error *e)
{
	struct uoms_stmt *st;
	enum uoms_code code;

	/* Asked with the batch's look-ahead (no round trip of its own). */
	if (t->ahead)
		return on_hold(t->holds_open, t->hold_reason, unheld, e);
	if ((st = uoms_db_stmt(s, SQL_CHANGE_HOLDS)) == NULL)
		return uoms_db_fail(s, e, "reading holds");
	uoms_db_bind_int(st, 1, t->id);
	if (uoms_db_step(st) != UOMS_DB_ROW)
		code = uoms_db_fail(s, e, "reading holds");
	else
		code = on_hold(uoms_db_int(st, 0), uoms_db_text(st, 1),
		    unheld, e);
	uoms_db_done(st);
	return code;
}

/*
 * Everything that can refuse the change, before anything is written.
 * *unheld: no hold on the order is open, as far as it asked (its record
 * then needs no holds of its own read).
 */
static enum uoms_code
admit(struct uoms_store *s, const struct uoms_actor *a,
    const struct uoms_ref *ref, int force, const struct uoms_change *c,
    const struct uoms_target *t, int *unheld, struct uoms_error *e)
{
	enum uoms_code code;

	*unheld = 0;

	if (ref->version > 0 && ref->version != t->version && !force) {
		uoms_fail(e, UOMS_VERSION_CONFLICT, "stored version is %lld, "
		    "not %lld", t->version, ref->version);
		e->current_version = t->version;
		snprintf(e->detail, sizeof e->detail, "\"current_version\":"
		    "%lld", t->version);
		return UOMS_VERSION_CONFLICT;
	}
	if ((t->ahead ? t->locks_live > 0 : any(s, uoms_store_any_locks(s),
	    SQL_CHANGE_ANY_LOCK)) &&
	    (code = uoms_lock_check(s, t->id, c->lock, a->name, e)) != UOMS_OK)
		return code;
	if (c->holds_block && (t->ahead || any(s,
	    uoms_store_any_holds(s), SQL_CHANGE_ANY_HOLD)) &&
	    (code = check_holds(s, t, unheld, e)) != UOMS_OK)
		return code;
	if (*uoms_store_any_holds(s) == 0)
		*unheld = 1;
	return UOMS_OK;
}

static enum uoms_code
bump(struct uoms_store *s, const struct uoms_actor *a,
    const struct uoms_target *t, struct uoms_event_desc *ev,
    struct uoms_error *e)
{
	/* t->version was read inside this write transaction: it is current. */
	struct uoms_stmt *st;
	long long version = t->version + 1;
	char now[24];

	uoms_time_now(now);
	/* Staged with the move (its bump), for the batch's INSERT. */
	if (ev->staged)
		return later_event(ev->stage, t->id, a->name, ev, version,
		    now) < 0 ? uoms_fail(e, UOMS_INTERNAL, "out of memory") :
		    UOMS_OK;
	/* Not even prepared when apply bumped: a prepare waits for what was
	 * sent before it (uoms_db_later). */
	if (!ev->bumped) {
		if ((st = uoms_db_stmt(s, SQL_CHANGE_BUMP)) == NULL)
			return uoms_db_fail(s, e, "updating an order");
		uoms_db_bind_int(st, 1, t->id);
		uoms_db_bind_int(st, 2, version);
		uoms_db_bind_text(st, 3, now);
		if (uoms_db_exec(s, st, "updating an order", e) != UOMS_OK)
			return e->code;
	}
	return uoms_event_append(s, t->id, ev->type, ev->from, ev->to, version,
	    ev->details.n > 0 ? ev->details.p : NULL, now, e);
}

/* What a write sent unawaited was doing, by its statement: the words
 * it says when it waits (the same as when it runs at once). */
static const char *
sent_doing(enum uoms_sql which)
{
	switch (which) {
	case SQL_STATUS_ENTER:
		return "changing a status";
	case SQL_EVENT_INSERT:
		return "appending an event";
	default:
		return "updating an order";
	}
}

enum uoms_code
uoms_change_order(struct uoms_store *s, const struct uoms_actor *a,
    const struct uoms_ref *ref, int force, const char *key, long long ttl,
    const struct uoms_change *c, struct uoms_buf *record, int *replayed,
    struct uoms_error *e)
{
	return uoms_change_order_known(s, a, ref, NULL, force, key, ttl, c,
	    record, replayed, e);
}

enum uoms_code
uoms_change_order_known(struct uoms_store *s, const struct uoms_actor *a,
    const struct uoms_ref *ref, const struct uoms_target *known, int force,
    const char *key, long long ttl, const struct uoms_change *c,
    struct uoms_buf *record, int *replayed, struct uoms_error *e)
{
	return uoms_change_order_batch(s, a, ref, known, force, key, ttl, c,
	    record, NULL, replayed, e);
}

enum uoms_code
uoms_change_order_batch(struct uoms_store *s, const struct uoms_actor *a,
    const struct uoms_ref *ref, const struct uoms_target *known, int force,
    const char *key, long long ttl, const struct uoms_change *c,
    struct uoms_buf *record, struct uoms_change_later *later, int *replayed,
    struct uoms_error *e)
{
	struct uoms_event_desc ev = { 0 };
	struct uoms_target t;
	enum uoms_code code;
	enum uoms_sql failed;
	size_t mark = record->n;
	const char *problem;
	int stage, unheld;

	*replayed = 0;
	if (force && a->role != UOMS_ROLE_ADMIN)
		return uoms_fail(e, UOMS_FORBIDDEN, "--force needs the admin "
		    "role; '%s' is a user", a->name);
	if (ref->idempotency_key != NULL)
		key = ref->idempotency_key;
	if (key != NULL && (problem = uoms_idem_key_problem(key)) != NULL)
		return uoms_fail(e, UOMS_INVALID, "%s", problem);
	/* A lookup sees what the lines before it staged. */
	if (known == NULL && later != NULL &&
	    (code = uoms_change_later_read(s, later, e)) != UOMS_OK)
		return code;
	if (known != NULL)
		t = *known;
	else if ((code = uoms_change_target_any(s, ref, &t, e)) != UOMS_OK)
		return code;
	/* Its change is staged by an earlier line: written (and its record
	 * read, as that line left it) before this one changes it. */
	if (later != NULL && later_waits(later, t.id) &&
	    (code = uoms_change_later_read(s, later, e)) != UOMS_OK)
		return code;
	if (key != NULL && ((code = uoms_idem_check(s, a->name, key, t.id,
	    c->request, replayed, record, e)) != UOMS_OK || *replayed))
		return code;
	/* After the replay: a retried delete gets its first answer. */
	if (t.deleted_at[0] != '\0')
		return uoms_fail(e, UOMS_NOT_FOUND, "no such order");
	if ((code = admit(s, a, ref, force, c, &t, &unheld, e)) != UOMS_OK)
		return code;
	/*
	 * Staged with the batch's (change.h) when nothing here needs it
	 * written now: no key to store the record with, no hold open on
	 * the order (the batch's records are read with none; admit asked),
	 * an actor named as the store's (truncated, it would not be).
	 */
	stage = later != NULL && c->stage && key == NULL &&
	    uoms_db_remote(s) && unheld &&
	    strlen(a->name) < sizeof a->name - 1;
	/* Else what is staged is written first: the events in line order. */
	if (!stage && later != NULL &&
	    (code = uoms_change_later_read(s, later, e)) != UOMS_OK)
		return code;
	ev.stage = stage ? later : NULL;
	if (c->later)
		uoms_db_later(s);
	code = c->apply(s, a, &t, force, c->arg, &ev, e);
	if (code == UOMS_OK)
		code = bump(s, a, &t, &ev, e);
	uoms_buf_free(&ev.details);
	/* A staged change's record is read with the batch's; else the
	 * record read back goes with the writes (one round trip). */
	if (code == UOMS_OK && !ev.staged)
		code = uoms_order_record(s, t.id, record, e);
	/* A write sent unawaited fails here, still this order's: its
	 * failure is the first, told rather than what stumbled on it. */
	if (c->later && uoms_db_flush(s, &failed) < 0)
		code = uoms_db_fail(s, e, sent_doing(failed));
	if (code == UOMS_OK && ev.staged)
		code = later_note(later, record, t.id, e);
	if (code == UOMS_OK && key != NULL)
		code = uoms_idem_store(s, a->name, key, t.id, c->request,
		    record->p + mark, record->n - mark, ttl, e);
	return code;
}
