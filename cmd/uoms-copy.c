/* uoms-copy: copy a whole store into another, SQLite or PostgreSQL. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "copy.h"
#include "db.h"
#include "line.h"

static const char usage[] =
"usage: uoms-copy [-d DB] [-c CONFIG] [--replace] [--quiet] TARGET\n";

enum { OPT_REPLACE = UOMS_OPT_TOOL, OPT_QUIET };

static const struct option longopts[] = {
	UOMS_CLI_LONGOPTS,
	{ "replace", no_argument, NULL, OPT_REPLACE },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ NULL, 0, NULL, 0 }
};

/* At a terminal: the table and how far, on one line rewritten. */
static void
progress(void *arg, const char *table, long long done, long long total)
{
	(void)arg;
	fprintf(stderr, "\ruoms-copy: %-20s %lld/%lld\033[K", table, done,
	    total);
	if (done >= total)
		fputc('\n', stderr);
}

/* One line per table: what was copied and verified. */
static void
print(const struct uoms_copy_table *t)
{
	char line[200];
	int n = snprintf(line, sizeof line, "{\"table\":\"%s\",\"rows\":%lld,"
	    "\"sum\":\"", t->name, t->rows);

	for (int i = 0; i < 8; i++)
		n += snprintf(line + n, sizeof line - n, "%02x", t->sum[i]);
	snprintf(line + n, sizeof line - n, "\"}");
	if (uoms_out_record(line, strlen(line)) < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't write stdout");
}

int
main(int argc, char **argv)
{
	struct uoms_cli cli;
	struct uoms_copy_opts o = { 0 };
	struct uoms_copy_table tables[64];
	struct uoms_store *from, *to;
	struct uoms_error e = { 0 };
	const char *target;
	char why[600];
	int opt, quiet = 0;

	uoms_cli_init(&cli, argv[0], usage);
	while ((opt = uoms_cli_getopt(argc, argv, UOMS_CLI_SHORTOPTS,
	    longopts, NULL)) != -1) {
		if (uoms_cli_option(&cli, opt, optarg))
			continue;
		switch (opt) {
		case OPT_REPLACE: o.replace = 1; break;
		case OPT_QUIET: quiet = 1; break;
		}
	}
	if (optind == argc)
		uoms_cli_usage_error(&cli, "the target store is missing");
	if (optind < argc - 1)
		uoms_cli_usage_error(&cli, "one target store, not %d",
		    argc - optind);
	target = argv[optind];
	uoms_cli_finish(&cli);
	if (strcmp(target, cli.db) == 0)
		uoms_cli_usage_error(&cli, "the target is the store itself "
		    "('%s')", target);
	if (!quiet && isatty(STDERR_FILENO))
		o.progress = progress;
	if ((from = uoms_store_open(cli.db, UOMS_STORE_READ, &cli.config, why,
	    sizeof why)) == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", why);
	if ((to = uoms_store_open(target, UOMS_STORE_WRITE, &cli.config, why,
	    sizeof why)) == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", why);
	if (uoms_copy(from, to, &o, tables, &e) != UOMS_OK)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", e.msg);
	for (int i = 0; uoms_store_tables()[i] != NULL; i++)
		print(&tables[i]);
	if (uoms_out_flush() < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't write stdout");
	uoms_store_close(to);
	uoms_store_close(from);
	uoms_config_free(&cli.config);
	return UOMS_EXIT_OK;
}
