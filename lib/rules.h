/*
 * rules: what the tools decide about a channel's order as it is stored,
 * from the configuration (uoms.yaml keys rules: and zones:). The zones
 * table (zones.h) fills shipping.zone and, for a new order, department;
 * the intake rules (uoms-rules(5), the file's intake: section) place
 * holds: missing_info, address_invalid, fraud_suspected, one hold per
 * rule that fires, with a note naming the values that fired it, in the
 * transaction that stores the order. Both are read once per process,
 * before any order, and only read after (threads share them).
 */
#ifndef UOMS_RULES_H
#define UOMS_RULES_H

#include "buf.h"
#include "config.h"
#include "order.h"
#include "store.h"

/*
 * Reads the files cfg names (rules:, zones:; relative to the
 * configuration file's folder), once per process: a later call returns
 * what the first did. 0, or -1 with why filled ("rules.yaml: line 4,
 * column 3: ..."; "zones.csv: line 7: ..."): the tool cannot run.
 */
int uoms_intake_setup(const struct uoms_config *cfg, char *why,
    size_t whylen);

/* Whether a zones table or intake rules were read: the tools act. */
int uoms_intake_active(void);

/*
 * An order as the tools fill it from the zones table: a copy of the
 * line's order with shipping.zone added where the line has a postal
 * code and no zone; its new shipping text lives in shipping.
 */
struct uoms_intake_fill {
	struct uoms_order o;
	struct uoms_buf shipping;
	const char *department;	/* the code's department, or NULL */
};

/*
 * Fills f from in (borrowed, with f, for as long as f->o is used) and
 * returns &f->o. A new order also takes the zone's department, when it
 * has none: uoms_intake_department. Free f with uoms_intake_fill_free.
 */
const struct uoms_order *uoms_intake_zone(const struct uoms_order *in,
    struct uoms_intake_fill *f);
/* A new order takes the department of its postal code's zone when the
 * line gives none (a department set later is never overwritten). */
void uoms_intake_department(struct uoms_intake_fill *f);
void uoms_intake_fill_free(struct uoms_intake_fill *f);

/*
 * Runs the intake rules on order id, just stored from o (the filled
 * order), in the open transaction: each rule that fires places one open
 * hold (uoms_hold_place). Called once per order, when it is first
 * stored, so no rule holds an order twice. *placed is how many holds it
 * placed. UOMS_OK, or the store's failure (the caller rolls back).
 */
enum uoms_code uoms_intake_check(struct uoms_store *s, long long id,
    const struct uoms_order *o, int *placed, struct uoms_error *e);

#endif
