#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

#include "idem.h"
#include "rfc3339.h"
#include "store_priv.h"

const char *
uoms_idem_key_problem(const char *key)
{
	size_t n = strlen(key);

	if (n == 0)
		return "idempotency key is empty";
	if (n > UOMS_IDEM_KEY_MAX)
		return "idempotency key is longer than 255 characters";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)key[i] < 0x21 || key[i] == 0x7f)
			return "idempotency key holds a space or control "
			    "character";
	return NULL;
}

/* The request's fingerprint: SHA-256 of its canonical text, in hex. */
static void
fingerprint(const char *request, char out[2 * SHA256_DIGEST_LENGTH + 1])
{
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256((const unsigned char *)request, strlen(request), md);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

enum uoms_code
uoms_idem_check(struct uoms_store *s, const char *actor, const char *key,
    long long order_id, const char *request, int *replayed,
    struct uoms_buf *result, struct uoms_error *e)
{
	static const char sql[] = "SELECT fingerprint, result FROM idempotency"
	    " WHERE actor = ?1 AND key = ?2 AND order_id = ?3"
	    " AND expires_at > ?4";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	char fp[2 * SHA256_DIGEST_LENGTH + 1], now[24];
	enum uoms_code code = UOMS_OK;
	int rc;

	*replayed = 0;
	if (st == NULL)
		return uoms_store_fail(s, e, "reading idempotency keys");
	fingerprint(request, fp);
	uoms_time_now(now);
	sqlite3_bind_text(st, 1, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, order_id);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (strcmp((const char *)sqlite3_column_text(st, 0), fp) != 0)
			code = uoms_fail(e, UOMS_IDEMPOTENCY_MISMATCH, "key "
			    "'%.64s' was used for another request", key);
		else {
			*replayed = 1;
			uoms_buf_add(result, sqlite3_column_text(st, 1),
			    sqlite3_column_bytes(st, 1));
		}
	} else if (rc != SQLITE_DONE)
		code = uoms_store_fail(s, e, "reading idempotency keys");
	sqlite3_reset(st);
	return code;
}

enum uoms_code
uoms_idem_store(struct uoms_store *s, const char *actor, const char *key,
    long long order_id, const char *request, const char *result, size_t len,
    long long ttl, struct uoms_error *e)
{
	/* Keys expire: the table does not grow with the years. */
	static const char expired[] = "DELETE FROM idempotency"
	    " WHERE expires_at <= ?1";
	sqlite3_stmt *gc;
	/* An expired key of the same name is replaced, not kept beside. */
	static const char sql[] = "INSERT OR REPLACE INTO idempotency (actor,"
	    " key, order_id, fingerprint, result, created_at, expires_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	char fp[2 * SHA256_DIGEST_LENGTH + 1], now[24], expires[24];

	if (st == NULL || (gc = uoms_store_sql(s, expired)) == NULL)
		return uoms_store_fail(s, e, "storing an idempotency key");
	fingerprint(request, fp);
	uoms_time_now(now);
	uoms_time_after(ttl, expires);
	sqlite3_bind_text(st, 1, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, order_id);
	sqlite3_bind_text(st, 4, fp, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, result, len, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, expires, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return uoms_store_fail(s, e, "storing an idempotency key");
	sqlite3_bind_text(gc, 1, now, -1, SQLITE_STATIC);
	if (sqlite3_step(gc) != SQLITE_DONE)
		return uoms_store_fail(s, e, "forgetting expired keys");
	return UOMS_OK;
}
