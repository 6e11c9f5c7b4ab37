/*
 * serve-admin: uoms-serve's admin routes (issue 12, item 6): channels
 * and users as uoms-channel and uoms-user manage them, and the table of
 * the admin and tool routes (reports, /metrics and /openapi.json are in
 * serve-tools.c). Each route is a thin shell over the same library calls
 * as the tools, so HTTP and the command line can never disagree; a
 * change runs in one write transaction, rolled back on any refusal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "channel.h"
#include "db.h"
#include "kind.h"
#include "secret.h"
#include "serve.h"
#include "serve_admin_priv.h"
#include "user.h"
#include "workflow.h"

/* --- helpers ------------------------------------------------------------- */

void
uoms_serve_admin_refuse(struct uoms_resp *rs, enum uoms_code code,
    struct uoms_error *e)
{
	e->code = code;
	uoms_resp_error(rs, 0, e);
}

void
uoms_serve_admin_answer(struct uoms_resp *rs, int status, struct uoms_buf *out)
{
	uoms_resp_json(rs, status, out->p != NULL ? out->p : "", out->n);
	uoms_buf_free(out);
}

void
uoms_serve_admin_lines(struct uoms_buf *out, const char *key, const char *lines,
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
	uoms_serve_admin_answer(rs, status, lines);
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
		if (uoms_channel_credential_like(k)) {
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
	if (insert && !uoms_channel_kind_known(r.c.kind)) {
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
	if ((code = uoms_serve_tx(rq, NULL, chan_put, &r, &e)) != UOMS_OK)
		uoms_serve_admin_refuse(rs, code, &e);
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
		uoms_serve_admin_refuse(rs, code, &e);
	else {
		uoms_serve_admin_lines(&out, "channels", lines.p, lines.n);
		uoms_serve_admin_answer(rs, 200, &out);
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
		uoms_serve_admin_refuse(rs, code, &e);
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
	if ((code = uoms_serve_tx(rq, NULL, chan_remove, &r, &e)) != UOMS_OK)
		uoms_serve_admin_refuse(rs, code, &e);
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
	if (!r->add && (code = uoms_actor_admins(s, &admins, e)) != UOMS_OK)
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
		uoms_serve_admin_refuse(rs, code, &e);
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

	if ((code = uoms_serve_tx(rq, NULL, user_change, r, &e)) != UOMS_OK)
		uoms_serve_admin_refuse(rs, code, &e);
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
		uoms_serve_admin_refuse(rs, code, &e);
	else {
		uoms_serve_admin_lines(&out, "users", lines.p, lines.n);
		uoms_serve_admin_answer(rs, 200, &out);
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
	{ "GET", "/reports/{name}", UOMS_AUTH_USER, uoms_serve_report_get,
	    "A report of uoms-report as JSON, CSV or SVG" },
	{ "GET", "/metrics", UOMS_AUTH_NONE, uoms_serve_metrics_get,
	    "Prometheus metrics: requests, latency, store gauges" },
	{ "GET", "/openapi.json", UOMS_AUTH_NONE, uoms_serve_openapi_get,
	    "This OpenAPI document" },
	{ NULL, NULL, 0, NULL, NULL }
};
