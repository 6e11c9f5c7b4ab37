/*
 * guard: masking, wiping and the set of requests seen, for the fetch
 * engine (guard.h says why each exists).
 */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "guard.h"
#include "kind.h"

static void
add(struct uoms_mask *m, const char *p, size_t n)
{
	if (p != NULL && n > 0 && m->n < UOMS_MASK_MAX) {
		m->nd[m->n].p = p;
		m->nd[m->n].n = n;
		m->n++;
	}
}

void
uoms_mask_add_secret(struct uoms_mask *m, const char *value)
{
	struct uoms_buf *e;

	add(m, value, strlen(value));
	if (m->nesc == (int)(sizeof m->esc / sizeof m->esc[0]))
		return;
	e = &m->esc[m->nesc++];
	uoms_url_escape(e, value);
	if (e->n != strlen(value))
		add(m, e->p, e->n);
}

void
uoms_mask_add_header(struct uoms_mask *m, const char *h)
{
	const char *v = strchr(h, ':'), *p, *end;

	if (v == NULL) {
		add(m, h, strlen(h));
		return;
	}
	for (v++; *v == ' '; v++)
		;
	add(m, v, strlen(v));
	if ((p = strchr(v, ' ')) != NULL)
		add(m, p + 1, strlen(p + 1));
	for (p = v; (p = strchr(p, '=')) != NULL;) {
		p++;
		end = p + strcspn(p, ", ;");
		if (end - p >= 8)
			add(m, p, end - p);
		p = end;
	}
}

void
uoms_mask_add_form(struct uoms_mask *m, const char *p, size_t n)
{
	static const char *const names[] = { "secret", "sign", "token",
	    "password", "key", "code" };
	const char *end = p + n;

	while (p != NULL && p < end) {
		const char *amp = memchr(p, '&', end - p), *stop, *eq;

		stop = amp != NULL ? amp : end;
		eq = memchr(p, '=', stop - p);
		for (size_t i = 0; eq != NULL && i < sizeof names /
		    sizeof names[0]; i++)
			if (memmem(p, eq - p, names[i], strlen(names[i])) !=
			    NULL) {
				add(m, eq + 1, stop - eq - 1);
				break;
			}
		p = amp != NULL ? amp + 1 : NULL;
	}
}

void
uoms_mask_apply(const struct uoms_mask *m, const char *in, char *out,
    size_t outlen)
{
	size_t o = 0;

	if (outlen == 0)
		return;
	while (*in != '\0' && o + 1 < outlen) {
		size_t best = 0;

		/* A whole text, or at least UOMS_MASK_PART bytes of its
		 * start: a message may hold a secret cut short (a quote of
		 * the server's text cut to a length). */
		for (int i = 0; i < m->n; i++) {
			size_t l = 0;

			while (l < m->nd[i].n && in[l] != '\0' &&
			    in[l] == m->nd[i].p[l])
				l++;
			if ((l == m->nd[i].n || l >= UOMS_MASK_PART) &&
			    l > best)
				best = l;
		}
		if (best > 0) {
			for (int k = 0; k < 4 && o + 1 < outlen; k++)
				out[o++] = '*';
			in += best;
		} else
			out[o++] = *in++;
	}
	out[o] = '\0';
}

void
uoms_mask_free(struct uoms_mask *m)
{
	for (int i = 0; i < m->nesc; i++)
		uoms_buf_free(&m->esc[i]);
	memset(m, 0, sizeof *m);
}

void
uoms_wipe_free(void *p)
{
	if (p != NULL)
		explicit_bzero(p, malloc_usable_size(p));
	free(p);
}

void *
uoms_wipe_realloc(void *p, size_t n)
{
	size_t old;
	void *q;

	if (p == NULL)
		return malloc(n);
	if (n == 0) {
		uoms_wipe_free(p);
		return NULL;
	}
	if ((q = malloc(n)) == NULL)
		return NULL;
	old = malloc_usable_size(p);
	memcpy(q, p, old < n ? old : n);
	uoms_wipe_free(p);
	return q;
}

char *
uoms_wipe_strdup(const char *s)
{
	return strdup(s);
}

void
uoms_seen_free(struct uoms_seen *sn)
{
	free(sn->h);
	free(sn->page);
	memset(sn, 0, sizeof *sn);
}

/* Doubles the table (or makes its first 64 slots); -1 out of memory. */
static int
grow(struct uoms_seen *sn)
{
	struct uoms_seen b = { 0 };
	size_t i, k;

	b.cap = sn->cap ? sn->cap * 2 : 64;
	b.h = calloc(b.cap, sizeof *b.h);
	b.page = calloc(b.cap, sizeof *b.page);
	if (b.h == NULL || b.page == NULL) {
		uoms_seen_free(&b);
		return -1;
	}
	for (i = 0; i < sn->cap; i++) {
		if (sn->page[i] == 0)
			continue;
		memcpy(&k, sn->h[i], sizeof k);
		for (k &= b.cap - 1; b.page[k] != 0; k = (k + 1) & (b.cap - 1))
			;
		memcpy(b.h[k], sn->h[i], 16);
		b.page[k] = sn->page[i];
	}
	b.n = sn->n;
	uoms_seen_free(sn);
	*sn = b;
	return 0;
}

long
uoms_seen_add(struct uoms_seen *sn, const char *method, const char *url,
    const char *body, size_t n, long page)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	size_t i, mask;
	int rc;

	/* Method, URL and body, each ended so that no two requests hash
	 * the same bytes. */
	rc = c != NULL && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(c, method, strlen(method) + 1) == 1 &&
	    EVP_DigestUpdate(c, url, strlen(url) + 1) == 1 &&
	    EVP_DigestUpdate(c, body != NULL ? body : "", n) == 1 &&
	    EVP_DigestFinal_ex(c, md, &mdlen) == 1;
	EVP_MD_CTX_free(c);
	if (!rc || page <= 0 || ((sn->n + 1) * 2 > sn->cap && grow(sn) < 0))
		return 0;
	mask = sn->cap - 1;
	memcpy(&i, md, sizeof i);
	for (i &= mask; sn->page[i] != 0; i = (i + 1) & mask)
		if (memcmp(sn->h[i], md, 16) == 0)
			return sn->page[i];
	memcpy(sn->h[i], md, 16);
	sn->page[i] = page;
	sn->n++;
	return 0;
}
