#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "http.h"

int
uoms_http_header(const struct uoms_http_resp *r, const char *name,
    char *out, size_t outlen)
{
	size_t n = strlen(name);
	const char *p = r->headers, *end = r->headers + r->headers_len;

	while (p != NULL && p < end) {
		const char *eol = memchr(p, '\n', end - p);
		const char *stop = eol != NULL ? eol : end;

		if ((size_t)(stop - p) > n && p[n] == ':' &&
		    strncasecmp(p, name, n) == 0) {
			const char *v = p + n + 1;

			while (v < stop && (*v == ' ' || *v == '\t'))
				v++;
			while (stop > v && isspace((unsigned char)stop[-1]))
				stop--;
			snprintf(out, outlen, "%.*s", (int)(stop - v), v);
			return 0;
		}
		p = eol != NULL ? eol + 1 : NULL;
	}
	return -1;
}

void
uoms_http_req_header(struct uoms_http_req *req, int secret, const char *fmt,
    ...)
{
	va_list ap;
	char *h;
	int n;

	if (req->nheaders == UOMS_HTTP_MAX_HEADERS)
		return;
	/* Measured, then written once into its own block: vasprintf()
	 * grows its buffer with realloc and would leave copies of a
	 * secret header in freed memory. */
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (h = malloc((size_t)n + 1)) == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(h, (size_t)n + 1, fmt, ap);
	va_end(ap);
	req->secret_header[req->nheaders] = secret;
	req->headers[req->nheaders++] = h;
}

void
uoms_http_req_free(struct uoms_http_req *req)
{
	for (int i = 0; i < req->nheaders; i++) {
		explicit_bzero(req->headers[i], strlen(req->headers[i]));
		free(req->headers[i]);
	}
	uoms_buf_free(&req->url);
	uoms_buf_free(&req->body);
	memset(req, 0, sizeof *req);
}

void
uoms_url_escape(struct uoms_buf *out, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = *s;

		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
			uoms_buf_add(out, s, 1);
		else
			uoms_buf_printf(out, "%%%02X", c);
	}
}

/* Lower-case scheme://host[:port], the port left out when it is the
 * scheme's default; -1 when u has no scheme or host. */
static int
origin_of(CURLU *u, char *out, size_t outlen)
{
	char *scheme = NULL, *host = NULL, *port = NULL;
	int rc = -1;

	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) ==
	    CURLUE_OK) {
		int dflt = (strcmp(scheme, "http") == 0 &&
		    strcmp(port, "80") == 0) || (strcmp(scheme, "https") == 0 &&
		    strcmp(port, "443") == 0);

		for (char *p = host; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
		snprintf(out, outlen, "%s://%s%s%s", scheme, host,
		    dflt ? "" : ":", dflt ? "" : port);
		rc = 0;
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	return rc;
}

int
uoms_url_origin(const char *url, char *out, size_t outlen)
{
	CURLU *u = curl_url();
	int rc = -1;

	out[0] = '\0';
	if (u != NULL && curl_url_set(u, CURLUPART_URL, url,
	    CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK)
		rc = origin_of(u, out, outlen);
	curl_url_cleanup(u);
	return rc;
}

int
uoms_url_next(const char *channel_url, const char *page_url,
    const char *ref, size_t n, struct uoms_buf *out, char *why,
    size_t whylen)
{
	char own[300], their[300], *r = NULL, *scheme = NULL, *full = NULL;
	CURLU *u = curl_url();
	int rc = -1;

	if (u == NULL || (r = strndup(ref, n)) == NULL) {
		snprintf(why, whylen, "out of memory");
		goto out;
	}
	/* RFC 3986 section 5: a reference resolved against the page it
	 * came from, by libcurl's URL parser rather than by hand; but an
	 * empty or fragment-only reference is the page itself (5.4.1),
	 * where libcurl 7.88 drops the last segment. */
	if (curl_url_set(u, CURLUPART_URL, page_url, 0) != CURLUE_OK ||
	    (r[0] != '\0' && r[0] != '#' && curl_url_set(u, CURLUPART_URL, r,
	    CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK)) {
		snprintf(why, whylen, "its next link '%.200s' is not a URL: "
		    "not followed", r);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)) {
		snprintf(why, whylen, "its next link '%.200s' is not http or "
		    "https: not followed", r);
		goto out;
	}
	/* The channel's credentials go with every request: only to the
	 * channel's own origin, so never to another host or port, and
	 * never from https down to http. */
	if (uoms_url_origin(channel_url, own, sizeof own) < 0 ||
	    origin_of(u, their, sizeof their) < 0 ||
	    strcmp(own, their) != 0) {
		snprintf(why, whylen, "its next link is on another origin "
		    "(%s), not the channel's (%s): not followed", their, own);
		goto out;
	}
	curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
	if (curl_url_get(u, CURLUPART_URL, &full, 0) != CURLUE_OK) {
		snprintf(why, whylen, "its next link '%.200s' is not a URL: "
		    "not followed", r);
		goto out;
	}
	uoms_buf_clear(out);
	rc = uoms_buf_str(out, full) < 0 ? -1 : 0;
	if (rc < 0)
		snprintf(why, whylen, "out of memory");
out:
	free(r);
	curl_free(scheme);
	curl_free(full);
	curl_url_cleanup(u);
	return rc;
}
