/*
 * json: a strict reader of JSON text (RFC 8259) that keeps the text as
 * written. uoms_json_valid and uoms_json_scan check text and build
 * nothing; uoms_json_tree lays a line out as a flat list of nodes that
 * point into it, so the record parser (order.h) reads each line once
 * and a number or a container stays as the line wrote it.
 */
#ifndef UOMS_JSON_H
#define UOMS_JSON_H

#include <stddef.h>

/* Deepest nesting taken (SQLite's JSON engine's own limit, once the
 * parser's engine: a line taken before is taken now). */
#define UOMS_JSON_DEPTH 2000

/*
 * Nonzero when s[0..n) is one JSON value, with white space around it
 * allowed, nested at most UOMS_JSON_DEPTH deep. Bytes are not checked as
 * UTF-8 (the line reader does that); a control character in a string
 * is refused.
 */
int uoms_json_valid(const char *s, size_t n);

/*
 * Called for each member of the outermost object, in order: its key with
 * the quotes [k, kend) and its value as written [v, vend), both inside
 * the text scanned. A negative return stops the scan.
 */
typedef int uoms_json_member_fn(void *arg, const char *k, const char *kend,
    const char *v, const char *vend);

/*
 * The check of uoms_json_valid, handing each member of the outermost
 * object (when the text is one) to member (may be NULL). Returns 1 for
 * JSON, 0 for text that is not, -1 when member stopped the scan. Members
 * before a syntax error may have been handed over already.
 */
int uoms_json_scan(const char *s, size_t n, uoms_json_member_fn *member,
    void *arg);

/* A node's type; uoms_json_type_name gives SQLite json_type()'s names. */
enum uoms_jtype {
	UOMS_J_NULL, UOMS_J_TRUE, UOMS_J_FALSE, UOMS_J_INT, UOMS_J_REAL,
	UOMS_J_STRING, UOMS_J_ARRAY, UOMS_J_OBJECT
};

/*
 * One value of the text: its key with the quotes [k, kend) when it is a
 * member of an object (else k is NULL and index is its place in the
 * array), its text as written [v, vend) (a string with its quotes, a
 * container up to its closing bracket), its container (-1 for the
 * outermost value), and one past its last descendant (last): nodes are
 * in document order, each container before what it holds.
 */
struct uoms_jnode {
	enum uoms_jtype type;
	int parent;
	size_t index, last;
	const char *k, *kend;
	const char *v, *vend;
};

/* The nodes of one text; reused from text to text. */
struct uoms_jtree {
	struct uoms_jnode *n;
	size_t len, cap;
};

/*
 * Lays s[0..n) out in t (emptied first), with the check of
 * uoms_json_valid. Returns 1 for JSON, 0 for text that is not, -1 when
 * out of memory. The nodes borrow s. Free t with uoms_json_tree_free.
 */
int uoms_json_tree(const char *s, size_t n, struct uoms_jtree *t);
void uoms_json_tree_free(struct uoms_jtree *t);

/* "null", "true", "false", "integer", "real", "text", "array", "object". */
const char *uoms_json_type_name(enum uoms_jtype type);

/*
 * Writes the string [s, end), quotes included, as text to out, which has
 * room for end - s bytes (never too few), and returns its length; not
 * NUL-terminated. Escapes are decoded as SQLite 3.40 decodes them: a
 * \u surrogate pair as one character, a lone surrogate as its 3 bytes;
 * but \u0000 is a NUL byte, where SQLite ended the text (the parser
 * refuses such lines first; a key "error\u0000" is not "error").
 */
size_t uoms_json_unescape(const char *s, const char *end, char *out);

/*
 * Writes [s, end), JSON text, to out without the white space between
 * tokens (strings and numbers as written) and returns its length; out
 * has room for end - s bytes. Not NUL-terminated.
 */
size_t uoms_json_minify(const char *s, const char *end, char *out);

#endif
