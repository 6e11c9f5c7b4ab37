/*
 * zones: postal codes to zone and department (uoms-zones(5)), read from
 * a CSV once per process and looked up per line without the store. A
 * row's match is an exact code (06236), a prefix (062*) or a range of
 * codes of one length (06000-06299); the most specific row wins: an
 * exact one, then the longest prefix, then the narrowest range.
 */
#ifndef UOMS_ZONES_H
#define UOMS_ZONES_H

#include <stddef.h>

struct uoms_zones;

/*
 * Reads the CSV at path. Returns the table (uoms_zones_free), or NULL
 * with why filled ("zones.csv: line 7: range '06300-06299' is
 * reversed"): a malformed row stops the load, nothing is half-read.
 */
struct uoms_zones *uoms_zones_load(const char *path, char *why,
    size_t whylen);
void uoms_zones_free(struct uoms_zones *z);

/*
 * The row code[0..n) falls in: 1 with *zone and *department (borrowed
 * from z; *department is "" when the row has none), or 0 when no row
 * covers it.
 */
int uoms_zones_find(const struct uoms_zones *z, const char *code, size_t n,
    const char **zone, const char **department);

/* How many rows z holds. */
int uoms_zones_count(const struct uoms_zones *z);

#endif
