/*
 * edit: changing fields of stored orders by hand (SPEC 2, 3.1), as a
 * change for uoms_change_order(): eta (RFC 3339, not in the past),
 * department, warehouse, kind and members of customer, shipping and
 * shipment (carrier, tracking number), each checked as uoms-upsert
 * checks it. Holds do not block edits.
 */
#ifndef UOMS_EDIT_H
#define UOMS_EDIT_H

#include <stddef.h>

#include "buf.h"
#include "change.h"

/* The fields a person may edit, in the order events and requests list
 * them. */
enum uoms_edit_field {
	UOMS_EDIT_ETA,
	UOMS_EDIT_DEPARTMENT,
	UOMS_EDIT_WAREHOUSE,
	UOMS_EDIT_KIND,
	UOMS_EDIT_CUSTOMER_NAME,
	UOMS_EDIT_CUSTOMER_PHONE,
	UOMS_EDIT_SHIPPING_ADDRESS,
	UOMS_EDIT_SHIPPING_POSTAL_CODE,
	UOMS_EDIT_SHIPPING_ZONE,
	UOMS_EDIT_SHIPMENT_CARRIER,
	UOMS_EDIT_SHIPMENT_TRACKING_NUMBER,
	UOMS_EDIT_COUNT
};

struct uoms_edit_req {
	/* The new values (borrowed); NULL leaves a field, "" clears it. */
	const char *set[UOMS_EDIT_COUNT];
	/* Filled by uoms_edit_change, freed by uoms_edit_free: */
	char eta[40];		/* the new eta, normalised to UTC */
	struct uoms_error bad;	/* why the request itself is refused */
	struct uoms_buf request;
};

/* The field's name as written in --set and in events ("customer.phone"). */
const char *uoms_edit_field_name(enum uoms_edit_field f);

/*
 * Sets field to value in req. -1 with why filled when field is not one a
 * person may edit (why names it, and the tool to use instead, such as
 * uoms-status for status) or was set already.
 */
int uoms_edit_set(struct uoms_edit_req *req, const char *field,
    const char *value, char *why, size_t whylen);

/*
 * Fills c to edit as req says (req is borrowed by c and must outlive it).
 * The values are checked here, once, against the rules of uoms-upsert,
 * plus: an eta is not in the past, kind is not cleared. A bad one makes c
 * refuse every order with invalid. An order whose every field given
 * already holds its new value is refused with invalid ("nothing to
 * change"), so nothing is written and the version stays.
 */
void uoms_edit_change(struct uoms_change *c, struct uoms_edit_req *req);

/* Frees what uoms_edit_change allocated in req. */
void uoms_edit_free(struct uoms_edit_req *req);

#endif
