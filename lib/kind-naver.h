/*
 * kind-naver: the Naver Commerce API (SmartStore) as a channel kind
 * (uoms_kind_naver, kind.h). What is exported here is only what a
 * known-answer test needs to pin: the token request's signature.
 */
#ifndef UOMS_KIND_NAVER_H
#define UOMS_KIND_NAVER_H

#include <stddef.h>

/*
 * client_secret_sign: base64(bcrypt(client_id + "_" + timestamp), with
 * client_secret as the bcrypt salt), through libxcrypt and libcrypto.
 * timestamp is Unix time in milliseconds, as text. Writes the sign and a
 * NUL into out (>= 128 bytes). Borrows everything. Returns 0, or -1 with
 * why filled (never the secret): the secret is not a bcrypt salt.
 * https://apicenter.commerce.naver.com/docs/auth
 *
 * The sign carries the salt, that is the client secret, in clear (bcrypt
 * output starts with its salt): it is a secret like the secret itself.
 */
int uoms_naver_sign(const char *client_id, const char *timestamp,
    const char *client_secret, char *out, size_t outlen, char *why,
    size_t whylen);

#endif
