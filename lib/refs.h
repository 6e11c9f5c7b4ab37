/*
 * refs: the main loop of the tools that change orders named by reference
 * (uoms-status, uoms-assign, uoms-edit...): references from the command
 * line or from stdin lines (a whole record is one), each put through
 * uoms_change_order() in the run loop (run.h).
 */
#ifndef UOMS_REFS_H
#define UOMS_REFS_H

#include "change.h"
#include "cli.h"
#include "run.h"

struct uoms_refs {
	struct uoms_run run;		/* set atomic, batch, reject_path */
	const struct uoms_change *change;
	const char *key;		/* --idempotency-key, or NULL */
	int force;
	/* Filled by uoms_refs_main: */
	struct uoms_actor actor;
	long long ttl;
	struct uoms_change_ahead ahead;	/* the lines read ahead's orders */
	struct uoms_change_later later;	/* their records, read at once */
	/* Counted in run.tally: [0] applied, [1] replayed. */
};

/*
 * Opens the store (creating it: a tool that writes), loads the actor,
 * runs every argument in argv (or stdin when argc is 0) and finishes.
 * Returns the exit status. Exits 3 when it cannot run.
 */
int uoms_refs_main(struct uoms_cli *cli, struct uoms_refs *x, int argc,
    char **argv);

#endif
