/*
 * verb: the shape of the subcommand tools (uoms-channel, uoms-user,
 * uoms-lock, uoms-remark, uoms-hold). Each has a table of its commands;
 * this module finds the command word in it (refusing a missing or
 * unknown one in one voice), opens the store the command needs, runs it
 * and says how it ended, and wraps the work that writes in one
 * transaction. A command's function is only its work.
 */
#ifndef UOMS_VERB_H
#define UOMS_VERB_H

#include "buf.h"
#include "cli.h"
#include "store.h"
#include "user.h"

/* What a command needs opened before it runs. */
enum uoms_verb_store {
	UOMS_VERB_NO_STORE,	/* nothing (or it opens the store itself) */
	UOMS_VERB_READ,		/* the store, to read */
	UOMS_VERB_WRITE		/* the store, to write (created if need be) */
};

struct uoms_verb_ctx;

struct uoms_verb {
	const char *name;		/* the command word */
	int (*run)(struct uoms_verb_ctx *x);	/* returns the exit status */
	enum uoms_verb_store store;
	int actor;			/* loads the actor (x->actor) first */
	int id;				/* the tool's own number for it, for
					 * a function that runs several */
};

/* What a command runs with. */
struct uoms_verb_ctx {
	struct uoms_cli *cli;
	const struct uoms_verb *verb;
	struct uoms_store *s;		/* NULL for UOMS_VERB_NO_STORE */
	struct uoms_actor actor;	/* when verb->actor */
	void *arg;			/* the tool's request */
};

/*
 * The command called word in table (ended by an entry with a NULL name).
 * A usage error (exit 2) when word is NULL ("no command: a, b or c") or
 * not in the table ("unknown command 'x': a, b or c").
 */
const struct uoms_verb *uoms_verb_find(const struct uoms_cli *cli,
    const struct uoms_verb *table, const char *word);

/*
 * Parses the options in argv[1..argc) wherever they are (getopt_long
 * permutes them) over longopts: the common ones go to uoms_cli_option(),
 * the tool's own to option(cli, arg, opt, optarg). Then finds the command,
 * the first word left, in table (as uoms_verb_find() does) and leaves
 * optind past it.
 */
const struct uoms_verb *uoms_verb_parse(struct uoms_cli *cli, int argc,
    char **argv, const struct option *longopts,
    void (*option)(const struct uoms_cli *cli, void *arg, int opt,
    char *optarg), void *arg, const struct uoms_verb *table);

/*
 * Runs command v with arg once the command line has been checked and
 * uoms_cli_finish() has resolved the store and the actor: opens the store
 * as v says (exits 3 when it can't, or when the actor can't be loaded),
 * runs v, flushes standard output (a failed write is a failure: exits 3
 * unless v already failed), closes the store and frees cli's
 * configuration. Returns v's exit status.
 */
int uoms_verb_run(struct uoms_cli *cli, const struct uoms_verb *v,
    void *arg);

/*
 * Runs fn in one transaction of s, as uoms_db_transact (db.h) does: run
 * again when PostgreSQL gave up on it (a serialization failure, a
 * deadlock, a lost connection), so fn may run more than once: each run
 * must start from what arg held before the first (what fn appends to a
 * buffer of arg, it clears first). Returns fn's code, or that of a begin
 * or commit that failed, with e filled.
 */
enum uoms_code uoms_verb_tx(struct uoms_store *s,
    enum uoms_code (*fn)(struct uoms_store *s, void *arg,
    struct uoms_error *e), void *arg, struct uoms_error *e);

/*
 * How a command that ended with code ends: UOMS_EXIT_OK; a refusal is
 * said once ("prog: where: CODE: WHAT"; where may be NULL) and gives
 * UOMS_EXIT_REFUSED; a store failure (busy, internal) exits 3 here.
 */
int uoms_verb_status(const char *where, enum uoms_code code,
    struct uoms_error *e);

/* Writes out (whole JSON lines) to standard output; exits 3 when the
 * write fails. */
void uoms_verb_print(const struct uoms_buf *out);

/* The end of most commands: uoms_verb_status(), then out written when the
 * command ended well, and freed either way. Returns the exit status. */
int uoms_verb_done(const char *where, enum uoms_code code,
    struct uoms_error *e, struct uoms_buf *out);

/*
 * Only admins manage users and channels (what: "users", "channels"); until
 * the store has an admin, anyone may, so the first one can be added. On
 * one machine the store file's permissions are the security boundary;
 * this keeps a user from doing it by mistake. UOMS_FORBIDDEN else.
 */
enum uoms_code uoms_verb_admin(struct uoms_store *s,
    const struct uoms_actor *a, const char *what, struct uoms_error *e);

#endif
