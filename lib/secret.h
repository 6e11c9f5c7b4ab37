/*
 * secret: sealing small secrets (a channel's API keys and tokens) with
 * AES-256-GCM under one key, and the key itself: $UOMS_SECRET_KEY or a
 * key file that must be mode 0600. A sealed value opens only under the
 * same key and the same additional data; anything else is a clear
 * refusal (the GCM tag does not verify), never garbage. The module knows
 * nothing of channels or the store: channel.c says what the additional
 * data is and where the parts are kept.
 */
#ifndef UOMS_SECRET_H
#define UOMS_SECRET_H

#include <stddef.h>

#include "config.h"

#define UOMS_SECRET_KEY_LEN 32
#define UOMS_SECRET_NONCE_LEN 12	/* AES-256-GCM nonce, random per seal */
#define UOMS_SECRET_TAG_LEN 16		/* GCM tag */
#define UOMS_SECRET_MAX 16384		/* longest secret value, bytes */
#define UOMS_SECRET_KEY_FILE "/etc/uoms/secret.key"

struct uoms_secret_key {
	unsigned char key[UOMS_SECRET_KEY_LEN];
	char id[17];		/* first 8 bytes of SHA-256(key), hex */
};

/*
 * Loads the key: $UOMS_SECRET_KEY (64 hex digits) if set, else the file
 * at path (config key secret_key_file; default /etc/uoms/secret.key), which
 * must be a regular file of mode 0600 (or stricter) holding 64 hex digits.
 * Returns 0, or -1 with why filled (never the key). Wipe k with
 * OPENSSL_cleanse when done.
 */
int uoms_secret_key_load(const char *path, struct uoms_secret_key *k,
    char *why, size_t whylen);

/* The same from the file at path only, whatever the environment says
 * (rekey's new key). */
int uoms_secret_key_file(const char *path, struct uoms_secret_key *k,
    char *why, size_t whylen);

/* Where the key file is: the configuration's secret_key_file, else
 * UOMS_SECRET_KEY_FILE. Borrowed from cfg (or static). */
const char *uoms_secret_key_path(const struct uoms_config *cfg);

/* Writes a fresh random key (RAND_bytes) to path, mode 0600, refusing to
 * overwrite an existing file. Returns 0, or -1 with why filled. */
int uoms_secret_keygen(const char *path, char *why, size_t whylen);

/*
 * Seals n bytes of plain (at most UOMS_SECRET_MAX) under k with a fresh
 * random nonce, binding aad (aadlen bytes, borrowed): the value opens
 * only with the same aad, so a sealed value moved to what another aad
 * names no longer opens. ct has room for n bytes; nonce and tag are
 * filled. Returns 0, or -1 when n is too long or libcrypto fails.
 */
int uoms_secret_seal(const struct uoms_secret_key *k, const void *aad,
    size_t aadlen, const void *plain, size_t n,
    unsigned char nonce[UOMS_SECRET_NONCE_LEN], unsigned char *ct,
    unsigned char tag[UOMS_SECRET_TAG_LEN]);

/* Opens what uoms_secret_seal made into plain (room for n + 1 bytes; it
 * is NUL-terminated). Returns 0, or -1 when the tag does not verify (a
 * wrong key, a changed byte of ct, nonce or tag, another aad): plain is
 * then wiped, never half-decrypted garbage. */
int uoms_secret_open(const struct uoms_secret_key *k, const void *aad,
    size_t aadlen, const unsigned char *ct, size_t n,
    const unsigned char nonce[UOMS_SECRET_NONCE_LEN],
    const unsigned char tag[UOMS_SECRET_TAG_LEN], char *plain);

#endif
