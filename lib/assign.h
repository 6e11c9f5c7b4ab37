/*
 * assign: giving orders a driver, or taking it away (SPEC 2, 6), as a
 * change for uoms_change_order(). A user may assign in the states the
 * order's workflow marks `assign`, an admin in any state. Assignment is
 * not a transition, so holds do not block it.
 */
#ifndef UOMS_ASSIGN_H
#define UOMS_ASSIGN_H

#include "buf.h"
#include "change.h"

#define UOMS_DRIVER_NAME_MAX 100	/* characters, not bytes */

struct uoms_assign_req {
	const char *name;	/* the driver, or NULL to unassign */
	const char *phone;	/* the driver's phone, or NULL */
	/* Filled by uoms_assign_change, freed by uoms_assign_free: */
	struct uoms_error bad;	/* why the request itself is refused */
	struct uoms_buf driver;	/* the driver object as JSON text */
	struct uoms_buf request;
};

/*
 * Fills c to assign as req says (req is borrowed by c and must outlive
 * it). The name (1 to 100 characters of UTF-8 text) and the phone
 * (NNN-NNNN-NNNN or NN-NNN(N)-NNNN) are checked here, once: a bad one
 * makes c refuse every order with invalid. An order already assigned to
 * the same driver and phone, or unassigned with no driver, is refused
 * with invalid, so nothing is written and the version stays.
 */
void uoms_assign_change(struct uoms_change *c, struct uoms_assign_req *req);

/* Frees what uoms_assign_change allocated in req. */
void uoms_assign_free(struct uoms_assign_req *req);

#endif
