/*
 * channel: the registry's secret functions over a scratch store, on
 * SQLite and on a throwaway PostgreSQL (t/pg.sh) when this machine has
 * one (the cipher and the key are t/unit/secret.c's). Prints TAP.
 */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "db.h"

#include "key.h"
#include "pgserver.h"
#include "tap.h"

/* Runs sql (no parameters but a blob as $1 when blob is not NULL) on s:
 * how a test changes rows behind the library's back. */
static int
run(struct uoms_store *s, const char *sql, const void *blob, size_t n)
{
	struct uoms_buf text = { 0 };
	struct uoms_error e = { 0 };
	struct uoms_stmt *st;
	const char *p;
	int rc = -1;

	/* "?" marks the blob's place, written as the engine numbers it. */
	for (p = sql; *p != '\0'; p++)
		if (*p == '?')
			uoms_db_param(s, &text, 1);
		else
			uoms_buf_add(&text, p, 1);
	uoms_buf_add(&text, "", 1);
	if ((st = uoms_db_prepare(s, text.p)) != NULL) {
		if (blob != NULL)
			uoms_db_bind_blob(st, 1, blob, n);
		rc = uoms_db_exec(s, st, "testing", &e) == UOMS_OK ? 0 : -1;
		uoms_db_free(st);
	}
	if (rc < 0)
		printf("# %s: %s\n", text.p, e.msg);
	uoms_buf_free(&text);
	return rc;
}

/* Blanks the times ("created_at":"...") in a channel line: two stores
 * made a second apart are compared. */
static void
no_times(char *line)
{
	char *p;

	for (p = line; (p = strstr(p, "_at\":\"")) != NULL; p += 6)
		for (char *q = p + 6; *q != '\0' && *q != '"'; q++)
			*q = 'T';
}

/* The checks on the store at where (a file or a URL), named engine;
 * the first channel's line (uoms_channel_lines) into line. */
static void
store(const char *where, const char *engine, struct uoms_buf *line)
{
	struct uoms_config cfg = { 0 };
	struct uoms_store *s;
	struct uoms_error e = { 0 };
	struct uoms_secret_key k, k2;
	struct uoms_channel c = { 0 }, got;
	struct uoms_buf b = { 0 };
	char why[512], want[512], hw[40], *v = NULL;
	static const unsigned char zero[16];
	enum uoms_code code;
	long long n;

	printf("# %s\n", engine);
	if ((s = uoms_store_open(where, UOMS_STORE_WRITE, &cfg, why,
	    sizeof why)) == NULL) {
		printf("Bail out! %s: %s\n", engine, why);
		exit(1);
	}
	uoms_store_set_actor(s, "unit");
	key_of(&k, 7);
	key_of(&k2, 9);
	c.name = "cp1";
	c.kind = "coupang";
	c.enabled = 1;
	c.settings = json_pack("{s:s}", "vendor_id", "A00012345");
	ok(uoms_channel_put(s, &c, 1, &e) == UOMS_OK, "put a channel");
	ok(uoms_channel_put(s, &c, 1, &e) == UOMS_INVALID && strcmp(e.msg,
	    "channel 'cp1' exists already") == 0, "put it again: %s", e.msg);
	json_decref(c.settings);
	ok(uoms_channel_secret_put(s, "cp1", "access_key", "S3cr3t-VALUE-42",
	    NULL, &k, &e) == UOMS_OK && uoms_channel_secret_put(s, "cp1",
	    "secret_key", "other", NULL, &k, &e) == UOMS_OK, "put secrets");
	ok(uoms_channel_secret_get(s, "cp1", "access_key", &k, &v, &e) ==
	    UOMS_OK && v != NULL && strcmp(v, "S3cr3t-VALUE-42") == 0,
	    "get gives the value back");
	if (v != NULL) {
		OPENSSL_cleanse(v, strlen(v));
		free(v);
	}
	ok(uoms_channel_secret_get(s, "cp1", "nope", &k, &v, &e) ==
	    UOMS_NOT_FOUND && v == NULL, "an absent secret: not_found");
	ok(uoms_channel_secret_put(s, "nope", "a", "b", NULL, &k, &e) ==
	    UOMS_NOT_FOUND, "a secret of no channel: not_found");
	ok(uoms_channel_secret_put(s, "cp1", "a", "", NULL, &k, &e) ==
	    UOMS_INVALID, "an empty secret: invalid");

	snprintf(want, sizeof want, "wrong key for channel 'cp1' secret "
	    "'access_key' (key id %s, sealed under key id %s)", k2.id, k.id);
	ok(uoms_channel_secret_get(s, "cp1", "access_key", &k2, &v, &e) ==
	    UOMS_INVALID && v == NULL && strcmp(e.msg, want) == 0,
	    "a wrong key: invalid, %s", e.msg);
	ok(uoms_channel_secret_put(s, "cp1", "x", "y", NULL, &k2, &e) ==
	    UOMS_INVALID && strstr(e.msg, "wrong key") != NULL,
	    "sealing under another key than the store's: %s", e.msg);

	/* A cached token: no event, gone when expired. */
	ok(uoms_channel_secret_put(s, "cp1", "token", "t1",
	    "2000-01-01T00:00:00Z", &k, &e) == UOMS_OK &&
	    uoms_channel_secret_get(s, "cp1", "token", &k, &v, &e) ==
	    UOMS_NOT_FOUND && strstr(e.msg, "expired") != NULL,
	    "an expired token: not_found");
	ok(uoms_channel_secret_put(s, "cp1", "token2", "t2",
	    "2999-01-01T00:00:00Z", &k, &e) == UOMS_OK &&
	    uoms_channel_secret_get(s, "cp1", "token2", &k, &v, &e) == UOMS_OK
	    && strcmp(v, "t2") == 0, "a token not expired opens");
	free(v);
	v = NULL;
	code = uoms_channel_secret_names(s, "cp1", &b, &e);
	ok(code == UOMS_OK && b.p != NULL && strcmp(b.p, "[\"access_key\","
	    "\"secret_key\",\"token2\"]") == 0,
	    "names: set and unexpired, never values: %s", b.p != NULL ? b.p :
	    "");
	uoms_buf_free(&b);
	code = uoms_channel_lines(s, "cp1", line, &e);
	if (code == UOMS_OK && line->n > 0 && line->p[line->n - 1] == '\n')
		line->p[line->n - 1] = '\0';
	ok(code == UOMS_OK && line->n > 0, "its line: %s", line->p != NULL ?
	    line->p : e.msg);

	/* Moved in the store: the row of secret_key copied onto access_key. */
	run(s, "UPDATE channel_secrets SET (nonce, ciphertext, tag) ="
	    " (SELECT nonce, ciphertext, tag FROM channel_secrets"
	    " WHERE name = 'secret_key') WHERE name = 'access_key'", NULL, 0);
	ok(uoms_channel_secret_get(s, "cp1", "access_key", &k, &v, &e) ==
	    UOMS_INVALID && v == NULL && strstr(e.msg, "changed or moved") !=
	    NULL, "a value moved to another name: %s", e.msg);
	run(s, "UPDATE channel_secrets SET tag = ? WHERE name = 'secret_key'",
	    zero, sizeof zero);
	ok(uoms_channel_secret_get(s, "cp1", "secret_key", &k, &v, &e) ==
	    UOMS_INVALID && v == NULL, "a zeroed tag: invalid");
	ok(uoms_channel_rekey(s, &k, &k2, &n, &e) == UOMS_INVALID,
	    "rekey refuses when a secret does not open");

	ok(uoms_channel_secret_put(s, "cp1", "access_key", "v1", NULL, &k, &e)
	    == UOMS_OK && uoms_channel_secret_put(s, "cp1", "secret_key",
	    "v2", NULL, &k, &e) == UOMS_OK, "put them again");
	code = uoms_channel_rekey(s, &k, &k2, &n, &e);
	ok(code == UOMS_OK && n == 4, "rekey re-seals all four (%lld)", n);
	ok(uoms_channel_secret_get(s, "cp1", "secret_key", &k2, &v, &e) ==
	    UOMS_OK && strcmp(v, "v2") == 0, "the new key opens them");
	free(v);
	v = NULL;
	ok(uoms_channel_secret_get(s, "cp1", "secret_key", &k, &v, &e) ==
	    UOMS_INVALID && strstr(e.msg, "wrong key") != NULL,
	    "the old key is refused");

	ok(uoms_channel_get(s, "cp1", &got, &e) == UOMS_OK &&
	    strcmp(got.kind, "coupang") == 0 && got.enabled == 1 &&
	    strcmp(json_string_value(json_object_get(got.settings,
	    "vendor_id")), "A00012345") == 0, "get the channel");
	uoms_channel_free(&got);

	ok(uoms_channel_high_water(s, "cp1", NULL, hw, &e) == UOMS_OK &&
	    hw[0] == '\0', "no orders: no high water");
	run(s, "INSERT INTO orders (channel, external_order_id,"
	    " kind, workflow, status, version, channel_updated_at, created_at,"
	    " updated_at) VALUES ('cp1', 'a', 'delivery', 'dispatch',"
	    " 'WAITING', 1, '2026-11-21T09:00:00Z', 'x', 'x'), ('cp1', 'b',"
	    " 'delivery', 'dispatch', 'WAITING', 1, '2026-11-21T10:00:00Z',"
	    " 'x', 'x'), ('cp2', 'c', 'delivery', 'dispatch', 'WAITING', 1,"
	    " '2026-11-22T10:00:00Z', 'x', 'x')", NULL, 0);
	ok(uoms_channel_high_water(s, "cp1", NULL, hw, &e) == UOMS_OK &&
	    strcmp(hw, "2026-11-21T10:00:00Z") == 0, "high water: %s", hw);
	ok(uoms_channel_high_water(s, "cp1", "2026-11-21T09:30:00Z", hw, &e)
	    == UOMS_OK && strcmp(hw, "2026-11-21T09:00:00Z") == 0,
	    "high water, times after the limit left out: %s", hw);
	ok(uoms_channel_watermark_get(s, "cp1", hw, &e) == UOMS_OK &&
	    hw[0] == '\0', "no watermark yet");
	ok(uoms_channel_watermark_set(s, "cp1", "2026-11-21T08:00:00Z", &e)
	    == UOMS_OK && uoms_channel_watermark_set(s, "cp1",
	    "2026-11-21T08:30:00Z", &e) == UOMS_OK &&
	    uoms_channel_watermark_get(s, "cp1", hw, &e) == UOMS_OK &&
	    strcmp(hw, "2026-11-21T08:30:00Z") == 0, "watermark set twice: %s",
	    hw);
	ok(uoms_channel_remove(s, "cp1", 0, &e) == UOMS_INVALID,
	    "remove refused while orders name it: %s", e.msg);
	ok(uoms_channel_remove(s, "cp1", 1, &e) == UOMS_OK &&
	    uoms_channel_get(s, "cp1", &got, &e) == UOMS_NOT_FOUND,
	    "remove with force");
	ok(uoms_channel_watermark_get(s, "cp1", hw, &e) == UOMS_OK &&
	    hw[0] == '\0', "its watermark went with it");
	uoms_store_close(s);
}

int
main(void)
{
	char dir[] = "/tmp/uoms-channel-XXXXXX", cmd[64], path[128], url[600];
	struct uoms_buf lite = { 0 }, pg = { 0 };
	const char *at;

	if (mkdtemp(dir) == NULL) {
		puts("Bail out! mkdtemp");
		return 1;
	}
	snprintf(path, sizeof path, "%s/u.db", dir);
	store(path, "sqlite", &lite);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "can't remove %s\n", dir);
	if ((at = pg_server_start(url, sizeof url)) == NULL)
		printf("ok %d # skip no PostgreSQL server on this machine\n",
		    ++tests);
	else {
		store(at, "postgresql", &pg);
		pg_server_stop();
		if (lite.p != NULL && pg.p != NULL) {
			no_times(lite.p);
			no_times(pg.p);
		}
		ok(lite.p != NULL && pg.p != NULL && strcmp(lite.p, pg.p) == 0,
		    "the same line on both engines: %s", pg.p != NULL ? pg.p :
		    "");
	}
	uoms_buf_free(&lite);
	uoms_buf_free(&pg);
	printf("1..%d\n", tests);
	return failed != 0;
}
