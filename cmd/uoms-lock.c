/* uoms-lock: take, renew, release, list and clean up locks; run under them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "change.h"
#include "cli.h"
#include "line.h"
#include "lockrun.h"

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

enum verb { ACQUIRE, RENEW, RELEASE, LIST, CLEANUP, RUN, NVERBS };
static const char *const verbs[NVERBS] = {
	"acquire", "renew", "release", "list", "cleanup", "run"
};

#define WAIT_STEP_MS 200

struct lk {
	struct uoms_cli cli;
	struct uoms_store *s;
	struct uoms_actor actor;
	enum uoms_lock_type type;
	int force;		/* release: break another's lock (admin) */
	long long ttl;
	int n;			/* references */
	char **refs;		/* as given, for messages */
	long long *ids;		/* the orders they name */
	char (*expires)[UOMS_TIME_MS_SIZE];
	struct uoms_error *errs;
	int lost;		/* under run: a renewal found a lock gone */
};

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
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

static int
store_failed(enum uoms_code code)
{
	return code == UOMS_BUSY || code == UOMS_INTERNAL;
}

static void
put_lock(const struct lk *l, long long id, const char *expires)
{
	struct uoms_buf b = { 0 };

	uoms_buf_printf(&b, "{\"order_id\":%lld,\"lock_type\":\"%s\","
	    "\"owner\":", id, uoms_lock_name(l->type));
	uoms_buf_json_string(&b, l->cli.actor, strlen(l->cli.actor));
	uoms_buf_printf(&b, ",\"expires_at\":\"%s\"}", expires);
	if (b.p == NULL || uoms_out_record(b.p, b.n) < 0)
		stdout_failed();
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
 * One try at taking every lock, in one transaction: all or none. Returns
 * UOMS_OK (committed), UOMS_LOCKED when only locks stood in the way, or
 * another refusal; l->errs says which references were refused.
 */
static enum uoms_code
try_acquire(struct lk *l)
{
	struct uoms_error e = { 0 };
	enum uoms_code code, worst = UOMS_OK;

	if (uoms_store_begin(l->s, &e) != UOMS_OK)
		cannot(&e);
	for (int i = 0; i < l->n; i++) {
		memset(&l->errs[i], 0, sizeof l->errs[i]);
		if ((code = resolve(l, i)) == UOMS_OK)
			code = uoms_lock_acquire(l->s, l->ids[i], l->type,
			    l->cli.actor, l->ttl, l->expires[i], &l->errs[i]);
		if (store_failed(code)) {
			uoms_store_rollback(l->s);
			cannot(&l->errs[i]);
		}
		if (code != UOMS_OK && (worst == UOMS_OK ||
		    worst == UOMS_LOCKED))
			worst = code;
	}
	if (worst != UOMS_OK) {
		uoms_store_rollback(l->s);
		return worst;
	}
	if (uoms_store_commit(l->s, &e) != UOMS_OK)
		cannot(&e);
	return UOMS_OK;
}

/* Takes every lock or none, waiting up to wait seconds for them. */
static int
acquire(struct lk *l, long long wait)
{
	long long deadline = now_ms() + wait * 1000;
	struct timespec step = { 0, WAIT_STEP_MS * 1000000L };
	enum uoms_code code;

	while ((code = try_acquire(l)) == UOMS_LOCKED && now_ms() < deadline)
		nanosleep(&step, NULL);
	if (code == UOMS_OK)
		return 0;
	for (int i = 0; i < l->n; i++)
		if (l->errs[i].code != UOMS_OK)
			uoms_warn(NULL, "order %s: %s: %s", l->refs[i],
			    uoms_code_name(l->errs[i].code), l->errs[i].msg);
	return -1;
}

/*
 * Renews (verb RENEW) or releases every lock, each on its own, and
 * reports refusals. For the renew and release commands (cmd set) a store
 * failure exits 3 and renewed locks are printed; under run it is only a
 * warning, as the command goes on. Returns how many were refused, or -1
 * when the store failed (under run).
 */
static int
renew_release(struct lk *l, enum verb v, int cmd)
{
	struct uoms_error e = { 0 };
	enum uoms_code code;
	int refused = 0;

	if (uoms_store_begin(l->s, &e) != UOMS_OK) {
		if (cmd)
			cannot(&e);
		uoms_warn_error(NULL, &e);
		return -1;
	}
	for (int i = 0; i < l->n; i++) {
		memset(&l->errs[i], 0, sizeof l->errs[i]);
		if ((code = resolve(l, i)) == UOMS_OK && v == RENEW)
			code = uoms_lock_renew(l->s, l->ids[i], l->type,
			    l->cli.actor, l->ttl, l->expires[i], &l->errs[i]);
		else if (code == UOMS_OK && l->force &&
		    l->actor.role != UOMS_ROLE_ADMIN)
			code = uoms_fail(&l->errs[i], UOMS_FORBIDDEN, "--force "
			    "needs the admin role; '%s' is a user",
			    l->actor.name);
		else if (code == UOMS_OK)
			code = uoms_lock_release(l->s, l->ids[i], l->type,
			    l->cli.actor, l->force, &l->errs[i]);
		if (store_failed(code)) {
			uoms_store_rollback(l->s);
			if (cmd)
				cannot(&l->errs[i]);
			uoms_warn_error(NULL, &l->errs[i]);
			return -1;
		}
		if (code != UOMS_OK)
			refused++;
		/* Once run has lost a lock, its release finds it gone. */
		if (code != UOMS_OK && !(l->lost && v == RELEASE))
			uoms_warn(NULL, "order %s: %s: %s%s", l->refs[i],
			    uoms_code_name(code), l->errs[i].msg, cmd ? "" :
			    v == RENEW ? "; stopping the command" : "");
	}
	if (uoms_store_commit(l->s, &e) != UOMS_OK) {
		if (cmd)
			cannot(&e);
		uoms_warn_error(NULL, &e);
		return -1;
	}
	for (int i = 0; cmd && v == RENEW && i < l->n; i++)
		if (l->errs[i].code == UOMS_OK)
			put_lock(l, l->ids[i], l->expires[i]);
	return refused;
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
	int refused = renew_release(l, RENEW, 0);

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

/*
 * Runs cmd with the locks held, like flock(1), renewing them every third
 * of their time to live (lib/lockrun ties the command's life to ours),
 * and releases them however it ends. No transaction is open while the
 * command runs. Returns its exit status.
 */
static int
run(struct lk *l, char **cmd)
{
	int status;

	run_env(l);
	status = uoms_lockrun_command(cmd, l->ttl * 1000 / 3, renew_all, l);

	renew_release(l, RELEASE, 0);
	return status;
}

static int
list_or_cleanup(struct lk *l, enum verb v, int all)
{
	struct uoms_buf out = { 0 };
	struct uoms_error e = { 0 };
	long long n = 0;

	if (v == LIST) {
		if (uoms_lock_list(l->s, l->cli.actor, all, &out, &e) !=
		    UOMS_OK)
			cannot(&e);
	} else {
		if (uoms_store_begin(l->s, &e) != UOMS_OK ||
		    uoms_lock_cleanup(l->s, &n, &e) != UOMS_OK) {
			uoms_store_rollback(l->s);
			cannot(&e);
		}
		if (uoms_store_commit(l->s, &e) != UOMS_OK)
			cannot(&e);
		uoms_buf_printf(&out, "{\"removed\":%lld}\n", n);
	}
	if (out.n > 0 && fwrite(out.p, 1, out.n, stdout) != out.n)
		stdout_failed();
	uoms_buf_free(&out);
	return UOMS_EXIT_OK;
}

int
main(int argc, char **argv)
{
	struct lk l = { .type = UOMS_LOCK_COUNT };
	struct uoms_error e = { 0 };
	long long wait = 0, ttl = 0;
	int opt, t, all = 0, dashes = argc, ncmd = 0, bad = 0, status;
	enum verb v;
	char **cmd = NULL, why[512], type[16];

	uoms_cli_init(&l.cli, argv[0], usage);
	/* What follows the first "--" is run's command, not for getopt. */
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			dashes = i;
			cmd = argv + i + 1;
			ncmd = argc - i - 1;
			break;
		}
	while ((opt = uoms_cli_getopt(dashes, argv, UOMS_CLI_SHORTOPTS,
	    longopts, NULL)) != -1) {
		if (uoms_cli_option(&l.cli, opt, optarg))
			continue;
		switch (opt) {
		case OPT_TYPE:
			snprintf(type, sizeof type, "%s", optarg);
			for (char *p = type; *p != '\0'; p++)
				*p = *p >= 'a' && *p <= 'z' ? *p - 32 : *p;
			if ((t = uoms_lock_parse(type)) < 0)
				uoms_cli_usage_error(&l.cli, "--type: '%s' is "
				    "not EDIT, STATUS, ASSIGN or REMARK",
				    optarg);
			l.type = t;
			break;
		case OPT_TTL:
			ttl = uoms_cli_number(&l.cli, "--ttl", optarg, 1,
			    UOMS_LOCK_TTL_MAX);
			break;
		case OPT_WAIT:
			wait = uoms_cli_number(&l.cli, "--wait", optarg, 0,
			    86400);
			break;
		case OPT_ALL: all = 1; break;
		case OPT_FORCE: l.force = 1; break;
		}
	}
	if (optind >= dashes)
		uoms_cli_usage_error(&l.cli, "give a command: acquire, renew, "
		    "release, list, cleanup or run");
	for (v = 0; v < NVERBS && strcmp(argv[optind], verbs[v]) != 0; v++)
		;
	if (v == NVERBS)
		uoms_cli_usage_error(&l.cli, "'%s' is not acquire, renew, "
		    "release, list, cleanup or run", argv[optind]);
	optind++;
	l.refs = argv + optind;
	l.n = dashes - optind;
	if (v != RUN && ncmd > 0) {
		/* "uoms-lock release --type EDIT -- 42": plain REFs. */
		memmove(argv + dashes, argv + dashes + 1, ncmd * sizeof *argv);
		l.n += ncmd;
		ncmd = 0;
	}
	if ((v == LIST || v == CLEANUP) && (l.type != UOMS_LOCK_COUNT ||
	    ttl || wait || l.n > 0))
		uoms_cli_usage_error(&l.cli, "%s takes no REF, --type, --ttl "
		    "or --wait", verbs[v]);
	if (l.force && v != RELEASE)
		uoms_cli_usage_error(&l.cli, "--force goes with release only");
	if (all && v != LIST)
		uoms_cli_usage_error(&l.cli, "--all goes with list only");
	if ((v == RENEW || v == RELEASE) && (ttl || wait))
		uoms_cli_usage_error(&l.cli, "%s takes no --ttl or --wait",
		    verbs[v]);
	if (v != LIST && v != CLEANUP && (l.type == UOMS_LOCK_COUNT ||
	    l.n == 0))
		uoms_cli_usage_error(&l.cli, "%s needs --type TYPE and a REF",
		    verbs[v]);
	if (v == RUN && ncmd == 0)
		uoms_cli_usage_error(&l.cli, "run needs -- COMMAND");

	uoms_cli_finish(&l.cli);
	l.ttl = ttl ? ttl : uoms_config_num(&l.cli.config, "lock_ttl",
	    UOMS_LOCK_TTL_DEFAULT, &bad);
	if (bad || l.ttl < 1 || l.ttl > UOMS_LOCK_TTL_MAX)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "config: lock_ttl must be a "
		    "number of seconds from 1 to %d", UOMS_LOCK_TTL_MAX);
	l.s = uoms_store_open(l.cli.db, v == LIST ? UOMS_STORE_READ :
	    UOMS_STORE_WRITE, &l.cli.config, why, sizeof why);
	if (l.s == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", why);
	uoms_store_set_actor(l.s, l.cli.actor);
	if (v != LIST && uoms_actor_load(l.s, l.cli.actor, &l.actor, &e) !=
	    UOMS_OK)
		cannot(&e);
	l.ids = calloc(l.n + 1, sizeof *l.ids);
	l.expires = calloc(l.n + 1, sizeof *l.expires);
	l.errs = calloc(l.n + 1, sizeof *l.errs);
	if (l.ids == NULL || l.expires == NULL || l.errs == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "out of memory");

	if (v == LIST || v == CLEANUP)
		status = list_or_cleanup(&l, v, all);
	else if (v == RENEW || v == RELEASE)
		status = renew_release(&l, v, 1) ? UOMS_EXIT_REFUSED :
		    UOMS_EXIT_OK;
	else if (acquire(&l, wait) < 0)
		status = UOMS_EXIT_REFUSED;
	else if (v == RUN)
		status = run(&l, cmd);
	else {
		for (int i = 0; i < l.n; i++)
			put_lock(&l, l.ids[i], l.expires[i]);
		status = UOMS_EXIT_OK;
	}
	if (uoms_out_flush() < 0 && status == UOMS_EXIT_OK)
		stdout_failed();
	uoms_store_close(l.s);
	uoms_config_free(&l.cli.config);
	free(l.ids);
	free(l.expires);
	free(l.errs);
	return status;
}
