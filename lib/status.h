/*
 * status: moving an order through its workflow (SPEC 6), as a change for
 * uoms_change_order(): by target state or by action name, with the
 * workflow's roles, timestamps set or cleared on entry, and an admin's
 * --force allowed to any state of the workflow.
 */
#ifndef UOMS_STATUS_H
#define UOMS_STATUS_H

#include "change.h"
#include "workflow.h"

struct uoms_status_req {
	const char *to;		/* target state, or NULL */
	const char *action;	/* action name, or NULL */
	const char *note;	/* kept in the event, or NULL */
};

/*
 * Writes order id's entry into state `to` of wf: the status, and the
 * timestamps the state sets or clears; with version > 0 also the new
 * version and updated_at, in the same write. No checks: callers decide.
 */
enum uoms_code uoms_status_enter(struct uoms_store *s, long long id,
    const struct uoms_workflow *wf, const char *to, long long version,
    struct uoms_error *e);

/* Fills c to move orders as req says (req is borrowed by c). The request
 * text for idempotency is built in request, which c borrows. */
void uoms_status_change(struct uoms_change *c, struct uoms_status_req *req,
    struct uoms_buf *request);

#endif
