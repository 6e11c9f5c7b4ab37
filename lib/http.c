#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kind.h"

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

	if (req->nheaders == UOMS_HTTP_MAX_HEADERS)
		return;
	va_start(ap, fmt);
	if (vasprintf(&h, fmt, ap) < 0)
		h = NULL;
	va_end(ap);
	if (h == NULL)
		return;
	req->secret_header[req->nheaders] = secret;
	req->headers[req->nheaders++] = h;
}

void
uoms_http_req_free(struct uoms_http_req *req)
{
	for (int i = 0; i < req->nheaders; i++)
		free(req->headers[i]);
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
