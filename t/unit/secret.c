/*
 * secret: the cipher (uoms_secret_seal / uoms_secret_open: a round trip,
 * each part tampered with, another additional data, another key) and the
 * key (file mode, $UOMS_SECRET_KEY, keygen). Prints TAP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "secret.h"

#include "key.h"
#include "tap.h"

#define AAD(s) s, sizeof s - 1

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
	/* What channel.c binds: channel, NUL, name. */
	static const char a[] = "cp1\0access_key";

	key_of(&k, 1);
	key_of(&k2, 2);
	ok(strcmp(k.id, k2.id) != 0 && strlen(k.id) == 16,
	    "key ids are 16 hex digits and differ (%s, %s)", k.id, k2.id);

	ok(uoms_secret_seal(&k, a, sizeof a - 1, v, n, nonce, ct, tag) ==
	    0, "seal");
	ok(memmem(ct, n, v, n) == NULL && memcmp(ct, v, 4) != 0,
	    "the ciphertext is not the value");
	ok(uoms_secret_open(&k, a, sizeof a - 1, ct, n, nonce, tag, plain)
	    == 0 && strcmp(plain, v) == 0, "open gives the value back");

	ok(uoms_secret_seal(&k, a, sizeof a - 1, v, n, nonce2, ct2, tag2)
	    == 0 && memcmp(nonce, nonce2, sizeof nonce) != 0 &&
	    memcmp(ct, ct2, n) != 0, "each seal has a fresh nonce");

	ct[3] ^= 1;
	memset(plain, 'x', n + 1);
	ok(uoms_secret_open(&k, a, sizeof a - 1, ct, n, nonce, tag, plain)
	    < 0 && all_zero(plain, n + 1),
	    "a changed ciphertext byte is refused, nothing half-decrypted");
	ct[3] ^= 1;
	tag[15] ^= 0x80;
	ok(uoms_secret_open(&k, a, sizeof a - 1, ct, n, nonce, tag, plain)
	    < 0, "a changed tag is refused");
	tag[15] ^= 0x80;
	nonce[0] ^= 1;
	ok(uoms_secret_open(&k, a, sizeof a - 1, ct, n, nonce, tag, plain)
	    < 0, "a changed nonce is refused");
	nonce[0] ^= 1;
	ok(uoms_secret_open(&k, a, sizeof a - 1, ct, n - 1, nonce, tag,
	    plain) < 0, "a truncated ciphertext is refused");
	ok(uoms_secret_open(&k, AAD("cp1\0secret_key"), ct, n, nonce, tag,
	    plain) < 0, "moved to another name: refused (AAD)");
	ok(uoms_secret_open(&k, AAD("cp2\0access_key"), ct, n, nonce, tag,
	    plain) < 0, "moved to another channel: refused (AAD)");
	ok(uoms_secret_open(&k, AAD("cp\0" "1access_key"), ct, n, nonce,
	    tag, plain) < 0, "the NUL between channel and name counts: "
	    "'cp'+'1access_key' is not 'cp1'+'access_key'");
	ok(uoms_secret_open(&k2, a, sizeof a - 1, ct, n, nonce, tag,
	    plain) < 0 && all_zero(plain, n + 1), "a wrong key is refused");
	ok(uoms_secret_open(&k, a, sizeof a - 2, ct, n, nonce, tag, plain)
	    < 0, "a shorter additional data (a prefix) is refused");
	ok(uoms_secret_open(&k, NULL, 0, ct, n, nonce, tag, plain) < 0,
	    "no additional data is refused");
	ok(uoms_secret_open(&k, a, sizeof a - 1, ct, n, nonce, tag, plain)
	    == 0 && strcmp(plain, v) == 0, "the untouched value still opens");
	ok(uoms_secret_seal(&k, NULL, 0, v, n, nonce2, ct2, tag2) == 0 &&
	    uoms_secret_open(&k, NULL, 0, ct2, n, nonce2, tag2, plain) == 0 &&
	    strcmp(plain, v) == 0 && uoms_secret_open(&k, a, sizeof a - 1,
	    ct2, n, nonce2, tag2, plain) < 0,
	    "sealed without additional data: opens only without it");

	memset(big, 'z', UOMS_SECRET_MAX);
	big[UOMS_SECRET_MAX] = '\0';
	ok(uoms_secret_seal(&k, AAD("c\0n"), big, UOMS_SECRET_MAX, nonce, ct,
	    tag) == 0 && uoms_secret_open(&k, AAD("c\0n"), ct, UOMS_SECRET_MAX,
	    nonce, tag, plain) == 0 && strcmp(plain, big) == 0,
	    "the longest value (%d bytes) round-trips", UOMS_SECRET_MAX);
	ok(uoms_secret_seal(&k, AAD("c\0n"), big, UOMS_SECRET_MAX + 1, nonce,
	    ct, tag) < 0, "a longer one is refused");
	ok(uoms_secret_seal(&k, AAD("c\0n"), "x", 1, nonce, ct, tag) == 0 &&
	    uoms_secret_open(&k, AAD("c\0n"), ct, 1, nonce, tag, plain) == 0 &&
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

int
main(void)
{
	char dir[] = "/tmp/uoms-secret-XXXXXX", cmd[64];

	if (mkdtemp(dir) == NULL) {
		puts("Bail out! mkdtemp");
		return 1;
	}
	cipher();
	keys(dir);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "can't remove %s\n", dir);
	printf("1..%d\n", tests);
	return failed != 0;
}
