/*
 * serve-admin: uoms-serve's admin and tool routes (issue 12, item 6):
 * channels and users as uoms-channel and uoms-user manage them, the
 * reports of uoms-report, the store's gauges for /metrics, and the
 * OpenAPI document of every route table. Each route is a thin shell
 * over the same library calls as the tools, so HTTP and the command line
 * can never disagree; a change runs in one write transaction, rolled
 * back on any refusal.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "channel.h"
#include "cli.h"
#include "db.h"
#include "kind.h"
#include "report.h"
#include "rfc3339.h"
#include "secret.h"
#include "serve.h"
#include "user.h"
#include "workflow.h"

/*
 * The report's time zone handling sets TZ and calls tzset (lib/rfc3339.c,
 * uoms_time_local): process-wide state, so one report at a time.
 */
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;

/* How often a change whose transaction a PostgreSQL server gave up on
 * (serialization failure, lost connection) is run again whole. */
#define ADMIN_RETRY_MAX 5

/* --- helpers ------------------------------------------------------------- */

/*
 * Runs fn(s, arg, e) in one write transaction of the request's store, as
 * the request's actor (events name who did it): committed when it returns
 * UOMS_OK, rolled back else, and run again whole when the store says the
 * transaction surely was not stored and may be (fn starts its output
 * afresh each time). Returns fn's code or the store's.
 */
static enum uoms_code
admin_tx(struct uoms_req *rq, enum uoms_code (*fn)(struct uoms_store *s,
    void *arg, struct uoms_error *e), void *arg, struct uoms_error *e)
{
	struct uoms_store *s = rq->store;
	const char *was = uoms_store_actor(s);
	enum uoms_code code;
	int again;

	uoms_store_set_actor(s, rq->actor.name);
	for (int tries = 0;; tries++) {
		if ((code = uoms_store_begin(s, e)) == UOMS_OK &&
		    (code = fn(s, arg, e)) == UOMS_OK)
			code = uoms_store_commit(s, e);
		else if (code != UOMS_OK && uoms_store_in_tx(s)) {
			again = uoms_db_retryable(s);
			uoms_store_rollback(s);
			if (again && tries < ADMIN_RETRY_MAX) {
				uoms_serve_count_busy();
				continue;
			}
		}
		break;
	}
	/* The actor string is the request's: it must not outlive it. */
	uoms_store_set_actor(s, was);
	return code;
}

/* Answers code (not UOMS_OK) with e as a library refusal. */
static void
refuse(struct uoms_resp *rs, enum uoms_code code, struct uoms_error *e)
{
	e->code = code;
	uoms_resp_error(rs, 0, e);
}

/* Sets status and the JSON body out (moved into the response). */
static void
answer(struct uoms_resp *rs, int status, struct uoms_buf *out)
{
	uoms_resp_json(rs, status, out->p != NULL ? out->p : "", out->n);
	uoms_buf_free(out);
}

/* Appends {"KEY":[LINE,LINE...]} for the JSON lines in lines. */
static void
wrap_lines(struct uoms_buf *out, const char *key, const char *lines,
    size_t n)
{
	const char *p = lines, *end = lines + n, *nl;
	int first = 1;

	uoms_buf_printf(out, "{\"%s\":[", key);
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		if (nl == p)
			continue;
		if (!first)
			uoms_buf_str(out, ",");
		uoms_buf_add(out, p, nl - p);
		first = 0;
	}
	uoms_buf_str(out, "]}");
}

/* The first line of lines, without its newline, as the body. */
static void
answer_line(struct uoms_resp *rs, int status, struct uoms_buf *lines)
{
	char *nl = lines->p != NULL ? memchr(lines->p, '\n', lines->n) : NULL;

	if (nl != NULL)
		lines->n = nl - lines->p;
	answer(rs, status, lines);
}

/*
 * Every member of o is one of allowed (NULL-terminated), else a 400
 * naming the first that is not: a misspelt member must not look like a
 * change that was made. Returns 0 or -1.
 */
static int
members_known(struct uoms_resp *rs, json_t *o, const char *const *allowed)
{
	const char *k;
	json_t *v;
	int ok;

	json_object_foreach(o, k, v) {
		ok = 0;
		for (const char *const *a = allowed; *a != NULL; a++)
			ok |= strcmp(k, *a) == 0;
		if (!ok) {
			uoms_resp_fail(rs, 400, UOMS_INVALID, "unknown member "
			    "'%s'", k);
			return -1;
		}
	}
	(void)v;
	return 0;
}

/*
 * Member name of o as a string into *out: absent (or null when
 * null_ok) leaves *out NULL. Returns 0, or -1 with the 400 answered.
 */
static int
member_string(struct uoms_resp *rs, json_t *o, const char *name,
    int null_ok, const char **out)
{
	json_t *v = json_object_get(o, name);

	*out = NULL;
	if (v == NULL || (null_ok && json_is_null(v)))
		return 0;
	if (!json_is_string(v)) {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "'%s' must be a string",
		    name);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

/* --- channels ------------------------------------------------------------ */

/*
 * The kinds SPEC 7 names, as uoms-channel accepts them: a kind not built
 * in yet may still be registered (uoms-fetch says it can't fetch it).
 */
static const char *const known_kinds[] = {
	"demo", "http-jsonl", "coupang", "naver", "shopify", "woocommerce"
};

static int
kind_known(const char *kind)
{
	if (uoms_kind_find(kind) != NULL)
		return 1;
	for (size_t i = 0; i < sizeof known_kinds / sizeof *known_kinds; i++)
		if (strcmp(kind, known_kinds[i]) == 0)
			return 1;
	return 0;
}

/* A setting named like a credential would be kept and shown in clear:
 * it belongs in "secrets" (as uoms-channel refuses --set for it). */
static int
credential_like(const char *key)
{
	size_t n = strlen(key);

	return strcasestr(key, "secret") != NULL ||
	    strcasestr(key, "token") != NULL ||
	    strcasestr(key, "passw") != NULL ||
	    (n >= 3 && strcasecmp(key + n - 3, "key") == 0);
}

struct chan_req {
	struct uoms_channel c;		/* name, kind, base_url, workflow */
	json_t *settings;		/* the body's (borrowed), or NULL */
	json_t *secrets;		/* the body's (borrowed), or NULL */
	int enabled;			/* -1: as it is */
	int insert, force;
	struct uoms_secret_key key;
	struct uoms_buf out;		/* the channel's line */
};

/*
 * The body's settings: an object of strings (what uoms-channel --set
 * stores), none named like a credential; on update a null member
 * removes that setting. Returns 0, or -1 with the 400 answered.
 */
static int
check_settings(struct uoms_resp *rs, json_t *set, int update)
{
	const char *k;
	json_t *v;

	if (set == NULL)
		return 0;
	if (!json_is_object(set)) {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "'settings' must be an "
		    "object");
		return -1;
	}
	json_object_foreach(set, k, v) {
		if (credential_like(k)) {
			uoms_resp_fail(rs, 400, UOMS_INVALID, "setting '%s' "
			    "looks like a credential: give it in \"secrets\" "
			    "(sealed, never shown)", k);
			return -1;
		}
		if (!json_is_string(v) && !(update && json_is_null(v))) {
			uoms_resp_fail(rs, 400, UOMS_INVALID, "setting '%s' "
			    "must be a string%s", k, update ? " or null" : "");
			return -1;
		}
	}
	return 0;
}

/* The body's secrets: an object of non-empty strings. 0 or -1 (400). */
static int
check_secrets(struct uoms_resp *rs, json_t *sec)
{
	const char *k;
	json_t *v;

	if (sec == NULL)
		return 0;
	if (!json_is_object(sec)) {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "'secrets' must be an "
		    "object of names and values");
		return -1;
	}
	json_object_foreach(sec, k, v)
		if (!json_is_string(v)) {
			uoms_resp_fail(rs, 400, UOMS_INVALID, "secret '%s' "
			    "must be a string", k);
			return -1;
		}
	return 0;
}

/* A string's bytes wiped in place (a secret or a password of a body
 * about to be freed: jansson frees without wiping). */
static void
wipe_string(json_t *v)
{
	if (json_is_string(v))
		OPENSSL_cleanse((char *)json_string_value(v),
		    json_string_length(v));
}

/* The secrets' values wiped before the body is freed, so no copy of one
 * stays in freed memory, as uoms-channel wipes its. */
static void
wipe_secrets(json_t *sec)
{
	const char *k;
	json_t *v;

	if (!json_is_object(sec))
		return;
	json_object_foreach(sec, k, v)
		wipe_string(v);
}

/* A workflow named by a channel exists (uoms-channel checks the same). */
static int
check_workflow(struct uoms_resp *rs, const char *w)
{
	char why[512];
	int ok;

	if (w == NULL || *w == '\0')
		return 0;
	ok = uoms_workflow_get(w, why, sizeof why) != NULL;
	if (!ok)
		uoms_resp_fail(rs, 400, UOMS_INVALID, "workflow: %s", why);
	return ok ? 0 : -1;
}

/* The channel's settings after the body's: old (may be NULL) merged. */
static json_t *
merged_settings(json_t *old, json_t *set)
{
	json_t *o = old != NULL ? json_deep_copy(old) : json_object();
	const char *k;
	json_t *v;

	json_object_foreach(set, k, v) {
		if (json_is_null(v) || *json_string_value(v) == '\0')
			json_object_del(o, k);
		else
			json_object_set(o, k, v);
	}
	return o;
}

/* Add or update, the secrets, then the channel's line: one transaction. */
static enum uoms_code
chan_put(struct uoms_store *s, void *arg, struct uoms_error *e)
{
	struct chan_req *r = arg;
	struct uoms_channel old;
	enum uoms_code code;
	const char *k;
	json_t *v;

	uoms_buf_clear(&r->out);
	json_decref(r->c.settings);
	r->c.settings = NULL;
	if (r->settings != NULL) {
		if (!r->insert) {
			if ((code = uoms_channel_get(s, r->c.name, &old, e)) !=
			    UOMS_OK)
				return code;
			r->c.settings = merged_settings(old.settings,
			    r->settings);
			uoms_channel_free(&old);
		} else
			r->c.settings = merged_settings(NULL, r->settings);
	} else if (r->insert)
		r->c.settings = json_object();
	r->c.enabled = r->insert ? (r->enabled != 0) : -1;
	if ((code = uoms_channel_put(s, &r->c, r->insert, e)) != UOMS_OK)
		return code;
	if (!r->insert && r->enabled >= 0 && (code = uoms_channel_enable(s,
	    r->c.name, r->enabled, e)) != UOMS_OK)
		return code;
	if (r->secrets != NULL)
		json_object_foreach(r->secrets, k, v)
			if ((code = uoms_channel_secret_put(s, r->c.name, k,
			    json_string_value(v), NULL, &r->key, e)) !=
			    UOMS_OK)
				return code;
	return uoms_channel_lines(s, r->c.name, &r->out, e);
}

static enum uoms_code
chan_remove(struct uoms_store *s, void *arg, struct uoms_error *e)
{
	struct chan_req *r = arg;

	return uoms_channel_remove(s, r->c.name, r->force, e);
}

/*
 * POST /channels and PATCH /channels/{name}: the body checked whole
 * before the store is touched, the secret key loaded only when a secret
 * is given (as uoms-channel does), then one transaction.
 */
static void
chan_write(struct uoms_req *rq, struct uoms_resp *rs, int insert)
{
	static const char *const add_members[] = { "name", "kind",
	    "base_url", "workflow", "settings", "secrets", "enabled", NULL };
	static const char *const patch_members[] = { "base_url", "workflow",
	    "settings", "secrets", "enabled", NULL };
	struct chan_req r = { .enabled = -1, .insert = insert };
	struct uoms_error e = { 0 };
	enum uoms_code code;
	json_t *body, *en;
	char why[512];

	if ((body = uoms_req_object(rq, rs)) == NULL)
		return;
	if (members_known(rs, body, insert ? add_members : patch_members) <
	    0 || (insert && member_string(rs, body, "name", 0,
	    (const char **)&r.c.name) < 0) || (insert &&
	    member_string(rs, body, "kind", 0,
	    (const char **)&r.c.kind) < 0) ||
	    member_string(rs, body, "base_url", 1,
	    (const char **)&r.c.base_url) < 0 ||
	    member_string(rs, body, "workflow", 1,
	    (const char **)&r.c.workflow) < 0)
		goto out;
	if (!insert)
		r.c.name = (char *)rq->param[0];
	/* null clears base_url and workflow on update, as "" does. */
	if (!insert && r.c.base_url == NULL && json_is_null(json_object_get(
	    body, "base_url")))
		r.c.base_url = "";
	if (!insert && r.c.workflow == NULL && json_is_null(json_object_get(
	    body, "workflow")))
		r.c.workflow = "";
	if (insert && (r.c.name == NULL || r.c.kind == NULL)) {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "a channel needs "
		    "\"name\" and \"kind\"");
		goto out;
	}
	if (insert && !kind_known(r.c.kind)) {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "kind '%s' is not demo, "
		    "http-jsonl, coupang, naver, shopify or woocommerce",
		    r.c.kind);
		goto out;
	}
	if ((en = json_object_get(body, "enabled")) != NULL) {
		if (!json_is_boolean(en)) {
			uoms_resp_fail(rs, 400, UOMS_INVALID, "'enabled' must "
			    "be true or false");
			goto out;
		}
		r.enabled = json_is_true(en);
	}
	r.settings = json_object_get(body, "settings");
	r.secrets = json_object_get(body, "secrets");
	if (check_settings(rs, r.settings, !insert) < 0 ||
	    check_secrets(rs, r.secrets) < 0 ||
	    check_workflow(rs, r.c.workflow) < 0)
		goto out;
	if (!insert && json_object_size(body) == 0) {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "nothing to change: "
		    "give base_url, workflow, settings, secrets or enabled");
		goto out;
	}
	if (r.secrets != NULL && json_object_size(r.secrets) > 0 &&
	    uoms_secret_key_load(uoms_secret_key_path(rq->opts->config),
	    &r.key, why, sizeof why) < 0) {
		/* The server's set-up, not the request, is at fault. */
		uoms_resp_fail(rs, 503, UOMS_INTERNAL, "secrets can't be "
		    "sealed: %s", why);
		goto out;
	}
	if ((code = admin_tx(rq, chan_put, &r, &e)) != UOMS_OK)
		refuse(rs, code, &e);
	else
		answer_line(rs, insert ? 201 : 200, &r.out);
out:
	OPENSSL_cleanse(&r.key, sizeof r.key);
	wipe_secrets(r.secrets);
	json_decref(r.c.settings);
	uoms_buf_free(&r.out);
	json_decref(body);
}

static void
channels_list(struct uoms_req *rq, struct uoms_resp *rs)
{
	struct uoms_buf lines = { 0 }, out = { 0 };
	struct uoms_error e = { 0 };
	enum uoms_code code;

	if ((code = uoms_channel_lines(rq->store, NULL, &lines, &e)) !=
	    UOMS_OK)
		refuse(rs, code, &e);
	else {
		wrap_lines(&out, "channels", lines.p, lines.n);
		answer(rs, 200, &out);
	}
	uoms_buf_free(&lines);
}

static void
channels_add(struct uoms_req *rq, struct uoms_resp *rs)
{
	chan_write(rq, rs, 1);
}

static void
channel_show(struct uoms_req *rq, struct uoms_resp *rs)
{
	struct uoms_buf out = { 0 };
	struct uoms_error e = { 0 };
	enum uoms_code code;

	if ((code = uoms_channel_lines(rq->store, rq->param[0], &out, &e)) !=
	    UOMS_OK) {
		refuse(rs, code, &e);
		uoms_buf_free(&out);
	} else
		answer_line(rs, 200, &out);
}

static void
channel_update(struct uoms_req *rq, struct uoms_resp *rs)
{
	chan_write(rq, rs, 0);
}

/* DELETE /channels/{name}[?force=true]: refused while orders reference
 * it unless forced (the orders stay), as uoms-channel remove. */
static void
channel_remove(struct uoms_req *rq, struct uoms_resp *rs)
{
	struct chan_req r = { .c.name = (char *)rq->param[0] };
	struct uoms_error e = { 0 };
	const char *force = uoms_req_arg(rq, "force");
	enum uoms_code code;

	if (force != NULL && strcmp(force, "true") != 0 &&
	    strcmp(force, "false") != 0) {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "force: '%s' is not "
		    "true or false", force);
		return;
	}
	r.force = force != NULL && strcmp(force, "true") == 0;
	if ((code = admin_tx(rq, chan_remove, &r, &e)) != UOMS_OK)
		refuse(rs, code, &e);
	else
		rs->status = 204;
}

/* --- users --------------------------------------------------------------- */

struct user_req {
	const char *name, *dept, *password;
	int role;			/* -1: as it is */
	int add, disable;
	struct uoms_buf out;		/* the user's line */
};

/*
 * The change, then the user's line. An admin API with no admin left
 * could never be used again (uoms-user on the store's machine would be
 * the only way back): a change that leaves no enabled admin is refused.
 */
static enum uoms_code
user_change(struct uoms_store *s, void *arg, struct uoms_error *e)
{
	struct user_req *r = arg;
	enum uoms_code code;
	long long admins;

	uoms_buf_clear(&r->out);
	if (r->add)
		code = uoms_user_add(s, r->name, r->role < 0 ? UOMS_ROLE_USER :
		    r->role, r->dept, r->password, e);
	else if (r->disable)
		code = uoms_user_disable(s, r->name, e);
	else {
		code = UOMS_OK;
		if (r->role >= 0 || r->dept != NULL)
			code = uoms_user_set(s, r->name, r->role, r->dept, e);
		if (code == UOMS_OK && r->password != NULL)
			code = uoms_user_passwd(s, r->name, r->password, e);
	}
	if (code != UOMS_OK)
		return code;
	if (!r->add && (code = uoms_user_admins(s, &admins, e)) != UOMS_OK)
		return code;
	if (!r->add && admins == 0)
		return uoms_fail(e, UOMS_INVALID, "'%s' is the last admin: "
		    "make another admin first", r->name);
	return uoms_user_list(s, r->name, &r->out, e);
}

/* The user's line must exist: uoms_user_list says nothing of one
 * missing, so a change to no one is 404 here. */
static int
user_exists(struct uoms_req *rq, struct uoms_resp *rs, const char *name)
{
	struct uoms_buf out = { 0 };
	struct uoms_error e = { 0 };
	enum uoms_code code;
	int found;

	if ((code = uoms_user_list(rq->store, name, &out, &e)) != UOMS_OK) {
		refuse(rs, code, &e);
		return -1;
	}
	found = out.n > 0;
	uoms_buf_free(&out);
	if (!found)
		uoms_resp_fail(rs, 404, UOMS_NOT_FOUND, "no user '%s'", name);
	return found ? 0 : -1;
}

static void
user_run(struct uoms_req *rq, struct uoms_resp *rs, struct user_req *r,
    int status)
{
	struct uoms_error e = { 0 };
	enum uoms_code code;

	if ((code = admin_tx(rq, user_change, r, &e)) != UOMS_OK)
		refuse(rs, code, &e);
	else
		answer_line(rs, status, &r->out);
	uoms_buf_free(&r->out);
}

/*
 * The members role, department and password of body into r (null
 * department: none). Returns 0, or -1 with the 400 answered.
 */
static int
user_members(struct uoms_resp *rs, json_t *body, struct user_req *r)
{
	const char *role;

	if (member_string(rs, body, "role", 0, &role) < 0 ||
	    member_string(rs, body, "department", 1, &r->dept) < 0 ||
	    member_string(rs, body, "password", 0, &r->password) < 0)
		return -1;
	if (r->dept == NULL && json_is_null(json_object_get(body,
	    "department")))
		r->dept = "";
	if (role != NULL && (r->role = uoms_role_parse(role)) < 0) {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "role '%s' is not admin "
		    "or user", role);
		return -1;
	}
	return 0;
}

static void
users_list(struct uoms_req *rq, struct uoms_resp *rs)
{
	struct uoms_buf lines = { 0 }, out = { 0 };
	struct uoms_error e = { 0 };
	enum uoms_code code;

	if ((code = uoms_user_list(rq->store, NULL, &lines, &e)) != UOMS_OK)
		refuse(rs, code, &e);
	else {
		wrap_lines(&out, "users", lines.p, lines.n);
		answer(rs, 200, &out);
	}
	uoms_buf_free(&lines);
}

static void
users_add(struct uoms_req *rq, struct uoms_resp *rs)
{
	static const char *const members[] = { "name", "role", "department",
	    "password", NULL };
	struct user_req r = { .role = -1, .add = 1 };
	json_t *body;

	if ((body = uoms_req_object(rq, rs)) == NULL)
		return;
	if (members_known(rs, body, members) == 0 &&
	    member_string(rs, body, "name", 0, &r.name) == 0 &&
	    user_members(rs, body, &r) == 0) {
		if (r.name == NULL)
			uoms_resp_fail(rs, 400, UOMS_INVALID, "a user needs "
			    "\"name\"");
		else
			user_run(rq, rs, &r, 201);
	}
	wipe_string(json_object_get(body, "password"));
	json_decref(body);
}

static void
user_update(struct uoms_req *rq, struct uoms_resp *rs)
{
	static const char *const members[] = { "role", "department",
	    "password", NULL };
	struct user_req r = { .role = -1, .name = rq->param[0] };
	json_t *body;

	if ((body = uoms_req_object(rq, rs)) == NULL)
		return;
	if (members_known(rs, body, members) == 0 &&
	    user_members(rs, body, &r) == 0) {
		if (json_object_size(body) == 0)
			uoms_resp_fail(rs, 400, UOMS_INVALID, "nothing to "
			    "change: give role, department or password");
		else if (user_exists(rq, rs, r.name) == 0)
			user_run(rq, rs, &r, 200);
	}
	wipe_string(json_object_get(body, "password"));
	json_decref(body);
}

/* POST /users/{name}/disable: its tokens stop working at once (the core
 * reloads the user each request) and its locks are released. */
static void
user_disable(struct uoms_req *rq, struct uoms_resp *rs)
{
	struct user_req r = { .role = -1, .name = rq->param[0],
	    .disable = 1 };

	if (user_exists(rq, rs, r.name) == 0)
		user_run(rq, rs, &r, 200);
}

/* --- reports ------------------------------------------------------------- */

/* The report's parameters as uoms-report's options; 0 or -1 (400). */
static int
report_args(struct uoms_req *rq, struct uoms_resp *rs, struct uoms_report *r,
    const char **fmt)
{
	const char *by = uoms_req_arg(rq, "by"), *win = uoms_req_arg(rq,
	    "window"), *from = uoms_req_arg(rq, "from"),
	    *to = uoms_req_arg(rq, "to");
	char why[512];
	int v;

	*fmt = uoms_req_arg(rq, "format");
	if (*fmt == NULL)
		*fmt = "json";
	if (strcmp(*fmt, "json") == 0)
		r->format = UOMS_FORMAT_JSONL;
	else if (strcmp(*fmt, "csv") == 0)
		r->format = UOMS_FORMAT_CSV;
	else if (strcmp(*fmt, "svg") == 0)
		r->format = UOMS_FORMAT_SVG;
	else {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "format: '%s' is not "
		    "json, csv or svg", *fmt);
		return -1;
	}
	if ((v = uoms_report_name_parse(rq->param[0])) < 0) {
		uoms_resp_fail(rs, 404, UOMS_NOT_FOUND, "no report '%s'",
		    rq->param[0]);
		return -1;
	}
	r->name = v;
	if (by != NULL && (v = uoms_report_by_parse(by)) < 0) {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "by: '%s' is not "
		    "department, channel or item", by);
		return -1;
	}
	if (by != NULL)
		r->by = v;
	if (win != NULL && (r->window = uoms_report_duration(win)) < 0) {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "window: '%s' is not a "
		    "duration like 90s, 5m, 1h or 1d", win);
		return -1;
	}
	if (r->tz == NULL)
		r->tz = rq->opts->config != NULL ? uoms_config_get(
		    rq->opts->config, "tz", "UTC") : "UTC";
	if (!uoms_tz_valid(r->tz)) {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "tz: unknown time zone "
		    "'%s'", r->tz);
		return -1;
	}
	if (from != NULL && uoms_report_time(from, r->tz, &r->from) < 0) {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "from: '%s' is not an "
		    "RFC 3339 time or a date YYYY-MM-DD", from);
		return -1;
	}
	if (to != NULL && uoms_report_time(to, r->tz, &r->to) < 0) {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "to: '%s' is not an "
		    "RFC 3339 time or a date YYYY-MM-DD", to);
		return -1;
	}
	r->has_from = from != NULL;
	r->has_to = to != NULL;
	r->now = time(NULL);
	if (uoms_report_resolve(r, why, sizeof why) < 0) {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "%s", why);
		return -1;
	}
	return 0;
}

/*
 * GET /reports/{name}: uoms-report's work, written to memory. json is
 * the jsonl lines as {"rows":[...]}, csv and svg as uoms-report prints
 * them. One report at a time (report_lock): --tz sets TZ process-wide.
 */
static void
report_get(struct uoms_req *rq, struct uoms_resp *rs)
{
	static char shipped[4096 + 16], override[4096 + 16];
	struct uoms_report r = { .tz = uoms_req_arg(rq, "tz") };
	struct uoms_error e = { 0 };
	struct uoms_buf out = { 0 };
	const char *fmt, *conf = rq->opts->config != NULL ?
	    rq->opts->config->path : NULL, *slash;
	enum uoms_code code = UOMS_OK;
	char *text = NULL, *nl;
	size_t len = 0, skip = 0;
	FILE *f;
	int bad;

	pthread_mutex_lock(&report_lock);
	if (report_args(rq, rs, &r, &fmt) < 0)
		goto out;
	/* The workflows that say what states mean, as uoms-report finds
	 * them: the configuration's folder before the shipped one. */
	snprintf(shipped, sizeof shipped, "%s/workflows", uoms_cli_data_dir());
	if (conf != NULL && (slash = strrchr(conf, '/')) != NULL)
		snprintf(override, sizeof override, "%.*s/workflows",
		    (int)(slash - conf), conf);
	else if (conf != NULL)
		snprintf(override, sizeof override, "workflows");
	else
		snprintf(override, sizeof override, "/etc/uoms/workflows");
	r.workflow_dirs[0] = override;
	r.workflow_dirs[1] = shipped;
	if ((f = open_memstream(&text, &len)) == NULL) {
		uoms_resp_fail(rs, 500, UOMS_INTERNAL, "out of memory");
		goto out;
	}
	code = uoms_report_run(rq->store, &r, f, &e);
	bad = ferror(f);
	bad |= fclose(f) != 0;
	if (code != UOMS_OK)
		refuse(rs, code, &e);
	else if (bad || text == NULL)
		uoms_resp_fail(rs, 500, UOMS_INTERNAL, "out of memory");
	else if (r.format == UOMS_FORMAT_JSONL) {
		wrap_lines(&out, "rows", text, len);
		answer(rs, 200, &out);
	} else if (r.format == UOMS_FORMAT_CSV) {
		uoms_resp_json(rs, 200, text, len);
		rs->type = "text/csv; charset=utf-8";
	} else {
		/* Without the XML declaration, so a page can put the chart
		 * inline in its HTML as it is; the type says the rest. */
		if (len > 5 && strncmp(text, "<?xml", 5) == 0 &&
		    (nl = memchr(text, '\n', len)) != NULL)
			skip = nl + 1 - text;
		uoms_resp_json(rs, 200, text + skip, len - skip);
		rs->type = "image/svg+xml; charset=utf-8";
	}
out:
	pthread_mutex_unlock(&report_lock);
	free(text);
}

/* --- metrics ------------------------------------------------------------- */

/* Appends v as a Prometheus label value: \, " and newline escaped. */
static void
label_value(struct uoms_buf *out, const char *v)
{
	for (; v != NULL && *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			uoms_buf_printf(out, "\\%c", *v);
		else if (*v == '\n')
			uoms_buf_str(out, "\\n");
		else
			uoms_buf_add(out, v, 1);
	}
}

/*
 * Runs sql (no parameters) and appends one sample of name per row:
 * column 0 the label's value (when label is not NULL), the last column
 * the sample. Returns 0, or -1 when the store failed.
 */
static int
gauge_rows(struct uoms_store *s, const char *sql, const char *name,
    const char *label, struct uoms_buf *out)
{
	struct uoms_stmt *st = uoms_db_prepare(s, sql);
	enum uoms_db_step rc;

	if (st == NULL)
		return -1;
	while ((rc = uoms_db_step(st)) == UOMS_DB_ROW) {
		uoms_buf_str(out, name);
		if (label != NULL) {
			uoms_buf_printf(out, "{%s=\"", label);
			label_value(out, uoms_db_text(st, 0));
			uoms_buf_str(out, "\"}");
		}
		uoms_buf_printf(out, " %lld\n", uoms_db_int(st,
		    label != NULL ? 1 : 0));
	}
	uoms_db_free(st);
	return rc == UOMS_DB_DONE ? 0 : -1;
}

/*
 * The store's gauges: orders by status, open holds (not resolved: what
 * blocks transitions, as uoms-report metrics counts them), and when each
 * channel was last fetched to its end (its watermark's time, which
 * uoms-fetch sets once every page was read), in Unix seconds.
 */
static int
store_gauges(struct uoms_store *s, struct uoms_buf *out)
{
	struct uoms_buf sql = { 0 };
	int rc;

	uoms_buf_str(out, "# HELP uoms_orders Orders in the store by status.\n"
	    "# TYPE uoms_orders gauge\n");
	if (gauge_rows(s, "SELECT status, count(*) FROM orders"
	    " GROUP BY status ORDER BY status", "uoms_orders", "status",
	    out) < 0)
		return -1;
	uoms_buf_str(out, "# HELP uoms_holds_open Holds not resolved yet.\n"
	    "# TYPE uoms_holds_open gauge\n");
	if (gauge_rows(s, "SELECT count(*) FROM holds"
	    " WHERE state <> 'resolved'", "uoms_holds_open", NULL, out) < 0)
		return -1;
	uoms_buf_str(out, "# HELP uoms_channel_last_fetch_seconds When the "
	    "channel was last fetched to its end, Unix seconds.\n"
	    "# TYPE uoms_channel_last_fetch_seconds gauge\n");
	uoms_buf_str(&sql, "SELECT w.channel, ");
	uoms_db_epoch(s, &sql, "w.updated_at");
	uoms_buf_str(&sql, " FROM channel_watermarks w JOIN channels c"
	    " ON c.name = w.channel ORDER BY w.channel");
	rc = gauge_rows(s, sql.p, "uoms_channel_last_fetch_seconds",
	    "channel", out);
	uoms_buf_free(&sql);
	return rc;
}

/* GET /metrics: the core's series, then the store's gauges. */
static void
metrics_get(struct uoms_req *rq, struct uoms_resp *rs)
{
	struct uoms_buf out = { 0 };
	struct uoms_error e = { 0 };

	uoms_serve_metrics(&out);
	if (store_gauges(rq->store, &out) < 0) {
		uoms_buf_free(&out);
		refuse(rs, uoms_db_fail(rq->store, &e, "reading the gauges"),
		    &e);
		return;
	}
	answer(rs, 200, &out);
	rs->type = "text/plain; version=0.0.4; charset=utf-8";
}

/* --- OpenAPI ------------------------------------------------------------- */

/* The {name} segments of pattern as path parameters (a new array). */
static json_t *
path_params(const char *pattern)
{
	json_t *a = json_array(), *p;
	const char *o, *c;

	for (o = pattern; (o = strchr(o, '{')) != NULL; o = c + 1) {
		if ((c = strchr(o, '}')) == NULL)
			break;
		p = json_pack("{s:s%,s:s,s:b,s:{s:s}}", "name", o + 1,
		    (size_t)(c - o - 1), "in", "path", "required", 1,
		    "schema", "type", "string");
		json_array_append_new(a, p);
	}
	return a;
}

/* A method's name as OpenAPI's key: lower case. */
static void
method_key(const char *m, char *key, size_t size)
{
	size_t i;

	for (i = 0; m[i] != '\0' && i + 1 < size; i++)
		key[i] = m[i] >= 'A' && m[i] <= 'Z' ? m[i] - 'A' + 'a' : m[i];
	key[i] = '\0';
}

/* One route as an operation object (a new reference). */
static json_t *
operation(const struct uoms_route *rt)
{
	json_t *op = json_object(), *params = path_params(rt->pattern);

	json_object_set_new(op, "summary", json_string(rt->summary != NULL ?
	    rt->summary : rt->pattern));
	if (json_array_size(params) > 0)
		json_object_set_new(op, "parameters", params);
	else
		json_decref(params);
	if (rt->auth != UOMS_AUTH_NONE) {
		json_object_set_new(op, "security", json_pack("[{s:[]}]",
		    "bearerAuth"));
		json_object_set_new(op, "x-uoms-role", json_string(
		    rt->auth == UOMS_AUTH_ADMIN ? "admin" : "user"));
	} else
		json_object_set_new(op, "security", json_array());
	json_object_set_new(op, "responses", json_pack("{s:{s:s}}",
	    "default", "description", "the answer; errors are "
	    "{\"error\":{\"code\",\"message\"}} (uoms-serve(1))"));
	return op;
}

/*
 * The OpenAPI 3.1 document of every route table: what is served and
 * what is listed come from the same place, uoms_serve_tables.
 */
static json_t *
openapi_doc(void)
{
	json_t *doc, *paths = json_object(), *item;
	const struct uoms_route *rt;
	char key[16];

	for (const struct uoms_route *const *t = uoms_serve_tables;
	    *t != NULL; t++)
		for (rt = *t; rt->method != NULL; rt++) {
			if ((item = json_object_get(paths, rt->pattern)) ==
			    NULL) {
				item = json_object();
				json_object_set_new(paths, rt->pattern, item);
			}
			method_key(rt->method, key, sizeof key);
			json_object_set_new(item, key, operation(rt));
		}
	doc = json_pack("{s:s,s:{s:s,s:s,s:s},s:o,s:{s:{s:{s:s,s:s,s:s}}}}",
	    "openapi", "3.1.0",
	    "info", "title", "uoms-serve", "version", UOMS_VERSION,
	    "description", "The HTTP JSON API of uoms, the unified order "
	    "management toolkit: the same library as its tools.",
	    "paths", paths,
	    "components", "securitySchemes", "bearerAuth", "type", "http",
	    "scheme", "bearer", "bearerFormat", "JWT");
	return doc;
}

static void
openapi_get(struct uoms_req *rq, struct uoms_resp *rs)
{
	json_t *doc = openapi_doc();
	char *text = doc != NULL ? json_dumps(doc, JSON_COMPACT |
	    JSON_SORT_KEYS) : NULL;

	(void)rq;
	if (text == NULL)
		uoms_resp_fail(rs, 500, UOMS_INTERNAL, "out of memory");
	else
		uoms_resp_json(rs, 200, text, strlen(text));
	free(text);
	json_decref(doc);
}

/* --- the table ----------------------------------------------------------- */

const struct uoms_route uoms_serve_routes_admin[] = {
	{ "GET", "/channels", UOMS_AUTH_ADMIN, channels_list,
	    "List the channels (secrets by name only)" },
	{ "POST", "/channels", UOMS_AUTH_ADMIN, channels_add,
	    "Register a channel, its settings and sealed secrets" },
	{ "GET", "/channels/{name}", UOMS_AUTH_ADMIN, channel_show,
	    "Show a channel (secrets by name only)" },
	{ "PATCH", "/channels/{name}", UOMS_AUTH_ADMIN, channel_update,
	    "Change a channel's URL, workflow, settings, secrets or "
	    "enabled flag" },
	{ "DELETE", "/channels/{name}", UOMS_AUTH_ADMIN, channel_remove,
	    "Remove a channel and its secrets (force=true with orders)" },
	{ "GET", "/users", UOMS_AUTH_ADMIN, users_list, "List the users" },
	{ "POST", "/users", UOMS_AUTH_ADMIN, users_add, "Add a user" },
	{ "PATCH", "/users/{name}", UOMS_AUTH_ADMIN, user_update,
	    "Change a user's role, department or password" },
	{ "POST", "/users/{name}/disable", UOMS_AUTH_ADMIN, user_disable,
	    "Disable a user: its tokens stop working, its locks go" },
	{ "GET", "/reports/{name}", UOMS_AUTH_USER, report_get,
	    "A report of uoms-report as JSON, CSV or SVG" },
	{ "GET", "/metrics", UOMS_AUTH_NONE, metrics_get,
	    "Prometheus metrics: requests, latency, store gauges" },
	{ "GET", "/openapi.json", UOMS_AUTH_NONE, openapi_get,
	    "This OpenAPI document" },
	{ NULL, NULL, 0, NULL, NULL }
};
