/*
 * serve-events: what the core of uoms-serve calls of the event routes
 * (serve-events.c) besides their table.
 */
#ifndef UOMS_SERVE_EVENTS_H
#define UOMS_SERVE_EVENTS_H

/*
 * Ends every event stream: the waiting ones are resumed and each
 * answers its end, new ones end at once, and the watcher's threads and
 * store are gone when it returns. The core calls it when it stops (on
 * SIGTERM), before it waits for the requests in flight and before
 * MHD_stop_daemon (which must not find a connection suspended). Safe
 * to call when no stream was ever opened, and more than once.
 */
void uoms_serve_events_stop(void);

#endif
