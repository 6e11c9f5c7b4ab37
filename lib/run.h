/*
 * run: the loop every tool that changes the store shares. It reads lines
 * (or takes command-line arguments), hands each to the tool's step inside
 * a write transaction, prints the records a batch produced once it is
 * committed, writes refused lines to the reject file, and lets go of the
 * write lock whenever input would block. With atomic, everything is one
 * transaction and one refusal stores nothing.
 */
#ifndef UOMS_RUN_H
#define UOMS_RUN_H

#include <stdio.h>
#include <time.h>

#include "buf.h"
#include "order.h"
#include "store.h"

struct uoms_run;

/*
 * One input: a line (is_arg 0) or a command-line argument (is_arg 1).
 * Appends its output record(s), each ending in '\n', to out. A refusal
 * must come before the step's first write (see change.h).
 */
typedef enum uoms_code (*uoms_run_step)(struct uoms_run *r, char *input,
    size_t len, int is_arg, struct uoms_buf *out, struct uoms_error *e);

/*
 * Optional, for a store on a server (uoms_db_remote): the next n lines,
 * read ahead, before the first of them is stepped, in the transaction
 * they are stepped in, so the tool may ask the store about them all in
 * one round trip rather than one a line. Borrowed until the last of
 * them is stepped; r->ahead_at then says which of them a step is given
 * (-1: an input stepped on its own, as when a transaction is redone).
 * A failure is the first line's, as its step's would be.
 */
typedef enum uoms_code (*uoms_run_ahead)(struct uoms_run *r,
    char *const *lines, const size_t *lens, int n, struct uoms_error *e);

/*
 * Optional: output a step left to put in out later (change.h's records
 * read a batch at a time), put there before each commit, in the
 * transaction (a failure is the commit's: a write sent unawaited may
 * show in it); and forgotten when the transaction's output is dropped
 * (redone).
 */
typedef enum uoms_code (*uoms_run_settle)(struct uoms_run *r,
    struct uoms_buf *out, struct uoms_error *e);
typedef void (*uoms_run_forget)(struct uoms_run *r);

/*
 * Optional: answers a line without the write transaction when it can (a
 * line that changes nothing), in a read transaction: appends its output
 * record(s) to out and sets *done, or leaves *done 0 to have the line
 * stepped as usual, in the write transaction. Counts its own tally. A
 * failure ends the run, as a step's UOMS_INTERNAL. Asked for the lines of
 * uoms_run_file only, never with atomic.
 */
typedef enum uoms_code (*uoms_run_peek)(struct uoms_run *r,
    const char *line, size_t len, int *done, struct uoms_buf *out,
    struct uoms_error *e);

struct uoms_run {
	struct uoms_store *store;
	struct uoms_parser *parser;
	uoms_run_step step;
	uoms_run_ahead ahead;		/* NULL: none */
	int ahead_at;			/* the step's line of those (run.c) */
	uoms_run_settle settle;		/* NULL: none */
	uoms_run_forget forget;
	uoms_run_peek peek;		/* NULL: none */
	/* Set by a step, ahead or settle whose failure was a write made
	 * for several inputs (change.h's staged): the transaction is then
	 * redone, each input on its own, to tell whose it was. */
	int staged_failed;
	void *arg;			/* the tool's own state */
	int atomic;
	long batch;			/* inputs per transaction */
	size_t line_max;
	const char *reject_path;	/* NULL: no reject file */
	long read, refused;		/* counts, for summaries */
	/* The tool's own counts (created, updated...), by its own index:
	 * kept here so that a transaction redone (run.c) counts once. */
	long tally[4];
	/* internal */
	long tally_tx[4];		/* the tally when the transaction began */
	struct uoms_buf redo;		/* the inputs of the open transaction */
	long in_tx;
	long in_read;			/* lines peeked in the read transaction */
	FILE *reject, *spool;
	struct uoms_buf pending, scratch, arg_line;
	int failed_atomic;
	int retries;			/* of the open transaction (run.c) */
	int tty, shown;			/* progress on a terminal */
	time_t shown_at;
	/* Lines read ahead (uoms_run_file), not stepped yet. */
	struct uoms_buf queue;
	int queued;
	const char *path;
	char **ahead_lines;
	size_t *ahead_lens;
	int ahead_n, ahead_cap;
};

/* Opens the reject file and the --atomic spool; exits 3 on failure. */
void uoms_run_init(struct uoms_run *r);
/* Runs every line of path (NULL or "-": stdin). */
void uoms_run_file(struct uoms_run *r, const char *path);
/* Runs one command-line argument; where names it in messages. */
void uoms_run_arg(struct uoms_run *r, char *arg);
/* Commits (or, atomic with a refusal, rolls back) and flushes; frees. */
void uoms_run_finish(struct uoms_run *r);
/* The exit status the run earned. */
int uoms_run_status(const struct uoms_run *r);

#endif
