/* uoms-notify: deliver lines to a webhook, with retries and a delivery log;
 * webhook targets registered by name with their URL sealed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "notify.h"
#include "verb.h"

static const char usage[] =
"usage: uoms-notify [-d DB] [-c CONFIG] [--actor NAME]\n"
"                   (--webhook URL | --target NAME) [--template TEXT]\n"
"                   [--key MEMBER] [--retries N] [--timeout SECONDS]\n"
"       uoms-notify [-d DB] [-c CONFIG] [--actor NAME] target add NAME [URL]\n"
"       uoms-notify [-d DB] [-c CONFIG] [--actor NAME] target list\n"
"       uoms-notify [-d DB] [-c CONFIG] [--actor NAME] target remove NAME\n";

enum {
	OPT_WEBHOOK = UOMS_OPT_TOOL, OPT_TARGET, OPT_TEMPLATE, OPT_KEY,
	OPT_RETRIES, OPT_TIMEOUT
};

static const struct option longopts[] = {
	UOMS_CLI_LONGOPTS,
	{ "webhook", required_argument, NULL, OPT_WEBHOOK },
	{ "url", required_argument, NULL, OPT_WEBHOOK },	/* alias */
	{ "target", required_argument, NULL, OPT_TARGET },
	{ "to", required_argument, NULL, OPT_TARGET },		/* alias */
	{ "template", required_argument, NULL, OPT_TEMPLATE },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ NULL, 0, NULL, 0 }
};

struct req {
	const char *name;
	char url[UOMS_NOTIFY_URL_MAX + 2];	/* secret */
	const struct uoms_actor *actor;
	struct uoms_secret_key key;
};

static enum uoms_code
add_tx(struct uoms_store *s, void *arg, struct uoms_error *e)
{
	struct req *r = arg;
	enum uoms_code code;

	if ((code = uoms_verb_admin(s, r->actor, "notify targets", e)) !=
	    UOMS_OK)
		return code;
	return uoms_notify_target_add(s, &r->key, r->name, r->url, e);
}

static enum uoms_code
remove_tx(struct uoms_store *s, void *arg, struct uoms_error *e)
{
	struct req *r = arg;
	enum uoms_code code;

	if ((code = uoms_verb_admin(s, r->actor, "notify targets", e)) !=
	    UOMS_OK)
		return code;
	return uoms_notify_target_remove(s, r->name, e);
}

/* add: the URL from the command line, else one line of standard input
 * (kept out of ps and the shell's history). */
static int
add(struct uoms_verb_ctx *x)
{
	struct req *r = x->arg;
	struct uoms_error e = { 0 };
	struct uoms_buf out = { 0 };
	enum uoms_code code = UOMS_OK;
	char why[512], where[100];
	int n;

	snprintf(where, sizeof where, "target %s", r->name);
	r->actor = &x->actor;
	if (r->url[0] == '\0' &&
	    (n = uoms_cli_read_line(r->url, sizeof r->url)) < 0)
		code = uoms_fail(&e, UOMS_INVALID, n == -1 ? "no URL on "
		    "standard input" : "the URL is longer than %d bytes",
		    UOMS_NOTIFY_URL_MAX);
	if (code == UOMS_OK && uoms_secret_key_load(uoms_secret_key_path(
	    &x->cli->config), &r->key, why, sizeof why) < 0)
		uoms_die(UOMS_EXIT_CANNOT, where, "%s", why);
	if (code == UOMS_OK)
		code = uoms_verb_tx(x->s, add_tx, r, &e);
	OPENSSL_cleanse(r->url, sizeof r->url);
	OPENSSL_cleanse(&r->key, sizeof r->key);
	return uoms_verb_done(where, code, &e, &out);
}

static int
list(struct uoms_verb_ctx *x)
{
	struct uoms_error e = { 0 };
	struct uoms_buf out = { 0 };

	return uoms_verb_done(NULL, uoms_notify_target_list(x->s, &out, &e),
	    &e, &out);
}

static int
remove_(struct uoms_verb_ctx *x)
{
	struct req *r = x->arg;
	struct uoms_error e = { 0 };
	struct uoms_buf out = { 0 };
	char where[100];

	snprintf(where, sizeof where, "target %s", r->name);
	r->actor = &x->actor;
	return uoms_verb_done(where, uoms_verb_tx(x->s, remove_tx, r, &e), &e,
	    &out);
}

static const struct uoms_verb verbs[] = {
	{ "add", add, UOMS_VERB_WRITE, 1, 0 },
	{ "list", list, UOMS_VERB_READ, 0, 0 },
	{ "remove", remove_, UOMS_VERB_WRITE, 1, 0 },
	{ NULL, NULL, 0, 0, 0 }
};

static int
target(struct uoms_cli *cli, int argc, char **argv)
{
	static struct req r;
	const struct uoms_verb *v;

	v = uoms_verb_find(cli, verbs, argc > 0 ? argv[0] : NULL);
	argc--;
	argv++;
	if (v->run == list && argc != 0)
		uoms_cli_usage_error(cli, "target list takes no words");
	if (v->run == add && (argc < 1 || argc > 2))
		uoms_cli_usage_error(cli, "target add takes NAME [URL]");
	if (v->run == remove_ && argc != 1)
		uoms_cli_usage_error(cli, "target remove takes NAME");
	if (argc > 0)
		r.name = argv[0];
	if (argc > 1) {
		if (strlen(argv[1]) > UOMS_NOTIFY_URL_MAX)
			uoms_cli_usage_error(cli, "the URL is longer than %d "
			    "bytes", UOMS_NOTIFY_URL_MAX);
		snprintf(r.url, sizeof r.url, "%s", argv[1]);
	}
	uoms_cli_finish(cli);
	return uoms_verb_run(cli, v, &r);
}

int
main(int argc, char **argv)
{
	struct uoms_cli cli;
	struct uoms_notify_opts o = { .retries = UOMS_NOTIFY_RETRIES,
	    .timeout = UOMS_NOTIFY_TIMEOUT };
	char why[300];
	int opt;

	uoms_cli_init(&cli, argv[0], usage);
	while ((opt = uoms_cli_getopt(argc, argv, "+" UOMS_CLI_SHORTOPTS,
	    longopts, NULL)) != -1) {
		if (uoms_cli_option(&cli, opt, optarg))
			continue;
		switch (opt) {
		case OPT_WEBHOOK: o.url = optarg; break;
		case OPT_TARGET: o.target = optarg; break;
		case OPT_TEMPLATE: o.tmpl = optarg; break;
		case OPT_KEY: o.key = optarg; break;
		case OPT_RETRIES:
			o.retries = uoms_cli_number(&cli, "--retries", optarg,
			    0, 20);
			break;
		case OPT_TIMEOUT:
			o.timeout = uoms_cli_number(&cli, "--timeout", optarg,
			    1, 600);
			break;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 0 && strcmp(argv[0], "target") == 0)
		return target(&cli, argc - 1, argv + 1);
	if (argc > 0)
		uoms_cli_usage_error(&cli, "unexpected word '%s'", argv[0]);
	if ((o.url == NULL) == (o.target == NULL))
		uoms_cli_usage_error(&cli, "give one of --webhook and --target");
	if (o.url != NULL && uoms_notify_url_check(o.url, why, sizeof why) < 0)
		uoms_cli_usage_error(&cli, "--webhook: %s", why);
	if (o.tmpl != NULL && uoms_notify_template_check(o.tmpl, why,
	    sizeof why) < 0)
		uoms_cli_usage_error(&cli, "--template: %s", why);
	uoms_cli_refuse_tty(&cli);
	uoms_cli_finish(&cli);
	return uoms_notify_run(&cli, &o);
}
