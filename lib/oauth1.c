/*
 * oauth1: RFC 5849 signatures for one-legged requests (see oauth1.h).
 * WooCommerce checks them as the RFC says: its base string is the method,
 * the encoded URL without the query, and the parameters (query and
 * oauth_*) sorted, each name=value encoded twice over; the key is the
 * consumer secret and '&' (no token).
 *   https://woocommerce.github.io/woocommerce-rest-api-docs/#authentication-over-http
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "oauth1.h"

/* An encoded name=value pair, for sorting. */
struct pair {
	struct uoms_buf name, value;
};

const char *
uoms_oauth1_method_name(enum uoms_oauth1_method m)
{
	return m == UOMS_OAUTH1_HMAC_SHA1 ? "HMAC-SHA1" : "HMAC-SHA256";
}

int
uoms_oauth1_method_find(const char *name)
{
	if (strcmp(name, "HMAC-SHA1") == 0)
		return UOMS_OAUTH1_HMAC_SHA1;
	if (strcmp(name, "HMAC-SHA256") == 0)
		return UOMS_OAUTH1_HMAC_SHA256;
	return -1;
}

int
uoms_oauth1_encode(struct uoms_buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";

	/* ASCII ranges, not isalnum(): a locale must not change a
	 * signature. */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		char esc[3] = { '%', hex[c >> 4], hex[c & 15] };

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			if (uoms_buf_add(out, s + i, 1) < 0)
				return -1;
		} else if (uoms_buf_add(out, esc, 3) < 0) {
			return -1;
		}
	}
	if (out->p == NULL && uoms_buf_add(out, "", 0) < 0)
		return -1;
	return 0;
}

/* n bytes of a form-encoded text, decoded ('+' a space) into out. */
static int
form_decode(struct uoms_buf *out, const char *s, size_t n)
{
	uoms_buf_clear(out);
	if (uoms_buf_add(out, "", 0) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int hi = i + 2 < n ? OPENSSL_hexchar2int(s[i + 1]) : -1;
		int lo = i + 2 < n ? OPENSSL_hexchar2int(s[i + 2]) : -1;

		if (c == '+')
			c = ' ';
		else if (c == '%' && hi >= 0 && lo >= 0) {
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		if (uoms_buf_add(out, &c, 1) < 0)
			return -1;
	}
	return 0;
}

static int
pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c = strcmp(x->name.p, y->name.p);

	return c != 0 ? c : strcmp(x->value.p, y->value.p);
}

/* Adds a decoded pair, encoded, to *pp (n of them so far). */
static int
pair_add(struct pair **pp, size_t *n, const char *name, size_t nl,
    const char *value, size_t vl)
{
	struct pair *p = realloc(*pp, (*n + 1) * sizeof **pp);

	if (p == NULL)
		return -1;
	*pp = p;
	memset(&p[*n], 0, sizeof p[*n]);
	(*n)++;
	if (uoms_oauth1_encode(&p[*n - 1].name, name, nl) < 0 ||
	    uoms_oauth1_encode(&p[*n - 1].value, value, vl) < 0)
		return -1;
	return 0;
}

/* The query's pairs (raw, n bytes), decoded then encoded, onto *pp. */
static int
query_pairs(struct pair **pp, size_t *np, const char *q, size_t n)
{
	struct uoms_buf name = { 0 }, value = { 0 };
	const char *end = q + n;
	int rc = 0;

	while (q < end && rc == 0) {
		const char *amp = memchr(q, '&', end - q), *stop, *eq;

		stop = amp != NULL ? amp : end;
		eq = memchr(q, '=', stop - q);
		if (stop > q) {
			/* "a" alone is a name with an empty value. */
			rc = form_decode(&name, q, (eq != NULL ? eq : stop) -
			    q) < 0 || form_decode(&value, eq != NULL ? eq + 1 :
			    stop, eq != NULL ? (size_t)(stop - eq - 1) : 0) <
			    0 || pair_add(pp, np, name.p, name.n, value.p,
			    value.n) < 0 ? -1 : 0;
		}
		q = stop + 1;
	}
	uoms_buf_free(&name);
	uoms_buf_free(&value);
	return rc;
}

/* scheme://host[:port]/path, lower-cased, the default port left out. */
static int
base_uri(const char *url, struct uoms_buf *out, struct uoms_buf *query,
    char *why, size_t whylen)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	char *q = NULL;
	int rc = -1;

	if (u == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK) {
		snprintf(why, whylen, "a URL that can't be signed");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_PORT, &port, CURLU_NO_DEFAULT_PORT) !=
	    CURLUE_OK)
		port = NULL;
	if (curl_url_get(u, CURLUPART_QUERY, &q, 0) != CURLUE_OK)
		q = NULL;
	for (char *c = scheme; *c != '\0'; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c += 'a' - 'A';
	for (char *c = host; *c != '\0'; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c += 'a' - 'A';
	rc = uoms_buf_printf(out, "%s://%s%s%s%s", scheme, host, port !=
	    NULL ? ":" : "", port != NULL ? port : "", path) < 0 ||
	    (q != NULL && uoms_buf_str(query, q) < 0) ? -1 : 0;
	if (rc < 0)
		snprintf(why, whylen, "out of memory");
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(q);
	curl_url_cleanup(u);
	return rc;
}

int
uoms_oauth1_base(const char *http_method, const char *url,
    const struct uoms_oauth1_param *params, size_t nparams,
    struct uoms_buf *out, char *why, size_t whylen)
{
	struct uoms_buf uri = { 0 }, query = { 0 }, norm = { 0 };
	struct pair *pairs = NULL;
	size_t n = 0;
	int rc = -1;

	uoms_buf_clear(out);
	if (base_uri(url, &uri, &query, why, whylen) < 0)
		goto out;
	if (query_pairs(&pairs, &n, query.p != NULL ? query.p : "",
	    query.n) < 0)
		goto oom;
	for (size_t i = 0; i < nparams; i++)
		if (pair_add(&pairs, &n, params[i].name,
		    strlen(params[i].name), params[i].value,
		    strlen(params[i].value)) < 0)
			goto oom;
	if (n > 0)
		qsort(pairs, n, sizeof *pairs, pair_cmp);
	/* Section 3.4.1.3.2: name=value joined by '&', then encoded
	 * again as the third part of the base string. */
	for (size_t i = 0; i < n; i++)
		if (uoms_buf_printf(&norm, "%s%s=%s", i > 0 ? "&" : "",
		    pairs[i].name.p, pairs[i].value.p) < 0)
			goto oom;
	for (const char *c = http_method; *c != '\0'; c++) {
		char up = *c >= 'a' && *c <= 'z' ? *c - ('a' - 'A') : *c;

		if (uoms_buf_add(out, &up, 1) < 0)
			goto oom;
	}
	if (uoms_buf_str(out, "&") < 0 ||
	    uoms_oauth1_encode(out, uri.p, uri.n) < 0 ||
	    uoms_buf_str(out, "&") < 0 ||
	    uoms_oauth1_encode(out, norm.p != NULL ? norm.p : "", norm.n) < 0)
		goto oom;
	rc = 0;
	goto out;
oom:
	snprintf(why, whylen, "out of memory");
out:
	for (size_t i = 0; i < n; i++) {
		uoms_buf_free(&pairs[i].name);
		uoms_buf_free(&pairs[i].value);
	}
	free(pairs);
	uoms_buf_free(&uri);
	uoms_buf_free(&query);
	uoms_buf_free(&norm);
	return rc;
}

int
uoms_oauth1_signature(enum uoms_oauth1_method m,
    const char *consumer_secret, const char *token_secret, const char *base,
    char *out, size_t outlen)
{
	struct uoms_buf key = { 0 };
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	int rc = -1;

	if (uoms_oauth1_encode(&key, consumer_secret,
	    strlen(consumer_secret)) < 0 || uoms_buf_str(&key, "&") < 0 ||
	    (token_secret != NULL && uoms_oauth1_encode(&key, token_secret,
	    strlen(token_secret)) < 0))
		goto out;
	if (HMAC(m == UOMS_OAUTH1_HMAC_SHA1 ? EVP_sha1() : EVP_sha256(),
	    key.p, (int)key.n, (const unsigned char *)base, strlen(base), mac,
	    &len) == NULL)
		goto out;
	if (outlen < 4 * ((len + 2) / 3) + 1)
		goto out;
	EVP_EncodeBlock((unsigned char *)out, mac, (int)len);
	rc = 0;
out:
	OPENSSL_cleanse(mac, sizeof mac);
	uoms_buf_free(&key);	/* wiped */
	return rc;
}

int
uoms_oauth1_sign_url(struct uoms_buf *url, const char *http_method,
    const char *consumer_key, const char *consumer_secret,
    enum uoms_oauth1_method m, long long timestamp, const char *nonce,
    char *why, size_t whylen)
{
	char ts[24], sig[64];
	struct uoms_oauth1_param p[4] = {
		{ "oauth_consumer_key", consumer_key },
		{ "oauth_nonce", nonce },
		{ "oauth_signature_method", uoms_oauth1_method_name(m) },
		{ "oauth_timestamp", ts },
	};
	struct uoms_buf base = { 0 };
	char sep;
	int rc = -1;

	snprintf(ts, sizeof ts, "%lld", timestamp);
	if (url->p == NULL || uoms_oauth1_base(http_method, url->p, p, 4,
	    &base, why, whylen) < 0)
		goto out;
	if (uoms_oauth1_signature(m, consumer_secret, NULL, base.p, sig,
	    sizeof sig) < 0) {
		snprintf(why, whylen, "the signature failed");
		goto out;
	}
	/* After '?' when there is no query yet, else after '&'. */
	sep = strchr(url->p, '?') == NULL ? '?' : url->n > 0 &&
	    (url->p[url->n - 1] == '?' || url->p[url->n - 1] == '&') ? 0 : '&';
	for (size_t i = 0; i < 4; i++) {
		if (sep != 0 && uoms_buf_add(url, &sep, 1) < 0)
			goto oom;
		sep = '&';
		if (uoms_buf_printf(url, "%s=", p[i].name) < 0 ||
		    uoms_oauth1_encode(url, p[i].value, strlen(p[i].value)) < 0)
			goto oom;
	}
	if (uoms_buf_str(url, "&oauth_signature=") < 0 ||
	    uoms_oauth1_encode(url, sig, strlen(sig)) < 0)
		goto oom;
	rc = 0;
	goto out;
oom:
	snprintf(why, whylen, "out of memory");
out:
	OPENSSL_cleanse(sig, sizeof sig);
	uoms_buf_free(&base);
	return rc;
}

int
uoms_oauth1_nonce(char *out, size_t outlen)
{
	unsigned char r[16];

	if (outlen < 2 * sizeof r + 1 || RAND_bytes(r, sizeof r) != 1)
		return -1;
	for (size_t i = 0; i < sizeof r; i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
	return 0;
}
