/*
 * oauth1: OAuth 1.0a "one-legged" request signatures (RFC 5849, no token),
 * as WooCommerce asks of a client that reaches it over plain HTTP: the
 * consumer key, a nonce and a timestamp go in the query string with an
 * HMAC-SHA1 or HMAC-SHA256 signature of the request, so the secret never
 * travels. Pure: the caller supplies the time and the nonce, so the
 * signatures are tested against the RFC's examples.
 *   https://www.rfc-editor.org/rfc/rfc5849
 *   https://woocommerce.github.io/woocommerce-rest-api-docs/#authentication-over-http
 */
#ifndef UOMS_OAUTH1_H
#define UOMS_OAUTH1_H

#include <stddef.h>

#include "buf.h"

enum uoms_oauth1_method {
	UOMS_OAUTH1_HMAC_SHA1 = 0,
	UOMS_OAUTH1_HMAC_SHA256 = 1
};

/* One request parameter, decoded (as the application means it). */
struct uoms_oauth1_param {
	const char *name, *value;
};

/* The method's name as oauth_signature_method says it ("HMAC-SHA256"). */
const char *uoms_oauth1_method_name(enum uoms_oauth1_method m);
/* The method named name; -1 when it is neither HMAC-SHA1 nor HMAC-SHA256. */
int uoms_oauth1_method_find(const char *name);

/*
 * Appends n bytes of s percent-encoded as RFC 5849 section 3.6 says:
 * ALPHA, DIGIT, '-', '.', '_' and '~' kept, every other byte %XX with
 * upper-case hex. -1 when out of memory.
 */
int uoms_oauth1_encode(struct uoms_buf *out, const char *s, size_t n);

/*
 * The signature base string (RFC 5849 section 3.4.1) of a request to url
 * with http_method: the method, the base string URI (scheme and host in
 * lower case, the default port left out, no query) and the normalised
 * parameters - those of url's query (decoded as a form: '+' is a space)
 * and the nparams more in params (the oauth_* ones, a form body's),
 * sorted by encoded name, then value. Into out (cleared first); -1 with
 * why when url can't be parsed or memory runs out.
 */
int uoms_oauth1_base(const char *http_method, const char *url,
    const struct uoms_oauth1_param *params, size_t nparams,
    struct uoms_buf *out, char *why, size_t whylen);

/*
 * base64 of HMAC(key, base) with key = encoded consumer_secret "&"
 * encoded token_secret (NULL: none, one-legged), as section 3.4.2 says,
 * into out (NUL-terminated; 45 bytes hold either method's). -1 when out
 * is too small or the digest fails. The key is wiped after use.
 */
int uoms_oauth1_signature(enum uoms_oauth1_method m,
    const char *consumer_secret, const char *token_secret, const char *base,
    char *out, size_t outlen);

/*
 * Signs a one-legged request in its query string (WooCommerce's form):
 * appends to url oauth_consumer_key, oauth_nonce, oauth_signature_method,
 * oauth_timestamp (timestamp, seconds since the epoch) and last
 * oauth_signature, each encoded, after '?' or '&' as url needs. url must
 * not carry oauth_* parameters already. -1 with why (no secret in it).
 */
int uoms_oauth1_sign_url(struct uoms_buf *url, const char *http_method,
    const char *consumer_key, const char *consumer_secret,
    enum uoms_oauth1_method m, long long timestamp, const char *nonce,
    char *why, size_t whylen);

/* A fresh nonce: 32 random hex digits into out (33 bytes); -1 on failure. */
int uoms_oauth1_nonce(char *out, size_t outlen);

#endif
