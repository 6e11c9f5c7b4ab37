#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "digest.h"

static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha256_md;

static void
sha256_fetch(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

void
uoms_sha256(const void *p, size_t n, unsigned char md[UOMS_SHA256_LEN])
{
	unsigned int len = 0;

	pthread_once(&sha256_once, sha256_fetch);
	/* A library without SHA-256 cannot hash a line: nothing stored
	 * could be compared again, so no tool may go on. */
	if (sha256_md == NULL ||
	    EVP_Digest(p, n, md, &len, sha256_md, NULL) != 1 ||
	    len != UOMS_SHA256_LEN) {
		fputs("uoms: OpenSSL has no working SHA-256\n", stderr);
		abort();
	}
}
