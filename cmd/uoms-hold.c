/* uoms-hold: put orders on hold with a reason, acknowledge, resolve. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hold.h"
#include "refs.h"
#include "verb.h"

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

struct req {
	struct uoms_hold_req hold;
	const char *state;		/* list --state */
	int reason, id, other;		/* --reason, --hold or --all, --note */
	int argc;			/* the REFs */
	char **argv;
};

static int
list(struct uoms_verb_ctx *x)
{
	struct req *r = x->arg;
	struct uoms_error e = { 0 };
	struct uoms_buf out = { 0 };

	if (uoms_hold_list(x->s, r->state, &out, &e) != UOMS_OK)
		uoms_die_error(NULL, &e);
	uoms_verb_print(&out);
	uoms_buf_free(&out);
	return UOMS_EXIT_OK;
}

/* set, ack or resolve each REF: one change each, as uoms-status does. */
static int
change(struct uoms_verb_ctx *x)
{
	struct req *r = x->arg;
	struct uoms_change change;
	struct uoms_refs refs = { .change = &change };
	struct uoms_buf request = { 0 };
	int status;

	r->hold.verb = x->verb->id;
	uoms_hold_change(&change, &r->hold, &request);
	status = uoms_refs_main(x->cli, &refs, r->argc, r->argv);
	uoms_buf_free(&request);
	return status;
}

/* uoms_refs_main opens the store of set, ack and resolve. */
static const struct uoms_verb verbs[] = {
	{ "set", change, UOMS_VERB_NO_STORE, 0, UOMS_HOLD_SET },
	{ "list", list, UOMS_VERB_READ, 0, -1 },
	{ "ack", change, UOMS_VERB_NO_STORE, 0, UOMS_HOLD_ACK },
	{ "resolve", change, UOMS_VERB_NO_STORE, 0, UOMS_HOLD_RESOLVE },
	{ NULL, NULL, 0, 0, 0 }
};

static void
option(const struct uoms_cli *cli, struct req *r, int opt, const char *arg)
{
	switch (opt) {
	case OPT_REASON: r->hold.reason = arg; r->reason = 1; break;
	case OPT_NOTE: r->hold.note = arg; r->other = 1; break;
	case OPT_HOLD:
		r->hold.hold_id = uoms_cli_number(cli, "--hold", arg, 1,
		    INT64_MAX);
		r->id = 1;
		break;
	case OPT_ALL: r->hold.all = 1; r->id = 1; break;
	case OPT_STATE: r->state = arg; break;
	}
}

/* The words and options command v takes. */
static void
check(const struct uoms_cli *cli, const struct uoms_verb *v,
    const struct req *r)
{
	if (v->run == list) {
		if (r->reason || r->id || r->other)
			uoms_cli_usage_error(cli, "list takes only --state");
		if (r->argc > 0)
			uoms_cli_usage_error(cli, "list takes no REF");
		if (r->state != NULL && !uoms_hold_state_valid(r->state))
			uoms_cli_usage_error(cli, "no hold state '%s': open, "
			    "acknowledged or resolved", r->state);
		return;
	}
	if (r->state != NULL)
		uoms_cli_usage_error(cli, "--state is for list");
	if (v->id == UOMS_HOLD_SET) {
		if (r->id)
			uoms_cli_usage_error(cli, "set takes no --hold or "
			    "--all");
		if (r->hold.reason == NULL)
			uoms_cli_usage_error(cli, "set needs --reason");
		if (!uoms_hold_reason_valid(r->hold.reason))
			uoms_cli_usage_error(cli, "no hold reason '%s': "
			    "stock_shortage, missing_info, fraud_suspected, "
			    "address_invalid, awaiting_payment or other",
			    r->hold.reason);
	} else {
		if (r->reason)
			uoms_cli_usage_error(cli, "%s takes no --reason",
			    v->name);
		if ((r->hold.hold_id > 0) == r->hold.all)
			uoms_cli_usage_error(cli, "give one of --hold and "
			    "--all");
	}
}

int
main(int argc, char **argv)
{
	struct uoms_cli cli;
	struct req r = { 0 };
	const struct uoms_verb *v;
	int opt;

	uoms_cli_init(&cli, argv[0], usage);
	/* The common options come before the command. */
	while ((opt = uoms_cli_getopt(argc, argv, "+" UOMS_CLI_SHORTOPTS,
	    common, NULL)) != -1)
		uoms_cli_option(&cli, opt, optarg);
	argc -= optind;
	argv += optind;
	v = uoms_verb_find(&cli, verbs, argc > 0 ? argv[0] : NULL);
	/* The command's own options; argv[0] (the command) is skipped. */
	optind = 0;
	while ((opt = uoms_cli_getopt(argc, argv, UOMS_CLI_SHORTOPTS,
	    longopts, NULL)) != -1)
		if (!uoms_cli_option(&cli, opt, optarg))
			option(&cli, &r, opt, optarg);
	r.argc = argc - optind;
	r.argv = argv + optind;
	check(&cli, v, &r);
	uoms_cli_finish(&cli);
	return uoms_verb_run(&cli, v, &r);
}
