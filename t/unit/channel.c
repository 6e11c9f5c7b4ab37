/*
 * channel: the registry's secret functions over a scratch store (the
 * cipher and the key are t/unit/secret.c's). Prints TAP.
 */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "store_priv.h"

#include "key.h"
#include "tap.h"

static void
store(const char *dir)
{
	struct uoms_config cfg = { 0 };
	struct uoms_store *s;
	struct uoms_error e = { 0 };
	struct uoms_secret_key k, k2;
	struct uoms_channel c = { 0 }, got;
	struct uoms_buf b = { 0 };
	char path[128], why[512], want[512], hw[40], *v = NULL;
	enum uoms_code code;
	long long n;

	snprintf(path, sizeof path, "%s/u.db", dir);
	if ((s = uoms_store_open(path, UOMS_STORE_WRITE, &cfg, why,
	    sizeof why)) == NULL) {
		printf("Bail out! %s\n", why);
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

	/* Moved in the store: the row of secret_key copied onto access_key. */
	sqlite3_exec(s->db, "UPDATE channel_secrets SET (nonce, ciphertext,"
	    " tag) = (SELECT nonce, ciphertext, tag FROM channel_secrets"
	    " WHERE name = 'secret_key') WHERE name = 'access_key'", NULL,
	    NULL, NULL);
	ok(uoms_channel_secret_get(s, "cp1", "access_key", &k, &v, &e) ==
	    UOMS_INVALID && v == NULL && strstr(e.msg, "changed or moved") !=
	    NULL, "a value moved to another name: %s", e.msg);
	sqlite3_exec(s->db, "UPDATE channel_secrets SET tag = zeroblob(16)"
	    " WHERE name = 'secret_key'", NULL, NULL, NULL);
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
	sqlite3_exec(s->db, "INSERT INTO orders (channel, external_order_id,"
	    " kind, workflow, status, version, channel_updated_at, created_at,"
	    " updated_at) VALUES ('cp1', 'a', 'delivery', 'dispatch',"
	    " 'WAITING', 1, '2026-11-21T09:00:00Z', 'x', 'x'), ('cp1', 'b',"
	    " 'delivery', 'dispatch', 'WAITING', 1, '2026-11-21T10:00:00Z',"
	    " 'x', 'x'), ('cp2', 'c', 'delivery', 'dispatch', 'WAITING', 1,"
	    " '2026-11-22T10:00:00Z', 'x', 'x')", NULL, NULL, NULL);
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
	char dir[] = "/tmp/uoms-channel-XXXXXX", cmd[64];

	if (mkdtemp(dir) == NULL) {
		puts("Bail out! mkdtemp");
		return 1;
	}
	store(dir);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "can't remove %s\n", dir);
	printf("1..%d\n", tests);
	return failed != 0;
}
