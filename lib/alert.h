/*
 * alert: thresholds on the pipeline's figures and on the collection,
 * from the alerts: section of the rules file (uoms-rules(5)), and their
 * state in the store. An alert opens once when its figure crosses its
 * threshold (not again while it is open or acknowledged: a unique index
 * keeps it so even when two checks run at once), may be acknowledged by
 * a person, and resolves itself when the figure recovers; a later
 * breach opens a new one. A check prints each change as a JSON line for
 * uoms-notify, with a key that names the change, so a change is sent
 * once however often the check runs.
 */
#ifndef UOMS_ALERT_H
#define UOMS_ALERT_H

#include "buf.h"
#include "config.h"
#include "err.h"
#include "store.h"

/* What an alert watches (uoms-rules(5) names them). */
enum uoms_alert_kind {
	UOMS_ALERT_METRICS,	/* a column of uoms-report metrics' totals */
	UOMS_ALERT_FETCH_AGE,	/* minutes since a channel's last fetch */
	UOMS_ALERT_AUTH,	/* 1 while a channel's last fetch failed
				 * authentication */
	UOMS_ALERT_HELD		/* orders with a hold placed longer ago
				 * than held_for, not resolved */
};

struct uoms_alert_rule {
	char *name;		/* unique in the file */
	char *figure;		/* as the file names it */
	char *channel;		/* fetch_age, auth_failed: one channel, or
				 * NULL for every enabled one */
	enum uoms_alert_kind kind;
	int below;		/* fires under threshold, not over it */
	double threshold;
	long long window;	/* metrics: seconds back from now (1h) */
	long long held_for;	/* held_orders: seconds (24h) */
};

struct uoms_alert_rules {
	char *path;		/* the file read, NULL when none is set */
	int n;
	struct uoms_alert_rule *r;
};

/*
 * Reads the alerts: section of the rules file the configuration's
 * rules: key names (relative to the configuration file's folder); other
 * sections are not looked at. No rules: key means no alerts (n = 0).
 * Returns 0, or -1 with why filled ("FILE: line N: ...").
 */
int uoms_alert_rules_load(struct uoms_alert_rules *rules,
    const struct uoms_config *cfg, char *why, size_t whylen);
void uoms_alert_rules_free(struct uoms_alert_rules *rules);

/*
 * Evaluates every rule at now (Unix seconds) on s, opening and
 * resolving alerts, and appends a JSON line to out for each change
 * (uoms-alert(1) lists the members). The metrics figures come from the
 * report's own read transaction each; the changes are made in one write
 * transaction. workflow_dirs as in struct uoms_report. Returns UOMS_OK,
 * or a code with e filled (the store failed).
 */
enum uoms_code uoms_alert_check(struct uoms_store *s,
    const struct uoms_alert_rules *rules, long long now,
    const char *const workflow_dirs[2], struct uoms_buf *out,
    struct uoms_error *e);

/* Appends the alerts (in state state, or all when NULL) to out, one JSON
 * line each, oldest first. UOMS_OK, or the store's failure in e. */
enum uoms_code uoms_alert_list(struct uoms_store *s, const char *state,
    struct uoms_buf *out, struct uoms_error *e);

/*
 * Acknowledges open alert id by actor at now (RFC 3339), with note (may
 * be NULL), and appends the alert's line to out; in the caller's
 * transaction. UOMS_NOT_FOUND when there is no such alert, UOMS_INVALID
 * when it is not open.
 */
enum uoms_code uoms_alert_ack(struct uoms_store *s, long long id,
    const char *actor, const char *now, const char *note,
    struct uoms_buf *out, struct uoms_error *e);

/* Nonzero when s is an alert state: open, acknowledged, resolved. */
int uoms_alert_state_valid(const char *s);

/*
 * What channel's fetch (of orders) just did, for the alerts on the
 * collection: ok (read to the end) at time at (RFC 3339), or failed,
 * auth_failed when the channel refused our credentials. A failure keeps
 * the time of the last fetch that went well. UOMS_OK or the store's
 * failure in e.
 */
enum uoms_code uoms_alert_fetch_mark(struct uoms_store *s,
    const char *channel, int ok, int auth_failed, const char *at,
    struct uoms_error *e);

#endif
