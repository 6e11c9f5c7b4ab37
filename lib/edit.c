#include <stdio.h>
#include <string.h>

#include "db.h"
#include "edit.h"
#include "line.h"
#include "rfc3339.h"

/*
 * Each field is written by its own statement (SQL_EDIT_*): a column, or
 * one member of the customer or shipping object, the members it does not
 * name (known or not) kept. A NULL value clears: the column becomes NULL,
 * the member JSON null.
 */
static const struct field {
	const char *name;
	const char *object, *member;	/* where it is in a record */
	enum uoms_sql update;
	int required;			/* can't be cleared */
} fields[UOMS_EDIT_COUNT] = {
	[UOMS_EDIT_ETA] = { "eta", NULL, "eta", SQL_EDIT_ETA, 0 },
	[UOMS_EDIT_DEPARTMENT] = { "department", NULL, "department",
	    SQL_EDIT_DEPARTMENT, 0 },
	[UOMS_EDIT_WAREHOUSE] = { "warehouse", NULL, "warehouse",
	    SQL_EDIT_WAREHOUSE, 0 },
	[UOMS_EDIT_KIND] = { "kind", NULL, "kind", SQL_EDIT_KIND, 1 },
	[UOMS_EDIT_CUSTOMER_NAME] = { "customer.name", "customer", "name",
	    SQL_EDIT_CUSTOMER_NAME, 0 },
	[UOMS_EDIT_CUSTOMER_PHONE] = { "customer.phone", "customer", "phone",
	    SQL_EDIT_CUSTOMER_PHONE, 0 },
	[UOMS_EDIT_SHIPPING_ADDRESS] = { "shipping.address", "shipping",
	    "address", SQL_EDIT_SHIPPING_ADDRESS, 0 },
	[UOMS_EDIT_SHIPPING_POSTAL_CODE] = { "shipping.postal_code",
	    "shipping", "postal_code", SQL_EDIT_SHIPPING_POSTAL_CODE, 0 },
	[UOMS_EDIT_SHIPPING_ZONE] = { "shipping.zone", "shipping", "zone",
	    SQL_EDIT_SHIPPING_ZONE, 0 },
	[UOMS_EDIT_SHIPMENT_CARRIER] = { "shipment.carrier", "shipment",
	    "carrier", SQL_EDIT_SHIPMENT_CARRIER, 0 },
	[UOMS_EDIT_SHIPMENT_TRACKING_NUMBER] = { "shipment.tracking_number",
	    "shipment", "tracking_number", SQL_EDIT_SHIPMENT_TRACKING_NUMBER,
	    0 },
};

/* Fields people can't edit, and what to do instead. */
static const struct {
	const char *name, *instead;
} fixed[] = {
	{ "status", "use uoms-status" },
	{ "driver", "use uoms-assign" },
	{ "driver.name", "use uoms-assign" },
	{ "driver.phone", "use uoms-assign" },
	{ "holds", "use uoms-hold" },
	{ "id", "it identifies the order" },
	{ "channel", "it identifies the order" },
	{ "external_order_id", "it identifies the order" },
	{ "order_no", "it identifies the order" },
	{ "workflow", "it is fixed when the order is created" },
	{ "version", "the store keeps it" },
	{ "created_at", "the store keeps it" },
	{ "updated_at", "the store keeps it" },
	{ "placed_at", "of the times only eta is edited" },
	{ "channel_updated_at", "of the times only eta is edited" },
	{ "depart_time", "the workflow sets it" },
	{ "complete_time", "the workflow sets it" },
	{ "customer", "set customer.name or customer.phone" },
	{ "shipping", "set shipping.address, shipping.postal_code or "
	    "shipping.zone" },
	{ "shipment", "set shipment.carrier or shipment.tracking_number" },
};

const char *
uoms_edit_field_name(enum uoms_edit_field f)
{
	return fields[f].name;
}

int
uoms_edit_set(struct uoms_edit_req *req, const char *field,
    const char *value, char *why, size_t whylen)
{
	size_t i;

	for (i = 0; i < UOMS_EDIT_COUNT; i++)
		if (strcmp(fields[i].name, field) == 0)
			break;
	if (i < UOMS_EDIT_COUNT) {
		if (req->set[i] != NULL) {
			snprintf(why, whylen, "'%s' is set twice", field);
			return -1;
		}
		req->set[i] = value;
		return 0;
	}
	for (size_t j = 0; j < sizeof fixed / sizeof fixed[0]; j++)
		if (strcmp(fixed[j].name, field) == 0) {
			snprintf(why, whylen, "'%s' can't be edited: %s",
			    field, fixed[j].instead);
			return -1;
		}
	snprintf(why, whylen, "'%.60s' can't be edited: the fields are eta, "
	    "department, warehouse, kind, customer.name, customer.phone, "
	    "shipping.address, shipping.postal_code, shipping.zone, "
	    "shipment.carrier, shipment.tracking_number", field);
	return -1;
}

/* Appends "member":value to a record being built for checking. */
static void
member(struct uoms_buf *b, const char *name, const char *value, int *first)
{
	if (!*first)
		uoms_buf_str(b, ",");
	*first = 0;
	uoms_buf_json_string(b, name, strlen(name));
	uoms_buf_str(b, ":");
	uoms_buf_json_string(b, value, strlen(value));
}

/*
 * The values, put in a record and read by the order parser: so they are
 * held to the very rules (and messages) uoms-upsert applies, and eta
 * comes out normalised to UTC.
 */
static enum uoms_code
check(struct uoms_edit_req *req, struct uoms_error *e)
{
	static const char *const objects[] = { "customer", "shipping",
	    "shipment" };
	struct uoms_buf line = { 0 };
	struct uoms_parser *p;
	struct uoms_order o;
	enum uoms_code code;
	int first = 0, any;
	char now[24];

	for (int i = 0; i < UOMS_EDIT_COUNT; i++) {
		const char *v = req->set[i];

		if (v == NULL)
			continue;
		if (!uoms_utf8_valid(v, strlen(v)))
			return uoms_fail(e, UOMS_INVALID, "%s is not UTF-8",
			    fields[i].name);
		if (*v == '\0' && fields[i].required)
			return uoms_fail(e, UOMS_INVALID, "%s can't be "
			    "cleared", fields[i].name);
	}
	uoms_buf_str(&line, "{\"channel\":\"-\",\"external_order_id\":\"-\"");
	for (int i = 0; i < UOMS_EDIT_COUNT; i++)
		if (fields[i].object == NULL && req->set[i] != NULL &&
		    *req->set[i] != '\0')
			member(&line, fields[i].member, req->set[i], &first);
	for (size_t k = 0; k < sizeof objects / sizeof objects[0]; k++) {
		any = 0;
		for (int i = 0; i < UOMS_EDIT_COUNT; i++) {
			if (fields[i].object == NULL || strcmp(fields[i].object,
			    objects[k]) != 0 || req->set[i] == NULL ||
			    *req->set[i] == '\0')
				continue;
			if (!any) {
				uoms_buf_printf(&line, ",\"%s\":{", objects[k]);
				first = 1;
			}
			any = 1;
			member(&line, fields[i].member, req->set[i], &first);
		}
		if (any)
			uoms_buf_str(&line, "}");
	}
	uoms_buf_str(&line, "}");
	if (line.p == NULL)
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	if ((p = uoms_parser_new()) == NULL) {
		uoms_buf_free(&line);
		return uoms_fail(e, UOMS_INTERNAL, "can't set up the JSON "
		    "parser");
	}
	code = uoms_order_parse(p, line.p, line.n, &o, e);
	if (code == UOMS_OK && o.f[UOMS_O_ETA].type == UOMS_V_TEXT)
		snprintf(req->eta, sizeof req->eta, "%.*s",
		    (int)o.f[UOMS_O_ETA].n, o.f[UOMS_O_ETA].s);
	uoms_parser_free(p);
	uoms_buf_free(&line);
	if (code != UOMS_OK)
		return code;
	/* Both are UTC: the first 19 characters order them to the second. */
	uoms_time_now(now);
	if (req->eta[0] != '\0' && strncmp(req->eta, now, 19) < 0)
		return uoms_fail(e, UOMS_INVALID, "eta '%s' is in the past",
		    req->set[UOMS_EDIT_ETA]);
	return UOMS_OK;
}

/* The new value of field i; NULL clears it. */
static const char *
value(const struct uoms_edit_req *req, int i)
{
	if (req->set[i] == NULL || *req->set[i] == '\0')
		return NULL;
	return i == UOMS_EDIT_ETA ? req->eta : req->set[i];
}

static void
json_or_null(struct uoms_buf *b, const char *s)
{
	if (s == NULL)
		uoms_buf_str(b, "null");
	else
		uoms_buf_json_string(b, s, strlen(s));
}

/*
 * Compares each field given with the stored value, marking the ones that
 * change and describing them in details. Returns how many change, or -1.
 */
static int
compare(struct uoms_store *s, const struct uoms_target *t,
    const struct uoms_edit_req *req, int *changes, struct uoms_buf *details)
{
	/* The columns in the order of enum uoms_edit_field. */
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_EDIT_FIELDS);
	int n = 0;

	if (st == NULL)
		return -1;
	uoms_db_bind_int(st, 1, t->id);
	if (uoms_db_step(st) != UOMS_DB_ROW) {
		uoms_db_done(st);
		return -1;
	}
	uoms_buf_str(details, "{\"changed\":{");
	for (int i = 0; i < UOMS_EDIT_COUNT; i++) {
		const char *old = uoms_db_text(st, i);
		const char *new = value(req, i);

		changes[i] = req->set[i] != NULL && (old == NULL ?
		    new != NULL : new == NULL || strcmp(old, new) != 0);
		if (!changes[i])
			continue;
		uoms_buf_printf(details, "%s\"%s\":{\"from\":", n > 0 ? "," :
		    "", fields[i].name);
		json_or_null(details, old);
		uoms_buf_str(details, ",\"to\":");
		json_or_null(details, new);
		uoms_buf_str(details, "}");
		n++;
	}
	uoms_buf_str(details, "}}");
	uoms_db_done(st);
	return n;
}

static enum uoms_code
apply(struct uoms_store *s, const struct uoms_actor *a,
    const struct uoms_target *t, int force, void *arg,
    struct uoms_event_desc *ev, struct uoms_error *e)
{
	struct uoms_edit_req *req = arg;
	int changes[UOMS_EDIT_COUNT], n;
	struct uoms_stmt *st;

	(void)a;
	(void)force;
	if (req->bad.code != UOMS_OK) {
		*e = req->bad;
		return e->code;
	}
	if ((n = compare(s, t, req, changes, &ev->details)) < 0)
		return uoms_db_fail(s, e, "reading an order");
	if (n == 0)
		return uoms_fail(e, UOMS_INVALID, "nothing to change");
	for (int i = 0; i < UOMS_EDIT_COUNT; i++) {
		const char *v = value(req, i);

		if (!changes[i])
			continue;
		if ((st = uoms_db_stmt(s, fields[i].update)) == NULL)
			return uoms_db_fail(s, e, "editing an order");
		uoms_db_bind_int(st, 1, t->id);
		if (v != NULL)
			uoms_db_bind_text(st, 2, v);
		if (uoms_db_exec(s, st, "editing an order", e) != UOMS_OK)
			return e->code;
	}
	ev->type = "edited";
	return UOMS_OK;
}

void
uoms_edit_change(struct uoms_change *c, struct uoms_edit_req *req)
{
	int first = 1;

	memset(c, 0, sizeof *c);
	memset(&req->bad, 0, sizeof req->bad);
	memset(&req->request, 0, sizeof req->request);
	req->eta[0] = '\0';
	check(req, &req->bad);
	/* In a fixed order, eta normalised: the same edit, the same text. */
	uoms_buf_str(&req->request, "edit {");
	for (int i = 0; i < UOMS_EDIT_COUNT; i++) {
		if (req->set[i] == NULL)
			continue;
		uoms_buf_printf(&req->request, "%s\"%s\":", first ? "" : ",",
		    fields[i].name);
		json_or_null(&req->request, i == UOMS_EDIT_ETA &&
		    req->eta[0] != '\0' ? req->eta : value(req, i) != NULL ?
		    req->set[i] : NULL);
		first = 0;
	}
	uoms_buf_str(&req->request, "}");
	c->lock = UOMS_LOCK_EDIT;
	c->holds_block = 0;
	c->apply = apply;
	c->arg = req;
	c->request = req->request.p != NULL ? req->request.p : "edit";
}

void
uoms_edit_free(struct uoms_edit_req *req)
{
	uoms_buf_free(&req->request);
}
