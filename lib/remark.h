/*
 * remark: notes people leave on an order (SPEC 2, 5). A remark is never
 * rewritten: an edit adds a revision, so its history stays. Adding or
 * editing one is a change for uoms_change_order(): guarded by the REMARK
 * lock (and EDIT), not blocked by holds, and it bumps the order's version
 * with one event, "remark_added" or "remark_edited". Only a remark's
 * author or an admin may edit it.
 */
#ifndef UOMS_REMARK_H
#define UOMS_REMARK_H

#include "buf.h"
#include "change.h"

/* The longest remark text, in characters (not bytes). */
#define UOMS_REMARK_TEXT_MAX 2000
/* Room for the request text of any valid remark (see uoms_remark_change). */
#define UOMS_REMARK_REQUEST_MAX (UOMS_REMARK_TEXT_MAX * 4 + 64)

struct uoms_remark_req {
	long long remark_id;	/* the remark to edit; 0: add a new one */
	const char *text;
	long long done_id;	/* set by the change: the remark written */
	long long revision;	/* set by the change: its revision */
};

/*
 * Why text cannot be a remark (empty or blank, longer than
 * UOMS_REMARK_TEXT_MAX characters, not UTF-8), or NULL when it can.
 * Static.
 */
const char *uoms_remark_text_problem(const char *text);

/*
 * Fills c to add a remark to orders (req->remark_id 0) or to edit remark
 * req->remark_id, as req says (req is borrowed by c and gets the remark
 * and revision written). The request text for idempotency is written
 * into request (UOMS_REMARK_REQUEST_MAX bytes hold any valid text).
 * The change refuses invalid text (invalid), a remark that is not on the
 * order (not_found), and an edit by someone who is neither the remark's
 * author nor an admin (forbidden).
 */
void uoms_remark_change(struct uoms_change *c, struct uoms_remark_req *req,
    char *request, size_t len);

/* The order remark_id is on, into *order_id; not_found when none. */
enum uoms_code uoms_remark_order(struct uoms_store *s, long long remark_id,
    long long *order_id, struct uoms_error *e);

/*
 * Appends to out one JSON line ('\n'-terminated) per remark on the order,
 * oldest first: {"id","order_id","text","author","created_at",
 * "updated_at","revision"} with the latest revision's text; with history,
 * one line per revision instead: {"remark_id","revision","text","author",
 * "at"}.
 */
enum uoms_code uoms_remark_list(struct uoms_store *s, long long order_id,
    int history, struct uoms_buf *out, struct uoms_error *e);

#endif
