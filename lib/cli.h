/*
 * cli: the options every tool shares (SPEC 2) and the shape of a main:
 * -h/--help, --version, -d/--db, -c/--config, --actor, resolved in the
 * order flag, environment, configuration file, default.
 */
#ifndef UOMS_CLI_H
#define UOMS_CLI_H

#include <getopt.h>

#include "config.h"
#include "err.h"

/* Long-only option values start here so tools can number theirs after. */
enum {
	UOMS_OPT_VERSION = 1000,
	UOMS_OPT_ACTOR,
	UOMS_OPT_TOOL		/* first value free for a tool's own options */
};

#define UOMS_CLI_SHORTOPTS "hd:c:"
#define UOMS_CLI_LONGOPTS \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, UOMS_OPT_VERSION }, \
	{ "db", required_argument, NULL, 'd' }, \
	{ "config", required_argument, NULL, 'c' }, \
	{ "actor", required_argument, NULL, UOMS_OPT_ACTOR }

struct uoms_cli {
	const char *usage;	/* the tool's synopsis, as in its man page */
	const char *db_flag, *config_flag, *actor_flag;
	/* Resolved by uoms_cli_finish(): */
	const char *db;		/* path or URL of the store */
	const char *actor;
	struct uoms_config config;
};

/* Sets the program name from argv[0] and remembers the usage text. */
void uoms_cli_init(struct uoms_cli *cli, const char *argv0, const char *usage);

/*
 * Handles opt if it is a common option: returns 1 when handled, 0 when the
 * tool must handle it. --help and --version print and exit 0; '?' (an
 * option getopt refused) prints usage and exits 2.
 */
int uoms_cli_option(struct uoms_cli *cli, int opt, const char *arg);

/*
 * getopt_long(3), its messages ("unrecognized option") naming the program
 * as every other message does, whatever argv[0] is: a path, or the
 * command word of a subcommand tool that parses the words after it.
 * argv[0] is borrowed during the call and put back.
 */
int uoms_cli_getopt(int argc, char **argv, const char *shortopts,
    const struct option *longopts, int *longindex);

/* Prints "prog: why" and the usage to stderr, exits 2. */
void uoms_cli_usage_error(const struct uoms_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/*
 * Reads the configuration and resolves db and actor. A configuration file
 * that can't be read is a cannot-run error (exits 3).
 * Once: a later call (a tool, then the runner it hands over to) does
 * nothing.
 */
void uoms_cli_finish(struct uoms_cli *cli);

/* Parses a whole number in [min, max] for option name; usage error else. */
long long uoms_cli_number(const struct uoms_cli *cli, const char *name,
    const char *arg, long long min, long long max);

/*
 * Where the shared data is (share/uoms): $UOMS_DATA, else beside the
 * binary (BINDIR/../share/uoms), else the source tree's share/uoms when
 * run from build/bin, else the compiled-in DATADIR. Static.
 */
const char *uoms_cli_data_dir(void);

/* Points the workflow module at the shipped workflows and at the
 * configuration folder's workflows/ (which override them). */
void uoms_cli_workflows(const struct uoms_cli *cli);

/*
 * Reads one line of standard input into buf, byte by byte so nothing after
 * it is taken from the stream (secrets come one line each). Returns its
 * length, -1 at end of input, -2 when it does not fit.
 */
int uoms_cli_read_line(char *buf, size_t size);

/* The same, asked for on the terminal with prompt and echo off; echo comes
 * back however the prompt ends, a signal included. */
int uoms_cli_prompt_hidden(const char *prompt, char *buf, size_t size);

/* Stdin is a terminal and there is nothing else to read: print usage. */
void uoms_cli_refuse_tty(const struct uoms_cli *cli);

#endif
