#include <stdlib.h>
#include <string.h>

#include "json.h"

struct scan {
	const char *p, *end;
};

static void
ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' ||
	    *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int
hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

static int
string(struct scan *s)
{
	if (s->p >= s->end || *s->p != '"')
		return -1;
	for (s->p++; s->p < s->end; s->p++) {
		unsigned char c = *s->p;

		if (c == '"') {
			s->p++;
			return 0;
		}
		if (c < 0x20)
			return -1;
		if (c != '\\')
			continue;
		if (++s->p >= s->end)
			return -1;
		if (*s->p == 'u') {
			if (s->end - s->p < 5 || !hex(s->p[1]) || !hex(s->p[2]) ||
			    !hex(s->p[3]) || !hex(s->p[4]))
				return -1;
			s->p += 4;
		} else if (*s->p == '\0' || strchr("\"\\/bfnrt", *s->p) == NULL)
			return -1;
	}
	return -1;
}

static int
digits(struct scan *s)
{
	const char *start = s->p;

	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return s->p > start ? 0 : -1;
}

static int
number(struct scan *s)
{
	if (s->p < s->end && *s->p == '-')
		s->p++;
	if (s->p < s->end && *s->p == '0')
		s->p++;
	else if (s->p >= s->end || *s->p < '1' || *s->p > '9' ||
	    digits(s) < 0)
		return -1;
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (digits(s) < 0)
			return -1;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (digits(s) < 0)
			return -1;
	}
	return 0;
}

static int
word(struct scan *s, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n) != 0)
		return -1;
	s->p += n;
	return 0;
}

/* A key, its colon and the white space after; with keep, the key in k. */
static int
key(struct scan *s, int keep, const char **k, const char **kend)
{
	const char *start = s->p;

	if (string(s) < 0)
		return -1;
	if (keep) {
		*k = start;
		*kend = s->p;
	}
	ws(s);
	if (s->p >= s->end || *s->p++ != ':')
		return -1;
	ws(s);
	return 0;
}

/*
 * Without recursion: open containers are a stack of their closing
 * characters, so nesting costs a byte, not a stack frame.
 */
int
uoms_json_scan(const char *text, size_t n, uoms_json_member_fn *member,
    void *arg)
{
	struct scan s = { text, text + n };
	char open[UOMS_JSON_DEPTH];
	const char *k = NULL, *kend = NULL, *v = NULL;
	int depth = 0;

	ws(&s);
	for (;;) {
		/* A value; at depth 1 of an object, a member's. */
		if (s.p >= s.end)
			return 0;
		if (depth == 1 && open[0] == '}')
			v = s.p;
		if (*s.p == '{' || *s.p == '[') {
			if (depth == UOMS_JSON_DEPTH)
				return 0;
			open[depth++] = *s.p == '{' ? '}' : ']';
			s.p++;
			ws(&s);
			if (s.p < s.end && *s.p == open[depth - 1]) {
				s.p++;
				depth--;
			} else {
				if (open[depth - 1] == '}' &&
				    key(&s, depth == 1, &k, &kend) < 0)
					return 0;
				continue;
			}
		} else if ((*s.p == '"' ? string(&s) : *s.p == 't' ?
		    word(&s, "true") : *s.p == 'f' ? word(&s, "false") :
		    *s.p == 'n' ? word(&s, "null") : number(&s)) < 0)
			return 0;
		/* After a value: the end, a comma or a closing bracket. */
		for (;;) {
			if (depth == 1 && v != NULL && member != NULL &&
			    member(arg, k, kend, v, s.p) < 0)
				return -1;
			if (depth == 1)
				v = NULL;
			ws(&s);
			if (depth == 0)
				return s.p == s.end;
			if (s.p >= s.end)
				return 0;
			if (*s.p == open[depth - 1]) {
				s.p++;
				depth--;
				continue;
			}
			if (*s.p++ != ',')
				return 0;
			ws(&s);
			if (open[depth - 1] == '}' &&
			    key(&s, depth == 1, &k, &kend) < 0)
				return 0;
			break;
		}
	}
}

int
uoms_json_valid(const char *text, size_t n)
{
	return uoms_json_scan(text, n, NULL, NULL) == 1;
}

/* Adds a node for the value at s->p; its index, or -1 out of memory. */
static long
node(struct uoms_jtree *t, int parent, size_t index, const char *k,
    const char *kend, const char *v)
{
	if (t->len == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		struct uoms_jnode *n = realloc(t->n, cap * sizeof *n);

		if (n == NULL)
			return -1;
		t->n = n;
		t->cap = cap;
	}
	t->n[t->len] = (struct uoms_jnode){ UOMS_J_NULL, parent, index,
	    t->len + 1, k, kend, v, NULL };
	return (long)t->len++;
}

/* A scalar at s->p: its type, or -1 when it is not one. */
static int
scalar(struct scan *s)
{
	const char *start = s->p;

	switch (*s->p) {
	case '"':
		return string(s) < 0 ? -1 : UOMS_J_STRING;
	case 't':
		return word(s, "true") < 0 ? -1 : UOMS_J_TRUE;
	case 'f':
		return word(s, "false") < 0 ? -1 : UOMS_J_FALSE;
	case 'n':
		return word(s, "null") < 0 ? -1 : UOMS_J_NULL;
	}
	if (number(s) < 0)
		return -1;
	for (; start < s->p; start++)
		if (*start == '.' || *start == 'e' || *start == 'E')
			return UOMS_J_REAL;
	return UOMS_J_INT;
}

/*
 * uoms_json_scan's walk, keeping every value: open containers are a
 * stack of node indices, the count of their members in their last field
 * until they close.
 */
int
uoms_json_tree(const char *text, size_t n, struct uoms_jtree *t)
{
	struct scan s = { text, text + n };
	int open[UOMS_JSON_DEPTH];
	const char *k = NULL, *kend = NULL;
	int depth = 0, type;
	long i;

	t->len = 0;
	ws(&s);
	for (;;) {
		int parent = depth > 0 ? open[depth - 1] : -1;

		if (s.p >= s.end)
			return 0;
		if ((i = node(t, parent, parent < 0 ? 0 :
		    t->n[parent].last++, k, kend, s.p)) < 0)
			return -1;
		k = kend = NULL;
		if (*s.p == '{' || *s.p == '[') {
			char close = *s.p == '{' ? '}' : ']';

			if (depth == UOMS_JSON_DEPTH)
				return 0;
			t->n[i].type = close == '}' ? UOMS_J_OBJECT :
			    UOMS_J_ARRAY;
			t->n[i].last = 0;
			open[depth++] = (int)i;
			s.p++;
			ws(&s);
			if (s.p < s.end && *s.p == close) {
				s.p++;
				depth--;
				t->n[i].vend = s.p;
				t->n[i].last = i + 1;
			} else {
				if (close == '}' && key(&s, 1, &k, &kend) < 0)
					return 0;
				continue;
			}
		} else {
			if ((type = scalar(&s)) < 0)
				return 0;
			t->n[i].type = type;
			t->n[i].vend = s.p;
		}
		/* After a value: the end, a comma or a closing bracket. */
		for (;;) {
			struct uoms_jnode *c;

			ws(&s);
			if (depth == 0)
				return s.p == s.end;
			if (s.p >= s.end)
				return 0;
			c = &t->n[open[depth - 1]];
			if (*s.p == (c->type == UOMS_J_OBJECT ? '}' : ']')) {
				s.p++;
				depth--;
				c->vend = s.p;
				c->last = t->len;
				continue;
			}
			if (*s.p++ != ',')
				return 0;
			ws(&s);
			if (c->type == UOMS_J_OBJECT &&
			    key(&s, 1, &k, &kend) < 0)
				return 0;
			break;
		}
	}
}

void
uoms_json_tree_free(struct uoms_jtree *t)
{
	free(t->n);
	memset(t, 0, sizeof *t);
}

const char *
uoms_json_type_name(enum uoms_jtype type)
{
	static const char *const names[] = {
		[UOMS_J_NULL] = "null", [UOMS_J_TRUE] = "true",
		[UOMS_J_FALSE] = "false", [UOMS_J_INT] = "integer",
		[UOMS_J_REAL] = "real", [UOMS_J_STRING] = "text",
		[UOMS_J_ARRAY] = "array", [UOMS_J_OBJECT] = "object"
	};

	return names[type];
}

static unsigned
hex4(const char *s)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		char c = s[i];

		v = v << 4 | (unsigned)(c <= '9' ? c - '0' : (c | 0x20) -
		    'a' + 10);
	}
	return v;
}

size_t
uoms_json_unescape(const char *s, const char *end, char *out)
{
	const char *p = s + 1, *stop = end - 1, *bs;
	size_t j = 0;

	/* Runs without a backslash are copied whole. */
	while (p < stop && (bs = memchr(p, '\\', stop - p)) != NULL) {
		unsigned v, lo;

		memcpy(out + j, p, bs - p);
		j += bs - p;
		p = bs + 1;
		switch (*p) {
		case 'u':
			v = hex4(p + 1);
			p += 5;
			if (v <= 0x7f) {
				out[j++] = (char)v;
			} else if (v <= 0x7ff) {
				out[j++] = (char)(0xc0 | v >> 6);
				out[j++] = (char)(0x80 | (v & 0x3f));
			} else if ((v & 0xfc00) == 0xd800 && stop - p >= 6 &&
			    p[0] == '\\' && p[1] == 'u' &&
			    ((lo = hex4(p + 2)) & 0xfc00) == 0xdc00) {
				v = ((v & 0x3ff) << 10) + (lo & 0x3ff) + 0x10000;
				p += 6;
				out[j++] = (char)(0xf0 | v >> 18);
				out[j++] = (char)(0x80 | (v >> 12 & 0x3f));
				out[j++] = (char)(0x80 | (v >> 6 & 0x3f));
				out[j++] = (char)(0x80 | (v & 0x3f));
			} else {
				out[j++] = (char)(0xe0 | v >> 12);
				out[j++] = (char)(0x80 | (v >> 6 & 0x3f));
				out[j++] = (char)(0x80 | (v & 0x3f));
			}
			continue;
		default:
			out[j++] = *p == 'b' ? '\b' : *p == 'f' ? '\f' :
			    *p == 'n' ? '\n' : *p == 'r' ? '\r' :
			    *p == 't' ? '\t' : *p;
			break;
		}
		p++;
	}
	if (p < stop) {
		memcpy(out + j, p, stop - p);
		j += stop - p;
	}
	return j;
}

size_t
uoms_json_minify(const char *s, const char *end, char *out)
{
	size_t j = 0;

	while (s < end) {
		const char *q;

		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
			s++;
			continue;
		}
		if (*s != '"') {
			out[j++] = *s++;
			continue;
		}
		/* A string, whole: up to its unescaped closing quote. */
		for (q = s + 1; q < end && *q != '"'; q++)
			if (*q == '\\')
				q++;
		if (q < end)
			q++;
		memcpy(out + j, s, q - s);
		j += q - s;
		s = q;
	}
	return j;
}
