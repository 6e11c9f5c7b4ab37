/*
 * kind-coupang: the Coupang Open API (WING) order sheets as a channel
 * kind (uoms_kind_coupang, kind.h). What is exported here is only what a
 * known-answer test needs to pin: the request signature.
 */
#ifndef UOMS_KIND_COUPANG_H
#define UOMS_KIND_COUPANG_H

#include <stddef.h>

/*
 * The CEA signature of one request: hex(HMAC-SHA256(secret, signed_date +
 * method + path + query)), query exactly as sent (percent-encoded, no
 * '?', "" when none), signed_date as yyMMdd'T'HHmmss'Z' in UTC. Writes 64
 * hex digits and a NUL into out (at least 65 bytes). Borrows everything.
 * Returns 0, or -1 when libcrypto fails.
 * https://developers.coupangcorp.com/hc/en-us/articles/360033461914
 */
int uoms_coupang_sign(const char *secret, const char *signed_date,
    const char *method, const char *path, const char *query, char *out);

#endif
