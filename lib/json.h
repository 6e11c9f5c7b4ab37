/*
 * json: a strict check of JSON text (RFC 8259) that builds nothing. Lines
 * are parsed by SQLite's JSON engine, and SQLite 3.40 (Debian 12) takes
 * some text that is not JSON: an object or array in the place of a key,
 * {{"a":"x"}:""}, is read as members of the outer object. Every line is
 * checked here first, so what SQLite reads is JSON.
 */
#ifndef UOMS_JSON_H
#define UOMS_JSON_H

#include <stddef.h>

/* Deepest nesting taken: SQLite's own limit. */
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

#endif
