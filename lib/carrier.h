/*
 * carrier: the carriers uoms knows (share/uoms/carriers.tsv), one
 * canonical id each (shipment.carrier, uoms(7)) mapped to the code or
 * name each channel kind takes for it. Read once per process, on first
 * use, and kept (owned by the module).
 */
#ifndef UOMS_CARRIER_H
#define UOMS_CARRIER_H

#include <stddef.h>

/*
 * Sets the file read instead of DATA_DIR/carriers.tsv (DATA_DIR as
 * uoms_cli_data_dir finds it); borrowed. Drops what was read. For tests.
 */
void uoms_carrier_file(const char *path);

/*
 * Nonzero when id[0..n) is a carrier's canonical id ("cj"). 0 with why
 * filled (e.g. "unknown carrier 'xx' (carriers.tsv has cj, hanjin, ...)",
 * or why the file can't be read) otherwise.
 */
int uoms_carrier_known(const char *id, size_t n, char *why, size_t whylen);

/*
 * The code or name the channel kind (a column of the file: "coupang",
 * "naver", "shopify", "woocommerce", or "name" for the carrier's own
 * name) takes for carrier id; NULL when the carrier or the column is
 * unknown, or the file has "-" there. Owned by the module.
 */
const char *uoms_carrier_code(const char *id, const char *kind);

#endif
