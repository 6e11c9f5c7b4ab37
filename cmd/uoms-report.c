/* uoms-report: the status board, intake, sales and pipeline figures. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "report.h"
#include "rfc3339.h"
#include "store.h"

static const char usage[] =
"usage: uoms-report [-d DB] [-c CONFIG] [--actor NAME]\n"
"                   status|hourly|daily|sales|settlement|metrics|range|stock\n"
"                   [--from T] [--to T] [--by department|channel|item]\n"
"                   [--window DURATION] [--format table|jsonl|csv|svg]\n"
"                   [--tz ZONE]\n";

enum { OPT_FROM = UOMS_OPT_TOOL, OPT_TO, OPT_BY, OPT_WINDOW, OPT_FORMAT,
	OPT_TZ };

static const struct option longopts[] = {
	UOMS_CLI_LONGOPTS,
	{ "from", required_argument, NULL, OPT_FROM },
	{ "to", required_argument, NULL, OPT_TO },
	{ "by", required_argument, NULL, OPT_BY },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "tz", required_argument, NULL, OPT_TZ },
	{ NULL, 0, NULL, 0 }
};

/* A time option, read once the zone is known (a date is local). */
static void
time_option(const struct uoms_cli *cli, const char *name, const char *arg,
    const char *tz, long long *t, int *set)
{
	if (arg == NULL)
		return;
	if (uoms_report_time(arg, tz, t) < 0)
		uoms_cli_usage_error(cli, "%s: '%s' is not an RFC 3339 time or "
		    "a date YYYY-MM-DD", name, arg);
	*set = 1;
}

int
main(int argc, char **argv)
{
	static char shipped[PATH_MAX + 16], override[PATH_MAX + 16];
	struct uoms_cli cli;
	struct uoms_report r = { .format = UOMS_FORMAT_JSONL };
	struct uoms_store *s;
	struct uoms_error e = { 0 };
	const char *from = NULL, *to = NULL;
	char why[512], conf[PATH_MAX];
	enum uoms_code code;
	int opt, v, werr = 0;

	uoms_cli_init(&cli, argv[0], usage);
	while ((opt = uoms_cli_getopt(argc, argv, UOMS_CLI_SHORTOPTS,
	    longopts, NULL)) != -1) {
		if (uoms_cli_option(&cli, opt, optarg))
			continue;
		switch (opt) {
		case OPT_FROM: from = optarg; break;
		case OPT_TO: to = optarg; break;
		case OPT_BY:
			if ((v = uoms_report_by_parse(optarg)) < 0)
				uoms_cli_usage_error(&cli, "--by: '%s' is not "
				    "department, channel or item", optarg);
			r.by = v;
			break;
		case OPT_WINDOW:
			if ((r.window = uoms_report_duration(optarg)) < 0)
				uoms_cli_usage_error(&cli, "--window: '%s' is "
				    "not a duration like 90s, 5m, 1h or 1d",
				    optarg);
			break;
		case OPT_FORMAT:
			if ((v = uoms_report_format_parse(optarg)) < 0)
				uoms_cli_usage_error(&cli, "--format: '%s' is "
				    "not table, jsonl, csv or svg", optarg);
			r.format = v;
			break;
		case OPT_TZ: r.tz = optarg; break;
		}
	}
	if (optind == argc)
		uoms_cli_usage_error(&cli, "no report named");
	if ((v = uoms_report_name_parse(argv[optind])) < 0)
		uoms_cli_usage_error(&cli, "'%s' is not a report",
		    argv[optind]);
	r.name = v;
	if (optind + 1 < argc)
		uoms_cli_usage_error(&cli, "unexpected argument '%s'",
		    argv[optind + 1]);
	uoms_cli_finish(&cli);
	if (r.tz != NULL && !uoms_tz_valid(r.tz))
		uoms_cli_usage_error(&cli, "--tz: unknown time zone '%s'", r.tz);
	if (r.tz == NULL)
		r.tz = uoms_config_get(&cli.config, "tz", "UTC");
	if (!uoms_tz_valid(r.tz))
		uoms_die(UOMS_EXIT_CANNOT, NULL, "config: tz: unknown time zone "
		    "'%s'", r.tz);
	time_option(&cli, "--from", from, r.tz, &r.from, &r.has_from);
	time_option(&cli, "--to", to, r.tz, &r.to, &r.has_to);
	r.now = time(NULL);
	if (uoms_report_resolve(&r, why, sizeof why) < 0)
		uoms_cli_usage_error(&cli, "%s", why);

	/* The workflows that say what states mean: as uoms_cli_workflows
	 * finds them, the configuration's folder before the shipped one. */
	uoms_cli_workflows(&cli);
	snprintf(shipped, sizeof shipped, "%s/workflows", uoms_cli_data_dir());
	if (cli.config.path != NULL) {
		snprintf(conf, sizeof conf, "%s", cli.config.path);
		snprintf(override, sizeof override, "%s/workflows",
		    dirname(conf));
	} else
		snprintf(override, sizeof override, "/etc/uoms/workflows");
	r.workflow_dirs[0] = override;
	r.workflow_dirs[1] = shipped;

	if ((s = uoms_store_open(cli.db, UOMS_STORE_READ, &cli.config, why,
	    sizeof why)) == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", why);
	code = uoms_report_run(s, &r, stdout, &e);
	if (fflush(stdout) != 0 || ferror(stdout))
		werr = errno ? errno : EIO;
	uoms_store_close(s);
	uoms_config_free(&cli.config);
	if (code != UOMS_OK)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", e.msg);
	if (werr)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't write: %s",
		    strerror(werr));
	return UOMS_EXIT_OK;
}
