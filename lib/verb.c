#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "line.h"
#include "verb.h"

/* "a, b or c": the table's commands, for a message. */
static void
names(const struct uoms_verb *table, char *out, size_t size)
{
	size_t n = 0;

	out[0] = '\0';
	for (const struct uoms_verb *v = table; v->name != NULL && n < size;
	    v++)
		n += snprintf(out + n, size - n, "%s%s", v == table ? "" :
		    v[1].name == NULL ? " or " : ", ", v->name);
}

const struct uoms_verb *
uoms_verb_find(const struct uoms_cli *cli, const struct uoms_verb *table,
    const char *word)
{
	char list[300];

	names(table, list, sizeof list);
	if (word == NULL)
		uoms_cli_usage_error(cli, "no command: %s", list);
	for (const struct uoms_verb *v = table; v->name != NULL; v++)
		if (strcmp(word, v->name) == 0)
			return v;
	uoms_cli_usage_error(cli, "unknown command '%s': %s", word, list);
}

const struct uoms_verb *
uoms_verb_parse(struct uoms_cli *cli, int argc, char **argv,
    const struct option *longopts, void (*option)(const struct uoms_cli *cli,
    void *arg, int opt, char *optarg), void *arg,
    const struct uoms_verb *table)
{
	int opt;

	while ((opt = uoms_cli_getopt(argc, argv, UOMS_CLI_SHORTOPTS,
	    longopts, NULL)) != -1)
		if (!uoms_cli_option(cli, opt, optarg))
			option(cli, arg, opt, optarg);
	return uoms_verb_find(cli, table, optind < argc ? argv[optind++] :
	    NULL);
}

int
uoms_verb_run(struct uoms_cli *cli, const struct uoms_verb *v, void *arg)
{
	struct uoms_verb_ctx x = { .cli = cli, .verb = v, .arg = arg };
	struct uoms_error e = { 0 };
	char why[512];
	int status;

	if (v->store != UOMS_VERB_NO_STORE) {
		x.s = uoms_store_open(cli->db, v->store == UOMS_VERB_WRITE ?
		    UOMS_STORE_WRITE : UOMS_STORE_READ, &cli->config, why,
		    sizeof why);
		if (x.s == NULL)
			uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", why);
		uoms_store_set_actor(x.s, cli->actor);
		if (v->actor && uoms_actor_load(x.s, cli->actor, &x.actor,
		    &e) != UOMS_OK)
			uoms_die_error(NULL, &e);
	}
	status = v->run(&x);
	if (uoms_out_flush() < 0 && status == UOMS_EXIT_OK)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't write to standard "
		    "output: %s", strerror(errno));
	if (x.s != NULL)
		uoms_store_close(x.s);
	uoms_config_free(&cli->config);
	return status;
}

enum uoms_code
uoms_verb_tx(struct uoms_store *s, enum uoms_code (*fn)(struct uoms_store *s,
    void *arg, struct uoms_error *e), void *arg, struct uoms_error *e)
{
	return uoms_db_transact(s, fn, arg, e);
}

int
uoms_verb_status(const char *where, enum uoms_code code,
    struct uoms_error *e)
{
	if (code == UOMS_OK)
		return UOMS_EXIT_OK;
	e->code = code;
	if (code == UOMS_BUSY || code == UOMS_INTERNAL)
		uoms_die_error(where, e);
	uoms_warn_error(where, e);
	return UOMS_EXIT_REFUSED;
}

void
uoms_verb_print(const struct uoms_buf *out)
{
	if (out->n > 0 && fwrite(out->p, 1, out->n, stdout) != out->n)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't write to standard "
		    "output: %s", strerror(errno));
}

int
uoms_verb_done(const char *where, enum uoms_code code, struct uoms_error *e,
    struct uoms_buf *out)
{
	int status = uoms_verb_status(where, code, e);

	if (status == UOMS_EXIT_OK)
		uoms_verb_print(out);
	uoms_buf_free(out);
	return status;
}

enum uoms_code
uoms_verb_admin(struct uoms_store *s, const struct uoms_actor *a,
    const char *what, struct uoms_error *e)
{
	long long admins;
	enum uoms_code code;

	if (a->role == UOMS_ROLE_ADMIN)
		return UOMS_OK;
	if ((code = uoms_actor_admins(s, &admins, e)) != UOMS_OK)
		return code;
	if (admins == 0)
		return UOMS_OK;
	return uoms_fail(e, UOMS_FORBIDDEN, "managing %s needs the admin "
	    "role; '%s' is not an admin", what, a->name);
}
