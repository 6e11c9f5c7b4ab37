/*
 * http: the request a kind makes and the answer it reads (kind.h), with
 * the header and URL helpers both sides use. No network here: the fetch
 * engine (fetch.c) sends them.
 */
#ifndef UOMS_HTTP_H
#define UOMS_HTTP_H

#include <stddef.h>

#include "buf.h"

#define UOMS_HTTP_MAX_HEADERS 16

/* One request to make. The kind fills it; the engine sends it. */
struct uoms_http_req {
	char method[8];			/* "GET", "POST" */
	struct uoms_buf url;		/* absolute, query included as sent */
	char *headers[UOMS_HTTP_MAX_HEADERS];	/* "Name: value", malloc'd */
	int nheaders;
	struct uoms_buf body;		/* empty for GET */
	/* Header values that must never be shown (--dry-run masks them). */
	int secret_header[UOMS_HTTP_MAX_HEADERS];
	/* Seconds the engine waits, at least, before sending it (0: the
	 * channel's pace alone): a kind that reads the channel's own
	 * throttle (a query cost budget) says here how long it needs. The
	 * kind bounds it. */
	double wait;
	/* The last request again: the channel said "later" in an answer
	 * the kind read (a throttle), or refused() took a 401 and got a new
	 * token. Not a new page, so neither counted against max_pages nor
	 * taken for a cycle; the kind bounds how often. */
	int again;
};

/* An answer. Header lookup is by name, case-insensitive. */
struct uoms_http_resp {
	long status;
	const char *body;
	size_t len;
	const char *headers;		/* raw header block */
	size_t headers_len;
};

/* Copies the value of header name into out (trimmed); 0, or -1 if absent. */
int uoms_http_header(const struct uoms_http_resp *r, const char *name,
    char *out, size_t outlen);

/* Adds a header to req (a copy); secret marks it masked in --dry-run. */
void uoms_http_req_header(struct uoms_http_req *req, int secret,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void uoms_http_req_free(struct uoms_http_req *req);

/*
 * The origin of url (RFC 6454: lower-case scheme://host[:port], the
 * port left out when it is the scheme's default) into out; -1 (out
 * empty) when url has no scheme or host.
 */
int uoms_url_origin(const char *url, char *out, size_t outlen);

/*
 * Resolves a next-page link ref (n bytes, absolute or relative) against
 * page_url, the page it came with, as RFC 3986 section 5 says (libcurl's
 * URL API), into out (cleared first), the fragment dropped. Refused (-1,
 * why filled, no request to make) unless it is http or https on the
 * origin of channel_url, the channel's base URL: a link elsewhere would
 * take the channel's credentials with it.
 */
int uoms_url_next(const char *channel_url, const char *page_url,
    const char *ref, size_t n, struct uoms_buf *out, char *why,
    size_t whylen);

/* Appends s percent-encoded (RFC 3986 unreserved kept) to out. */
void uoms_url_escape(struct uoms_buf *out, const char *s);

#endif
