/*
 * channel: the sealed secrets (uoms_secret_seal / uoms_secret_open), the
 * key (file mode, $UOMS_SECRET_KEY, keygen) and the registry's secret
 * functions over a scratch store. Prints TAP.
 */
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "channel.h"
#include "store_priv.h"

#include "tap.h"

static void
key_of(struct uoms_secret_key *k, unsigned char fill)
{
	char hex[65], why[256];

	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", (unsigned char)(fill + i));
	setenv("UOMS_SECRET_KEY", hex, 1);
	if (uoms_secret_key_load("/nonexistent", k, why, sizeof why) < 0) {
		printf("Bail out! %s\n", why);
		exit(1);
	}
	unsetenv("UOMS_SECRET_KEY");
}

static int
all_zero(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

static void
cipher(void)
{
	struct uoms_secret_key k, k2;
	unsigned char nonce[UOMS_SECRET_NONCE_LEN];
	unsigned char nonce2[UOMS_SECRET_NONCE_LEN];
	unsigned char tag[UOMS_SECRET_TAG_LEN], tag2[UOMS_SECRET_TAG_LEN];
	static unsigned char ct[UOMS_SECRET_MAX], ct2[UOMS_SECRET_MAX];
	static char plain[UOMS_SECRET_MAX + 1], big[UOMS_SECRET_MAX + 1];
	const char *v = "S3cr3t-VALUE-42";
	size_t n = strlen(v);

	key_of(&k, 1);
	key_of(&k2, 2);
	ok(strcmp(k.id, k2.id) != 0 && strlen(k.id) == 16,
	    "key ids are 16 hex digits and differ (%s, %s)", k.id, k2.id);

	ok(uoms_secret_seal(&k, "cp1", "access_key", v, n, nonce, ct, tag) ==
	    0, "seal");
	ok(memmem(ct, n, v, n) == NULL && memcmp(ct, v, 4) != 0,
	    "the ciphertext is not the value");
	ok(uoms_secret_open(&k, "cp1", "access_key", ct, n, nonce, tag, plain)
	    == 0 && strcmp(plain, v) == 0, "open gives the value back");

	ok(uoms_secret_seal(&k, "cp1", "access_key", v, n, nonce2, ct2, tag2)
	    == 0 && memcmp(nonce, nonce2, sizeof nonce) != 0 &&
	    memcmp(ct, ct2, n) != 0, "each seal has a fresh nonce");

	ct[3] ^= 1;
	memset(plain, 'x', n + 1);
	ok(uoms_secret_open(&k, "cp1", "access_key", ct, n, nonce, tag, plain)
	    < 0 && all_zero(plain, n + 1),
	    "a changed ciphertext byte is refused, nothing half-decrypted");
	ct[3] ^= 1;
	tag[15] ^= 0x80;
	ok(uoms_secret_open(&k, "cp1", "access_key", ct, n, nonce, tag, plain)
	    < 0, "a changed tag is refused");
	tag[15] ^= 0x80;
	nonce[0] ^= 1;
	ok(uoms_secret_open(&k, "cp1", "access_key", ct, n, nonce, tag, plain)
	    < 0, "a changed nonce is refused");
	nonce[0] ^= 1;
	ok(uoms_secret_open(&k, "cp1", "access_key", ct, n - 1, nonce, tag,
	    plain) < 0, "a truncated ciphertext is refused");
	ok(uoms_secret_open(&k, "cp1", "secret_key", ct, n, nonce, tag, plain)
	    < 0, "moved to another name: refused (AAD)");
	ok(uoms_secret_open(&k, "cp2", "access_key", ct, n, nonce, tag, plain)
	    < 0, "moved to another channel: refused (AAD)");
	ok(uoms_secret_open(&k, "cp", "1access_key", ct, n, nonce, tag, plain)
	    < 0, "the NUL between channel and name counts: 'cp'+'1access_key'"
	    " is not 'cp1'+'access_key'");
	ok(uoms_secret_open(&k2, "cp1", "access_key", ct, n, nonce, tag,
	    plain) < 0 && all_zero(plain, n + 1), "a wrong key is refused");
	ok(uoms_secret_open(&k, "cp1", "access_key", ct, n, nonce, tag, plain)
	    == 0 && strcmp(plain, v) == 0, "the untouched value still opens");

	memset(big, 'z', UOMS_SECRET_MAX);
	big[UOMS_SECRET_MAX] = '\0';
	ok(uoms_secret_seal(&k, "c", "n", big, UOMS_SECRET_MAX, nonce, ct, tag)
	    == 0 && uoms_secret_open(&k, "c", "n", ct, UOMS_SECRET_MAX, nonce,
	    tag, plain) == 0 && strcmp(plain, big) == 0,
	    "the longest value (%d bytes) round-trips", UOMS_SECRET_MAX);
	ok(uoms_secret_seal(&k, "c", "n", big, UOMS_SECRET_MAX + 1, nonce, ct,
	    tag) < 0, "a longer one is refused");
	ok(uoms_secret_seal(&k, "c", "n", "x", 1, nonce, ct, tag) == 0 &&
	    uoms_secret_open(&k, "c", "n", ct, 1, nonce, tag, plain) == 0 &&
	    strcmp(plain, "x") == 0, "a one-byte value round-trips");
}

static void
keys(const char *dir)
{
	struct uoms_secret_key k, k2;
	char path[128], why[512], want[512];
	FILE *f;

	unsetenv("UOMS_SECRET_KEY");
	snprintf(path, sizeof path, "%s/k", dir);
	ok(uoms_secret_keygen(path, why, sizeof why) == 0, "keygen");
	{
		struct stat st;

		ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600 &&
		    st.st_size == 65, "the key file is mode 0600, 65 bytes");
	}
	ok(uoms_secret_keygen(path, why, sizeof why) < 0 &&
	    strstr(why, "File exists") != NULL,
	    "keygen never overwrites: %s", why);
	ok(uoms_secret_key_load(path, &k, why, sizeof why) == 0,
	    "the key file loads");
	chmod(path, 0644);
	snprintf(want, sizeof want, "key file '%s' has mode 0644: it must be "
	    "0600 or stricter (chmod 600 '%s')", path, path);
	ok(uoms_secret_key_load(path, &k2, why, sizeof why) < 0 &&
	    strcmp(why, want) == 0, "mode 0644 is refused: %s", why);
	chmod(path, 0604);
	ok(uoms_secret_key_load(path, &k2, why, sizeof why) < 0 &&
	    strstr(why, "mode 0604") != NULL, "mode 0604 too");
	chmod(path, 0400);
	ok(uoms_secret_key_load(path, &k2, why, sizeof why) == 0 &&
	    strcmp(k.id, k2.id) == 0, "mode 0400 is fine, the same key");

	setenv("UOMS_SECRET_KEY", "00112233445566778899aabbccddeeff"
	    "00112233445566778899AABBCCDDEEFF\n", 1);
	ok(uoms_secret_key_load(path, &k2, why, sizeof why) == 0 &&
	    strcmp(k.id, k2.id) != 0 && k2.key[0] == 0x00 &&
	    k2.key[31] == 0xff, "$UOMS_SECRET_KEY comes before the file");
	ok(uoms_secret_key_file(path, &k2, why, sizeof why) == 0 &&
	    strcmp(k.id, k2.id) == 0,
	    "uoms_secret_key_file reads the file whatever the environment");
	setenv("UOMS_SECRET_KEY", "0011", 1);
	ok(uoms_secret_key_load(path, &k2, why, sizeof why) < 0 &&
	    strstr(why, "0011") == NULL, "a short $UOMS_SECRET_KEY is refused,"
	    " not echoed: %s", why);
	setenv("UOMS_SECRET_KEY", "g0112233445566778899aabbccddeeff"
	    "00112233445566778899aabbccddeeff", 1);
	ok(uoms_secret_key_load(path, &k2, why, sizeof why) < 0,
	    "a non-hex $UOMS_SECRET_KEY is refused");
	unsetenv("UOMS_SECRET_KEY");

	snprintf(path, sizeof path, "%s/bad", dir);
	if ((f = fopen(path, "w")) != NULL) {
		fputs("00112233445566778899aabbccddeeff00112233445566778899aabb"
		    "ccddeeff00\n", f);
		fclose(f);
	}
	chmod(path, 0600);
	ok(uoms_secret_key_load(path, &k2, why, sizeof why) < 0 &&
	    strstr(why, "does not hold a key") != NULL, "66 hex digits are "
	    "not a key: %s", why);
	ok(uoms_secret_key_load(dir, &k2, why, sizeof why) < 0 &&
	    strstr(why, "not a regular file") != NULL, "a folder is refused");
}

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
	cipher();
	keys(dir);
	store(dir);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "can't remove %s\n", dir);
	printf("1..%d\n", tests);
	return failed != 0;
}
