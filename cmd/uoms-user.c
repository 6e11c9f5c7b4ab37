/* uoms-user: users, roles, departments and passwords. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "line.h"
#include "user.h"

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

enum verb { ADD, PASSWD, SET, DISABLE, LIST, NVERBS };
static const char *const verbs[NVERBS] = {
	"add", "passwd", "set", "disable", "list"
};

#define PASSWORD_MAX 256

/*
 * The password for name into pw: one line of standard input, or asked
 * twice on the terminal. *none is set when there is none to set (add
 * with an empty answer, or not on a terminal).
 */
static enum uoms_code
get_password(enum verb v, const char *name, int from_stdin, char *pw,
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
	    v == ADD ? " (empty for none)" : "");
	if ((n = uoms_cli_prompt_hidden(text, pw, PASSWORD_MAX)) < 0)
		return uoms_fail(e, UOMS_INVALID, "no password given");
	if (n == 0 && v == ADD) {
		*none = 1;
		return UOMS_OK;
	}
	n = uoms_cli_prompt_hidden("Again: ", again, sizeof again);
	same = n >= 0 && strcmp(pw, again) == 0;
	explicit_bzero(again, sizeof again);
	return same ? UOMS_OK : uoms_fail(e, UOMS_INVALID, "the passwords do "
	    "not match");
}

static void
stdout_failed(void)
{
	uoms_die(UOMS_EXIT_CANNOT, NULL, "can't write to standard output");
}

static void
cannot(const struct uoms_error *e)
{
	uoms_die_error(NULL, e);
}

/*
 * On one machine the store file's permissions are the security boundary;
 * this only keeps a user from managing users by mistake. Until the store
 * has an admin, anyone may (so the first one can be added).
 */
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
	return uoms_fail(e, UOMS_FORBIDDEN, "managing users needs the admin "
	    "role; '%s' is not an admin", a->name);
}

/* One change in its own transaction; the user's line goes to out. */
static enum uoms_code
change(struct uoms_store *s, const struct uoms_actor *a, enum verb v,
    const char *name, int role, const char *dept, const char *pw,
    struct uoms_buf *out, struct uoms_error *e)
{
	enum uoms_code code;

	if ((code = uoms_store_begin(s, e)) != UOMS_OK)
		return code;
	/* Asked again: an admin may have appeared since the first look. */
	if ((code = allowed(s, a, e)) == UOMS_OK) {
		switch (v) {
		case ADD:
			code = uoms_user_add(s, name, role < 0 ?
			    UOMS_ROLE_USER : role, dept, pw, e);
			break;
		case PASSWD:
			code = uoms_user_passwd(s, name, pw, e);
			break;
		case SET:
			code = uoms_user_set(s, name, role, dept, e);
			break;
		default:
			code = uoms_user_disable(s, name, e);
		}
	}
	if (code != UOMS_OK) {
		uoms_store_rollback(s);
		return code;
	}
	if (uoms_user_list(s, name, out, e) != UOMS_OK)
		cannot(e);
	return uoms_store_commit(s, e);
}

int
main(int argc, char **argv)
{
	struct uoms_cli cli;
	struct uoms_store *s;
	struct uoms_actor actor;
	struct uoms_error e = { 0 };
	struct uoms_buf out = { 0 };
	const char *name = NULL, *dept = NULL;
	char why[512], pw[PASSWORD_MAX] = "";
	int opt, role = -1, from_stdin = 0, none = 1;
	enum uoms_code code = UOMS_OK;
	enum verb v;

	uoms_cli_init(&cli, argv[0], usage);
	while ((opt = uoms_cli_getopt(argc, argv, UOMS_CLI_SHORTOPTS,
	    longopts, NULL)) != -1) {
		if (uoms_cli_option(&cli, opt, optarg))
			continue;
		switch (opt) {
		case OPT_ROLE:
			if ((role = uoms_role_parse(optarg)) < 0)
				uoms_cli_usage_error(&cli, "--role: '%s' is "
				    "not admin or user", optarg);
			break;
		case OPT_DEPARTMENT: dept = optarg; break;
		case OPT_PASSWORD_STDIN: from_stdin = 1; break;
		}
	}
	if (optind >= argc)
		uoms_cli_usage_error(&cli, "give a command: add, passwd, set, "
		    "disable or list");
	for (v = 0; v < NVERBS && strcmp(argv[optind], verbs[v]) != 0; v++)
		;
	if (v == NVERBS)
		uoms_cli_usage_error(&cli, "'%s' is not add, passwd, set, "
		    "disable or list", argv[optind]);
	optind++;
	if (v != LIST && optind < argc)
		name = argv[optind++];
	if ((v != LIST && name == NULL) || optind < argc)
		uoms_cli_usage_error(&cli, "%s takes %s", verbs[v],
		    v == LIST ? "no argument" : "one NAME");
	if ((role >= 0 || dept != NULL) && v != ADD && v != SET)
		uoms_cli_usage_error(&cli, "--role and --department go with "
		    "add and set only");
	if (from_stdin && v != ADD && v != PASSWD)
		uoms_cli_usage_error(&cli, "--password-stdin goes with add "
		    "and passwd only");
	if (v == SET && role < 0 && dept == NULL)
		uoms_cli_usage_error(&cli, "set needs --role or --department");
	if (v == PASSWD && !from_stdin && !isatty(0))
		uoms_cli_usage_error(&cli, "passwd reads the password from a "
		    "terminal, or with --password-stdin from standard input");

	uoms_cli_finish(&cli);
	s = uoms_store_open(cli.db, v == LIST ? UOMS_STORE_READ :
	    UOMS_STORE_WRITE, &cli.config, why, sizeof why);
	if (s == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", why);
	uoms_store_set_actor(s, cli.actor);
	if (uoms_actor_load(s, cli.actor, &actor, &e) != UOMS_OK)
		cannot(&e);
	/* Asked before the password is, so no one types it in vain. */
	code = allowed(s, &actor, &e);
	if (code == UOMS_OK && (v == ADD || v == PASSWD))
		code = get_password(v, name, from_stdin, pw, &none, &e);
	if (code == UOMS_OK && v == LIST)
		code = uoms_user_list(s, NULL, &out, &e);
	else if (code == UOMS_OK)
		code = change(s, &actor, v, name, role, dept, none ? NULL : pw,
		    &out, &e);
	explicit_bzero(pw, sizeof pw);
	if (code == UOMS_BUSY || code == UOMS_INTERNAL)
		cannot(&e);
	if (code != UOMS_OK)
		uoms_warn(NULL, "%s: %s", uoms_code_name(code), e.msg);
	if (out.n > 0 && uoms_out_record(out.p, out.n - 1) < 0)
		stdout_failed();
	if (uoms_out_flush() < 0)
		stdout_failed();
	uoms_buf_free(&out);
	uoms_store_close(s);
	uoms_config_free(&cli.config);
	return code == UOMS_OK ? UOMS_EXIT_OK : UOMS_EXIT_REFUSED;
}
