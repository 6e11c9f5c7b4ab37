/*
 * order: the order record of SPEC 3.1 — parse one JSON line into a
 * struct uoms_order (each line parsed once, by lib/json.c's reader),
 * validate it, and name its members. Strings in a parsed order live in
 * the parser's arena until the next parse.
 */
#ifndef UOMS_ORDER_H
#define UOMS_ORDER_H

#include <stddef.h>

#include "err.h"

/*
 * The range of the record's numbers, refused beyond (never clamped), so
 * that reports can add them up: money (total_amount) within +-10^15
 * minor units, and what can't be below nothing (refunded_amount,
 * unit_price, a product's price and cost) within 0..10^15,
 * quantities within 1..10^9 (cancelled_quantity 0..10^9, stock +-10^9).
 * A quantity times a price is then below 2^100, and sums of those fit
 * 128 bits for any number of rows a store can hold.
 */
#define UOMS_MONEY_MAX		1000000000000000LL
#define UOMS_QUANTITY_MAX	1000000000LL

enum uoms_vtype { UOMS_V_ABSENT = 0, UOMS_V_NULL, UOMS_V_TEXT, UOMS_V_INT };

/* One member's value: absent, null, text (s, n) or integer (i). */
struct uoms_val {
	enum uoms_vtype type;
	const char *s;
	size_t n;
	long long i;
};

/* The members stored in columns, in the orders table's column order.
 * A member added later goes last (lib/word.c keeps digests by it). */
enum uoms_ofield {
	UOMS_O_CHANNEL, UOMS_O_EXTERNAL_ORDER_ID, UOMS_O_ORDER_NO, UOMS_O_KIND,
	UOMS_O_WORKFLOW, UOMS_O_STATUS, UOMS_O_DEPARTMENT, UOMS_O_WAREHOUSE,
	UOMS_O_CUSTOMER, UOMS_O_SHIPPING, UOMS_O_ETA, UOMS_O_DRIVER,
	UOMS_O_PLACED_AT, UOMS_O_CHANNEL_UPDATED_AT, UOMS_O_DEPART_TIME,
	UOMS_O_COMPLETE_TIME, UOMS_O_TOTAL_AMOUNT, UOMS_O_CURRENCY,
	UOMS_O_SHIPMENT, UOMS_O_COUNT
};

/* The limits of a channel hold (uoms(7), channel sync), in characters. */
#define UOMS_CHOLD_KEY_MAX	128
#define UOMS_CHOLD_NOTE_MAX	500

/* One of the channel's open requests that hold the order: its key,
 * stable per request, and a note naming it for a person (or NULL). */
struct uoms_chold {
	const char *key, *note;
};

enum uoms_ifield {
	UOMS_I_EXTERNAL_ITEM_ID, UOMS_I_SKU, UOMS_I_NAME, UOMS_I_QUANTITY,
	UOMS_I_UNIT_PRICE, UOMS_I_COUNT
};

/* A product line's members: the catalog's columns up to UOMS_P_STOCK,
 * then cost_from, which dates the line's cost (catalog.h). */
enum uoms_pfield {
	UOMS_P_CHANNEL, UOMS_P_SKU, UOMS_P_NAME, UOMS_P_CATEGORY,
	UOMS_P_PRICE, UOMS_P_COST, UOMS_P_CURRENCY, UOMS_P_STOCK,
	UOMS_P_COST_FROM, UOMS_P_COUNT
};

struct uoms_item {
	struct uoms_val f[UOMS_I_COUNT];
	struct uoms_val extra;		/* JSON object text, or absent */
};

struct uoms_order {
	struct uoms_val f[UOMS_O_COUNT];
	struct uoms_val extra;		/* JSON object text of unknown members */
	long long id;			/* -1 when the line has none */
	long long version;		/* -1 when the line has none */
	int has_items;			/* the line carries "items" */
	/* The digest of the line it came from (UOMS_LINE_HASH bytes), or
	 * NULL: kept with the order so the same line again is known. */
	const unsigned char *line_hash;
	int nitems;
	struct uoms_item *items;	/* owned by the parser */
	/* The line carries "channel_holds": the channel's open requests
	 * (none: every one ended). Without it, holds are left as they are. */
	int has_cholds;
	int ncholds;
	struct uoms_chold *cholds;	/* owned by the parser */
};

struct uoms_product {
	struct uoms_val f[UOMS_P_COUNT];
	struct uoms_val extra;
};

/* A member's name in the record ("external_order_id"). Static. */
const char *uoms_order_field_name(enum uoms_ofield f);
const char *uoms_item_field_name(enum uoms_ifield f);
const char *uoms_product_field_name(enum uoms_pfield f);

struct uoms_parser;

/* A parser, with its buffers reused from line to line; NULL when out of
 * memory. */
struct uoms_parser *uoms_parser_new(void);
void uoms_parser_free(struct uoms_parser *p);

/*
 * Parses and validates one line as an order. The order borrows memory from
 * p until the next parse. Returns UOMS_OK, or UOMS_INVALID with e filled
 * (e.g. "postal code '1234' is not 5 digits"). Every value that could
 * break a constraint of the store is refused here, before any write: a
 * key given twice in any object, null for kind, workflow or status (left
 * out, the stored value stands), a number out of its member's range. A
 * numeric id (external_order_id, external_item_id, sku) is kept as the
 * digits the line wrote, however many.
 */
enum uoms_code uoms_order_parse(struct uoms_parser *p, const char *line,
    size_t len, struct uoms_order *o, struct uoms_error *e);

/* The same for a product line of the catalog. */
enum uoms_code uoms_product_parse(struct uoms_parser *p, const char *line,
    size_t len, struct uoms_product *o, struct uoms_error *e);

/* A reference to a stored order (change.h); its line is read here, by the
 * same parser, so a reference line is refused as an order line would be. */
struct uoms_ref;

/*
 * Parses a reference line (any JSON object with id, order_no or channel
 * and external_order_id; a whole record is one). Strings live in p until
 * its next parse. UOMS_INVALID with e filled when it is not a reference.
 */
enum uoms_code uoms_ref_from_line(struct uoms_parser *p, const char *line,
    size_t len, struct uoms_ref *r, struct uoms_error *e);

/* Nonzero when s[0..n) is a phone number the store takes:
 * NNN-NNNN-NNNN or NN-NNN(N)-NNNN. */
int uoms_phone_valid(const char *s, size_t n);
/* Nonzero when s[0..n) is a postal code the store takes: 5 digits. */
int uoms_postal_valid(const char *s, size_t n);

/* Nonzero when two values are equal (absent and null are not). */
int uoms_val_equal(const struct uoms_val *a, const struct uoms_val *b);

/* The same, but texts are JSON and equal as JSON values: members in
 * another order, or a string written with other escapes, are equal. */
int uoms_val_json_equal(const struct uoms_val *a, const struct uoms_val *b);

#include "buf.h"

/*
 * Appends to out the record of o (SPEC 3.1), with the store's members id,
 * version, created_at, updated_at and holds (a JSON array, NULL for none)
 * given; absent members are written as null (but shipment, left out
 * when the order has none). The one writer of records:
 * new orders and orders read back from the store come out alike.
 * Returns 0, or -1 when out of memory (what out holds is then no record).
 */
int uoms_order_json(const struct uoms_order *o, long long id,
    long long version, const char *created_at, const char *updated_at,
    const char *holds, struct uoms_buf *out);

/*
 * Appends to out the reject line for a refused input line (SPEC 3): the
 * line as it came with an "error" member {code, message, line} added;
 * a line that is not a JSON object is carried as "raw" (or "raw_base64"
 * when it is not UTF-8 text); an over-long line (line == NULL) only as
 * its error. extra_json, when not NULL, is more members for the error
 * object (e.g. "\"current_version\":3").
 */
int uoms_reject_line(struct uoms_parser *p, const char *line, size_t len,
    enum uoms_code code, const char *msg, long lineno,
    const char *extra_json, struct uoms_buf *out);

#endif

