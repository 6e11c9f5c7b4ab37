/* uoms-push: tell each order's channel what happened here, once. */
#include <stdio.h>
#include <stdlib.h>

#include "err.h"
#include "push.h"

static const char usage[] =
"usage: uoms-push [-d DB] [-c CONFIG] [--actor NAME] [--channel NAME...]\n"
"                 [--dry-run] [--resend] [--reject FILE] [REF...]\n";

enum { OPT_CHANNEL = UOMS_OPT_TOOL, OPT_DRY_RUN, OPT_RESEND, OPT_REJECT };

static const struct option longopts[] = {
	UOMS_CLI_LONGOPTS,
	{ "channel", required_argument, NULL, OPT_CHANNEL },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "resend", no_argument, NULL, OPT_RESEND },
	{ "reject", required_argument, NULL, OPT_REJECT },
	{ NULL, 0, NULL, 0 }
};

int
main(int argc, char **argv)
{
	struct uoms_cli cli;
	struct uoms_push_opts o = { 0 };
	int opt, status;

	uoms_cli_init(&cli, argv[0], usage);
	while ((opt = uoms_cli_getopt(argc, argv, UOMS_CLI_SHORTOPTS,
	    longopts, NULL)) != -1) {
		if (uoms_cli_option(&cli, opt, optarg))
			continue;
		switch (opt) {
		case OPT_CHANNEL:
			o.channels = realloc(o.channels, (o.nchannels + 1) *
			    sizeof *o.channels);
			if (o.channels == NULL)
				uoms_die(UOMS_EXIT_CANNOT, NULL,
				    "out of memory");
			o.channels[o.nchannels++] = optarg;
			break;
		case OPT_DRY_RUN: o.dry_run = 1; break;
		case OPT_RESEND: o.resend = 1; break;
		case OPT_REJECT: o.reject_path = optarg; break;
		}
	}
	status = uoms_push_main(&cli, &o, argc - optind, argv + optind);
	free(o.channels);
	return status;
}
