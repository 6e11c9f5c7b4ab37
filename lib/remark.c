#include <stdio.h>
#include <string.h>

#include "db.h"
#include "line.h"
#include "remark.h"
#include "rfc3339.h"

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
	struct uoms_stmt *st;

	if ((st = uoms_db_stmt(s, SQL_REMARK_ADD)) == NULL)
		return uoms_db_fail(s, e, "adding a remark");
	uoms_db_bind_int(st, 1, t->id);
	uoms_db_bind_text(st, 2, a->name);
	uoms_db_bind_text(st, 3, now);
	if (uoms_db_step(st) != UOMS_DB_ROW) {
		uoms_db_done(st);
		return uoms_db_fail(s, e, "adding a remark");
	}
	req->done_id = uoms_db_int(st, 0);
	req->revision = 1;
	uoms_db_done(st);
	return UOMS_OK;
}

/* Who may edit: the author, or an admin. Finds the next revision. */
static enum uoms_code
edit(struct uoms_store *s, const struct uoms_actor *a,
    const struct uoms_target *t, struct uoms_remark_req *req,
    struct uoms_error *e)
{
	struct uoms_stmt *st;
	enum uoms_code code = UOMS_OK;
	enum uoms_db_step rc;

	if ((st = uoms_db_stmt(s, SQL_REMARK_AUTHOR)) == NULL)
		return uoms_db_fail(s, e, "reading a remark");
	uoms_db_bind_int(st, 1, req->remark_id);
	uoms_db_bind_int(st, 2, t->id);
	rc = uoms_db_step(st);
	if (rc == UOMS_DB_DONE)
		code = uoms_fail(e, UOMS_NOT_FOUND, "no remark %lld on it",
		    req->remark_id);
	else if (rc != UOMS_DB_ROW)
		code = uoms_db_fail(s, e, "reading a remark");
	else if (strcmp(uoms_db_text(st, 0), a->name) != 0 &&
	    a->role != UOMS_ROLE_ADMIN)
		code = uoms_fail(e, UOMS_FORBIDDEN, "remark %lld is by '%s'; "
		    "only its author or an admin may edit it", req->remark_id,
		    uoms_db_text(st, 0));
	else {
		req->done_id = req->remark_id;
		req->revision = uoms_db_int(st, 1) + 1;
	}
	uoms_db_done(st);
	return code;
}

static enum uoms_code
apply(struct uoms_store *s, const struct uoms_actor *a,
    const struct uoms_target *t, int force, void *arg,
    struct uoms_event_desc *ev, struct uoms_error *e)
{
	struct uoms_remark_req *req = arg;
	const char *problem;
	enum uoms_code code;
	struct uoms_stmt *st;
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
	if ((st = uoms_db_stmt(s, SQL_REMARK_REVISION)) == NULL)
		return uoms_db_fail(s, e, "writing a remark");
	uoms_db_bind_int(st, 1, req->done_id);
	uoms_db_bind_int(st, 2, req->revision);
	uoms_db_bind_text(st, 3, req->text);
	uoms_db_bind_text(st, 4, a->name);
	uoms_db_bind_text(st, 5, now);
	if (uoms_db_exec(s, st, "writing a remark", e) != UOMS_OK)
		return e->code;
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
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_REMARK_ORDER);
	enum uoms_code code = UOMS_OK;
	enum uoms_db_step rc;

	if (st == NULL)
		return uoms_db_fail(s, e, "reading a remark");
	uoms_db_bind_int(st, 1, remark_id);
	rc = uoms_db_step(st);
	if (rc == UOMS_DB_ROW)
		*order_id = uoms_db_int(st, 0);
	else if (rc == UOMS_DB_DONE)
		code = uoms_fail(e, UOMS_NOT_FOUND, "no such remark");
	else
		code = uoms_db_fail(s, e, "reading a remark");
	uoms_db_done(st);
	return code;
}

enum uoms_code
uoms_remark_list(struct uoms_store *s, long long order_id, int history,
    struct uoms_buf *out, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, history ? SQL_REMARK_HISTORY :
	    SQL_REMARK_LATEST);
	enum uoms_db_step rc;

	if (st == NULL)
		return uoms_db_fail(s, e, "reading remarks");
	uoms_db_bind_int(st, 1, order_id);
	while ((rc = uoms_db_step(st)) == UOMS_DB_ROW)
		if (uoms_buf_add(out, uoms_db_text(st, 0),
		    uoms_db_bytes(st, 0)) < 0 ||
		    uoms_buf_add(out, "\n", 1) < 0) {
			uoms_db_done(st);
			return uoms_fail(e, UOMS_INTERNAL, "out of memory");
		}
	uoms_db_done(st);
	if (rc != UOMS_DB_DONE)
		return uoms_db_fail(s, e, "reading remarks");
	return UOMS_OK;
}
