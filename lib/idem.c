#include <stdio.h>
#include <string.h>

#include "db.h"
#include "digest.h"
#include "idem.h"
#include "rfc3339.h"

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
fingerprint(const char *request, char out[2 * UOMS_SHA256_LEN + 1])
{
	unsigned char md[UOMS_SHA256_LEN];

	uoms_sha256(request, strlen(request), md);
	for (int i = 0; i < UOMS_SHA256_LEN; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

enum uoms_code
uoms_idem_check(struct uoms_store *s, const char *actor, const char *key,
    long long order_id, const char *request, int *replayed,
    struct uoms_buf *result, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_IDEM_FIND);
	char fp[2 * UOMS_SHA256_LEN + 1], now[24];
	enum uoms_code code = UOMS_OK;
	enum uoms_db_step rc;

	*replayed = 0;
	if (st == NULL)
		return uoms_db_fail(s, e, "reading idempotency keys");
	fingerprint(request, fp);
	uoms_time_now(now);
	uoms_db_bind_text(st, 1, actor);
	uoms_db_bind_text(st, 2, key);
	uoms_db_bind_int(st, 3, order_id);
	uoms_db_bind_text(st, 4, now);
	rc = uoms_db_step(st);
	if (rc == UOMS_DB_ROW) {
		if (strcmp(uoms_db_text(st, 0), fp) != 0)
			code = uoms_fail(e, UOMS_IDEMPOTENCY_MISMATCH, "key "
			    "'%.64s' was used for another request", key);
		else {
			*replayed = 1;
			uoms_buf_add(result, uoms_db_text(st, 1),
			    uoms_db_bytes(st, 1));
		}
	} else if (rc != UOMS_DB_DONE)
		code = uoms_db_fail(s, e, "reading idempotency keys");
	uoms_db_done(st);
	return code;
}

enum uoms_code
uoms_idem_store(struct uoms_store *s, const char *actor, const char *key,
    long long order_id, const char *request, const char *result, size_t len,
    long long ttl, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_IDEM_PUT), *gc;
	char fp[2 * UOMS_SHA256_LEN + 1], now[24], expires[24];

	if (st == NULL)
		return uoms_db_fail(s, e, "storing an idempotency key");
	fingerprint(request, fp);
	uoms_time_now(now);
	uoms_time_after(ttl, expires);
	uoms_db_bind_text(st, 1, actor);
	uoms_db_bind_text(st, 2, key);
	uoms_db_bind_int(st, 3, order_id);
	uoms_db_bind_text(st, 4, fp);
	uoms_db_bind_textn(st, 5, result, len);
	uoms_db_bind_text(st, 6, now);
	uoms_db_bind_text(st, 7, expires);
	if (uoms_db_exec(s, st, "storing an idempotency key", e) != UOMS_OK)
		return e->code;
	/* Keys expire: the table does not grow with the years. */
	if ((gc = uoms_db_stmt(s, SQL_IDEM_EXPIRE)) == NULL)
		return uoms_db_fail(s, e, "forgetting expired keys");
	uoms_db_bind_text(gc, 1, now);
	return uoms_db_exec(s, gc, "forgetting expired keys", e);
}
