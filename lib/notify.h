/*
 * notify: uoms-notify(1), lines delivered to a webhook. Each line is
 * POSTed as a JSON body (Slack's {"text": ...}, or a template filled
 * from the line's members) with timeouts, retries with exponential
 * backoff and jitter, and the answer's Retry-After honoured; each
 * delivery is logged in the store (notify_log) and, with a key, claimed
 * there before it is sent, so the same key to the same target is never
 * sent twice. Webhook URLs carry their token in the path: a registered
 * target's URL is sealed as channel secrets are (secret.h), and no URL
 * is ever printed, logged or stored in clear, only its origin.
 */
#ifndef UOMS_NOTIFY_H
#define UOMS_NOTIFY_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "buf.h"
#include "cli.h"
#include "err.h"
#include "secret.h"
#include "store.h"

#define UOMS_NOTIFY_RETRIES 3		/* --retries default */
#define UOMS_NOTIFY_TIMEOUT 10.0	/* --timeout default, seconds */
#define UOMS_NOTIFY_CONNECT_MAX 5.0	/* connect timeout at most */
#define UOMS_NOTIFY_BACKOFF_BASE 0.5	/* first backoff, seconds */
#define UOMS_NOTIFY_BACKOFF_MAX 30.0	/* longest backoff, seconds */
#define UOMS_NOTIFY_RETRY_AFTER_MAX 120.0	/* longest Retry-After kept */
#define UOMS_NOTIFY_NAME_MAX 64		/* longest target name */
#define UOMS_NOTIFY_URL_MAX 2048	/* longest webhook URL */

struct uoms_notify_opts {
	const char *url;	/* --webhook URL (borrowed), or */
	const char *target;	/* --target NAME */
	const char *tmpl;	/* --template; NULL: {"text": ...} */
	const char *key;	/* --key MEMBER, or NULL */
	int retries;		/* attempts after the first */
	double timeout;		/* seconds per attempt, in all */
};

/*
 * Reads lines from standard input and delivers each (the tool's main
 * loop, after the command line was checked and uoms_cli_finish ran):
 * one result line per input line on standard output. Returns the exit
 * status: 0, 1 when a line was refused or not delivered, 3 (or exits 3)
 * when the store, the target or the key can't be had.
 */
int uoms_notify_run(struct uoms_cli *cli, const struct uoms_notify_opts *o);

/*
 * The body for line from template tmpl: each {{PATH}} (a member name,
 * or names joined by dots for members of objects) is replaced by the
 * member's value, a string JSON-escaped without its quotes (so it fits
 * inside a JSON string of the template), anything else as its compact
 * JSON text. The result must be JSON. Appends to out; returns 0, or -1
 * with why filled (a member missing or null, the result not JSON).
 */
int uoms_notify_render(const char *tmpl, json_t *line, struct uoms_buf *out,
    char *why, size_t whylen);

/* Whether tmpl's {{...}} are well formed: 0, or -1 with why filled. */
int uoms_notify_template_check(const char *tmpl, char *why, size_t whylen);

/*
 * The member at PATH (names joined by dots) of line, borrowed; NULL
 * when absent.
 */
json_t *uoms_notify_member(json_t *line, const char *path, size_t n);

/*
 * Seconds to wait that a Retry-After value asks for (RFC 9110 10.2.3:
 * delay-seconds or an HTTP-date, taken against now), at least 0 and at
 * most UOMS_NOTIFY_RETRY_AFTER_MAX; -1 when it is neither.
 */
double uoms_notify_retry_after(const char *value, time_t now);

/*
 * The wait before attempt n + 1 after n failed (n >= 1): the base
 * doubled per attempt, capped, times a jitter factor in [0.5, 1)
 * (r in [0, 1) picks it), so that many senders refused at once do not
 * come back at once.
 */
double uoms_notify_backoff(int n, double r);

/*
 * Registered targets. A name is 1 to UOMS_NOTIFY_NAME_MAX letters,
 * digits, '.', '_' or '-'; the URL is http or https, sealed under k with
 * the target's name as additional data (a sealed URL copied to another
 * name does not open). add refuses a name that exists (UOMS_INVALID);
 * remove and url refuse one that does not (UOMS_NOT_FOUND). url's
 * *url is malloc'd: wipe it (OPENSSL_cleanse) and free it.
 */
enum uoms_code uoms_notify_target_add(struct uoms_store *s,
    const struct uoms_secret_key *k, const char *name, const char *url,
    struct uoms_error *e);
enum uoms_code uoms_notify_target_url(struct uoms_store *s,
    const struct uoms_secret_key *k, const char *name, char **url,
    struct uoms_error *e);
enum uoms_code uoms_notify_target_remove(struct uoms_store *s,
    const char *name, struct uoms_error *e);
/* One JSON line per target (name, origin, created_at) appended to out. */
enum uoms_code uoms_notify_target_list(struct uoms_store *s,
    struct uoms_buf *out, struct uoms_error *e);

/* Whether url is one a webhook may have (http or https, a host, at most
 * UOMS_NOTIFY_URL_MAX bytes): 0, or -1 with why filled (never the URL). */
int uoms_notify_url_check(const char *url, char *why, size_t whylen);

#endif
