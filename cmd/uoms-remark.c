/* uoms-remark: add, edit (as a new revision) and list remarks on an order. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "change.h"
#include "cli.h"
#include "line.h"
#include "remark.h"
#include "user.h"

static const char usage[] =
"usage: uoms-remark [-d DB] [-c CONFIG] [--actor NAME] add REF TEXT\n"
"       uoms-remark [-d DB] [-c CONFIG] [--actor NAME] edit REMARK_ID TEXT\n"
"       uoms-remark [-d DB] [-c CONFIG] [--actor NAME] list REF [--history]\n";

static const struct option longopts[] = {
	UOMS_CLI_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

static struct uoms_store *
open_store(struct uoms_cli *cli, enum uoms_store_mode mode)
{
	struct uoms_store *s;
	char why[512];

	if ((s = uoms_store_open(cli->db, mode, &cli->config, why,
	    sizeof why)) == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", why);
	uoms_store_set_actor(s, cli->actor);
	return s;
}

/* A refusal names where; a store failure stops the tool. */
static int
refuse(struct uoms_store *s, const char *where, const struct uoms_error *e)
{
	uoms_store_rollback(s);
	if (e->code == UOMS_BUSY || e->code == UOMS_INTERNAL)
		uoms_die_error(where, e);
	uoms_warn(where, "%s: %s", uoms_code_name(e->code), e->msg);
	return UOMS_EXIT_REFUSED;
}

/* add (remark_id 0) or edit: one change in one transaction. */
static int
change(struct uoms_cli *cli, struct uoms_ref *ref, const char *where,
    long long remark_id, const char *text)
{
	static char request[UOMS_REMARK_REQUEST_MAX];
	struct uoms_remark_req req = { .remark_id = remark_id, .text = text };
	struct uoms_store *s = open_store(cli, UOMS_STORE_WRITE);
	struct uoms_error e = { 0 };
	struct uoms_actor actor;
	struct uoms_change c;
	struct uoms_buf rec = { 0 };
	char here[64];
	int replayed, status = UOMS_EXIT_OK;

	if (uoms_actor_load(s, cli->actor, &actor, &e) != UOMS_OK)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s: %s",
		    uoms_code_name(e.code), e.msg);
	uoms_remark_change(&c, &req, request, sizeof request);
	if (uoms_store_begin(s, &e) != UOMS_OK)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s: %s",
		    uoms_code_name(e.code), e.msg);
	/* An edit names the remark: find its order inside the transaction,
	 * so the remark can't move or vanish before the change. */
	if (remark_id > 0) {
		if (uoms_remark_order(s, remark_id, &ref->id, &e) != UOMS_OK) {
			snprintf(here, sizeof here, "remark %lld", remark_id);
			status = refuse(s, here, &e);
			goto done;
		}
		snprintf(here, sizeof here, "order %lld", ref->id);
		where = here;
	}
	if (uoms_change_order(s, &actor, ref, 0, NULL, 0, &c, &rec, &replayed,
	    &e) != UOMS_OK) {
		status = refuse(s, where, &e);
		goto done;
	}
	if (uoms_store_commit(s, &e) != UOMS_OK)
		uoms_die(UOMS_EXIT_CANNOT, where, "%s: %s",
		    uoms_code_name(e.code), e.msg);
	if (uoms_out_record(rec.p, rec.n) < 0 || uoms_out_flush() < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't write records: %s",
		    strerror(errno));
done:
	uoms_buf_free(&rec);
	uoms_store_close(s);
	return status;
}

static int
list(struct uoms_cli *cli, struct uoms_ref *ref, const char *where,
    int history)
{
	struct uoms_store *s = open_store(cli, UOMS_STORE_READ);
	struct uoms_error e = { 0 };
	struct uoms_target t;
	struct uoms_buf out = { 0 };
	int status = UOMS_EXIT_OK;

	if (uoms_change_target(s, ref, &t, &e) != UOMS_OK ||
	    uoms_remark_list(s, t.id, history, &out, &e) != UOMS_OK)
		status = refuse(s, where, &e);
	else if ((out.n > 0 && fwrite(out.p, 1, out.n, stdout) != out.n) ||
	    uoms_out_flush() < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't write records: %s",
		    strerror(errno));
	uoms_buf_free(&out);
	uoms_store_close(s);
	return status;
}

static void
parse_ref(const struct uoms_cli *cli, char *arg, struct uoms_ref *ref)
{
	char why[300];

	if (uoms_ref_from_arg(arg, ref, why, sizeof why) < 0)
		uoms_cli_usage_error(cli, "%s", why);
}

int
main(int argc, char **argv)
{
	struct uoms_cli cli;
	struct uoms_ref ref = { .version = -1 };
	const char *cmd;
	char where[300];
	int opt, status, history = 0;
	long long remark_id = 0;

	uoms_cli_init(&cli, argv[0], usage);
	/* Options stop at the command: the words after it are taken as
	 * they are, so a TEXT may start with '-'. */
	while ((opt = uoms_cli_getopt(argc, argv, "+" UOMS_CLI_SHORTOPTS,
	    longopts, NULL)) != -1)
		uoms_cli_option(&cli, opt, optarg);
	argc -= optind;
	argv += optind;
	if (argc == 0)
		uoms_cli_usage_error(&cli, "no command: add, edit or list");
	cmd = *argv++;
	argc--;
	if (strcmp(cmd, "list") == 0) {
		for (int i = 0; i < argc; i++)
			if (strcmp(argv[i], "--history") == 0) {
				history = 1;
				memmove(argv + i, argv + i + 1,
				    (argc - i - 1) * sizeof *argv);
				argc--;
				break;
			}
		if (argc != 1)
			uoms_cli_usage_error(&cli, "list takes one REF");
	} else if (strcmp(cmd, "add") == 0 || strcmp(cmd, "edit") == 0) {
		if (argc != 2)
			uoms_cli_usage_error(&cli, "%s takes %s and TEXT", cmd,
			    *cmd == 'a' ? "REF" : "REMARK_ID");
	} else
		uoms_cli_usage_error(&cli, "unknown command '%s'", cmd);
	if (*cmd == 'e')
		remark_id = uoms_cli_number(&cli, "REMARK_ID", argv[0], 1,
		    INT64_MAX);
	else {
		snprintf(where, sizeof where, "order %s", argv[0]);
		parse_ref(&cli, argv[0], &ref);
	}
	uoms_cli_finish(&cli);
	if (*cmd == 'l')
		status = list(&cli, &ref, where, history);
	else
		status = change(&cli, &ref, where, remark_id, argv[1]);
	uoms_config_free(&cli.config);
	return status;
}
