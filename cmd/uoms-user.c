/* uoms-user: users, roles, departments and passwords. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "user.h"
#include "verb.h"

static const char usage[] =
"usage: uoms-user [-d DB] [-c CONFIG] [--actor NAME] add NAME "
"[--role admin|user] [--department D] [--password-stdin]\n"
"       uoms-user [-d DB] [-c CONFIG] [--actor NAME] passwd NAME "
"[--password-stdin]\n"
"       uoms-user [-d DB] [-c CONFIG] [--actor NAME] set NAME [--role R] "
"[--department D]\n"
"       uoms-user [-d DB] [-c CONFIG] [--actor NAME] disable NAME\n"
"       uoms-user [-d DB] [-c CONFIG] [--actor NAME] list\n";

enum { OPT_ROLE = UOMS_OPT_TOOL, OPT_DEPARTMENT, OPT_PASSWORD_STDIN };

static const struct option longopts[] = {
	UOMS_CLI_LONGOPTS,
	{ "role", required_argument, NULL, OPT_ROLE },
	{ "department", required_argument, NULL, OPT_DEPARTMENT },
	{ "password-stdin", no_argument, NULL, OPT_PASSWORD_STDIN },
	{ NULL, 0, NULL, 0 }
};

#define PASSWORD_MAX 256

/*
 * The password for name into pw: one line of standard input, or asked
 * twice on the terminal. *none is set when there is none to set (add
 * with an empty answer, or not on a terminal).
 */
static enum uoms_code
get_password(int add, const char *name, int from_stdin, char *pw,
    int *none, struct uoms_error *e)
{
	char again[PASSWORD_MAX], text[200];
	int n, same;

	*none = 0;
	if (from_stdin) {
		if ((n = uoms_cli_read_line(pw, PASSWORD_MAX)) == -1)
			return uoms_fail(e, UOMS_INVALID, "no password on "
			    "standard input");
		if (n == -2)
			return uoms_fail(e, UOMS_INVALID, "password is longer "
			    "than 72 bytes (bcrypt's limit)");
		return UOMS_OK;
	}
	if (!isatty(0)) {
		*none = 1;
		return UOMS_OK;
	}
	snprintf(text, sizeof text, "Password for '%s'%s: ", name,
	    add ? " (empty for none)" : "");
	if ((n = uoms_cli_prompt_hidden(text, pw, PASSWORD_MAX)) < 0)
		return uoms_fail(e, UOMS_INVALID, "no password given");
	if (n == 0 && add) {
		*none = 1;
		return UOMS_OK;
	}
	n = uoms_cli_prompt_hidden("Again: ", again, sizeof again);
	same = n >= 0 && strcmp(pw, again) == 0;
	explicit_bzero(again, sizeof again);
	return same ? UOMS_OK : uoms_fail(e, UOMS_INVALID, "the passwords do "
	    "not match");
}

struct req {
	const char *name, *dept;
	int role, from_stdin;
	char pw[PASSWORD_MAX];
	int none;		/* no password to set */
	/* The change, run in the transaction by apply(): */
	enum uoms_code (*op)(struct uoms_store *s, const struct req *r,
	    struct uoms_error *e);
	const struct uoms_actor *actor;
	struct uoms_buf out;	/* the user's line */
};

static enum uoms_code
op_add(struct uoms_store *s, const struct req *r, struct uoms_error *e)
{
	return uoms_user_add(s, r->name, r->role < 0 ? UOMS_ROLE_USER :
	    r->role, r->dept, r->none ? NULL : r->pw, e);
}

static enum uoms_code
op_passwd(struct uoms_store *s, const struct req *r, struct uoms_error *e)
{
	return uoms_user_passwd(s, r->name, r->none ? NULL : r->pw, e);
}

static enum uoms_code
op_set(struct uoms_store *s, const struct req *r, struct uoms_error *e)
{
	return uoms_user_set(s, r->name, r->role, r->dept, e);
}

static enum uoms_code
op_disable(struct uoms_store *s, const struct req *r, struct uoms_error *e)
{
	return uoms_user_disable(s, r->name, e);
}

/* The change and the user's line, in one transaction. */
static enum uoms_code
apply(struct uoms_store *s, void *arg, struct uoms_error *e)
{
	struct req *r = arg;
	enum uoms_code code;

	/* Run again after a failure a new try may pass (uoms_verb_tx):
	 * the line of the last try alone. */
	uoms_buf_clear(&r->out);
	/* Asked again: an admin may have appeared since the first look. */
	if ((code = uoms_verb_admin(s, r->actor, "users", e)) != UOMS_OK ||
	    (code = r->op(s, r, e)) != UOMS_OK)
		return code;
	return uoms_user_list(s, r->name, &r->out, e);
}

enum verb { ADD, PASSWD, SET, DISABLE, LIST };

static enum uoms_code (*const ops[])(struct uoms_store *, const struct req *,
    struct uoms_error *) = {
	[ADD] = op_add, [PASSWD] = op_passwd, [SET] = op_set,
	[DISABLE] = op_disable
};

/* add, passwd, set or disable. */
static int
change(struct uoms_verb_ctx *x)
{
	struct req *r = x->arg;
	struct uoms_error e = { 0 };
	enum uoms_code code;
	int v = x->verb->id;

	r->op = ops[v];
	r->actor = &x->actor;
	/* Asked before the password is, so no one types it in vain. */
	code = uoms_verb_admin(x->s, &x->actor, "users", &e);
	if (code == UOMS_OK && (v == ADD || v == PASSWD))
		code = get_password(v == ADD, r->name, r->from_stdin, r->pw,
		    &r->none, &e);
	if (code == UOMS_OK)
		code = uoms_verb_tx(x->s, apply, r, &e);
	explicit_bzero(r->pw, sizeof r->pw);
	return uoms_verb_done(NULL, code, &e, &r->out);
}

static int
list(struct uoms_verb_ctx *x)
{
	struct uoms_error e = { 0 };
	struct uoms_buf out = { 0 };
	enum uoms_code code;

	if ((code = uoms_verb_admin(x->s, &x->actor, "users", &e)) == UOMS_OK)
		code = uoms_user_list(x->s, NULL, &out, &e);
	return uoms_verb_done(NULL, code, &e, &out);
}

static const struct uoms_verb verbs[] = {
	{ "add", change, UOMS_VERB_WRITE, 1, ADD },
	{ "passwd", change, UOMS_VERB_WRITE, 1, PASSWD },
	{ "set", change, UOMS_VERB_WRITE, 1, SET },
	{ "disable", change, UOMS_VERB_WRITE, 1, DISABLE },
	{ "list", list, UOMS_VERB_READ, 1, LIST },
	{ NULL, NULL, 0, 0, 0 }
};

static void
option(const struct uoms_cli *cli, void *req, int opt, char *arg)
{
	struct req *r = req;

	switch (opt) {
	case OPT_ROLE:
		if ((r->role = uoms_role_parse(arg)) < 0)
			uoms_cli_usage_error(cli, "--role: '%s' is not admin "
			    "or user", arg);
		break;
	case OPT_DEPARTMENT: r->dept = arg; break;
	case OPT_PASSWORD_STDIN: r->from_stdin = 1; break;
	}
}

/* The words and options command v takes; more is a usage error. */
static void
check(const struct uoms_cli *cli, const struct uoms_verb *v,
    const struct req *r, int more)
{
	if ((v->id != LIST && r->name == NULL) || more)
		uoms_cli_usage_error(cli, "%s takes %s", v->name,
		    v->id == LIST ? "no argument" : "one NAME");
	if ((r->role >= 0 || r->dept != NULL) && v->id != ADD &&
	    v->id != SET)
		uoms_cli_usage_error(cli, "--role and --department go with "
		    "add and set only");
	if (r->from_stdin && v->id != ADD && v->id != PASSWD)
		uoms_cli_usage_error(cli, "--password-stdin goes with add "
		    "and passwd only");
	if (v->id == SET && r->role < 0 && r->dept == NULL)
		uoms_cli_usage_error(cli, "set needs --role or --department");
	if (v->id == PASSWD && !r->from_stdin && !isatty(0))
		uoms_cli_usage_error(cli, "passwd reads the password from a "
		    "terminal, or with --password-stdin from standard input");
}

int
main(int argc, char **argv)
{
	struct uoms_cli cli;
	struct req r = { .role = -1, .none = 1 };
	const struct uoms_verb *v;

	uoms_cli_init(&cli, argv[0], usage);
	v = uoms_verb_parse(&cli, argc, argv, longopts, option, &r, verbs);
	if (v->id != LIST && optind < argc)
		r.name = argv[optind++];
	check(&cli, v, &r, optind < argc);
	uoms_cli_finish(&cli);
	return uoms_verb_run(&cli, v, &r);
}
