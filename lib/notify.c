/*
 * notify: lines to a webhook, with retries and a delivery log (notify.h).
 *
 * A line with a key is claimed in a transaction of its own, committed
 * before the first request, the way uoms-push claims a push: a second
 * run at the same time finds the row and does not send. A claim left
 * sending by a run that died is a delivery that may or may not have got
 * there: it is not sent again, it is for a person to look at; one that
 * failed (every attempt refused or unanswered) may be claimed again.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "db.h"
#include "http.h"
#include "line.h"
#include "notify.h"
#include "rfc3339.h"

#define AAD_PREFIX "notify-target"

/* ---- templates ---------------------------------------------------- */

static int
path_ok(const char *p, size_t n)
{
	if (n == 0 || p[0] == '.' || p[n - 1] == '.')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)p[i]) && p[i] != '_' &&
		    p[i] != '-' && p[i] != '.')
			return 0;
	return 1;
}

int
uoms_notify_template_check(const char *tmpl, char *why, size_t whylen)
{
	const char *p = tmpl, *open, *close;

	while ((open = strstr(p, "{{")) != NULL) {
		if ((close = strstr(open + 2, "}}")) == NULL) {
			snprintf(why, whylen, "template: '{{' without '}}'");
			return -1;
		}
		if (!path_ok(open + 2, close - open - 2)) {
			snprintf(why, whylen, "template: '%.*s' is no member "
			    "name (letters, digits, '_', '-', '.')",
			    (int)(close - open + 2), open);
			return -1;
		}
		p = close + 2;
	}
	return 0;
}

json_t *
uoms_notify_member(json_t *line, const char *path, size_t n)
{
	json_t *v = line;
	const char *end = path + n, *dot;
	char name[256];

	while (path < end && v != NULL) {
		if ((dot = memchr(path, '.', end - path)) == NULL)
			dot = end;
		if ((size_t)(dot - path) >= sizeof name || !json_is_object(v))
			return NULL;
		memcpy(name, path, dot - path);
		name[dot - path] = '\0';
		v = json_object_get(v, name);
		path = dot + 1;
	}
	return v;
}

int
uoms_notify_render(const char *tmpl, json_t *line, struct uoms_buf *out,
    char *why, size_t whylen)
{
	const char *p = tmpl, *open, *close;
	size_t start = out->n;
	json_t *v, *check;
	char *text;
	int rc = 0;

	while ((open = strstr(p, "{{")) != NULL &&
	    (close = strstr(open + 2, "}}")) != NULL) {
		rc |= uoms_buf_add(out, p, open - p);
		v = uoms_notify_member(line, open + 2, close - open - 2);
		if (v == NULL || json_is_null(v)) {
			snprintf(why, whylen, "template member '%.*s' is %s",
			    (int)(close - open - 2), open + 2,
			    v == NULL ? "missing" : "null");
			return -1;
		}
		if (json_is_string(v)) {
			/* Escaped, quotes cut off: it goes inside the
			 * template's own string. */
			text = json_dumps(v, JSON_ENCODE_ANY);
			if (text == NULL)
				goto nomem;
			rc |= uoms_buf_add(out, text + 1, strlen(text) - 2);
		} else {
			text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT |
			    JSON_PRESERVE_ORDER);
			if (text == NULL)
				goto nomem;
			rc |= uoms_buf_str(out, text);
		}
		free(text);
		p = close + 2;
	}
	if ((rc | uoms_buf_str(out, p)) < 0)
		goto nomem;
	if ((check = json_loadb(out->p + start, out->n - start,
	    JSON_DECODE_ANY, NULL)) == NULL) {
		snprintf(why, whylen, "the template made no JSON of this line");
		return -1;
	}
	json_decref(check);
	return 0;
nomem:
	snprintf(why, whylen, "out of memory");
	return -1;
}

/* ---- timing --------------------------------------------------------- */

double
uoms_notify_retry_after(const char *value, time_t now)
{
	const char *p = value;
	double d;
	time_t t;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return -1;
	if (isdigit((unsigned char)*p)) {
		char *end;

		errno = 0;
		d = strtod(p, &end);
		while (*end == ' ' || *end == '\t')
			end++;
		if (*end != '\0' || errno != 0 || strchr(p, '.') != NULL)
			return -1;
	} else {
		if ((t = curl_getdate(p, NULL)) == -1)
			return -1;
		d = difftime(t, now);
	}
	if (d < 0)
		d = 0;
	return d > UOMS_NOTIFY_RETRY_AFTER_MAX ? UOMS_NOTIFY_RETRY_AFTER_MAX :
	    d;
}

double
uoms_notify_backoff(int n, double r)
{
	double d = UOMS_NOTIFY_BACKOFF_BASE;

	for (int i = 1; i < n && d < UOMS_NOTIFY_BACKOFF_MAX; i++)
		d *= 2;
	if (d > UOMS_NOTIFY_BACKOFF_MAX)
		d = UOMS_NOTIFY_BACKOFF_MAX;
	return d * (0.5 + r / 2);
}

static void
pause_for(double seconds)
{
	struct timespec ts;

	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ---- targets -------------------------------------------------------- */

int
uoms_notify_url_check(const char *url, char *why, size_t whylen)
{
	const char *host = strstr(url, "://");
	char origin[512];

	if (strlen(url) > UOMS_NOTIFY_URL_MAX) {
		snprintf(why, whylen, "the URL is longer than %d bytes",
		    UOMS_NOTIFY_URL_MAX);
		return -1;
	}
	/* The host must be there: libcurl takes "https:///x" as well. */
	if ((strncmp(url, "http://", 7) != 0 &&
	    strncmp(url, "https://", 8) != 0) ||
	    strchr("/?#@:", host[3]) != NULL ||
	    uoms_url_origin(url, origin, sizeof origin) < 0) {
		snprintf(why, whylen, "the URL is no http or https URL with "
		    "a host");
		return -1;
	}
	for (const char *p = url; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f) {
			snprintf(why, whylen, "the URL holds a space or a "
			    "control character");
			return -1;
		}
	return 0;
}

static int
name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > UOMS_NOTIFY_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_' &&
		    name[i] != '-' && name[i] != '.')
			return 0;
	return 1;
}

/* "notify-target\0NAME": a sealed URL opens under its own name only. */
static size_t
aad(const char *name, char *out, size_t size)
{
	size_t p = sizeof AAD_PREFIX, n = strlen(name);

	if (p + n > size)
		return 0;
	memcpy(out, AAD_PREFIX, p);
	memcpy(out + p, name, n);
	return p + n;
}

enum uoms_code
uoms_notify_target_add(struct uoms_store *s, const struct uoms_secret_key *k,
    const char *name, const char *url, struct uoms_error *e)
{
	unsigned char nonce[UOMS_SECRET_NONCE_LEN], tag[UOMS_SECRET_TAG_LEN];
	unsigned char ct[UOMS_NOTIFY_URL_MAX];
	char origin[512], now[40], a[sizeof AAD_PREFIX + UOMS_NOTIFY_NAME_MAX];
	char why[200];
	size_t n = strlen(url), alen;
	struct uoms_stmt *st;
	enum uoms_code code;

	if (!name_ok(name))
		return uoms_fail(e, UOMS_INVALID, "target name '%s': 1 to %d "
		    "letters, digits, '.', '_' or '-'", name,
		    UOMS_NOTIFY_NAME_MAX);
	if (uoms_notify_url_check(url, why, sizeof why) < 0)
		return uoms_fail(e, UOMS_INVALID, "%s", why);
	uoms_url_origin(url, origin, sizeof origin);
	if ((alen = aad(name, a, sizeof a)) == 0 ||
	    uoms_secret_seal(k, a, alen, url, n, nonce, ct, tag) < 0)
		return uoms_fail(e, UOMS_INTERNAL, "can't seal the URL of "
		    "target '%s'", name);
	uoms_time_now(now);
	if ((st = uoms_db_stmt(s, SQL_NOTIFY_TARGET_ADD)) == NULL)
		return uoms_db_fail(s, e, "adding the target");
	uoms_db_bind_text(st, 1, name);
	uoms_db_bind_text(st, 2, origin);
	uoms_db_bind_text(st, 3, k->id);
	uoms_db_bind_blob(st, 4, nonce, sizeof nonce);
	uoms_db_bind_blob(st, 5, ct, n);
	uoms_db_bind_blob(st, 6, tag, sizeof tag);
	uoms_db_bind_text(st, 7, now);
	code = uoms_db_exec(s, st, "adding the target", e);
	OPENSSL_cleanse(ct, sizeof ct);
	if (code == UOMS_OK && uoms_db_changes(s) == 0)
		return uoms_fail(e, UOMS_INVALID, "target '%s' exists "
		    "(remove it first)", name);
	return code;
}

enum uoms_code
uoms_notify_target_url(struct uoms_store *s, const struct uoms_secret_key *k,
    const char *name, char **url, struct uoms_error *e)
{
	char a[sizeof AAD_PREFIX + UOMS_NOTIFY_NAME_MAX];
	const unsigned char *nonce, *ct, *tag;
	struct uoms_stmt *st;
	enum uoms_db_step rc;
	enum uoms_code code = UOMS_OK;
	size_t n, alen;

	*url = NULL;
	if (!name_ok(name))
		return uoms_fail(e, UOMS_NOT_FOUND, "no target '%s'", name);
	if ((st = uoms_db_stmt(s, SQL_NOTIFY_TARGET_GET)) == NULL)
		return uoms_db_fail(s, e, "reading the target");
	uoms_db_bind_text(st, 1, name);
	if ((rc = uoms_db_step(st)) == UOMS_DB_ERROR) {
		uoms_db_done(st);
		return uoms_db_fail(s, e, "reading the target");
	}
	if (rc == UOMS_DB_DONE) {
		uoms_db_done(st);
		return uoms_fail(e, UOMS_NOT_FOUND, "no target '%s'", name);
	}
	nonce = uoms_db_blob(st, 1);
	ct = uoms_db_blob(st, 2);
	tag = uoms_db_blob(st, 3);
	n = uoms_db_bytes(st, 2);
	alen = aad(name, a, sizeof a);
	if (strcmp(uoms_db_text(st, 0), k->id) != 0)
		code = uoms_fail(e, UOMS_INTERNAL, "target '%s': its URL is "
		    "sealed under key id %.16s, the key given is %s", name,
		    uoms_db_text(st, 0), k->id);
	else if (nonce == NULL || tag == NULL || ct == NULL ||
	    uoms_db_bytes(st, 1) != UOMS_SECRET_NONCE_LEN ||
	    uoms_db_bytes(st, 3) != UOMS_SECRET_TAG_LEN)
		code = uoms_fail(e, UOMS_INTERNAL, "target '%s': its sealed "
		    "URL is damaged", name);
	else if ((*url = malloc(n + 1)) == NULL)
		code = uoms_fail(e, UOMS_INTERNAL, "out of memory");
	else if (uoms_secret_open(k, a, alen, ct, n, nonce, tag, *url) < 0) {
		free(*url);
		*url = NULL;
		code = uoms_fail(e, UOMS_INTERNAL, "target '%s': its URL does "
		    "not open under this key (changed, or sealed for another "
		    "name)", name);
	}
	uoms_db_done(st);
	return code;
}

enum uoms_code
uoms_notify_target_remove(struct uoms_store *s, const char *name,
    struct uoms_error *e)
{
	struct uoms_stmt *st;

	if ((st = uoms_db_stmt(s, SQL_NOTIFY_TARGET_REMOVE)) == NULL)
		return uoms_db_fail(s, e, "removing the target");
	uoms_db_bind_text(st, 1, name);
	if (uoms_db_exec(s, st, "removing the target", e) != UOMS_OK)
		return e->code;
	if (uoms_db_changes(s) == 0)
		return uoms_fail(e, UOMS_NOT_FOUND, "no target '%s'", name);
	return UOMS_OK;
}

enum uoms_code
uoms_notify_target_list(struct uoms_store *s, struct uoms_buf *out,
    struct uoms_error *e)
{
	struct uoms_stmt *st;
	enum uoms_db_step rc;
	json_t *o;
	char *text;

	if ((st = uoms_db_stmt(s, SQL_NOTIFY_TARGET_LIST)) == NULL)
		return uoms_db_fail(s, e, "listing the targets");
	while ((rc = uoms_db_step(st)) == UOMS_DB_ROW) {
		o = json_pack("{s:s, s:s, s:s}", "name", uoms_db_text(st, 0),
		    "origin", uoms_db_text(st, 1), "created_at",
		    uoms_db_text(st, 2));
		text = o != NULL ? json_dumps(o, JSON_COMPACT |
		    JSON_PRESERVE_ORDER) : NULL;
		json_decref(o);
		if (text == NULL || uoms_buf_str(out, text) < 0 ||
		    uoms_buf_add(out, "\n", 1) < 0) {
			free(text);
			uoms_db_done(st);
			return uoms_fail(e, UOMS_INTERNAL, "out of memory");
		}
		free(text);
	}
	uoms_db_done(st);
	if (rc == UOMS_DB_ERROR)
		return uoms_db_fail(s, e, "listing the targets");
	return UOMS_OK;
}

/* ---- delivery ------------------------------------------------------- */

struct notifier {
	const struct uoms_notify_opts *o;
	struct uoms_store *s;
	char *url;			/* secret: never printed */
	char label[128];		/* the target as logged and printed */
	CURL *curl;
	struct curl_slist *hdrs;
	char retry_after[64];		/* the last answer's, or "" */
};

/* One attempt's outcome. */
struct attempt {
	long status;			/* HTTP status, 0 for none */
	int retry;			/* worth another attempt */
	double wait;			/* Retry-After, seconds; -1 none */
	char error[200];		/* "" when delivered */
};

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct notifier *nt = arg;
	size_t len = size * n, k = sizeof "Retry-After:" - 1;

	if (len > k && strncasecmp(p, "Retry-After:", k) == 0) {
		size_t v = len - k;

		if (v >= sizeof nt->retry_after)
			v = sizeof nt->retry_after - 1;
		memcpy(nt->retry_after, p + k, v);
		nt->retry_after[v] = '\0';
		nt->retry_after[strcspn(nt->retry_after, "\r\n")] = '\0';
	}
	return len;
}

/* The answer's body is not kept: it is not ours to show. */
static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

static void
post(struct notifier *nt, const struct uoms_buf *body, struct attempt *a)
{
	double t = nt->o->timeout;
	CURLcode rc;

	memset(a, 0, sizeof *a);
	a->wait = -1;
	nt->retry_after[0] = '\0';
	curl_easy_setopt(nt->curl, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)body->n);
	curl_easy_setopt(nt->curl, CURLOPT_POSTFIELDS, body->p);
	curl_easy_setopt(nt->curl, CURLOPT_TIMEOUT_MS, (long)(t * 1000));
	curl_easy_setopt(nt->curl, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)((t < UOMS_NOTIFY_CONNECT_MAX ? t :
	    UOMS_NOTIFY_CONNECT_MAX) * 1000));
	/* libcurl's own message (its error buffer) may name the URL: only
	 * the code's fixed text is shown. */
	if ((rc = curl_easy_perform(nt->curl)) != CURLE_OK) {
		snprintf(a->error, sizeof a->error, "%s",
		    curl_easy_strerror(rc));
		a->retry = 1;
		return;
	}
	curl_easy_getinfo(nt->curl, CURLINFO_RESPONSE_CODE, &a->status);
	if (a->status >= 200 && a->status < 300)
		return;
	snprintf(a->error, sizeof a->error, "HTTP %ld", a->status);
	/* A 4xx but 408 and 429 says the request is wrong: the same again
	 * would be refused again. */
	a->retry = a->status >= 500 || a->status == 408 || a->status == 429;
	if (nt->retry_after[0] != '\0')
		a->wait = uoms_notify_retry_after(nt->retry_after,
		    time(NULL));
}

/* Runs the statement st (bound) in a write transaction of its own. */
static enum uoms_code
tx_exec(struct uoms_store *s, struct uoms_stmt *st, const char *doing,
    struct uoms_error *e)
{
	if (uoms_db_exec(s, st, doing, e) != UOMS_OK) {
		uoms_store_rollback(s);
		return e->code;
	}
	return uoms_store_commit(s, e);
}

/*
 * Claims the line's row in the log, committed: 1 claimed (*id, *tries:
 * attempts before), 0 the key is sent or being sent (state filled), -1
 * the store failed (e filled).
 */
static int
claim(struct notifier *nt, const char *key, long long *id, long long *tries,
    char *state, size_t statelen, struct uoms_error *e)
{
	struct uoms_stmt *st;
	enum uoms_db_step rc;
	char now[40];
	int got = -1;

	uoms_time_now(now);
	if (uoms_store_begin(nt->s, e) != UOMS_OK)
		return -1;
	if ((st = uoms_db_stmt(nt->s, SQL_NOTIFY_CLAIM)) == NULL)
		goto fail;
	uoms_db_bind_text(st, 1, nt->label);
	uoms_db_bind_text(st, 2, key);
	uoms_db_bind_int(st, 3, (long long)getpid());
	uoms_db_bind_text(st, 4, now);
	if ((rc = uoms_db_step(st)) == UOMS_DB_ROW) {
		*id = uoms_db_int(st, 0);
		*tries = uoms_db_int(st, 1);
		got = 1;
	} else if (rc == UOMS_DB_DONE)
		got = 0;
	uoms_db_done(st);
	if (got < 0)
		goto fail;
	if (got == 0) {
		if ((st = uoms_db_stmt(nt->s, SQL_NOTIFY_STATE)) == NULL)
			goto fail;
		uoms_db_bind_text(st, 1, nt->label);
		uoms_db_bind_text(st, 2, key);
		rc = uoms_db_step(st);
		snprintf(state, statelen, "%s", rc == UOMS_DB_ROW ?
		    uoms_db_text(st, 0) : "sent");
		uoms_db_done(st);
		if (rc == UOMS_DB_ERROR)
			goto fail;
	}
	if (uoms_store_commit(nt->s, e) != UOMS_OK)
		return -1;
	return got;
fail:
	uoms_db_fail(nt->s, e, "claiming the delivery");
	uoms_store_rollback(nt->s);
	return -1;
}

static enum uoms_code
record(struct notifier *nt, long long id, const char *state,
    long long attempts, const struct attempt *a, struct uoms_error *e)
{
	struct uoms_stmt *st;
	char now[40];

	uoms_time_now(now);
	if (uoms_store_begin(nt->s, e) != UOMS_OK)
		return e->code;
	if ((st = uoms_db_stmt(nt->s, SQL_NOTIFY_RECORD)) == NULL) {
		uoms_db_fail(nt->s, e, "logging the delivery");
		uoms_store_rollback(nt->s);
		return e->code;
	}
	uoms_db_bind_int(st, 1, id);
	uoms_db_bind_text(st, 2, state);
	uoms_db_bind_int(st, 3, attempts);
	if (a->status != 0)
		uoms_db_bind_int(st, 4, a->status);
	else
		uoms_db_bind_null(st, 4);
	uoms_db_bind_text(st, 5, a->error[0] != '\0' ? a->error : NULL);
	uoms_db_bind_text(st, 6, now);
	return tx_exec(nt->s, st, "logging the delivery", e);
}

/* The body of line: the template's, else {"text": its text member, or
 * the line itself}. */
static int
body_of(struct notifier *nt, json_t *line, const char *raw, size_t len,
    struct uoms_buf *out, char *why, size_t whylen)
{
	json_t *text;

	if (nt->o->tmpl != NULL)
		return uoms_notify_render(nt->o->tmpl, line, out, why,
		    whylen);
	text = json_object_get(line, "text");
	if (uoms_buf_str(out, "{\"text\":") < 0 ||
	    (json_is_string(text) ? uoms_buf_json_string(out,
	    json_string_value(text), json_string_length(text)) :
	    uoms_buf_json_string(out, raw, len)) < 0 ||
	    uoms_buf_add(out, "}", 1) < 0) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	return 0;
}

/* The key's text (a string's, or a number's or boolean's JSON) into
 * out; -1 when the member is missing, null, an object or an array. */
static int
key_of(json_t *line, const char *member, char *out, size_t outlen)
{
	json_t *v = uoms_notify_member(line, member, strlen(member));
	char *text;

	if (json_is_string(v)) {
		snprintf(out, outlen, "%s", json_string_value(v));
		return 0;
	}
	if (v == NULL || json_is_null(v) || json_is_object(v) ||
	    json_is_array(v))
		return -1;
	if ((text = json_dumps(v, JSON_ENCODE_ANY)) == NULL)
		return -1;
	snprintf(out, outlen, "%s", text);
	free(text);
	return 0;
}

static int
print_result(long lineno, const char *label, const char *key,
    const char *state, long long attempts, const struct attempt *a,
    const char *logged)
{
	json_t *o = json_pack("{s:I, s:s, s:s?, s:s}", "line",
	    (json_int_t)lineno, "target", label, "key", key, "state", state);
	char *text;
	int rc;

	if (o == NULL)
		return -1;
	if (attempts >= 0)
		json_object_set_new(o, "attempts", json_integer(attempts));
	if (a != NULL && a->status != 0)
		json_object_set_new(o, "status", json_integer(a->status));
	if (a != NULL && a->error[0] != '\0')
		json_object_set_new(o, "error", json_string(a->error));
	if (logged != NULL)
		json_object_set_new(o, "logged", json_string(logged));
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (text == NULL)
		return -1;
	rc = uoms_out_record(text, strlen(text));
	free(text);
	return rc;
}

/*
 * Delivers one line: claims it, tries up to 1 + retries times, logs each
 * failed attempt (retrying) and the end (sent, failed). Returns the
 * line's exit status; a store failure exits 3.
 */
static int
deliver(struct notifier *nt, long lineno, const char *key,
    const struct uoms_buf *body)
{
	struct uoms_error e = { 0 };
	struct attempt a = { .wait = -1 };
	long long id, before = 0;
	char state[16] = "", where[32];
	double wait;
	int n, c;

	snprintf(where, sizeof where, "line %ld", lineno);
	if ((c = claim(nt, key, &id, &before, state, sizeof state, &e)) < 0)
		uoms_die_error(where, &e);
	if (c == 0) {
		if (print_result(lineno, nt->label, key, "skipped", -1, NULL,
		    state) < 0)
			uoms_die(UOMS_EXIT_CANNOT, NULL, "writing standard "
			    "output: %s", strerror(errno));
		return UOMS_EXIT_OK;
	}
	for (n = 1;; n++) {
		post(nt, body, &a);
		if (a.error[0] == '\0' || !a.retry || n > nt->o->retries)
			break;
		if (record(nt, id, "retrying", before + n, &a, &e) != UOMS_OK)
			uoms_die_error(where, &e);
		wait = a.wait >= 0 ? a.wait :
		    uoms_notify_backoff(n, (double)random() / 2147483648.0);
		pause_for(wait);
	}
	if (record(nt, id, a.error[0] == '\0' ? "sent" : "failed", before + n,
	    &a, &e) != UOMS_OK)
		uoms_die_error(where, &e);
	if (a.error[0] != '\0')
		uoms_warn(where, "not delivered after %d attempt%s: %s", n,
		    n == 1 ? "" : "s", a.error);
	if (print_result(lineno, nt->label, key, a.error[0] == '\0' ? "sent" :
	    "failed", n, &a, NULL) < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "writing standard output: "
		    "%s", strerror(errno));
	return a.error[0] == '\0' ? UOMS_EXIT_OK : UOMS_EXIT_REFUSED;
}

/* The line refused before sending: said on stderr and in its result. */
static int
refuse(long lineno, const char *label, const char *why)
{
	struct attempt a = { 0 };
	char where[32];

	snprintf(where, sizeof where, "line %ld", lineno);
	uoms_warn(where, "%s: %s", uoms_code_name(UOMS_INVALID), why);
	snprintf(a.error, sizeof a.error, "%s", why);
	if (print_result(lineno, label, NULL, "refused", -1, &a, NULL) < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "writing standard output: %s",
		    strerror(errno));
	return UOMS_EXIT_REFUSED;
}

static int
one_line(struct notifier *nt, long lineno, char *line, size_t len)
{
	struct uoms_buf body = { 0 };
	json_error_t jerr;
	json_t *j;
	char why[300], key[512];
	int status;

	if ((j = json_loadb(line, len, 0, &jerr)) == NULL)
		return refuse(lineno, nt->label, "not JSON");
	if (!json_is_object(j)) {
		json_decref(j);
		return refuse(lineno, nt->label, "not a JSON object");
	}
	if (nt->o->key != NULL && key_of(j, nt->o->key, key, sizeof key) < 0) {
		snprintf(why, sizeof why, "key member '%s' is missing or "
		    "not a string or number", nt->o->key);
		json_decref(j);
		return refuse(lineno, nt->label, why);
	}
	if (body_of(nt, j, line, len, &body, why, sizeof why) < 0) {
		json_decref(j);
		uoms_buf_free(&body);
		return refuse(lineno, nt->label, why);
	}
	json_decref(j);
	status = deliver(nt, lineno, nt->o->key != NULL ? key : NULL, &body);
	uoms_buf_free(&body);
	return status;
}

/* What the log and the output call a URL given with --webhook: its
 * origin and a digest of the whole, never its path (the token). */
static void
url_label(const char *url, char *out, size_t outlen)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char origin[80];

	if (uoms_url_origin(url, origin, sizeof origin) < 0)
		snprintf(origin, sizeof origin, "?");
	EVP_Digest(url, strlen(url), md, &mdlen, EVP_sha256(), NULL);
	snprintf(out, outlen, "url:%s#%02x%02x%02x%02x%02x%02x%02x%02x",
	    origin, md[0], md[1], md[2], md[3], md[4], md[5], md[6], md[7]);
}

/* The target's URL: opened under the key, or --webhook's. Exits 3 when
 * it can't be had. */
static void
target_url(struct uoms_cli *cli, struct notifier *nt)
{
	struct uoms_secret_key k;
	struct uoms_error e = { 0 };
	char why[300];

	if (nt->o->url != NULL) {
		if ((nt->url = strdup(nt->o->url)) == NULL)
			uoms_die(UOMS_EXIT_CANNOT, NULL, "out of memory");
		url_label(nt->url, nt->label, sizeof nt->label);
		return;
	}
	if (uoms_secret_key_load(uoms_secret_key_path(&cli->config), &k, why,
	    sizeof why) < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", why);
	if (uoms_notify_target_url(nt->s, &k, nt->o->target, &nt->url, &e) !=
	    UOMS_OK) {
		OPENSSL_cleanse(&k, sizeof k);
		uoms_die_error(NULL, &e);
	}
	OPENSSL_cleanse(&k, sizeof k);
	snprintf(nt->label, sizeof nt->label, "%s", nt->o->target);
}

static void
idle(void *arg)
{
	(void)arg;
	uoms_out_flush();
}

int
uoms_notify_run(struct uoms_cli *cli, const struct uoms_notify_opts *o)
{
	struct notifier nt = { .o = o };
	struct uoms_line_reader r;
	enum uoms_line_status ls;
	char why[300], *line;
	size_t len;
	int status = UOMS_EXIT_OK, st;

	if ((nt.s = uoms_store_open(cli->db, UOMS_STORE_WRITE, &cli->config,
	    why, sizeof why)) == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", why);
	uoms_store_set_actor(nt.s, cli->actor);
	target_url(cli, &nt);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 ||
	    (nt.curl = curl_easy_init()) == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't start libcurl");
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	nt.hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	curl_easy_setopt(nt.curl, CURLOPT_URL, nt.url);
	curl_easy_setopt(nt.curl, CURLOPT_HTTPHEADER, nt.hdrs);
	curl_easy_setopt(nt.curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(nt.curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(nt.curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(nt.curl, CURLOPT_USERAGENT, "uoms-notify/"
	    UOMS_VERSION);
	curl_easy_setopt(nt.curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(nt.curl, CURLOPT_HEADERDATA, &nt);
	curl_easy_setopt(nt.curl, CURLOPT_WRITEFUNCTION, on_body);
	if (uoms_line_open(&r, "-", UOMS_LINE_MAX_DEFAULT) < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "reading standard input: %s",
		    strerror(errno));
	r.idle = idle;
	while ((ls = uoms_line_next(&r, &line, &len, why, sizeof why)) !=
	    UOMS_LINE_EOF) {
		if (ls == UOMS_LINE_IOERR)
			uoms_die(UOMS_EXIT_CANNOT, NULL, "reading standard "
			    "input: %s", strerror(errno));
		if (ls == UOMS_LINE_BAD)
			st = refuse(r.lineno, nt.label, why);
		else if (uoms_line_blank(line, len))
			continue;
		else
			st = one_line(&nt, r.lineno, line, len);
		if (st > status)
			status = st;
	}
	uoms_line_close(&r);
	curl_easy_cleanup(nt.curl);
	curl_slist_free_all(nt.hdrs);
	curl_global_cleanup();
	OPENSSL_cleanse(nt.url, strlen(nt.url));
	free(nt.url);
	uoms_store_close(nt.s);
	if (uoms_out_flush() < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "writing standard output: %s",
		    strerror(errno));
	return status;
}
