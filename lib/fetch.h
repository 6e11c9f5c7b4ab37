/*
 * fetch: the engine under uoms-fetch (SPEC 7). It runs every channel's
 * kind (kind.h) at once over one libcurl multi handle, so channels fetch
 * concurrently and reuse their connections, and does everything a kind
 * should not have to: rate limits, timeouts, retries with backoff and
 * jitter (429, 5xx and network errors, honouring Retry-After), verified
 * TLS, secrets opened lazily and wiped as soon as their channel is done
 * (with every copy: request headers, libcurl's and jansson's buffers),
 * secrets masked in every message, and printing records as they are
 * emitted, one line each, lines streamed as they arrive, so memory stays
 * flat however many orders a channel has. Credentials go only to the
 * channel's own origin; a fetch ends at max_pages or at the first page
 * asked twice. A channel that fails is reported and the others go on.
 */
#ifndef UOMS_FETCH_H
#define UOMS_FETCH_H

#include "channel.h"
#include "config.h"
#include "kind.h"
#include "store.h"

/* Seconds a channel's change time may be ahead of our clock and still
 * count as where the next fetch starts (uoms-fetch(1)). */
#define UOMS_FETCH_SKEW 300

struct uoms_fetch_opts {
	const char *since;	/* --since, RFC 3339 UTC; NULL: per channel */
	int products;		/* the catalog instead of orders */
	int dry_run;		/* print the first request of each channel */
	int progress;		/* a progress line per channel on stderr */
	double timeout;		/* seconds per request (fetch_timeout, 30) */
	int retries;		/* tries after the first (fetch_retries, 4) */
	long long overlap;	/* seconds before the high water (fetch_overlap, 600) */
	long long backfill;	/* hours a first fetch goes back (fetch_backfill, 24) */
	size_t line_max;	/* bytes in a line of a streamed page (line_max,
				 * 1 MiB, as uoms-upsert's) */
	const char *key_file;	/* secret_key_file, /etc/uoms/secret.key */
};

/*
 * Fills o from the configuration (the keys above; defaults for absent
 * ones). Returns 0, or -1 with why filled when a value is not a number.
 */
int uoms_fetch_opts_config(struct uoms_fetch_opts *o,
    const struct uoms_config *cfg, char *why, size_t whylen);

/* How one channel did. */
struct uoms_fetch_result {
	int failed;		/* 0: fetched to the end */
	long requests;		/* requests answered (retries included) */
	long records;		/* lines printed */
	long refused;		/* orders the kind could not map */
	char since[40];		/* where the fetch started */
};

/*
 * Fetches channels ch[0..n) (borrowed) concurrently, printing each
 * record to stdout as a line (uoms_out_record) as it is emitted, and
 * flushing after every page. A channel starts after: o->since, else the
 * earlier of its watermark (uoms_channel_watermark_get) and its high
 * water in s (uoms_channel_high_water, times more than UOMS_FETCH_SKEW
 * ahead of now left out and warned of), minus o->overlap, else
 * o->backfill hours before now (a channel setting "backfill", in hours,
 * beats it). Once done, the watermark moves to when the run began if
 * every page was read from no later than it, or back to where the run
 * started if it failed. Channel settings the engine reads: "max_rate"
 * (requests per second, beats the kind's), "timeout" (seconds per
 * request, beats o->timeout), "ca_bundle" (a CA file for a private
 * endpoint), "backfill", "max_pages" (requests per fetch, 10 000). Each
 * failure is printed as "uoms-fetch: channel NAME: why", every secret of
 * the channel in it masked.
 * res (n entries, may be NULL) says how each did. Returns the number of
 * channels that failed; exits 3 only when stdout can't be written.
 */
int uoms_fetch_run(struct uoms_store *s, struct uoms_channel *ch, int n,
    const struct uoms_fetch_opts *o, struct uoms_fetch_result *res);

/* How a push went (uoms_fetch_push). */
enum uoms_push_result {
	UOMS_PUSH_FAILED = -1,		/* no answer: may or may not have got there */
	UOMS_PUSH_REFUSED = 0,		/* the channel said no, or the kind
					 * could not make it (nothing sent):
					 * why */
	UOMS_PUSH_ACCEPTED = 1		/* answer filled */
};

/*
 * Push mode: tells channel ch (its kind's push hook, kind.h) about one
 * order through the same engine as a fetch (secrets, masking, origin
 * check, timeout, retries of 429 and 5xx, dry-run), one request. With
 * o->dry_run the request is printed, not sent, and the result is
 * UOMS_PUSH_REFUSED with why "dry run". answer gets the channel's
 * answer as a JSON text; why the refusal or failure, masked.
 */
enum uoms_push_result uoms_fetch_push(struct uoms_store *s,
    struct uoms_channel *ch, const struct uoms_fetch_opts *o,
    const struct uoms_push_item *it, struct uoms_buf *answer, char *why,
    size_t whylen);

/*
 * Emits a record given as the text of one JSON object (len bytes, no
 * newline), for kinds whose channel already speaks SPEC 3.1 lines: the
 * engine prints it as it is, without parsing it again (a product is
 * parsed, to carry its channel's name in "channel"). The caller has
 * checked that it is one object. Under another engine (a unit test's
 * ctx) the text is parsed and handed to ctx->emit. Returns 0, or -1 when
 * it could not be parsed there.
 */
int uoms_fetch_emit_text(struct uoms_fetch_ctx *ctx, const char *text,
    size_t len);

/*
 * A channel setting as a number: a JSON number, or a string holding one;
 * def when absent, -1 (and *bad set, if bad is not NULL) when it is
 * something else. For kinds as well as the engine.
 */
double uoms_fetch_setting_num(const struct uoms_channel *c, const char *key,
    double def, int *bad);

/* A channel setting as a string, or def when absent or not a string.
 * Borrowed from c. */
const char *uoms_fetch_setting_str(const struct uoms_channel *c,
    const char *key, const char *def);

/* Seconds since the epoch of an RFC 3339 UTC time ("...Z", fraction
 * ignored); -1 when it is not one. */
long long uoms_fetch_time(const char *rfc3339);

#endif
