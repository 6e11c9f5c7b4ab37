/*
 * The channel registry and its sealed secrets. Secrets are sealed by
 * lib/secret with the channel and secret names as additional data, so a
 * value can't be opened under another name. The clear value never
 * reaches the store: only nonce, ciphertext, tag and the id of the key go
 * in.
 */
#include <ctype.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "channel.h"
#include "rfc3339.h"
#include "db.h"
#include "kind.h"

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
dup_col(struct uoms_stmt *st, int col)
{
	const char *t = uoms_db_text(st, col);

	return t == NULL ? NULL : strdup(t);
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

/* The channel in st's current row (name, kind, base_url, workflow,
 * enabled, settings, created_at, updated_at) into c. */
static enum uoms_code
from_row(struct uoms_stmt *st, struct uoms_channel *c, struct uoms_error *e)
{
	json_error_t jerr;

	memset(c, 0, sizeof *c);
	c->name = dup_col(st, 0);
	c->kind = dup_col(st, 1);
	c->base_url = dup_col(st, 2);
	c->workflow = dup_col(st, 3);
	c->enabled = uoms_db_int(st, 4);
	c->settings = json_loads(uoms_db_text(st, 5), 0, &jerr);
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
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_CHANNEL_GET);
	enum uoms_code code;
	enum uoms_db_step rc;

	memset(c, 0, sizeof *c);
	if (st == NULL)
		return uoms_db_fail(s, e, "reading channels");
	uoms_db_bind_text(st, 1, name);
	rc = uoms_db_step(st);
	if (rc == UOMS_DB_ROW)
		code = from_row(st, c, e);
	else if (rc == UOMS_DB_DONE)
		code = uoms_fail(e, UOMS_NOT_FOUND, "no channel '%s'", name);
	else
		code = uoms_db_fail(s, e, "reading channels");
	uoms_db_done(st);
	return code;
}

enum uoms_code
uoms_channel_list(struct uoms_store *s, int enabled_only,
    struct uoms_channel **list, int *n, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_CHANNEL_LIST);
	struct uoms_channel *l = NULL, *nl;
	enum uoms_code code = UOMS_OK;
	enum uoms_db_step rc = UOMS_DB_DONE;
	int cap = 0;

	*list = NULL;
	*n = 0;
	if (st == NULL)
		return uoms_db_fail(s, e, "listing channels");
	uoms_db_bind_int(st, 1, enabled_only != 0);
	while (code == UOMS_OK && (rc = uoms_db_step(st)) == UOMS_DB_ROW) {
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
	if (code == UOMS_OK && rc != UOMS_DB_DONE)
		code = uoms_db_fail(s, e, "listing channels");
	uoms_db_done(st);
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
bind_opt(struct uoms_stmt *st, int i, const char *v)
{
	uoms_db_bind_text(st, i, v != NULL && *v != '\0' ? v : NULL);
}

static enum uoms_code
channel_insert(struct uoms_store *s, const struct uoms_channel *c,
    struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_CHANNEL_INSERT);
	json_t *settings = c->settings != NULL ? c->settings : json_object();
	json_t *d;
	char now[24], *text;
	enum uoms_db_step rc;

	if (st == NULL)
		return uoms_db_fail(s, e, "adding a channel");
	text = json_dumps(settings, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text == NULL) {
		if (c->settings == NULL)
			json_decref(settings);
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	}
	uoms_time_now(now);
	uoms_db_bind_text(st, 1, c->name);
	uoms_db_bind_text(st, 2, c->kind);
	bind_opt(st, 3, c->base_url);
	bind_opt(st, 4, c->workflow);
	uoms_db_bind_int(st, 5, c->enabled != 0);
	uoms_db_bind_text(st, 6, text);
	uoms_db_bind_text(st, 7, now);
	/* A name taken gives no row (ON CONFLICT DO NOTHING), on every
	 * engine, rather than an engine's constraint error. */
	rc = uoms_db_step(st);
	if (rc == UOMS_DB_ERROR)
		uoms_db_fail(s, e, "adding a channel");
	uoms_db_done(st);
	free(text);
	if (rc != UOMS_DB_ROW) {
		if (c->settings == NULL)
			json_decref(settings);
		return rc == UOMS_DB_DONE ? uoms_fail(e, UOMS_INVALID,
		    "channel '%s' exists already", c->name) : e->code;
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
	struct uoms_stmt *st;
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
	st = uoms_db_stmt(s, SQL_CHANNEL_UPDATE);
	if (st == NULL || text == NULL) {
		code = st == NULL ? uoms_db_fail(s, e, "changing a channel")
		    : uoms_fail(e, UOMS_INTERNAL, "out of memory");
		goto out;
	}
	uoms_time_now(now);
	uoms_db_bind_text(st, 1, c->name);
	uoms_db_bind_text(st, 2, kind);
	bind_opt(st, 3, url);
	bind_opt(st, 4, wf);
	uoms_db_bind_int(st, 5, enabled);
	uoms_db_bind_text(st, 6, text);
	uoms_db_bind_text(st, 7, now);
	code = uoms_db_exec(s, st, "changing a channel", e);
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
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_CHANNEL_ENABLE);
	struct uoms_channel c;
	enum uoms_code code;
	char now[24];

	if ((code = uoms_channel_get(s, name, &c, e)) != UOMS_OK)
		return code;
	uoms_channel_free(&c);
	if (st == NULL)
		return uoms_db_fail(s, e, "changing a channel");
	uoms_time_now(now);
	uoms_db_bind_text(st, 1, name);
	uoms_db_bind_int(st, 2, on != 0);
	uoms_db_bind_text(st, 3, now);
	if ((code = uoms_db_exec(s, st, "changing a channel", e)) != UOMS_OK)
		return code;
	if (uoms_db_changes(s) == 0)
		return UOMS_OK;
	return channel_event(s, on ? "channel_enabled" : "channel_disabled",
	    json_pack("{s:s}", "channel", name), e);
}

/* A count from a one-row query bound with text a (and b when not NULL). */
static enum uoms_code
count(struct uoms_store *s, enum uoms_sql which, const char *a,
    const char *b, long long *n, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, which);
	enum uoms_db_step rc;

	if (st == NULL)
		return uoms_db_fail(s, e, "counting");
	uoms_db_bind_text(st, 1, a);
	if (b != NULL)
		uoms_db_bind_text(st, 2, b);
	if ((rc = uoms_db_step(st)) != UOMS_DB_ROW) {
		*n = 0;
		uoms_db_fail(s, e, "counting");
		uoms_db_done(st);
		return e->code;
	}
	*n = uoms_db_int(st, 0);
	uoms_db_done(st);
	return UOMS_OK;
}

enum uoms_code
uoms_channel_remove(struct uoms_store *s, const char *name, int force,
    struct uoms_error *e)
{
	struct uoms_channel c;
	struct uoms_stmt *st;
	enum uoms_code code;
	long long orders;
	int secrets;

	if ((code = uoms_channel_get(s, name, &c, e)) != UOMS_OK)
		return code;
	uoms_channel_free(&c);
	if ((code = count(s, SQL_CHANNEL_ORDERS, name, NULL, &orders, e)) !=
	    UOMS_OK)
		return code;
	if (orders > 0 && !force)
		return uoms_fail(e, UOMS_INVALID, "channel '%s' is referenced "
		    "by %lld order%s; removing it takes force (an admin's)",
		    name, orders, orders == 1 ? "" : "s");
	if ((st = uoms_db_stmt(s, SQL_CHANNEL_SECRETS_DELETE)) == NULL)
		return uoms_db_fail(s, e, "removing a channel");
	uoms_db_bind_text(st, 1, name);
	if ((code = uoms_db_exec(s, st, "removing a channel", e)) != UOMS_OK)
		return code;
	secrets = uoms_db_changes(s);
	/* A channel added again later under the name starts afresh. */
	if ((st = uoms_db_stmt(s, SQL_CHANNEL_WATERMARK_DELETE)) == NULL)
		return uoms_db_fail(s, e, "removing a channel");
	uoms_db_bind_text(st, 1, name);
	if ((code = uoms_db_exec(s, st, "removing a channel", e)) != UOMS_OK)
		return code;
	if ((st = uoms_db_stmt(s, SQL_CHANNEL_DELETE)) == NULL)
		return uoms_db_fail(s, e, "removing a channel");
	uoms_db_bind_text(st, 1, name);
	if ((code = uoms_db_exec(s, st, "removing a channel", e)) != UOMS_OK)
		return code;
	return channel_event(s, "channel_removed", json_pack("{s:s, s:I, s:i,"
	    " s:b}", "channel", name, "orders", (json_int_t)orders, "secrets",
	    secrets, "forced", orders > 0), e);
}

enum uoms_code
uoms_channel_lines(struct uoms_store *s, const char *name,
    struct uoms_buf *out, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_CHANNEL_LINES);
	size_t before = out->n;
	enum uoms_code code;
	char now[24];

	if (st == NULL)
		return uoms_db_fail(s, e, "listing channels");
	uoms_time_now(now);
	uoms_db_bind_text(st, 1, name);
	/* now lives until the lines are read. */
	uoms_db_bind_text(st, 2, now);
	code = uoms_db_lines(s, st, out, "listing channels", e);
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
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_CHANNEL_SECRET_WRITE);
	unsigned char nonce[UOMS_SECRET_NONCE_LEN], tag[UOMS_SECRET_TAG_LEN];
	unsigned char *ct;
	char now[24], aad[SECRET_AAD_MAX];
	size_t aadlen;
	enum uoms_code code;

	if (st == NULL)
		return uoms_db_fail(s, e, "storing a secret");
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
	uoms_db_bind_text(st, 1, channel);
	uoms_db_bind_text(st, 2, name);
	uoms_db_bind_text(st, 3, k->id);
	uoms_db_bind_blob(st, 4, nonce, sizeof nonce);
	uoms_db_bind_blob(st, 5, ct, n);
	uoms_db_bind_blob(st, 6, tag, sizeof tag);
	uoms_db_bind_text(st, 7, expires_at);
	uoms_db_bind_text(st, 8, now);
	code = uoms_db_exec(s, st, "storing a secret", e);
	free(ct);
	return code;
}

enum uoms_code
uoms_channel_secret_put(struct uoms_store *s, const char *channel,
    const char *name, const char *value, const char *expires_at,
    const struct uoms_secret_key *k, struct uoms_error *e)
{
	struct uoms_stmt *st;
	enum uoms_code code;
	char other[20] = "";
	long long n;
	size_t len = strlen(value);
	enum uoms_db_step rc;

	if (!name_ok(name))
		return uoms_fail(e, UOMS_INVALID, "secret name '%.100s' is not "
		    "1 to 64 of A-Z a-z 0-9 . _ -", name);
	if (len == 0)
		return uoms_fail(e, UOMS_INVALID, "secret '%s' is empty", name);
	if (len > UOMS_SECRET_MAX)
		return uoms_fail(e, UOMS_INVALID, "secret '%s' is longer than "
		    "%d bytes", name, UOMS_SECRET_MAX);
	if ((code = count(s, SQL_CHANNEL_EXISTS, channel, NULL, &n, e)) !=
	    UOMS_OK)
		return code;
	if (n == 0)
		return uoms_fail(e, UOMS_NOT_FOUND, "no channel '%s'", channel);
	/* One store, one key: a secret sealed under another key (a shell
	 * without $UOMS_SECRET_KEY, another key file) would not open later. */
	if ((st = uoms_db_stmt(s, SQL_CHANNEL_SECRET_OTHER_KEY)) == NULL)
		return uoms_db_fail(s, e, "reading secrets");
	uoms_db_bind_text(st, 1, k->id);
	if ((rc = uoms_db_step(st)) == UOMS_DB_ROW)
		snprintf(other, sizeof other, "%s", uoms_db_text(st, 0));
	uoms_db_done(st);
	if (rc != UOMS_DB_ROW && rc != UOMS_DB_DONE)
		return uoms_db_fail(s, e, "reading secrets");
	if (rc == UOMS_DB_ROW)
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
open_row(struct uoms_stmt *st, const char *channel, const char *name,
    const struct uoms_secret_key *k, const struct uoms_secret_key *alt,
    char **value, struct uoms_error *e)
{
	const char *id = uoms_db_text(st, 0);
	const unsigned char *nonce = uoms_db_blob(st, 1);
	const unsigned char *ct = uoms_db_blob(st, 2);
	const unsigned char *tag = uoms_db_blob(st, 3);
	size_t n = uoms_db_bytes(st, 2), aadlen;
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
	if (nonce == NULL || uoms_db_bytes(st, 1) != UOMS_SECRET_NONCE_LEN ||
	    tag == NULL || uoms_db_bytes(st, 3) != UOMS_SECRET_TAG_LEN ||
	    n > UOMS_SECRET_MAX)
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
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_CHANNEL_SECRET_GET);
	enum uoms_code code;
	char now[24];
	enum uoms_db_step rc;

	*value = NULL;
	if (st == NULL)
		return uoms_db_fail(s, e, "reading secrets");
	uoms_time_now(now);
	uoms_db_bind_text(st, 1, channel);
	uoms_db_bind_text(st, 2, name);
	uoms_db_bind_text(st, 3, now);
	rc = uoms_db_step(st);
	if (rc == UOMS_DB_ROW && uoms_db_int(st, 4))
		code = uoms_fail(e, UOMS_NOT_FOUND, "channel '%s' secret '%s' "
		    "has expired", channel, name);
	else if (rc == UOMS_DB_ROW)
		code = open_row(st, channel, name, k, NULL, value, e);
	else if (rc == UOMS_DB_DONE)
		code = uoms_fail(e, UOMS_NOT_FOUND, "channel '%s' has no "
		    "secret '%s'", channel, name);
	else
		code = uoms_db_fail(s, e, "reading secrets");
	uoms_db_done(st);
	return code;
}

enum uoms_code
uoms_channel_secret_names(struct uoms_store *s, const char *channel,
    struct uoms_buf *out, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_CHANNEL_SECRET_NAMES);
	enum uoms_code code = UOMS_OK;
	char now[24];

	if (st == NULL)
		return uoms_db_fail(s, e, "reading secrets");
	uoms_time_now(now);
	uoms_db_bind_text(st, 1, channel);
	uoms_db_bind_text(st, 2, now);
	if (uoms_db_step(st) != UOMS_DB_ROW)
		code = uoms_db_fail(s, e, "reading secrets");
	else if (uoms_buf_str(out, uoms_db_text(st, 0)) < 0)
		code = uoms_fail(e, UOMS_INTERNAL, "out of memory");
	uoms_db_done(st);
	return code;
}

enum uoms_code
uoms_channel_rekey(struct uoms_store *s, const struct uoms_secret_key *old_key,
    const struct uoms_secret_key *new_key, long long *n, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_CHANNEL_SECRETS_ALL), *one;
	struct uoms_buf names = { 0 };
	enum uoms_code code = UOMS_OK;
	char *value, *exp, *p;
	enum uoms_db_step rc;

	*n = 0;
	if (st == NULL)
		return uoms_db_fail(s, e, "reading secrets");
	/* The names first: the table is rewritten while we go. */
	while ((rc = uoms_db_step(st)) == UOMS_DB_ROW)
		if (uoms_buf_str(&names, uoms_db_text(st, 0)) < 0 ||
		    uoms_buf_add(&names, "", 1) < 0 ||
		    uoms_buf_str(&names, uoms_db_text(st, 1)) < 0 ||
		    uoms_buf_add(&names, "", 1) < 0)
			code = uoms_fail(e, UOMS_INTERNAL, "out of memory");
	uoms_db_done(st);
	if (code == UOMS_OK && rc != UOMS_DB_DONE)
		code = uoms_db_fail(s, e, "reading secrets");
	for (p = names.p; code == UOMS_OK && p < names.p + names.n;) {
		const char *channel = p, *name = p + strlen(p) + 1;

		p = (char *)name + strlen(name) + 1;
		one = uoms_db_stmt(s, SQL_CHANNEL_SECRET_SEALED);
		if (one == NULL) {
			code = uoms_db_fail(s, e, "reading secrets");
			break;
		}
		uoms_db_bind_text(one, 1, channel);
		uoms_db_bind_text(one, 2, name);
		if (uoms_db_step(one) != UOMS_DB_ROW) {
			uoms_db_done(one);
			code = uoms_db_fail(s, e, "reading secrets");
			break;
		}
		code = open_row(one, channel, name, old_key, new_key, &value,
		    e);
		exp = code == UOMS_OK ? dup_col(one, 4) : NULL;
		uoms_db_done(one);
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
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_CHANNEL_HIGH_WATER);
	const char *t;
	enum uoms_db_step rc;

	out[0] = '\0';
	if (st == NULL)
		return uoms_db_fail(s, e, "reading orders");
	uoms_db_bind_text(st, 1, channel);
	uoms_db_bind_text(st, 2, limit);
	rc = uoms_db_step(st);
	if (rc == UOMS_DB_ROW && (t = uoms_db_text(st, 0)) != NULL)
		snprintf(out, 40, "%s", t);
	uoms_db_done(st);
	return rc == UOMS_DB_ROW ? UOMS_OK : uoms_db_fail(s, e,
	    "reading orders");
}

enum uoms_code
uoms_channel_ahead(struct uoms_store *s, const char *channel,
    const char *limit, int max,
    void (*fn)(void *arg, const char *ext, const char *at), void *arg,
    long long *n, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_CHANNEL_AHEAD);
	enum uoms_db_step rc;

	*n = 0;
	if (st == NULL)
		return uoms_db_fail(s, e, "reading orders");
	uoms_db_bind_text(st, 1, channel);
	uoms_db_bind_text(st, 2, limit);
	while ((rc = uoms_db_step(st)) == UOMS_DB_ROW)
		if ((*n)++ < max)
			fn(arg, uoms_db_text(st, 0), uoms_db_text(st, 1));
	uoms_db_done(st);
	return rc == UOMS_DB_DONE ? UOMS_OK : uoms_db_fail(s, e,
	    "reading orders");
}

enum uoms_code
uoms_channel_open_before(struct uoms_store *s, const char *channel,
    const char *before, const char *final, int max,
    void (*fn)(void *arg, const char *ext), void *arg,
    struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_CHANNEL_OPEN_BEFORE);
	enum uoms_db_step rc;

	if (st == NULL)
		return uoms_db_fail(s, e, "reading orders");
	uoms_db_bind_text(st, 1, channel);
	uoms_db_bind_text(st, 2, before);
	uoms_db_bind_text(st, 3, final);
	uoms_db_bind_int(st, 4, max);
	while ((rc = uoms_db_step(st)) == UOMS_DB_ROW)
		fn(arg, uoms_db_text(st, 0));
	uoms_db_done(st);
	return rc == UOMS_DB_DONE ? UOMS_OK : uoms_db_fail(s, e,
	    "reading orders");
}

enum uoms_code
uoms_channel_watermark_get(struct uoms_store *s, const char *channel,
    char *out, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_CHANNEL_WATERMARK_GET);
	const char *t;
	enum uoms_db_step rc;

	out[0] = '\0';
	if (st == NULL)
		return uoms_db_fail(s, e, "reading a watermark");
	uoms_db_bind_text(st, 1, channel);
	rc = uoms_db_step(st);
	if (rc == UOMS_DB_ROW && (t = uoms_db_text(st, 0)) != NULL)
		snprintf(out, 40, "%s", t);
	uoms_db_done(st);
	return rc == UOMS_DB_ROW || rc == UOMS_DB_DONE ? UOMS_OK :
	    uoms_db_fail(s, e, "reading a watermark");
}

enum uoms_code
uoms_channel_watermark_set(struct uoms_store *s, const char *channel,
    const char *read_to, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_CHANNEL_WATERMARK_SET);
	char now[40];

	if (st == NULL)
		return uoms_db_fail(s, e, "keeping a watermark");
	uoms_time_now(now);
	uoms_db_bind_text(st, 1, channel);
	uoms_db_bind_text(st, 2, read_to);
	uoms_db_bind_text(st, 3, now);
	return uoms_db_exec(s, st, "keeping a watermark", e);
}

/* lib/kind.c registers each kind weakly: one not built in yet is NULL
 * there, and a kind added later is found by uoms_kind_find. */
static const char *const known_kinds[] = {
	"demo", "http-jsonl", "coupang", "naver", "shopify", "woocommerce"
};

int
uoms_channel_kind_known(const char *kind)
{
	if (uoms_kind_find(kind) != NULL)
		return 1;
	for (size_t i = 0; i < sizeof known_kinds / sizeof *known_kinds; i++)
		if (strcmp(kind, known_kinds[i]) == 0)
			return 1;
	return 0;
}

int
uoms_channel_credential_like(const char *key)
{
	size_t n = strlen(key);

	return strcasestr(key, "secret") != NULL ||
	    strcasestr(key, "token") != NULL ||
	    strcasestr(key, "passw") != NULL ||
	    (n >= 3 && strcasecmp(key + n - 3, "key") == 0);
}
