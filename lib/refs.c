#include <stdio.h>
#include <string.h>

#include "idem.h"
#include "line.h"
#include "refs.h"

static enum uoms_code
step(struct uoms_run *r, char *input, size_t len, int is_arg,
    struct uoms_buf *out, struct uoms_error *e)
{
	struct uoms_refs *x = r->arg;
	struct uoms_ref ref;
	enum uoms_code code;
	char why[300];
	int replayed;

	if (is_arg) {
		if (uoms_ref_from_arg(input, &ref, why, sizeof why) < 0)
			return uoms_fail(e, UOMS_INVALID, "%s", why);
	} else if ((code = uoms_ref_from_line(r->parser, input, len, &ref, e))
	    != UOMS_OK)
		return code;
	/* A line read ahead: its record may be read with its batch's. */
	code = uoms_change_order_batch(r->store, &x->actor, &ref,
	    is_arg ? NULL : uoms_change_ahead_target(r->store, &x->ahead,
	    r->ahead_at, &ref), x->force, x->key, x->ttl, x->change, out,
	    !is_arg && r->ahead_at >= 0 ? &x->later : NULL, &replayed, e);
	/* Another line's staged write failed: whose, the redo tells. */
	if (x->later.failed) {
		x->later.failed = 0;
		r->staged_failed = 1;
	}
	if (code != UOMS_OK && !is_arg) {
		/* "line 3: locked: order 42: ..." names the order once. */
		struct uoms_buf msg = { 0 };

		uoms_ref_where(&ref, why, sizeof why);
		uoms_buf_printf(&msg, "%s: %s", why, e->msg);
		if (msg.p != NULL) {
			msg.p[msg.n < sizeof e->msg ? msg.n : sizeof e->msg -
			    1] = '\0';
			memcpy(e->msg, msg.p, strlen(msg.p) + 1);
		}
		uoms_buf_free(&msg);
	}
	if (code != UOMS_OK)
		return code;
	uoms_buf_add(out, "\n", 1);
	r->tally[replayed]++;	/* 0 applied, 1 replayed */
	return UOMS_OK;
}

/* The orders of the lines read ahead, asked at once (change.h). */
static enum uoms_code
ahead(struct uoms_run *r, char *const *lines, const size_t *lens, int n,
    struct uoms_error *e)
{
	struct uoms_refs *x = r->arg;
	struct uoms_error ignored;
	struct uoms_ref ref;
	enum uoms_code code;

	/* What the lines before staged is written: asked after it. */
	if ((code = uoms_change_later_read(r->store, &x->later, e)) !=
	    UOMS_OK) {
		if (x->later.failed) {
			x->later.failed = 0;
			r->staged_failed = 1;
		}
		return code;
	}
	uoms_change_ahead_clear(&x->ahead);
	for (int i = 0; i < n; i++)
		if (uoms_change_ahead_add(&x->ahead, uoms_ref_from_line(
		    r->parser, lines[i], lens[i], &ref, &ignored) == UOMS_OK ?
		    &ref : NULL) < 0)
			return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	return uoms_change_ahead_ask(r->store, &x->ahead, e);
}

/* The records left to read with the batch's, put in place (run.h). */
static enum uoms_code
settle(struct uoms_run *r, struct uoms_buf *out, struct uoms_error *e)
{
	struct uoms_refs *x = r->arg;
	enum uoms_code code = uoms_change_later_settle(r->store, &x->later,
	    out, e);

	if (x->later.failed) {
		x->later.failed = 0;
		r->staged_failed = 1;
	}
	return code;
}

static void
forget(struct uoms_run *r)
{
	struct uoms_refs *x = r->arg;

	uoms_change_later_forget(&x->later);
}

int
uoms_refs_main(struct uoms_cli *cli, struct uoms_refs *x, int argc,
    char **argv)
{
	struct uoms_run *r = &x->run;
	struct uoms_error e = { 0 };
	int bad = 0;
	char why[512];

	uoms_cli_finish(cli);
	uoms_cli_workflows(cli);
	x->ttl = uoms_config_num(&cli->config, "idempotency_ttl",
	    UOMS_IDEM_TTL_DEFAULT, &bad);
	r->line_max = uoms_config_num(&cli->config, "line_max",
	    UOMS_LINE_MAX_DEFAULT, &bad);
	if (r->batch == 0)
		r->batch = uoms_config_num(&cli->config, "batch", 1000, &bad);
	if (bad || x->ttl < 1 || r->line_max < 2 || r->batch < 1)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "config: idempotency_ttl, "
		    "line_max and batch must be positive numbers");
	if (argc == 0)
		uoms_cli_refuse_tty(cli);
	r->step = step;
	r->ahead = ahead;
	r->settle = settle;
	r->forget = forget;
	r->arg = x;
	uoms_run_init(r);
	r->store = uoms_store_open(cli->db, UOMS_STORE_WRITE, &cli->config,
	    why, sizeof why);
	if (r->store == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", why);
	if ((r->parser = uoms_parser_new()) == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't set up the JSON parser");
	uoms_store_set_actor(r->store, cli->actor);
	if (uoms_actor_load(r->store, cli->actor, &x->actor, &e) != UOMS_OK)
		uoms_die_error(NULL, &e);
	if (argc == 0)
		uoms_run_file(r, NULL);
	for (int i = 0; i < argc; i++)
		uoms_run_arg(r, argv[i]);
	uoms_run_finish(r);
	uoms_change_ahead_free(&x->ahead);
	uoms_change_later_free(&x->later);
	uoms_parser_free(r->parser);
	uoms_store_close(r->store);
	uoms_config_free(&cli->config);
	return uoms_run_status(r);
}
