/*
 * events: reading the append-only event log (SPEC 4) from an offset, one
 * event at a time, in id order; memory does not grow with the log. A
 * cursor that has reached the end can be stepped again to see the events
 * committed since, which is all that following the log takes.
 */
#ifndef UOMS_EVENTS_H
#define UOMS_EVENTS_H

#include "buf.h"
#include "store.h"

struct uoms_events_filter {
	long long after;		/* events with a greater id only */
	long long order_id;		/* 0: any order */
	const char *type;		/* NULL: any type */
};

struct uoms_events_cursor;

/*
 * Starts reading the events f selects; f is copied (f->type is
 * borrowed until close). NULL with e filled when the store fails.
 */
struct uoms_events_cursor *uoms_events_open(struct uoms_store *s,
    const struct uoms_events_filter *f, struct uoms_error *e);

/*
 * Steps to the next event: 1 with it appended to out as one JSON object
 * without a newline, {"id","order_id","type","from","to","actor","at",
 * "version","details"} (details an object, {} when the event has none);
 * 0 at the end of the log as committed now; -1 with e filled when the
 * store failed. After 0, the next call starts over after the last event
 * returned, so it sees what others committed meanwhile. Between a 0 and
 * the next call the cursor holds no read transaction.
 */
int uoms_events_next(struct uoms_events_cursor *c, struct uoms_buf *out,
    struct uoms_error *e);

/*
 * After uoms_events_next said 0: waits until more events may be there
 * (uoms_db_wait_events) or fd hangs up (1: the reader has gone). 0 to
 * read again, -1 when it can't wait.
 */
int uoms_events_wait(struct uoms_events_cursor *c, int fd);

/* The id of the last event returned (the filter's after at first). */
long long uoms_events_last(const struct uoms_events_cursor *c);

void uoms_events_close(struct uoms_events_cursor *c);

#endif
