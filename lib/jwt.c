/*
 * jwt: HS256 JSON Web Tokens over libcrypto's HMAC (jwt.h).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "jwt.h"

/* A token longer than this is refused before anything is decoded: a
 * header is far shorter, and the server's header limit smaller still. */
#define JWT_MAX 8192

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int
uoms_b64url_encode(const void *p, size_t n, struct uoms_buf *out)
{
	const unsigned char *s = p;
	char q[4];
	size_t i;

	for (i = 0; i + 3 <= n; i += 3) {
		q[0] = b64url[s[i] >> 2];
		q[1] = b64url[(s[i] & 3) << 4 | s[i + 1] >> 4];
		q[2] = b64url[(s[i + 1] & 15) << 2 | s[i + 2] >> 6];
		q[3] = b64url[s[i + 2] & 63];
		if (uoms_buf_add(out, q, 4) < 0)
			return -1;
	}
	if (n - i == 1) {
		q[0] = b64url[s[i] >> 2];
		q[1] = b64url[(s[i] & 3) << 4];
		return uoms_buf_add(out, q, 2);
	}
	if (n - i == 2) {
		q[0] = b64url[s[i] >> 2];
		q[1] = b64url[(s[i] & 3) << 4 | s[i + 1] >> 4];
		q[2] = b64url[(s[i + 1] & 15) << 2];
		return uoms_buf_add(out, q, 3);
	}
	return 0;
}

static int
b64url_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

int
uoms_b64url_decode(const char *s, size_t n, unsigned char *out, size_t *len)
{
	unsigned long acc = 0;
	int bits = 0, v;
	size_t o = 0;

	if (n % 4 == 1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if ((v = b64url_value((unsigned char)s[i])) < 0)
			return -1;
		acc = (acc << 6 | (unsigned long)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	/* The bits left over must be zero: one token, one spelling. */
	if (bits > 0 && (acc & ((1UL << bits) - 1)) != 0)
		return -1;
	*len = o;
	return 0;
}

static int
hs256(const unsigned char *key, size_t keylen, const char *data, size_t n,
    unsigned char mac[32])
{
	unsigned int maclen = 0;

	if (HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)data,
	    n, mac, &maclen) == NULL || maclen != 32)
		return -1;
	return 0;
}

int
uoms_jwt_sign(const unsigned char *key, size_t keylen, const json_t *claims,
    struct uoms_buf *out)
{
	static const char header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
	unsigned char mac[32];
	size_t start = out->n;
	char *payload;
	int rc = -1;

	payload = json_dumps(claims, JSON_COMPACT);
	if (payload == NULL)
		return -1;
	if (uoms_b64url_encode(header, sizeof header - 1, out) < 0 ||
	    uoms_buf_add(out, ".", 1) < 0 ||
	    uoms_b64url_encode(payload, strlen(payload), out) < 0)
		goto out;
	if (hs256(key, keylen, out->p + start, out->n - start, mac) < 0 ||
	    uoms_buf_add(out, ".", 1) < 0 ||
	    uoms_b64url_encode(mac, sizeof mac, out) < 0)
		goto out;
	rc = 0;
out:
	OPENSSL_cleanse(mac, sizeof mac);
	free(payload);
	return rc;
}

/* The header must say HS256 and nothing but, "typ":"JWT" aside: a
 * token that asks for "none", RS256 or a key id is not ours. */
static int
header_ok(const unsigned char *h, size_t n)
{
	json_t *j = json_loadb((const char *)h, n, JSON_REJECT_DUPLICATES,
	    NULL);
	const char *k;
	json_t *v;
	int ok;

	if (j == NULL)
		return 0;
	ok = json_is_object(j) &&
	    json_is_string(json_object_get(j, "alg")) &&
	    strcmp(json_string_value(json_object_get(j, "alg")), "HS256") ==
	    0;
	json_object_foreach(j, k, v) {
		if (strcmp(k, "alg") == 0)
			continue;
		if (strcmp(k, "typ") == 0 && json_is_string(v) &&
		    strcmp(json_string_value(v), "JWT") == 0)
			continue;
		ok = 0;
	}
	json_decref(j);
	return ok;
}

/* A time claim: absent (-1 unless required), or a whole number. */
static int
time_claim(json_t *claims, const char *name, long long *t)
{
	json_t *v = json_object_get(claims, name);

	*t = 0;
	if (v == NULL)
		return 0;
	if (json_is_integer(v)) {
		*t = json_integer_value(v);
		return 1;
	}
	if (json_is_real(v) && json_real_value(v) > -9e15 &&
	    json_real_value(v) < 9e15) {
		*t = (long long)json_real_value(v);
		return 1;
	}
	return -1;
}

/* The times of claims j hold at now: 0, or -1 with *why. */
static int
times_ok(json_t *j, long long now, const char **why)
{
	long long exp, nbf, iat;
	int has;

	if ((has = time_claim(j, "exp", &exp)) <= 0) {
		*why = "no exp";
		return -1;
	}
	if (exp <= now) {
		*why = "expired";
		return -1;
	}
	if ((has = time_claim(j, "nbf", &nbf)) < 0 || (has && nbf > now)) {
		*why = "not valid yet";
		return -1;
	}
	if ((has = time_claim(j, "iat", &iat)) < 0 || (has && iat > now)) {
		*why = "issued in the future";
		return -1;
	}
	return 0;
}

/*
 * The tokens a thread verified last, with their claims: a client sends
 * the same token on every request until it expires, and checking it
 * again (two base64 decodes, two JSON parses, an HMAC whose digest
 * libcrypto fetches by name each time) was a sixth of a GET's time in
 * uoms-serve. A token is found only by its whole text under the same
 * key (compared in constant time), so what it says was checked once and
 * cannot have changed; its times are checked again on every use. One
 * cache a thread: no lock, and jansson's counts stay in one thread.
 */
#define CACHED 4

struct cached {
	char *token;			/* NULL: an empty slot */
	size_t n;
	unsigned char *key;
	size_t keylen;
	json_t *claims;
};

struct cache {
	struct cached slot[CACHED];
	int next;			/* the slot taken next */
};

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static int cache_ready;

static void
slot_clear(struct cached *c)
{
	free(c->token);
	if (c->key != NULL)
		OPENSSL_cleanse(c->key, c->keylen);
	free(c->key);
	json_decref(c->claims);
	memset(c, 0, sizeof *c);
}

static void
cache_free(void *p)
{
	struct cache *c = p;

	for (int i = 0; i < CACHED; i++)
		slot_clear(&c->slot[i]);
	free(c);
}

static void
cache_init(void)
{
	cache_ready = pthread_key_create(&cache_key, cache_free) == 0;
}

/* This thread's cache, NULL when there can be none. */
static struct cache *
cache(void)
{
	struct cache *c;

	pthread_once(&cache_once, cache_init);
	if (!cache_ready)
		return NULL;
	if ((c = pthread_getspecific(cache_key)) == NULL &&
	    (c = calloc(1, sizeof *c)) != NULL &&
	    pthread_setspecific(cache_key, c) != 0) {
		free(c);
		c = NULL;
	}
	return c;
}

static struct cached *
cache_find(struct cache *c, const unsigned char *key, size_t keylen,
    const char *token, size_t n)
{
	for (int i = 0; c != NULL && i < CACHED; i++) {
		struct cached *s = &c->slot[i];

		if (s->token != NULL && s->n == n && s->keylen == keylen &&
		    CRYPTO_memcmp(s->token, token, n) == 0 &&
		    CRYPTO_memcmp(s->key, key, keylen) == 0)
			return s;
	}
	return NULL;
}

/* Keeps token's claims j (a reference of its own) in c; no matter if
 * there is no memory for it. */
static void
cache_put(struct cache *c, const unsigned char *key, size_t keylen,
    const char *token, size_t n, json_t *j)
{
	struct cached *s;

	if (c == NULL)
		return;
	s = &c->slot[c->next];
	c->next = (c->next + 1) % CACHED;
	slot_clear(s);
	if ((s->token = malloc(n)) == NULL || (s->key = malloc(keylen ?
	    keylen : 1)) == NULL) {
		slot_clear(s);
		return;
	}
	memcpy(s->token, token, n);
	s->n = n;
	memcpy(s->key, key, keylen);
	s->keylen = keylen;
	s->claims = json_incref(j);
}

int
uoms_jwt_verify(const unsigned char *key, size_t keylen, const char *token,
    long long now, json_t **claims, const char **why)
{
	unsigned char buf[JWT_MAX], mac[32];
	const char *dot1, *dot2;
	struct cache *c = cache();
	struct cached *hit;
	size_t n, len;
	json_t *j;

	*claims = NULL;
	n = strnlen(token, JWT_MAX + 1);
	if (n > JWT_MAX) {
		*why = "token too long";
		return -1;
	}
	if ((hit = cache_find(c, key, keylen, token, n)) != NULL) {
		if (times_ok(hit->claims, now, why) < 0)
			return -1;
		*claims = json_incref(hit->claims);
		return 0;
	}
	if ((dot1 = memchr(token, '.', n)) == NULL ||
	    (dot2 = memchr(dot1 + 1, '.', n - (size_t)(dot1 + 1 - token))) ==
	    NULL || memchr(dot2 + 1, '.', n - (size_t)(dot2 + 1 - token)) !=
	    NULL) {
		*why = "not three segments";
		return -1;
	}
	if (uoms_b64url_decode(token, (size_t)(dot1 - token), buf, &len) < 0 ||
	    !header_ok(buf, len)) {
		*why = "header is not HS256";
		return -1;
	}
	/* The signature before the payload is read: nothing a forger
	 * wrote is parsed beyond the header. */
	if (uoms_b64url_decode(dot2 + 1, n - (size_t)(dot2 + 1 - token), buf,
	    &len) < 0 || len != sizeof mac ||
	    hs256(key, keylen, token, (size_t)(dot2 - token), mac) < 0 ||
	    CRYPTO_memcmp(buf, mac, sizeof mac) != 0) {
		OPENSSL_cleanse(mac, sizeof mac);
		*why = "bad signature";
		return -1;
	}
	OPENSSL_cleanse(mac, sizeof mac);
	if (uoms_b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), buf,
	    &len) < 0 || (j = json_loadb((const char *)buf, len,
	    JSON_REJECT_DUPLICATES, NULL)) == NULL) {
		*why = "payload is not JSON";
		return -1;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		*why = "payload is not an object";
		return -1;
	}
	if (times_ok(j, now, why) < 0) {
		json_decref(j);
		return -1;
	}
	cache_put(c, key, keylen, token, n, j);
	*claims = j;
	return 0;
}
