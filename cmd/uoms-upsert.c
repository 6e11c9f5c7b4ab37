/* uoms-upsert: read order (or product) lines, store them by natural key. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ingest.h"
#include "line.h"

static const char usage[] =
"usage: uoms-upsert [-d DB] [-c CONFIG] [--actor NAME] [--products] [--batch N]\n"
"                   [--atomic] [--reject FILE] [--keep-raw] [--summary] [FILE...]\n";

enum { OPT_PRODUCTS = UOMS_OPT_TOOL, OPT_BATCH, OPT_ATOMIC, OPT_REJECT,
	OPT_KEEP_RAW, OPT_SUMMARY };

static const struct option longopts[] = {
	UOMS_CLI_LONGOPTS,
	{ "products", no_argument, NULL, OPT_PRODUCTS },
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "atomic", no_argument, NULL, OPT_ATOMIC },
	{ "reject", required_argument, NULL, OPT_REJECT },
	{ "keep-raw", no_argument, NULL, OPT_KEEP_RAW },
	{ "summary", no_argument, NULL, OPT_SUMMARY },
	{ NULL, 0, NULL, 0 }
};

struct run {
	struct uoms_store *store;
	struct uoms_parser *parser;
	int products, atomic, keep_raw;
	long batch, in_tx;		/* lines in the open transaction */
	FILE *reject;
	const char *reject_path;
	struct uoms_buf pending;	/* records shown once committed */
	FILE *spool;			/* --atomic: records until the end */
	struct uoms_buf scratch;
	long read, created, updated, unchanged, rejected;
};

static void
cannot(struct run *r, const char *where, const struct uoms_error *e)
{
	uoms_store_rollback(r->store);
	uoms_die(UOMS_EXIT_CANNOT, where, "%s: %s", uoms_code_name(e->code),
	    e->msg);
}

static void
show_pending(struct run *r)
{
	if (fwrite(r->pending.p, 1, r->pending.n, stdout) != r->pending.n)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't write records: %s",
		    strerror(errno));
	uoms_buf_clear(&r->pending);
}

static void
commit(struct run *r)
{
	struct uoms_error e = { 0 };

	if (r->in_tx == 0)
		return;
	if (uoms_store_commit(r->store, &e) != UOMS_OK)
		cannot(r, NULL, &e);
	r->in_tx = 0;
	show_pending(r);
}

/* The reader is about to wait for input: let go of the write lock. */
static void
idle(void *arg)
{
	struct run *r = arg;

	if (!r->atomic)
		commit(r);
	if (uoms_out_flush() < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't write records: %s",
		    strerror(errno));
}

static void
refuse(struct run *r, const char *where, long lineno, const char *line,
    size_t len, const struct uoms_error *e)
{
	char extra[64], *x = NULL;

	r->rejected++;
	uoms_warn(where, "%s: %s", uoms_code_name(e->code), e->msg);
	if (r->reject == NULL)
		return;
	if (e->code == UOMS_VERSION_CONFLICT) {
		snprintf(extra, sizeof extra, "\"current_version\":%lld",
		    e->current_version);
		x = extra;
	}
	uoms_buf_clear(&r->scratch);
	uoms_reject_line(r->parser, line, len, e->code, e->msg, lineno, x,
	    &r->scratch);
	if (fwrite(r->scratch.p, 1, r->scratch.n, r->reject) != r->scratch.n ||
	    fputc('\n', r->reject) == EOF)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't write '%s': %s",
		    r->reject_path, strerror(errno));
}

static enum uoms_code
store_product(struct run *r, const char *line, size_t len,
    enum uoms_ingest_result *res, struct uoms_error *e)
{
	struct uoms_product p;
	enum uoms_code code;

	if ((code = uoms_product_parse(r->parser, line, len, &p, e)) != UOMS_OK)
		return code;
	if ((code = uoms_ingest_product(r->store, &p, res, e)) != UOMS_OK)
		return code;
	return uoms_product_record(r->store, p.f[UOMS_P_SKU].s, &r->pending,
	    e);
}

/* A line already applied, to an order unchanged since, is not parsed. */
static enum uoms_code
store_order(struct run *r, const char *line, size_t len,
    enum uoms_ingest_result *res, struct uoms_error *e)
{
	unsigned char hash[UOMS_LINE_HASH];
	struct uoms_order o;
	enum uoms_code code;
	long long id;
	int same;

	uoms_ingest_hash(line, len, hash);
	code = uoms_ingest_same_line(r->store, hash, &same, &id, &r->pending,
	    e);
	if (code != UOMS_OK || same) {
		*res = UOMS_UNCHANGED;
		return code;
	}
	if ((code = uoms_order_parse(r->parser, line, len, &o, e)) != UOMS_OK)
		return code;
	code = uoms_ingest_order(r->store, &o, res, &id, &r->pending, e);
	if (code != UOMS_OK || *res == UOMS_UNCHANGED)
		return code;
	if ((code = uoms_ingest_remember_line(r->store, id, hash, e)) != UOMS_OK)
		return code;
	return r->keep_raw ? uoms_ingest_raw(r->store, id, line, len, e) :
	    UOMS_OK;
}

static enum uoms_code
store_line(struct run *r, const char *line, size_t len, struct uoms_error *e)
{
	enum uoms_ingest_result res;
	enum uoms_code code;
	size_t mark = r->pending.n;

	if (r->in_tx == 0 && (code = uoms_store_begin(r->store, e)) != UOMS_OK)
		cannot(r, NULL, e);
	r->in_tx++;
	code = r->products ? store_product(r, line, len, &res, e) :
	    store_order(r, line, len, &res, e);
	if (code != UOMS_OK) {
		r->pending.n = mark;
		return code;
	}
	uoms_buf_add(&r->pending, "\n", 1);
	*(res == UOMS_CREATED ? &r->created : res == UOMS_UPDATED ?
	    &r->updated : &r->unchanged) += 1;
	if (r->atomic && r->pending.n > (1 << 20)) {
		fwrite(r->pending.p, 1, r->pending.n, r->spool);
		uoms_buf_clear(&r->pending);
	}
	return UOMS_OK;
}

static void
upsert_file(struct run *r, const char *path, size_t line_max)
{
	struct uoms_line_reader rd;
	struct uoms_error e;
	char why[256], where[300];
	enum uoms_line_status st;
	char *line;
	size_t len;

	if (uoms_line_open(&rd, path, line_max) < 0)
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
		r->read++;
		memset(&e, 0, sizeof e);
		if (st == UOMS_LINE_BAD)
			uoms_fail(&e, UOMS_INVALID, "%s", why);
		else if (store_line(r, line, len, &e) == UOMS_OK) {
			if (!r->atomic && r->in_tx >= r->batch)
				commit(r);
			continue;
		}
		if (e.code == UOMS_INTERNAL || e.code == UOMS_BUSY)
			cannot(r, where, &e);
		refuse(r, where, rd.lineno, line, len, &e);
	}
	uoms_line_close(&rd);
}

static void
finish_atomic(struct run *r)
{
	char buf[65536];
	size_t n;

	if (r->rejected > 0) {
		uoms_store_rollback(r->store);
		uoms_warn(NULL, "nothing stored: %ld line%s refused (--atomic)",
		    r->rejected, r->rejected == 1 ? "" : "s");
		r->created = r->updated = r->unchanged = 0;
		return;
	}
	commit(r);
	rewind(r->spool);
	while ((n = fread(buf, 1, sizeof buf, r->spool)) > 0)
		fwrite(buf, 1, n, stdout);
}

int
main(int argc, char **argv)
{
	struct uoms_cli cli;
	struct run r = { .batch = 0 };
	int opt, summary = 0, bad = 0;
	long long line_max;
	char why[512];

	uoms_cli_init(&cli, argv[0], usage);
	while ((opt = getopt_long(argc, argv, UOMS_CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (uoms_cli_option(&cli, opt, optarg))
			continue;
		switch (opt) {
		case OPT_PRODUCTS: r.products = 1; break;
		case OPT_BATCH:
			r.batch = uoms_cli_number(&cli, "--batch", optarg, 1,
			    1000000);
			break;
		case OPT_ATOMIC: r.atomic = 1; break;
		case OPT_REJECT: r.reject_path = optarg; break;
		case OPT_KEEP_RAW: r.keep_raw = 1; break;
		case OPT_SUMMARY: summary = 1; break;
		}
	}
	argc -= optind;
	argv += optind;
	if (r.keep_raw && r.products)
		uoms_cli_usage_error(&cli, "--keep-raw goes with orders, not "
		    "--products");
	uoms_cli_finish(&cli);
	if (r.batch == 0)
		r.batch = uoms_config_num(&cli.config, "batch", 1000, &bad);
	line_max = uoms_config_num(&cli.config, "line_max",
	    UOMS_LINE_MAX_DEFAULT, &bad);
	if (bad || r.batch < 1 || line_max < 2)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "config: batch and line_max "
		    "must be positive numbers");
	if (argc == 0)
		uoms_cli_refuse_tty(&cli);
	if (r.reject_path != NULL &&
	    (r.reject = fopen(r.reject_path, "a")) == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't open '%s': %s",
		    r.reject_path, strerror(errno));
	if (r.atomic && (r.spool = tmpfile()) == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't make a spool file: %s",
		    strerror(errno));
	r.store = uoms_store_open(cli.db, UOMS_STORE_WRITE, &cli.config, why,
	    sizeof why);
	if (r.store == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", why);
	if ((r.parser = uoms_parser_new()) == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't set up the JSON parser");
	uoms_store_set_actor(r.store, cli.actor);
	uoms_store_set_workflow(r.store, uoms_config_get(&cli.config,
	    "workflow", "dispatch"));
	if (argc == 0)
		upsert_file(&r, NULL, line_max);
	for (int i = 0; i < argc; i++)
		upsert_file(&r, strcmp(argv[i], "-") == 0 ? NULL : argv[i],
		    line_max);
	if (r.atomic)
		finish_atomic(&r);
	else
		commit(&r);
	if (summary)
		uoms_warn(NULL, "read %ld, created %ld, updated %ld, unchanged "
		    "%ld, rejected %ld", r.read, r.created, r.updated,
		    r.unchanged, r.rejected);
	if (r.reject != NULL && fclose(r.reject) != 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't write '%s': %s",
		    r.reject_path, strerror(errno));
	if (uoms_out_flush() < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't write records: %s",
		    strerror(errno));
	uoms_parser_free(r.parser);
	uoms_store_close(r.store);
	uoms_buf_free(&r.pending);
	uoms_buf_free(&r.scratch);
	uoms_config_free(&cli.config);
	return r.rejected > 0 ? UOMS_EXIT_REFUSED : UOMS_EXIT_OK;
}
