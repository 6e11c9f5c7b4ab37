/*
 * uoms-push's work. References come from the arguments or stdin lines as
 * for uoms-status (change.h parses them), but not through the run loop
 * (run.h): that loop holds a write transaction across its steps, and a
 * push must commit its claim before it asks the channel and must not
 * hold the store while the channel answers. So each push is three short
 * steps of its own: claim (a committed row in pushes, state sending),
 * send (no transaction open), record (sent or refused, with an event).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "channel.h"
#include "change.h"
#include "err.h"
#include "fetch.h"
#include "kind.h"
#include "line.h"
#include "push.h"
#include "record.h"
#include "rfc3339.h"
#include "db.h"
#include "workflow.h"

struct pusher {
	const struct uoms_push_opts *o;
	struct uoms_store *s;
	struct uoms_parser *parser;
	struct uoms_fetch_opts fo;
	FILE *reject;
	struct uoms_channel *ch;	/* channels met so far */
	int nch;
	long refused;
	/*
	 * uoms_push_order's (a server's request): the lines go to out, the
	 * first refusal to err, nothing to stdout or stderr, and a store
	 * failure is a refusal instead of an exit.
	 */
	struct uoms_buf *out;
	struct uoms_error *err;
};

/* The order a reference names, as push needs it. */
struct target {
	long long id, version;
	char channel[128], ext[256], workflow[64], status[64];
	char carrier[64], tracking[128];
	int ships_reached;
};

/* Says a refusal on stderr and in the reject file; counts it. */
static void
refuse(struct pusher *p, const char *input, size_t len, int is_arg,
    long lineno, enum uoms_code code, const char *where, const char *msg)
{
	struct uoms_buf line = { 0 }, out = { 0 };

	p->refused++;
	if (p->err != NULL) {
		if (p->err->code == UOMS_OK)
			uoms_fail(p->err, code, "%s", msg);
		return;
	}
	uoms_warn(where, "%s: %s", uoms_code_name(code), msg);
	if (p->reject == NULL)
		return;
	if (is_arg) {
		uoms_ref_json(input, &line);
		input = line.p;
		len = line.n;
	}
	if (uoms_reject_line(p->parser, input, len, code, msg, lineno, NULL,
	    &out) == 0 && out.p != NULL) {
		fwrite(out.p, 1, out.n, p->reject);
		if (out.n == 0 || out.p[out.n - 1] != '\n')
			fputc('\n', p->reject);
		fflush(p->reject);
	}
	uoms_buf_free(&line);
	uoms_buf_free(&out);
}

/* Reads what push needs of order id. */
static enum uoms_code
load(struct pusher *p, long long id, struct target *t, struct uoms_error *e)
{
	const struct uoms_workflow *w;
	struct uoms_stmt *st;
	const char *ships;
	char why[300];
	enum uoms_db_step rc;

	memset(t, 0, sizeof *t);
	t->id = id;
	if ((st = uoms_db_stmt(p->s, SQL_PUSH_TARGET)) == NULL)
		return uoms_fail(e, UOMS_INTERNAL, "can't read order %lld", id);
	uoms_db_bind_int(st, 1, id);
	if ((rc = uoms_db_step(st)) != UOMS_DB_ROW) {
		uoms_db_done(st);
		return uoms_fail(e, rc == UOMS_DB_DONE ? UOMS_NOT_FOUND :
		    UOMS_BUSY, "order %lld: %s", id, rc == UOMS_DB_DONE ?
		    "no such order" : "can't read it");
	}
#define COL(i) (uoms_db_text(st, (i)) != NULL ? uoms_db_text(st, (i)) : "")
	snprintf(t->channel, sizeof t->channel, "%s", COL(0));
	snprintf(t->ext, sizeof t->ext, "%s", COL(1));
	snprintf(t->workflow, sizeof t->workflow, "%s", COL(2));
	snprintf(t->status, sizeof t->status, "%s", COL(3));
	t->version = uoms_db_int(st, 4);
	snprintf(t->carrier, sizeof t->carrier, "%s", COL(5));
	snprintf(t->tracking, sizeof t->tracking, "%s", COL(6));
#undef COL
	uoms_db_done(st);
	if ((w = uoms_workflow_get(t->workflow, why, sizeof why)) == NULL)
		return uoms_fail(e, UOMS_INVALID, "%s", why);
	if ((ships = uoms_workflow_ships_state(w)) == NULL)
		return UOMS_OK;
	if (strcmp(t->status, ships) == 0) {
		t->ships_reached = 1;
		return UOMS_OK;
	}
	/* Moved on since (delivered): its events say it shipped. */
	if ((st = uoms_db_stmt(p->s, SQL_PUSH_SHIPPED)) == NULL)
		return uoms_fail(e, UOMS_INTERNAL, "can't read events");
	uoms_db_bind_int(st, 1, id);
	uoms_db_bind_text(st, 2, ships);
	t->ships_reached = uoms_db_step(st) == UOMS_DB_ROW;
	uoms_db_done(st);
	return UOMS_OK;
}

/* The stored record of order t, parsed (a kind's request names more of
 * it than the order), or NULL with e filled. */
static json_t *
stored_record(struct pusher *p, const struct target *t, struct uoms_error *e)
{
	struct uoms_buf b = { 0 };
	json_t *rec = NULL;

	if (uoms_order_record(p->s, t->id, &b, e) == UOMS_OK &&
	    (rec = json_loadb(b.p, b.n, 0, NULL)) == NULL)
		uoms_fail(e, UOMS_INTERNAL, "order %lld: can't read its "
		    "record", t->id);
	uoms_buf_free(&b);
	return rec;
}

/* Nonzero when order t has left its workflow's initial state. */
static int
left_initial(const struct target *t)
{
	const struct uoms_workflow *w;
	char why[300];

	if ((w = uoms_workflow_get(t->workflow, why, sizeof why)) == NULL)
		return 0;
	return t->ships_reached || strcmp(t->status, w->initial) != 0;
}

/* The channel called name (cached for the run), or NULL with e filled. */
static struct uoms_channel *
channel(struct pusher *p, const char *name, struct uoms_error *e)
{
	struct uoms_channel *c;

	for (int i = 0; i < p->nch; i++)
		if (strcmp(p->ch[i].name, name) == 0)
			return &p->ch[i];
	if ((c = realloc(p->ch, (p->nch + 1) * sizeof *c)) == NULL) {
		uoms_fail(e, UOMS_INTERNAL, "out of memory");
		return NULL;
	}
	p->ch = c;
	memset(&c[p->nch], 0, sizeof c[p->nch]);
	if (uoms_channel_get(p->s, name, &c[p->nch], e) != UOMS_OK)
		return NULL;
	return &c[p->nch++];
}

/* Nonzero when process pid is alive on this machine. */
static int
alive(long long pid)
{
	return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

enum claim { CLAIMED, DONE_ALREADY, ELSEWHERE, UNCERTAIN, REFUSED_BEFORE };

/* What the store says of push what of order t now; -1 when it can't
 * be read. */
static int
judge(struct pusher *p, const struct target *t, const char *what)
{
	struct uoms_stmt *st;
	char state[16] = "";
	long long pid = 0;
	enum uoms_db_step rc;

	if ((st = uoms_db_stmt(p->s, SQL_PUSH_STATE)) == NULL)
		return -1;
	uoms_db_bind_int(st, 1, t->id);
	uoms_db_bind_text(st, 2, what);
	if ((rc = uoms_db_step(st)) == UOMS_DB_ROW) {
		snprintf(state, sizeof state, "%s", uoms_db_text(st, 0));
		/* Column 2: the claim is under an hour old; an older one is
		 * no run's at work (its pid may have been reused since). */
		pid = uoms_db_int(st, 2) ? uoms_db_int(st, 1) : 0;
	}
	uoms_db_done(st);
	if (rc != UOMS_DB_ROW && rc != UOMS_DB_DONE)
		return -1;
	if (strcmp(state, "sent") == 0)
		return DONE_ALREADY;
	if (strcmp(state, "sending") == 0 && alive(pid) &&
	    pid != (long long)getpid())
		return ELSEWHERE;
	if (strcmp(state, "sending") == 0 && !p->o->resend)
		return UNCERTAIN;
	if (strcmp(state, "refused") == 0 && !p->o->resend)
		return REFUSED_BEFORE;
	return CLAIMED;
}

/* What one push's transaction (claim_tx, record_tx) works on. */
struct push_tx {
	struct pusher *p;
	const struct target *t;
	const char *what;
	const char *state, *answer;	/* record_tx */
	int claim;			/* claim_tx: its enum claim */
};

/* The store's failure at doing, in e. */
static enum uoms_code
failed(struct pusher *p, const char *doing, struct uoms_error *e)
{
	return uoms_db_fail(p->s, e, doing);
}

/* claim's transaction: judged again under the write lock (another run
 * may have claimed it since it was read), and the claim written when
 * it is this run's to send. */
static enum uoms_code
claim_tx(struct uoms_store *s, void *arg, struct uoms_error *e)
{
	struct push_tx *x = arg;
	struct uoms_stmt *st;
	char now[40];

	if ((x->claim = judge(x->p, x->t, x->what)) < 0)
		return failed(x->p, "reading the pushes", e);
	if (x->claim != CLAIMED)
		return UOMS_OK;
	uoms_time_now(now);
	if ((st = uoms_db_stmt(s, SQL_PUSH_CLAIM)) == NULL)
		return failed(x->p, "claiming the push", e);
	uoms_db_bind_int(st, 1, x->t->id);
	uoms_db_bind_text(st, 2, x->what);
	uoms_db_bind_text(st, 3, x->t->channel);
	uoms_db_bind_int(st, 4, (long long)getpid());
	uoms_db_bind_text(st, 5, now);
	return uoms_db_exec(s, st, "claiming the push", e);
}

/*
 * Claims push what of order t in a transaction of its own, committed
 * before anything is sent: a second process finds the row and does not
 * send. A sending row whose claimer is gone is a push that may or may
 * not have got there (uncertain): only --resend sends it again. The
 * store is read first without the write lock, so a cron run over many
 * orders told before takes it only for what it sends. A transaction
 * PostgreSQL gave up on is run again (uoms_db_transact).
 */
static enum claim
claim(struct pusher *p, const struct target *t, const char *what,
    struct uoms_error *e)
{
	struct push_tx x = { .p = p, .t = t, .what = what };
	int c;

	if ((c = judge(p, t, what)) != CLAIMED || p->o->dry_run) {
		if (c < 0)
			uoms_db_fail(p->s, e, "reading the pushes");
		return c;
	}
	if (uoms_db_transact(p->s, claim_tx, &x, e) != UOMS_OK)
		return -1;
	return x.claim;
}

/* record's transaction: the push's row and its event. */
static enum uoms_code
record_tx(struct uoms_store *s, void *arg, struct uoms_error *e)
{
	struct push_tx *x = arg;
	struct uoms_stmt *st;
	json_t *d;
	char now[40], *details;
	enum uoms_code code;

	uoms_time_now(now);
	if ((st = uoms_db_stmt(s, SQL_PUSH_RECORD)) == NULL)
		return failed(x->p, "recording the push", e);
	uoms_db_bind_int(st, 1, x->t->id);
	uoms_db_bind_text(st, 2, x->what);
	uoms_db_bind_text(st, 3, x->state);
	uoms_db_bind_text(st, 4, x->answer);
	uoms_db_bind_text(st, 5, now);
	if ((code = uoms_db_exec(s, st, "recording the push", e)) != UOMS_OK)
		return code;
	d = json_pack("{s:s, s:s, s:s, s:o}", "push", x->what, "channel",
	    x->t->channel, "state", x->state, "answer", json_loads(x->answer,
	    JSON_DECODE_ANY, NULL) ?: json_null());
	details = d != NULL ? json_dumps(d, JSON_COMPACT |
	    JSON_PRESERVE_ORDER) : NULL;
	json_decref(d);
	code = uoms_event_append(s, x->t->id, "pushed", NULL, NULL,
	    x->t->version, details, now, e);
	free(details);
	return code;
}

/* Records how the push went, with its event, in one transaction (run
 * again when PostgreSQL gave up on it: uoms_db_transact). */
static enum uoms_code
record(struct pusher *p, const struct target *t, const char *what,
    const char *state, const char *answer, struct uoms_error *e)
{
	struct push_tx x = { .p = p, .t = t, .what = what, .state = state,
	    .answer = answer };

	return uoms_db_transact(p->s, record_tx, &x, e);
}

/* Prints the line of one push (appends it to p->out when set). */
static void
print(struct pusher *p, const struct target *t, const char *what,
    const char *state, const char *answer)
{
	json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:o}", "id",
	    (json_int_t)t->id, "channel", t->channel, "push", what, "state",
	    state, "answer", json_loads(answer, JSON_DECODE_ANY, NULL) ?:
	    json_null());
	char *s = j != NULL ? json_dumps(j, JSON_COMPACT |
	    JSON_PRESERVE_ORDER) : NULL;

	if (p->out != NULL) {
		if (s == NULL || uoms_buf_printf(p->out, "%s\n", s) < 0)
			uoms_fail(p->err, UOMS_INTERNAL, "out of memory");
		free(s);
		json_decref(j);
		return;
	}
	if (s == NULL || uoms_out_record(s, strlen(s)) < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't write stdout");
	uoms_out_flush();
	free(s);
	json_decref(j);
}

/*
 * Claims, sends and records one push: 0 when it is sent (now or before),
 * -1 when it was refused or is uncertain (said), 1 when the channel
 * refused it in an earlier run (said then; --resend asks again), 2 when
 * another run is sending it now (the order is left to that run).
 */
static int
push_one(struct pusher *p, struct uoms_channel *c, const struct target *t,
    const char *what, const char *input, size_t len, int is_arg,
    long lineno, const char *where)
{
	struct uoms_push_item it = { t->id, t->ext, what, NULL, NULL, NULL };
	struct uoms_error e = { 0 };
	struct uoms_buf answer = { 0 };
	json_t *rec;
	enum uoms_push_result r;
	char why[700], msg[900];
	int rc = 0;

	if (strcmp(what, "ship") == 0) {
		it.carrier = t->carrier;
		it.tracking_number = t->tracking;
	}
	/* Read before the claim: a claim is never left for a push that
	 * could not be tried. */
	if ((rec = stored_record(p, t, &e)) == NULL) {
		refuse(p, input, len, is_arg, lineno, e.code, where, e.msg);
		return -1;
	}
	it.record = rec;
	switch ((int)claim(p, t, what, &e)) {
	case DONE_ALREADY:
		json_decref(rec);
		return 0;
	case ELSEWHERE:
		if (p->err != NULL && p->err->code == UOMS_OK)
			uoms_fail(p->err, UOMS_BUSY, "%s: being pushed by "
			    "another uoms-push right now", what);
		if (p->err == NULL)
			uoms_warn(where, "%s: being pushed by another "
			    "uoms-push right now: left to it", what);
		json_decref(rec);
		return 2;
	case REFUSED_BEFORE:
		json_decref(rec);
		return 1;
	case UNCERTAIN:
		snprintf(msg, sizeof msg, "%s to channel %s: pushed or not? "
		    "an earlier run stopped between sending it and recording "
		    "the answer: check on the channel, then uoms-push --resend "
		    "%lld", what, t->channel, t->id);
		refuse(p, input, len, is_arg, lineno, UOMS_INVALID, where, msg);
		json_decref(rec);
		return -1;
	case CLAIMED:
		break;
	default:
		refuse(p, input, len, is_arg, lineno, e.code, where, e.msg);
		json_decref(rec);
		return -1;
	}
	r = uoms_fetch_push(p->s, c, &p->fo, &it, &answer, why, sizeof why);
	json_decref(rec);
	if (p->o->dry_run) {
		uoms_buf_free(&answer);
		return 0;
	}
	if (r == UOMS_PUSH_FAILED) {
		/* No answer: it may have got there. The claim stays, so the
		 * next run says so rather than send it twice. */
		snprintf(msg, sizeof msg, "%s to channel %s: %s: pushed or "
		    "not? check on the channel, then uoms-push --resend %lld",
		    what, c->name, why, t->id);
		refuse(p, input, len, is_arg, lineno, UOMS_INVALID, where, msg);
		uoms_buf_free(&answer);
		return -1;
	}
	if (answer.p == NULL)
		uoms_buf_str(&answer, "null");
	if (record(p, t, what, r == UOMS_PUSH_ACCEPTED ? "sent" : "refused",
	    answer.p, &e) != UOMS_OK) {
		if (p->err == NULL)
			uoms_die_error(where, &e);
		/* The claim stays: the next try says it is uncertain. */
		refuse(p, input, len, is_arg, lineno, e.code, where, e.msg);
		uoms_buf_free(&answer);
		return -1;
	}
	print(p, t, what, r == UOMS_PUSH_ACCEPTED ? "sent" : "refused", answer.p);
	if (r == UOMS_PUSH_REFUSED) {
		snprintf(msg, sizeof msg, "%s refused by channel %s: %s", what,
		    c->name, why);
		refuse(p, input, len, is_arg, lineno, UOMS_INVALID, where, msg);
		rc = -1;
	}
	uoms_buf_free(&answer);
	return rc;
}

/* One reference: what its channel is owed, pushed. */
static void
push_ref(struct pusher *p, char *input, size_t len, int is_arg, long lineno)
{
	struct uoms_ref ref;
	struct uoms_target tg;
	struct uoms_error e = { 0 };
	struct uoms_channel *c;
	struct target t;
	char where[300], why[300], msg[1200];
	char *copy = NULL;
	int listed = p->o->nchannels == 0, ack;

	if (is_arg) {
		/* uoms_ref_from_arg cuts its argument: keep it whole for the
		 * reject line. */
		if ((copy = strdup(input)) == NULL)
			uoms_die(UOMS_EXIT_CANNOT, NULL, "out of memory");
		if (uoms_ref_from_arg(copy, &ref, why, sizeof why) < 0) {
			refuse(p, input, len, is_arg, lineno, UOMS_INVALID,
			    input, why);
			free(copy);
			return;
		}
	} else if (uoms_ref_from_line(p->parser, input, len, &ref, &e) !=
	    UOMS_OK) {
		snprintf(where, sizeof where, "line %ld", lineno);
		refuse(p, input, len, is_arg, lineno, e.code, where, e.msg);
		return;
	}
	uoms_ref_where(&ref, where, sizeof where);
	if (uoms_change_target(p->s, &ref, &tg, &e) != UOMS_OK ||
	    load(p, tg.id, &t, &e) != UOMS_OK) {
		refuse(p, input, len, is_arg, lineno, e.code, where, e.msg);
		free(copy);
		return;
	}
	snprintf(where, sizeof where, "order %lld", t.id);
	for (int i = 0; i < p->o->nchannels; i++)
		listed |= strcmp(p->o->channels[i], t.channel) == 0;
	if (!listed) {
		free(copy);
		return;
	}
	if ((c = channel(p, t.channel, &e)) == NULL) {
		snprintf(msg, sizeof msg, "channel %s: %s", t.channel,
		    e.code == UOMS_NOT_FOUND ? "no such channel" : e.msg);
		refuse(p, input, len, is_arg, lineno, UOMS_INVALID, where, msg);
		free(copy);
		return;
	}
	if (!c->enabled) {
		snprintf(msg, sizeof msg, "channel %s is disabled: not told "
		    "(uoms-channel enable %s)", c->name, c->name);
		refuse(p, input, len, is_arg, lineno, UOMS_INVALID, where, msg);
		free(copy);
		return;
	}
	if (uoms_kind_find(c->kind) == NULL ||
	    uoms_kind_find(c->kind)->push == NULL) {
		snprintf(msg, sizeof msg, "kind %s cannot push yet (channel %s)",
		    c->kind, c->name);
		refuse(p, input, len, is_arg, lineno, UOMS_INVALID, where, msg);
		free(copy);
		return;
	}
	/* A channel takes a shipment only for an order it knows we
	 * acknowledged: while the ack is refused, or another run is still
	 * sending it, the shipment waits. */
	if (left_initial(&t) && (uoms_kind_find(c->kind)->wants_ack == NULL ||
	    uoms_kind_find(c->kind)->wants_ack(c)) &&
	    (ack = push_one(p, c, &t, "ack", input, len, is_arg, lineno,
	    where)) != 0) {
		if (ack == 1 && t.ships_reached) {
			snprintf(msg, sizeof msg, "ship: waits for the ack "
			    "channel %s refused (uoms-events --order %lld "
			    "--type pushed says why; then uoms-push --resend "
			    "%lld)", c->name, t.id, t.id);
			refuse(p, input, len, is_arg, lineno, UOMS_INVALID,
			    where, msg);
		}
		free(copy);
		return;
	}
	if (t.ships_reached && (t.carrier[0] == '\0' ||
	    t.tracking[0] == '\0')) {
		snprintf(msg, sizeof msg, "ship: the order has shipped (%s) "
		    "but has no %s%s%s: not pushed (uoms-edit --set "
		    "shipment.carrier=... --set shipment.tracking_number=...)",
		    t.status, t.carrier[0] == '\0' ? "shipment.carrier" : "",
		    t.carrier[0] == '\0' && t.tracking[0] == '\0' ? " and " :
		    "", t.tracking[0] == '\0' ? "shipment.tracking_number" :
		    "");
		refuse(p, input, len, is_arg, lineno, UOMS_INVALID, where, msg);
	} else if (t.ships_reached)
		push_one(p, c, &t, "ship", input, len, is_arg, lineno, where);
	free(copy);
}

int
uoms_push_main(struct uoms_cli *cli, const struct uoms_push_opts *o,
    int argc, char **argv)
{
	struct pusher p = { .o = o };
	struct uoms_line_reader lr;
	char why[512], *line;
	size_t len;
	int bad = 0;
	long line_max;

	uoms_cli_finish(cli);
	uoms_cli_workflows(cli);
	line_max = uoms_config_num(&cli->config, "line_max",
	    UOMS_LINE_MAX_DEFAULT, &bad);
	if (bad || line_max < 2)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "config: line_max must be a "
		    "positive number");
	if (uoms_fetch_opts_config(&p.fo, &cli->config, why, sizeof why) < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", why);
	p.fo.dry_run = o->dry_run;
	signal(SIGPIPE, SIG_IGN);
	if (argc == 0)
		uoms_cli_refuse_tty(cli);
	if (o->reject_path != NULL && !o->dry_run &&
	    (p.reject = fopen(o->reject_path, "a")) == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s: %s", o->reject_path,
		    strerror(errno));
	if ((p.s = uoms_store_open(cli->db, o->dry_run ? UOMS_STORE_READ :
	    UOMS_STORE_UPDATE, &cli->config, why, sizeof why)) == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s", why);
	uoms_store_set_actor(p.s, cli->actor);
	if ((p.parser = uoms_parser_new()) == NULL)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't set up the JSON parser");
	for (int i = 0; i < argc; i++)
		push_ref(&p, argv[i], strlen(argv[i]), 1, 0);
	if (argc == 0) {
		enum uoms_line_status st;

		if (uoms_line_open(&lr, NULL, (size_t)line_max) < 0)
			uoms_die(UOMS_EXIT_CANNOT, NULL, "stdin: %s",
			    strerror(errno));
		while ((st = uoms_line_next(&lr, &line, &len, why,
		    sizeof why)) != UOMS_LINE_EOF) {
			char where[40];

			snprintf(where, sizeof where, "line %ld", lr.lineno);
			if (st == UOMS_LINE_IOERR)
				uoms_die(UOMS_EXIT_CANNOT, NULL, "stdin: %s",
				    strerror(errno));
			if (st == UOMS_LINE_BAD)
				refuse(&p, line, len, 0, lr.lineno,
				    UOMS_INVALID, where, why);
			else if (!uoms_line_blank(line, len))
				push_ref(&p, line, len, 0, lr.lineno);
		}
		uoms_line_close(&lr);
	}
	if (uoms_out_flush() < 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "can't write stdout");
	for (int i = 0; i < p.nch; i++)
		uoms_channel_free(&p.ch[i]);
	free(p.ch);
	if (p.reject != NULL && fclose(p.reject) != 0)
		uoms_die(UOMS_EXIT_CANNOT, NULL, "%s: %s", o->reject_path,
		    strerror(errno));
	uoms_parser_free(p.parser);
	uoms_store_close(p.s);
	uoms_config_free(&cli->config);
	return p.refused > 0 ? UOMS_EXIT_REFUSED : UOMS_EXIT_OK;
}

enum uoms_code
uoms_push_order(struct uoms_store *s, const struct uoms_fetch_opts *fo,
    long long id, struct uoms_buf *out, struct uoms_error *e)
{
	static const struct uoms_push_opts o = { 0 };
	struct pusher p = { .o = &o, .s = s, .fo = *fo, .out = out,
	    .err = e };
	char ref[32];

	e->code = UOMS_OK;
	p.fo.dry_run = 0;
	snprintf(ref, sizeof ref, "%lld", id);
	push_ref(&p, ref, strlen(ref), 1, 0);
	for (int i = 0; i < p.nch; i++)
		uoms_channel_free(&p.ch[i]);
	free(p.ch);
	return e->code;
}
