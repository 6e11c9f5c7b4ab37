#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>
#include <openssl/opensslv.h>

#include "digest.h"

/*
 * libcrypto is loaded here on first use, not linked: its relocation at
 * start-up was 3 of the 7 million instructions a one-shot uoms-status
 * ran, to hash nothing (only an idempotency key or an ingested line is
 * hashed). A tool that calls OpenSSL elsewhere still links it, and then
 * dlopen finds it loaded.
 */
#define STR_(x) #x
#define STR(x) STR_(x)
#define CRYPTO_SONAME "libcrypto.so." STR(OPENSSL_VERSION_MAJOR)

#define CRYPTO_FUNCS \
	X(EVP_Digest) \
	X(EVP_EncodeBlock) \
	X(EVP_MD_fetch)

static struct {
#define X(f) __typeof__(f) *f;
	CRYPTO_FUNCS
#undef X
} crypto;

static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha256_md;

/* All or none: crypto.EVP_MD_fetch set means every function is. */
static void
crypto_load(void)
{
	void *lib;

	if ((lib = dlopen(CRYPTO_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL)
		return;
#define X(f) if ((*(void **)&crypto.f = dlsym(lib, #f)) == NULL) return;
	CRYPTO_FUNCS
#undef X
	sha256_md = crypto.EVP_MD_fetch(NULL, "SHA256", NULL);
}

/* A tool that cannot hash or encode cannot go on: nothing stored could
 * be compared again. */
static void
crypto_need(void)
{
	pthread_once(&crypto_once, crypto_load);
	if (sha256_md == NULL) {
		fprintf(stderr, "uoms: OpenSSL (" CRYPTO_SONAME ") has no "
		    "working SHA-256: %s\n", crypto.EVP_MD_fetch == NULL ?
		    "not loaded" : "not found in it");
		abort();
	}
}

void
uoms_sha256(const void *p, size_t n, unsigned char md[UOMS_SHA256_LEN])
{
	unsigned int len = 0;

	crypto_need();
	if (crypto.EVP_Digest(p, n, md, &len, sha256_md, NULL) != 1 ||
	    len != UOMS_SHA256_LEN) {
		fputs("uoms: OpenSSL has no working SHA-256\n", stderr);
		abort();
	}
}

int
uoms_base64(char *out, const void *p, size_t n)
{
	crypto_need();
	return crypto.EVP_EncodeBlock((unsigned char *)out,
	    (const unsigned char *)p, (int)n);
}
