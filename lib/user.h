/*
 * user: who acts, and with which role (SPEC 5). Users live in the store
 * with a role (admin or user), a department and a bcrypt password hash
 * (libxcrypt; the password itself is never stored or printed). On the
 * command line an actor that is not registered acts as a user: on one
 * machine the store file's permissions are the security boundary, and
 * roles guard against mistakes.
 */
#ifndef UOMS_USER_H
#define UOMS_USER_H

#include "actor.h"
#include "buf.h"
#include "store.h"

/*
 * The bcrypt cost new password hashes are made with: $UOMS_PASSWORD_COST
 * when set (4 to 31; the tests lower it, each step halves the time),
 * else 12. -1 with e filled (invalid) when the variable is not a cost.
 */
int uoms_user_password_cost(struct uoms_error *e);

/* Adds a user; password may be NULL (no login until set). Refuses a
 * name already taken (invalid). */
enum uoms_code uoms_user_add(struct uoms_store *s, const char *name,
    enum uoms_role role, const char *department, const char *password,
    struct uoms_error *e);
enum uoms_code uoms_user_passwd(struct uoms_store *s, const char *name,
    const char *password, struct uoms_error *e);
/* role < 0 and department NULL leave those as they are; department ""
 * clears it. */
enum uoms_code uoms_user_set(struct uoms_store *s, const char *name,
    int role, const char *department, struct uoms_error *e);
/* Disables a user and releases every lock it holds (lock_broken events,
 * by the store's actor). */
enum uoms_code uoms_user_disable(struct uoms_store *s, const char *name,
    struct uoms_error *e);
/* *ok is 1 when password is the user's (constant time); a disabled or
 * unknown user never matches. */
enum uoms_code uoms_user_verify(struct uoms_store *s, const char *name,
    const char *password, int *ok, struct uoms_error *e);
/* Appends one JSON line per user (no hash, only whether one is set);
 * only the user called name when name is not NULL. */
enum uoms_code uoms_user_list(struct uoms_store *s, const char *name,
    struct uoms_buf *out, struct uoms_error *e);

#endif
