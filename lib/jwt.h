/*
 * jwt: uoms-serve's access tokens, JSON Web Tokens signed with
 * HMAC-SHA256 (RFC 7519, HS256 only). A token is accepted only when its
 * header names exactly that algorithm, its signature is the key's
 * (compared in constant time) and its times hold; anything else is
 * refused with a reason for the log, never the token itself.
 */
#ifndef UOMS_JWT_H
#define UOMS_JWT_H

#include <stddef.h>

#include <jansson.h>

#include "buf.h"

/* Appends the base64url text (no padding, RFC 4648 section 5) of n bytes
 * at p to out; -1 when out of memory. */
int uoms_b64url_encode(const void *p, size_t n, struct uoms_buf *out);
/*
 * Decodes n characters of base64url without padding into out (room for
 * n * 3 / 4 bytes); the length into *len. Returns -1 for a character
 * outside the alphabet, a length no encoding has (n % 4 == 1), or
 * leftover bits that are not zero (one token, one spelling).
 */
int uoms_b64url_decode(const char *s, size_t n, unsigned char *out,
    size_t *len);

/*
 * Appends the token for claims (a JSON object, borrowed) signed with
 * key, "header.payload.signature", to out. Returns 0, or -1 when out of
 * memory.
 */
int uoms_jwt_sign(const unsigned char *key, size_t keylen,
    const json_t *claims, struct uoms_buf *out);

/*
 * Checks token against key at time now (seconds since 1970): the header
 * is {"alg":"HS256"} (with "typ":"JWT" or not, nothing else), the
 * signature matches, the payload is a JSON object whose "exp" is a
 * number after now and whose "nbf" and "iat", when present, are numbers
 * not after now. Returns 0 with *claims a new reference (the caller
 * json_decref's it and does not change it: a token verified is kept,
 * with its claims, in a small cache of the calling thread's, so its
 * next use is found there by its whole text and key, only its times
 * checked again), or -1 with *why a static reason (never a secret).
 */
int uoms_jwt_verify(const unsigned char *key, size_t keylen,
    const char *token, long long now, json_t **claims, const char **why);

#endif
