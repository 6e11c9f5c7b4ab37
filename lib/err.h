/*
 * err: every diagnostic uoms prints, in one shape:
 *   uoms-TOOL: WHERE: CODE: WHAT
 * plus the exit statuses and error codes of the contract (SPEC 3.3, 3.4).
 */
#ifndef UOMS_ERR_H
#define UOMS_ERR_H

#include <stdarg.h>

/* Exit status shared by every tool. */
enum {
	UOMS_EXIT_OK = 0,	/* every line succeeded */
	UOMS_EXIT_REFUSED = 1,	/* at least one line refused, the rest applied */
	UOMS_EXIT_USAGE = 2,	/* bad command line */
	UOMS_EXIT_CANNOT = 3	/* store, config, network, permission */
};

/* Stable refusal codes (SPEC 3.3); UOMS_OK means no refusal. */
enum uoms_code {
	UOMS_OK = 0,
	UOMS_INVALID,
	UOMS_NOT_FOUND,
	UOMS_VERSION_CONFLICT,
	UOMS_PRECONDITION_REQUIRED,
	UOMS_LOCKED,
	UOMS_INVALID_TRANSITION,
	UOMS_ON_HOLD,
	UOMS_FORBIDDEN,
	UOMS_IDEMPOTENCY_MISMATCH,
	UOMS_IDEMPOTENCY_IN_PROGRESS,
	UOMS_BUSY,
	/* Cannot run (a full disk, a damaged store, out of memory): not
	 * a refusal, no code of the contract; the message says the cause. */
	UOMS_INTERNAL
};

/* The code's stable name ("invalid", "version_conflict", ...). Static. */
const char *uoms_code_name(enum uoms_code code);
/* The HTTP status the code maps to. */
int uoms_code_http(enum uoms_code code);

/* Sets the program name used as the prefix of every message (borrowed). */
void uoms_err_setprog(const char *name);
const char *uoms_err_prog(void);

/* Prints "prog: where: what\n" to stderr, one line: control characters
 * in where and what come out escaped (\n, \xHH). where may be NULL. */
void uoms_warn(const char *where, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Same, then exits with status (a cannot-run condition). */
void uoms_die(int status, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));

struct uoms_error;

/*
 * Prints e: "prog: where: CODE: WHAT" for a code of the contract (a
 * refusal, busy), "prog: where: WHAT" for UOMS_INTERNAL, which is no code
 * of the contract: its message names the cause ("disk full: ...", "out of
 * memory", "store is damaged ..."). where may be NULL.
 */
void uoms_warn_error(const char *where, const struct uoms_error *e);
/* Same, then exits UOMS_EXIT_CANNOT. */
void uoms_die_error(const char *where, const struct uoms_error *e)
	__attribute__((noreturn));

/*
 * A refusal being built up: its code and a one-line message. Functions
 * that can refuse fill one and return its code.
 */
struct uoms_error {
	enum uoms_code code;
	char msg[512];
	long long current_version;	/* for UOMS_VERSION_CONFLICT, else 0 */
	/* More members for the error object, as JSON text without braces:
	 * "current_version":3 or "owner":"kim","lock_type":"STATUS",... */
	char detail[256];
};

/* Sets code and message; returns code so callers can "return uoms_fail(...)". */
enum uoms_code uoms_fail(struct uoms_error *e, enum uoms_code code,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
