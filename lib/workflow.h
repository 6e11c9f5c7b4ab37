/*
 * workflow: the state machines orders move through (SPEC 6), read from
 * YAML: share/uoms/workflows/NAME.yaml, overridden by a file of the same
 * name in the configuration folder's workflows/. Loaded once per process
 * and cached; a broken file is refused with file, line, column and why.
 */
#ifndef UOMS_WORKFLOW_H
#define UOMS_WORKFLOW_H

#include <stddef.h>

enum uoms_role { UOMS_ROLE_USER = 0, UOMS_ROLE_ADMIN = 1 };

/* A timestamp column an entry into a state sets to now or clears. */
struct uoms_stamp {
	const char *column;	/* "depart_time" or "complete_time" */
	int set;		/* 1: set to now on entry, 0: clear on entry */
};

struct uoms_state {
	const char *name;
	int terminal;
	int assignable;		/* a user may assign a driver in this state */
	int ships;		/* the order has shipped on entering it */
	struct uoms_stamp *stamps;
	int nstamps;
};

struct uoms_transition {
	const char *from, *to;
	const char *action;	/* NULL when it has no action name */
	int admin_only;		/* roles: [admin] */
};

struct uoms_workflow {
	char *name;
	char *path;		/* the file it came from */
	struct uoms_state *states;
	int nstates;
	const char *initial;
	struct uoms_transition *transitions;
	int ntransitions;
	const char *ships;	/* the state marked ships: true, or NULL */
};

/*
 * Sets where workflows are looked for: the shipped folder (data_dir, e.g.
 * /usr/share/uoms/workflows) and the override folder (may be NULL).
 * Borrowed; call before uoms_workflow_get. Without a call, the folders
 * are UOMS_WORKFLOW_SHIPPED and UOMS_WORKFLOW_OVERRIDE, compiled in
 * (default UOMS_DATADIR/workflows and /etc/uoms/workflows).
 * Drops the cache (see uoms_workflow_reset).
 */
void uoms_workflow_dirs(const char *shipped, const char *override);

/*
 * The workflow called name, loaded on first use and kept for the life of
 * the process (owned by the module). NULL with why filled when it does not
 * exist or is broken ("dispatch.yaml: line 12, column 5: transition to
 * unknown state 'DONE'").
 */
const struct uoms_workflow *uoms_workflow_get(const char *name, char *why,
    size_t whylen);

/*
 * Frees every cached workflow; pointers uoms_workflow_get returned become
 * invalid. uoms_workflow_dirs does it too. For tests and leak checkers.
 */
void uoms_workflow_reset(void);

/* Loads and checks one file (for tests and the loader above). Caller
 * frees with uoms_workflow_free. NULL with why filled. */
struct uoms_workflow *uoms_workflow_load(const char *path, const char *name,
    char *why, size_t whylen);
void uoms_workflow_free(struct uoms_workflow *w);

/*
 * The state in which an order of w has shipped (ships: true in its file,
 * at most one per workflow), where uoms-push tells the channel of the
 * shipment; NULL when w marks none. Borrowed from w.
 */
const char *uoms_workflow_ships_state(const struct uoms_workflow *w);

/* The state called name, or NULL. */
const struct uoms_state *uoms_workflow_state(const struct uoms_workflow *w,
    const char *name);

/*
 * The transition from state `from` to `to` (when to is not NULL) or by
 * action name (when action is not NULL), or NULL when the workflow has
 * none. Roles are the caller's to check (admin_only).
 */
const struct uoms_transition *uoms_workflow_find(const struct uoms_workflow *w,
    const char *from, const char *to, const char *action);

/*
 * The shortest way from state `from` to state `to` along the workflow's
 * transitions (admin-only ones excepted when users_only): fills path with
 * the states entered, in order, `to` last, and returns how many (0 when
 * from is to); -1 when `to` can't be reached or the way is longer than max.
 * path borrows the workflow's state names.
 */
int uoms_workflow_path(const struct uoms_workflow *w, const char *from,
    const char *to, int users_only, const char **path, int max);

#endif
