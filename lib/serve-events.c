/*
 * serve-events: the event log over HTTP (issue 12 item 4). GET /events
 * reads a page of it; GET /events/stream follows it as Server-Sent
 * Events. A stream never holds a worker thread while it waits: when it
 * has nothing to send its connection is suspended, and one watcher
 * thread (a store connection of its own, woken by PostgreSQL's NOTIFY or
 * a look every 150 ms on SQLite) resumes the waiting streams when the
 * log grows; a ticker thread resumes those due a keep-alive comment.
 * A resumed stream reads what is new itself, in its worker's thread,
 * with that worker's store, and filters it by its user's department.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "db.h"
#include "events.h"
#include "serve.h"

#define PAGE_DEFAULT	100
#define PAGE_MAX	1000
/* Events a page or a stream's turn may read past (other departments')
 * before it answers what it has: a request's work stays bounded. */
#define SCAN_MAX	10000
/* What a stream reads in one turn before it sends. */
#define TURN_BYTES	(64 * 1024)
#define KEEPALIVE_DEFAULT 15

struct stream {
	struct MHD_Connection *conn;
	struct uoms_store *store;	/* the worker's, borrowed */
	struct uoms_actor actor;
	struct uoms_events_filter f;
	char type[64];
	long long last;			/* the last event read */
	long long seen;			/* the watcher's latest when read */
	long long ka_due;		/* ms: when a keep-alive is due */
	struct uoms_buf out;		/* bytes to send */
	size_t off;
	int started, failed;
	int waiting;			/* suspended, in the list */
	struct stream *prev, *next;	/* the waiting list */
	struct stream *wake;		/* a resume list, built under mu */
};

/*
 * The module's one shared state, under mu: whether the threads run,
 * the newest event id the watcher has seen, the suspended streams.
 */
static struct {
	pthread_mutex_t mu;
	pthread_cond_t tick;
	int started, stopping;
	long long latest;
	long long keepalive_ms;
	struct stream *waiting;
	pthread_t watcher, ticker;
	int hup[2];			/* closing hup[1] wakes the watcher */
	struct uoms_store *store;	/* the watcher's */
} g = {
	.mu = PTHREAD_MUTEX_INITIALIZER,
	.hup = { -1, -1 },
};
static pthread_once_t hooked = PTHREAD_ONCE_INIT;

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The newest event's id (0 for an empty log), or -1 when it can't be
 * read. */
static long long
newest(struct uoms_store *s)
{
	struct uoms_stmt *st;
	long long id = -1;

	st = uoms_db_prepare(s, "SELECT COALESCE(MAX(id), 0) FROM events");
	if (st == NULL)
		return -1;
	if (uoms_db_step(st) == UOMS_DB_ROW)
		id = uoms_db_int(st, 0);
	uoms_db_free(st);
	return id;
}

/* Unlinks s from the waiting list; mu held. */
static void
unwait(struct stream *s)
{
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		g.waiting = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	s->prev = s->next = NULL;
	s->waiting = 0;
}

/*
 * Takes out of the waiting list those streams that have something to
 * do (all when stopping): the log grew since they read it, or their
 * keep-alive is due; mu held. Returns them chained by wake, for
 * resume_all once mu is released: a connection still suspended can't
 * be closed under us, so it is safe to resume it then.
 */
static struct stream *
take_due(long long now)
{
	struct stream *s, *next, *due = NULL;

	for (s = g.waiting; s != NULL; s = next) {
		next = s->next;
		if (g.stopping || s->seen != g.latest || now >= s->ka_due) {
			unwait(s);
			s->wake = due;
			due = s;
		}
	}
	return due;
}

static void
resume_all(struct stream *due)
{
	struct stream *next;

	for (; due != NULL; due = next) {
		next = due->wake;
		MHD_resume_connection(due->conn);
	}
}

/*
 * The watcher: waits on its own store for the log to grow and resumes
 * the streams waiting for it. Ends when hup[1] is closed.
 */
static void *
watch(void *arg)
{
	struct stream *due;
	long long id;
	int rc;

	(void)arg;
	for (;;) {
		id = newest(g.store);
		pthread_mutex_lock(&g.mu);
		if (g.stopping) {
			pthread_mutex_unlock(&g.mu);
			break;
		}
		due = NULL;
		if (id > g.latest) {
			g.latest = id;
			due = take_due(now_ms());
		}
		pthread_mutex_unlock(&g.mu);
		resume_all(due);
		if ((rc = uoms_db_wait_events(g.store, g.hup[0])) > 0)
			break;
		/* Can't wait (poll failed): look again a little later
		 * rather than spin. */
		if (rc < 0)
			poll(NULL, 0, 150);
	}
	return NULL;
}

/* The ticker: resumes the streams whose keep-alive is due. */
static void *
tick(void *arg)
{
	struct stream *s, *due;
	struct timespec ts;
	long long next, now;

	(void)arg;
	pthread_mutex_lock(&g.mu);
	while (!g.stopping) {
		now = now_ms();
		due = take_due(now);
		if (due != NULL) {
			pthread_mutex_unlock(&g.mu);
			resume_all(due);
			pthread_mutex_lock(&g.mu);
			continue;
		}
		next = now + g.keepalive_ms;
		for (s = g.waiting; s != NULL; s = s->next)
			if (s->ka_due < next)
				next = s->ka_due;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += (next - now) / 1000;
		ts.tv_nsec += (next - now) % 1000 * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&g.tick, &g.mu, &ts);
	}
	pthread_mutex_unlock(&g.mu);
	return NULL;
}

/*
 * Starts the watcher and the ticker on the first stream: 0, or -1 with
 * why filled (the store can't be opened, no threads). mu held.
 */
static void events_stop(void);

static void
hook_stop(void)
{
	uoms_serve_at_stop(events_stop);
}

static int
start(const struct uoms_serve_opts *o, char *why, size_t whylen)
{
	pthread_condattr_t ca;
	long long ka;
	int bad = 0;

	if (g.started)
		return 0;
	if (g.stopping) {
		snprintf(why, whylen, "the server is stopping");
		return -1;
	}
	ka = uoms_config_num(o->config, "serve.keepalive", KEEPALIVE_DEFAULT,
	    &bad);
	g.keepalive_ms = (bad || ka < 1 || ka > 3600 ? KEEPALIVE_DEFAULT :
	    ka) * 1000;
	if ((g.store = uoms_store_open(o->db, UOMS_STORE_READ, o->config, why,
	    whylen)) == NULL)
		return -1;
	if ((g.latest = newest(g.store)) < 0) {
		snprintf(why, whylen, "can't read the event log");
		goto fail;
	}
	if (pipe(g.hup) < 0) {
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		goto fail;
	}
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g.tick, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&g.watcher, NULL, watch, NULL) != 0) {
		snprintf(why, whylen, "can't start the event watcher");
		goto fail_pipe;
	}
	if (pthread_create(&g.ticker, NULL, tick, NULL) != 0) {
		snprintf(why, whylen, "can't start the keep-alive ticker");
		g.stopping = 1;
		close(g.hup[1]);
		g.hup[1] = -1;
		pthread_mutex_unlock(&g.mu);
		pthread_join(g.watcher, NULL);
		pthread_mutex_lock(&g.mu);
		g.stopping = 0;
		goto fail_pipe;
	}
	g.started = 1;
	return 0;
fail_pipe:
	pthread_cond_destroy(&g.tick);
	if (g.hup[1] >= 0)
		close(g.hup[1]);
	close(g.hup[0]);
	g.hup[0] = g.hup[1] = -1;
fail:
	uoms_store_close(g.store);
	g.store = NULL;
	return -1;
}

/*
 * Ends every stream when the server stops (a hook the core calls on
 * SIGTERM, before it waits for the requests in flight, and so before
 * MHD_stop_daemon, which must find no connection suspended): the
 * waiting ones are resumed and each answers its end, new ones are
 * refused, and the watcher's threads and store are gone on return.
 */
static void
events_stop(void)
{
	struct stream *due;
	int started;

	pthread_mutex_lock(&g.mu);
	if (g.stopping) {
		pthread_mutex_unlock(&g.mu);
		return;
	}
	g.stopping = 1;
	started = g.started;
	due = take_due(now_ms());
	if (started)
		pthread_cond_signal(&g.tick);
	pthread_mutex_unlock(&g.mu);
	/* Each resumed stream sees stopping and ends its response. */
	resume_all(due);
	if (!started)
		return;
	close(g.hup[1]);
	pthread_join(g.watcher, NULL);
	pthread_join(g.ticker, NULL);
	close(g.hup[0]);
	g.hup[0] = g.hup[1] = -1;
	uoms_store_close(g.store);
	g.store = NULL;
}

/*
 * Order id's department into dept ("" for none): 1, 0 when there is no
 * such order, -1 with e filled when the store failed. *st is the
 * statement that reads it, made on first use (the caller frees it).
 */
static int
department(struct uoms_store *s, struct uoms_stmt **st, long long id,
    char *dept, size_t n, struct uoms_error *e)
{
	struct uoms_buf sql = { 0 };
	enum uoms_db_step rc;
	const char *d;

	if (*st == NULL) {
		uoms_buf_str(&sql, "SELECT department FROM orders WHERE id = ");
		uoms_db_param(s, &sql, 1);
		*st = sql.p != NULL ? uoms_db_prepare(s, sql.p) : NULL;
		uoms_buf_free(&sql);
		if (*st == NULL) {
			uoms_db_fail(s, e, "reading an order's department");
			return -1;
		}
	}
	uoms_db_bind_int(*st, 1, id);
	if ((rc = uoms_db_step(*st)) == UOMS_DB_ERROR) {
		uoms_db_fail(s, e, "reading an order's department");
		uoms_db_done(*st);
		return -1;
	}
	if (rc == UOMS_DB_ROW) {
		d = uoms_db_text(*st, 0);
		snprintf(dept, n, "%s", d != NULL ? d : "");
	}
	uoms_db_done(*st);
	return rc == UOMS_DB_ROW;
}

/*
 * Whether actor a may see the events of order id: an admin all, a user
 * only those of orders of their own department (an order without one
 * is of the department ""); events of no order are for admins. 1 or 0,
 * -1 with e filled when the store failed.
 */
static int
visible(struct uoms_store *s, struct uoms_stmt **st,
    const struct uoms_actor *a, long long id, struct uoms_error *e)
{
	char dept[sizeof a->department];
	int rc;

	if (a->role == UOMS_ROLE_ADMIN)
		return 1;
	if (id <= 0)
		return 0;
	if ((rc = department(s, st, id, dept, sizeof dept, e)) <= 0)
		return rc;
	return strcmp(dept, a->department) == 0;
}

/* What one event says of itself: its id, order and type. */
struct event {
	long long id, order_id;
	char type[64];
	const char *json;
	size_t len;
};

static int
event_parse(struct event *ev, const char *json, size_t len)
{
	json_t *o = json_loadb(json, len, 0, NULL);
	const char *t;

	if (o == NULL)
		return -1;
	ev->id = json_integer_value(json_object_get(o, "id"));
	ev->order_id = json_integer_value(json_object_get(o, "order_id"));
	t = json_string_value(json_object_get(o, "type"));
	snprintf(ev->type, sizeof ev->type, "%s", t != NULL ? t : "");
	json_decref(o);
	ev->json = json;
	ev->len = len;
	return 0;
}

typedef int (*emit_fn)(void *arg, const struct event *ev);

/*
 * Reads the events after f->after that f selects and a may see, handing
 * each to emit (which returns nonzero when it wants no more), reading at
 * most SCAN_MAX. *last is the id of the last event read, seen or not.
 * 1 when it stopped at a limit (more may be there), 0 at the end of the
 * log as committed now, -1 with e filled when the store failed.
 */
static int
events_read(struct uoms_store *s, const struct uoms_events_filter *f,
    const struct uoms_actor *a, emit_fn emit, void *arg, long long *last,
    struct uoms_error *e)
{
	struct uoms_events_cursor *c;
	struct uoms_stmt *dept = NULL;
	struct uoms_buf rec = { 0 };
	struct event ev;
	int rc, ok, n = 0;

	*last = f->after;
	if ((c = uoms_events_open(s, f, e)) == NULL)
		return -1;
	while ((rc = uoms_events_next(c, &rec, e)) > 0) {
		if (event_parse(&ev, rec.p, rec.n) < 0) {
			uoms_fail(e, UOMS_INTERNAL, "an event that is not JSON "
			    "after %lld", *last);
			rc = -1;
			break;
		}
		*last = uoms_events_last(c);
		if ((ok = visible(s, &dept, a, ev.order_id, e)) < 0) {
			rc = -1;
			break;
		}
		if (ok && emit(arg, &ev)) {
			rc = 1;
			break;
		}
		uoms_buf_clear(&rec);
		if (++n >= SCAN_MAX) {
			rc = 1;
			break;
		}
	}
	uoms_db_free(dept);
	uoms_events_close(c);
	uoms_buf_free(&rec);
	return rc;
}

/*
 * A whole number argument (a query parameter or a header) between min
 * and max, def when absent: 0, or -1 with the 400 answered.
 */
static int
number(struct uoms_resp *rs, const char *name, const char *v,
    long long def, long long min, long long max, long long *out)
{
	char *end;

	*out = def;
	if (v == NULL)
		return 0;
	errno = 0;
	*out = strtoll(v, &end, 10);
	if (*v < '0' || *v > '9' || *end != '\0' || errno != 0 ||
	    *out < min || *out > max) {
		uoms_resp_fail(rs, 400, UOMS_INVALID,
		    "%s '%s' is not a whole number from %lld to %lld", name, v,
		    min, max);
		return -1;
	}
	return 0;
}

/* 0 when rq's actor may see order id, else -1 with 404 (no such order)
 * or 403 (a user, an order of another department) answered. */
static int
order_visible(struct uoms_req *rq, struct uoms_resp *rs, long long id)
{
	struct uoms_stmt *st = NULL;
	struct uoms_error e = { 0 };
	char dept[sizeof rq->actor.department];
	int rc = department(rq->store, &st, id, dept, sizeof dept, &e);

	uoms_db_free(st);
	if (rc < 0) {
		uoms_resp_error(rs, 0, &e);
		return -1;
	}
	if (rc == 0) {
		uoms_resp_fail(rs, 0, UOMS_NOT_FOUND, "no order %lld", id);
		return -1;
	}
	if (rq->actor.role != UOMS_ROLE_ADMIN &&
	    strcmp(dept, rq->actor.department) != 0) {
		uoms_resp_fail(rs, 0, UOMS_FORBIDDEN, "order %lld is of "
		    "another department", id);
		return -1;
	}
	return 0;
}

/* The filter's order and type, from ?order=ID&type=T: 0, or -1 with the
 * refusal answered (400, and 404 or 403 for an order not to be seen). */
static int
filter_args(struct uoms_req *rq, struct uoms_resp *rs,
    struct uoms_events_filter *f)
{
	long long id;

	if (number(rs, "order", uoms_req_arg(rq, "order"), 0, 1, INT64_MAX,
	    &id) < 0)
		return -1;
	if (id > 0 && order_visible(rq, rs, id) < 0)
		return -1;
	f->order_id = id;
	f->type = uoms_req_arg(rq, "type");
	if (f->type != NULL && (*f->type == '\0' || strlen(f->type) > 63)) {
		uoms_resp_fail(rs, 400, UOMS_INVALID,
		    "type must be 1 to 63 bytes");
		return -1;
	}
	return 0;
}

struct page {
	struct uoms_buf *out;
	long long limit, n;
};

static int
page_add(void *arg, const struct event *ev)
{
	struct page *p = arg;

	if (p->n++ > 0)
		uoms_buf_str(p->out, ",");
	uoms_buf_add(p->out, ev->json, ev->len);
	return p->n >= p->limit;
}

/* GET /events: a page of the log after an offset. */
static void
events_page(struct uoms_req *rq, struct uoms_resp *rs)
{
	struct uoms_events_filter f = { 0 };
	struct uoms_buf out = { 0 };
	struct uoms_error e = { 0 };
	struct page p = { &out, 0, 0 };
	long long last;

	if (number(rs, "after", uoms_req_arg(rq, "after"), 0, 0, INT64_MAX,
	    &f.after) < 0 || number(rs, "limit", uoms_req_arg(rq, "limit"),
	    PAGE_DEFAULT, 1, PAGE_MAX, &p.limit) < 0 ||
	    filter_args(rq, rs, &f) < 0)
		return;
	uoms_buf_str(&out, "{\"events\":[");
	if (events_read(rq->store, &f, &rq->actor, page_add, &p, &last,
	    &e) < 0) {
		uoms_buf_free(&out);
		uoms_resp_error(rs, 0, &e);
		return;
	}
	if (uoms_buf_printf(&out, "],\"last\":%lld}", last) < 0) {
		uoms_buf_free(&out);
		uoms_resp_fail(rs, 500, UOMS_INTERNAL, "out of memory");
		return;
	}
	uoms_resp_json(rs, 200, out.p, out.n);
	uoms_buf_free(&out);
}

/* Appends one SSE message; stops the turn when it is full enough. */
static int
stream_add(void *arg, const struct event *ev)
{
	struct stream *s = arg;
	const char *type = ev->type;

	/* A line break would end the field early: such a type (none the
	 * library makes) is sent under the default name. */
	if (*type == '\0' || strpbrk(type, "\r\n") != NULL)
		type = "message";
	if (uoms_buf_printf(&s->out, "id: %lld\nevent: %s\ndata: ", ev->id,
	    type) < 0 || uoms_buf_add(&s->out, ev->json, ev->len) < 0 ||
	    uoms_buf_str(&s->out, "\n\n") < 0) {
		/* Out of memory: the stream ends; a client drops the
		 * unfinished message and comes back after the last whole
		 * one. */
		s->failed = 1;
		return 1;
	}
	return s->out.n >= TURN_BYTES;
}

/*
 * The stream's content reader (libmicrohttpd's contract: bytes written,
 * 0 to be called again, -1 to end). With nothing to send it suspends
 * its connection; the watcher or the ticker resumes it.
 */
static long
stream_read(void *arg, unsigned long long pos, char *buf, size_t max)
{
	struct stream *s = arg;
	struct uoms_error e = { 0 };
	struct uoms_events_filter f;
	long long seen, last, now;
	size_t n;
	int rc, stopping;

	(void)pos;
	for (;;) {
		if (s->off < s->out.n) {
			n = s->out.n - s->off;
			if (n > max)
				n = max;
			memcpy(buf, s->out.p + s->off, n);
			if ((s->off += n) == s->out.n) {
				uoms_buf_clear(&s->out);
				s->off = 0;
			}
			pthread_mutex_lock(&g.mu);
			s->ka_due = now_ms() + g.keepalive_ms;
			pthread_mutex_unlock(&g.mu);
			return (long)n;
		}
		pthread_mutex_lock(&g.mu);
		stopping = g.stopping;
		seen = g.latest;
		pthread_mutex_unlock(&g.mu);
		if (stopping || s->failed)
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (!s->started) {
			/* The headers go at once, and a lost client comes
			 * back after 3 s. */
			s->started = 1;
			uoms_buf_str(&s->out, "retry: 3000\n\n");
			continue;
		}
		f = s->f;
		f.after = s->last;
		rc = events_read(s->store, &f, &s->actor, stream_add, s, &last,
		    &e);
		if (rc < 0) {
			/* The client sees the stream end and comes back
			 * after its retry, to a store that may work again. */
			uoms_warn("GET /events/stream", "%s", e.msg);
			s->failed = 1;
			continue;
		}
		s->last = last;
		if (s->out.n > 0 || rc > 0 || s->failed)
			continue;
		now = now_ms();
		pthread_mutex_lock(&g.mu);
		if (now >= s->ka_due) {
			pthread_mutex_unlock(&g.mu);
			uoms_buf_str(&s->out, ": keep-alive\n\n");
			continue;
		}
		/* Nothing new since the watcher's latest of before the
		 * read: wait for it to move. Suspended under mu, so the
		 * watcher sees the stream only once it is suspended. */
		if (!g.stopping && g.latest == seen) {
			s->seen = seen;
			s->waiting = 1;
			s->prev = NULL;
			s->next = g.waiting;
			if (g.waiting != NULL)
				g.waiting->prev = s;
			g.waiting = s;
			MHD_suspend_connection(s->conn);
			pthread_mutex_unlock(&g.mu);
			return 0;
		}
		pthread_mutex_unlock(&g.mu);
	}
}

static void
stream_free(void *arg)
{
	struct stream *s = arg;

	pthread_mutex_lock(&g.mu);
	if (s->waiting)
		unwait(s);
	pthread_mutex_unlock(&g.mu);
	uoms_buf_free(&s->out);
	free(s);
}

/* GET /events/stream: the log as Server-Sent Events, from Last-Event-ID
 * (or ?after=N; by default from now on). */
static void
events_stream(struct uoms_req *rq, struct uoms_resp *rs)
{
	struct uoms_events_filter f = { 0 };
	struct stream *s;
	const char *from;
	char why[512];
	long long now;

	if ((from = uoms_req_header(rq, "Last-Event-ID")) != NULL) {
		if (number(rs, "Last-Event-ID", from, 0, 0, INT64_MAX,
		    &f.after) < 0)
			return;
	} else if ((from = uoms_req_arg(rq, "after")) != NULL) {
		if (number(rs, "after", from, 0, 0, INT64_MAX, &f.after) < 0)
			return;
	} else if ((f.after = newest(rq->store)) < 0) {
		uoms_resp_fail(rs, 503, UOMS_BUSY, "can't read the event log");
		return;
	}
	if (filter_args(rq, rs, &f) < 0)
		return;
	if ((s = calloc(1, sizeof *s)) == NULL) {
		uoms_resp_fail(rs, 500, UOMS_INTERNAL, "out of memory");
		return;
	}
	/* Outside mu: the core calls the hooks under a lock of its own. */
	pthread_once(&hooked, hook_stop);
	pthread_mutex_lock(&g.mu);
	if (start(rq->opts, why, sizeof why) < 0) {
		pthread_mutex_unlock(&g.mu);
		free(s);
		uoms_resp_fail(rs, 503, UOMS_BUSY, "can't follow the event log: "
		    "%s", why);
		return;
	}
	now = now_ms();
	s->ka_due = now + g.keepalive_ms;
	pthread_mutex_unlock(&g.mu);
	s->conn = rq->conn;
	s->store = rq->store;
	s->actor = rq->actor;
	s->f = f;
	if (f.type != NULL) {
		snprintf(s->type, sizeof s->type, "%s", f.type);
		s->f.type = s->type;
	}
	s->last = f.after;
	rs->status = 200;
	rs->type = "text/event-stream";
	uoms_resp_header(rs, "Cache-Control", "no-cache");
	/* A proxy in front (nginx) must pass each message on at once. */
	uoms_resp_header(rs, "X-Accel-Buffering", "no");
	rs->stream = stream_read;
	rs->stream_free = stream_free;
	rs->stream_arg = s;
}

const struct uoms_route uoms_serve_routes_events[] = {
	{ "GET", "/events", UOMS_AUTH_USER, events_page,
	    "The event log after an offset: {\"events\",\"last\"}" },
	{ "GET", "/events/stream", UOMS_AUTH_USER, events_stream,
	    "The event log as Server-Sent Events, live" },
	{ NULL, NULL, 0, NULL, NULL }
};
