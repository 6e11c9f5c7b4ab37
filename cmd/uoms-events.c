/* uoms-events: print the event log from an offset; --follow tails it. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "change.h"
#include "cli.h"
#include "events.h"
#include "line.h"

static const char usage[] =
"usage: uoms-events [-d DB] [-c CONFIG] [--actor NAME] [--after OFFSET]\n"
"                   [--order REF] [--type TYPE] [--follow]\n";

enum { OPT_AFTER = UOMS_OPT_TOOL, OPT_ORDER, OPT_TYPE, OPT_FOLLOW };

static const struct option longopts[] = {
	UOMS_CLI_LONGOPTS,
	{ "after", required_argument, NULL, OPT_AFTER },
	{ "order", required_argument, NULL, OPT_ORDER },
	{ "type", required_argument, NULL, OPT_TYPE },
	{ "follow", no_argument, NULL, OPT_FOLLOW },
	{ NULL, 0, NULL, 0 }
};

/* A reader that went away is the end of the stream, not a failure. */
static void
flush(void)
{
	if (uoms_out_flush() == 0)
		return;
	if (errno == EPIPE)
		exit(UOMS_EXIT_OK);
	uoms_die(UOMS_EXIT_CANNOT, NULL, "can't write events: %s",
	    strerror(errno));
}

/*
 * Waits for more events (woken by the store on PostgreSQL, a look every
 * 150 ms on SQLite); ends when the reader has gone.
 */
static void
wait_for_more(struct uoms_events_cursor *c)
{
	int rc = uoms_events_wait(c, STDOUT_FILENO);

	if (rc > 0)
		exit(UOMS_EXIT_OK);
	if (rc < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't wait for events: %s",
		    strerror(errno));
}

int
main(int argc, char **argv)
{
	struct uoms_cli cli;
	struct uoms_events_filter f = { 0 };
	struct uoms_ref ref = { .version = -1 };
	struct uoms_target t;
	struct uoms_events_cursor *c;
	struct uoms_store *s;
	struct uoms_error e = { 0 };
	struct uoms_buf rec = { 0 };
	const char *order = NULL;
	char why[512], where[300];
	int opt, rc, follow = 0;

	uoms_cli_init(&cli, argv[0], usage);
	while ((opt = uoms_cli_getopt(argc, argv, UOMS_CLI_SHORTOPTS,
	    longopts, NULL)) != -1) {
		if (uoms_cli_option(&cli, opt, optarg))
			continue;
		switch (opt) {
		case OPT_AFTER:
			f.after = uoms_cli_number(&cli, "--after", optarg, 0,
			    INT64_MAX);
			break;
		case OPT_ORDER:
			snprintf(where, sizeof where, "order %s", optarg);
			order = optarg;
			if (uoms_ref_from_arg(optarg, &ref, why, sizeof why) < 0)
				uoms_cli_usage_error(&cli, "--order: %s", why);
			break;
		case OPT_TYPE: f.type = optarg; break;
		case OPT_FOLLOW: follow = 1; break;
		}
	}
	if (optind < argc)
		uoms_cli_usage_error(&cli, "unexpected argument '%s'",
		    argv[optind]);
	uoms_cli_finish(&cli);
	signal(SIGPIPE, SIG_IGN);
	if ((s = uoms_store_open(cli.db, UOMS_STORE_READ, &cli.config, why,
	    sizeof why)) == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", why);
	if (order != NULL) {
		/* A deleted order's events are still its log. */
		rc = uoms_change_target_any(s, &ref, &t, &e);
		if (rc == UOMS_NOT_FOUND || rc == UOMS_INVALID) {
			uoms_warn(where, "%s: %s", uoms_code_name(e.code),
			    e.msg);
			uoms_store_close(s);
			uoms_config_free(&cli.config);
			return UOMS_EXIT_REFUSED;
		}
		if (rc != UOMS_OK)
			uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", e.msg);
		f.order_id = t.id;
	}
	if ((c = uoms_events_open(s, &f, &e)) == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", e.msg);
	for (;;) {
		while ((rc = uoms_events_next(c, &rec, &e)) > 0) {
			if (uoms_out_record(rec.p, rec.n) < 0)
				flush();
			uoms_buf_clear(&rec);
		}
		if (rc < 0)
			uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", e.msg);
		flush();
		if (!follow)
			break;
		wait_for_more(c);
	}
	uoms_events_close(c);
	uoms_store_close(s);
	uoms_buf_free(&rec);
	uoms_config_free(&cli.config);
	return UOMS_EXIT_OK;
}
