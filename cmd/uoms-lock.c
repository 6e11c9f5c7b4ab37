/* uoms-lock: take, renew, release, list and clean up locks; run under them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "change.h"
#include "lockrun.h"
#include "verb.h"

static const char usage[] =
"usage: uoms-lock [-d DB] [-c CONFIG] [--actor NAME] acquire --type TYPE "
"[--ttl SECONDS] [--wait SECONDS] REF...\n"
"       uoms-lock [-d DB] [-c CONFIG] [--actor NAME] renew|release "
"--type TYPE REF...\n"
"       uoms-lock [-d DB] [-c CONFIG] [--actor NAME] release --force "
"--type TYPE REF...\n"
"       uoms-lock [-d DB] [-c CONFIG] [--actor NAME] list [--all]\n"
"       uoms-lock [-d DB] [-c CONFIG] [--actor NAME] cleanup\n"
"       uoms-lock [-d DB] [-c CONFIG] [--actor NAME] run --type TYPE "
"[--ttl SECONDS] [--wait SECONDS] REF... -- COMMAND [ARG...]\n";

enum { OPT_TYPE = UOMS_OPT_TOOL, OPT_TTL, OPT_WAIT, OPT_ALL, OPT_FORCE };

static const struct option longopts[] = {
	UOMS_CLI_LONGOPTS,
	{ "type", required_argument, NULL, OPT_TYPE },
	{ "ttl", required_argument, NULL, OPT_TTL },
	{ "wait", required_argument, NULL, OPT_WAIT },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ NULL, 0, NULL, 0 }
};

#define WAIT_STEP_MS 200

struct lk {
	struct uoms_cli cli;
	struct uoms_store *s;
	const struct uoms_actor *actor;
	enum uoms_lock_type type;
	int force;		/* release: break another's lock (admin) */
	int all;		/* list: everyone's locks */
	long long ttl, wait;
	int n;			/* references */
	char **refs;		/* as given, for messages */
	long long *ids;		/* the orders they name */
	char (*expires)[UOMS_TIME_MS_SIZE];
	struct uoms_error *errs;
	char **cmd;		/* run's command */
	int renew;		/* renew_release: renew (else release) */
	int refused;		/* renew_release: how many */
	int printed;		/* renew_release: a command's, not run's */
	int lost;		/* under run: a renewal found a lock gone */
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int
store_failed(enum uoms_code code)
{
	return code == UOMS_BUSY || code == UOMS_INTERNAL;
}

/* Prints the locks taken or renewed. */
static void
put_locks(const struct lk *l)
{
	struct uoms_buf b = { 0 };
	int any = 0;

	for (int i = 0; i < l->n; i++) {
		if (l->errs[i].code != UOMS_OK)
			continue;
		any = 1;
		uoms_buf_printf(&b, "{\"order_id\":%lld,\"lock_type\":\"%s\","
		    "\"owner\":", l->ids[i], uoms_lock_name(l->type));
		uoms_buf_json_string(&b, l->cli.actor, strlen(l->cli.actor));
		uoms_buf_printf(&b, ",\"expires_at\":\"%s\"}\n",
		    l->expires[i]);
	}
	if (any && b.p == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "out of memory");
	uoms_verb_print(&b);
	uoms_buf_free(&b);
}

/* Resolves reference i into l->ids[i]; a refusal goes to l->errs[i]. */
static enum uoms_code
resolve(struct lk *l, int i)
{
	struct uoms_ref ref;
	struct uoms_target t;
	char arg[512], why[600];
	enum uoms_code code;

	snprintf(arg, sizeof arg, "%s", l->refs[i]);
	if (uoms_ref_from_arg(arg, &ref, why, sizeof why) < 0)
		return uoms_fail(&l->errs[i], UOMS_INVALID, "%s", why);
	if ((code = uoms_change_target(l->s, &ref, &t, &l->errs[i])) ==
	    UOMS_OK)
		l->ids[i] = t.id;
	return code;
}

/*
 * Takes every lock, in the transaction: UOMS_OK, UOMS_LOCKED when only
 * locks stood in the way, or another refusal; l->errs says which
 * references were refused. A store failure is copied to e.
 */
static enum uoms_code
acquire_all(struct uoms_store *s, void *arg, struct uoms_error *e)
{
	struct lk *l = arg;
	enum uoms_code code, worst = UOMS_OK;

	for (int i = 0; i < l->n; i++) {
		memset(&l->errs[i], 0, sizeof l->errs[i]);
		if ((code = resolve(l, i)) == UOMS_OK)
			code = uoms_lock_acquire(s, l->ids[i], l->type,
			    l->cli.actor, l->ttl, l->expires[i], &l->errs[i]);
		if (store_failed(code)) {
			*e = l->errs[i];
			return code;
		}
		if (code != UOMS_OK && (worst == UOMS_OK ||
		    worst == UOMS_LOCKED))
			worst = code;
	}
	return worst;
}

/* Takes every lock or none, waiting up to l->wait seconds for them. */
static int
acquire(struct lk *l)
{
	long long deadline = now_ms() + l->wait * 1000;
	struct timespec step = { 0, WAIT_STEP_MS * 1000000L };
	struct uoms_error e = { 0 };
	enum uoms_code code;

	while ((code = uoms_verb_tx(l->s, acquire_all, l, &e)) ==
	    UOMS_LOCKED && now_ms() < deadline)
		nanosleep(&step, NULL);
	if (store_failed(code))
		uoms_die_error(NULL, &e);
	if (code == UOMS_OK)
		return 0;
	for (int i = 0; i < l->n; i++)
		if (l->errs[i].code != UOMS_OK)
			uoms_warn(NULL, "order %s: %s: %s", l->refs[i],
			    uoms_code_name(l->errs[i].code), l->errs[i].msg);
	return -1;
}

/*
 * Renews (l->renew) or releases every lock, each on its own, in the
 * transaction; l->errs keeps the refusals, said once it is over (it may
 * run again: uoms_verb_tx). A store failure is copied to e.
 */
static enum uoms_code
renew_release_all(struct uoms_store *s, void *arg, struct uoms_error *e)
{
	struct lk *l = arg;
	enum uoms_code code;

	for (int i = 0; i < l->n; i++) {
		memset(&l->errs[i], 0, sizeof l->errs[i]);
		if ((code = resolve(l, i)) == UOMS_OK && l->renew)
			code = uoms_lock_renew(s, l->ids[i], l->type,
			    l->cli.actor, l->ttl, l->expires[i], &l->errs[i]);
		else if (code == UOMS_OK && l->force &&
		    l->actor->role != UOMS_ROLE_ADMIN)
			code = uoms_fail(&l->errs[i], UOMS_FORBIDDEN, "--force "
			    "needs the admin role; '%s' is a user",
			    l->actor->name);
		else if (code == UOMS_OK)
			code = uoms_lock_release(s, l->ids[i], l->type,
			    l->cli.actor, l->force, &l->errs[i]);
		if (store_failed(code)) {
			*e = l->errs[i];
			return code;
		}
		l->errs[i].code = code;
	}
	return UOMS_OK;
}

/* Says the refusals of renew_release_all and counts them. */
static void
renew_release_refused(struct lk *l)
{
	for (int i = 0; i < l->n; i++) {
		enum uoms_code code = l->errs[i].code;

		if (code == UOMS_OK)
			continue;
		l->refused++;
		/* Once run has lost a lock, its release finds it gone. */
		if (!(l->lost && !l->renew))
			uoms_warn(NULL, "order %s: %s: %s%s", l->refs[i],
			    uoms_code_name(code), l->errs[i].msg, l->printed ?
			    "" : l->renew ? "; stopping the command" : "");
	}
}

/*
 * Renews (renew set) or releases every lock. For the renew and release
 * commands (l->printed set) a store failure exits 3 and renewed locks are
 * printed; under run it is only a warning, as the command goes on.
 * Returns how many were refused, or -1 when the store failed (under run).
 */
static int
renew_release(struct lk *l, int renew)
{
	struct uoms_error e = { 0 };
	enum uoms_code code;

	l->renew = renew;
	l->refused = 0;
	if ((code = uoms_verb_tx(l->s, renew_release_all, l, &e)) != UOMS_OK) {
		if (l->printed)
			uoms_die_error(NULL, &e);
		uoms_warn_error(NULL, &e);
		return -1;
	}
	renew_release_refused(l);
	if (l->printed && renew)
		put_locks(l);
	return l->refused;
}

/*
 * run's renewal. A lock not renewed because it expired or changed hands is
 * lost: the command must stop, not go on unprotected (nor take the lock
 * again: another actor may have changed the order while it was gone).
 */
static enum uoms_lockrun_renewal
renew_all(void *arg)
{
	struct lk *l = arg;
	int refused = renew_release(l, 1);

	if (refused < 0)
		return UOMS_LOCKRUN_FAILED;
	if (refused > 0) {
		l->lost = 1;
		return UOMS_LOCKRUN_LOST;
	}
	return UOMS_LOCKRUN_KEPT;
}

/*
 * The command works as we do: on the same store, with the same
 * configuration, as the actor that holds the locks. Without this it would
 * be refused by the very lock it runs under, or change ./uoms.db.
 */
static void
run_env(const struct lk *l)
{
	if (setenv("UOMS_DB", l->cli.db, 1) < 0 ||
	    setenv("UOMS_ACTOR", l->cli.actor, 1) < 0 ||
	    (l->cli.config.path != NULL &&
	    setenv("UOMS_CONFIG", l->cli.config.path, 1) < 0))
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't set the command's "
		    "environment: %s", strerror(errno));
}

/* The store and the actor the command runs with. */
static struct lk *
lk_of(struct uoms_verb_ctx *x)
{
	struct lk *l = x->arg;

	l->s = x->s;
	l->actor = &x->actor;
	return l;
}

static int
acquire_cmd(struct uoms_verb_ctx *x)
{
	struct lk *l = lk_of(x);

	if (acquire(l) < 0)
		return UOMS_EXIT_REFUSED;
	put_locks(l);
	return UOMS_EXIT_OK;
}

static int
renew(struct uoms_verb_ctx *x)
{
	struct lk *l = lk_of(x);

	l->printed = 1;
	return renew_release(l, 1) ? UOMS_EXIT_REFUSED : UOMS_EXIT_OK;
}

static int
release(struct uoms_verb_ctx *x)
{
	struct lk *l = lk_of(x);

	l->printed = 1;
	return renew_release(l, 0) ? UOMS_EXIT_REFUSED : UOMS_EXIT_OK;
}

/*
 * Runs the command with the locks held, like flock(1), renewing them
 * every third of their time to live (lib/lockrun ties the command's life
 * to ours), and releases them however it ends. No transaction is open
 * while the command runs. Returns its exit status.
 */
static int
run(struct uoms_verb_ctx *x)
{
	struct lk *l = lk_of(x);
	int status;

	if (acquire(l) < 0)
		return UOMS_EXIT_REFUSED;
	run_env(l);
	status = uoms_lockrun_command(l->cmd, l->ttl * 1000 / 3, renew_all,
	    l);
	renew_release(l, 0);
	return status;
}

static int
list(struct uoms_verb_ctx *x)
{
	struct lk *l = lk_of(x);
	struct uoms_buf out = { 0 };
	struct uoms_error e = { 0 };

	if (uoms_lock_list(l->s, l->cli.actor, l->all, &out, &e) != UOMS_OK)
		uoms_die_error(NULL, &e);
	uoms_verb_print(&out);
	uoms_buf_free(&out);
	return UOMS_EXIT_OK;
}

static enum uoms_code
cleanup_all(struct uoms_store *s, void *arg, struct uoms_error *e)
{
	return uoms_lock_cleanup(s, arg, e);
}

static int
cleanup(struct uoms_verb_ctx *x)
{
	struct uoms_buf out = { 0 };
	struct uoms_error e = { 0 };
	long long n = 0;

	if (uoms_verb_tx(x->s, cleanup_all, &n, &e) != UOMS_OK)
		uoms_die_error(NULL, &e);
	uoms_buf_printf(&out, "{\"removed\":%lld}\n", n);
	uoms_verb_print(&out);
	uoms_buf_free(&out);
	return UOMS_EXIT_OK;
}

static const struct uoms_verb verbs[] = {
	{ "acquire", acquire_cmd, UOMS_VERB_WRITE, 1, 0 },
	{ "renew", renew, UOMS_VERB_WRITE, 1, 0 },
	{ "release", release, UOMS_VERB_WRITE, 1, 0 },
	{ "list", list, UOMS_VERB_READ, 0, 0 },
	{ "cleanup", cleanup, UOMS_VERB_WRITE, 1, 0 },
	{ "run", run, UOMS_VERB_WRITE, 1, 0 },
	{ NULL, NULL, 0, 0, 0 }
};

static void
option(const struct uoms_cli *cli, void *lk, int opt, char *arg)
{
	struct lk *l = lk;
	char type[16];
	int t;

	switch (opt) {
	case OPT_TYPE:
		snprintf(type, sizeof type, "%s", arg);
		for (char *p = type; *p != '\0'; p++)
			*p = *p >= 'a' && *p <= 'z' ? *p - 32 : *p;
		if ((t = uoms_lock_parse(type)) < 0)
			uoms_cli_usage_error(cli, "--type: '%s' is not "
			    "EDIT, STATUS, ASSIGN or REMARK", arg);
		l->type = t;
		break;
	case OPT_TTL:
		l->ttl = uoms_cli_number(cli, "--ttl", arg, 1,
		    UOMS_LOCK_TTL_MAX);
		break;
	case OPT_WAIT:
		l->wait = uoms_cli_number(cli, "--wait", arg, 0, 86400);
		break;
	case OPT_ALL: l->all = 1; break;
	case OPT_FORCE: l->force = 1; break;
	}
}

/* The options command v takes; more is a usage error. */
static void
check(struct lk *l, const struct uoms_verb *v)
{
	const struct uoms_cli *cli = &l->cli;

	if ((v->run == list || v->run == cleanup) &&
	    (l->type != UOMS_LOCK_COUNT || l->ttl || l->wait || l->n > 0))
		uoms_cli_usage_error(cli, "%s takes no REF, --type, --ttl "
		    "or --wait", v->name);
	if (l->force && v->run != release)
		uoms_cli_usage_error(cli, "--force goes with release only");
	if (l->all && v->run != list)
		uoms_cli_usage_error(cli, "--all goes with list only");
	if ((v->run == renew || v->run == release) && (l->ttl || l->wait))
		uoms_cli_usage_error(cli, "%s takes no --ttl or --wait",
		    v->name);
	if (v->run != list && v->run != cleanup &&
	    (l->type == UOMS_LOCK_COUNT || l->n == 0))
		uoms_cli_usage_error(cli, "%s needs --type TYPE and a REF",
		    v->name);
	if (v->run == run && l->cmd == NULL)
		uoms_cli_usage_error(cli, "run needs -- COMMAND");
}

/* The time to live (--ttl, else the configuration's lock_ttl) and room
 * for what each reference comes to. */
static void
prepare(struct lk *l)
{
	int bad = 0;

	if (l->ttl == 0)
		l->ttl = uoms_config_num(&l->cli.config, "lock_ttl",
		    UOMS_LOCK_TTL_DEFAULT, &bad);
	if (bad || l->ttl < 1 || l->ttl > UOMS_LOCK_TTL_MAX)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "config: lock_ttl must be a "
		    "number of seconds from 1 to %d", UOMS_LOCK_TTL_MAX);
	l->ids = calloc(l->n + 1, sizeof *l->ids);
	l->expires = calloc(l->n + 1, sizeof *l->expires);
	l->errs = calloc(l->n + 1, sizeof *l->errs);
	if (l->ids == NULL || l->expires == NULL || l->errs == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "out of memory");
}

int
main(int argc, char **argv)
{
	struct lk l = { .type = UOMS_LOCK_COUNT };
	const struct uoms_verb *v;
	int status, dashes = argc, ncmd = 0;

	uoms_cli_init(&l.cli, argv[0], usage);
	/* What follows the first "--" is run's command, not for getopt. */
	for (int i = 1; i < argc && dashes == argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			dashes = i;
			ncmd = argc - i - 1;
		}
	v = uoms_verb_parse(&l.cli, dashes, argv, longopts, option, &l, verbs);
	l.refs = argv + optind;
	l.n = dashes - optind;
	if (v->run == run && ncmd > 0)
		l.cmd = argv + dashes + 1;
	else if (ncmd > 0) {
		/* "uoms-lock release --type EDIT -- 42": plain REFs. */
		memmove(argv + dashes, argv + dashes + 1, ncmd * sizeof *argv);
		l.n += ncmd;
	}
	check(&l, v);
	uoms_cli_finish(&l.cli);
	prepare(&l);
	status = uoms_verb_run(&l.cli, v, &l);
	free(l.ids);
	free(l.expires);
	free(l.errs);
	return status;
}
