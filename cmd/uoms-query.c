/* uoms-query: select orders by filters, print them as lines or a table. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "line.h"
#include "query.h"
#include "rfc3339.h"
#include "text.h"

static const char usage[] =
"usage: uoms-query [-d DB] [-c CONFIG] [--actor NAME] [--id ID]\n"
"                  [--order-no PREFIX] [--channel C] [--status S[,S...]]\n"
"                  [--department D] [--on-hold | --not-on-hold] [--deleted]\n"
"                  [--placed-from T] [--placed-to T] [--eta-from T] [--eta-to T]\n"
"                  [--limit N] [--format jsonl|table|csv] [--tz ZONE]\n";

enum { OPT_ID = UOMS_OPT_TOOL, OPT_ORDER_NO, OPT_CHANNEL, OPT_STATUS,
	OPT_DEPARTMENT, OPT_ON_HOLD, OPT_NOT_ON_HOLD, OPT_PLACED_FROM,
	OPT_PLACED_TO, OPT_ETA_FROM, OPT_ETA_TO, OPT_LIMIT, OPT_FORMAT,
	OPT_TZ, OPT_DELETED };

static const struct option longopts[] = {
	UOMS_CLI_LONGOPTS,
	{ "id", required_argument, NULL, OPT_ID },
	{ "order-no", required_argument, NULL, OPT_ORDER_NO },
	{ "channel", required_argument, NULL, OPT_CHANNEL },
	{ "status", required_argument, NULL, OPT_STATUS },
	{ "department", required_argument, NULL, OPT_DEPARTMENT },
	{ "on-hold", no_argument, NULL, OPT_ON_HOLD },
	{ "not-on-hold", no_argument, NULL, OPT_NOT_ON_HOLD },
	{ "placed-from", required_argument, NULL, OPT_PLACED_FROM },
	{ "placed-to", required_argument, NULL, OPT_PLACED_TO },
	{ "eta-from", required_argument, NULL, OPT_ETA_FROM },
	{ "eta-to", required_argument, NULL, OPT_ETA_TO },
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "tz", required_argument, NULL, OPT_TZ },
	{ "deleted", no_argument, NULL, OPT_DELETED },
	{ NULL, 0, NULL, 0 }
};

enum format { JSONL, TABLE, CSV };

/* The table: fixed widths, so rows stream without reading them all first. */
static const struct {
	const char *title;
	enum uoms_qcol col;
	int width, right, time;
} table[] = {
	{ "ID", UOMS_Q_ID, 7, 1, 0 },
	{ "ORDER_NO", UOMS_Q_ORDER_NO, 15, 0, 0 },
	{ "CHANNEL", UOMS_Q_CHANNEL, 11, 0, 0 },
	{ "STATUS", UOMS_Q_STATUS, 12, 0, 0 },
	{ "DEPT", UOMS_Q_DEPARTMENT, 6, 0, 0 },
	{ "CUSTOMER", UOMS_Q_CUSTOMER_NAME, 10, 0, 0 },
	{ "PHONE", UOMS_Q_CUSTOMER_PHONE, 13, 0, 0 },
	{ "ZONE", UOMS_Q_ZONE, 10, 0, 0 },
	{ "ETA", UOMS_Q_ETA, 16, 0, 1 },
	{ "PLACED", UOMS_Q_PLACED_AT, 16, 0, 1 },
	{ "TOTAL", UOMS_Q_TOTAL_AMOUNT, 9, 1, 0 },
};
#define NTABLE (sizeof table / sizeof table[0])

static void
time_option(const struct uoms_cli *cli, const char *name, const char *arg,
    char *out)
{
	if (uoms_time_normalize(arg, strlen(arg), out, 1) < 0)
		uoms_cli_usage_error(cli, "%s: '%s' is not an RFC 3339 time or "
		    "a date YYYY-MM-DD", name, arg);
}

/* "A,B,C" -> { "A", "B", "C", NULL }; arg is cut in place. */
static const char **
split_statuses(const struct uoms_cli *cli, char *arg)
{
	const char **v = calloc(strlen(arg) / 2 + 2, sizeof *v);
	int n = 0;

	if (v == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "out of memory");
	for (char *s = strtok(arg, ","); s != NULL; s = strtok(NULL, ","))
		v[n++] = s;
	if (n == 0)
		uoms_cli_usage_error(cli, "--status: no state named");
	return v;
}

/* Writes a table row without trailing blanks. */
static void
put_row(const char *cells[NTABLE])
{
	char *row;
	size_t size;
	FILE *fp = open_memstream(&row, &size);

	if (fp == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "out of memory");
	for (size_t i = 0; i < NTABLE; i++) {
		uoms_text_cell(fp, cells[i], table[i].width, table[i].right);
		fputs(i + 1 < NTABLE ? "  " : "", fp);
	}
	fclose(fp);
	while (size > 0 && row[size - 1] == ' ')
		size--;
	fwrite(row, 1, size, stdout);
	putchar('\n');
	free(row);
}

static void
print_header(enum format f)
{
	const char *titles[NTABLE];

	if (f == TABLE) {
		for (size_t i = 0; i < NTABLE; i++)
			titles[i] = table[i].title;
		put_row(titles);
	} else if (f == CSV) {
		for (int c = 0; c < UOMS_Q_COUNT; c++)
			printf("%s%s", c ? "," : "", uoms_query_column_name(c));
		fputs("\r\n", stdout);
	}
}

static void
print_row(struct uoms_cursor *c, enum format f, const char *tz)
{
	if (f == CSV) {
		for (int col = 0; col < UOMS_Q_COUNT; col++) {
			if (col)
				fputc(',', stdout);
			uoms_text_csv(stdout, uoms_query_text(c, col));
		}
		fputs("\r\n", stdout);
		return;
	}
	const char *cells[NTABLE];
	char local[NTABLE][40];

	for (size_t i = 0; i < NTABLE; i++) {
		cells[i] = uoms_query_text(c, table[i].col);
		if (table[i].time && cells[i] != NULL) {
			uoms_time_local(cells[i], tz, local[i], sizeof local[i]);
			cells[i] = local[i];
		}
	}
	put_row(cells);
}

int
main(int argc, char **argv)
{
	struct uoms_cli cli;
	struct uoms_query q = { .on_hold = -1 };
	struct uoms_store *s;
	struct uoms_cursor *c;
	struct uoms_error e = { 0 };
	struct uoms_buf rec = { 0 };
	enum format format = JSONL;
	const char *tz = NULL;
	char why[512];
	int opt, rc;

	uoms_cli_init(&cli, argv[0], usage);
	while ((opt = uoms_cli_getopt(argc, argv, UOMS_CLI_SHORTOPTS,
	    longopts, NULL)) != -1) {
		if (uoms_cli_option(&cli, opt, optarg))
			continue;
		switch (opt) {
		case OPT_ID:
			q.id = uoms_cli_number(&cli, "--id", optarg, 1,
			    INT64_MAX);
			break;
		case OPT_ORDER_NO:
			if (strspn(optarg, "0123456789-") != strlen(optarg))
				uoms_cli_usage_error(&cli, "--order-no: '%s' "
				    "is not digits and '-'", optarg);
			q.order_no = optarg;
			break;
		case OPT_CHANNEL: q.channel = optarg; break;
		case OPT_STATUS: q.statuses = split_statuses(&cli, optarg); break;
		case OPT_DEPARTMENT: q.department = optarg; break;
		case OPT_ON_HOLD:
		case OPT_NOT_ON_HOLD:
			if (q.on_hold == (opt == OPT_ON_HOLD ? 0 : 1))
				uoms_cli_usage_error(&cli, "--on-hold and "
				    "--not-on-hold exclude each other");
			q.on_hold = opt == OPT_ON_HOLD;
			break;
		case OPT_PLACED_FROM:
			time_option(&cli, "--placed-from", optarg, q.placed_from);
			break;
		case OPT_PLACED_TO:
			time_option(&cli, "--placed-to", optarg, q.placed_to);
			break;
		case OPT_ETA_FROM:
			time_option(&cli, "--eta-from", optarg, q.eta_from);
			break;
		case OPT_ETA_TO:
			time_option(&cli, "--eta-to", optarg, q.eta_to);
			break;
		case OPT_LIMIT:
			q.limit = uoms_cli_number(&cli, "--limit", optarg, 1,
			    INT64_MAX);
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "jsonl") == 0)
				format = JSONL;
			else if (strcmp(optarg, "table") == 0)
				format = TABLE;
			else if (strcmp(optarg, "csv") == 0)
				format = CSV;
			else
				uoms_cli_usage_error(&cli, "--format: '%s' is "
				    "not jsonl, table or csv", optarg);
			break;
		case OPT_TZ: tz = optarg; break;
		case OPT_DELETED: q.deleted = 1; break;
		}
	}
	if (optind < argc)
		uoms_cli_usage_error(&cli, "unexpected argument '%s'",
		    argv[optind]);
	uoms_cli_finish(&cli);
	if (tz != NULL && !uoms_tz_valid(tz))
		uoms_cli_usage_error(&cli, "--tz: unknown time zone '%s'", tz);
	if (tz == NULL)
		tz = uoms_config_get(&cli.config, "tz", "UTC");
	if (!uoms_tz_valid(tz))
		uoms_die(UOMS_EXIT_CANNOT, NULL, "config: tz: unknown time zone "
		    "'%s'", tz);
	uoms_text_init();
	q.flat = format != JSONL;
	if ((s = uoms_store_open(cli.db, UOMS_STORE_READ, &cli.config, why,
	    sizeof why)) == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", why);
	if ((c = uoms_query_open(s, &q, &e)) == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", e.msg);
	print_header(format);
	while ((rc = uoms_query_next(c, format == JSONL ? &rec : NULL, &e)) > 0) {
		if (format != JSONL)
			print_row(c, format, tz);
		else if (uoms_out_record(rec.p, rec.n) < 0)
			break;
		uoms_buf_clear(&rec);
	}
	if (rc < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", e.msg);
	if (uoms_out_flush() < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't write: %s",
		    strerror(errno));
	uoms_query_close(c);
	uoms_store_close(s);
	uoms_buf_free(&rec);
	free(q.statuses);
	uoms_config_free(&cli.config);
	return UOMS_EXIT_OK;
}
