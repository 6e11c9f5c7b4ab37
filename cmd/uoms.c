/* uoms: the front door; "uoms TOOL ARGS" runs uoms-TOOL. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "line.h"

static const char usage[] =
"usage: uoms help | version | TOOL [ARG...]\n";

static const char *const tools[][2] = {
	{ "upsert", "read order (or product) lines, store them by natural key" },
	{ "query", "select orders by filters, print them as lines" },
	{ "catalog", "print each channel's products and their cost history" },
	{ "status", "move orders through their workflow" },
	{ "assign", "assign a driver to orders, all or nothing" },
	{ "edit", "change fields of stored orders" },
	{ "remark", "add, edit and list remarks on an order" },
	{ "hold", "put orders on hold with a reason, acknowledge, resolve" },
	{ "lock", "take, renew, release and list locks; run a command under one" },
	{ "events", "print the event log from an offset; --follow to tail it" },
	{ "report", "the status board, intake, sales and pipeline figures" },
	{ "user", "users, roles and departments, passwords" },
	{ "channel", "register channels, their settings and sealed secrets" },
	{ "fetch", "collect new and changed orders from the channels" },
	{ "push", "tell each order's channel of its ack and shipment, once" },
	{ "notify", "deliver lines to a webhook, with retries and a log" },
	{ "alert", "check alert thresholds, print their changes for notify" },
	{ "copy", "copy a whole store into another, SQLite or PostgreSQL" },
	{ "serve", "the HTTP API, live dashboard and channel webhooks" },
};

static void
help(void)
{
	fputs(usage, stdout);
	fputs("\nTools (each has --help and a man page, uoms-TOOL(1)):\n",
	    stdout);
	for (size_t i = 0; i < sizeof tools / sizeof tools[0]; i++)
		printf("  %-8s %s\n", tools[i][0], tools[i][1]);
	fputs("\nSee uoms(7) for the line protocol and pipelines.\n", stdout);
}

/* Runs uoms-TOOL from beside this binary first, so a build tree or an
 * install prefix uses its own tools, then from PATH. */
static void
run(const char *tool, char **argv)
{
	char self[PATH_MAX], path[PATH_MAX + 200], name[128];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

	if (strchr(tool, '/') != NULL || strlen(tool) > 64)
		uoms_die(UOMS_EXIT_USAGE, NULL, "'%s' is not a uoms tool", tool);
	snprintf(name, sizeof name, "uoms-%s", tool);
	argv[0] = name;
	if (n > 0) {
		self[n] = '\0';
		*strrchr(self, '/') = '\0';
		snprintf(path, sizeof path, "%s/%s", self, name);
		execv(path, argv);
	}
	execvp(name, argv);
	uoms_die(errno == ENOENT ? UOMS_EXIT_USAGE : UOMS_EXIT_CANNOT, NULL,
	    "can't run '%s': %s", name, strerror(errno));
}

int
main(int argc, char **argv)
{
	uoms_err_setprog(argv[0]);
	if (argc < 2) {
		fputs(usage, stderr);
		return UOMS_EXIT_USAGE;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0) {
		if (argc > 2)
			run(argv[2], (char *[]){ NULL, "--help", NULL });
		help();
	} else if (strcmp(argv[1], "version") == 0 ||
	    strcmp(argv[1], "--version") == 0)
		printf("uoms %s\n", UOMS_VERSION);
	else if (argv[1][0] == '-') {
		fprintf(stderr, "uoms: unknown option '%s'\n%s", argv[1], usage);
		return UOMS_EXIT_USAGE;
	} else
		run(argv[1], argv + 1);
	return uoms_out_flush() == 0 ? UOMS_EXIT_OK : UOMS_EXIT_CANNOT;
}
