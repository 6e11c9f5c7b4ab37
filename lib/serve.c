/*
 * serve: uoms-serve's HTTP core on libmicrohttpd (see serve.h). One
 * daemon, a thread pool with epoll; each request is gathered whole (its
 * body up to max_body) before its route's handler runs, and answered on
 * the callback after the first: libmicrohttpd 0.9.75 closes the
 * connection when a response is queued on the first one.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "query.h"
#include "serve-auth.h"
#include "serve.h"

#define CSP "default-src 'self'; script-src 'self'; style-src 'self'; " \
	"img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'"

/* One request being gathered and answered. */
struct exchange {
	struct uoms_req rq;
	struct uoms_resp rs;
	const struct uoms_route *route;
	char *path_copy;		/* the path cut into the params */
	struct uoms_buf body;
	int answered, too_large;
	size_t dropped;			/* of a body over the limit */
	struct timespec t0;
	char remote[INET6_ADDRSTRLEN];
	char allow[64];			/* methods of a path, for 405 */
};

static const struct uoms_serve_opts *opts;
static atomic_long in_flight;
static pthread_key_t store_key;

/* ---- metrics: requests by route, method and status; latency ---- */

static const double buckets[] = { 0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
	0.25, 0.5, 1, 2.5, 5 };
#define NBUCKETS (sizeof buckets / sizeof buckets[0])

struct counter {
	const char *route, *method;	/* static: from the route tables */
	int status;
	unsigned long long n;
};

static struct {
	pthread_mutex_t mu;
	struct counter *c;
	size_t n, cap;
	unsigned long long le[NBUCKETS], count;
	double sum;
	unsigned long long busy;
} metrics = { .mu = PTHREAD_MUTEX_INITIALIZER };

static void
count_request(const char *route, const char *method, int status,
    double seconds)
{
	size_t i;

	pthread_mutex_lock(&metrics.mu);
	for (i = 0; i < metrics.n; i++)
		if (metrics.c[i].status == status &&
		    strcmp(metrics.c[i].route, route) == 0 &&
		    strcmp(metrics.c[i].method, method) == 0)
			break;
	if (i == metrics.n && metrics.n == metrics.cap) {
		size_t cap = metrics.cap ? 2 * metrics.cap : 32;
		struct counter *c = realloc(metrics.c, cap * sizeof *c);

		if (c != NULL) {
			metrics.c = c;
			metrics.cap = cap;
		}
	}
	if (i < metrics.cap) {
		if (i == metrics.n)
			metrics.c[metrics.n++] = (struct counter){ route,
			    method, status, 0 };
		metrics.c[i].n++;
	}
	for (i = 0; i < NBUCKETS; i++)
		if (seconds <= buckets[i])
			metrics.le[i]++;
	metrics.count++;
	metrics.sum += seconds;
	pthread_mutex_unlock(&metrics.mu);
}

void
uoms_serve_count_busy(void)
{
	pthread_mutex_lock(&metrics.mu);
	metrics.busy++;
	pthread_mutex_unlock(&metrics.mu);
}

void
uoms_serve_metrics(struct uoms_buf *out)
{
	pthread_mutex_lock(&metrics.mu);
	uoms_buf_str(out, "# HELP uoms_http_requests_total HTTP requests "
	    "answered, by route, method and status.\n"
	    "# TYPE uoms_http_requests_total counter\n");
	for (size_t i = 0; i < metrics.n; i++)
		uoms_buf_printf(out, "uoms_http_requests_total{route=\"%s\","
		    "method=\"%s\",status=\"%d\"} %llu\n", metrics.c[i].route,
		    metrics.c[i].method, metrics.c[i].status, metrics.c[i].n);
	uoms_buf_str(out, "# HELP uoms_http_request_seconds Time from a "
	    "request's first byte to its answer.\n"
	    "# TYPE uoms_http_request_seconds histogram\n");
	for (size_t i = 0; i < NBUCKETS; i++)
		uoms_buf_printf(out, "uoms_http_request_seconds_bucket"
		    "{le=\"%g\"} %llu\n", buckets[i], metrics.le[i]);
	uoms_buf_printf(out, "uoms_http_request_seconds_bucket{le=\"+Inf\"} "
	    "%llu\nuoms_http_request_seconds_sum %.6f\n"
	    "uoms_http_request_seconds_count %llu\n", metrics.count,
	    metrics.sum, metrics.count);
	uoms_buf_printf(out, "# HELP uoms_store_busy_retries_total Writes "
	    "redone because the store was busy.\n"
	    "# TYPE uoms_store_busy_retries_total counter\n"
	    "uoms_store_busy_retries_total %llu\n", metrics.busy);
	pthread_mutex_unlock(&metrics.mu);
}

/* ---- requests ---- */

const char *
uoms_req_header(const struct uoms_req *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

const char *
uoms_req_arg(const struct uoms_req *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND,
	    name);
}

json_t *
uoms_req_object(struct uoms_req *rq, struct uoms_resp *rs)
{
	json_error_t je;
	json_t *v;

	if (rq->body_len == 0) {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "the request has no "
		    "body: a JSON object was expected");
		return NULL;
	}
	v = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &je);
	if (v == NULL) {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "body: line %d, column "
		    "%d: %s", je.line, je.column, je.text);
		return NULL;
	}
	if (!json_is_object(v)) {
		json_decref(v);
		uoms_resp_fail(rs, 400, UOMS_INVALID, "body: a JSON object "
		    "was expected");
		return NULL;
	}
	return v;
}

/* ---- responses ---- */

void
uoms_resp_header(struct uoms_resp *rs, const char *name, const char *value)
{
	int n = rs->nheaders;

	if (n == (int)(sizeof rs->header_name / sizeof rs->header_name[0]))
		return;
	if ((rs->header_name[n] = strdup(name)) == NULL)
		return;
	if ((rs->header_value[n] = strdup(value)) == NULL) {
		free(rs->header_name[n]);
		return;
	}
	rs->nheaders++;
}

void
uoms_resp_json(struct uoms_resp *rs, int status, const char *json, size_t len)
{
	rs->status = status;
	rs->type = NULL;
	uoms_buf_clear(&rs->body);
	uoms_buf_add(&rs->body, json, len);
}

void
uoms_resp_json_doc(struct uoms_resp *rs, int status, json_t *doc,
    size_t flags)
{
	char *text = doc != NULL ? json_dumps(doc, JSON_COMPACT | flags) :
	    NULL;

	json_decref(doc);
	if (text == NULL) {
		uoms_resp_fail(rs, 500, UOMS_INTERNAL, "out of memory");
		return;
	}
	uoms_resp_json(rs, status, text, strlen(text));
	free(text);
}

/* The codes of answers that are HTTP's own, not the library's
 * refusals (SPEC 3.3 has no code for them). */
static const char *
http_code_name(int status)
{
	switch (status) {
	case 401: return "unauthorized";
	case 405: return "method_not_allowed";
	case 413: return "too_large";
	case 429: return "too_many_requests";
	default: return "error";
	}
}

static void
fail_body(struct uoms_resp *rs, int status, enum uoms_code code,
    const char *message, const char *detail)
{
	rs->status = status != 0 ? status : uoms_code_http(code);
	rs->type = NULL;
	uoms_buf_clear(&rs->body);
	uoms_buf_printf(&rs->body, "{\"error\":{\"code\":\"%s\",\"message\":",
	    code == UOMS_OK ? http_code_name(rs->status) :
	    uoms_code_name(code));
	uoms_buf_json_string(&rs->body, message, strlen(message));
	if (detail != NULL && *detail != '\0')
		uoms_buf_printf(&rs->body, ",%s", detail);
	uoms_buf_str(&rs->body, "}}");
}

void
uoms_resp_fail(struct uoms_resp *rs, int status, enum uoms_code code,
    const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fail_body(rs, status, code, msg, NULL);
}

void
uoms_resp_error(struct uoms_resp *rs, int status, const struct uoms_error *e)
{
	if (e->code == UOMS_INTERNAL) {
		/* The cause may name the store's files or server: the log
		 * has it, the client a plain 500. */
		uoms_warn(NULL, "%s", e->msg);
		fail_body(rs, 500, UOMS_INTERNAL, "the server could not "
		    "answer: see its log", NULL);
		return;
	}
	if (e->code == UOMS_BUSY)
		uoms_resp_header(rs, "Retry-After", "1");
	fail_body(rs, status, e->code, e->msg, e->detail);
}

/* ---- the store of each worker thread ---- */

static void
store_free(void *s)
{
	uoms_store_close(s);
}

static struct uoms_store *
thread_store(void)
{
	struct uoms_store *s = pthread_getspecific(store_key);
	char why[512];

	if (s != NULL)
		return s;
	s = uoms_store_open(opts->db, UOMS_STORE_UPDATE, opts->config, why,
	    sizeof why);
	if (s == NULL) {
		uoms_warn(NULL, "can't open the store: %s", why);
		return NULL;
	}
	pthread_setspecific(store_key, s);
	return s;
}

/* ---- routes ---- */

/*
 * Matches path (len bytes) against pattern in place: where each {param}
 * starts in path and how long it is, and their number in *nparam. Returns the number of literal
 * segments matched (the more, the better a route), or -1. Nothing is
 * copied: find_route tries every route of every table (some forty) on
 * each request, and only the winner's params are cut out.
 */
static int
match(const char *pattern, const char *path, size_t len,
    size_t off[UOMS_ROUTE_PARAMS], size_t plen[UOMS_ROUTE_PARAMS],
    int *nparam)
{
	const char *p = pattern, *s = path, *end = path + len;
	int literal = 0, np = 0;

	while (*p == '/' && s < end && *s == '/') {
		const char *pe, *se;

		p++;
		s++;
		pe = strchrnul(p, '/');
		se = memchr(s, '/', end - s);
		if (se == NULL)
			se = end;
		if (*p == '{') {
			if (se == s || np == UOMS_ROUTE_PARAMS)
				return -1;
			off[np] = s - path;
			plen[np++] = se - s;
		} else if ((size_t)(pe - p) != (size_t)(se - s) ||
		    memcmp(p, s, se - s) != 0)
			return -1;
		else
			literal++;
		p = pe;
		s = se;
	}
	if (*p != '\0' || s != end)
		return -1;
	*nparam = np;
	return literal;
}

/* Finds x's route; on none, notes the methods the path has in allow. */
static void
find_route(struct exchange *x, const char *method)
{
	size_t len = strlen(x->rq.path);
	size_t off[UOMS_ROUTE_PARAMS], plen[UOMS_ROUTE_PARAMS];
	int best = -1, np = 0;
	const char *m = strcmp(method, "HEAD") == 0 ? "GET" : method;

	x->allow[0] = '\0';
	for (int t = 0; uoms_serve_tables[t] != NULL; t++)
		for (const struct uoms_route *r = uoms_serve_tables[t];
		    r->method != NULL; r++) {
			int score;

			if ((score = match(r->pattern, x->rq.path, len, off,
			    plen, &np)) < 0)
				continue;
			if (strcmp(r->method, m) != 0) {
				if (strstr(x->allow, r->method) == NULL &&
				    strlen(x->allow) + strlen(r->method) + 3 <
				    sizeof x->allow)
					snprintf(x->allow + strlen(x->allow),
					    sizeof x->allow - strlen(x->allow),
					    "%s%s", *x->allow ? ", " : "",
					    r->method);
				continue;
			}
			if (score > best) {
				best = score;
				x->route = r;
			}
		}
	if (x->route == NULL)
		return;
	/* Cut the winner's params out of the path's copy, each its own
	 * string. */
	memcpy(x->path_copy, x->rq.path, len + 1);
	if (match(x->route->pattern, x->rq.path, len, off, plen, &np) < 0)
		np = 0;
	for (int i = 0; i < np; i++) {
		x->path_copy[off[i] + plen[i]] = '\0';
		x->rq.param[i] = x->path_copy + off[i];
	}
	x->rq.route = x->route->pattern;
}

/* ---- static files: the dashboard ---- */

static const char *
file_type(const char *name)
{
	static const char *const types[][2] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".json", "application/json" },
		{ ".ico", "image/x-icon" },
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot != NULL && i < sizeof types / sizeof types[0];
	    i++)
		if (strcmp(dot, types[i][0]) == 0)
			return types[i][1];
	return "application/octet-stream";
}

/* One name of the www folder: letters, digits, '.', '-', '_', not
 * starting with a dot, so nothing outside the folder can be named. */
static int
safe_name(const char *name)
{
	if (*name == '\0' || *name == '.' || strlen(name) > 128)
		return 0;
	for (const char *c = name; *c != '\0'; c++)
		if (!(*c >= 'a' && *c <= 'z') && !(*c >= 'A' && *c <= 'Z') &&
		    !(*c >= '0' && *c <= '9') && *c != '.' && *c != '-' &&
		    *c != '_')
			return 0;
	return 1;
}

static void
send_file(struct uoms_req *rq, struct uoms_resp *rs, const char *name)
{
	char path[4200], chunk[8192];
	struct stat st;
	size_t n;
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", rq->opts->www, name);
	if (!safe_name(name) || (fp = fopen(path, "r")) == NULL) {
		uoms_resp_fail(rs, 404, UOMS_NOT_FOUND, "no such file: '%s'",
		    name);
		return;
	}
	if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(fp);
		uoms_resp_fail(rs, 404, UOMS_NOT_FOUND, "no such file: '%s'",
		    name);
		return;
	}
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		uoms_buf_add(&rs->body, chunk, n);
	fclose(fp);
	rs->status = 200;
	rs->type = file_type(name);
	uoms_resp_header(rs, "Cache-Control", "no-cache");
}

static void
route_index(struct uoms_req *rq, struct uoms_resp *rs)
{
	send_file(rq, rs, "index.html");
}

static void
route_static(struct uoms_req *rq, struct uoms_resp *rs)
{
	send_file(rq, rs, rq->param[0]);
}

#define UP "{\"status\":\"ok\",\"store\":\"ok\"}"
#define DOWN "{\"status\":\"failing\",\"store\":\"unavailable\"}"

/* Answers whether the store can be read: a look at one order. */
static void
route_healthz(struct uoms_req *rq, struct uoms_resp *rs)
{
	struct uoms_query q = { .on_hold = -1, .limit = 1 };
	struct uoms_cursor *c;
	struct uoms_error e = { 0 };
	int r = -1;

	if ((c = uoms_query_open(rq->store, &q, &e)) != NULL) {
		r = uoms_query_next(c, NULL, &e);
		uoms_query_close(c);
	}
	if (r < 0) {
		uoms_warn("healthz", "%s", e.msg);
		uoms_resp_json(rs, 503, DOWN, strlen(DOWN));
		return;
	}
	uoms_resp_json(rs, 200, UP, strlen(UP));
}

const struct uoms_route uoms_serve_routes_core[] = {
	{ "GET", "/", UOMS_AUTH_NONE, route_index, "The dashboard page." },
	{ "GET", "/static/{file}", UOMS_AUTH_NONE, route_static,
	    "A file of the dashboard (script, style, image)." },
	{ "GET", "/healthz", UOMS_AUTH_NONE, route_healthz,
	    "Whether the server runs and can read its store." },
	{ NULL, NULL, 0, NULL, NULL }
};

/* ---- one exchange ---- */

static void
client_address(struct exchange *x, struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;

	strcpy(x->remote, "-");
	if (sa != NULL && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
		    x->remote, sizeof x->remote);
	else if (sa != NULL && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
		    &((const struct sockaddr_in6 *)sa)->sin6_addr, x->remote,
		    sizeof x->remote);
}

static struct exchange *
exchange_new(struct MHD_Connection *c, const char *url, const char *method)
{
	struct exchange *x = calloc(1, sizeof *x);

	if (x == NULL)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &x->t0);
	x->rq.method = method;
	x->rq.path = url;
	x->rq.opts = opts;
	x->rq.conn = c;
	x->rq.body = "";
	client_address(x, c);
	x->rq.remote = x->remote;
	if ((x->path_copy = malloc(strlen(url) + 1)) == NULL) {
		free(x);
		return NULL;
	}
	find_route(x, method);
	atomic_fetch_add(&in_flight, 1);
	return x;
}

/* Frees what rs holds and empties it, as before a route ran. */
static void
resp_clear(struct uoms_resp *rs)
{
	for (int i = 0; i < rs->nheaders; i++) {
		free(rs->header_name[i]);
		free(rs->header_value[i]);
	}
	if (rs->stream_free != NULL)
		rs->stream_free(rs->stream_arg);
	uoms_buf_free(&rs->body);
	memset(rs, 0, sizeof *rs);
}

static void
exchange_free(struct exchange *x)
{
	resp_clear(&x->rs);
	uoms_buf_free(&x->body);
	free(x->path_copy);
	free(x);
	atomic_fetch_sub(&in_flight, 1);
}

/* Runs the route's handler: the store, the token, then the route. */
static void
dispatch(struct exchange *x)
{
	struct uoms_req *rq = &x->rq;
	struct uoms_resp *rs = &x->rs;

	if (x->route == NULL) {
		if (x->allow[0] != '\0') {
			uoms_resp_fail(rs, 405, UOMS_OK, "no such route: %s %s "
			    "(it takes %s)", rq->method, rq->path, x->allow);
			uoms_resp_header(rs, "Allow", x->allow);
			return;
		}
		uoms_resp_fail(rs, 404, UOMS_NOT_FOUND, "no such route: %s %s",
		    rq->method, rq->path);
		return;
	}
	if ((rq->store = thread_store()) == NULL) {
		uoms_resp_fail(rs, 503, UOMS_BUSY, "the store can't be "
		    "opened now");
		uoms_resp_header(rs, "Retry-After", "5");
		return;
	}
	uoms_store_set_actor(rq->store, "uoms-serve");
	if (x->route->auth != UOMS_AUTH_NONE) {
		if (uoms_serve_authenticate(rq, rs, x->route->auth) < 0)
			return;
		uoms_store_set_actor(rq->store, rq->actor.name);
	}
	x->route->fn(rq, rs);
	if (uoms_serve_auth_recheck(rq) < 0) {
		/* The user changed under the answer: as on a first request. */
		resp_clear(rs);
		if (uoms_serve_authenticate(rq, rs, x->route->auth) < 0)
			return;
		uoms_store_set_actor(rq->store, rq->actor.name);
		x->route->fn(rq, rs);
	}
	if (rs->status == 0)
		uoms_resp_fail(rs, 500, UOMS_INTERNAL, "the route gave no "
		    "answer");
}

static ssize_t
stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct exchange *x = cls;
	long n = x->rs.stream(x->rs.stream_arg, pos, buf, max);

	return n < 0 ? MHD_CONTENT_READER_END_OF_STREAM : n;
}

static enum MHD_Result
answer(struct MHD_Connection *c, struct exchange *x)
{
	struct uoms_resp *rs = &x->rs;
	struct MHD_Response *r;
	enum MHD_Result ok;

	x->answered = 1;
	if (rs->stream != NULL)
		r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096,
		    stream_read, x, NULL);
	else {
		r = MHD_create_response_from_buffer(rs->body.n, rs->body.p,
		    MHD_RESPMEM_MUST_COPY);
	}
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", rs->type != NULL ?
	    rs->type : "application/json");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Content-Security-Policy", CSP);
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	if (rs->type == NULL)
		MHD_add_response_header(r, "Cache-Control", "no-store");
	for (int i = 0; i < rs->nheaders; i++)
		MHD_add_response_header(r, rs->header_name[i],
		    rs->header_value[i]);
	ok = MHD_queue_response(c, rs->status, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result
too_large(struct MHD_Connection *c, struct exchange *x)
{
	uoms_resp_fail(&x->rs, 413, UOMS_OK, "the request's body is over %zu "
	    "bytes", opts->max_body);
	return answer(c, x);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct exchange *x = *con_cls;
	const char *len;

	(void)cls;
	(void)version;
	if (x == NULL) {
		if ((x = *con_cls = exchange_new(c, url, method)) == NULL)
			return MHD_NO;
		len = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (len != NULL && strtoull(len, NULL, 10) > opts->max_body)
			/* Refused before a byte of it is read: the
			 * connection is closed after the answer. */
			return too_large(c, x);
		return MHD_YES;
	}
	if (x->answered) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		if (x->body.n + *upload_size > opts->max_body)
			x->too_large = 1;
		if (x->too_large) {
			/* A chunked body grew past the limit: libmicrohttpd
			 * takes no answer until it has all of it, so the
			 * rest is read and dropped, up to a bound. */
			x->dropped += *upload_size;
			*upload_size = 0;
			return x->dropped > 8 * opts->max_body ? MHD_NO :
			    MHD_YES;
		}
		if (uoms_buf_add(&x->body, upload, *upload_size) < 0)
			return MHD_NO;
		*upload_size = 0;
		return MHD_YES;
	}
	if (x->too_large)
		return too_large(c, x);
	if (x->body.n > 0) {
		x->rq.body = x->body.p;
		x->rq.body_len = x->body.n;
	}
	dispatch(x);
	return answer(c, x);
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct exchange *x = *con_cls;
	struct timespec t1;
	double seconds;

	(void)cls;
	(void)c;
	if (x == NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	seconds = (t1.tv_sec - x->t0.tv_sec) + (t1.tv_nsec - x->t0.tv_nsec) /
	    1e9;
	if (x->answered) {
		count_request(x->route != NULL ? x->route->pattern : "-",
		    x->route != NULL ? x->route->method : "-", x->rs.status,
		    seconds);
		uoms_warn(NULL, "%s %s %s %d %zu %.1fms %s%s", x->remote,
		    x->rq.method, x->rq.path, x->rs.status,
		    x->rs.stream != NULL ? (size_t)0 : x->rs.body.n,
		    seconds * 1000, x->rq.authed ? x->rq.actor.name : "-",
		    toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" :
		    " (cut short)");
	}
	exchange_free(x);
	*con_cls = NULL;
}

/* libmicrohttpd's own complaints (a bad request line, a header over the
 * limit), in the tool's voice. */
static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof msg, fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '.'))
		msg[--n] = '\0';
	uoms_warn("http", "%s", msg);
}

/* ---- the daemon ---- */

static int
parse_listen(const char *listen, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strrchr(listen, ':');
	char *end;
	long port;

	if (colon == NULL || (size_t)(colon - listen) >= sizeof host)
		return -1;
	memcpy(host, listen, colon - listen);
	host[colon - listen] = '\0';
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno != 0 || end == colon + 1 || *end != '\0' || port < 0 ||
	    port > 65535)
		return -1;
	memset(sa, 0, sizeof *sa);
	sa->sin_family = AF_INET;
	sa->sin_port = htons((unsigned short)port);
	if (strcmp(host, "*") == 0 || host[0] == '\0')
		sa->sin_addr.s_addr = htonl(INADDR_ANY);
	else if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return -1;
	return 0;
}

static struct {
	pthread_mutex_t mu;
	void (*fn[8])(void);
	int n;
} at_stop = { .mu = PTHREAD_MUTEX_INITIALIZER };

void
uoms_serve_at_stop(void (*fn)(void))
{
	pthread_mutex_lock(&at_stop.mu);
	if (at_stop.n < 8)
		at_stop.fn[at_stop.n++] = fn;
	pthread_mutex_unlock(&at_stop.mu);
}

static void
run_stop_hooks(void)
{
	pthread_mutex_lock(&at_stop.mu);
	for (int i = 0; i < at_stop.n; i++)
		at_stop.fn[i]();
	pthread_mutex_unlock(&at_stop.mu);
}

int
uoms_serve_listen_check(const char *listen)
{
	struct sockaddr_in sa;

	return parse_listen(listen, &sa);
}

/* Waits for the requests in flight, at most timeout seconds. */
static void
drain(unsigned timeout)
{
	struct timespec t0, now, tick = { 0, 20 * 1000 * 1000 };

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (atomic_load(&in_flight) > 0) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec >= (time_t)timeout) {
			uoms_warn(NULL, "stopping with %ld requests still "
			    "running", atomic_load(&in_flight));
			return;
		}
		nanosleep(&tick, NULL);
	}
}

int
uoms_serve_run(const struct uoms_serve_opts *o)
{
	struct sockaddr_in sa;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	sigset_t stop;
	int sig, fd;

	opts = o;
	if (parse_listen(o->listen, &sa) < 0) {
		uoms_warn(NULL, "listen: '%s' is not ADDRESS:PORT (an IPv4 "
		    "address, or *)", o->listen);
		return UOMS_EXIT_USAGE;
	}
	pthread_key_create(&store_key, store_free);
	/* The workers inherit the mask: the stop signals come to sigwait,
	 * and a client gone mid-answer is an error, not SIGPIPE. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC | MHD_USE_ERROR_LOG, 0,
	    NULL, NULL, on_request, NULL,
	    MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)o->threads,
	    MHD_OPTION_CONNECTION_LIMIT, o->max_connections,
	    MHD_OPTION_CONNECTION_TIMEOUT, o->connection_timeout,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, o->max_header,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
	    MHD_OPTION_END);
	if (d == NULL) {
		uoms_warn(NULL, "can't listen on '%s': %s", o->listen,
		    strerror(errno));
		return UOMS_EXIT_CANNOT;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	uoms_warn(NULL, "listening on http://%s:%u/ (%d threads)",
	    inet_ntoa(sa.sin_addr), info != NULL ? info->port : 0, o->threads);
	while (sigwait(&stop, &sig) != 0)
		;
	uoms_warn(NULL, "stopping (%s): finishing the requests in flight",
	    sig == SIGTERM ? "SIGTERM" : "SIGINT");
	run_stop_hooks();
	if ((fd = MHD_quiesce_daemon(d)) >= 0)
		close(fd);
	drain(o->connection_timeout);
	MHD_stop_daemon(d);
	uoms_warn(NULL, "stopped");
	return UOMS_EXIT_OK;
}
