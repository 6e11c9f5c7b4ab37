/*
 * serve: the HTTP core of uoms-serve (SPEC 9) on libmicrohttpd. It owns
 * the daemon, the limits, the access log and the route table; a route's
 * handler sees one whole request (its body read, its token checked) and
 * fills one response, over the same library calls as the tools, so HTTP
 * and the command line can never disagree. Route modules (serve-auth.c,
 * serve-orders.c, ...) each export a table of routes; only serve*.c
 * name libmicrohttpd.
 */
#ifndef UOMS_SERVE_H
#define UOMS_SERVE_H

#include <stddef.h>

#include <jansson.h>

#include "buf.h"
#include "config.h"
#include "err.h"
#include "store.h"
#include "user.h"

#define UOMS_ROUTE_PARAMS 4

/* What the server was started with (uoms-serve's options and uoms.yaml's
 * serve section); read-only once serving. */
struct uoms_serve_opts {
	const char *db;			/* the store's path or URL */
	const struct uoms_config *config;
	const char *listen;		/* "127.0.0.1:8080" */
	int threads;
	int require_if_match;
	size_t max_body;		/* bytes; a larger body is 413 */
	size_t max_header;		/* bytes of a request's head; 431 */
	unsigned max_connections;
	unsigned connection_timeout;	/* seconds idle before it is closed */
	long long access_ttl, refresh_ttl;	/* token lifetimes, seconds */
	unsigned char jwt_key[64];	/* the HMAC key tokens are signed with */
	size_t jwt_key_len;
	const char *www;		/* the dashboard's folder */
};

/* Who a route is for: anyone, a signed-in user, or an admin. */
enum uoms_route_auth { UOMS_AUTH_NONE, UOMS_AUTH_USER, UOMS_AUTH_ADMIN };

struct uoms_req {
	const char *method;		/* "GET", "POST"... */
	const char *path;		/* decoded, without the query */
	const char *route;		/* the route's pattern ("/orders/{id}") */
	/* The {name} segments of the route's pattern, in order, decoded. */
	const char *param[UOMS_ROUTE_PARAMS];
	const char *body;		/* NUL-terminated; "" when none */
	size_t body_len;
	const char *remote;		/* the client's address, for logs */
	const struct uoms_serve_opts *opts;
	/*
	 * This worker thread's store, opened on its first request (NULL
	 * when it could not be: the core answers 503 itself then).
	 */
	struct uoms_store *store;
	/* The token's user (routes with auth), with its role and
	 * department reloaded from the store: a disabled user is 401. */
	struct uoms_actor actor;
	int authed;
	long long token_exp;		/* the access token's exp */
	/*
	 * Set when a GET went on with the user this thread last read
	 * (serve-auth.c): the core asks uoms_serve_auth_recheck after the
	 * route whether the answer stands. recheck_reads: the store's page
	 * reads before the route (uoms_store_data_version).
	 */
	int recheck;
	long long recheck_reads;
	void *conn;			/* the libmicrohttpd connection */
};

/*
 * What a handler answers. Handlers set status and body (JSON unless
 * type says otherwise); the core adds Content-Length, the security
 * headers and the access log line.
 */
struct uoms_resp {
	int status;
	const char *type;		/* NULL: application/json */
	struct uoms_buf body;
	int nheaders;
	char *header_name[8], *header_value[8];	/* owned */
	/*
	 * A streamed body instead (Server-Sent Events): the core builds the
	 * response from this reader (libmicrohttpd's content reader
	 * contract: bytes written, 0 to be called again, -1 (MHD's
	 * END_OF_STREAM) to end) and calls stream_free when it is done.
	 */
	long (*stream)(void *arg, unsigned long long pos, char *buf,
	    size_t max);
	void (*stream_free)(void *arg);
	void *stream_arg;
};

typedef void (*uoms_route_fn)(struct uoms_req *rq, struct uoms_resp *rs);

struct uoms_route {
	const char *method;
	const char *pattern;		/* "/orders/{id}/status" */
	enum uoms_route_auth auth;
	uoms_route_fn fn;
	const char *summary;		/* one line, for /openapi.json */
};

/* The route tables, each ended by a route with a NULL method. */
extern const struct uoms_route uoms_serve_routes_core[];	/* serve.c */
extern const struct uoms_route uoms_serve_routes_auth[];	/* serve-auth.c */
extern const struct uoms_route uoms_serve_routes_orders[];	/* serve-orders.c */
extern const struct uoms_route uoms_serve_routes_delete[];	/* serve-orders.c */
extern const struct uoms_route uoms_serve_routes_parts[];	/* serve-parts.c */
extern const struct uoms_route uoms_serve_routes_events[];	/* serve-events.c */
extern const struct uoms_route uoms_serve_routes_hooks[];	/* serve-hooks.c */
extern const struct uoms_route uoms_serve_routes_admin[];	/* serve-admin.c */
extern const struct uoms_route uoms_serve_routes_workflows[];	/* serve-workflows.c */

/* Every table, NULL-terminated: what is served and what openapi.json
 * lists come from the same place. */
extern const struct uoms_route *const uoms_serve_tables[];

/* 0 when listen is what --listen takes (IPV4-ADDRESS:PORT, *:PORT),
 * else -1. */
int uoms_serve_listen_check(const char *listen);

/*
 * Serves until SIGTERM or SIGINT, then stops taking connections, lets
 * the requests in flight finish (at most connection_timeout) and
 * returns. Returns the exit status: 3 when it can't listen.
 */
int uoms_serve_run(const struct uoms_serve_opts *o);

/*
 * Registers fn to be called (from the main thread) when a stop signal
 * comes, before the core waits for the requests in flight: a module
 * whose answers never end by themselves (the event stream) ends them
 * there. At most 8.
 */
void uoms_serve_at_stop(void (*fn)(void));

/* The value of a request header (case-insensitive), or NULL. */
const char *uoms_req_header(const struct uoms_req *rq, const char *name);
/* The value of a query parameter, decoded, or NULL. */
const char *uoms_req_arg(const struct uoms_req *rq, const char *name);

/* Adds a header to the response (both strings copied). */
void uoms_resp_header(struct uoms_resp *rs, const char *name,
    const char *value);
/* Sets status and a JSON body of len bytes (copied). */
void uoms_resp_json(struct uoms_resp *rs, int status, const char *json,
    size_t len);
/*
 * Sets status and doc (stolen; NULL when it could not be built) as the
 * JSON body, written compact with jansson's flags added; 500 when doc or
 * its text could not be made.
 */
void uoms_resp_json_doc(struct uoms_resp *rs, int status, json_t *doc,
    size_t flags);
/*
 * Answers {"error":{"code":CODE,"message":MESSAGE}} with status (0: the
 * code's own HTTP status, SPEC 3.3). Message is printf-formatted.
 */
void uoms_resp_fail(struct uoms_resp *rs, int status, enum uoms_code code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/*
 * Answers a library refusal: its code's status (status 0) or the one
 * given (412 for If-Match), with the error's detail members
 * (current_version, owner, lock_type, expires_at) in the error object.
 * UOMS_INTERNAL is 500 and its message is logged, not sent.
 */
void uoms_resp_error(struct uoms_resp *rs, int status,
    const struct uoms_error *e);

/*
 * The request's body as one JSON object (jansson): a new reference the
 * caller releases with json_decref, or NULL with the 400 (not JSON, not
 * UTF-8, not an object, empty) answered in rs.
 */
json_t *uoms_req_object(struct uoms_req *rq, struct uoms_resp *rs);

/* Counts a store busy retry for /metrics (thread-safe). */
void uoms_serve_count_busy(void);

/*
 * serve-tx.c: runs fn(s, arg, e) in one write transaction of rq's store
 * as actor (NULL: the token's user; events name it), e cleared first:
 * committed when fn returns UOMS_OK, rolled back else. When the store
 * failed and says the transaction surely was not stored (PostgreSQL's
 * serialization failure, deadlock, lost connection: uoms_db_retryable),
 * it is run again whole, a few times at most, each counted as a busy
 * retry: fn must start its output afresh each time. The store's actor is
 * set back before it returns. Returns fn's code or the store's, e filled.
 */
struct uoms_store;
enum uoms_code uoms_serve_tx(struct uoms_req *rq, const char *actor,
    enum uoms_code (*fn)(struct uoms_store *s, void *arg,
    struct uoms_error *e), void *arg, struct uoms_error *e);
/*
 * Appends the core's metrics in the Prometheus text format: requests by
 * route, method and status, the latency histogram, busy retries.
 */
void uoms_serve_metrics(struct uoms_buf *out);

/*
 * serve-change.c: the one way a route changes an order. Reads order id
 * (404; 403 for a user of another department), applies If-Match (412),
 * --require-if-match (428), the body's "version" (409) and the
 * Idempotency-Key header (a replay answers the stored result with
 * Idempotent-Replayed: true), runs c through uoms_change_order() in a
 * write transaction (redone when the store was busy or its connection
 * lost), and answers 200 with the record and its ETag, or the refusal.
 * body may be NULL; force is honoured for admins only (403 else).
 */
struct uoms_change;
void uoms_serve_change(struct uoms_req *rq, struct uoms_resp *rs,
    long long id, json_t *body, const struct uoms_change *c, int force);
/* 0 when rq's actor may see order id (exists, and of the user's
 * department unless an admin), else -1 with 404/403 answered. */
int uoms_serve_order_visible(struct uoms_req *rq, struct uoms_resp *rs,
    long long id);
/* The id in path parameter n: a positive whole number, else -1 with
 * 404 answered. */
long long uoms_serve_id_param(struct uoms_req *rq, struct uoms_resp *rs,
    int n);

/*
 * Checks the request's bearer token (serve-auth.c): 0 with rq->actor
 * filled, or -1 with the 401 (403 for a user on an admin route) in rs.
 */
int uoms_serve_authenticate(struct uoms_req *rq, struct uoms_resp *rs,
    enum uoms_route_auth need);

#endif
