/*
 * workflow: the state machines orders move through (SPEC 6), read from
 * YAML: share/uoms/workflows/NAME.yaml, overridden by a file of the same
 * name in the configuration folder's workflows/. Loaded once per process
 * and cached; a broken file is refused with file, line, column and why.
 * The module also says what each state means to the reports (its
 * classes: cancelled, shipped, complete, open...), from the file alone.
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


/*
 * What a state means to the reports (uoms-report(1)), from the workflow's
 * file, never from the state's name. A state has any of these classes:
 */
enum uoms_state_class {
	/* terminal, and named CANCEL, CANCELLED or CANCELED (any case) or
	 * led to by an action named cancel */
	UOMS_CLASS_CANCELLED = 1 << 0,
	UOMS_CLASS_SHIP = 1 << 1,	/* entering it sets depart_time */
	/* a ship state or one reachable from it, not cancelled */
	UOMS_CLASS_SHIPPED = 1 << 2,
	/* sets complete_time or is reachable from one that does, not
	 * cancelled */
	UOMS_CLASS_COMPLETE = 1 << 3,
	/* an action pay or payment leads to it */
	UOMS_CLASS_PAYMENT = 1 << 4,
	/* the backlog: not terminal, shipped, complete or cancelled */
	UOMS_CLASS_OPEN = 1 << 5,
	UOMS_CLASS_DONE = 1 << 6	/* complete, cancelled or terminal */
};

/*
 * The classes of w's states: sets classes[i] to the bits of
 * enum uoms_state_class that w->states[i] has, for every state of w
 * (classes holds w->nstates). Returns 0, or -1 when out of memory.
 */
int uoms_workflow_classes(const struct uoms_workflow *w, int *classes);

/* 1 when w has a payment step (a transition by action pay or payment),
 * else 0: an order of a workflow without one is paid when placed. */
int uoms_workflow_pays(const struct uoms_workflow *w);

/*
 * The names of the workflows in the folders dirs (either may be NULL):
 * their *.yaml files, each name once, sorted. Sets *names (the caller
 * frees each and the array) and *n, and returns 0; -1 when out of
 * memory. A folder that can't be read holds none.
 */
int uoms_workflow_names(const char *const dirs[2], char ***names, int *n);

#endif
