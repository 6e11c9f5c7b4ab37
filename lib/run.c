#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "change.h"
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

static void
commit(struct uoms_run *r)
{
	struct uoms_error e = { 0 };

	if (r->in_tx == 0)
		return;
	if (uoms_store_commit(r->store, &e) != UOMS_OK)
		cannot(r, NULL, &e);
	r->in_tx = 0;
	write_out(stdout, &r->pending);
}

/* The reader is about to wait for input: let go of the write lock. */
static void
idle(void *arg)
{
	struct uoms_run *r = arg;

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

static void
one(struct uoms_run *r, const char *where, long lineno, char *input,
    size_t len, int is_arg)
{
	struct uoms_error e = { 0 };
	size_t mark = r->pending.n;
	enum uoms_code code;

	r->read++;
	progress(r, 0);
	if (r->in_tx == 0 && uoms_store_begin(r->store, &e) != UOMS_OK)
		cannot(r, NULL, &e);
	r->in_tx++;
	/* An argument is cut up by parsing: keep it for the reject line. */
	if (is_arg)
		uoms_ref_json(input, &r->arg_line);
	code = r->step(r, input, len, is_arg, &r->pending, &e);
	if (code == UOMS_INTERNAL || code == UOMS_BUSY)
		cannot(r, where, &e);
	if (code != UOMS_OK) {
		r->pending.n = mark;
		if (is_arg)
			refuse(r, where, 0, r->arg_line.p, r->arg_line.n, &e);
		else
			refuse(r, where, lineno, input, len, &e);
		return;
	}
	if (r->atomic && r->pending.n > (1 << 20))
		write_out(r->spool, &r->pending);
	else if (!r->atomic && r->in_tx >= r->batch)
		commit(r);
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

	if (path != NULL && strcmp(path, "-") == 0)
		path = NULL;
	if (uoms_line_open(&rd, path, r->line_max) < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't open '%s': %s", path,
		    strerror(errno));
	rd.idle = idle;
	rd.idle_arg = r;
	while ((st = uoms_line_next(&rd, &line, &len, why, sizeof why))
	    != UOMS_LINE_EOF) {
		if (st == UOMS_LINE_IOERR)
			uoms_die(UOMS_EXIT_CANNOT, NULL, "can't read '%s': %s",
			    path != NULL ? path : "stdin", strerror(errno));
		if (path != NULL)
			snprintf(where, sizeof where, "%s: line %ld", path,
			    rd.lineno);
		else
			snprintf(where, sizeof where, "line %ld", rd.lineno);
		if (st == UOMS_LINE_OK && uoms_line_blank(line, len))
			continue;
		if (st == UOMS_LINE_OK) {
			one(r, where, rd.lineno, line, len, 0);
			continue;
		}
		r->read++;
		uoms_fail(&e, UOMS_INVALID, "%s", why);
		refuse(r, where, rd.lineno, line, len, &e);
	}
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
}

int
uoms_run_status(const struct uoms_run *r)
{
	return r->refused > 0 ? UOMS_EXIT_REFUSED : UOMS_EXIT_OK;
}
