/* uoms-fetch: collect orders (or products) from the channels as lines. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "channel.h"
#include "cli.h"
#include "fetch.h"
#include "rfc3339.h"

static const char usage[] =
"usage: uoms-fetch [-d DB] [-c CONFIG] [--actor NAME] [--channel NAME...]\n"
"                  [--since T] [--products] [--dry-run]\n";

enum { OPT_CHANNEL = UOMS_OPT_TOOL, OPT_SINCE, OPT_PRODUCTS, OPT_DRY_RUN };

static const struct option longopts[] = {
	UOMS_CLI_LONGOPTS,
	{ "channel", required_argument, NULL, OPT_CHANNEL },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "products", no_argument, NULL, OPT_PRODUCTS },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ NULL, 0, NULL, 0 }
};

/* The channels named with --channel, each once, in the order given. */
static void
named(struct uoms_store *s, char **names, int nnames,
    struct uoms_channel **list, int *n)
{
	struct uoms_error e = { 0 };
	int i, k;

	if ((*list = calloc(nnames, sizeof **list)) == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "out of memory");
	*n = 0;
	for (i = 0; i < nnames; i++) {
		for (k = 0; k < i && strcmp(names[k], names[i]) != 0; k++)
			;
		if (k < i)
			continue;
		if (uoms_channel_get(s, names[i], &(*list)[*n], &e) != UOMS_OK)
			uoms_die(UOMS_EXIT_CANNOT, NULL, "channel '%s': %s",
			    names[i], e.code == UOMS_NOT_FOUND ?
			    "no such channel" : e.msg);
		if (!(*list)[(*n)++].enabled)
			uoms_die(UOMS_EXIT_CANNOT, NULL, "channel '%s' is "
			    "disabled (uoms-channel enable %s)", names[i],
			    names[i]);
	}
}

int
main(int argc, char **argv)
{
	struct uoms_cli cli;
	struct uoms_fetch_opts o = { 0 };
	struct uoms_channel *list = NULL;
	struct uoms_store *s;
	struct uoms_error e = { 0 };
	char **names = NULL, why[512], since[40];
	struct uoms_fetch_result *res;
	int opt, n = 0, nnames = 0, failed, refused = 0;

	uoms_cli_init(&cli, argv[0], usage);
	while ((opt = uoms_cli_getopt(argc, argv, UOMS_CLI_SHORTOPTS,
	    longopts, NULL)) != -1) {
		if (uoms_cli_option(&cli, opt, optarg))
			continue;
		switch (opt) {
		case OPT_CHANNEL:
			names = realloc(names, (nnames + 1) * sizeof *names);
			if (names == NULL)
				uoms_die(UOMS_EXIT_CANNOT, NULL,
				    "out of memory");
			names[nnames++] = optarg;
			break;
		case OPT_SINCE:
			if (uoms_time_normalize(optarg, strlen(optarg), since,
			    1) < 0)
				uoms_cli_usage_error(&cli, "--since: '%s' is not "
				    "an RFC 3339 time or a date", optarg);
			o.since = since;
			break;
		case OPT_PRODUCTS: o.products = 1; break;
		case OPT_DRY_RUN: o.dry_run = 1; break;
		}
	}
	if (optind < argc)
		uoms_cli_usage_error(&cli, "unexpected argument '%s'",
		    argv[optind]);
	uoms_cli_finish(&cli);
	if (uoms_fetch_opts_config(&o, &cli.config, why, sizeof why) < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", why);
	o.progress = isatty(2);
	signal(SIGPIPE, SIG_IGN);
	if ((s = uoms_store_open(cli.db, UOMS_STORE_UPDATE, &cli.config, why,
	    sizeof why)) == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", why);
	uoms_store_set_actor(s, cli.actor);
	if (nnames > 0)
		named(s, names, nnames, &list, &n);
	else if (uoms_channel_list(s, 1, &list, &n, &e) != UOMS_OK)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", e.msg);
	if (n == 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "no enabled channels (see "
		    "uoms-channel add)");
	if ((res = calloc(n, sizeof *res)) == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "out of memory");
	failed = uoms_fetch_run(s, list, n, &o, res);
	for (int i = 0; i < n; i++) {
		refused += res[i].refused > 0;
		uoms_channel_free(&list[i]);
	}
	free(res);
	free(list);
	free(names);
	uoms_store_close(s);
	uoms_config_free(&cli.config);
	/* An order refused is a line refused: 1, the others printed. */
	return failed == n ? UOMS_EXIT_CANNOT : failed > 0 || refused > 0 ?
	    UOMS_EXIT_REFUSED : UOMS_EXIT_OK;
}
