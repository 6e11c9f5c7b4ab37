/*
 * Sealing secrets: AES-256-GCM (libcrypto EVP), a random 96-bit nonce per
 * seal, a 128-bit tag over the ciphertext and the caller's additional
 * data; and the key they are sealed under, from the environment or a key
 * file only its owner can read.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secret.h"

/* --- the key --- */

/* The key id: the first 8 bytes of SHA-256(key), in hex. */
static int
key_id(struct uoms_secret_key *k)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (EVP_Digest(k->key, sizeof k->key, md, &mdlen, EVP_sha256(), NULL)
	    != 1 || mdlen < 8)
		return -1;
	for (int i = 0; i < 8; i++)
		snprintf(k->id + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* 64 hex digits, with blanks around them, into k; 0 or -1. */
static int
key_from_hex(const char *s, size_t n, struct uoms_secret_key *k)
{
	int hi, lo;

	while (n > 0 && isspace((unsigned char)*s))
		s++, n--;
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n != 2 * UOMS_SECRET_KEY_LEN)
		return -1;
	for (size_t i = 0; i < UOMS_SECRET_KEY_LEN; i++) {
		if ((hi = OPENSSL_hexchar2int(s[2 * i])) < 0 ||
		    (lo = OPENSSL_hexchar2int(s[2 * i + 1])) < 0) {
			OPENSSL_cleanse(k->key, sizeof k->key);
			return -1;
		}
		k->key[i] = (unsigned char)(hi << 4 | lo);
	}
	return key_id(k);
}

int
uoms_secret_key_file(const char *path, struct uoms_secret_key *k, char *why,
    size_t whylen)
{
	char buf[160];
	struct stat st;
	ssize_t r;
	size_t n = 0;
	int fd, rc;

	memset(k, 0, sizeof *k);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		snprintf(why, whylen, "can't open key file '%s': %s (set "
		    "$UOMS_SECRET_KEY, or make one with uoms-channel keygen)",
		    path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "key file '%s' is not a regular file",
		    path);
		close(fd);
		return -1;
	}
	/* Anyone else who can read it can open every secret. */
	if ((st.st_mode & 077) != 0) {
		snprintf(why, whylen, "key file '%s' has mode %04o: it must be "
		    "0600 or stricter (chmod 600 '%s')", path,
		    (unsigned)(st.st_mode & 07777), path);
		close(fd);
		return -1;
	}
	while (n < sizeof buf && (r = read(fd, buf + n, sizeof buf - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(why, whylen, "can't read key file '%s': %s",
			    path, strerror(errno));
			close(fd);
			OPENSSL_cleanse(buf, sizeof buf);
			return -1;
		}
		n += r;
	}
	close(fd);
	rc = n < sizeof buf ? key_from_hex(buf, n, k) : -1;
	OPENSSL_cleanse(buf, sizeof buf);
	if (rc < 0)
		snprintf(why, whylen, "key file '%s' does not hold a key (64 "
		    "hex digits)", path);
	return rc;
}

int
uoms_secret_key_load(const char *path, struct uoms_secret_key *k, char *why,
    size_t whylen)
{
	const char *env = getenv("UOMS_SECRET_KEY");

	if (env != NULL && *env != '\0') {
		memset(k, 0, sizeof *k);
		if (key_from_hex(env, strlen(env), k) == 0)
			return 0;
		snprintf(why, whylen, "$UOMS_SECRET_KEY is not a key (64 hex "
		    "digits)");
		return -1;
	}
	return uoms_secret_key_file(path != NULL ? path : UOMS_SECRET_KEY_FILE,
	    k, why, whylen);
}

const char *
uoms_secret_key_path(const struct uoms_config *cfg)
{
	return uoms_config_get(cfg, "secret_key_file", UOMS_SECRET_KEY_FILE);
}

int
uoms_secret_keygen(const char *path, char *why, size_t whylen)
{
	unsigned char key[UOMS_SECRET_KEY_LEN];
	char hex[2 * UOMS_SECRET_KEY_LEN + 2];
	size_t n = sizeof hex - 1, off = 0;
	ssize_t w;
	int fd, err = 0;

	if (RAND_bytes(key, sizeof key) != 1) {
		snprintf(why, whylen, "can't get random bytes for a key");
		return -1;
	}
	for (size_t i = 0; i < sizeof key; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	hex[n - 1] = '\n';
	OPENSSL_cleanse(key, sizeof key);
	/* O_EXCL: never overwrite a key, which would lose every secret
	 * sealed under it; O_NOFOLLOW: never write through a planted link. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0) {
		snprintf(why, whylen, "can't create key file '%s': %s", path,
		    strerror(errno));
		OPENSSL_cleanse(hex, sizeof hex);
		return -1;
	}
	while (off < n && err == 0) {
		if ((w = write(fd, hex + off, n - off)) < 0 && errno != EINTR)
			err = errno;
		else if (w > 0)
			off += w;
	}
	OPENSSL_cleanse(hex, sizeof hex);
	if (err == 0 && fsync(fd) < 0)
		err = errno;
	if (close(fd) < 0 && err == 0)
		err = errno;
	if (err != 0) {
		unlink(path);
		snprintf(why, whylen, "can't write key file '%s': %s", path,
		    strerror(err));
		return -1;
	}
	return 0;
}

/* --- the cipher --- */

/* The additional data, authenticated but not encrypted. */
static int
aad_add(EVP_CIPHER_CTX *c, int enc, const void *aad, size_t aadlen)
{
	int len;

	if (aadlen == 0)
		return 0;
	if (aadlen > INT_MAX)
		return -1;
	if (enc)
		return EVP_EncryptUpdate(c, NULL, &len, aad, (int)aadlen) == 1 ?
		    0 : -1;
	return EVP_DecryptUpdate(c, NULL, &len, aad, (int)aadlen) == 1 ? 0 :
	    -1;
}

int
uoms_secret_seal(const struct uoms_secret_key *k, const void *aad,
    size_t aadlen, const void *plain, size_t n,
    unsigned char nonce[UOMS_SECRET_NONCE_LEN], unsigned char *ct,
    unsigned char tag[UOMS_SECRET_TAG_LEN])
{
	EVP_CIPHER_CTX *c;
	int len, ok;

	if (n > UOMS_SECRET_MAX || RAND_bytes(nonce, UOMS_SECRET_NONCE_LEN)
	    != 1 || (c = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	ok = EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1 &&
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN,
	    UOMS_SECRET_NONCE_LEN, NULL) == 1 &&
	    EVP_EncryptInit_ex(c, NULL, NULL, k->key, nonce) == 1 &&
	    aad_add(c, 1, aad, aadlen) == 0 &&
	    EVP_EncryptUpdate(c, ct, &len, plain, (int)n) == 1 &&
	    (size_t)len == n &&
	    EVP_EncryptFinal_ex(c, ct + len, &len) == 1 && len == 0 &&
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, UOMS_SECRET_TAG_LEN,
	    tag) == 1;
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -1;
}

int
uoms_secret_open(const struct uoms_secret_key *k, const void *aad,
    size_t aadlen, const unsigned char *ct, size_t n,
    const unsigned char nonce[UOMS_SECRET_NONCE_LEN],
    const unsigned char tag[UOMS_SECRET_TAG_LEN], char *plain)
{
	unsigned char t[UOMS_SECRET_TAG_LEN];
	EVP_CIPHER_CTX *c;
	int len, ok;

	plain[0] = '\0';
	if (n > UOMS_SECRET_MAX || (c = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	memcpy(t, tag, sizeof t);
	ok = EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1 &&
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN,
	    UOMS_SECRET_NONCE_LEN, NULL) == 1 &&
	    EVP_DecryptInit_ex(c, NULL, NULL, k->key, nonce) == 1 &&
	    aad_add(c, 0, aad, aadlen) == 0 &&
	    EVP_DecryptUpdate(c, (unsigned char *)plain, &len, ct, (int)n)
	    == 1 && (size_t)len == n &&
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, UOMS_SECRET_TAG_LEN,
	    t) == 1 &&
	    /* The tag is checked here: nothing is trusted before it. */
	    EVP_DecryptFinal_ex(c, (unsigned char *)plain + n, &len) == 1;
	EVP_CIPHER_CTX_free(c);
	if (!ok) {
		OPENSSL_cleanse(plain, n + 1);
		return -1;
	}
	plain[n] = '\0';
	return 0;
}
