/* uoms-catalog: print the catalog of each channel, or its cost history. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "cli.h"
#include "line.h"
#include "text.h"

static const char usage[] =
"usage: uoms-catalog [-d DB] [-c CONFIG] [--actor NAME]\n"
"                    [--channel NAME | --shared] [--sku SKU] [--history]\n"
"                    [--format jsonl|table|csv]\n";

enum { OPT_CHANNEL = UOMS_OPT_TOOL, OPT_SHARED, OPT_SKU, OPT_HISTORY,
	OPT_FORMAT };

static const struct option longopts[] = {
	UOMS_CLI_LONGOPTS,
	{ "channel", required_argument, NULL, OPT_CHANNEL },
	{ "shared", no_argument, NULL, OPT_SHARED },
	{ "sku", required_argument, NULL, OPT_SKU },
	{ "history", no_argument, NULL, OPT_HISTORY },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ NULL, 0, NULL, 0 }
};

enum format { JSONL, TABLE, CSV };

/* The table's columns: an index into the listing's columns, a width. */
struct cell {
	const char *title;
	int col, width, right;
};

static const struct cell product_table[] = {
	{ "CHANNEL", 0, 10, 0 }, { "SKU", 1, 14, 0 }, { "NAME", 2, 20, 0 },
	{ "CATEGORY", 3, 10, 0 }, { "CUR", 6, 3, 0 }, { "PRICE", 4, 12, 1 },
	{ "COST", 5, 12, 1 }, { "STOCK", 7, 8, 1 }, { "RESERVED", 8, 8, 1 },
	{ "AVAILABLE", 9, 9, 1 }, { NULL, 0, 0, 0 }
};
static const struct cell cost_table[] = {
	{ "CHANNEL", 0, 10, 0 }, { "SKU", 1, 14, 0 },
	{ "VALID_FROM", 2, 24, 0 }, { "COST", 3, 12, 1 }, { NULL, 0, 0, 0 }
};

struct out {
	enum format format;
	const struct cell *table;
	int ncols;		/* of the listing's rows */
};

/* One table row, without trailing blanks; the shared channel by name. */
static int
table_row(const struct cell *t, const char *const *cols, int header)
{
	char *row;
	size_t n;
	FILE *fp = open_memstream(&row, &n);

	if (fp == NULL)
		return -1;
	for (int i = 0; t[i].title != NULL; i++) {
		const char *s = header ? t[i].title : cols[t[i].col];

		if (!header && t[i].col == 0 && s != NULL && *s == '\0')
			s = "(shared)";
		uoms_text_cell(fp, s != NULL ? s : "", t[i].width, t[i].right);
		fputs(t[i + 1].title != NULL ? "  " : "", fp);
	}
	fclose(fp);
	while (n > 0 && row[n - 1] == ' ')
		n--;
	row[n] = '\n';
	n = fwrite(row, 1, n + 1, stdout);
	free(row);
	return 0;
}

static int
row(void *arg, const char *json, size_t n, const char *const *cols)
{
	struct out *o = arg;

	if (o->format == JSONL)
		return uoms_out_record(json, n) < 0 ? 1 : 0;
	if (o->format == TABLE)
		return table_row(o->table, cols, 0) < 0 ? 1 : 0;
	for (int i = 0; i < o->ncols; i++) {
		fputs(i ? "," : "", stdout);
		uoms_text_csv(stdout, cols[i]);
	}
	fputs("\r\n", stdout);
	return 0;
}

int
main(int argc, char **argv)
{
	struct uoms_cli cli;
	struct uoms_store *s;
	struct uoms_error e = { 0 };
	struct out o = { JSONL, product_table, 0 };
	enum uoms_catalog_list what = UOMS_CATALOG_PRODUCTS;
	const char *channel = NULL, *sku = NULL;
	char why[512];
	int opt, rc, shared = 0;

	uoms_cli_init(&cli, argv[0], usage);
	while ((opt = uoms_cli_getopt(argc, argv, UOMS_CLI_SHORTOPTS,
	    longopts, NULL)) != -1) {
		if (uoms_cli_option(&cli, opt, optarg))
			continue;
		switch (opt) {
		case OPT_CHANNEL: channel = optarg; break;
		case OPT_SHARED: shared = 1; break;
		case OPT_SKU: sku = optarg; break;
		case OPT_HISTORY: what = UOMS_CATALOG_COSTS; break;
		case OPT_FORMAT:
			if (strcmp(optarg, "jsonl") == 0)
				o.format = JSONL;
			else if (strcmp(optarg, "table") == 0)
				o.format = TABLE;
			else if (strcmp(optarg, "csv") == 0)
				o.format = CSV;
			else
				uoms_cli_usage_error(&cli, "--format: '%s' is "
				    "not jsonl, table or csv", optarg);
			break;
		}
	}
	if (optind < argc)
		uoms_cli_usage_error(&cli, "unexpected argument '%s'",
		    argv[optind]);
	if (shared && channel != NULL && *channel != '\0')
		uoms_cli_usage_error(&cli, "--shared is the channel '', not "
		    "'%s'", channel);
	if (shared)
		channel = "";
	uoms_cli_finish(&cli);
	uoms_text_init();
	if (what == UOMS_CATALOG_COSTS)
		o.table = cost_table;
	while (uoms_catalog_columns(what)[o.ncols] != NULL)
		o.ncols++;
	if ((s = uoms_store_open(cli.db, UOMS_STORE_READ, &cli.config, why,
	    sizeof why)) == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", why);
	if (o.format == TABLE)
		table_row(o.table, NULL, 1);
	else if (o.format == CSV)
		row(&o, NULL, 0, uoms_catalog_columns(what));
	rc = uoms_catalog_list(s, what, channel, sku, row, &o, &e);
	if (rc < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", e.msg);
	if (rc > 0 || uoms_out_flush() < 0 || fflush(stdout) != 0 ||
	    ferror(stdout))
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't write: %s",
		    strerror(errno));
	uoms_store_close(s);
	uoms_config_free(&cli.config);
	return UOMS_EXIT_OK;
}
