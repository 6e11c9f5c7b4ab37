#include <stdio.h>
#include <string.h>

#include "actor.h"
#include "db.h"

int
uoms_role_parse(const char *s)
{
	if (strcmp(s, "admin") == 0)
		return UOMS_ROLE_ADMIN;
	if (strcmp(s, "user") == 0)
		return UOMS_ROLE_USER;
	return -1;
}

const char *
uoms_role_name(enum uoms_role r)
{
	return r == UOMS_ROLE_ADMIN ? "admin" : "user";
}

enum uoms_code
uoms_actor_load(struct uoms_store *s, const char *name, struct uoms_actor *a,
    struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_USER_ACTOR);
	enum uoms_db_step rc;

	memset(a, 0, sizeof *a);
	snprintf(a->name, sizeof a->name, "%s", name);
	if (st == NULL)
		return uoms_db_fail(s, e, "reading users");
	uoms_db_bind_text(st, 1, name);
	rc = uoms_db_step(st);
	if (rc == UOMS_DB_ROW) {
		a->registered = 1;
		a->role = uoms_role_parse(uoms_db_text(st, 0)) ==
		    UOMS_ROLE_ADMIN ? UOMS_ROLE_ADMIN : UOMS_ROLE_USER;
		/* Null unless the department is text (the statement says). */
		if (!uoms_db_is_null(st, 1))
			snprintf(a->department, sizeof a->department, "%s",
			    uoms_db_text(st, 1));
		if (uoms_db_int(st, 2)) {
			uoms_db_done(st);
			return uoms_fail(e, UOMS_FORBIDDEN, "user '%s' is "
			    "disabled", name);
		}
	} else if (rc != UOMS_DB_DONE) {
		uoms_db_done(st);
		return uoms_db_fail(s, e, "reading users");
	}
	uoms_db_done(st);
	return UOMS_OK;
}

enum uoms_code
uoms_actor_admins(struct uoms_store *s, long long *n, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_USER_ADMINS);
	enum uoms_db_step rc;

	if (st == NULL)
		return uoms_db_fail(s, e, "counting admins");
	rc = uoms_db_step(st);
	*n = uoms_db_int(st, 0);
	uoms_db_done(st);
	return rc == UOMS_DB_ROW ? UOMS_OK : uoms_db_fail(s, e,
	    "counting admins");
}
