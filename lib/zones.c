#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "line.h"
#include "zones.h"

/* The longest code a row may name: postal codes are 5 digits here,
 * other countries' run longer, none past this. */
#define CODE_MAX	10

enum kind { EXACT, PREFIX, RANGE };

struct row {
	char key[CODE_MAX + 1];	/* the code, the prefix, a range's low */
	char hi[CODE_MAX + 1];	/* the range's high end */
	unsigned long long width;	/* a range's count of codes */
	char *zone, *department;
	long line;
};

struct table {
	struct row *r;
	int n, cap;
};

struct uoms_zones {
	struct table t[3];	/* by enum kind */
	int prefix_max;		/* the longest prefix */
};

static int
fail(char *why, size_t whylen, const char *path, long line,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int
fail(char *why, size_t whylen, const char *path, long line,
    const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* Quoted text comes from the file: keep the message one line. */
	for (char *c = msg; *c != '\0'; c++)
		if ((unsigned char)*c < ' ' || *c == 0x7f)
			*c = '?';
	if (line > 0)
		snprintf(why, whylen, "%s: line %ld: %s", path, line, msg);
	else
		snprintf(why, whylen, "%s: %s", path, msg);
	return -1;
}

static int
digits(const char *s, size_t n)
{
	if (n == 0 || n > CODE_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* Trims blanks at both ends of s in place. */
static char *
trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return s;
}

/* A zone or department is a label people read: printable UTF-8. */
static int
label_ok(const char *s)
{
	size_t n = strlen(s);

	if (n > 64 || !uoms_utf8_valid(s, n))
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < ' ' || *s == 0x7f)
			return 0;
	return 1;
}

/* Reads match into r; the kind, or -1 when it is none. */
static int
parse_match(const char *m, struct row *r)
{
	const char *dash = strchr(m, '-');
	size_t n = strlen(m);

	if (dash != NULL) {
		size_t lo = (size_t)(dash - m), hi = n - lo - 1;

		if (!digits(m, lo) || !digits(dash + 1, hi) || lo != hi)
			return -1;
		memcpy(r->key, m, lo);
		r->key[lo] = '\0';
		memcpy(r->hi, dash + 1, hi);
		r->hi[hi] = '\0';
		r->width = strtoull(r->hi, NULL, 10) -
		    strtoull(r->key, NULL, 10) + 1;
		return RANGE;
	}
	if (n > 1 && m[n - 1] == '*') {
		if (!digits(m, n - 1))
			return -1;
		memcpy(r->key, m, n - 1);
		r->key[n - 1] = '\0';
		return PREFIX;
	}
	if (!digits(m, n))
		return -1;
	memcpy(r->key, m, n + 1);
	return EXACT;
}

static int
by_key(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c != 0 ? c : strcmp(x->hi, y->hi);
}

/* Ranges narrowest first, so the first that covers a code wins. */
static int
by_width(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->width != y->width)
		return x->width < y->width ? -1 : 1;
	return by_key(a, b);
}

static int
add(struct table *t, const struct row *r)
{
	if (t->n == t->cap) {
		int cap = t->cap ? 2 * t->cap : 64;
		struct row *p = realloc(t->r, cap * sizeof *p);

		if (p == NULL)
			return -1;
		t->r = p;
		t->cap = cap;
	}
	t->r[t->n++] = *r;
	return 0;
}

/* One data row of the file into z; -1 with why filled. */
static int
row(struct uoms_zones *z, char *text, const char *path, long line,
    char *why, size_t whylen)
{
	char *f[3] = { NULL, "", "" }, *c = text;
	struct row r = { .line = line };
	int n = 0, kind;

	for (;;) {
		char *comma = strchr(c, ',');

		if (n == 3)
			return fail(why, whylen, path, line, "more than 3 "
			    "columns (match,zone,department)");
		if (comma != NULL)
			*comma = '\0';
		f[n++] = trim(c);
		if (comma == NULL)
			break;
		c = comma + 1;
	}
	if (n < 2)
		return fail(why, whylen, path, line, "no zone (columns: "
		    "match,zone,department)");
	if ((kind = parse_match(f[0], &r)) < 0)
		return fail(why, whylen, path, line, "match '%s' is not a code "
		    "(06236), a prefix (062*) or a range (06000-06299)", f[0]);
	if (kind == RANGE && strcmp(r.key, r.hi) > 0)
		return fail(why, whylen, path, line, "range '%s' is reversed",
		    f[0]);
	if (*f[1] == '\0' || !label_ok(f[1]))
		return fail(why, whylen, path, line, "zone '%s' is empty or "
		    "not printable text of at most 64 bytes", f[1]);
	if (!label_ok(f[2]))
		return fail(why, whylen, path, line, "department '%s' is not "
		    "printable text of at most 64 bytes", f[2]);
	for (int i = 0; i < z->t[kind].n; i++)
		if (by_key(&z->t[kind].r[i], &r) == 0)
			return fail(why, whylen, path, line, "match '%s' is "
			    "given twice (line %ld)", f[0],
			    z->t[kind].r[i].line);
	r.zone = strdup(f[1]);
	r.department = strdup(f[2]);
	if (r.zone == NULL || r.department == NULL || add(&z->t[kind], &r) <
	    0) {
		free(r.zone);
		free(r.department);
		return fail(why, whylen, path, 0, "%s", strerror(ENOMEM));
	}
	if (kind == PREFIX && (int)strlen(r.key) > z->prefix_max)
		z->prefix_max = (int)strlen(r.key);
	return 0;
}

struct uoms_zones *
uoms_zones_load(const char *path, char *why, size_t whylen)
{
	struct uoms_zones *z = calloc(1, sizeof *z);
	FILE *fp;
	char *text = NULL;
	size_t cap = 0;
	ssize_t len;
	long line = 0;
	int rc = 0, rows = 0;

	if (z == NULL) {
		fail(why, whylen, path, 0, "%s", strerror(ENOMEM));
		return NULL;
	}
	if ((fp = fopen(path, "r")) == NULL) {
		fail(why, whylen, path, 0, "%s", strerror(errno));
		free(z);
		return NULL;
	}
	while (rc == 0 && (len = getline(&text, &cap, fp)) >= 0) {
		char *s;

		line++;
		if ((size_t)len != strlen(text)) {
			rc = fail(why, whylen, path, line, "a NUL byte");
			break;
		}
		while (len > 0 && (text[len - 1] == '\n' ||
		    text[len - 1] == '\r'))
			text[--len] = '\0';
		s = trim(text);
		if (*s == '\0' || *s == '#')
			continue;
		/* A header names the columns: the first row, "match,...". */
		if (rows++ == 0 && strncmp(s, "match,", 6) == 0)
			continue;
		rc = row(z, s, path, line, why, whylen);
	}
	if (rc == 0 && ferror(fp))
		rc = fail(why, whylen, path, 0, "%s", strerror(errno));
	free(text);
	fclose(fp);
	if (rc < 0) {
		uoms_zones_free(z);
		return NULL;
	}
	/* qsort of nothing (a NULL table) is undefined: only rows. */
	for (int k = 0; k < 3; k++)
		if (z->t[k].n > 1)
			qsort(z->t[k].r, z->t[k].n, sizeof(struct row),
			    k == RANGE ? by_width : by_key);
	return z;
}

void
uoms_zones_free(struct uoms_zones *z)
{
	if (z == NULL)
		return;
	for (int k = 0; k < 3; k++) {
		for (int i = 0; i < z->t[k].n; i++) {
			free(z->t[k].r[i].zone);
			free(z->t[k].r[i].department);
		}
		free(z->t[k].r);
	}
	free(z);
}

int
uoms_zones_count(const struct uoms_zones *z)
{
	return z->t[EXACT].n + z->t[PREFIX].n + z->t[RANGE].n;
}

static const struct row *
exact(const struct table *t, const char *key)
{
	struct row k;

	snprintf(k.key, sizeof k.key, "%s", key);
	k.hi[0] = '\0';
	return t->n ? bsearch(&k, t->r, t->n, sizeof k, by_key) : NULL;
}

int
uoms_zones_find(const struct uoms_zones *z, const char *code, size_t n,
    const char **zone, const char **department)
{
	const struct row *r = NULL;
	char key[CODE_MAX + 1];

	if (z == NULL || !digits(code, n))
		return 0;
	memcpy(key, code, n);
	key[n] = '\0';
	r = exact(&z->t[EXACT], key);
	for (size_t len = n < (size_t)z->prefix_max ? n :
	    (size_t)z->prefix_max;
	    r == NULL && len > 0; len--) {
		key[len] = '\0';
		r = exact(&z->t[PREFIX], key);
	}
	memcpy(key, code, n);
	key[n] = '\0';
	/* Narrowest first: the first range that covers it. */
	for (int i = 0; r == NULL && i < z->t[RANGE].n; i++) {
		const struct row *x = &z->t[RANGE].r[i];

		if (strlen(x->key) == n && strcmp(x->key, key) <= 0 &&
		    strcmp(key, x->hi) <= 0)
			r = x;
	}
	if (r == NULL)
		return 0;
	*zone = r->zone;
	*department = r->department;
	return 1;
}
