/* uoms-upsert: read order (or product) lines, store them by natural key. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "cli.h"
#include "ingest.h"
#include "line.h"
#include "user.h"
#include "run.h"
#include "rules.h"

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

struct upsert {
	int products, keep_raw;
	const struct uoms_actor *actor;
	struct uoms_ingest_ahead ahead;
};

/* What the lines did, in the run's tally. */
enum { CREATED, UPDATED, UNCHANGED };

static enum uoms_code
store_product(struct uoms_run *r, const char *line, size_t len,
    enum uoms_ingest_result *res, struct uoms_buf *out, struct uoms_error *e)
{
	struct uoms_product p;
	enum uoms_code code;

	if ((code = uoms_product_parse(r->parser, line, len, &p, e)) != UOMS_OK)
		return code;
	if ((code = uoms_catalog_put(r->store, &p, res, e)) != UOMS_OK)
		return code;
	return uoms_catalog_record(r->store, p.f[UOMS_P_CHANNEL].type ==
	    UOMS_V_TEXT ? p.f[UOMS_P_CHANNEL].s : "", p.f[UOMS_P_SKU].s, out, e);
}

/* A line already applied, to an order unchanged since, is not parsed. */
static enum uoms_code
store_order(struct uoms_run *r, const char *line, size_t len,
    enum uoms_ingest_result *res, struct uoms_buf *out, struct uoms_error *e)
{
	struct upsert *u = r->arg;
	unsigned char hash[UOMS_LINE_HASH];
	struct uoms_order o;
	enum uoms_code code;
	long long id;
	int same;

	uoms_ingest_hash(line, len, hash);
	/* On a server, asked with the lines read ahead. */
	same = uoms_ingest_ahead_unchanged(r->store, &u->ahead, r->ahead_at,
	    hash, &id, out);
	if (same != 0) {
		*res = UOMS_UNCHANGED;
		return same > 0 ? UOMS_OK :
		    uoms_fail(e, UOMS_INTERNAL, "out of memory");
	}
	code = uoms_ingest_same_line(r->store, hash, &same, &id, out, e);
	if (code != UOMS_OK || same) {
		*res = UOMS_UNCHANGED;
		return code;
	}
	if ((code = uoms_order_parse(r->parser, line, len, &o, e)) != UOMS_OK)
		return code;
	o.line_hash = hash;
	code = uoms_ingest_order_ahead(r->store, &u->ahead, r->ahead_at, &o,
	    u->actor, res, &id, out, e);
	if (code == UOMS_OK && *res != UOMS_UNCHANGED)
		uoms_ingest_ahead_wrote(&u->ahead, r->ahead_at, id);
	if (code != UOMS_OK || *res == UOMS_UNCHANGED || !u->keep_raw)
		return code;
	return uoms_ingest_raw(r->store, id, line, len, e);
}

/* A line applied before, to an order unchanged since, is answered in the
 * read transaction (run.h): its record as kept. */
static enum uoms_code
peek(struct uoms_run *r, const char *line, size_t len, int *done,
    struct uoms_buf *out, struct uoms_error *e)
{
	unsigned char hash[UOMS_LINE_HASH];
	enum uoms_code code;
	long long id;

	uoms_ingest_hash(line, len, hash);
	code = uoms_ingest_same_line(r->store, hash, done, &id, out, e);
	if (code != UOMS_OK || !*done)
		return code;
	uoms_buf_add(out, "\n", 1);
	r->tally[UNCHANGED]++;
	return UOMS_OK;
}

/* On a server, the next lines are known at once: those applied before,
 * to orders unchanged since, with their records; then the new orders of
 * the others, each parsed here and again when stepped. */
static enum uoms_code
ahead(struct uoms_run *r, char *const *lines, const size_t *lens, int n,
    struct uoms_error *e)
{
	struct upsert *u = r->arg;
	struct uoms_error skip;
	struct uoms_order o;
	enum uoms_code code;

	uoms_ingest_ahead_clear(&u->ahead);
	code = uoms_ingest_ahead_same(r->store, &u->ahead, lines, lens, n, e);
	if (code != UOMS_OK)
		return code;
	for (int i = 0; i < n; i++) {
		const struct uoms_order *k = NULL;

		if (i >= u->ahead.same_n || u->ahead.same_id[i] == 0)
			k = uoms_order_parse(r->parser, lines[i], lens[i], &o,
			    &skip) == UOMS_OK ? &o : NULL;
		if (uoms_ingest_ahead_add(&u->ahead, k) < 0)
			return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	}
	return uoms_ingest_ahead_ask(r->store, &u->ahead, e);
}

static enum uoms_code
step(struct uoms_run *r, char *line, size_t len, int is_arg,
    struct uoms_buf *out, struct uoms_error *e)
{
	struct upsert *u = r->arg;
	enum uoms_ingest_result res;
	enum uoms_code code;

	(void)is_arg;
	code = u->products ? store_product(r, line, len, &res, out, e) :
	    store_order(r, line, len, &res, out, e);
	if (code != UOMS_OK)
		return code;
	uoms_buf_add(out, "\n", 1);
	r->tally[res == UOMS_CREATED ? CREATED : res == UOMS_UNCHANGED ?
	    UNCHANGED : UPDATED]++;
	return UOMS_OK;
}

/* stdout's buffer (glibc sizes its own by the file's block, 4 KiB). */
static char outbuf[1 << 16];

int
main(int argc, char **argv)
{
	struct uoms_cli cli;
	struct upsert u = { 0 };
	struct uoms_actor actor;
	struct uoms_error e = { 0 };
	struct uoms_run r = { .step = step, .arg = &u };
	int opt, summary = 0, bad = 0;
	char why[512];

	uoms_cli_init(&cli, argv[0], usage);
	while ((opt = uoms_cli_getopt(argc, argv, UOMS_CLI_SHORTOPTS,
	    longopts, NULL)) != -1) {
		if (uoms_cli_option(&cli, opt, optarg))
			continue;
		switch (opt) {
		case OPT_PRODUCTS: u.products = 1; break;
		case OPT_BATCH:
			r.batch = uoms_cli_number(&cli, "--batch", optarg, 1,
			    1000000);
			break;
		case OPT_ATOMIC: r.atomic = 1; break;
		case OPT_REJECT: r.reject_path = optarg; break;
		case OPT_KEEP_RAW: u.keep_raw = 1; break;
		case OPT_SUMMARY: summary = 1; break;
		}
	}
	argc -= optind;
	argv += optind;
	if (u.keep_raw && u.products)
		uoms_cli_usage_error(&cli, "--keep-raw goes with orders, not "
		    "--products");
	uoms_cli_finish(&cli);
	uoms_cli_workflows(&cli);
	/*
	 * Neither given: on SQLite 5 000 lines a transaction. Each commit
	 * writes every index page the batch touched (random keys: the line
	 * hash, placed_at) to the WAL. Measured when the rules' indexes
	 * were still made and the WAL checkpointed every 4 MiB: at 100 000
	 * fresh orders 1 000 / 5 000 / 10 000 a transaction wrote 1.97 /
	 * 0.67 / 0.44 GB for 7.0 / 5.7 / 5.5 s of CPU, peak RSS 30 / 39 /
	 * 51 MiB (each line is kept until its commit); 5 000 holds the write
	 * lock about half a second.
	 * PostgreSQL keeps 1 000: a batch is what is redone after a lost
	 * connection.
	 */
	if (r.batch == 0)
		r.batch = uoms_config_num(&cli.config, "batch",
		    uoms_store_is_file(cli.db) ? 5000 : 1000, &bad);
	r.line_max = uoms_config_num(&cli.config, "line_max",
	    UOMS_LINE_MAX_DEFAULT, &bad);
	if (bad || r.batch < 1 || r.line_max < 2)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "config: batch and line_max "
		    "must be positive numbers");
	if (argc == 0)
		uoms_cli_refuse_tty(&cli);
	if (uoms_intake_setup(&cli.config, why, sizeof why) < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", why);
	/* Records out 64 KiB a write, not stdio's 4 KiB: a re-run of 100 000
	 * lines prints 80 MB (20 000 writes). Flushed whenever input would
	 * block (run.h), so a reader at a pipe is not kept waiting. */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
	uoms_run_init(&r);
	r.store = uoms_store_open(cli.db, UOMS_STORE_WRITE, &cli.config, why,
	    sizeof why);
	if (r.store == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", why);
	if ((r.parser = uoms_parser_new()) == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't set up the JSON parser");
	uoms_store_set_actor(r.store, cli.actor);
	if (uoms_actor_load(r.store, cli.actor, &actor, &e) != UOMS_OK)
		uoms_die_error(NULL, &e);
	u.actor = &actor;
	if (!u.products)
		r.ahead = ahead;
	if (!u.products && uoms_store_is_file(cli.db))
		r.peek = peek;
	uoms_store_set_workflow(r.store, uoms_config_get(&cli.config,
	    "workflow", "dispatch"));
	if (argc == 0)
		uoms_run_file(&r, NULL);
	for (int i = 0; i < argc; i++)
		uoms_run_file(&r, argv[i]);
	uoms_run_finish(&r);
	if (r.failed_atomic)
		memset(r.tally, 0, sizeof r.tally);
	if (summary)
		uoms_warn(NULL, "read %ld, created %ld, updated %ld, unchanged "
		    "%ld, rejected %ld", r.read, r.tally[CREATED],
		    r.tally[UPDATED], r.tally[UNCHANGED], r.refused);
	uoms_ingest_ahead_free(&u.ahead);
	uoms_parser_free(r.parser);
	uoms_store_close(r.store);
	uoms_config_free(&cli.config);
	return uoms_run_status(&r);
}
