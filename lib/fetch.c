/*
 * The fetch engine. Each channel is a job that cycles through its kind:
 * next() says what to ask, the engine asks it (waiting for the channel's
 * rate limit or a retry's backoff first), take() reads the answer, and so
 * on until next() says it is done. All jobs share one curl multi handle,
 * so their requests run at once and connections are kept for the next
 * page. Nothing here blocks but curl_multi_poll().
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "alert.h"
#include "db.h"
#include "err.h"
#include "fetch.h"
#include "guard.h"
#include "line.h"
#include "rfc3339.h"

/* The largest answer accepted whole, for a kind that parses a page as
 * one JSON text; kinds that take lines are streamed, a line at a time. */
#define PAGE_MAX (16L * 1024 * 1024)
/* What is kept of an error answer's body (for its message). */
#define ERROR_BODY_MAX (64L * 1024)
/* The largest header block of an answer. */
#define HEAD_MAX (256L * 1024)
/* Backoff: the first retry waits about BACKOFF_BASE s, doubling, capped. */
#define BACKOFF_BASE 0.5
#define BACKOFF_CAP 30.0
/* A Retry-After longer than this fails the channel rather than waiting. */
#define RETRY_AFTER_MAX 300
/* Connecting never waits longer than this, however long the timeout. */
#define CONNECT_MAX 10.0
/* Future changes named in a warning; the rest are counted. */
#define AHEAD_SHOWN 5

enum job_state {
	J_NEXT,		/* ask the kind for its next request */
	J_WAIT,		/* a request is ready, due at job->due */
	J_BUSY,		/* the request is in flight */
	J_OK,		/* fetched to the end */
	J_FAILED
};

struct secret {
	char *name, *value;
	struct secret *next;
};

struct engine;

struct job {
	struct engine *f;
	struct uoms_channel *ch;
	const struct uoms_kind *kind;
	struct uoms_fetch_ctx ctx;
	enum job_state st;
	int started;			/* the kind has state to free */
	int auth_failed;		/* the channel refused our credentials */
	CURL *easy;
	struct curl_slist *hdrs;
	char errbuf[CURL_ERROR_SIZE];
	struct uoms_http_req req;
	int attempt;			/* tries of the current request */
	double due, last_start, gap, timeout;
	const char *ca_bundle;
	struct uoms_buf body, head;
	int too_big;
	long status;			/* of the answer coming in, or 0 */
	struct uoms_buf line;		/* a streamed line so far */
	long lineno;
	int stream_failed;		/* a line was refused: why in stream_why */
	char stream_why[600];
	char origin[300];		/* where credentials may go */
	long max_pages, asked;		/* pages asked of this fetch */
	struct uoms_seen seen;
	char since[40];
	long long base;			/* since, less no overlap; -1 */
	long long mark;			/* its watermark found, or -1 */
	long requests, pages, records;
	long refused;			/* orders the kind could not map */
	char note[160];			/* what it is waiting for */
	struct secret *secrets;
	json_t *names;			/* the secrets it has, or NULL */
	int secret_broken;
	char secret_why[300];
};

struct engine {
	struct uoms_store *s;
	const struct uoms_fetch_opts *o;
	CURLM *multi;
	struct job *jobs;
	int n;
	char until[40];
	struct uoms_secret_key key;
	int key_state;			/* 0 not tried, 1 loaded, -1 failed */
	char key_why[300];
	unsigned long long rng;
	int shown;			/* progress lines on the terminal */
	double shown_at;
	/* Push mode (uoms_fetch_push): the one job runs push_kind over
	 * the channel's kind (real), one request. */
	const struct uoms_push_item *push;
	const struct uoms_kind *real;
	int push_asked;
	enum uoms_push_result push_result;
	struct uoms_buf *push_answer;
	char push_why[600];
};

static int run(struct engine *f_, struct uoms_channel *ch,
    struct uoms_fetch_result *res);
static void job_mask(struct job *j, const char *in, char *out,
    size_t outlen);

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A uniform draw in [0, 1) for jitter (splitmix64). */
static double
draw(struct engine *f)
{
	unsigned long long z = (f->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (z >> 11) * (1.0 / 9007199254740992.0);
}

double
uoms_fetch_setting_num(const struct uoms_channel *c, const char *key,
    double def, int *bad)
{
	json_t *v = c->settings != NULL ? json_object_get(c->settings, key) :
	    NULL;
	const char *s;
	char *end;
	double d;

	if (v == NULL || json_is_null(v))
		return def;
	if (json_is_number(v))
		return json_number_value(v);
	if (json_is_string(v)) {
		s = json_string_value(v);
		errno = 0;
		d = strtod(s, &end);
		if (errno == 0 && end != s && *end == '\0' && isfinite(d))
			return d;
	}
	if (bad != NULL)
		*bad = 1;
	return -1;
}

const char *
uoms_fetch_setting_str(const struct uoms_channel *c, const char *key,
    const char *def)
{
	json_t *v = c->settings != NULL ? json_object_get(c->settings, key) :
	    NULL;

	return json_is_string(v) ? json_string_value(v) : def;
}

long long
uoms_fetch_time(const char *t)
{
	struct tm tm = { 0 };
	int n = 0;

	if (t == NULL || sscanf(t, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year,
	    &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n)
	    != 6 || n != 19)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon--;
	return (long long)timegm(&tm);
}

static void
fmt_time(long long t, char *out)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	snprintf(out, 40, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

int
uoms_fetch_opts_config(struct uoms_fetch_opts *o,
    const struct uoms_config *cfg, char *why, size_t whylen)
{
	const char *t = uoms_config_get(cfg, "fetch_timeout", NULL);
	long long n;
	int bad = 0;
	char *end;

	o->timeout = 30;
	if (t != NULL) {
		o->timeout = strtod(t, &end);
		if (end == t || *end != '\0' || !(o->timeout > 0) ||
		    o->timeout > 86400) {
			snprintf(why, whylen, "fetch_timeout: '%s' is not a "
			    "number of seconds", t);
			return -1;
		}
	}
	n = uoms_config_num(cfg, "fetch_retries", 4, &bad);
	if (bad || n > 100) {
		snprintf(why, whylen, "fetch_retries: '%s' is not a number "
		    "from 0 to 100", uoms_config_get(cfg, "fetch_retries", ""));
		return -1;
	}
	o->retries = (int)n;
	o->overlap = uoms_config_num(cfg, "fetch_overlap", 600, &bad);
	if (bad) {
		snprintf(why, whylen, "fetch_overlap: '%s' is not a number of "
		    "seconds", uoms_config_get(cfg, "fetch_overlap", ""));
		return -1;
	}
	o->backfill = uoms_config_num(cfg, "fetch_backfill", 24, &bad);
	if (bad) {
		snprintf(why, whylen, "fetch_backfill: '%s' is not a number of "
		    "hours", uoms_config_get(cfg, "fetch_backfill", ""));
		return -1;
	}
	n = uoms_config_num(cfg, "line_max", UOMS_LINE_MAX_DEFAULT, &bad);
	if (bad || n < 2) {
		snprintf(why, whylen, "line_max: '%s' is not a number of bytes",
		    uoms_config_get(cfg, "line_max", ""));
		return -1;
	}
	o->line_max = (size_t)n;
	o->key_file = uoms_config_get(cfg, "secret_key_file",
	    "/etc/uoms/secret.key");
	return 0;
}

/*
 * Progress, at a terminal only: one line per channel below everything
 * else, redrawn in place a few times a second. Messages are printed
 * above it (progress_clear first).
 */
static void
progress_clear(struct engine *f)
{
	if (f->shown > 0)
		fprintf(stderr, "\033[%dA\r\033[J", f->shown);
	f->shown = 0;
}

static void
progress(struct engine *f, int force)
{
	double now = mono();

	if (!f->o->progress || f->o->dry_run ||
	    (!force && now - f->shown_at < 0.2))
		return;
	f->shown_at = now;
	progress_clear(f);
	for (int i = 0; i < f->n; i++) {
		struct job *j = &f->jobs[i];
		const char *what = j->st == J_OK ? "done" :
		    j->st == J_FAILED ? "failed" : j->note[0] != '\0' ?
		    j->note : "fetching";

		char masked[sizeof j->note];

		job_mask(j, what, masked, sizeof masked);
		fprintf(stderr, "%s: channel %s: %ld pages, %ld %s, %s\033[K\n",
		    uoms_err_prog(), j->ch->name, j->pages, j->records,
		    f->o->products ? "products" : "orders", masked);
	}
	f->shown = f->n;
	fflush(stderr);
}

static void
job_warn(struct job *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The one place secrets are masked (uoms_mask_apply does the work): in =
 * out with every secret of the job's channel replaced by "****",
 * wherever it appears: each secret opened or kept (tokens derived from
 * them included), every value of the current request's credential
 * headers, and the credentials in its form body. Every message about a
 * channel goes through here (job_warn, progress, --dry-run), so whatever
 * a server echoes, no secret is printed.
 */
static void
job_mask(struct job *j, const char *in, char *out, size_t outlen)
{
	struct uoms_mask m = { 0 };
	const char *sig;

	for (struct secret *sec = j->secrets; sec != NULL; sec = sec->next)
		uoms_mask_add_secret(&m, sec->value);
	for (int i = 0; i < j->req.nheaders; i++)
		if (j->req.secret_header[i])
			uoms_mask_add_header(&m, j->req.headers[i]);
	uoms_mask_add_form(&m, j->req.body.p, j->req.body.n);
	/* A query string may carry a signature (OAuth 1.0a's). */
	if (j->req.url.p != NULL && (sig = strstr(j->req.url.p,
	    "oauth_signature=")) != NULL)
		uoms_mask_add_form(&m, sig, strcspn(sig, "&#"));
	uoms_mask_apply(&m, in, out, outlen);
	uoms_mask_free(&m);
}

static void
job_warn(struct job *j, const char *fmt, ...)
{
	char where[300], msg[1024], masked[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(where, sizeof where, "channel %s", j->ch->name);
	job_mask(j, msg, masked, sizeof masked);
	progress_clear(j->f);
	uoms_warn(where, "%s", masked);
	explicit_bzero(msg, sizeof msg);
}

static void
wipe_secrets(struct job *j)
{
	struct secret *s, *next;

	for (s = j->secrets; s != NULL; s = next) {
		next = s->next;
		OPENSSL_cleanse(s->value, strlen(s->value));
		free(s->value);
		free(s->name);
		free(s);
	}
	j->secrets = NULL;
	json_decref(j->names);
	j->names = NULL;
}

static void
wipe_headers(struct job *j)
{
	for (struct curl_slist *h = j->hdrs; h != NULL; h = h->next)
		explicit_bzero(h->data, strlen(h->data));
	curl_slist_free_all(j->hdrs);
	j->hdrs = NULL;
}

/* The job ends: the kind's state, the secrets and every buffer that held
 * them go at once (the curl handle with its copies too), not when the
 * last channel is done. */
static void
job_end(struct job *j, enum job_state st)
{
	if (j->easy != NULL && j->st == J_BUSY)
		curl_multi_remove_handle(j->f->multi, j->easy);
	j->st = st;
	if (j->started && j->kind->done != NULL)
		j->kind->done(&j->ctx);
	j->started = 0;
	j->ctx.state = NULL;
	uoms_http_req_free(&j->req);
	wipe_secrets(j);
	if (j->easy != NULL)
		curl_easy_cleanup(j->easy);
	j->easy = NULL;
	wipe_headers(j);
	uoms_buf_free(&j->body);
	uoms_buf_free(&j->head);
	uoms_buf_free(&j->line);
	uoms_seen_free(&j->seen);
	progress(j->f, 1);
}

static void
job_fail(struct job *j, const char *why)
{
	if (j->f->push != NULL) {
		/* The caller says it, as a line of its own (push.c). */
		job_mask(j, why, j->f->push_why, sizeof j->f->push_why);
		if (j->f->push_result != UOMS_PUSH_REFUSED)
			j->f->push_result = UOMS_PUSH_FAILED;
		job_end(j, J_FAILED);
		return;
	}
	job_warn(j, "%s", why);
	if (j->records > 0 && !j->f->o->products)
		job_warn(j, "%ld orders were printed before it failed; to be "
		    "sure of the rest, fetch again with --channel %s --since %s",
		    j->records, j->ch->name, j->since);
	job_end(j, J_FAILED);
}

static int
load_key(struct engine *f, char *why, size_t whylen)
{
	if (f->key_state == 0) {
		f->key_state = uoms_secret_key_load(f->o->key_file, &f->key,
		    f->key_why, sizeof f->key_why) == 0 ? 1 : -1;
	}
	if (f->key_state < 0)
		snprintf(why, whylen, "%s", f->key_why);
	return f->key_state > 0 ? 0 : -1;
}

static int
has_secret(struct job *j, const char *name)
{
	struct uoms_error e = { 0 };
	struct uoms_buf b = { 0 };
	size_t i;
	json_t *v;

	if (j->names == NULL) {
		if (uoms_channel_secret_names(j->f->s, j->ch->name, &b, &e) ==
		    UOMS_OK)
			j->names = json_loadb(b.p, b.n, 0, NULL);
		uoms_buf_free(&b);
		if (!json_is_array(j->names)) {
			json_decref(j->names);
			j->names = json_array();
		}
	}
	json_array_foreach(j->names, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), name) == 0)
			return 1;
	return 0;
}

static struct secret *
cached(struct job *j, const char *name)
{
	for (struct secret *s = j->secrets; s != NULL; s = s->next)
		if (strcmp(s->name, name) == 0)
			return s;
	return NULL;
}

static void
cache(struct job *j, const char *name, char *value)
{
	struct secret *s = cached(j, name);

	if (s != NULL) {
		OPENSSL_cleanse(s->value, strlen(s->value));
		free(s->value);
		s->value = value;
		return;
	}
	if ((s = calloc(1, sizeof *s)) == NULL ||
	    (s->name = strdup(name)) == NULL) {
		free(s);
		OPENSSL_cleanse(value, strlen(value));
		free(value);
		return;
	}
	s->value = value;
	s->next = j->secrets;
	j->secrets = s;
}

/*
 * ctx->secret: opened on first use and kept until the job ends. A secret
 * that is not set is the kind's business (some are optional); one that
 * is set but can't be opened (no key, a wrong key) fails the channel
 * whatever the kind makes of it, so it never goes on without it.
 */
static const char *
ctx_secret(struct uoms_fetch_ctx *ctx, const char *name, char *why,
    size_t whylen)
{
	struct job *j = ctx->engine;
	struct uoms_error e = { 0 };
	struct secret *s;
	char *value = NULL, kwhy[300];
	int rc;

	if ((s = cached(j, name)) != NULL)
		return s->value;
	if (!has_secret(j, name)) {
		snprintf(why, whylen, "secret '%s' is not set", name);
		return NULL;
	}
	if (load_key(j->f, kwhy, sizeof kwhy) < 0) {
		snprintf(why, whylen, "can't open secret '%s': %s", name, kwhy);
		goto broken;
	}
	rc = uoms_channel_secret_get(j->f->s, j->ch->name, name, &j->f->key,
	    &value, &e);
	if (rc == UOMS_NOT_FOUND) {
		snprintf(why, whylen, "secret '%s' is not set or has expired",
		    name);
		return NULL;
	}
	if (rc != UOMS_OK || value == NULL) {
		snprintf(why, whylen, "can't open secret '%s': %s", name,
		    e.msg);
		goto broken;
	}
	cache(j, name, value);
	return value;
broken:
	if (!j->secret_broken)
		snprintf(j->secret_why, sizeof j->secret_why, "%s", why);
	j->secret_broken = 1;
	return NULL;
}

/* A secret to seal into the store (keep_secret_tx). */
struct kept_secret {
	struct job *j;
	const char *name, *value, *expires_at;
};

static enum uoms_code
keep_secret_tx(struct uoms_store *s, void *arg, struct uoms_error *e)
{
	struct kept_secret *k = arg;

	return uoms_channel_secret_put(s, k->j->ch->name, k->name, k->value,
	    k->expires_at, &k->j->f->key, e);
}

/* ctx->keep_secret: sealed into the store at once (in a transaction run
 * again when PostgreSQL gave up on it), and kept at hand. */
static void
ctx_keep_secret(struct uoms_fetch_ctx *ctx, const char *name,
    const char *value, const char *expires_at)
{
	struct job *j = ctx->engine;
	struct uoms_error e = { 0 };
	struct kept_secret k;
	char why[300], *copy;

	if ((copy = strdup(value)) != NULL) {
		cache(j, name, copy);
		if (j->names != NULL)
			json_array_append_new(j->names, json_string(name));
	}
	if (j->f->o->dry_run)
		return;
	if (load_key(j->f, why, sizeof why) < 0) {
		job_warn(j, "can't keep secret '%s': %s", name, why);
		return;
	}
	k = (struct kept_secret){ j, name, value, expires_at };
	if (uoms_db_transact(j->f->s, keep_secret_tx, &k, &e) != UOMS_OK)
		job_warn(j, "can't keep secret '%s': %s", name, e.msg);
}

/*
 * A product belongs to the catalog of the channel it came from (the same
 * SKU on two channels is two products): its channel member is set here,
 * first in the line, once for every kind. A new reference.
 */
static json_t *
channel_product(json_t *record, const char *channel)
{
	json_t *p = json_object(), *v;
	const char *k;
	int bad;

	bad = p == NULL || json_object_set_new(p, "channel",
	    json_string(channel)) < 0;
	json_object_foreach(record, k, v)
		if (!bad && strcmp(k, "channel") != 0)
			bad = json_object_set(p, k, v) < 0;
	if (bad)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "out of memory");
	return p;
}

static void
ctx_emit(struct uoms_fetch_ctx *ctx, json_t *record)
{
	struct job *j = ctx->engine;
	json_t *p = NULL;
	char *line;

	j->records++;
	if (j->f->o->dry_run)
		return;
	if (ctx->products)
		record = p = channel_product(record, ctx->channel->name);
	line = json_dumps(record, JSON_COMPACT);
	json_decref(p);
	if (line == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "out of memory");
	if (uoms_out_record(line, strlen(line)) < 0) {
		progress_clear(j->f);
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't write records: %s",
		    strerror(errno));
	}
	free(line);
}

/* ctx->stored_open: from the store the fetch reads its start from. */
static int
ctx_stored_open(struct uoms_fetch_ctx *ctx, const char *before,
    const char *final, int max, void (*fn)(void *arg, const char *ext),
    void *arg, char *why, size_t whylen)
{
	struct job *j = ctx->engine;
	struct uoms_error e = { 0 };

	if (uoms_channel_open_before(j->f->s, j->ch->name, before, final, max,
	    fn, arg, &e) != UOMS_OK) {
		snprintf(why, whylen, "%s", e.msg);
		return -1;
	}
	return 0;
}

/* ctx->refuse: said, counted; the watermark stays (job_mark). */
static void
ctx_refuse(struct uoms_fetch_ctx *ctx, const char *why)
{
	struct job *j = ctx->engine;

	j->refused++;
	job_warn(j, "%s", why);
}

/* ctx->warn: said, nothing more. */
static void
ctx_warn(struct uoms_fetch_ctx *ctx, const char *what)
{
	job_warn(ctx->engine, "%s", what);
}

int
uoms_fetch_emit_text(struct uoms_fetch_ctx *ctx, const char *text,
    size_t len)
{
	struct job *j = ctx->engine;
	json_t *o;

	/* A product takes its channel on the way (ctx_emit). */
	if (ctx->emit != ctx_emit || ctx->products) {
		if ((o = json_loadb(text, len, 0, NULL)) == NULL)
			return -1;
		ctx->emit(ctx, o);
		json_decref(o);
		return 0;
	}
	j->records++;
	if (j->f->o->dry_run)
		return 0;
	if (uoms_out_record(text, len) < 0) {
		progress_clear(j->f);
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't write records: %s",
		    strerror(errno));
	}
	return 0;
}

static void
flush_out(struct engine *f)
{
	if (uoms_out_flush() < 0) {
		progress_clear(f);
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't write records: %s",
		    strerror(errno));
	}
}

/* A streamed line is complete: to the kind, or -1 (stream_why set). */
static int
stream_line(struct job *j)
{
	char why[512] = "";

	j->lineno++;
	if (j->kind->line(&j->ctx, j->line.p != NULL ? j->line.p : "",
	    j->line.n, why, sizeof why) < 0) {
		snprintf(j->stream_why, sizeof j->stream_why, "page %ld, line "
		    "%ld: %s", j->pages + 1, j->lineno, why[0] != '\0' ? why :
		    "refused");
		j->stream_failed = 1;
		return -1;
	}
	uoms_buf_clear(&j->line);
	return 0;
}

/*
 * A 2xx answer of a kind that takes lines is split into lines as it
 * arrives, each handed over when complete, so memory holds one line, not
 * a page. Other answers are kept whole up to PAGE_MAX (an error answer's
 * first ERROR_BODY_MAX bytes, for its message).
 */
static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct job *j = arg;
	size_t len = size * n, max = j->f->o->line_max;
	const char *q = p, *end = p + len;

	if (j->status == 0)
		curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &j->status);
	if (j->status < 200 || j->status > 299) {
		if (j->body.n < ERROR_BODY_MAX)
			uoms_buf_add(&j->body, p, len < ERROR_BODY_MAX ? len :
			    ERROR_BODY_MAX);
		return len;
	}
	if (j->kind->line == NULL) {
		if (j->body.n + len > PAGE_MAX) {
			j->too_big = 1;
			return 0;
		}
		return uoms_buf_add(&j->body, p, len) < 0 ? 0 : len;
	}
	while (q < end) {
		const char *eol = memchr(q, '\n', end - q);
		size_t part = (eol != NULL ? eol : end) - q;

		if (j->line.n + part > max) {
			snprintf(j->stream_why, sizeof j->stream_why, "page %ld, "
			    "line %ld: longer than %zu bytes", j->pages + 1,
			    j->lineno + 1, max);
			j->stream_failed = 1;
			return 0;
		}
		if (uoms_buf_add(&j->line, q, part) < 0)
			return 0;
		if (eol == NULL)
			break;
		if (stream_line(j) < 0)
			return 0;
		q = eol + 1;
	}
	return len;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct job *j = arg;

	/* A new status line starts a new answer (after a 100 Continue). */
	if (size * n >= 5 && memcmp(p, "HTTP/", 5) == 0)
		uoms_buf_clear(&j->head);
	if (j->head.n + size * n > HEAD_MAX) {
		snprintf(j->stream_why, sizeof j->stream_why, "an answer's "
		    "headers are larger than %ld KiB", HEAD_MAX / 1024);
		j->stream_failed = 1;
		return 0;
	}
	if (uoms_buf_add(&j->head, p, size * n) < 0)
		return 0;
	return size * n;
}

/* Prints the request --dry-run would make, secret header values masked. */
static void
dry_print(struct job *j)
{
	struct uoms_http_req *r = &j->req;
	char masked[4096];

	job_mask(j, r->url.p != NULL ? r->url.p : "", masked, sizeof masked);
	printf("%s %s\n", r->method, masked);
	for (int i = 0; i < r->nheaders; i++) {
		const char *h = r->headers[i], *colon = strchr(h, ':');

		if (r->secret_header[i] && colon != NULL)
			printf("%.*s: ****\n", (int)(colon - h), h);
		else if (r->secret_header[i])
			printf("****\n");
		else {
			job_mask(j, h, masked, sizeof masked);
			printf("%s\n", masked);
		}
	}
	/* A body may carry a signature or a client id: never shown. */
	if (r->body.n > 0)
		printf("[a body of %zu bytes, not shown]\n", r->body.n);
	printf("\n");
}

/* Nonzero when req carries a secret header. */
static int
has_credentials(const struct uoms_http_req *r)
{
	for (int i = 0; i < r->nheaders; i++)
		if (r->secret_header[i])
			return 1;
	return 0;
}

/*
 * Checks the request the kind made before it is sent: the page limit,
 * a page asked twice (a cycle: the same next link or cursor again), and
 * credentials only to the channel's own origin. 0, or -1 with why.
 */
static int
guard(struct job *j, char *why, size_t whylen)
{
	char origin[300];
	long first;

	if (j->req.again)
		goto origin;	/* the same page again, bounded by the kind */
	if (++j->asked > j->max_pages) {
		snprintf(why, whylen, "more than %ld pages (max_pages): stopped",
		    j->max_pages);
		return -1;
	}
	if ((first = uoms_seen_add(&j->seen, j->req.method,
	    j->req.url.p != NULL ? j->req.url.p : "", j->req.body.p,
	    j->req.body.n, j->asked)) > 0) {
		snprintf(why, whylen, "page %ld: its URL was already fetched "
		    "(page %ld): a cycle, not followed", j->asked, first);
		return -1;
	}
origin:
	if (uoms_url_origin(j->req.url.p != NULL ? j->req.url.p : "", origin,
	    sizeof origin) < 0 || (strncmp(origin, "http://", 7) != 0 &&
	    strncmp(origin, "https://", 8) != 0)) {
		snprintf(why, whylen, "page %ld: its URL is not http or https",
		    j->asked);
		return -1;
	}
	/* The channel's origin is its base URL's, or, for a kind that
	 * knows its API's address, the first request's. */
	if (j->origin[0] == '\0')
		snprintf(j->origin, sizeof j->origin, "%s", origin);
	if (has_credentials(&j->req) && strcmp(origin, j->origin) != 0) {
		snprintf(why, whylen, "page %ld: refusing to send the channel's "
		    "credentials to %.100s, not its own origin (%.100s)",
		    j->asked, origin, j->origin);
		return -1;
	}
	return 0;
}

/* Asks the kind what next; it may emit records itself (demo). */
static void
step(struct job *j)
{
	char why[512] = "";
	enum uoms_kind_step r;

	uoms_http_req_free(&j->req);
	if (j->f->o->dry_run && j->f->push != NULL)
		printf("# push %s of order %lld to channel %s (%s)\n",
		    j->f->push->push, j->f->push->id, j->ch->name,
		    j->ch->kind);
	else if (j->f->o->dry_run)
		printf("# channel %s (%s) since %s\n", j->ch->name,
		    j->ch->kind, j->since);
	j->started = 1;
	r = j->kind->next(&j->ctx, &j->req, why, sizeof why);
	if (j->secret_broken) {
		job_fail(j, j->secret_why);
		return;
	}
	if (r == UOMS_KIND_FAIL) {
		job_fail(j, why[0] != '\0' ? why : "failed");
		return;
	}
	if (r == UOMS_KIND_REQUEST && guard(j, why, sizeof why) < 0) {
		flush_out(j->f);
		job_fail(j, why);
		return;
	}
	if (j->f->o->dry_run) {
		if (r == UOMS_KIND_REQUEST)
			dry_print(j);
		else if (j->f->push != NULL)
			printf("# no request: kind '%s' takes it itself\n\n",
			    j->ch->kind);
		else
			printf("# no request: kind '%s' makes its %s itself\n\n",
			    j->kind->name, j->f->o->products ? "products" :
			    "orders");
		job_end(j, J_OK);
		return;
	}
	if (r == UOMS_KIND_DONE) {
		flush_out(j->f);
		job_end(j, J_OK);
		return;
	}
	j->attempt = 0;
	j->note[0] = '\0';
	j->due = j->last_start + j->gap;
	/* The kind's own wait (a throttle it read), bounded by it. */
	if (j->req.wait > 0 && mono() + j->req.wait > j->due)
		j->due = mono() + j->req.wait;
	/* The kind's own pace (a rate limit's empty bucket), if longer. */
	if (j->ctx.pause > 0) {
		if (j->due < mono() + j->ctx.pause)
			j->due = mono() + j->ctx.pause;
		j->ctx.pause = 0;
	}
	j->st = J_WAIT;
}

static void
start(struct job *j, double now)
{
	struct uoms_http_req *r = &j->req;
	CURL *c = j->easy;
	long ms = (long)(j->timeout * 1000);
	char why[512] = "";

	if (j->attempt > 0 && j->kind->again != NULL &&
	    j->kind->again(&j->ctx, r, why, sizeof why) < 0) {
		job_fail(j, why[0] != '\0' ? why : "can't ask again");
		return;
	}
	wipe_headers(j);
	for (int i = 0; i < r->nheaders; i++)
		j->hdrs = curl_slist_append(j->hdrs, r->headers[i]);
	uoms_buf_clear(&j->body);
	uoms_buf_clear(&j->head);
	/* A retry reads the page again from its first line (the lines
	 * already emitted are emitted again: upsert takes them twice). */
	uoms_buf_clear(&j->line);
	j->lineno = 0;
	j->status = 0;
	j->stream_failed = 0;
	j->too_big = 0;
	j->errbuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, r->url.p);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, j->hdrs);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
	if (strcmp(r->method, "GET") == 0) {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	} else {
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)r->body.n);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS,
		    r->body.p != NULL ? r->body.p : "");
		if (strcmp(r->method, "POST") != 0)
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r->method);
	}
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)(fmin(j->timeout, CONNECT_MAX) * 1000));
	j->last_start = now;
	j->attempt++;
	j->st = J_BUSY;
	curl_multi_add_handle(j->f->multi, c);
}

static double
backoff(struct job *j)
{
	double d = BACKOFF_BASE * pow(2, j->attempt - 1);

	if (d > BACKOFF_CAP)
		d = BACKOFF_CAP;
	/* Half fixed, half random: retries of many clients spread out. */
	return d / 2 + draw(j->f) * d / 2;
}

/* Tries the same request again later, or gives up after the retries. */
static void
retry(struct job *j, double at_least, const char *why)
{
	double d = backoff(j);
	char msg[600];

	if (j->attempt > j->f->o->retries) {
		snprintf(msg, sizeof msg, "%s (gave up after %d tries)", why,
		    j->attempt);
		job_fail(j, msg);
		return;
	}
	if (d < at_least)
		d = at_least;
	j->due = mono() + d;
	j->st = J_WAIT;
	snprintf(j->note, sizeof j->note, "retrying in %.1f s: %s", d, why);
	progress(j->f, 1);
}

/* A curl failure a later try may not meet. */
static int
transient(CURLcode rc)
{
	switch (rc) {
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_WRITE_ERROR:
	case CURLE_OUT_OF_MEMORY:
		return 0;
	default:
		return 1;
	}
}

/* One line of the answer's body, for a message: masked whole before it
 * is cut, so no part of a secret is left at the cut. */
static void
excerpt(struct job *j, char *out, size_t outlen)
{
	const struct uoms_buf *b = &j->body;
	size_t i, k, n = b->n < ERROR_BODY_MAX ? b->n : ERROR_BODY_MAX;
	char *flat = malloc(n + 1), *masked = malloc(4 * n + 1);

	out[0] = '\0';
	if (flat != NULL && masked != NULL) {
		for (i = 0; i < n; i++) {
			unsigned char c = b->p[i];

			flat[i] = c == '\n' || c == '\r' || c == '\t' ? ' ' :
			    c < 0x20 ? '?' : c;
		}
		flat[n] = '\0';
		job_mask(j, flat, masked, 4 * n + 1);
		for (k = 0; masked[k] != '\0' && k + 1 < outlen && k < 120; k++)
			out[k] = masked[k];
		out[k] = '\0';
		explicit_bzero(flat, n + 1);
		explicit_bzero(masked, 4 * n + 1);
	}
	free(flat);
	free(masked);
}

/* The job's answer as the kinds read it (borrowed from the job). */
static struct uoms_http_resp
job_resp(const struct job *j, long status)
{
	struct uoms_http_resp resp = { 0 };

	resp.status = status;
	resp.body = j->body.p != NULL ? j->body.p : "";
	resp.len = j->body.n;
	resp.headers = j->head.p != NULL ? j->head.p : "";
	resp.headers_len = j->head.n;
	return resp;
}

/*
 * Hands an answer that is not 2xx to a kind that reads some itself
 * (kind.h): nonzero when the kind took it (the job is failed, retried or
 * back to next()), 0 when the engine's rules apply.
 */
static int
refused(struct job *j, long status)
{
	struct uoms_http_resp resp = job_resp(j, status);
	char why[600] = "";
	double d;

	switch (j->kind->refused(&j->ctx, &resp, why, sizeof why)) {
	case UOMS_REFUSAL_ENGINE:
		return 0;
	case UOMS_REFUSAL_RETRY:
		d = j->ctx.pause;
		j->ctx.pause = 0;
		if (why[0] == '\0')
			snprintf(why, sizeof why, "HTTP %ld", status);
		retry(j, d, why);
		return 1;
	case UOMS_REFUSAL_NEXT:
		if (why[0] != '\0')
			job_warn(j, "%s", why);
		j->st = J_NEXT;
		j->note[0] = '\0';
		progress(j->f, 0);
		return 1;
	case UOMS_REFUSAL_FAIL:
		break;
	}
	job_fail(j, why[0] != '\0' ? why : "refused");
	return 1;
}

static void
finished(struct job *j, CURLcode rc)
{
	struct uoms_http_resp resp = { 0 };
	char why[600], ex[200];
	curl_off_t ra = -1;
	long status = 0;

	curl_multi_remove_handle(j->f->multi, j->easy);
	j->st = J_WAIT;		/* off the multi handle, whatever comes */
	j->requests++;
	if (j->stream_failed) {
		flush_out(j->f);
		job_fail(j, j->stream_why);
		return;
	}
	if (rc != CURLE_OK) {
		if (rc == CURLE_OPERATION_TIMEDOUT)
			snprintf(why, sizeof why, "timed out after %g s",
			    j->timeout);
		else if (j->too_big)
			snprintf(why, sizeof why, "an answer is larger than "
			    "%ld MiB", PAGE_MAX / 1024 / 1024);
		else
			snprintf(why, sizeof why, "%s%s%s",
			    curl_easy_strerror(rc), j->errbuf[0] ? ": " : "",
			    j->errbuf);
		if (rc == CURLE_PEER_FAILED_VERIFICATION)
			snprintf(why + strlen(why), sizeof why - strlen(why),
			    " (a private CA? set ca_bundle)");
		/* A push that may have reached the channel (anything but
		 * no connection at all) is not sent again: it might be
		 * taken twice. push.c leaves it for a person to check. */
		if (transient(rc) && (j->f->push == NULL ||
		    rc == CURLE_COULDNT_CONNECT ||
		    rc == CURLE_COULDNT_RESOLVE_HOST))
			retry(j, 0, why);
		else
			job_fail(j, why);
		return;
	}
	curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &status);
	if ((status < 200 || status > 299) && j->kind->refused != NULL &&
	    refused(j, status))
		return;
	if (status == 401 || status == 403) {
		/* A push wraps the channel's kind: its reason is the
		 * channel's. */
		const struct uoms_kind *k = j->f->push != NULL &&
		    j->f->real->auth_reason != NULL ? j->f->real : j->kind;

		ex[0] = '\0';
		if (k->auth_reason != NULL) {
			char reason[200] = "";

			resp = job_resp(j, status);
			k->auth_reason(&resp, reason, sizeof reason);
			job_mask(j, reason, ex, sizeof ex);
		}
		snprintf(why, sizeof why, "authentication failed (HTTP %ld)%s%s",
		    status, ex[0] != '\0' ? ": " : "", ex);
		j->auth_failed = 1;
		job_fail(j, why);
		return;
	}
	if (status == 429 || (status >= 500 && status <= 599)) {
		curl_easy_getinfo(j->easy, CURLINFO_RETRY_AFTER, &ra);
		if (ra > RETRY_AFTER_MAX) {
			snprintf(why, sizeof why, "HTTP %ld, asked to wait %lld "
			    "s (more than %d)", status, (long long)ra,
			    RETRY_AFTER_MAX);
			job_fail(j, why);
			return;
		}
		snprintf(why, sizeof why, "HTTP %ld", status);
		retry(j, ra > 0 ? (double)ra : 0, why);
		return;
	}
	if (status < 200 || status > 299) {
		excerpt(j, ex, sizeof ex);
		snprintf(why, sizeof why, "HTTP %ld%s%s", status,
		    ex[0] != '\0' ? ": " : "", ex);
		job_fail(j, why);
		return;
	}
	/* The last line of a streamed page may have no newline. */
	if (j->kind->line != NULL && j->line.n > 0 && stream_line(j) < 0) {
		flush_out(j->f);
		job_fail(j, j->stream_why);
		return;
	}
	resp = job_resp(j, status);
	why[0] = '\0';
	if (j->kind->take(&j->ctx, &resp, why, sizeof why) < 0) {
		flush_out(j->f);
		job_fail(j, why[0] != '\0' ? why : "an answer it can't read");
		return;
	}
	j->pages++;
	flush_out(j->f);
	j->st = J_NEXT;
	j->note[0] = '\0';
	progress(j->f, 0);
}

static void
ahead_warn(void *arg, const char *ext, const char *at)
{
	job_warn(arg, "order '%s' changed at %s, more than %d s ahead of "
	    "the clock: not taken as where fetches start", ext, at,
	    UOMS_FETCH_SKEW);
}

/*
 * Where a channel's fetch starts (see fetch.h). A time from the future
 * (a channel's clock, a typo) would start every later fetch after now,
 * and they would read nothing and succeed: such times are left out of
 * the high water and said. The watermark bounds the high water, so the
 * orders a fetch that stopped half-way missed are read by the next
 * (a channel listing newest first leaves the high water past them).
 */
static int
job_since(struct job *j, char *why, size_t whylen)
{
	const struct uoms_fetch_opts *o = j->f->o;
	struct uoms_error e = { 0 };
	char hw[64] = "", wm[64] = "", limit[40];
	long long t, hours, n = 0;
	int bad = 0;

	j->base = j->mark = -1;
	if (!o->products) {
		fmt_time(uoms_fetch_time(j->f->until) + UOMS_FETCH_SKEW,
		    limit);
		if (uoms_channel_watermark_get(j->f->s, j->ch->name, wm, &e)
		    != UOMS_OK || uoms_channel_high_water(j->f->s,
		    j->ch->name, limit, hw, &e) != UOMS_OK ||
		    uoms_channel_ahead(j->f->s, j->ch->name, limit,
		    AHEAD_SHOWN, ahead_warn, j, &n, &e) != UOMS_OK) {
			snprintf(why, whylen, "%s", e.msg);
			return -1;
		}
		if (n > AHEAD_SHOWN)
			job_warn(j, "%lld more orders changed ahead of the "
			    "clock", n - AHEAD_SHOWN);
		j->mark = uoms_fetch_time(wm);
	}
	if (o->since != NULL) {
		snprintf(j->since, sizeof j->since, "%s", o->since);
		j->base = uoms_fetch_time(o->since);
		return 0;
	}
	t = uoms_fetch_time(hw);
	if (j->mark >= 0 && (t < 0 || j->mark < t))
		t = j->mark;
	if (t >= 0) {
		j->base = t;
		fmt_time(t - o->overlap, j->since);
		return 0;
	}
	hours = (long long)uoms_fetch_setting_num(j->ch, "backfill",
	    (double)o->backfill, &bad);
	if (bad || hours < 0) {
		snprintf(why, whylen, "setting 'backfill' is not a number of "
		    "hours");
		return -1;
	}
	j->base = uoms_fetch_time(j->f->until) - hours * 3600;
	fmt_time(j->base, j->since);
	return 0;
}

/*
 * Moves the channel's watermark after its fetch: to when this run
 * began once every page was read from no later than the watermark
 * (or incrementally) and no order was refused; back to where it started
 * when it failed or refused one, so the next fetch starts there at the
 * latest. Never for --products or
 * --dry-run.
 */
static void
job_mark(struct job *j)
{
	const struct uoms_fetch_opts *o = j->f->o;
	struct uoms_error e = { 0 };
	char to[40];

	if (o->products || o->dry_run || j->base < 0)
		return;
	if (j->st == J_OK && j->refused == 0 && (o->since == NULL ||
	    (j->mark >= 0 && j->base <= j->mark)))
		snprintf(to, sizeof to, "%s", j->f->until);
	else if ((j->st == J_FAILED || j->refused > 0) && (j->mark < 0 ||
	    j->base < j->mark))
		fmt_time(j->base, to);
	else
		return;
	if (uoms_channel_watermark_set(j->f->s, j->ch->name, to, &e) !=
	    UOMS_OK)
		job_warn(j, "can't keep how far it was read: %s", e.msg);
}

/*
 * How the channel's fetch of orders went, for uoms-alert(1)'s alerts on
 * the collection: the time the run began when it read to the end, and
 * whether the channel refused our credentials. Not for --products,
 * --dry-run or a push.
 */
static void
job_seen(struct job *j)
{
	struct uoms_error e = { 0 };

	if (j->f->o->products || j->f->o->dry_run || j->f->push != NULL)
		return;
	if (uoms_alert_fetch_mark(j->f->s, j->ch->name, j->st == J_OK,
	    j->auth_failed, j->f->until, &e) != UOMS_OK)
		job_warn(j, "can't keep how the fetch went: %s", e.msg);
}

/*
 * Push mode: a kind over the channel's own whose one request is the
 * push, so that it goes through everything a fetch's pages do.
 */
static enum uoms_kind_step
push_next(struct uoms_fetch_ctx *ctx, struct uoms_http_req *req, char *why,
    size_t whylen)
{
	struct job *j = ctx->engine;
	struct engine *f = j->f;
	int r;

	if (f->push_asked)
		return UOMS_KIND_DONE;
	f->push_asked = 1;
	r = f->real->push(ctx, f->push, req, f->push_answer, why, whylen);
	if (r < 0 && !j->f->o->dry_run) {
		/* The kind can't make the request (a carrier it has no code
		 * for): certainly not sent, so refused, not left in doubt
		 * as a failure is. */
		job_mask(j, why[0] != '\0' ? why : "can't be pushed",
		    f->push_why, sizeof f->push_why);
		f->push_result = UOMS_PUSH_REFUSED;
		return UOMS_KIND_DONE;
	}
	if (r < 0)
		return UOMS_KIND_FAIL;
	if (r > 0) {
		f->push_result = UOMS_PUSH_ACCEPTED;
		return UOMS_KIND_DONE;
	}
	return UOMS_KIND_REQUEST;
}

/* Hands an answer to the real kind; -1 when it is the engine's. */
static int
push_read(struct uoms_fetch_ctx *ctx, const struct uoms_http_resp *r)
{
	struct job *j = ctx->engine;
	struct engine *f = j->f;
	char why[600] = "";
	int k;

	uoms_buf_clear(f->push_answer);
	if ((k = f->real->pushed(ctx, r, f->push_answer, why,
	    sizeof why)) < 0)
		return -1;
	if (k == UOMS_PUSHED_MORE) {
		/* A step of a longer push: next() asks push() again. */
		f->push_asked = 0;
		f->push_result = UOMS_PUSH_FAILED;
	} else if (k == 0) {
		job_mask(j, why[0] != '\0' ? why : "refused", f->push_why,
		    sizeof f->push_why);
		f->push_result = UOMS_PUSH_REFUSED;
	} else
		f->push_result = UOMS_PUSH_ACCEPTED;
	return 0;
}

static int
push_take(struct uoms_fetch_ctx *ctx, const struct uoms_http_resp *r,
    char *why, size_t whylen)
{
	if (push_read(ctx, r) < 0) {
		snprintf(why, whylen, "HTTP %ld: an answer it can't read",
		    r->status);
		return -1;
	}
	return 0;
}

static enum uoms_kind_refusal
push_refused(struct uoms_fetch_ctx *ctx, const struct uoms_http_resp *r,
    char *why, size_t whylen)
{
	struct job *j = ctx->engine;

	(void)why;
	(void)whylen;
	/* A kind's own refusals first (a token to renew), then its word
	 * on the push; what neither takes is the engine's. */
	if (j->f->real->refused != NULL) {
		enum uoms_kind_refusal k = j->f->real->refused(ctx, r, why,
		    whylen);

		if (k != UOMS_REFUSAL_ENGINE)
			return k;
	}
	return push_read(ctx, r) < 0 ? UOMS_REFUSAL_ENGINE : UOMS_REFUSAL_NEXT;
}

static int
push_again(struct uoms_fetch_ctx *ctx, struct uoms_http_req *req, char *why,
    size_t whylen)
{
	struct job *j = ctx->engine;

	return j->f->real->again != NULL ? j->f->real->again(ctx, req, why,
	    whylen) : 0;
}

static void
push_done(struct uoms_fetch_ctx *ctx)
{
	struct job *j = ctx->engine;

	if (j->f->real->done != NULL)
		j->f->real->done(ctx);
}

static const struct uoms_kind push_kind = {
	.name = "push",
	.next = push_next,
	.take = push_take,
	.refused = push_refused,
	.again = push_again,
	.done = push_done,
};

/* Sets a job up; -1 with why when the channel can't run at all. */
static int
job_init(struct engine *f, struct job *j, struct uoms_channel *ch,
    char *why, size_t whylen)
{
	double rate, timeout;
	int bad = 0;

	j->f = f;
	j->ch = ch;
	j->st = J_NEXT;
	if ((j->kind = uoms_kind_find(ch->kind)) == NULL) {
		snprintf(why, whylen, "kind '%s' is not built in", ch->kind);
		return -1;
	}
	if (f->push != NULL && j->kind->push == NULL) {
		snprintf(why, whylen, "kind %s cannot push yet", ch->kind);
		return -1;
	}
	rate = uoms_fetch_setting_num(ch, "max_rate", j->kind->max_rate, &bad);
	if (bad || rate < 0) {
		snprintf(why, whylen, "setting 'max_rate' is not a number of "
		    "requests per second");
		return -1;
	}
	j->gap = rate > 0 ? 1 / rate : 0;
	timeout = uoms_fetch_setting_num(ch, "timeout", f->o->timeout, &bad);
	if (bad || !(timeout > 0)) {
		snprintf(why, whylen, "setting 'timeout' is not a number of "
		    "seconds");
		return -1;
	}
	j->timeout = timeout;
	j->max_pages = (long)uoms_fetch_setting_num(ch, "max_pages",
	    UOMS_CHANNEL_MAX_PAGES_DEFAULT, &bad);
	if (bad || j->max_pages < 1 ||
	    j->max_pages > UOMS_CHANNEL_MAX_PAGES_LIMIT) {
		snprintf(why, whylen, "setting 'max_pages' is not a whole "
		    "number from 1 to %d", UOMS_CHANNEL_MAX_PAGES_LIMIT);
		return -1;
	}
	if (ch->base_url != NULL && ch->base_url[0] != '\0')
		uoms_url_origin(ch->base_url, j->origin, sizeof j->origin);
	j->ca_bundle = uoms_fetch_setting_str(ch, "ca_bundle", NULL);
	if (f->push != NULL) {
		f->real = j->kind;
		j->kind = &push_kind;
		j->base = j->mark = -1;
	} else if (job_since(j, why, whylen) < 0)
		return -1;
	j->ctx.channel = ch;
	j->ctx.since = j->since;
	j->ctx.until = f->until;
	j->ctx.products = f->o->products;
	j->ctx.secret = ctx_secret;
	j->ctx.keep_secret = ctx_keep_secret;
	j->ctx.emit = ctx_emit;
	j->ctx.refuse = ctx_refuse;
	j->ctx.stored_open = ctx_stored_open;
	j->ctx.warn = ctx_warn;
	j->ctx.engine = j;
	j->last_start = -1e9;
	if (f->o->dry_run)
		return 0;
	if ((j->easy = curl_easy_init()) == NULL) {
		snprintf(why, whylen, "can't make a curl handle");
		return -1;
	}
	curl_easy_setopt(j->easy, CURLOPT_PRIVATE, j);
	curl_easy_setopt(j->easy, CURLOPT_NOSIGNAL, 1L);
	/* http(s) only, and no redirect followed: a Location elsewhere
	 * would take the Authorization header with it (curl sends custom
	 * headers on redirects), so a 3xx is an answer like any other. */
	curl_easy_setopt(j->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(j->easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(j->easy, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(j->easy, CURLOPT_UNRESTRICTED_AUTH, 0L);
	curl_easy_setopt(j->easy, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(j->easy, CURLOPT_SSL_VERIFYHOST, 2L);
	if (j->ca_bundle != NULL)
		curl_easy_setopt(j->easy, CURLOPT_CAINFO, j->ca_bundle);
	curl_easy_setopt(j->easy, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(j->easy, CURLOPT_USERAGENT, "uoms-fetch/"
	    UOMS_VERSION);
	curl_easy_setopt(j->easy, CURLOPT_ERRORBUFFER, j->errbuf);
	curl_easy_setopt(j->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(j->easy, CURLOPT_WRITEDATA, j);
	curl_easy_setopt(j->easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(j->easy, CURLOPT_HEADERDATA, j);
	return 0;
}

static int
active(const struct job *j)
{
	return j->st != J_OK && j->st != J_FAILED;
}

int
uoms_fetch_run(struct uoms_store *s, struct uoms_channel *ch, int n,
    const struct uoms_fetch_opts *o, struct uoms_fetch_result *res)
{
	struct engine f = { .s = s, .o = o, .n = n };

	return run(&f, ch, res);
}

enum uoms_push_result
uoms_fetch_push(struct uoms_store *s, struct uoms_channel *ch,
    const struct uoms_fetch_opts *o, const struct uoms_push_item *it,
    struct uoms_buf *answer, char *why, size_t whylen)
{
	struct engine f = { .s = s, .o = o, .n = 1, .push = it,
	    .push_answer = answer, .push_result = UOMS_PUSH_FAILED };

	uoms_buf_clear(answer);
	run(&f, ch, NULL);
	if (o->dry_run) {
		snprintf(why, whylen, "dry run");
		return f.push_result == UOMS_PUSH_FAILED ? UOMS_PUSH_FAILED :
		    UOMS_PUSH_REFUSED;
	}
	if (f.push_result == UOMS_PUSH_FAILED && f.push_why[0] == '\0')
		snprintf(f.push_why, sizeof f.push_why, "no answer");
	snprintf(why, whylen, "%s", f.push_why);
	return f.push_result;
}

/* Runs the engine's jobs over f->n channels to the end. */
static int
run(struct engine *f_, struct uoms_channel *ch,
    struct uoms_fetch_result *res)
{
	struct engine f = *f_;
	char why[512];
	int i, left, failed = 0, n = f.n;

	if (curl_global_init_mem(CURL_GLOBAL_DEFAULT, malloc, uoms_wipe_free,
	    uoms_wipe_realloc, uoms_wipe_strdup, calloc) != 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't initialise libcurl");
	json_set_alloc_funcs(malloc, uoms_wipe_free);
	if ((f.multi = curl_multi_init()) == NULL ||
	    (f.jobs = calloc(n > 0 ? n : 1, sizeof *f.jobs)) == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "out of memory");
	f.rng = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid()
	    << 32) ^ (unsigned long long)(mono() * 1e9);
	uoms_time_now(f.until);
	for (i = 0; i < n; i++) {
		if (job_init(&f, &f.jobs[i], &ch[i], why, sizeof why) < 0) {
			f.jobs[i].ch = &ch[i];
			f.jobs[i].f = &f;
			job_fail(&f.jobs[i], why);
		}
	}
	progress(&f, 1);
	for (;;) {
		double now, wait;

		for (i = 0; i < n; i++)
			while (f.jobs[i].st == J_NEXT)
				step(&f.jobs[i]);
		now = mono();
		left = 0;
		for (i = 0; i < n; i++) {
			if (f.jobs[i].st == J_WAIT && f.jobs[i].due <= now)
				start(&f.jobs[i], now);
			left += active(&f.jobs[i]);
		}
		if (left == 0)
			break;
		curl_multi_perform(f.multi, &left);
		for (CURLMsg *m; (m = curl_multi_info_read(f.multi, &left)) !=
		    NULL;) {
			struct job *j;

			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE,
			    (char **)&j);
			finished(j, m->data.result);
		}
		/* Sleep until curl has news or the next request is due; not
		 * at all when an answer was just taken. */
		now = mono();
		wait = 1.0;
		for (i = 0; i < n; i++) {
			if (f.jobs[i].st == J_NEXT)
				wait = 0;
			else if (f.jobs[i].st == J_WAIT &&
			    f.jobs[i].due - now < wait)
				wait = f.jobs[i].due - now;
		}
		if (wait > 0)
			curl_multi_poll(f.multi, NULL, 0, (int)(wait * 1000) + 1,
			    NULL);
		progress(&f, 0);
	}
	flush_out(&f);
	progress(&f, 1);
	for (i = 0; i < n; i++) {
		struct job *j = &f.jobs[i];

		failed += j->st == J_FAILED;
		job_mark(j);
		job_seen(j);
		if (res != NULL) {
			res[i].failed = j->st == J_FAILED;
			res[i].requests = j->requests;
			res[i].records = j->records;
			res[i].refused = j->refused;
			snprintf(res[i].since, sizeof res[i].since, "%s",
			    j->since);
		}
		if (j->easy != NULL)
			curl_easy_cleanup(j->easy);
		wipe_headers(j);
		uoms_buf_free(&j->body);
		uoms_buf_free(&j->head);
		uoms_buf_free(&j->line);
		uoms_seen_free(&j->seen);
	}
	OPENSSL_cleanse(&f.key, sizeof f.key);
	free(f.jobs);
	curl_multi_cleanup(f.multi);
	curl_global_cleanup();
	f_->push_result = f.push_result;
	memcpy(f_->push_why, f.push_why, sizeof f.push_why);
	OPENSSL_cleanse(&f, sizeof f);
	return failed;
}
