/*
 * demo: deterministic, realistic sample data for demos, tests and
 * benchmarks. Order line n of a seed is always the same bytes, whatever
 * was generated before it, so any slice of a data set can be regenerated
 * on its own. Lines are written into the caller's buffer; nothing here
 * allocates or keeps state beyond the struct the caller owns.
 */
#ifndef UOMS_DEMO_H
#define UOMS_DEMO_H

#include <stddef.h>

/* A buffer of this size always holds one line (orders average ~640 bytes). */
#define UOMS_DEMO_LINE_MAX 4096
/* Products in the catalog: SKU-0001 ... SKU-0200. */
#define UOMS_DEMO_PRODUCTS 200
/* The default base time, 2026-11-22T00:00:00Z. */
#define UOMS_DEMO_BASE 1795305600LL

struct uoms_demo {
	unsigned long long seed;
	long long base;		/* Unix time the data set leads up to */
	int days;		/* placed_at falls in the days before base */
};

/* Sets seed, base UOMS_DEMO_BASE and days 7. */
void uoms_demo_init(struct uoms_demo *d, unsigned long long seed);

/*
 * Writes order n (0-based) as a SPEC 3.1 record without the members the
 * store assigns (id, version, created_at, updated_at) or decides (status,
 * workflow): one line of JSON, NUL-terminated, no newline. Revision 0 is
 * the order as first seen; a revision r > 0 is the same order (same
 * channel and external_order_id) updated later by its channel: a later
 * channel_updated_at, often another eta, sometimes another shipping.zone.
 * Returns the length, or -1 when buf (of size len) is too small.
 */
int uoms_demo_order(const struct uoms_demo *d, unsigned long long n,
    unsigned rev, char *buf, size_t len);

/*
 * Writes catalog product i (0 <= i < UOMS_DEMO_PRODUCTS) as a line
 * {"sku","name","category","price","cost","stock"}, cost below price.
 * The catalog does not depend on the seed. Returns the length, or -1
 * when i is out of range or buf is too small.
 */
int uoms_demo_product(int i, char *buf, size_t len);

/*
 * Formats t (Unix seconds) as RFC 3339 UTC, "2026-11-22T00:00:00Z", into
 * out (at least 21 bytes).
 */
void uoms_demo_time(long long t, char *out);

#endif
