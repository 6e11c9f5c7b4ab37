/*
 * The channel registry and its sealed secrets. Secrets are sealed by
 * lib/secret with the channel and secret names as additional data, so a
 * value can't be opened under another name. The clear value never
 * reaches SQLite: only nonce, ciphertext, tag and the id of the key go in.
 */
#include <ctype.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "rfc3339.h"
#include "store_priv.h"

/* --- the registry --- */

/* 1 to 64 of A-Z a-z 0-9 . _ -, the first a letter or digit. */
static int
name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64 || !isalnum((unsigned char)*s))
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("._-", *s) == NULL)
			return 0;
	return 1;
}

static char *
dup_col(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t == NULL ? NULL : strdup((const char *)t);
}

void
uoms_channel_free(struct uoms_channel *c)
{
	free(c->name);
	free(c->kind);
	free(c->base_url);
	free(c->workflow);
	json_decref(c->settings);
	free(c->created_at);
	free(c->updated_at);
	memset(c, 0, sizeof *c);
}

#define CHANNEL_COLUMNS "name, kind, base_url, workflow, enabled, settings,"\
	" created_at, updated_at"

/* The channel in st's current row (CHANNEL_COLUMNS) into c. */
static enum uoms_code
from_row(sqlite3_stmt *st, struct uoms_channel *c, struct uoms_error *e)
{
	json_error_t jerr;

	memset(c, 0, sizeof *c);
	c->name = dup_col(st, 0);
	c->kind = dup_col(st, 1);
	c->base_url = dup_col(st, 2);
	c->workflow = dup_col(st, 3);
	c->enabled = sqlite3_column_int(st, 4);
	c->settings = json_loads((const char *)sqlite3_column_text(st, 5), 0,
	    &jerr);
	c->created_at = dup_col(st, 6);
	c->updated_at = dup_col(st, 7);
	if (c->name == NULL || c->kind == NULL ||
	    !json_is_object(c->settings)) {
		uoms_fail(e, UOMS_INTERNAL, "store: channel '%s': settings are "
		    "not a JSON object", c->name != NULL ? c->name : "?");
		uoms_channel_free(c);
		return UOMS_INTERNAL;
	}
	return UOMS_OK;
}

enum uoms_code
uoms_channel_get(struct uoms_store *s, const char *name,
    struct uoms_channel *c, struct uoms_error *e)
{
	static const char sql[] = "SELECT " CHANNEL_COLUMNS " FROM channels"
	    " WHERE name = ?1";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	enum uoms_code code;
	int rc;

	memset(c, 0, sizeof *c);
	if (st == NULL)
		return uoms_store_fail(s, e, "reading channels");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		code = from_row(st, c, e);
	else if (rc == SQLITE_DONE)
		code = uoms_fail(e, UOMS_NOT_FOUND, "no channel '%s'", name);
	else
		code = uoms_store_fail(s, e, "reading channels");
	sqlite3_reset(st);
	return code;
}

enum uoms_code
uoms_channel_list(struct uoms_store *s, int enabled_only,
    struct uoms_channel **list, int *n, struct uoms_error *e)
{
	static const char sql[] = "SELECT " CHANNEL_COLUMNS " FROM channels"
	    " WHERE ?1 = 0 OR enabled ORDER BY name";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	struct uoms_channel *l = NULL, *nl;
	enum uoms_code code = UOMS_OK;
	int rc, cap = 0;

	*list = NULL;
	*n = 0;
	if (st == NULL)
		return uoms_store_fail(s, e, "listing channels");
	sqlite3_bind_int(st, 1, enabled_only != 0);
	while (code == UOMS_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 8;
			if ((nl = realloc(l, cap * sizeof *l)) == NULL) {
				code = uoms_fail(e, UOMS_INTERNAL, "out of "
				    "memory");
				break;
			}
			l = nl;
		}
		if ((code = from_row(st, &l[*n], e)) == UOMS_OK)
			(*n)++;
	}
	if (code == UOMS_OK && rc != SQLITE_DONE)
		code = uoms_store_fail(s, e, "listing channels");
	sqlite3_reset(st);
	if (code != UOMS_OK) {
		for (int i = 0; i < *n; i++)
			uoms_channel_free(&l[i]);
		free(l);
		*n = 0;
		return code;
	}
	*list = l;
	return UOMS_OK;
}

/* Appends an event about channels (no order) with details (stolen). */
static enum uoms_code
channel_event(struct uoms_store *s, const char *type, json_t *details,
    struct uoms_error *e)
{
	char now[24], *text;
	enum uoms_code code;

	uoms_time_now(now);
	text = json_dumps(details, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(details);
	if (text == NULL)
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	code = uoms_event_append(s, 0, type, NULL, NULL, 0, text, now, e);
	free(text);
	return code;
}

/* A base URL: NULL or "" for none, else http:// or https://. */
static enum uoms_code
check_url(const char *url, struct uoms_error *e)
{
	if (url == NULL || *url == '\0' || strncmp(url, "https://", 8) == 0 ||
	    strncmp(url, "http://", 7) == 0)
		return UOMS_OK;
	return uoms_fail(e, UOMS_INVALID, "base URL '%.200s' is not http:// "
	    "or https://", url);
}

static void
bind_opt(sqlite3_stmt *st, int i, const char *v)
{
	if (v != NULL && *v != '\0')
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

static enum uoms_code
channel_insert(struct uoms_store *s, const struct uoms_channel *c,
    struct uoms_error *e)
{
	static const char sql[] = "INSERT INTO channels (name, kind, base_url,"
	    " workflow, enabled, settings, created_at, updated_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	json_t *settings = c->settings != NULL ? c->settings : json_object();
	json_t *d;
	char now[24], *text;
	int rc;

	if (st == NULL)
		return uoms_store_fail(s, e, "adding a channel");
	text = json_dumps(settings, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text == NULL) {
		if (c->settings == NULL)
			json_decref(settings);
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	}
	uoms_time_now(now);
	sqlite3_bind_text(st, 1, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->kind, -1, SQLITE_STATIC);
	bind_opt(st, 3, c->base_url);
	bind_opt(st, 4, c->workflow);
	sqlite3_bind_int(st, 5, c->enabled != 0);
	sqlite3_bind_text(st, 6, text, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	free(text);
	if (rc == SQLITE_CONSTRAINT) {
		if (c->settings == NULL)
			json_decref(settings);
		return uoms_fail(e, UOMS_INVALID, "channel '%s' exists already",
		    c->name);
	}
	if (rc != SQLITE_DONE) {
		if (c->settings == NULL)
			json_decref(settings);
		return uoms_store_fail(s, e, "adding a channel");
	}
	d = json_pack("{s:s, s:s, s:s?, s:s?, s:b, s:O}", "channel", c->name,
	    "kind", c->kind, "base_url", c->base_url != NULL &&
	    *c->base_url != '\0' ? c->base_url : NULL, "workflow",
	    c->workflow != NULL && *c->workflow != '\0' ? c->workflow : NULL,
	    "enabled", c->enabled != 0, "settings", settings);
	if (c->settings == NULL)
		json_decref(settings);
	if (d == NULL)
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	return channel_event(s, "channel_added", d, e);
}

/* 1 when a (stored, may be NULL) differs from b ("" meaning NULL). */
static int
differs(const char *a, const char *b)
{
	if (b != NULL && *b == '\0')
		b = NULL;
	if (a == NULL || b == NULL)
		return a != b;
	return strcmp(a, b) != 0;
}

static enum uoms_code
channel_update(struct uoms_store *s, const struct uoms_channel *c,
    struct uoms_error *e)
{
	static const char sql[] = "UPDATE channels SET kind = ?2,"
	    " base_url = ?3, workflow = ?4, enabled = ?5, settings = ?6,"
	    " updated_at = ?7 WHERE name = ?1";
	sqlite3_stmt *st;
	struct uoms_channel old;
	json_t *changed, *d;
	const char *kind, *url, *wf;
	char now[24], *text = NULL;
	enum uoms_code code;
	int enabled;

	if ((code = uoms_channel_get(s, c->name, &old, e)) != UOMS_OK)
		return code;
	changed = json_array();
	kind = c->kind != NULL ? c->kind : old.kind;
	url = c->base_url != NULL ? c->base_url : old.base_url;
	wf = c->workflow != NULL ? c->workflow : old.workflow;
	enabled = c->enabled >= 0 ? c->enabled != 0 : old.enabled;
	if (strcmp(kind, old.kind) != 0)
		json_array_append_new(changed, json_string("kind"));
	if (differs(old.base_url, url))
		json_array_append_new(changed, json_string("base_url"));
	if (differs(old.workflow, wf))
		json_array_append_new(changed, json_string("workflow"));
	if (enabled != old.enabled)
		json_array_append_new(changed, json_string("enabled"));
	if (c->settings != NULL && !json_equal(c->settings, old.settings))
		json_array_append_new(changed, json_string("settings"));
	if (json_array_size(changed) == 0) {
		json_decref(changed);
		uoms_channel_free(&old);
		return UOMS_OK;
	}
	text = json_dumps(c->settings != NULL ? c->settings : old.settings,
	    JSON_COMPACT | JSON_PRESERVE_ORDER);
	if ((st = uoms_store_sql(s, sql)) == NULL || text == NULL) {
		code = st == NULL ? uoms_store_fail(s, e, "changing a channel")
		    : uoms_fail(e, UOMS_INTERNAL, "out of memory");
		goto out;
	}
	uoms_time_now(now);
	sqlite3_bind_text(st, 1, c->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	bind_opt(st, 3, url);
	bind_opt(st, 4, wf);
	sqlite3_bind_int(st, 5, enabled);
	sqlite3_bind_text(st, 6, text, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, now, -1, SQLITE_STATIC);
	code = sqlite3_step(st) == SQLITE_DONE ? UOMS_OK :
	    uoms_store_fail(s, e, "changing a channel");
	sqlite3_reset(st);
	if (code == UOMS_OK) {
		d = json_pack("{s:s, s:O}", "channel", c->name, "changed",
		    changed);
		code = d == NULL ? uoms_fail(e, UOMS_INTERNAL, "out of memory")
		    : channel_event(s, "channel_updated", d, e);
	}
out:
	free(text);
	json_decref(changed);
	uoms_channel_free(&old);
	return code;
}

/* The setting max_pages, when given, is a whole number in range (as a
 * JSON number or the string --set makes): refused here rather than
 * found out at the next fetch. */
static enum uoms_code
check_max_pages(const struct uoms_channel *c, struct uoms_error *e)
{
	json_t *v = c->settings != NULL ? json_object_get(c->settings,
	    "max_pages") : NULL;
	long long n = -1;
	const char *s;
	char *end;

	if (v == NULL)
		return UOMS_OK;
	if (json_is_integer(v))
		n = json_integer_value(v);
	else if (json_is_string(v) && (s = json_string_value(v))[0] >= '0' &&
	    s[0] <= '9') {
		errno = 0;
		n = strtoll(s, &end, 10);
		if (errno != 0 || *end != '\0')
			n = -1;
	}
	if (n < 1 || n > UOMS_CHANNEL_MAX_PAGES_LIMIT)
		return uoms_fail(e, UOMS_INVALID, "channel '%s': setting "
		    "'max_pages' is not a whole number from 1 to %d", c->name,
		    UOMS_CHANNEL_MAX_PAGES_LIMIT);
	return UOMS_OK;
}

enum uoms_code
uoms_channel_put(struct uoms_store *s, const struct uoms_channel *c,
    int insert, struct uoms_error *e)
{
	enum uoms_code code;

	if (c->name == NULL || !name_ok(c->name))
		return uoms_fail(e, UOMS_INVALID, "channel name '%.100s' is "
		    "not 1 to 64 of A-Z a-z 0-9 . _ - (starting with a letter "
		    "or digit)", c->name != NULL ? c->name : "");
	if (insert && (c->kind == NULL || *c->kind == '\0'))
		return uoms_fail(e, UOMS_INVALID, "channel '%s' has no kind",
		    c->name);
	if (c->kind != NULL && !name_ok(c->kind))
		return uoms_fail(e, UOMS_INVALID, "kind '%.100s' is not a kind "
		    "name", c->kind);
	if (c->settings != NULL && !json_is_object(c->settings))
		return uoms_fail(e, UOMS_INVALID, "settings of channel '%s' "
		    "are not a JSON object", c->name);
	if ((code = check_url(c->base_url, e)) != UOMS_OK)
		return code;
	if ((code = check_max_pages(c, e)) != UOMS_OK)
		return code;
	return insert ? channel_insert(s, c, e) : channel_update(s, c, e);
}

enum uoms_code
uoms_channel_enable(struct uoms_store *s, const char *name, int on,
    struct uoms_error *e)
{
	static const char sql[] = "UPDATE channels SET enabled = ?2,"
	    " updated_at = ?3 WHERE name = ?1 AND enabled <> ?2";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	struct uoms_channel c;
	enum uoms_code code;
	char now[24];
	int rc;

	if ((code = uoms_channel_get(s, name, &c, e)) != UOMS_OK)
		return code;
	uoms_channel_free(&c);
	if (st == NULL)
		return uoms_store_fail(s, e, "changing a channel");
	uoms_time_now(now);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, on != 0);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return uoms_store_fail(s, e, "changing a channel");
	if (sqlite3_changes(s->db) == 0)
		return UOMS_OK;
	return channel_event(s, on ? "channel_enabled" : "channel_disabled",
	    json_pack("{s:s}", "channel", name), e);
}

/* A count from a one-row query bound with text a (and b when not NULL). */
static enum uoms_code
count(struct uoms_store *s, const char *sql, const char *a, const char *b,
    long long *n, struct uoms_error *e)
{
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	int rc;

	if (st == NULL)
		return uoms_store_fail(s, e, "counting");
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (b != NULL)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? UOMS_OK : uoms_store_fail(s, e, "counting");
}

enum uoms_code
uoms_channel_remove(struct uoms_store *s, const char *name, int force,
    struct uoms_error *e)
{
	static const char orders_sql[] = "SELECT count(*) FROM orders"
	    " WHERE channel = ?1";
	static const char secrets_sql[] = "DELETE FROM channel_secrets"
	    " WHERE channel = ?1";
	static const char channel_sql[] = "DELETE FROM channels"
	    " WHERE name = ?1";
	static const char mark_sql[] = "DELETE FROM channel_watermarks"
	    " WHERE channel = ?1";
	struct uoms_channel c;
	sqlite3_stmt *st;
	enum uoms_code code;
	long long orders;
	int secrets;

	if ((code = uoms_channel_get(s, name, &c, e)) != UOMS_OK)
		return code;
	uoms_channel_free(&c);
	if ((code = count(s, orders_sql, name, NULL, &orders, e)) != UOMS_OK)
		return code;
	if (orders > 0 && !force)
		return uoms_fail(e, UOMS_INVALID, "channel '%s' is referenced "
		    "by %lld order%s; removing it takes force (an admin's)",
		    name, orders, orders == 1 ? "" : "s");
	if ((st = uoms_store_sql(s, secrets_sql)) == NULL)
		return uoms_store_fail(s, e, "removing a channel");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		return uoms_store_fail(s, e, "removing a channel");
	}
	secrets = sqlite3_changes(s->db);
	sqlite3_reset(st);
	/* A channel added again later under the name starts afresh. */
	if ((st = uoms_store_sql(s, mark_sql)) == NULL)
		return uoms_store_fail(s, e, "removing a channel");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		return uoms_store_fail(s, e, "removing a channel");
	}
	sqlite3_reset(st);
	if ((st = uoms_store_sql(s, channel_sql)) == NULL)
		return uoms_store_fail(s, e, "removing a channel");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		return uoms_store_fail(s, e, "removing a channel");
	}
	sqlite3_reset(st);
	return channel_event(s, "channel_removed", json_pack("{s:s, s:I, s:i,"
	    " s:b}", "channel", name, "orders", (json_int_t)orders, "secrets",
	    secrets, "forced", orders > 0), e);
}

enum uoms_code
uoms_channel_lines(struct uoms_store *s, const char *name,
    struct uoms_buf *out, struct uoms_error *e)
{
	static const char sql[] = "SELECT json_object('name', c.name, 'kind',"
	    " c.kind, 'base_url', c.base_url, 'workflow', c.workflow,"
	    " 'enabled', json(CASE WHEN c.enabled THEN 'true' ELSE 'false'"
	    " END), 'settings', json(c.settings), 'secrets',"
	    " (SELECT json_group_array(x.name) FROM (SELECT name"
	    " FROM channel_secrets WHERE channel = c.name AND (expires_at"
	    " IS NULL OR expires_at > ?2) ORDER BY name) x),"
	    " 'created_at', c.created_at, 'updated_at', c.updated_at)"
	    " FROM channels c WHERE ?1 IS NULL OR c.name = ?1 ORDER BY c.name";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	size_t before = out->n;
	enum uoms_code code;
	char now[24];

	if (st == NULL)
		return uoms_store_fail(s, e, "listing channels");
	uoms_time_now(now);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
	code = uoms_store_lines(s, st, out, "listing channels", e);
	if (code == UOMS_OK && name != NULL && out->n == before)
		return uoms_fail(e, UOMS_NOT_FOUND, "no channel '%s'", name);
	return code;
}

/* --- secrets --- */

/* Room for a channel name, a NUL and a secret name, with some to spare. */
#define SECRET_AAD_MAX 512

/*
 * A secret's additional data: channel, a NUL byte, name; its length, or
 * 0 when they don't fit (no stored name is that long: both are checked
 * to be at most 64 bytes before a secret is kept).
 */
static size_t
secret_aad(const char *channel, const char *name, char *aad, size_t size)
{
	size_t c = strlen(channel), n = strlen(name);

	if (c + 1 + n > size)
		return 0;
	memcpy(aad, channel, c + 1);
	memcpy(aad + c + 1, name, n);
	return c + 1 + n;
}

/* Writes a sealed secret (no checks, no event). */
static enum uoms_code
secret_write(struct uoms_store *s, const char *channel, const char *name,
    const char *value, size_t n, const char *expires_at,
    const struct uoms_secret_key *k, struct uoms_error *e)
{
	static const char sql[] = "INSERT INTO channel_secrets (channel, name,"
	    " key_id, nonce, ciphertext, tag, expires_at, updated_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
	    " ON CONFLICT (channel, name) DO UPDATE SET"
	    " key_id = excluded.key_id, nonce = excluded.nonce,"
	    " ciphertext = excluded.ciphertext, tag = excluded.tag,"
	    " expires_at = excluded.expires_at,"
	    " updated_at = excluded.updated_at";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	unsigned char nonce[UOMS_SECRET_NONCE_LEN], tag[UOMS_SECRET_TAG_LEN];
	unsigned char *ct;
	char now[24], aad[SECRET_AAD_MAX];
	size_t aadlen;
	int rc;

	if (st == NULL)
		return uoms_store_fail(s, e, "storing a secret");
	/* + 1: malloc(0) may be NULL. */
	if ((ct = malloc(n + 1)) == NULL)
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	if ((aadlen = secret_aad(channel, name, aad, sizeof aad)) == 0 ||
	    uoms_secret_seal(k, aad, aadlen, value, n, nonce, ct, tag) < 0) {
		free(ct);
		return uoms_fail(e, UOMS_INTERNAL, "can't seal secret '%s' of "
		    "channel '%s' (libcrypto)", name, channel);
	}
	uoms_time_now(now);
	sqlite3_bind_text(st, 1, channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, k->id, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, nonce, sizeof nonce, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, ct, (int)n, SQLITE_STATIC);
	sqlite3_bind_blob(st, 6, tag, sizeof tag, SQLITE_STATIC);
	if (expires_at != NULL)
		sqlite3_bind_text(st, 7, expires_at, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	free(ct);
	return rc == SQLITE_DONE ? UOMS_OK : uoms_store_fail(s, e,
	    "storing a secret");
}

enum uoms_code
uoms_channel_secret_put(struct uoms_store *s, const char *channel,
    const char *name, const char *value, const char *expires_at,
    const struct uoms_secret_key *k, struct uoms_error *e)
{
	static const char other_sql[] = "SELECT key_id FROM channel_secrets"
	    " WHERE key_id <> ?1 LIMIT 1";
	static const char channel_sql[] = "SELECT count(*) FROM channels"
	    " WHERE name = ?1";
	sqlite3_stmt *st;
	enum uoms_code code;
	char other[20] = "";
	long long n;
	size_t len = strlen(value);
	int rc;

	if (!name_ok(name))
		return uoms_fail(e, UOMS_INVALID, "secret name '%.100s' is not "
		    "1 to 64 of A-Z a-z 0-9 . _ -", name);
	if (len == 0)
		return uoms_fail(e, UOMS_INVALID, "secret '%s' is empty", name);
	if (len > UOMS_SECRET_MAX)
		return uoms_fail(e, UOMS_INVALID, "secret '%s' is longer than "
		    "%d bytes", name, UOMS_SECRET_MAX);
	if ((code = count(s, channel_sql, channel, NULL, &n, e)) != UOMS_OK)
		return code;
	if (n == 0)
		return uoms_fail(e, UOMS_NOT_FOUND, "no channel '%s'", channel);
	/* One store, one key: a secret sealed under another key (a shell
	 * without $UOMS_SECRET_KEY, another key file) would not open later. */
	if ((st = uoms_store_sql(s, other_sql)) == NULL)
		return uoms_store_fail(s, e, "reading secrets");
	sqlite3_bind_text(st, 1, k->id, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		snprintf(other, sizeof other, "%s", sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return uoms_store_fail(s, e, "reading secrets");
	if (rc == SQLITE_ROW)
		return uoms_fail(e, UOMS_INVALID, "wrong key for channel '%s' "
		    "secret '%s' (key id %s, the store's secrets are sealed "
		    "under key id %s)", channel, name, k->id, other);
	if ((code = secret_write(s, channel, name, value, len, expires_at, k,
	    e)) != UOMS_OK || expires_at != NULL)
		return code;
	return channel_event(s, "channel_secret_set", json_pack("{s:s, s:s,"
	    " s:s}", "channel", channel, "secret", name, "key_id", k->id), e);
}

/*
 * Opens the secret in st's row (key_id, nonce, ciphertext, tag first)
 * under k, or under alt when it was sealed under alt (may be NULL).
 */
static enum uoms_code
open_row(sqlite3_stmt *st, const char *channel, const char *name,
    const struct uoms_secret_key *k, const struct uoms_secret_key *alt,
    char **value, struct uoms_error *e)
{
	const char *id = (const char *)sqlite3_column_text(st, 0);
	const unsigned char *nonce = sqlite3_column_blob(st, 1);
	const unsigned char *ct = sqlite3_column_blob(st, 2);
	const unsigned char *tag = sqlite3_column_blob(st, 3);
	size_t n = sqlite3_column_bytes(st, 2), aadlen;
	char *plain, aad[SECRET_AAD_MAX];

	*value = NULL;
	if (id == NULL)
		id = "";
	if (alt != NULL && strcmp(id, alt->id) == 0)
		k = alt;
	if (strcmp(id, k->id) != 0)
		return uoms_fail(e, UOMS_INVALID, "wrong key for channel '%s' "
		    "secret '%s' (key id %s, sealed under key id %.16s)",
		    channel, name, k->id, id);
	if (nonce == NULL || sqlite3_column_bytes(st, 1) !=
	    UOMS_SECRET_NONCE_LEN || tag == NULL || sqlite3_column_bytes(st, 3)
	    != UOMS_SECRET_TAG_LEN || n > UOMS_SECRET_MAX)
		return uoms_fail(e, UOMS_INVALID, "channel '%s' secret '%s' is "
		    "damaged in the store", channel, name);
	if (ct == NULL)
		ct = (const unsigned char *)"";
	if ((plain = malloc(n + 1)) == NULL)
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	if ((aadlen = secret_aad(channel, name, aad, sizeof aad)) == 0 ||
	    uoms_secret_open(k, aad, aadlen, ct, n, nonce, tag, plain) < 0) {
		free(plain);
		return uoms_fail(e, UOMS_INVALID, "channel '%s' secret '%s' "
		    "does not open under key id %s: it was changed or moved in "
		    "the store", channel, name, k->id);
	}
	*value = plain;
	return UOMS_OK;
}

enum uoms_code
uoms_channel_secret_get(struct uoms_store *s, const char *channel,
    const char *name, const struct uoms_secret_key *k, char **value,
    struct uoms_error *e)
{
	static const char sql[] = "SELECT key_id, nonce, ciphertext, tag,"
	    " expires_at IS NOT NULL AND expires_at <= ?3"
	    " FROM channel_secrets WHERE channel = ?1 AND name = ?2";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	enum uoms_code code;
	char now[24];
	int rc;

	*value = NULL;
	if (st == NULL)
		return uoms_store_fail(s, e, "reading secrets");
	uoms_time_now(now);
	sqlite3_bind_text(st, 1, channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_int(st, 4))
		code = uoms_fail(e, UOMS_NOT_FOUND, "channel '%s' secret '%s' "
		    "has expired", channel, name);
	else if (rc == SQLITE_ROW)
		code = open_row(st, channel, name, k, NULL, value, e);
	else if (rc == SQLITE_DONE)
		code = uoms_fail(e, UOMS_NOT_FOUND, "channel '%s' has no "
		    "secret '%s'", channel, name);
	else
		code = uoms_store_fail(s, e, "reading secrets");
	sqlite3_reset(st);
	return code;
}

enum uoms_code
uoms_channel_secret_names(struct uoms_store *s, const char *channel,
    struct uoms_buf *out, struct uoms_error *e)
{
	static const char sql[] = "SELECT json_group_array(name) FROM"
	    " (SELECT name FROM channel_secrets WHERE channel = ?1"
	    " AND (expires_at IS NULL OR expires_at > ?2) ORDER BY name)";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	enum uoms_code code = UOMS_OK;
	char now[24];

	if (st == NULL)
		return uoms_store_fail(s, e, "reading secrets");
	uoms_time_now(now);
	sqlite3_bind_text(st, 1, channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW)
		code = uoms_store_fail(s, e, "reading secrets");
	else if (uoms_buf_str(out, (const char *)sqlite3_column_text(st, 0))
	    < 0)
		code = uoms_fail(e, UOMS_INTERNAL, "out of memory");
	sqlite3_reset(st);
	return code;
}

enum uoms_code
uoms_channel_rekey(struct uoms_store *s, const struct uoms_secret_key *old_key,
    const struct uoms_secret_key *new_key, long long *n, struct uoms_error *e)
{
	static const char names_sql[] = "SELECT channel, name FROM"
	    " channel_secrets ORDER BY channel, name";
	static const char one_sql[] = "SELECT key_id, nonce, ciphertext, tag,"
	    " expires_at FROM channel_secrets WHERE channel = ?1 AND name = ?2";
	sqlite3_stmt *st = uoms_store_sql(s, names_sql), *one;
	struct uoms_buf names = { 0 };
	enum uoms_code code = UOMS_OK;
	char *value, *exp, *p;
	int rc;

	*n = 0;
	if (st == NULL)
		return uoms_store_fail(s, e, "reading secrets");
	/* The names first: the table is rewritten while we go. */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (uoms_buf_str(&names, (const char *)sqlite3_column_text(st,
		    0)) < 0 || uoms_buf_add(&names, "", 1) < 0 ||
		    uoms_buf_str(&names, (const char *)sqlite3_column_text(st,
		    1)) < 0 || uoms_buf_add(&names, "", 1) < 0)
			code = uoms_fail(e, UOMS_INTERNAL, "out of memory");
	sqlite3_reset(st);
	if (code == UOMS_OK && rc != SQLITE_DONE)
		code = uoms_store_fail(s, e, "reading secrets");
	for (p = names.p; code == UOMS_OK && p < names.p + names.n;) {
		const char *channel = p, *name = p + strlen(p) + 1;

		p = (char *)name + strlen(name) + 1;
		if ((one = uoms_store_sql(s, one_sql)) == NULL) {
			code = uoms_store_fail(s, e, "reading secrets");
			break;
		}
		sqlite3_bind_text(one, 1, channel, -1, SQLITE_STATIC);
		sqlite3_bind_text(one, 2, name, -1, SQLITE_STATIC);
		if (sqlite3_step(one) != SQLITE_ROW) {
			sqlite3_reset(one);
			code = uoms_store_fail(s, e, "reading secrets");
			break;
		}
		code = open_row(one, channel, name, old_key, new_key, &value,
		    e);
		exp = code == UOMS_OK ? dup_col(one, 4) : NULL;
		sqlite3_reset(one);
		if (code != UOMS_OK)
			break;
		code = secret_write(s, channel, name, value, strlen(value),
		    exp, new_key, e);
		OPENSSL_cleanse(value, strlen(value));
		free(value);
		free(exp);
		if (code == UOMS_OK)
			(*n)++;
	}
	uoms_buf_free(&names);
	if (code != UOMS_OK)
		return code;
	return channel_event(s, "channels_rekeyed", json_pack("{s:I, s:s,"
	    " s:s}", "secrets", (json_int_t)*n, "from_key_id", old_key->id,
	    "to_key_id", new_key->id), e);
}

enum uoms_code
uoms_channel_high_water(struct uoms_store *s, const char *channel,
    const char *limit, char *out, struct uoms_error *e)
{
	static const char sql[] = "SELECT max(channel_updated_at) FROM orders"
	    " WHERE channel = ?1 AND (?2 IS NULL OR channel_updated_at <= ?2)";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	const unsigned char *t;
	int rc;

	out[0] = '\0';
	if (st == NULL)
		return uoms_store_fail(s, e, "reading orders");
	sqlite3_bind_text(st, 1, channel, -1, SQLITE_STATIC);
	if (limit != NULL)
		sqlite3_bind_text(st, 2, limit, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && (t = sqlite3_column_text(st, 0)) != NULL)
		snprintf(out, 40, "%s", t);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? UOMS_OK : uoms_store_fail(s, e,
	    "reading orders");
}

enum uoms_code
uoms_channel_ahead(struct uoms_store *s, const char *channel,
    const char *limit, int max,
    void (*fn)(void *arg, const char *ext, const char *at), void *arg,
    long long *n, struct uoms_error *e)
{
	static const char sql[] = "SELECT external_order_id,"
	    " channel_updated_at FROM orders WHERE channel = ?1"
	    " AND channel_updated_at > ?2 ORDER BY channel_updated_at DESC";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	int rc;

	*n = 0;
	if (st == NULL)
		return uoms_store_fail(s, e, "reading orders");
	sqlite3_bind_text(st, 1, channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, limit, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((*n)++ < max)
			fn(arg, (const char *)sqlite3_column_text(st, 0),
			    (const char *)sqlite3_column_text(st, 1));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? UOMS_OK : uoms_store_fail(s, e,
	    "reading orders");
}

enum uoms_code
uoms_channel_open_before(struct uoms_store *s, const char *channel,
    const char *before, const char *final, int max,
    void (*fn)(void *arg, const char *ext), void *arg,
    struct uoms_error *e)
{
	static const char sql[] = "SELECT external_order_id FROM orders"
	    " WHERE channel = ?1 AND placed_at < ?2"
	    " AND instr(?3, char(10) || coalesce(json_extract(extra,"
	    " '$.channel_status'), '') || char(10)) = 0"
	    " ORDER BY placed_at, id LIMIT ?4";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	int rc;

	if (st == NULL)
		return uoms_store_fail(s, e, "reading orders");
	sqlite3_bind_text(st, 1, channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, before, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, final, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(arg, (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? UOMS_OK : uoms_store_fail(s, e,
	    "reading orders");
}

enum uoms_code
uoms_channel_watermark_get(struct uoms_store *s, const char *channel,
    char *out, struct uoms_error *e)
{
	static const char sql[] = "SELECT read_to FROM channel_watermarks"
	    " WHERE channel = ?1";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	const unsigned char *t;
	int rc;

	out[0] = '\0';
	if (st == NULL)
		return uoms_store_fail(s, e, "reading a watermark");
	sqlite3_bind_text(st, 1, channel, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && (t = sqlite3_column_text(st, 0)) != NULL)
		snprintf(out, 40, "%s", t);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? UOMS_OK :
	    uoms_store_fail(s, e, "reading a watermark");
}

enum uoms_code
uoms_channel_watermark_set(struct uoms_store *s, const char *channel,
    const char *read_to, struct uoms_error *e)
{
	static const char sql[] = "INSERT INTO channel_watermarks (channel,"
	    " read_to, updated_at) VALUES (?1, ?2, ?3) ON CONFLICT (channel)"
	    " DO UPDATE SET read_to = ?2, updated_at = ?3";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	char now[40];
	int rc;

	if (st == NULL)
		return uoms_store_fail(s, e, "keeping a watermark");
	uoms_time_now(now);
	sqlite3_bind_text(st, 1, channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, read_to, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? UOMS_OK : uoms_store_fail(s, e,
	    "keeping a watermark");
}
