#include <stdio.h>
#include <string.h>

#include "line.h"
#include "remark.h"
#include "rfc3339.h"
#include "store_priv.h"

const char *
uoms_remark_text_problem(const char *text)
{
	size_t n = strlen(text), chars = 0;

	if (!uoms_utf8_valid(text, n))
		return "remark text is not valid UTF-8";
	if (strspn(text, " \t\r\n") == n)
		return "remark text is empty";
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)text[i] & 0xc0) != 0x80)
			chars++;
	if (chars > UOMS_REMARK_TEXT_MAX)
		return "remark text is longer than 2000 characters";
	return NULL;
}

static enum uoms_code
add(struct uoms_store *s, const struct uoms_actor *a,
    const struct uoms_target *t, struct uoms_remark_req *req,
    const char *now, struct uoms_error *e)
{
	static const char remark[] = "INSERT INTO remarks (order_id, author,"
	    " created_at) VALUES (?1, ?2, ?3) RETURNING id";
	sqlite3_stmt *st;

	if ((st = uoms_store_sql(s, remark)) == NULL)
		return uoms_store_fail(s, e, "adding a remark");
	sqlite3_bind_int64(st, 1, t->id);
	sqlite3_bind_text(st, 2, a->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return uoms_store_fail(s, e, "adding a remark");
	}
	req->done_id = sqlite3_column_int64(st, 0);
	req->revision = 1;
	sqlite3_reset(st);
	return UOMS_OK;
}

/* Who may edit: the author, or an admin. Finds the next revision. */
static enum uoms_code
edit(struct uoms_store *s, const struct uoms_actor *a,
    const struct uoms_target *t, struct uoms_remark_req *req,
    struct uoms_error *e)
{
	static const char sql[] = "SELECT r.author, (SELECT max(revision)"
	    " FROM remark_revisions WHERE remark_id = r.id) FROM remarks r"
	    " WHERE r.id = ?1 AND r.order_id = ?2";
	sqlite3_stmt *st;
	enum uoms_code code = UOMS_OK;
	int rc;

	if ((st = uoms_store_sql(s, sql)) == NULL)
		return uoms_store_fail(s, e, "reading a remark");
	sqlite3_bind_int64(st, 1, req->remark_id);
	sqlite3_bind_int64(st, 2, t->id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		code = uoms_fail(e, UOMS_NOT_FOUND, "no remark %lld on it",
		    req->remark_id);
	else if (rc != SQLITE_ROW)
		code = uoms_store_fail(s, e, "reading a remark");
	else if (strcmp((const char *)sqlite3_column_text(st, 0), a->name)
	    != 0 && a->role != UOMS_ROLE_ADMIN)
		code = uoms_fail(e, UOMS_FORBIDDEN, "remark %lld is by '%s'; "
		    "only its author or an admin may edit it", req->remark_id,
		    sqlite3_column_text(st, 0));
	else {
		req->done_id = req->remark_id;
		req->revision = sqlite3_column_int64(st, 1) + 1;
	}
	sqlite3_reset(st);
	return code;
}

static enum uoms_code
apply(struct uoms_store *s, const struct uoms_actor *a,
    const struct uoms_target *t, int force, void *arg,
    struct uoms_event_desc *ev, struct uoms_error *e)
{
	static const char revision[] = "INSERT INTO remark_revisions"
	    " (remark_id, revision, text, author, at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5)";
	struct uoms_remark_req *req = arg;
	const char *problem;
	enum uoms_code code;
	sqlite3_stmt *st;
	char now[24];

	(void)force;
	if ((problem = uoms_remark_text_problem(req->text)) != NULL)
		return uoms_fail(e, UOMS_INVALID, "%s", problem);
	uoms_time_now(now);
	/* edit() refuses before anything is written; add() writes first. */
	if (req->remark_id > 0)
		code = edit(s, a, t, req, e);
	else
		code = add(s, a, t, req, now, e);
	if (code != UOMS_OK)
		return code;
	if ((st = uoms_store_sql(s, revision)) == NULL)
		return uoms_store_fail(s, e, "writing a remark");
	sqlite3_bind_int64(st, 1, req->done_id);
	sqlite3_bind_int64(st, 2, req->revision);
	sqlite3_bind_text(st, 3, req->text, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, a->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return uoms_store_fail(s, e, "writing a remark");
	ev->type = req->remark_id > 0 ? "remark_edited" : "remark_added";
	uoms_buf_printf(&ev->details, "{\"remark_id\":%lld,", req->done_id);
	if (req->remark_id > 0)
		uoms_buf_printf(&ev->details, "\"revision\":%lld,",
		    req->revision);
	uoms_buf_str(&ev->details, "\"text\":");
	uoms_buf_json_string(&ev->details, req->text, strlen(req->text));
	uoms_buf_str(&ev->details, "}");
	return UOMS_OK;
}

void
uoms_remark_change(struct uoms_change *c, struct uoms_remark_req *req,
    char *request, size_t len)
{
	memset(c, 0, sizeof *c);
	c->lock = UOMS_LOCK_REMARK;
	c->holds_block = 0;
	c->apply = apply;
	c->arg = req;
	if (req->remark_id > 0)
		snprintf(request, len, "remark edit %lld text=%s",
		    req->remark_id, req->text);
	else
		snprintf(request, len, "remark add text=%s", req->text);
	c->request = request;
}

enum uoms_code
uoms_remark_order(struct uoms_store *s, long long remark_id,
    long long *order_id, struct uoms_error *e)
{
	static const char sql[] = "SELECT order_id FROM remarks WHERE id = ?1";
	sqlite3_stmt *st = uoms_store_sql(s, sql);
	enum uoms_code code = UOMS_OK;
	int rc;

	if (st == NULL)
		return uoms_store_fail(s, e, "reading a remark");
	sqlite3_bind_int64(st, 1, remark_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*order_id = sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_DONE)
		code = uoms_fail(e, UOMS_NOT_FOUND, "no such remark");
	else
		code = uoms_store_fail(s, e, "reading a remark");
	sqlite3_reset(st);
	return code;
}

enum uoms_code
uoms_remark_list(struct uoms_store *s, long long order_id, int history,
    struct uoms_buf *out, struct uoms_error *e)
{
	static const char latest[] = "SELECT json_object('id', r.id,"
	    " 'order_id', r.order_id, 'text', v.text, 'author', r.author,"
	    " 'created_at', r.created_at, 'updated_at', v.at,"
	    " 'revision', v.revision) FROM remarks r"
	    " JOIN remark_revisions v ON v.remark_id = r.id"
	    " AND v.revision = (SELECT max(revision) FROM remark_revisions"
	    " WHERE remark_id = r.id)"
	    " WHERE r.order_id = ?1 ORDER BY r.id";
	static const char all[] = "SELECT json_object('remark_id', v.remark_id,"
	    " 'revision', v.revision, 'text', v.text, 'author', v.author,"
	    " 'at', v.at) FROM remarks r"
	    " JOIN remark_revisions v ON v.remark_id = r.id"
	    " WHERE r.order_id = ?1 ORDER BY v.remark_id, v.revision";
	sqlite3_stmt *st = uoms_store_sql(s, history ? all : latest);
	int rc;

	if (st == NULL)
		return uoms_store_fail(s, e, "reading remarks");
	sqlite3_bind_int64(st, 1, order_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (uoms_buf_add(out, sqlite3_column_text(st, 0),
		    sqlite3_column_bytes(st, 0)) < 0 ||
		    uoms_buf_add(out, "\n", 1) < 0) {
			sqlite3_reset(st);
			return uoms_fail(e, UOMS_INTERNAL, "out of memory");
		}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return uoms_store_fail(s, e, "reading remarks");
	return UOMS_OK;
}
