/*
 * channel: the registered sales channels (SPEC 7) and their secrets.
 * Settings are plain JSON; secrets are sealed by lib/secret (AES-256-GCM
 * under the key of $UOMS_SECRET_KEY or a key file of mode 0600, bound to
 * the channel's and the secret's names) and are never written, printed or
 * logged in clear. A wrong key is a clear error, never garbage.
 */
#ifndef UOMS_CHANNEL_H
#define UOMS_CHANNEL_H

#include <jansson.h>

#include "buf.h"
#include "secret.h"
#include "store.h"

struct uoms_channel {
	char *name, *kind, *base_url, *workflow;	/* base_url, workflow may be NULL */
	int enabled;
	json_t *settings;		/* owned: a JSON object */
	char *created_at, *updated_at;
};

void uoms_channel_free(struct uoms_channel *c);

/* The setting max_pages: how many pages (requests) one fetch of a channel
 * may ask before it is stopped as endless (uoms-fetch(1)). */
#define UOMS_CHANNEL_MAX_PAGES_DEFAULT 10000
#define UOMS_CHANNEL_MAX_PAGES_LIMIT 1000000

/* The channel called name, or not_found. */
enum uoms_code uoms_channel_get(struct uoms_store *s, const char *name,
    struct uoms_channel *c, struct uoms_error *e);

/* Every channel (enabled_only: only the enabled ones), sorted by name;
 * *list is owned by the caller (free each with uoms_channel_free, then the
 * array with free). */
enum uoms_code uoms_channel_list(struct uoms_store *s, int enabled_only,
    struct uoms_channel **list, int *n, struct uoms_error *e);

/*
 * Adds (insert) or updates (replace the given fields) a channel in the
 * caller's transaction, appending an event (channel_added, channel_updated).
 * A name is 1 to 64 of A-Z a-z 0-9 . _ - starting with a letter or digit;
 * a name taken is refused (invalid). On update, NULL members and enabled
 * < 0 are kept as they are, and base_url or workflow "" clears it; an
 * update that changes nothing writes nothing. settings, when given, is
 * the whole new object (borrowed); a setting max_pages out of range
 * (UOMS_CHANNEL_MAX_PAGES_LIMIT) is refused (invalid). created_at and
 * updated_at are ignored.
 */
enum uoms_code uoms_channel_put(struct uoms_store *s,
    const struct uoms_channel *c, int insert, struct uoms_error *e);

/* Enables (on) or disables a channel in the caller's transaction,
 * appending channel_enabled or channel_disabled when it changes;
 * not_found when there is no such channel. */
enum uoms_code uoms_channel_enable(struct uoms_store *s, const char *name,
    int on, struct uoms_error *e);

/* Appends one JSON line per channel (only the one called name when name
 * is not NULL; not_found when it does not exist), by name: name, kind,
 * base_url, workflow, enabled, settings, secrets (the names of the set,
 * unexpired secrets, never a value), created_at, updated_at. */
enum uoms_code uoms_channel_lines(struct uoms_store *s, const char *name,
    struct uoms_buf *out, struct uoms_error *e);

/* Removes a channel and its secrets in the caller's transaction,
 * appending channel_removed. Refused (invalid) while orders reference it,
 * unless force (the caller checks who may force); the orders stay. */
enum uoms_code uoms_channel_remove(struct uoms_store *s, const char *name,
    int force, struct uoms_error *e);

/*
 * Seals value under k and stores it as the channel's secret name (1 to 64
 * of A-Z a-z 0-9 . _ -), replacing any before, in the caller's
 * transaction. expires_at (RFC 3339 UTC, or NULL for none) marks a cached
 * token: it appends no event; any other appends channel_secret_set (the
 * name and key id, never the value). Refused (invalid "wrong key") while
 * any secret in the store is sealed under another key, so one store never
 * mixes keys by mistake (rekey changes keys); not_found without the
 * channel; invalid when value is empty or longer than UOMS_SECRET_MAX.
 */
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
 * array of strings to out, by name; expired tokens are left out. */
enum uoms_code uoms_channel_secret_names(struct uoms_store *s,
    const char *channel, struct uoms_buf *out, struct uoms_error *e);

/* Re-seals every secret under new_key (opened with old_key; one already
 * sealed under new_key is opened with it), in the caller's transaction,
 * appending channels_rekeyed; *n is how many. Refused (invalid "wrong
 * key") when one opens under neither: then the caller rolls back. */
enum uoms_code uoms_channel_rekey(struct uoms_store *s,
    const struct uoms_secret_key *old_key,
    const struct uoms_secret_key *new_key, long long *n,
    struct uoms_error *e);

/* The latest channel_updated_at of the channel's orders no later than
 * limit (RFC 3339 UTC; NULL: any), into out (>= 40 bytes; "" when it has
 * none): where an incremental fetch starts, bounded by its watermark. */
enum uoms_code uoms_channel_high_water(struct uoms_store *s,
    const char *channel, const char *limit, char *out,
    struct uoms_error *e);

/* The channel's orders changed after limit (a time from the future),
 * newest first: fn is called with the first max of them (ext and at are
 * borrowed for the call), *n set to how many there are in all. */
enum uoms_code uoms_channel_ahead(struct uoms_store *s, const char *channel,
    const char *limit, int max,
    void (*fn)(void *arg, const char *ext, const char *at), void *arg,
    long long *n, struct uoms_error *e);

/* The channel's orders placed before before (RFC 3339 UTC) whose
 * channel_status (what the channel said last) is not a line of final
 * ("\nA\nB\n": each status between newlines), oldest placed first: fn is
 * called with the external_order_id of the first max of them (borrowed
 * for the call). For a kind whose lists go by creation date, so never
 * show an old order's later changes. */
enum uoms_code uoms_channel_open_before(struct uoms_store *s,
    const char *channel, const char *before, const char *final, int max,
    void (*fn)(void *arg, const char *ext), void *arg,
    struct uoms_error *e);

/* The channel's watermark, into out (>= 40 bytes; "" when it has none):
 * every order it changed before that time has been fetched by a fetch
 * that read all its pages (uoms-fetch(1)). */
enum uoms_code uoms_channel_watermark_get(struct uoms_store *s,
    const char *channel, char *out, struct uoms_error *e);

/* Sets the channel's watermark to read_to (RFC 3339 UTC), in one
 * statement of its own or in the caller's transaction. */
enum uoms_code uoms_channel_watermark_set(struct uoms_store *s,
    const char *channel, const char *read_to, struct uoms_error *e);

/*
 * 1 when kind is one SPEC 7 names or one built in: a kind not built in
 * yet may still be registered (uoms-fetch says it can't fetch it).
 */
int uoms_channel_kind_known(const char *kind);
/* 1 when a setting named key looks like a credential (secret, token,
 * passw..., ...key): settings are kept and shown in clear, so such a
 * value belongs in the channel's sealed secrets. */
int uoms_channel_credential_like(const char *key);

#endif
