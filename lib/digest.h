/*
 * digest: SHA-256 of a run of bytes, for the hot paths that hash every
 * line and every member of it (ingest's line hash, the channel's last
 * word). OpenSSL 3's one-shot SHA256() looks the algorithm up by name on
 * every call, which cost more than the hashing itself; this fetches it
 * once per process. libcrypto itself is loaded at the first call, not
 * linked: most runs of a one-shot tool hash nothing.
 */
#ifndef UOMS_DIGEST_H
#define UOMS_DIGEST_H

#include <stddef.h>

#define UOMS_SHA256_LEN 32

/* md = SHA-256(p[0..n)). Aborts when OpenSSL has no SHA-256 at all. */
void uoms_sha256(const void *p, size_t n, unsigned char md[UOMS_SHA256_LEN]);

/* Writes p[0..n) in base64 to out, which holds 4 * ((n + 2) / 3) + 1
 * bytes, NUL-terminated; returns the length written. Aborts as
 * uoms_sha256 when libcrypto cannot be loaded. */
int uoms_base64(char *out, const void *p, size_t n);

#endif
