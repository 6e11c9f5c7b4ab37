/* uoms-channel: register channels, their settings and sealed secrets. */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "channel.h"
#include "cli.h"
#include "kind.h"
#include "line.h"
#include "secret.h"
#include "user.h"
#include "workflow.h"

static const char usage[] =
"usage: uoms-channel [-d DB] [-c CONFIG] [--actor NAME] add NAME --kind KIND\n"
"                    [--base-url URL] [--workflow W] [--set KEY=VALUE...]\n"
"                    [--secret KEY...]\n"
"       uoms-channel [-d DB] [-c CONFIG] [--actor NAME] list\n"
"       uoms-channel [-d DB] [-c CONFIG] [--actor NAME] show NAME\n"
"       uoms-channel [-d DB] [-c CONFIG] [--actor NAME] update NAME\n"
"                    [--base-url URL] [--workflow W] [--set KEY=VALUE...]\n"
"                    [--secret KEY...]\n"
"       uoms-channel [-d DB] [-c CONFIG] [--actor NAME] enable NAME\n"
"       uoms-channel [-d DB] [-c CONFIG] [--actor NAME] disable NAME\n"
"       uoms-channel [-d DB] [-c CONFIG] [--actor NAME] remove NAME [--force]\n"
"       uoms-channel [-d DB] [-c CONFIG] [--actor NAME] keygen [FILE]\n"
"       uoms-channel [-d DB] [-c CONFIG] [--actor NAME] rekey "
"--new-key-file FILE\n";

enum {
	OPT_KIND = UOMS_OPT_TOOL, OPT_BASE_URL, OPT_WORKFLOW, OPT_SET,
	OPT_SECRET, OPT_FORCE, OPT_NEW_KEY_FILE
};

static const struct option longopts[] = {
	UOMS_CLI_LONGOPTS,
	{ "kind", required_argument, NULL, OPT_KIND },
	{ "base-url", required_argument, NULL, OPT_BASE_URL },
	{ "workflow", required_argument, NULL, OPT_WORKFLOW },
	{ "set", required_argument, NULL, OPT_SET },
	{ "secret", required_argument, NULL, OPT_SECRET },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "new-key-file", required_argument, NULL, OPT_NEW_KEY_FILE },
	{ NULL, 0, NULL, 0 }
};

enum verb {
	ADD, LIST, SHOW, UPDATE, ENABLE, DISABLE, REMOVE, KEYGEN, REKEY, NVERBS
};
static const char *const verbs[NVERBS] = {
	"add", "list", "show", "update", "enable", "disable", "remove",
	"keygen", "rekey"
};

/*
 * The kinds SPEC 7 names. lib/kind.c registers each kind weakly, so one
 * not built in yet is NULL there; a channel of such a kind may still be
 * registered (uoms-fetch reports that it can't fetch it), and a kind
 * added later is found by uoms_kind_find.
 */
static const char *const known_kinds[] = {
	"demo", "http-jsonl", "coupang", "naver", "shopify", "woocommerce"
};

static int
kind_known(const char *kind)
{
	if (uoms_kind_find(kind) != NULL)
		return 1;
	for (size_t i = 0; i < sizeof known_kinds / sizeof *known_kinds; i++)
		if (strcmp(kind, known_kinds[i]) == 0)
			return 1;
	return 0;
}

/* A setting named like a credential would be kept and printed in clear. */
static int
credential_like(const char *key)
{
	size_t n = strlen(key);

	return strcasestr(key, "secret") != NULL ||
	    strcasestr(key, "token") != NULL ||
	    strcasestr(key, "passw") != NULL ||
	    (n >= 3 && strcasecmp(key + n - 3, "key") == 0);
}

/* The value of secret key into buf: a line of stdin, asked for without
 * echo on a terminal. */
static enum uoms_code
read_secret(const char *channel, const char *key, char *buf, size_t size,
    struct uoms_error *e)
{
	char prompt[300];
	int n;

	if (isatty(0)) {
		snprintf(prompt, sizeof prompt, "Secret '%s' of channel '%s': ",
		    key, channel);
		n = uoms_cli_prompt_hidden(prompt, buf, size);
	} else
		n = uoms_cli_read_line(buf, size);
	if (n == -1)
		return uoms_fail(e, UOMS_INVALID, "no line on standard input "
		    "for secret '%s'", key);
	if (n == -2)
		return uoms_fail(e, UOMS_INVALID, "secret '%s' is longer than "
		    "%d bytes", key, UOMS_SECRET_MAX);
	if (n == 0)
		return uoms_fail(e, UOMS_INVALID, "secret '%s' is empty", key);
	return UOMS_OK;
}

static void
cannot(const struct uoms_error *e)
{
	uoms_die_error(NULL, e);
}

/* Admins manage channels; until the store has one, anyone may. */
static enum uoms_code
allowed(struct uoms_store *s, const struct uoms_actor *a,
    struct uoms_error *e)
{
	long long admins;
	enum uoms_code code;

	if (a->role == UOMS_ROLE_ADMIN)
		return UOMS_OK;
	if ((code = uoms_user_admins(s, &admins, e)) != UOMS_OK)
		return code;
	if (admins == 0)
		return UOMS_OK;
	return uoms_fail(e, UOMS_FORBIDDEN, "managing channels needs the admin "
	    "role; '%s' is not an admin", a->name);
}

struct req {
	enum verb v;
	struct uoms_channel c;	/* name, kind, base_url, workflow */
	char **set;			/* KEY=VALUE */
	int nset;
	char **secret, **value;		/* names, and values read */
	int nsecret;
	int force;
	struct uoms_secret_key key, new_key;
};

/* The settings after the --set options: a copy of base (may be NULL). */
static json_t *
settings(const struct req *r, json_t *base)
{
	json_t *o = base != NULL ? json_deep_copy(base) : json_object();

	for (int i = 0; i < r->nset; i++) {
		char *eq = strchr(r->set[i], '=');

		*eq = '\0';
		if (eq[1] == '\0')
			json_object_del(o, r->set[i]);
		else
			json_object_set_new(o, r->set[i], json_string(eq + 1));
		*eq = '=';
	}
	return o;
}

static enum uoms_code
apply(struct uoms_store *s, struct req *r, struct uoms_buf *out,
    struct uoms_error *e)
{
	struct uoms_channel old;
	enum uoms_code code = UOMS_OK;
	long long n;

	switch (r->v) {
	case ADD:
		r->c.settings = settings(r, NULL);
		r->c.enabled = 1;
		code = uoms_channel_put(s, &r->c, 1, e);
		break;
	case UPDATE:
		r->c.enabled = -1;
		if (r->nset > 0) {
			if ((code = uoms_channel_get(s, r->c.name, &old, e))
			    != UOMS_OK)
				return code;
			r->c.settings = settings(r, old.settings);
			uoms_channel_free(&old);
		}
		code = uoms_channel_put(s, &r->c, 0, e);
		break;
	case ENABLE:
	case DISABLE:
		code = uoms_channel_enable(s, r->c.name, r->v == ENABLE, e);
		break;
	case REMOVE:
		/* The line as it was: what went. */
		if ((code = uoms_channel_lines(s, r->c.name, out, e)) ==
		    UOMS_OK)
			code = uoms_channel_remove(s, r->c.name, r->force, e);
		return code;
	case REKEY:
		if ((code = uoms_channel_rekey(s, &r->key, &r->new_key, &n, e))
		    == UOMS_OK)
			uoms_buf_printf(out, "{\"secrets\":%lld,"
			    "\"from_key_id\":\"%s\",\"to_key_id\":\"%s\"}\n",
			    n, r->key.id, r->new_key.id);
		return code;
	default:
		break;
	}
	for (int i = 0; code == UOMS_OK && i < r->nsecret; i++)
		code = uoms_channel_secret_put(s, r->c.name, r->secret[i],
		    r->value[i], NULL, &r->key, e);
	if (code == UOMS_OK)
		code = uoms_channel_lines(s, r->c.name, out, e);
	return code;
}

/* One change in its own transaction; nothing is kept when it fails. */
static enum uoms_code
change(struct uoms_store *s, const struct uoms_actor *a, struct req *r,
    struct uoms_buf *out, struct uoms_error *e)
{
	enum uoms_code code;

	if ((code = uoms_store_begin(s, e)) != UOMS_OK)
		return code;
	/* Asked again: an admin may have appeared since the first look. */
	if ((code = allowed(s, a, e)) == UOMS_OK)
		code = apply(s, r, out, e);
	if (code != UOMS_OK) {
		uoms_store_rollback(s);
		uoms_buf_clear(out);
		return code;
	}
	return uoms_store_commit(s, e);
}

/* Makes a key file and prints its path and key id (never the key). */
static void
keygen(struct uoms_cli *cli, const char *file)
{
	struct uoms_secret_key k;
	struct uoms_buf b = { 0 };
	char why[512];
	const char *path = file != NULL ? file :
	    uoms_secret_key_path(&cli->config);

	if (uoms_secret_keygen(path, why, sizeof why) < 0 ||
	    uoms_secret_key_file(path, &k, why, sizeof why) < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", why);
	OPENSSL_cleanse(k.key, sizeof k.key);
	uoms_buf_str(&b, "{\"key_file\":");
	uoms_buf_json_string(&b, path, strlen(path));
	uoms_buf_printf(&b, ",\"key_id\":\"%s\"}", k.id);
	if (uoms_out_record(b.p, b.n) < 0 || uoms_out_flush() < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't write to standard "
		    "output");
	uoms_buf_free(&b);
	uoms_config_free(&cli->config);
	exit(UOMS_EXIT_OK);
}

int
main(int argc, char **argv)
{
	struct uoms_cli cli;
	struct uoms_store *s;
	struct uoms_actor actor;
	struct uoms_error e = { 0 };
	struct uoms_buf out = { 0 };
	struct req r = { 0 };
	char *arg = NULL;
	const char *new_key_file = NULL;
	char why[512], *eq;
	enum uoms_code code = UOMS_OK;
	int opt, i, j, has_opts;

	uoms_cli_init(&cli, argv[0], usage);
	r.set = calloc(argc, sizeof *r.set);
	r.secret = calloc(argc, sizeof *r.secret);
	r.value = calloc(argc, sizeof *r.value);
	if (r.set == NULL || r.secret == NULL || r.value == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "out of memory");
	while ((opt = uoms_cli_getopt(argc, argv, UOMS_CLI_SHORTOPTS,
	    longopts, NULL)) != -1) {
		if (uoms_cli_option(&cli, opt, optarg))
			continue;
		switch (opt) {
		case OPT_KIND:
			if (!kind_known(optarg))
				uoms_cli_usage_error(&cli, "--kind: '%s' is "
				    "not demo, http-jsonl, coupang, naver, "
				    "shopify or woocommerce", optarg);
			r.c.kind = optarg;
			break;
		case OPT_BASE_URL: r.c.base_url = optarg; break;
		case OPT_WORKFLOW: r.c.workflow = optarg; break;
		case OPT_SET:
			if ((eq = strchr(optarg, '=')) == NULL || eq == optarg)
				uoms_cli_usage_error(&cli, "--set '%s' is not "
				    "KEY=VALUE", optarg);
			*eq = '\0';
			if (credential_like(optarg))
				uoms_cli_usage_error(&cli, "--set: '%s' looks "
				    "like a credential: give it with --secret "
				    "%s (sealed, read from standard input)",
				    optarg, optarg);
			for (i = 0; i < r.nset; i++)
				if (strncmp(r.set[i], optarg, eq - optarg) == 0
				    && r.set[i][eq - optarg] == '=')
					uoms_cli_usage_error(&cli, "--set: "
					    "'%s' is set twice", optarg);
			*eq = '=';
			r.set[r.nset++] = optarg;
			break;
		case OPT_SECRET:
			for (i = 0; i < r.nsecret; i++)
				if (strcmp(r.secret[i], optarg) == 0)
					uoms_cli_usage_error(&cli, "--secret: "
					    "'%s' is given twice", optarg);
			r.secret[r.nsecret++] = optarg;
			break;
		case OPT_FORCE: r.force = 1; break;
		case OPT_NEW_KEY_FILE: new_key_file = optarg; break;
		}
	}
	if (optind >= argc)
		uoms_cli_usage_error(&cli, "give a command: add, list, show, "
		    "update, enable, disable, remove, keygen or rekey");
	for (r.v = 0; r.v < NVERBS && strcmp(argv[optind], verbs[r.v]) != 0;
	    r.v++)
		;
	if (r.v == NVERBS)
		uoms_cli_usage_error(&cli, "'%s' is not add, list, show, "
		    "update, enable, disable, remove, keygen or rekey",
		    argv[optind]);
	optind++;
	if (r.v != LIST && r.v != REKEY && optind < argc)
		arg = argv[optind++];
	if ((arg == NULL && r.v != LIST && r.v != REKEY && r.v != KEYGEN) ||
	    optind < argc)
		uoms_cli_usage_error(&cli, "%s takes %s", verbs[r.v],
		    r.v == LIST || r.v == REKEY ? "no argument" : r.v == KEYGEN
		    ? "at most one FILE" : "one NAME");
	has_opts = r.c.base_url != NULL || r.c.workflow != NULL || r.nset > 0
	    || r.nsecret > 0;
	if ((r.c.kind != NULL) != (r.v == ADD))
		uoms_cli_usage_error(&cli, r.v == ADD ? "add needs --kind" :
		    "--kind goes with add only");
	if (has_opts && r.v != ADD && r.v != UPDATE)
		uoms_cli_usage_error(&cli, "--base-url, --workflow, --set and "
		    "--secret go with add and update only");
	if (r.v == UPDATE && !has_opts)
		uoms_cli_usage_error(&cli, "update needs --base-url, "
		    "--workflow, --set or --secret");
	if (r.force && r.v != REMOVE)
		uoms_cli_usage_error(&cli, "--force goes with remove only");
	if ((new_key_file != NULL) != (r.v == REKEY))
		uoms_cli_usage_error(&cli, r.v == REKEY ? "rekey needs "
		    "--new-key-file" : "--new-key-file goes with rekey only");
	r.c.name = arg;

	uoms_cli_finish(&cli);
	if (r.v == KEYGEN)
		keygen(&cli, arg);
	if (r.c.workflow != NULL && *r.c.workflow != '\0') {
		uoms_cli_workflows(&cli);
		if (uoms_workflow_get(r.c.workflow, why, sizeof why) == NULL)
			uoms_cli_usage_error(&cli, "--workflow: %s", why);
	}
	s = uoms_store_open(cli.db, r.v == LIST || r.v == SHOW ?
	    UOMS_STORE_READ : UOMS_STORE_WRITE, &cli.config, why, sizeof why);
	if (s == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", why);
	uoms_store_set_actor(s, cli.actor);
	if (uoms_actor_load(s, cli.actor, &actor, &e) != UOMS_OK)
		cannot(&e);
	if (r.v == LIST || r.v == SHOW)
		code = uoms_channel_lines(s, arg, &out, &e);
	else if ((code = allowed(s, &actor, &e)) == UOMS_OK && r.force &&
	    actor.role != UOMS_ROLE_ADMIN)
		code = uoms_fail(&e, UOMS_FORBIDDEN, "--force needs the admin "
		    "role; '%s' is not an admin", actor.name);
	if (code == UOMS_OK && (r.nsecret > 0 || r.v == REKEY) &&
	    uoms_secret_key_load(uoms_secret_key_path(&cli.config), &r.key,
	    why, sizeof why) < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", why);
	if (code == UOMS_OK && r.v == REKEY) {
		if (uoms_secret_key_file(new_key_file, &r.new_key, why,
		    sizeof why) < 0)
			uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", why);
		if (strcmp(r.key.id, r.new_key.id) == 0)
			code = uoms_fail(&e, UOMS_INVALID, "the new key is the "
			    "key in use (key id %s)", r.key.id);
	}
	for (j = 0; code == UOMS_OK && j < r.nsecret; j++) {
		if ((r.value[j] = malloc(UOMS_SECRET_MAX + 2)) == NULL)
			uoms_die(UOMS_EXIT_CANNOT, NULL, "out of memory");
		code = read_secret(arg, r.secret[j], r.value[j],
		    UOMS_SECRET_MAX + 2, &e);
	}
	if (code == UOMS_OK && r.v != LIST && r.v != SHOW)
		code = change(s, &actor, &r, &out, &e);
	for (j = 0; j < r.nsecret; j++)
		if (r.value[j] != NULL) {
			OPENSSL_cleanse(r.value[j], UOMS_SECRET_MAX + 2);
			free(r.value[j]);
		}
	OPENSSL_cleanse(&r.key, sizeof r.key);
	OPENSSL_cleanse(&r.new_key, sizeof r.new_key);
	if (code == UOMS_BUSY || code == UOMS_INTERNAL)
		cannot(&e);
	if (code != UOMS_OK)
		uoms_warn(NULL, "%s: %s", uoms_code_name(code), e.msg);
	if (out.n > 0 && uoms_out_record(out.p, out.n - 1) < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't write to standard "
		    "output");
	if (uoms_out_flush() < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't write to standard "
		    "output");
	json_decref(r.c.settings);
	free(r.set);
	free(r.secret);
	free(r.value);
	uoms_buf_free(&out);
	uoms_store_close(s);
	uoms_config_free(&cli.config);
	return code == UOMS_OK ? UOMS_EXIT_OK : UOMS_EXIT_REFUSED;
}
