/* uoms-status: move orders through their workflow. */
#include <stdio.h>

#include "refs.h"
#include "status.h"

static const char usage[] =
"usage: uoms-status [-d DB] [-c CONFIG] [--actor NAME] (--to STATE | --action NAME)\n"
"                   [--force] [--note TEXT] [--idempotency-key K] [--atomic]\n"
"                   [--reject FILE] [REF...]\n";

enum { OPT_TO = UOMS_OPT_TOOL, OPT_ACTION, OPT_FORCE, OPT_NOTE, OPT_KEY,
	OPT_ATOMIC, OPT_REJECT };

static const struct option longopts[] = {
	UOMS_CLI_LONGOPTS,
	{ "to", required_argument, NULL, OPT_TO },
	{ "action", required_argument, NULL, OPT_ACTION },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "note", required_argument, NULL, OPT_NOTE },
	{ "idempotency-key", required_argument, NULL, OPT_KEY },
	{ "atomic", no_argument, NULL, OPT_ATOMIC },
	{ "reject", required_argument, NULL, OPT_REJECT },
	{ NULL, 0, NULL, 0 }
};

int
main(int argc, char **argv)
{
	struct uoms_cli cli;
	struct uoms_status_req req = { 0 };
	struct uoms_change change;
	struct uoms_refs x = { .change = &change };
	struct uoms_buf request = { 0 };
	int opt, status;

	uoms_cli_init(&cli, argv[0], usage);
	while ((opt = uoms_cli_getopt(argc, argv, UOMS_CLI_SHORTOPTS,
	    longopts, NULL)) != -1) {
		if (uoms_cli_option(&cli, opt, optarg))
			continue;
		switch (opt) {
		case OPT_TO: req.to = optarg; break;
		case OPT_ACTION: req.action = optarg; break;
		case OPT_FORCE: x.force = 1; break;
		case OPT_NOTE: req.note = optarg; break;
		case OPT_KEY: x.key = optarg; break;
		case OPT_ATOMIC: x.run.atomic = 1; break;
		case OPT_REJECT: x.run.reject_path = optarg; break;
		}
	}
	if ((req.to == NULL) == (req.action == NULL))
		uoms_cli_usage_error(&cli, "give one of --to and --action");
	uoms_status_change(&change, &req, &request);
	status = uoms_refs_main(&cli, &x, argc - optind, argv + optind);
	uoms_buf_free(&request);
	return status;
}
