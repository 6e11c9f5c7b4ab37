/* uoms-assign: give orders a driver, all or nothing. */
#include <stdio.h>

#include "assign.h"
#include "refs.h"

static const char usage[] =
"usage: uoms-assign [-d DB] [-c CONFIG] [--actor NAME]\n"
"                   (--driver NAME [--phone PHONE] | --unassign) [--force]\n"
"                   [--partial] [--idempotency-key K] [--reject FILE]\n"
"                   [REF...]\n";

enum { OPT_DRIVER = UOMS_OPT_TOOL, OPT_PHONE, OPT_UNASSIGN, OPT_FORCE,
	OPT_PARTIAL, OPT_KEY, OPT_REJECT };

static const struct option longopts[] = {
	UOMS_CLI_LONGOPTS,
	{ "driver", required_argument, NULL, OPT_DRIVER },
	{ "phone", required_argument, NULL, OPT_PHONE },
	{ "unassign", no_argument, NULL, OPT_UNASSIGN },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "partial", no_argument, NULL, OPT_PARTIAL },
	{ "idempotency-key", required_argument, NULL, OPT_KEY },
	{ "reject", required_argument, NULL, OPT_REJECT },
	{ NULL, 0, NULL, 0 }
};

int
main(int argc, char **argv)
{
	struct uoms_cli cli;
	struct uoms_assign_req req = { 0 };
	struct uoms_change change;
	struct uoms_refs x = { .change = &change };
	int opt, unassign = 0, partial = 0, status;

	uoms_cli_init(&cli, argv[0], usage);
	while ((opt = uoms_cli_getopt(argc, argv, UOMS_CLI_SHORTOPTS,
	    longopts, NULL)) != -1) {
		if (uoms_cli_option(&cli, opt, optarg))
			continue;
		switch (opt) {
		case OPT_DRIVER: req.name = optarg; break;
		case OPT_PHONE: req.phone = optarg; break;
		case OPT_UNASSIGN: unassign = 1; break;
		case OPT_FORCE: x.force = 1; break;
		case OPT_PARTIAL: partial = 1; break;
		case OPT_KEY: x.key = optarg; break;
		case OPT_REJECT: x.run.reject_path = optarg; break;
		}
	}
	if ((req.name == NULL) == !unassign)
		uoms_cli_usage_error(&cli, "give one of --driver and "
		    "--unassign");
	if (unassign && req.phone != NULL)
		uoms_cli_usage_error(&cli, "--phone goes with --driver, not "
		    "--unassign");
	/* Many orders, one driver: all or nothing unless asked otherwise. */
	x.run.atomic = !partial;
	uoms_assign_change(&change, &req);
	status = uoms_refs_main(&cli, &x, argc - optind, argv + optind);
	uoms_assign_free(&req);
	return status;
}
