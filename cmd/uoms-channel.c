/* uoms-channel: register channels, their settings and sealed secrets. */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "channel.h"
#include "kind.h"
#include "secret.h"
#include "verb.h"
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

enum verb {
	ADD, LIST, SHOW, UPDATE, ENABLE, DISABLE, REMOVE, KEYGEN, REKEY
};

struct req {
	enum verb v;
	struct uoms_channel c;	/* name, kind, base_url, workflow */
	char **set;			/* KEY=VALUE */
	int nset;
	char **secret, **value;		/* names, and values read */
	int nsecret;
	int force;
	const char *new_key_file;
	struct uoms_secret_key key, new_key;
	/* The change, run in the transaction by apply(): */
	enum uoms_code (*op)(struct uoms_store *s, struct req *r,
	    struct uoms_error *e);
	const struct uoms_actor *actor;
	struct uoms_buf out;	/* the channel's line, or rekey's */
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

/* The secrets given, then the channel's line as it is now. */
static enum uoms_code
secrets_and_line(struct uoms_store *s, struct req *r, struct uoms_error *e)
{
	enum uoms_code code = UOMS_OK;

	for (int i = 0; code == UOMS_OK && i < r->nsecret; i++)
		code = uoms_channel_secret_put(s, r->c.name, r->secret[i],
		    r->value[i], NULL, &r->key, e);
	if (code == UOMS_OK)
		code = uoms_channel_lines(s, r->c.name, &r->out, e);
	return code;
}

static enum uoms_code
op_add(struct uoms_store *s, struct req *r, struct uoms_error *e)
{
	enum uoms_code code;

	json_decref(r->c.settings);	/* a try before this one's */
	r->c.settings = settings(r, NULL);
	r->c.enabled = 1;
	if ((code = uoms_channel_put(s, &r->c, 1, e)) != UOMS_OK)
		return code;
	return secrets_and_line(s, r, e);
}

static enum uoms_code
op_update(struct uoms_store *s, struct req *r, struct uoms_error *e)
{
	struct uoms_channel old;
	enum uoms_code code;

	r->c.enabled = -1;
	if (r->nset > 0) {
		if ((code = uoms_channel_get(s, r->c.name, &old, e)) !=
		    UOMS_OK)
			return code;
		json_decref(r->c.settings);
		r->c.settings = settings(r, old.settings);
		uoms_channel_free(&old);
	}
	if ((code = uoms_channel_put(s, &r->c, 0, e)) != UOMS_OK)
		return code;
	return secrets_and_line(s, r, e);
}

/* enable or disable. */
static enum uoms_code
op_enable(struct uoms_store *s, struct req *r, struct uoms_error *e)
{
	enum uoms_code code;

	if ((code = uoms_channel_enable(s, r->c.name, r->v == ENABLE, e)) !=
	    UOMS_OK)
		return code;
	return secrets_and_line(s, r, e);
}

static enum uoms_code
op_remove(struct uoms_store *s, struct req *r, struct uoms_error *e)
{
	enum uoms_code code;

	/* The line as it was: what went. */
	if ((code = uoms_channel_lines(s, r->c.name, &r->out, e)) != UOMS_OK)
		return code;
	return uoms_channel_remove(s, r->c.name, r->force, e);
}

static enum uoms_code
op_rekey(struct uoms_store *s, struct req *r, struct uoms_error *e)
{
	enum uoms_code code;
	long long n;

	if ((code = uoms_channel_rekey(s, &r->key, &r->new_key, &n, e)) !=
	    UOMS_OK)
		return code;
	uoms_buf_printf(&r->out, "{\"secrets\":%lld,\"from_key_id\":\"%s\","
	    "\"to_key_id\":\"%s\"}\n", n, r->key.id, r->new_key.id);
	return UOMS_OK;
}

/* One change in its own transaction; nothing is kept when it fails. */
static enum uoms_code
apply(struct uoms_store *s, void *arg, struct uoms_error *e)
{
	struct req *r = arg;
	enum uoms_code code;

	/* Run again after a failure a new try may pass (uoms_verb_tx):
	 * the line of the last try alone. */
	uoms_buf_clear(&r->out);
	/* Asked again: an admin may have appeared since the first look. */
	if ((code = uoms_verb_admin(s, r->actor, "channels", e)) != UOMS_OK)
		return code;
	return r->op(s, r, e);
}

/* The keys a change needs: the store's, and rekey's new one. */
static enum uoms_code
load_keys(struct uoms_cli *cli, struct req *r, struct uoms_error *e)
{
	char why[512];

	if ((r->nsecret > 0 || r->v == REKEY) &&
	    uoms_secret_key_load(uoms_secret_key_path(&cli->config), &r->key,
	    why, sizeof why) < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", why);
	if (r->v != REKEY)
		return UOMS_OK;
	if (uoms_secret_key_file(r->new_key_file, &r->new_key, why,
	    sizeof why) < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", why);
	if (strcmp(r->key.id, r->new_key.id) == 0)
		return uoms_fail(e, UOMS_INVALID, "the new key is the key in "
		    "use (key id %s)", r->key.id);
	return UOMS_OK;
}

/*
 * A change: who may, the keys, the secrets' values (read before the
 * transaction: no one types while the store waits), then op in one
 * transaction.
 */
static int
change(struct uoms_verb_ctx *x)
{
	static enum uoms_code (*const ops[])(struct uoms_store *,
	    struct req *, struct uoms_error *) = {
		[ADD] = op_add, [UPDATE] = op_update, [ENABLE] = op_enable,
		[DISABLE] = op_enable, [REMOVE] = op_remove,
		[REKEY] = op_rekey
	};
	struct req *r = x->arg;
	struct uoms_error e = { 0 };
	enum uoms_code code;

	r->v = x->verb->id;
	r->op = ops[r->v];
	r->actor = &x->actor;
	if ((code = uoms_verb_admin(x->s, &x->actor, "channels", &e)) ==
	    UOMS_OK && r->force && x->actor.role != UOMS_ROLE_ADMIN)
		code = uoms_fail(&e, UOMS_FORBIDDEN, "--force needs the admin "
		    "role; '%s' is not an admin", x->actor.name);
	if (code == UOMS_OK)
		code = load_keys(x->cli, r, &e);
	for (int i = 0; code == UOMS_OK && i < r->nsecret; i++) {
		if ((r->value[i] = malloc(UOMS_SECRET_MAX + 2)) == NULL)
			uoms_die(UOMS_EXIT_CANNOT, NULL, "out of memory");
		code = read_secret(r->c.name, r->secret[i], r->value[i],
		    UOMS_SECRET_MAX + 2, &e);
	}
	if (code == UOMS_OK)
		code = uoms_verb_tx(x->s, apply, r, &e);
	for (int i = 0; i < r->nsecret; i++)
		if (r->value[i] != NULL) {
			OPENSSL_cleanse(r->value[i], UOMS_SECRET_MAX + 2);
			free(r->value[i]);
		}
	OPENSSL_cleanse(&r->key, sizeof r->key);
	OPENSSL_cleanse(&r->new_key, sizeof r->new_key);
	return uoms_verb_done(NULL, code, &e, &r->out);
}

/* list, or show NAME. */
static int
lines(struct uoms_verb_ctx *x)
{
	struct req *r = x->arg;
	struct uoms_error e = { 0 };
	struct uoms_buf out = { 0 };

	return uoms_verb_done(NULL, uoms_channel_lines(x->s, r->c.name, &out,
	    &e), &e, &out);
}

/* Makes a key file and prints its path and key id (never the key). */
static int
keygen(struct uoms_verb_ctx *x)
{
	struct req *r = x->arg;
	struct uoms_secret_key k;
	struct uoms_buf b = { 0 };
	char why[512];
	const char *path = r->c.name != NULL ? r->c.name :
	    uoms_secret_key_path(&x->cli->config);

	if (uoms_secret_keygen(path, why, sizeof why) < 0 ||
	    uoms_secret_key_file(path, &k, why, sizeof why) < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", why);
	OPENSSL_cleanse(k.key, sizeof k.key);
	uoms_buf_str(&b, "{\"key_file\":");
	uoms_buf_json_string(&b, path, strlen(path));
	uoms_buf_printf(&b, ",\"key_id\":\"%s\"}\n", k.id);
	uoms_verb_print(&b);
	uoms_buf_free(&b);
	return UOMS_EXIT_OK;
}

static const struct uoms_verb verbs[] = {
	{ "add", change, UOMS_VERB_WRITE, 1, ADD },
	{ "list", lines, UOMS_VERB_READ, 1, LIST },
	{ "show", lines, UOMS_VERB_READ, 1, SHOW },
	{ "update", change, UOMS_VERB_WRITE, 1, UPDATE },
	{ "enable", change, UOMS_VERB_WRITE, 1, ENABLE },
	{ "disable", change, UOMS_VERB_WRITE, 1, DISABLE },
	{ "remove", change, UOMS_VERB_WRITE, 1, REMOVE },
	{ "keygen", keygen, UOMS_VERB_NO_STORE, 0, KEYGEN },
	{ "rekey", change, UOMS_VERB_WRITE, 1, REKEY },
	{ NULL, NULL, 0, 0, 0 }
};

static void
option(const struct uoms_cli *cli, void *req, int opt, char *arg)
{
	struct req *r = req;
	char *eq;

	switch (opt) {
	case OPT_KIND:
		if (!uoms_channel_kind_known(arg))
			uoms_cli_usage_error(cli, "--kind: '%s' is not demo, "
			    "http-jsonl, coupang, naver, shopify or "
			    "woocommerce", arg);
		r->c.kind = arg;
		break;
	case OPT_BASE_URL: r->c.base_url = arg; break;
	case OPT_WORKFLOW: r->c.workflow = arg; break;
	case OPT_SET:
		if ((eq = strchr(arg, '=')) == NULL || eq == arg)
			uoms_cli_usage_error(cli, "--set '%s' is not "
			    "KEY=VALUE", arg);
		*eq = '\0';
		if (uoms_channel_credential_like(arg))
			uoms_cli_usage_error(cli, "--set: '%s' looks like a "
			    "credential: give it with --secret %s (sealed, "
			    "read from standard input)", arg, arg);
		for (int i = 0; i < r->nset; i++)
			if (strncmp(r->set[i], arg, eq - arg) == 0 &&
			    r->set[i][eq - arg] == '=')
				uoms_cli_usage_error(cli, "--set: '%s' is set "
				    "twice", arg);
		*eq = '=';
		r->set[r->nset++] = arg;
		break;
	case OPT_SECRET:
		for (int i = 0; i < r->nsecret; i++)
			if (strcmp(r->secret[i], arg) == 0)
				uoms_cli_usage_error(cli, "--secret: '%s' is "
				    "given twice", arg);
		r->secret[r->nsecret++] = arg;
		break;
	case OPT_FORCE: r->force = 1; break;
	case OPT_NEW_KEY_FILE: r->new_key_file = arg; break;
	}
}

/* The words and options command v takes; more is a usage error. */
static void
check(const struct uoms_cli *cli, const struct uoms_verb *v,
    const struct req *r, int more)
{
	int none = v->id == LIST || v->id == REKEY;
	int has_opts = r->c.base_url != NULL || r->c.workflow != NULL ||
	    r->nset > 0 || r->nsecret > 0;

	if ((r->c.name == NULL && !none && v->id != KEYGEN) || more)
		uoms_cli_usage_error(cli, "%s takes %s", v->name, none ?
		    "no argument" : v->id == KEYGEN ? "at most one FILE" :
		    "one NAME");
	if ((r->c.kind != NULL) != (v->id == ADD))
		uoms_cli_usage_error(cli, v->id == ADD ? "add needs --kind" :
		    "--kind goes with add only");
	if (has_opts && v->id != ADD && v->id != UPDATE)
		uoms_cli_usage_error(cli, "--base-url, --workflow, --set and "
		    "--secret go with add and update only");
	if (v->id == UPDATE && !has_opts)
		uoms_cli_usage_error(cli, "update needs --base-url, "
		    "--workflow, --set or --secret");
	if (r->force && v->id != REMOVE)
		uoms_cli_usage_error(cli, "--force goes with remove only");
	if ((r->new_key_file != NULL) != (v->id == REKEY))
		uoms_cli_usage_error(cli, v->id == REKEY ? "rekey needs "
		    "--new-key-file" : "--new-key-file goes with rekey only");
}

int
main(int argc, char **argv)
{
	struct uoms_cli cli;
	struct req r = { 0 };
	const struct uoms_verb *v;
	char why[512];
	int status;

	uoms_cli_init(&cli, argv[0], usage);
	r.set = calloc(argc, sizeof *r.set);
	r.secret = calloc(argc, sizeof *r.secret);
	r.value = calloc(argc, sizeof *r.value);
	if (r.set == NULL || r.secret == NULL || r.value == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "out of memory");
	v = uoms_verb_parse(&cli, argc, argv, longopts, option, &r, verbs);
	if (v->id != LIST && v->id != REKEY && optind < argc)
		r.c.name = argv[optind++];
	check(&cli, v, &r, optind < argc);
	uoms_cli_finish(&cli);
	if (r.c.workflow != NULL && *r.c.workflow != '\0') {
		uoms_cli_workflows(&cli);
		if (uoms_workflow_get(r.c.workflow, why, sizeof why) == NULL)
			uoms_cli_usage_error(&cli, "--workflow: %s", why);
	}
	status = uoms_verb_run(&cli, v, &r);
	json_decref(r.c.settings);
	free(r.set);
	free(r.secret);
	free(r.value);
	return status;
}
