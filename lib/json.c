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
