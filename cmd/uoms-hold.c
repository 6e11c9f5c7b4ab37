/* uoms-hold: put orders on hold with a reason, acknowledge, resolve. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hold.h"
#include "line.h"
#include "refs.h"

static const char usage[] =
"usage: uoms-hold [-d DB] [-c CONFIG] [--actor NAME] set --reason REASON [--note TEXT] REF...\n"
"       uoms-hold [-d DB] [-c CONFIG] [--actor NAME] list [--state open|acknowledged|resolved]\n"
"       uoms-hold [-d DB] [-c CONFIG] [--actor NAME] ack (--hold HOLD_ID | --all) [--note TEXT] REF...\n"
"       uoms-hold [-d DB] [-c CONFIG] [--actor NAME] resolve (--hold HOLD_ID | --all) [--note TEXT] REF...\n";

enum { OPT_REASON = UOMS_OPT_TOOL, OPT_NOTE, OPT_HOLD, OPT_ALL, OPT_STATE };

static const struct option common[] = {
	UOMS_CLI_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static const struct option longopts[] = {
	UOMS_CLI_LONGOPTS,
	{ "reason", required_argument, NULL, OPT_REASON },
	{ "note", required_argument, NULL, OPT_NOTE },
	{ "hold", required_argument, NULL, OPT_HOLD },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "state", required_argument, NULL, OPT_STATE },
	{ NULL, 0, NULL, 0 }
};

static int
list(struct uoms_cli *cli, const char *state)
{
	struct uoms_store *s;
	struct uoms_error e = { 0 };
	struct uoms_buf out = { 0 };
	char why[512];

	if ((s = uoms_store_open(cli->db, UOMS_STORE_READ, &cli->config, why,
	    sizeof why)) == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", why);
	if (uoms_hold_list(s, state, &out, &e) != UOMS_OK)
		uoms_die_error(NULL, &e);
	if ((out.n > 0 && fwrite(out.p, 1, out.n, stdout) != out.n) ||
	    uoms_out_flush() < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't write holds: %s",
		    strerror(errno));
	uoms_buf_free(&out);
	uoms_store_close(s);
	uoms_config_free(&cli->config);
	return UOMS_EXIT_OK;
}

int
main(int argc, char **argv)
{
	struct uoms_cli cli;
	struct uoms_hold_req req = { 0 };
	struct uoms_change change;
	struct uoms_refs x = { .change = &change };
	struct uoms_buf request = { 0 };
	const char *cmd, *state = NULL;
	int opt, status, reason = 0, hold = 0, other = 0;

	uoms_cli_init(&cli, argv[0], usage);
	/* The common options come before the command. */
	while ((opt = uoms_cli_getopt(argc, argv, "+" UOMS_CLI_SHORTOPTS,
	    common, NULL)) != -1)
		uoms_cli_option(&cli, opt, optarg);
	argc -= optind;
	argv += optind;
	if (argc == 0)
		uoms_cli_usage_error(&cli, "no command: set, list, ack or "
		    "resolve");
	cmd = argv[0];
	if (strcmp(cmd, "set") == 0)
		req.verb = UOMS_HOLD_SET;
	else if (strcmp(cmd, "ack") == 0)
		req.verb = UOMS_HOLD_ACK;
	else if (strcmp(cmd, "resolve") == 0)
		req.verb = UOMS_HOLD_RESOLVE;
	else if (strcmp(cmd, "list") != 0)
		uoms_cli_usage_error(&cli, "unknown command '%s'", cmd);
	/* The command's own options; argv[0] (the command) is skipped. */
	optind = 0;
	while ((opt = uoms_cli_getopt(argc, argv, UOMS_CLI_SHORTOPTS,
	    longopts, NULL)) != -1) {
		if (uoms_cli_option(&cli, opt, optarg))
			continue;
		switch (opt) {
		case OPT_REASON: req.reason = optarg; reason = 1; break;
		case OPT_NOTE: req.note = optarg; other = 1; break;
		case OPT_HOLD:
			req.hold_id = uoms_cli_number(&cli, "--hold", optarg,
			    1, INT64_MAX);
			hold = 1;
			break;
		case OPT_ALL: req.all = 1; hold = 1; break;
		case OPT_STATE: state = optarg; break;
		}
	}
	if (strcmp(cmd, "list") == 0) {
		if (reason || hold || other)
			uoms_cli_usage_error(&cli, "list takes only --state");
		if (optind < argc)
			uoms_cli_usage_error(&cli, "list takes no REF");
		if (state != NULL && !uoms_hold_state_valid(state))
			uoms_cli_usage_error(&cli, "no hold state '%s': open, "
			    "acknowledged or resolved", state);
		uoms_cli_finish(&cli);
		return list(&cli, state);
	}
	if (state != NULL)
		uoms_cli_usage_error(&cli, "--state is for list");
	if (req.verb == UOMS_HOLD_SET) {
		if (hold)
			uoms_cli_usage_error(&cli, "set takes no --hold or "
			    "--all");
		if (req.reason == NULL)
			uoms_cli_usage_error(&cli, "set needs --reason");
		if (!uoms_hold_reason_valid(req.reason))
			uoms_cli_usage_error(&cli, "no hold reason '%s': "
			    "stock_shortage, missing_info, fraud_suspected, "
			    "address_invalid, awaiting_payment or other",
			    req.reason);
	} else {
		if (reason)
			uoms_cli_usage_error(&cli, "%s takes no --reason", cmd);
		if ((req.hold_id > 0) == req.all)
			uoms_cli_usage_error(&cli, "give one of --hold and "
			    "--all");
	}
	uoms_hold_change(&change, &req, &request);
	status = uoms_refs_main(&cli, &x, argc - optind, argv + optind);
	uoms_buf_free(&request);
	return status;
}
