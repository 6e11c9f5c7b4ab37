/*
 * channel: the registered sales channels (SPEC 7) and their secrets.
 * Settings are plain JSON; secrets are sealed with AES-256-GCM under a
 * key from $UOMS_SECRET_KEY or a key file that must be mode 0600, and are
 * never written, printed or logged in clear. A wrong key is a clear
 * error (the GCM tag does not verify), never garbage.
 */
#ifndef UOMS_CHANNEL_H
#define UOMS_CHANNEL_H

#include <jansson.h>

#include "buf.h"
#include "store.h"

#define UOMS_SECRET_KEY_LEN 32

struct uoms_secret_key {
	unsigned char key[UOMS_SECRET_KEY_LEN];
	char id[17];		/* first 8 bytes of SHA-256(key), hex */
};

/*
 * Loads the key: $UOMS_SECRET_KEY (64 hex digits) if set, else the file
 * at path (config key secret_key_file; default /etc/uoms/secret.key), which
 * must be a regular file of mode 0600 (or stricter) holding 64 hex digits.
 * Returns 0, or -1 with why filled (never the key).
 */
int uoms_secret_key_load(const char *path, struct uoms_secret_key *k,
    char *why, size_t whylen);

/* Writes a fresh random key (RAND_bytes) to path, mode 0600, refusing to
 * overwrite an existing file. Returns 0, or -1 with why filled. */
int uoms_secret_keygen(const char *path, char *why, size_t whylen);

struct uoms_channel {
	char *name, *kind, *base_url, *workflow;	/* base_url, workflow may be NULL */
	int enabled;
	json_t *settings;		/* owned: a JSON object */
	char *created_at, *updated_at;
};

void uoms_channel_free(struct uoms_channel *c);

/* The channel called name, or not_found. */
enum uoms_code uoms_channel_get(struct uoms_store *s, const char *name,
    struct uoms_channel *c, struct uoms_error *e);

/* Every channel (enabled_only: only the enabled ones), sorted by name;
 * *list is owned by the caller (free each with uoms_channel_free, then the
 * array with free). */
enum uoms_code uoms_channel_list(struct uoms_store *s, int enabled_only,
    struct uoms_channel **list, int *n, struct uoms_error *e);

/* Adds (insert) or updates (replace the given fields) a channel in the
 * caller's transaction, appending an event (channel_added, channel_updated). */
enum uoms_code uoms_channel_put(struct uoms_store *s,
    const struct uoms_channel *c, int insert, struct uoms_error *e);

/* Removes a channel and its secrets. Refused (invalid) while orders
 * reference it, unless force. */
enum uoms_code uoms_channel_remove(struct uoms_store *s, const char *name,
    int force, struct uoms_error *e);

/* Seals value under k and stores it as the channel's secret name. */
enum uoms_code uoms_channel_secret_put(struct uoms_store *s,
    const char *channel, const char *name, const char *value,
    const char *expires_at, const struct uoms_secret_key *k,
    struct uoms_error *e);

/*
 * Opens the channel's secret name into *value (malloc'd, NUL-terminated;
 * the caller wipes it with OPENSSL_cleanse and frees it). not_found when
 * absent or expired; invalid "wrong key" when the tag does not verify.
 */
enum uoms_code uoms_channel_secret_get(struct uoms_store *s,
    const char *channel, const char *name, const struct uoms_secret_key *k,
    char **value, struct uoms_error *e);

/* Appends the names of the channel's secrets (never values) as a JSON
 * array of strings to out. */
enum uoms_code uoms_channel_secret_names(struct uoms_store *s,
    const char *channel, struct uoms_buf *out, struct uoms_error *e);

/* Re-seals every secret under new_key (opened with old_key), in the
 * caller's transaction. */
enum uoms_code uoms_channel_rekey(struct uoms_store *s,
    const struct uoms_secret_key *old_key,
    const struct uoms_secret_key *new_key, long long *n,
    struct uoms_error *e);

/* The latest channel_updated_at of the channel's orders, into out
 * (>= 40 bytes; "" when it has none): where an incremental fetch starts. */
enum uoms_code uoms_channel_high_water(struct uoms_store *s,
    const char *channel, char *out, struct uoms_error *e);

#endif
