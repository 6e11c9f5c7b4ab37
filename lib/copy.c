/*
 * Copying a store: table by table in the store's order (parents first),
 * each row as it is read, ids and all, in one transaction of the target,
 * so a copy that fails leaves the target as it was. Each table is then
 * read back from the target and compared with the source: its rows and
 * a sum of their digests that does not depend on their order (the two
 * engines may sort text differently).
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "copy.h"
#include "db.h"

#define PROGRESS_EVERY 1000

/*
 * Adds the digest of st's current row to sum (mod 2^64, byte-wise); c is
 * the table's digest context, made once and started again per row.
 */
static void
add_row(EVP_MD_CTX *c, struct uoms_stmt *st, int ncols, unsigned char sum[8])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned carry = 0, mdlen = 0;

	if (EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1) {
		/* A sum that can't match tells it. */
		sum[0] ^= 0xff;
		return;
	}
	for (int i = 0; i < ncols; i++) {
		enum uoms_db_type t = uoms_db_type(st, i);
		char head[32];
		const void *p = NULL;
		size_t n = 0;

		/* Type and length first: "1","2" never reads as "12". */
		if (t == UOMS_DB_TEXT || t == UOMS_DB_INT || t == UOMS_DB_REAL) {
			p = uoms_db_text(st, i);
			n = uoms_db_bytes(st, i);
		} else if (t == UOMS_DB_BLOB) {
			p = uoms_db_blob(st, i);
			n = uoms_db_bytes(st, i);
		}
		snprintf(head, sizeof head, "%d:%zu:", (int)t, n);
		EVP_DigestUpdate(c, head, strlen(head));
		if (n > 0)
			EVP_DigestUpdate(c, p, n);
	}
	EVP_DigestFinal_ex(c, md, &mdlen);
	for (int i = 0; i < 8; i++) {
		carry += sum[i] + md[i];
		sum[i] = carry & 0xff;
		carry >>= 8;
	}
}

/* Rows and sum of table in s: 0, or -1 with e filled. */
static int
measure(struct uoms_store *s, const char *table, struct uoms_copy_table *t,
    struct uoms_error *e)
{
	char sql[128];
	struct uoms_stmt *st;
	enum uoms_db_step r;
	EVP_MD_CTX *c;

	memset(t, 0, sizeof *t);
	t->name = table;
	if ((c = EVP_MD_CTX_new()) == NULL) {
		uoms_fail(e, UOMS_INTERNAL, "out of memory reading %s", table);
		return -1;
	}
	snprintf(sql, sizeof sql, "SELECT * FROM %s", table);
	if ((st = uoms_db_prepare(s, sql)) == NULL) {
		uoms_db_fail(s, e, "reading a table");
		EVP_MD_CTX_free(c);
		return -1;
	}
	while ((r = uoms_db_step(st)) == UOMS_DB_ROW) {
		add_row(c, st, uoms_db_columns(st), t->sum);
		t->rows++;
	}
	if (r == UOMS_DB_ERROR)
		uoms_db_fail(s, e, "reading a table");
	uoms_db_free(st);
	EVP_MD_CTX_free(c);
	return r == UOMS_DB_ERROR ? -1 : 0;
}

/* Binds column i of row (a statement of the source) to ins's i + 1. */
static void
bind_column(struct uoms_stmt *ins, struct uoms_stmt *row, int i)
{
	switch (uoms_db_type(row, i)) {
	case UOMS_DB_INT:
		uoms_db_bind_int(ins, i + 1, uoms_db_int(row, i));
		break;
	case UOMS_DB_REAL:
		uoms_db_bind_real(ins, i + 1, uoms_db_real(row, i));
		break;
	case UOMS_DB_TEXT:
		uoms_db_bind_textn(ins, i + 1, uoms_db_text(row, i),
		    uoms_db_bytes(row, i));
		break;
	case UOMS_DB_BLOB:
		uoms_db_bind_blob(ins, i + 1, uoms_db_blob(row, i),
		    uoms_db_bytes(row, i));
		break;
	default:
		uoms_db_bind_null(ins, i + 1);
	}
}

/* INSERT INTO table (the columns of row) VALUES (...) on to. */
static struct uoms_stmt *
insert_for(struct uoms_store *to, const char *table, struct uoms_stmt *row)
{
	struct uoms_buf sql = { 0 };
	struct uoms_stmt *ins;
	int n = uoms_db_columns(row);

	uoms_buf_printf(&sql, "INSERT INTO %s (", table);
	for (int i = 0; i < n; i++)
		uoms_buf_printf(&sql, "%s%s", i ? ", " : "",
		    uoms_db_column_name(row, i));
	uoms_buf_str(&sql, ") VALUES (");
	for (int i = 0; i < n; i++) {
		uoms_buf_str(&sql, i ? ", " : "");
		uoms_db_param(to, &sql, i + 1);
	}
	uoms_buf_str(&sql, ")");
	ins = uoms_db_prepare(to, sql.p);
	uoms_buf_free(&sql);
	return ins;
}

/* The rows of table in s, for progress; 0 when they can't be counted
 * (the copy then says so when it reads it). */
static long long
count(struct uoms_store *s, const char *table)
{
	char sql[128];
	struct uoms_stmt *st;
	long long n = 0;

	snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
	if ((st = uoms_db_prepare(s, sql)) != NULL &&
	    uoms_db_step(st) == UOMS_DB_ROW)
		n = uoms_db_int(st, 0);
	uoms_db_free(st);
	return n;
}

/* Copies one table's rows, measuring them as read (t); -1 with e
 * filled. */
static int
copy_table(struct uoms_store *from, struct uoms_store *to, const char *table,
    const struct uoms_copy_opts *o, struct uoms_copy_table *t,
    struct uoms_error *e)
{
	long long total = o->progress != NULL ? count(from, table) : 0;

	struct uoms_stmt *row, *ins = NULL;
	enum uoms_db_step r;
	long long done = 0;
	char sql[128], doing[160];
	int rc = 0;
	EVP_MD_CTX *c;

	if ((c = EVP_MD_CTX_new()) == NULL) {
		uoms_fail(e, UOMS_INTERNAL, "out of memory copying %s", table);
		return -1;
	}
	snprintf(sql, sizeof sql, "SELECT * FROM %s", table);
	snprintf(doing, sizeof doing, "copying %s", table);
	if ((row = uoms_db_prepare(from, sql)) == NULL) {
		uoms_db_fail(from, e, doing);
		EVP_MD_CTX_free(c);
		return -1;
	}
	while ((r = uoms_db_step(row)) == UOMS_DB_ROW) {
		if (ins == NULL && (ins = insert_for(to, table, row)) == NULL) {
			uoms_db_fail(to, e, doing);
			rc = -1;
			break;
		}
		for (int i = 0; i < uoms_db_columns(row); i++)
			bind_column(ins, row, i);
		add_row(c, row, uoms_db_columns(row), t->sum);
		t->rows++;
		if (uoms_db_exec(to, ins, doing, e) != UOMS_OK) {
			rc = -1;
			break;
		}
		if (++done % PROGRESS_EVERY == 0 && o->progress != NULL)
			o->progress(o->arg, table, done, total);
	}
	if (r == UOMS_DB_ERROR) {
		uoms_db_fail(from, e, doing);
		rc = -1;
	}
	uoms_db_free(ins);
	uoms_db_free(row);
	EVP_MD_CTX_free(c);
	if (rc == 0 && o->progress != NULL)
		o->progress(o->arg, table, done, total);
	return rc;
}

/* Nonzero when any table of s has a row; -1 with e filled. */
static int
has_rows(struct uoms_store *s, struct uoms_error *e)
{
	const char *const *t = uoms_store_tables();
	char sql[128];

	for (int i = 0; t[i] != NULL; i++) {
		struct uoms_stmt *st;
		enum uoms_db_step r;

		snprintf(sql, sizeof sql, "SELECT 1 FROM %s LIMIT 1", t[i]);
		if ((st = uoms_db_prepare(s, sql)) == NULL) {
			uoms_db_fail(s, e, "reading the target");
			return -1;
		}
		r = uoms_db_step(st);
		if (r == UOMS_DB_ERROR)
			uoms_db_fail(s, e, "reading the target");
		uoms_db_free(st);
		if (r != UOMS_DB_DONE)
			return r == UOMS_DB_ROW ? 1 : -1;
	}
	return 0;
}

/* Deletes every row of s, children first. */
static int
empty(struct uoms_store *s, struct uoms_error *e)
{
	const char *const *t = uoms_store_tables();
	char sql[128];
	int n = 0;

	while (t[n] != NULL)
		n++;
	while (n-- > 0) {
		struct uoms_stmt *st;

		snprintf(sql, sizeof sql, "DELETE FROM %s", t[n]);
		if ((st = uoms_db_prepare(s, sql)) == NULL ||
		    uoms_db_exec(s, st, "emptying the target", e) != UOMS_OK) {
			if (st == NULL)
				uoms_db_fail(s, e, "emptying the target");
			uoms_db_free(st);
			return -1;
		}
		uoms_db_free(st);
	}
	return 0;
}

enum uoms_code
uoms_copy(struct uoms_store *from, struct uoms_store *to,
    const struct uoms_copy_opts *o, struct uoms_copy_table *tables,
    struct uoms_error *e)
{
	const char *const *t = uoms_store_tables();
	int any;

	if (uoms_store_begin(to, e) != UOMS_OK)
		return e->code;
	if ((any = has_rows(to, e)) < 0)
		goto fail;
	if (any && !o->replace) {
		uoms_fail(e, UOMS_INVALID, "the target store has orders or "
		    "other rows already: copy into an empty one, or --replace "
		    "to empty it first");
		goto fail;
	}
	if (any && empty(to, e) < 0)
		goto fail;
	for (int i = 0; t[i] != NULL; i++) {
		struct uoms_copy_table back;

		memset(&tables[i], 0, sizeof tables[i]);
		tables[i].name = t[i];
		if (copy_table(from, to, t[i], o, &tables[i], e) < 0 ||
		    measure(to, t[i], &back, e) < 0)
			goto fail;
		if (back.rows != tables[i].rows ||
		    memcmp(back.sum, tables[i].sum, sizeof back.sum) != 0) {
			uoms_fail(e, UOMS_INTERNAL, "table %s: %lld rows read, "
			    "%lld in the target, or not the same rows: "
			    "nothing copied", t[i], tables[i].rows, back.rows);
			goto fail;
		}
	}
	for (int i = 0; t[i] != NULL; i++)
		if (uoms_db_ids_follow(to, t[i], e) != UOMS_OK)
			goto fail;
	return uoms_store_commit(to, e);
fail:
	uoms_store_rollback(to);
	return e->code != UOMS_OK ? e->code : UOMS_INTERNAL;
}
