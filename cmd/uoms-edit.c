/* uoms-edit: change fields of stored orders, or delete them (admin). */
#include <stdio.h>
#include <string.h>

#include "delete.h"
#include "edit.h"
#include "refs.h"

static const char usage[] =
"usage: uoms-edit [-d DB] [-c CONFIG] [--actor NAME] --set FIELD=VALUE\n"
"                 [--set ...] [--force] [--idempotency-key K]\n"
"                 [--reject FILE] [REF...]\n"
"       uoms-edit [-d DB] [-c CONFIG] [--actor NAME] --delete [--force]\n"
"                 [--idempotency-key K] [--reject FILE] [REF...]\n";

enum { OPT_SET = UOMS_OPT_TOOL, OPT_DELETE, OPT_FORCE, OPT_KEY,
	OPT_REJECT };

static const struct option longopts[] = {
	UOMS_CLI_LONGOPTS,
	{ "set", required_argument, NULL, OPT_SET },
	{ "delete", no_argument, NULL, OPT_DELETE },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "idempotency-key", required_argument, NULL, OPT_KEY },
	{ "reject", required_argument, NULL, OPT_REJECT },
	{ NULL, 0, NULL, 0 }
};

int
main(int argc, char **argv)
{
	struct uoms_cli cli;
	struct uoms_edit_req req = { 0 };
	struct uoms_change change;
	struct uoms_refs x = { .change = &change };
	int opt, nset = 0, del = 0, status;
	char why[512], *eq;

	uoms_cli_init(&cli, argv[0], usage);
	while ((opt = uoms_cli_getopt(argc, argv, UOMS_CLI_SHORTOPTS,
	    longopts, NULL)) != -1) {
		if (uoms_cli_option(&cli, opt, optarg))
			continue;
		switch (opt) {
		case OPT_SET:
			/* FIELD=VALUE: the field ends at the first '='. */
			if ((eq = strchr(optarg, '=')) == NULL || eq == optarg)
				uoms_cli_usage_error(&cli, "--set '%s' is not "
				    "FIELD=VALUE", optarg);
			*eq = '\0';
			if (uoms_edit_set(&req, optarg, eq + 1, why,
			    sizeof why) < 0)
				uoms_cli_usage_error(&cli, "%s", why);
			nset++;
			break;
		case OPT_DELETE: del = 1; break;
		case OPT_FORCE: x.force = 1; break;
		case OPT_KEY: x.key = optarg; break;
		case OPT_REJECT: x.run.reject_path = optarg; break;
		}
	}
	if (del && nset > 0)
		uoms_cli_usage_error(&cli, "--delete goes without --set");
	if (nset == 0 && !del)
		uoms_cli_usage_error(&cli, "give at least one --set, or "
		    "--delete");
	if (del)
		uoms_delete_change(&change);
	else
		uoms_edit_change(&change, &req);
	status = uoms_refs_main(&cli, &x, argc - optind, argv + optind);
	uoms_edit_free(&req);
	return status;
}
