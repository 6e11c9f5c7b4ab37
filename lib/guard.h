/*
 * guard: what keeps a fetch from leaking a channel's secrets or looping
 * on a hostile server (issue 8), kept apart from the engine (fetch.h) so
 * each piece is tested on its own: one masking function for every
 * message, memory that is wiped before it is freed, and the set of
 * requests a fetch has made.
 */
#ifndef UOMS_GUARD_H
#define UOMS_GUARD_H

#include <stddef.h>

#include "buf.h"

#define UOMS_MASK_MAX 128

/*
 * The texts to hide: zero-initialised, filled with the uoms_mask_add*
 * functions, applied with uoms_mask_apply, freed with uoms_mask_free.
 * The texts are borrowed (they must outlive the mask), except the
 * percent-encoded forms it makes itself.
 */
struct uoms_mask {
	struct {
		const char *p;
		size_t n;
	} nd[UOMS_MASK_MAX];
	int n;
	struct uoms_buf esc[16];
	int nesc;
};

/* A secret's value, as it is and percent-encoded. */
void uoms_mask_add_secret(struct uoms_mask *m, const char *value);
/* A credential header ("Name: value"): its whole value, the credentials
 * after the scheme ("Bearer X"), and each parameter's value of 8 bytes or
 * more ("signature=X"), any of which a server may echo alone. */
void uoms_mask_add_header(struct uoms_mask *m, const char *header);
/* The values of a form body's (n bytes) members whose names hold secret,
 * sign, token, password, key or code. */
void uoms_mask_add_form(struct uoms_mask *m, const char *body, size_t n);
/* out = in with every text of m replaced by "****" (the longest that
 * matches at each place), and every start of one at least UOMS_MASK_PART
 * bytes long (a secret cut short), cut to outlen. */
#define UOMS_MASK_PART 8
void uoms_mask_apply(const struct uoms_mask *m, const char *in, char *out,
    size_t outlen);
/* Wipes and frees what m made; m is then empty. */
void uoms_mask_free(struct uoms_mask *m);

/*
 * free() and realloc() that zero the memory first (its whole usable
 * size), for libraries' copies of secrets (libcurl through
 * curl_global_init_mem, jansson through json_set_alloc_funcs). realloc
 * always moves, wiping the old block.
 */
void uoms_wipe_free(void *p);
void *uoms_wipe_realloc(void *p, size_t n);
char *uoms_wipe_strdup(const char *s);

/* The requests a fetch has made, a 16-byte hash each; zero-initialised. */
struct uoms_seen {
	unsigned char (*h)[16];		/* SHA-256, first 16 bytes */
	long *page;			/* the page that asked it; 0: free */
	size_t n, cap;
};

/*
 * Adds the request (method, url, body of n bytes) made by page (> 0).
 * Returns the page that made the same request before, or 0 when it is
 * new (or cannot be remembered: out of memory).
 */
long uoms_seen_add(struct uoms_seen *sn, const char *method, const char *url,
    const char *body, size_t n, long page);
void uoms_seen_free(struct uoms_seen *sn);

#endif
