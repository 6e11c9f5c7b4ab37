/* uoms-remark: add, edit (as a new revision) and list remarks on an order. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "change.h"
#include "remark.h"
#include "verb.h"

static const char usage[] =
"usage: uoms-remark [-d DB] [-c CONFIG] [--actor NAME] add REF TEXT\n"
"       uoms-remark [-d DB] [-c CONFIG] [--actor NAME] edit REMARK_ID TEXT\n"
"       uoms-remark [-d DB] [-c CONFIG] [--actor NAME] list REF [--history]\n";

static const struct option longopts[] = {
	UOMS_CLI_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

struct req {
	struct uoms_ref ref;		/* add, list */
	long long remark_id;		/* edit */
	const char *text;
	int history;
	char where[300];		/* "order REF", for messages */
	/* The change, run in the transaction by apply(): */
	struct uoms_change c;
	const struct uoms_actor *actor;
	struct uoms_buf rec;		/* the order's record after it */
};

static enum uoms_code
apply(struct uoms_store *s, void *arg, struct uoms_error *e)
{
	struct req *r = arg;
	enum uoms_code code;
	int replayed;

	/* Run again after a failure a new try may pass (uoms_verb_tx):
	 * the record of the last try alone. */
	uoms_buf_clear(&r->rec);
	/* An edit names the remark: find its order inside the transaction,
	 * so the remark can't move or vanish before the change. */
	if (r->remark_id > 0) {
		if ((code = uoms_remark_order(s, r->remark_id, &r->ref.id, e))
		    != UOMS_OK)
			return code;
		snprintf(r->where, sizeof r->where, "order %lld", r->ref.id);
	}
	return uoms_change_order(s, r->actor, &r->ref, 0, NULL, 0, &r->c,
	    &r->rec, &replayed, e);
}

/* add (remark_id 0) or edit: one change in one transaction. */
static int
change(struct uoms_verb_ctx *x)
{
	static char request[UOMS_REMARK_REQUEST_MAX];
	struct req *r = x->arg;
	struct uoms_remark_req req = { .remark_id = r->remark_id,
	    .text = r->text };
	struct uoms_error e = { 0 };
	enum uoms_code code;

	r->actor = &x->actor;
	uoms_remark_change(&r->c, &req, request, sizeof request);
	if ((code = uoms_verb_tx(x->s, apply, r, &e)) == UOMS_OK &&
	    uoms_buf_add(&r->rec, "\n", 1) < 0)
		code = uoms_fail(&e, UOMS_INTERNAL, "out of memory");
	return uoms_verb_done(r->where, code, &e, &r->rec);
}

static int
list(struct uoms_verb_ctx *x)
{
	struct req *r = x->arg;
	struct uoms_error e = { 0 };
	struct uoms_target t;
	struct uoms_buf out = { 0 };
	enum uoms_code code;

	if ((code = uoms_change_target(x->s, &r->ref, &t, &e)) == UOMS_OK)
		code = uoms_remark_list(x->s, t.id, r->history, &out, &e);
	return uoms_verb_done(r->where, code, &e, &out);
}

static const struct uoms_verb verbs[] = {
	{ "add", change, UOMS_VERB_WRITE, 1, 0 },
	{ "edit", change, UOMS_VERB_WRITE, 1, 0 },
	{ "list", list, UOMS_VERB_READ, 0, 0 },
	{ NULL, NULL, 0, 0, 0 }
};

/* The words after command v: REF or REMARK_ID, TEXT, list's --history. */
static void
words(const struct uoms_cli *cli, const struct uoms_verb *v, struct req *r,
    int argc, char **argv)
{
	char why[300];

	if (v->run == list) {
		for (int i = 0; i < argc; i++)
			if (strcmp(argv[i], "--history") == 0) {
				r->history = 1;
				memmove(argv + i, argv + i + 1,
				    (argc - i - 1) * sizeof *argv);
				argc--;
				break;
			}
		if (argc != 1)
			uoms_cli_usage_error(cli, "list takes one REF");
	} else if (argc != 2)
		uoms_cli_usage_error(cli, "%s takes %s and TEXT", v->name,
		    strcmp(v->name, "add") == 0 ? "REF" : "REMARK_ID");
	else
		r->text = argv[1];
	if (strcmp(v->name, "edit") == 0) {
		r->remark_id = uoms_cli_number(cli, "REMARK_ID", argv[0], 1,
		    INT64_MAX);
		snprintf(r->where, sizeof r->where, "remark %lld",
		    r->remark_id);
	} else {
		snprintf(r->where, sizeof r->where, "order %s", argv[0]);
		if (uoms_ref_from_arg(argv[0], &r->ref, why, sizeof why) < 0)
			uoms_cli_usage_error(cli, "%s", why);
	}
}

int
main(int argc, char **argv)
{
	struct uoms_cli cli;
	struct req r = { .ref = { .version = -1 } };
	const struct uoms_verb *v;
	int opt;

	uoms_cli_init(&cli, argv[0], usage);
	/* Options stop at the command: the words after it are taken as
	 * they are, so a TEXT may start with '-'. */
	while ((opt = uoms_cli_getopt(argc, argv, "+" UOMS_CLI_SHORTOPTS,
	    longopts, NULL)) != -1)
		uoms_cli_option(&cli, opt, optarg);
	argc -= optind;
	argv += optind;
	v = uoms_verb_find(&cli, verbs, argc > 0 ? argv[0] : NULL);
	words(&cli, v, &r, argc - 1, argv + 1);
	uoms_cli_finish(&cli);
	return uoms_verb_run(&cli, v, &r);
}
