/*
 * push: uoms-push's work (uoms-push(1)). For each order named, what its
 * channel has not been told yet (an acknowledgement once the order has
 * left its workflow's first state, the shipment once it has reached the
 * state marked ships), each claimed in the store before it is sent so
 * that it is never sent twice, sent through the fetch engine's push mode
 * (fetch.h), and recorded with the channel's answer and an event.
 */
#ifndef UOMS_PUSH_H
#define UOMS_PUSH_H

#include "buf.h"
#include "cli.h"
#include "fetch.h"
#include "store.h"

struct uoms_push_opts {
	char **channels;		/* --channel, or NULL: any */
	int nchannels;
	int dry_run;
	int resend;			/* refused and uncertain pushes again */
	const char *reject_path;
};

/* Runs uoms-push over argv's references (stdin's when argc is 0);
 * returns the exit status (SPEC 3.4). Exits 3 when it cannot run. */
int uoms_push_main(struct uoms_cli *cli, const struct uoms_push_opts *o,
    int argc, char **argv);

/*
 * What uoms-push does for order id alone, for a server: on s (no
 * transaction open: each push commits its claim, then its record), with
 * fetch options fo (dry_run ignored), as the store's actor. Appends
 * uoms-push's line of each push to out. Returns UOMS_OK, or the first
 * refusal with e filled (the lines of pushes before it are in out);
 * never prints or exits. A channel answering slowly holds the caller
 * for up to fo's timeout and retries.
 */
enum uoms_code uoms_push_order(struct uoms_store *s,
    const struct uoms_fetch_opts *fo, long long id, struct uoms_buf *out,
    struct uoms_error *e);

#endif
