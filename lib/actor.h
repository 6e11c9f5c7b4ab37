/*
 * actor: who acts, as the store knows them (SPEC 5): a registered user's
 * role and department, or a user's role for a name the store does not
 * know. Apart from user.c (which manages users and their passwords) so
 * that a tool that only needs to know who acts does not load libcrypt
 * and libcrypto at every start.
 */
#ifndef UOMS_ACTOR_H
#define UOMS_ACTOR_H

#include "store.h"
#include "workflow.h"

struct uoms_actor {
	char name[128];
	enum uoms_role role;
	char department[128];	/* "" when none */
	int registered;
};

/* Loads the actor called name. A disabled user is refused (forbidden). */
enum uoms_code uoms_actor_load(struct uoms_store *s, const char *name,
    struct uoms_actor *a, struct uoms_error *e);

/* "admin" -> UOMS_ROLE_ADMIN...; -1 when it is not a role. */
int uoms_role_parse(const char *s);
const char *uoms_role_name(enum uoms_role r);

/* How many enabled admins the store has, into *n. */
enum uoms_code uoms_actor_admins(struct uoms_store *s, long long *n,
    struct uoms_error *e);

#endif
