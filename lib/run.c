#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "change.h"
#include "db.h"
#include "line.h"
#include "run.h"

/*
 * At a terminal, long work shows it is alive: a line on stderr, rewritten
 * about once a second, and wiped at the end. Never in a pipe or a log.
 */
static void
progress(struct uoms_run *r, int done)
{
	time_t now;

	if (!r->tty || (!done && r->read % 1024 != 0))
		return;
	now = time(NULL);
	if (done) {
		if (r->shown)
			fputs("\r\033[K", stderr);
		return;
	}
	if (now == r->shown_at)
		return;
	if (r->shown_at != 0) {
		fprintf(stderr, "\r\033[K%s: %ld read, %ld refused", uoms_err_prog(),
		    r->read, r->refused);
		r->shown = 1;
	}
	r->shown_at = now;
}

void
uoms_run_init(struct uoms_run *r)
{
	r->tty = isatty(2);
	r->ahead_at = -1;
	if (r->batch < 1)
		r->batch = 1000;
	if (r->reject_path != NULL &&
	    (r->reject = fopen(r->reject_path, "a")) == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't open '%s': %s",
		    r->reject_path, strerror(errno));
	if (r->atomic && (r->spool = tmpfile()) == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't make a spool file: %s",
		    strerror(errno));
}

static void
cannot(struct uoms_run *r, const char *where, const struct uoms_error *e)
{
	uoms_store_rollback(r->store);
	uoms_die_error(where, e);
}

static void
write_out(FILE *fp, struct uoms_buf *b)
{
	if (b->n == 0)
		return;
	if (fwrite(b->p, 1, b->n, fp) != b->n)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't write records: %s",
		    strerror(errno));
	uoms_buf_clear(b);
}

static int retry(struct uoms_run *);
static int late(struct uoms_run *);
static void drain(struct uoms_run *);

static void
commit(struct uoms_run *r)
{
	struct uoms_error e = { 0 };

	if (r->in_tx == 0)
		return;
	/* What the batch's steps left is put in place first: a write sent
	 * unawaited may fail there, as at the commit. */
	while ((r->settle != NULL && r->settle(r, &r->pending, &e) !=
	    UOMS_OK) || uoms_store_commit(r->store, &e) != UOMS_OK)
		if (!late(r) && !retry(r))
			cannot(r, NULL, &e);
	r->in_tx = 0;
	r->retries = 0;
	uoms_buf_clear(&r->redo);
	write_out(stdout, &r->pending);
}

/* Ends the read transaction lines were peeked in, if one is open. */
static void
end_read(struct uoms_run *r)
{
	struct uoms_error e = { 0 };

	if (r->in_read == 0)
		return;
	r->in_read = 0;
	if (uoms_store_commit(r->store, &e) != UOMS_OK)
		cannot(r, NULL, &e);
}

/*
 * A line the tool may answer without writing (an unchanged re-run's):
 * asked in a read transaction, which takes no lock other writers wait
 * for, and its answer printed at once, not kept for a commit or a redo
 * (nothing of it is in the write transaction). A new snapshot every
 * batch and whenever input would block, as a write transaction's. 1
 * when answered; else the read transaction is ended, for the write
 * transaction the line is stepped in.
 */
static int
peeked(struct uoms_run *r, long lineno, const char *input, size_t len)
{
	struct uoms_error e = { 0 };
	char where[300];
	int done = 0;

	if (r->in_read == 0 && uoms_store_begin_read(r->store, &e) != UOMS_OK)
		cannot(r, NULL, &e);
	r->in_read++;
	uoms_buf_clear(&r->scratch);
	if (r->peek(r, input, len, &done, &r->scratch, &e) != UOMS_OK) {
		if (r->path != NULL)
			snprintf(where, sizeof where, "%s: line %ld", r->path,
			    lineno);
		else
			snprintf(where, sizeof where, "line %ld", lineno);
		cannot(r, where, &e);
	}
	if (!done) {
		end_read(r);
		return 0;
	}
	r->read++;
	progress(r, 0);
	write_out(stdout, &r->scratch);
	if (r->in_read >= r->batch)
		end_read(r);
	return 1;
}

/* The reader is about to wait for input: let go of the write lock. */
static void
idle(void *arg)
{
	struct uoms_run *r = arg;

	/* The lines read ahead are stepped before their commit. */
	drain(r);
	end_read(r);
	if (!r->atomic)
		commit(r);
	if (uoms_out_flush() < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't write records: %s",
		    strerror(errno));
}

static void
refuse(struct uoms_run *r, const char *where, long lineno, const char *line,
    size_t len, const struct uoms_error *e)
{
	r->refused++;
	progress(r, 1);
	uoms_warn(where, "%s: %s", uoms_code_name(e->code), e->msg);
	/* Noted in a transaction of its own, as before lines were peeked:
	 * not a write in the read transaction, whose snapshot may be too
	 * old to write from. */
	end_read(r);
	uoms_store_note_reject(r->store, uoms_err_prog(), e->code, e->msg,
	    lineno);
	if (r->reject == NULL)
		return;
	uoms_buf_clear(&r->scratch);
	uoms_reject_line(r->parser, line, len, e->code, e->msg, lineno,
	    e->detail[0] ? e->detail : NULL, &r->scratch);
	uoms_buf_add(&r->scratch, "\n", 1);
	if (fwrite(r->scratch.p, 1, r->scratch.n, r->reject) != r->scratch.n)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't write '%s': %s",
		    r->reject_path, strerror(errno));
}

/*
 * Steps decide their refusals before their first write. The net under
 * that: should a statement still fail on a constraint of the store (a
 * value no check in C foresaw), that input alone becomes its invalid
 * refusal and the batch goes on. Without a savepoint per input, which
 * costs a copy of every page each input touches (a quarter more time on
 * a bulk load), the transaction keeps a copy of its inputs instead; on
 * such a failure it is rolled back and redone without the failed one,
 * each input then under a savepoint. With --atomic nothing is redone:
 * each input has its savepoint.
 */
#define REDO_MAX (16 << 20)	/* commit early rather than keep more */

struct kept {
	size_t len, wlen, mlen;
	long lineno;
	int is_arg;
	enum uoms_code code;		/* UOMS_OK, or the refusal kept */
};

static void
savepoint(struct uoms_run *r, enum uoms_sql which)
{
	struct uoms_stmt *st = uoms_db_stmt(r->store, which);
	struct uoms_error e = { 0 };
	enum uoms_db_step rc = st != NULL ? uoms_db_step(st) : UOMS_DB_ERROR;

	if (st != NULL)
		uoms_db_done(st);
	if (rc != UOMS_DB_DONE) {
		uoms_db_fail(r->store, &e, "keeping a savepoint");
		cannot(r, NULL, &e);
	}
}

/* Keeps an input of the open transaction, with its refusal if any. */
static void
keep(struct uoms_run *r, const char *where, long lineno, const char *input,
    size_t len, int is_arg, const struct uoms_error *e)
{
	struct kept k = { len, strlen(where), 0, lineno, is_arg, UOMS_OK };

	if (e != NULL) {
		k.code = e->code;
		k.mlen = strlen(e->msg);
	}
	if (uoms_buf_add(&r->redo, &k, sizeof k) < 0 ||
	    uoms_buf_add(&r->redo, where, k.wlen) < 0 ||
	    (e != NULL && uoms_buf_add(&r->redo, e->msg, k.mlen) < 0) ||
	    uoms_buf_add(&r->redo, input, len) < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "out of memory");
}

/* Did the step's last statement break a constraint (NOT NULL, CHECK...)? */
static enum uoms_code
net(struct uoms_run *r, enum uoms_code code, struct uoms_error *e)
{
	char msg[sizeof e->msg], *at;

	if (code != UOMS_INTERNAL || !uoms_db_refused(r->store))
		return code;
	/* "order 2: store: changing a status: ..." -> "order 2: the store
	 * refused a value: changing a status: ..." */
	snprintf(msg, sizeof msg, "%s", e->msg);
	if ((at = strstr(msg, "store: ")) != NULL)
		return uoms_fail(e, UOMS_INVALID, "%.*sthe store refused a "
		    "value: %s", (int)(at - msg), msg, at + 7);
	return uoms_fail(e, UOMS_INVALID, "the store refused a value: %s",
	    msg);
}

/*
 * Runs one input under a savepoint: a refusal, however late, leaves
 * nothing of it behind. Returns the code; a refusal is reported.
 */
static enum uoms_code
guarded(struct uoms_run *r, const char *where, long lineno, char *input,
    size_t len, int is_arg)
{
	struct uoms_error e = { 0 };
	size_t mark = r->pending.n;
	enum uoms_code code;

	if (is_arg)
		uoms_ref_json(input, &r->arg_line);
	/* Not one of the lines asked ahead, or in a transaction since
	 * rolled back (redo). */
	r->ahead_at = -1;
	/* Its writes are awaited before its savepoint is let go. */
	uoms_db_defer(r->store, 0);
	savepoint(r, SQL_RUN_SAVEPOINT);
	code = net(r, r->step(r, input, len, is_arg, &r->pending, &e), &e);
	if (code == UOMS_INTERNAL || code == UOMS_BUSY)
		cannot(r, where, &e);
	if (code != UOMS_OK)
		savepoint(r, SQL_RUN_UNDO);
	savepoint(r, SQL_RUN_RELEASE);
	if (code == UOMS_OK)
		return code;
	r->pending.n = mark;
	if (is_arg)
		refuse(r, where, 0, r->arg_line.p, r->arg_line.n, &e);
	else
		refuse(r, where, lineno, input, len, &e);
	if (!r->atomic)
		keep(r, where, lineno, "", 0, is_arg, &e);
	return code;
}

/*
 * A constraint failed in the middle of an input: roll the transaction
 * back and redo the inputs before it, as they were. Their output and the
 * tool's tally are made again; refusals already reported are only noted
 * again in the store.
 */
static void
redo(struct uoms_run *r)
{
	struct uoms_buf old = r->redo, in = { 0 };
	struct uoms_error e = { 0 };
	size_t at = 0;

	r->redo = (struct uoms_buf){ 0 };
	uoms_store_rollback(r->store);
	r->pending.n = 0;
	if (r->forget != NULL)
		r->forget(r);
	memcpy(r->tally, r->tally_tx, sizeof r->tally);
	if (uoms_store_begin(r->store, &e) != UOMS_OK)
		cannot(r, NULL, &e);
	while (at < old.n) {
		struct kept k;
		const char *where, *msg, *input;

		memcpy(&k, old.p + at, sizeof k);
		where = old.p + at + sizeof k;
		msg = where + k.wlen;
		input = msg + k.mlen;
		at += sizeof k + k.wlen + k.mlen + k.len;
		uoms_buf_clear(&in);
		uoms_buf_add(&in, where, k.wlen);
		uoms_buf_add(&in, "", 1);
		uoms_buf_add(&in, input, k.len);
		uoms_buf_add(&in, "", 1);
		if (in.p == NULL)
			uoms_die(UOMS_EXIT_CANNOT, NULL, "out of memory");
		if (k.code != UOMS_OK) {
			uoms_fail(&e, k.code, "%.*s", (int)k.mlen, msg);
			uoms_store_note_reject(r->store, uoms_err_prog(),
			    e.code, e.msg, k.lineno);
			keep(r, in.p, k.lineno, "", 0, k.is_arg, &e);
			continue;
		}
		if (guarded(r, in.p, k.lineno, in.p + k.wlen + 1, k.len,
		    k.is_arg) == UOMS_OK)
			keep(r, in.p, k.lineno, input, k.len, k.is_arg, NULL);
	}
	uoms_buf_free(&in);
	uoms_buf_free(&old);
}

/*
 * The transaction failed in a way a new try may pass: the connection to
 * a PostgreSQL server was lost (a restart) or the server gave up on it
 * (serialization failure, deadlock). Rolled back, it is run again whole
 * from the inputs kept for redo, on a new connection if need be; 0 when
 * it can't be (--atomic keeps no inputs; the failure is of another kind;
 * tried often enough). Never twice stored: a transaction is retried only
 * when it surely was not stored (a COMMIT whose answer was lost is asked
 * about first, uoms_store_commit, and an unknown outcome is not
 * retryable), so every input of it takes effect once.
 */
#define RETRY_MAX 5

static int
retry(struct uoms_run *r)
{
	if (r->atomic || r->retries >= RETRY_MAX ||
	    !uoms_db_retryable(r->store))
		return 0;
	r->retries++;
	redo(r);
	return 1;
}

/*
 * An input's writes are sent without waiting for them (uoms_db_defer):
 * a failure among them shows at a later statement, of a later input or
 * the commit. Then the transaction is redone from its kept inputs, the
 * failing one with them, each awaited under its savepoint: that one
 * alone is refused, with its own line and words (or, a failure no
 * input may cause, ends the run as it would have at once). 0 when the
 * failure was not a deferred write's, or a new try may pass (retry).
 */
static int
late(struct uoms_run *r)
{
	int staged = r->staged_failed;

	r->staged_failed = 0;
	if (r->atomic || (uoms_db_late(r->store) == 0 && !staged) ||
	    uoms_db_retryable(r->store))
		return 0;
	redo(r);
	return 1;
}

static void
one(struct uoms_run *r, const char *where, long lineno, char *input,
    size_t len, int is_arg)
{
	struct uoms_error e = { 0 };
	size_t mark = r->pending.n, kept = r->redo.n;
	enum uoms_code code;

	r->read++;
	progress(r, 0);
	if (r->in_tx == 0) {
		if (uoms_store_begin(r->store, &e) != UOMS_OK)
			cannot(r, NULL, &e);
		memcpy(r->tally_tx, r->tally, sizeof r->tally);
		uoms_buf_clear(&r->redo);
		kept = 0;
	}
	r->in_tx++;
	if (r->atomic) {
		guarded(r, where, lineno, input, len, is_arg);
		if (r->pending.n > (1 << 20))
			write_out(r->spool, &r->pending);
		return;
	}
	/* Kept before the step: parsing cuts an argument up. */
	keep(r, where, lineno, input, len, is_arg, NULL);
	if (is_arg)
		uoms_ref_json(input, &r->arg_line);
	/* The lines read ahead, asked about before the first is stepped,
	 * in its transaction: a failure is that line's, as its step's. */
	code = UOMS_OK;
	if (r->ahead_n > 0) {
		code = r->ahead(r, r->ahead_lines, r->ahead_lens, r->ahead_n,
		    &e);
		r->ahead_n = 0;
	}
	/* Its writes awaited with the next input's (a round trip less). */
	uoms_db_defer(r->store, r->read);
	if (code == UOMS_OK)
		code = r->step(r, input, len, is_arg, &r->pending, &e);
	/* This one is redone with the others (kept above). */
	if (code != UOMS_OK && late(r)) {
		if (r->in_tx >= r->batch || r->redo.n > REDO_MAX)
			commit(r);
		return;
	}
	if (net(r, code, &e) != code) {
		/* Half of this input may be written: redo the others. */
		r->redo.n = kept;
		redo(r);
		mark = r->pending.n;
		kept = r->redo.n;
		code = UOMS_INVALID;
	}
	/* Redone with the others (kept above), and reported there. */
	if ((code == UOMS_INTERNAL || code == UOMS_BUSY) && retry(r)) {
		if (r->in_tx >= r->batch || r->redo.n > REDO_MAX)
			commit(r);
		return;
	}
	if (code == UOMS_INTERNAL || code == UOMS_BUSY)
		cannot(r, where, &e);
	if (code != UOMS_OK) {
		r->pending.n = mark;
		r->redo.n = kept;
		if (is_arg)
			refuse(r, where, 0, r->arg_line.p, r->arg_line.n, &e);
		else
			refuse(r, where, lineno, input, len, &e);
		keep(r, where, lineno, "", 0, is_arg, &e);
		return;
	}
	if (r->in_tx >= r->batch || r->redo.n > REDO_MAX)
		commit(r);
}

/*
 * Read ahead (uoms_run_ahead): lines wait in r->queue, each as a struct
 * queued, its bytes and a NUL, and for a line refused as read its why
 * and a NUL, until AHEAD_MAX of them (or AHEAD_BYTES, or the end of the
 * batch, past which what is asked would not hold) are read, the input
 * would block (idle), or it ends. Then they are asked about at once and
 * stepped, each as it would have been when read.
 */
#define AHEAD_MAX 1000
#define AHEAD_BYTES (4 << 20)

struct queued {
	long lineno;
	size_t len, wlen;
	int ok;
	int none;		/* the reader kept nothing of it (NULL) */
};

static void
enqueue(struct uoms_run *r, long lineno, int ok, const char *line,
    size_t len, const char *why)
{
	struct queued q = { lineno, line != NULL ? len : 0,
	    ok ? 0 : strlen(why), ok, line == NULL };

	if (uoms_buf_add(&r->queue, &q, sizeof q) < 0 ||
	    uoms_buf_add(&r->queue, line != NULL ? line : "", q.len) < 0 ||
	    uoms_buf_add(&r->queue, "", 1) < 0 ||
	    uoms_buf_add(&r->queue, why, q.wlen) < 0 ||
	    uoms_buf_add(&r->queue, "", 1) < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "out of memory");
	r->queued++;
}

static void
drain(struct uoms_run *r)
{
	struct uoms_error e = { 0 };
	struct queued q;
	char where[300], *line;
	size_t at;
	int n = 0;

	if (r->queued == 0)
		return;
	if (r->queued > r->ahead_cap) {
		char **l = realloc(r->ahead_lines, r->queued * sizeof *l);
		size_t *lens = l != NULL ? realloc(r->ahead_lens,
		    r->queued * sizeof *lens) : NULL;

		if (l != NULL)
			r->ahead_lines = l;
		if (lens == NULL)
			uoms_die(UOMS_EXIT_CANNOT, NULL, "out of memory");
		r->ahead_lens = lens;
		r->ahead_cap = r->queued;
	}
	for (at = 0; at < r->queue.n; at += sizeof q + q.len + q.wlen + 2) {
		memcpy(&q, r->queue.p + at, sizeof q);
		if (!q.ok)
			continue;
		r->ahead_lines[n] = r->queue.p + at + sizeof q;
		r->ahead_lens[n++] = q.len;
	}
	/* Asked with the first line stepped (one). */
	r->ahead_n = n;
	r->queued = n = 0;
	for (at = 0; at < r->queue.n; at += sizeof q + q.len + q.wlen + 2) {
		memcpy(&q, r->queue.p + at, sizeof q);
		line = r->queue.p + at + sizeof q;
		if (r->path != NULL)
			snprintf(where, sizeof where, "%s: line %ld", r->path,
			    q.lineno);
		else
			snprintf(where, sizeof where, "line %ld", q.lineno);
		if (q.ok) {
			r->ahead_at = n++;
			one(r, where, q.lineno, line, q.len, 0);
			continue;
		}
		r->read++;
		uoms_fail(&e, UOMS_INVALID, "%s", line + q.len + 1);
		refuse(r, where, q.lineno, q.none ? NULL : line, q.len, &e);
	}
	r->ahead_at = -1;
	r->ahead_n = 0;
	uoms_buf_clear(&r->queue);
}

void
uoms_run_file(struct uoms_run *r, const char *path)
{
	struct uoms_line_reader rd;
	struct uoms_error e;
	char why[256], where[300];
	enum uoms_line_status st;
	char *line;
	size_t len;
	int ahead;

	if (path != NULL && strcmp(path, "-") == 0)
		path = NULL;
	if (uoms_line_open(&rd, path, r->line_max) < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't open '%s': %s", path,
		    strerror(errno));
	rd.idle = idle;
	rd.idle_arg = r;
	r->path = path;
	ahead = r->ahead != NULL && !r->atomic && uoms_db_remote(r->store);
	while ((st = uoms_line_next(&rd, &line, &len, why, sizeof why))
	    != UOMS_LINE_EOF) {
		if (st == UOMS_LINE_IOERR)
			uoms_die(UOMS_EXIT_CANNOT, NULL, "can't read '%s': %s",
			    path != NULL ? path : "stdin", strerror(errno));
		/* Answered at once (peeked): its name is not even made. */
		if (st == UOMS_LINE_OK && r->peek != NULL && !ahead &&
		    r->in_tx == 0 && !r->atomic &&
		    !uoms_line_blank(line, len) &&
		    peeked(r, rd.lineno, line, len))
			continue;
		if (path != NULL)
			snprintf(where, sizeof where, "%s: line %ld", path,
			    rd.lineno);
		else
			snprintf(where, sizeof where, "line %ld", rd.lineno);
		if (st == UOMS_LINE_OK && uoms_line_blank(line, len))
			continue;
		if (ahead) {
			enqueue(r, rd.lineno, st == UOMS_LINE_OK, line, len,
			    why);
			if (r->queued >= AHEAD_MAX || r->queue.n > AHEAD_BYTES ||
			    r->in_tx + r->queued >= r->batch)
				drain(r);
			continue;
		}
		if (st == UOMS_LINE_OK) {
			one(r, where, rd.lineno, line, len, 0);
			continue;
		}
		r->read++;
		uoms_fail(&e, UOMS_INVALID, "%s", why);
		refuse(r, where, rd.lineno, line, len, &e);
	}
	drain(r);
	r->path = NULL;
	uoms_line_close(&rd);
}

void
uoms_run_arg(struct uoms_run *r, char *arg)
{
	char where[300];

	snprintf(where, sizeof where, "order %s", arg);
	one(r, where, 0, arg, strlen(arg), 1);
}

void
uoms_run_finish(struct uoms_run *r)
{
	char buf[65536];
	size_t n;

	progress(r, 1);
	if (r->atomic && r->refused > 0) {
		uoms_store_rollback(r->store);
		r->in_tx = 0;
		r->failed_atomic = 1;
		uoms_warn(NULL, "nothing stored: %ld refused (all or nothing)",
		    r->refused);
	} else {
		end_read(r);
		commit(r);
		if (r->spool != NULL) {
			rewind(r->spool);
			while ((n = fread(buf, 1, sizeof buf, r->spool)) > 0)
				fwrite(buf, 1, n, stdout);
		}
	}
	if (r->reject != NULL && fclose(r->reject) != 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't write '%s': %s",
		    r->reject_path, strerror(errno));
	if (r->spool != NULL)
		fclose(r->spool);
	if (uoms_out_flush() < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't write records: %s",
		    strerror(errno));
	uoms_buf_free(&r->pending);
	uoms_buf_free(&r->scratch);
	uoms_buf_free(&r->arg_line);
	uoms_buf_free(&r->redo);
	uoms_buf_free(&r->queue);
	free(r->ahead_lines);
	free(r->ahead_lens);
}

int
uoms_run_status(const struct uoms_run *r)
{
	return r->refused > 0 ? UOMS_EXIT_REFUSED : UOMS_EXIT_OK;
}
