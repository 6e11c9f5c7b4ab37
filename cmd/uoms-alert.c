/* uoms-alert: evaluate the rules file's alerts, print their changes as
 * lines for uoms-notify; list and acknowledge alerts. */
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "alert.h"
#include "rfc3339.h"
#include "verb.h"

static const char usage[] =
"usage: uoms-alert [-d DB] [-c CONFIG] [--actor NAME] [check]\n"
"       uoms-alert [-d DB] [-c CONFIG] [--actor NAME] list [--state open|acknowledged|resolved]\n"
"       uoms-alert [-d DB] [-c CONFIG] [--actor NAME] ack [--note TEXT] ID\n";

enum { OPT_STATE = UOMS_OPT_TOOL, OPT_NOTE };

static const struct option longopts[] = {
	UOMS_CLI_LONGOPTS,
	{ "state", required_argument, NULL, OPT_STATE },
	{ "note", required_argument, NULL, OPT_NOTE },
	{ NULL, 0, NULL, 0 }
};

struct req {
	const char *state, *note;
	long long id;
	const char *actor;
	struct uoms_buf out;
};

/* The clock alerts run on: the system's, or UOMS_NOW (uoms(7)). */
static long long
now(void)
{
	return uoms_time_lock_clock() / 1000;
}

static int
check(struct uoms_verb_ctx *x)
{
	struct req *r = x->arg;
	struct uoms_alert_rules rules;
	struct uoms_error e = { 0 };
	char why[600], conf[4096], override[4200], shipped[4200];
	const char *dirs[2] = { override, shipped };
	enum uoms_code code;

	if (uoms_alert_rules_load(&rules, &x->cli->config, why,
	    sizeof why) < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", why);
	/* The workflows that say what states mean, as uoms-report finds
	 * them: the configuration's folder before the shipped one. */
	uoms_cli_workflows(x->cli);
	snprintf(shipped, sizeof shipped, "%s/workflows", uoms_cli_data_dir());
	if (x->cli->config.path != NULL) {
		snprintf(conf, sizeof conf, "%s", x->cli->config.path);
		snprintf(override, sizeof override, "%s/workflows",
		    dirname(conf));
	} else
		snprintf(override, sizeof override, "/etc/uoms/workflows");
	code = uoms_alert_check(x->s, &rules, now(), dirs, &r->out, &e);
	uoms_alert_rules_free(&rules);
	return uoms_verb_done(NULL, code, &e, &r->out);
}

static int
list(struct uoms_verb_ctx *x)
{
	struct req *r = x->arg;
	struct uoms_error e = { 0 };

	return uoms_verb_done(NULL, uoms_alert_list(x->s, r->state, &r->out,
	    &e), &e, &r->out);
}

static enum uoms_code
ack_tx(struct uoms_store *s, void *arg, struct uoms_error *e)
{
	struct req *r = arg;
	char at[UOMS_TIME_MS_SIZE];
	long long t = now();

	uoms_buf_clear(&r->out);
	uoms_time_ms(t * 1000, at);	/* seconds: the first 19 and Z */
	at[19] = 'Z';
	at[20] = '\0';
	return uoms_alert_ack(s, r->id, r->actor, at, r->note, &r->out, e);
}

static int
ack(struct uoms_verb_ctx *x)
{
	struct req *r = x->arg;
	struct uoms_error e = { 0 };
	char where[40];

	r->actor = x->cli->actor;
	snprintf(where, sizeof where, "alert %lld", r->id);
	return uoms_verb_done(where, uoms_verb_tx(x->s, ack_tx, r, &e), &e,
	    &r->out);
}

static const struct uoms_verb verbs[] = {
	{ "check", check, UOMS_VERB_WRITE, 0, 0 },
	{ "list", list, UOMS_VERB_READ, 0, 0 },
	{ "ack", ack, UOMS_VERB_WRITE, 0, 0 },
	{ NULL, NULL, 0, 0, 0 }
};

static void
option(const struct uoms_cli *cli, void *arg, int opt, char *optarg)
{
	struct req *r = arg;

	(void)cli;
	switch (opt) {
	case OPT_STATE: r->state = optarg; break;
	case OPT_NOTE: r->note = optarg; break;
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
	while ((opt = uoms_cli_getopt(argc, argv, UOMS_CLI_SHORTOPTS,
	    longopts, NULL)) != -1)
		if (!uoms_cli_option(&cli, opt, optarg))
			option(&cli, &r, opt, optarg);
	/* No command is check: cron's line stays "uoms-alert | ...". */
	v = optind < argc ? uoms_verb_find(&cli, verbs, argv[optind++]) :
	    &verbs[0];
	if (v->run == list) {
		if (r.note != NULL)
			uoms_cli_usage_error(&cli, "list takes only --state");
		if (r.state != NULL && !uoms_alert_state_valid(r.state))
			uoms_cli_usage_error(&cli, "no alert state '%s': open, "
			    "acknowledged or resolved", r.state);
	} else if (r.state != NULL)
		uoms_cli_usage_error(&cli, "--state is for list");
	if (v->run == check && r.note != NULL)
		uoms_cli_usage_error(&cli, "--note is for ack");
	if (v->run == ack) {
		if (optind >= argc)
			uoms_cli_usage_error(&cli, "ack needs an alert ID");
		r.id = uoms_cli_number(&cli, "ID", argv[optind++], 1,
		    INT64_MAX);
	}
	if (optind < argc)
		uoms_cli_usage_error(&cli, "unexpected argument '%s'",
		    argv[optind]);
	uoms_cli_finish(&cli);
	return uoms_verb_run(&cli, v, &r);
}
