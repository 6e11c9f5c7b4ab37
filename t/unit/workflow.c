/*
 * workflow: the shipped workflows say what SPEC 6 says, the override
 * folder beats the shipped one, and every broken file is refused with
 * its line. TAP; the plan is printed once every check has run.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "workflow.h"

static char *lines[1000];
static int nlines, ntests, nfailed;

/* Keeps one line of output for after the plan. */
static void
keep(char *line)
{
	if (nlines == (int)(sizeof lines / sizeof *lines))
		abort();
	lines[nlines++] = line;
}

static int
ok(int cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Records "ok N - what" (or "not ok"); main prints them after the plan. */
static int
ok(int cond, const char *fmt, ...)
{
	char what[512], *line;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (asprintf(&line, "%sok %d - %s", cond ? "" : "not ", ++ntests,
	    what) < 0)
		abort();
	keep(line);
	if (!cond)
		nfailed++;
	return cond;
}

static void
diag(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static void
diag(const char *fmt, ...)
{
	char what[512], *line;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (asprintf(&line, "# %s", what) < 0)
		abort();
	keep(line);
}

static const char *src;

static char *
srcpath(const char *rel)
{
	static char buf[8][4096];
	static int i;
	char *p = buf[i++ % 8];

	snprintf(p, sizeof buf[0], "%s/%s", src, rel);
	return p;
}

struct want_state {
	const char *name;
	int terminal, assignable;
	const char *stamps;	/* "+col" set, "-col" cleared, file order */
};

struct want_tr {
	const char *from, *to, *action;
	int admin_only;
};

struct want {
	const char *file, *name, *initial;
	const struct want_state *states;
	const struct want_tr *trs;
};

static const struct want_state dispatch_states[] = {
	{ "WAITING", 0, 1, "-depart_time -complete_time" },
	{ "IN_PROGRESS", 0, 0, "+depart_time" },
	{ "COMPLETE", 1, 0, "+complete_time" },
	{ "ISSUE", 1, 0, "+complete_time" },
	{ "CANCEL", 1, 0, "-depart_time -complete_time" },
	{ NULL, 0, 0, NULL }
};
static const struct want_tr dispatch_trs[] = {
	{ "WAITING", "IN_PROGRESS", "depart", 0 },
	{ "WAITING", "CANCEL", "cancel", 0 },
	{ "IN_PROGRESS", "COMPLETE", "complete", 0 },
	{ "IN_PROGRESS", "ISSUE", "issue", 0 },
	{ "IN_PROGRESS", "CANCEL", "cancel", 0 },
	{ NULL, NULL, NULL, 0 }
};

static const struct want_state food_states[] = {
	{ "pending_payment", 0, 0, "" },
	{ "pending_acceptance", 0, 0, "" },
	{ "preparing", 0, 1, "" },
	{ "ready_for_pickup", 0, 1, "" },
	{ "in_transit", 0, 0, "+depart_time" },
	{ "delivered", 1, 0, "+complete_time" },
	{ "cancelled", 1, 0, "" },
	{ NULL, 0, 0, NULL }
};
static const struct want_tr food_trs[] = {
	{ "pending_payment", "pending_acceptance", "payment", 0 },
	{ "pending_acceptance", "preparing", "acceptance", 0 },
	{ "preparing", "ready_for_pickup", "preparation-complete", 0 },
	{ "ready_for_pickup", "in_transit", "pickup", 0 },
	{ "in_transit", "delivered", "delivery", 0 },
	{ "pending_payment", "cancelled", "cancel", 0 },
	{ "pending_acceptance", "cancelled", "cancel", 0 },
	{ "preparing", "cancelled", "cancel", 0 },
	{ "ready_for_pickup", "cancelled", "cancel", 0 },
	{ NULL, NULL, NULL, 0 }
};

static const struct want_state ful_states[] = {
	{ "created", 0, 1, "" },
	{ "paid", 0, 1, "" },
	{ "picking", 0, 1, "" },
	{ "packed", 0, 1, "" },
	{ "shipped", 0, 0, "+depart_time" },
	{ "delivered", 0, 0, "+complete_time" },
	{ "returned", 1, 0, "" },
	{ "cancelled", 1, 0, "" },
	{ NULL, 0, 0, NULL }
};
static const struct want_tr ful_trs[] = {
	{ "created", "paid", "pay", 0 },
	{ "paid", "picking", "pick", 0 },
	{ "picking", "packed", "pack", 0 },
	{ "packed", "shipped", "ship", 0 },
	{ "shipped", "delivered", "deliver", 0 },
	{ "delivered", "returned", "return", 0 },
	{ "created", "cancelled", "cancel", 0 },
	{ "paid", "cancelled", "cancel", 0 },
	{ "picking", "cancelled", "cancel", 0 },
	{ "packed", "cancelled", "cancel", 0 },
	{ NULL, NULL, NULL, 0 }
};

/* A valid file using roles and from lists. */
static const struct want_state roles_states[] = {
	{ "NEW", 0, 1, "" },
	{ "OPEN", 0, 0, "" },
	{ "REVIEW", 0, 0, "+depart_time -complete_time" },
	{ "DONE", 1, 0, "+complete_time" },
	{ "VOID", 1, 0, "" },
	{ NULL, 0, 0, NULL }
};
static const struct want_tr roles_trs[] = {
	{ "NEW", "OPEN", "open", 0 },
	{ "OPEN", "REVIEW", "review", 1 },
	{ "REVIEW", "DONE", "approve", 1 },
	{ "REVIEW", "OPEN", NULL, 0 },
	{ "NEW", "VOID", "void", 1 },
	{ "OPEN", "VOID", "void", 1 },
	{ "REVIEW", "VOID", "void", 1 },
	{ NULL, NULL, NULL, 0 }
};

static const struct want wants[] = {
	{ "share/uoms/workflows/dispatch.yaml", "dispatch", "WAITING",
	    dispatch_states, dispatch_trs },
	{ "share/uoms/workflows/food-delivery.yaml", "food-delivery",
	    "pending_payment", food_states, food_trs },
	{ "share/uoms/workflows/fulfillment.yaml", "fulfillment", "created",
	    ful_states, ful_trs },
	{ "t/data/workflow-roles.yaml", "workflow-roles", "NEW",
	    roles_states, roles_trs },
};

static void
stampstr(const struct uoms_state *s, char *buf, size_t len)
{
	*buf = '\0';
	for (int i = 0; i < s->nstamps; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%c%s",
		    i > 0 ? " " : "", s->stamps[i].set ? '+' : '-',
		    s->stamps[i].column);
}

static int
count(const struct want_tr *t, int n)
{
	return t[n].from == NULL ? n : count(t, n + 1);
}

static void
check(const struct uoms_workflow *w, const struct want *x)
{
	const struct uoms_transition *t;
	char buf[256];
	int n;

	ok(strcmp(w->name, x->name) == 0, "%s: name", x->name);
	ok(strcmp(w->initial, x->initial) == 0, "%s: initial %s", x->name,
	    x->initial);
	for (n = 0; x->states[n].name != NULL; n++) {
		const struct want_state *ws = &x->states[n];
		const struct uoms_state *s = uoms_workflow_state(w, ws->name);

		if (!ok(s != NULL, "%s: state %s", x->name, ws->name))
			continue;
		stampstr(s, buf, sizeof buf);
		ok(s->terminal == ws->terminal &&
		    s->assignable == ws->assignable &&
		    strcmp(buf, ws->stamps) == 0,
		    "%s: %s terminal %d assign %d stamps '%s' (got %d %d '%s')",
		    x->name, ws->name, ws->terminal, ws->assignable,
		    ws->stamps, s->terminal, s->assignable, buf);
	}
	ok(w->nstates == n, "%s: %d states (got %d)", x->name, n,
	    w->nstates);
	for (n = 0; x->trs[n].from != NULL; n++) {
		const struct want_tr *wt = &x->trs[n];

		t = uoms_workflow_find(w, wt->from, wt->to, NULL);
		ok(t != NULL && (wt->action == NULL ? t->action == NULL :
		    t->action != NULL && strcmp(t->action, wt->action) == 0) &&
		    t->admin_only == wt->admin_only,
		    "%s: %s -> %s by to: action %s, admin_only %d", x->name,
		    wt->from, wt->to, wt->action ? wt->action : "(none)",
		    wt->admin_only);
		if (wt->action == NULL)
			continue;
		t = uoms_workflow_find(w, wt->from, NULL, wt->action);
		ok(t != NULL && strcmp(t->to, wt->to) == 0,
		    "%s: %s -%s-> %s by action", x->name, wt->from,
		    wt->action, wt->to);
	}
	ok(w->ntransitions == count(x->trs, 0), "%s: %d transitions (got %d)",
	    x->name, count(x->trs, 0), w->ntransitions);
	for (int i = 0; i < w->ntransitions; i++) {
		const struct uoms_state *s;

		s = uoms_workflow_state(w, w->transitions[i].from);
		ok(s != NULL && !s->terminal, "%s: %s -> %s leaves a "
		    "non-terminal state", x->name, w->transitions[i].from,
		    w->transitions[i].to);
	}
	ok(uoms_workflow_find(w, x->initial, NULL, "nosuch") == NULL,
	    "%s: unknown action finds nothing", x->name);
	ok(uoms_workflow_state(w, "nosuch") == NULL,
	    "%s: unknown state finds nothing", x->name);
}

/* A broken file, the fragment its refusal must carry, and its line. */
static const struct {
	const char *file, *why;
	int line;
} broken[] = {
	{ "not-mapping", "the file must be a mapping", 2 },
	{ "missing-key", "missing key 'transitions'", 2 },
	{ "unknown-key", "unknown key 'description'", 3 },
	{ "name-mismatch", "name 'dispatch' differs from the file name "
	    "'workflow-name-mismatch'", 1 },
	{ "no-initial", "missing key 'initial'", 1 },
	{ "bad-initial", "initial state 'START' is not a state", 5 },
	{ "dup-state", "duplicate state 'A'", 6 },
	{ "state-option", "unknown state option 'notify'", 5 },
	{ "bad-column", "unknown timestamp column 'eta'", 7 },
	{ "to-unknown", "transition to unknown state 'DONE'", 8 },
	{ "from-unknown", "transition from unknown state 'START'", 9 },
	{ "from-terminal", "transition out of terminal state 'B'", 9 },
	{ "dup-transition", "duplicate transition from 'A' to 'B'", 8 },
	{ "dup-action", "action 'go' twice from state 'A'", 9 },
	{ "unreachable", "state 'LOST' is unreachable", 6 },
	{ "dead-end", "dead end: state 'B'", 5 },
	{ "syntax", "did not find expected", 4 },
	{ "bad-role", "unknown role 'driver'", 7 },
	{ "bad-bool", "'assign' must be true or false", 4 },
	{ "no-to", "a transition needs 'to'", 8 },
	{ "two-docs", "a second document", 7 },
	{ "bad-name", "invalid state name 'IN PROGRESS'", 5 },
	{ "empty", "the file is empty", 1 },
	{ "bad-utf8", "invalid", 4 },
	{ "two-ships", "'ships: true' on both 'A' and 'B'", 5 },
};

/* The state each shipped workflow marks as shipping, for uoms-push. */
static void
check_ships(void)
{
	static const struct {
		const char *file, *ships;
	} ships[] = {
		{ "share/uoms/workflows/dispatch.yaml", "IN_PROGRESS" },
		{ "share/uoms/workflows/fulfillment.yaml", "shipped" },
		{ "share/uoms/workflows/food-delivery.yaml", "in_transit" },
		{ "t/data/workflow-roles.yaml", NULL },
	};
	char why[512];

	for (size_t i = 0; i < sizeof ships / sizeof *ships; i++) {
		struct uoms_workflow *w = uoms_workflow_load(
		    srcpath(ships[i].file), NULL, why, sizeof why);
		const char *got = w != NULL ? uoms_workflow_ships_state(w) :
		    NULL;

		ok(w != NULL && (ships[i].ships == NULL ? got == NULL :
		    got != NULL && strcmp(got, ships[i].ships) == 0 &&
		    uoms_workflow_state(w, got)->ships),
		    "%s ships in %s (got %s)", ships[i].file,
		    ships[i].ships != NULL ? ships[i].ships : "no state",
		    got != NULL ? got : "none");
		uoms_workflow_free(w);
	}
}

static void
check_broken(void)
{
	for (size_t i = 0; i < sizeof broken / sizeof *broken; i++) {
		struct uoms_workflow *w;
		char rel[256], why[512], at[64];
		const char *path;

		snprintf(rel, sizeof rel, "t/data/workflow-%s.yaml",
		    broken[i].file);
		path = srcpath(rel);
		snprintf(at, sizeof at, ": line %d, column ", broken[i].line);
		why[0] = '\0';
		w = uoms_workflow_load(path, NULL, why, sizeof why);
		ok(w == NULL && strncmp(why, path, strlen(path)) == 0 &&
		    strstr(why, at) != NULL && strstr(why, broken[i].why) !=
		    NULL, "%s refused: line %d: %s", broken[i].file,
		    broken[i].line, broken[i].why);
		if (w != NULL || strstr(why, broken[i].why) == NULL ||
		    strstr(why, at) == NULL)
			diag("got: %s", why);
		uoms_workflow_free(w);
	}
}

static int
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL)
		return -1;
	fputs(text, fp);
	return fclose(fp);
}

static void
check_get(void)
{
	const struct uoms_workflow *w, *w2;
	char tmpl[] = "/tmp/uoms-workflow-XXXXXX", *dir, path[4096], why[512];
	char path2[4096];
	const char *shipped = srcpath("share/uoms/workflows");

	if (!ok((dir = mkdtemp(tmpl)) != NULL, "made a temporary folder"))
		return;
	snprintf(path, sizeof path, "%s/dispatch.yaml", dir);
	snprintf(path2, sizeof path2, "%s/fulfillment.yaml", dir);
	ok(write_file(path,
	    "name: dispatch\n"
	    "initial: NEW\n"
	    "states:\n"
	    "  NEW: { assign: true }\n"
	    "  GONE: { terminal: true }\n"
	    "transitions:\n"
	    "  - { from: NEW, to: GONE, action: go }\n") == 0,
	    "wrote an override dispatch.yaml");
	ok(write_file(path2, "name: fulfillment\ninitial: [\n") == 0,
	    "wrote a broken override fulfillment.yaml");

	uoms_workflow_dirs(shipped, NULL);
	w = uoms_workflow_get("dispatch", why, sizeof why);
	ok(w != NULL && strcmp(w->initial, "WAITING") == 0,
	    "without an override, the shipped dispatch");
	ok(uoms_workflow_get("dispatch", why, sizeof why) == w,
	    "a second get returns the cached workflow");

	uoms_workflow_dirs(shipped, dir);
	w = uoms_workflow_get("dispatch", why, sizeof why);
	ok(w != NULL && strcmp(w->initial, "NEW") == 0 &&
	    strcmp(w->path, path) == 0, "the override dispatch beats the "
	    "shipped one");
	w2 = uoms_workflow_get("food-delivery", why, sizeof why);
	ok(w2 != NULL && strcmp(w2->initial, "pending_payment") == 0,
	    "food-delivery, not overridden, comes from the shipped folder");
	ok(uoms_workflow_get("dispatch", why, sizeof why) == w &&
	    uoms_workflow_get("food-delivery", why, sizeof why) == w2,
	    "both are cached");
	why[0] = '\0';
	ok(uoms_workflow_get("fulfillment", why, sizeof why) == NULL &&
	    strstr(why, path2) != NULL && strstr(why, "line 3, column") !=
	    NULL, "a broken override is refused, not skipped: %s", why);
	why[0] = '\0';
	ok(uoms_workflow_get("nosuch", why, sizeof why) == NULL &&
	    strstr(why, "unknown workflow 'nosuch'") != NULL,
	    "an unknown workflow is refused: %s", why);
	why[0] = '\0';
	ok(uoms_workflow_get("../dispatch", why, sizeof why) == NULL &&
	    strstr(why, "invalid workflow name") != NULL,
	    "a name with '/' is refused");
	ok(uoms_workflow_get("sub/dispatch", why, sizeof why) == NULL,
	    "a name with '/' inside is refused");
	ok(uoms_workflow_get(".dispatch", why, sizeof why) == NULL,
	    "a name starting with '.' is refused");
	ok(uoms_workflow_get("", why, sizeof why) == NULL,
	    "an empty name is refused");

	unlink(path);
	unlink(path2);
	rmdir(dir);
	uoms_workflow_reset();
}

/*
 * What each state means to the reports (uoms_workflow_classes), as
 * letters: C cancelled, s ship, S shipped, X complete, P payment, O open,
 * D done.
 */
static void
classstr(int k, char *out)
{
	static const struct {
		int bit;
		char c;
	} letters[] = {
		{ UOMS_CLASS_CANCELLED, 'C' }, { UOMS_CLASS_SHIP, 's' },
		{ UOMS_CLASS_SHIPPED, 'S' }, { UOMS_CLASS_COMPLETE, 'X' },
		{ UOMS_CLASS_PAYMENT, 'P' }, { UOMS_CLASS_OPEN, 'O' },
		{ UOMS_CLASS_DONE, 'D' },
	};
	int n = 0;

	for (size_t i = 0; i < sizeof letters / sizeof *letters; i++)
		if (k & letters[i].bit)
			out[n++] = letters[i].c;
	out[n] = '\0';
}

/* The classes of every state of the workflow in file (its states in
 * order, space separated) and whether it pays. */
static void
check_classes_of(const char *file, const char *want, int pays)
{
	char why[512], got[512] = "", one[16];
	struct uoms_workflow *w = uoms_workflow_load(file, NULL, why,
	    sizeof why);
	int *k;

	if (!ok(w != NULL, "%s loads for its classes%s%s", file,
	    w == NULL ? ": " : "", w == NULL ? why : ""))
		return;
	if ((k = calloc(w->nstates, sizeof *k)) == NULL)
		abort();
	ok(uoms_workflow_classes(w, k) == 0, "%s: classes made", w->name);
	for (int i = 0; i < w->nstates; i++) {
		classstr(k[i], one);
		snprintf(got + strlen(got), sizeof got - strlen(got),
		    "%s%s=%s", i > 0 ? " " : "", w->states[i].name, one);
	}
	if (!ok(strcmp(got, want) == 0, "%s: state classes %s", w->name,
	    want))
		diag("got: %s", got);
	ok(uoms_workflow_pays(w) == pays, "%s %s a payment step", w->name,
	    pays ? "has" : "has no");
	free(k);
	uoms_workflow_free(w);
}

static void
check_classes(void)
{
	char tmpl[] = "/tmp/uoms-classes-XXXXXX", *dir, path[4096];

	check_classes_of(srcpath("share/uoms/workflows/dispatch.yaml"),
	    "WAITING=O IN_PROGRESS=sS COMPLETE=SXD ISSUE=SXD CANCEL=CD", 0);
	check_classes_of(srcpath("share/uoms/workflows/fulfillment.yaml"),
	    "created=O paid=PO picking=O packed=O shipped=sS delivered=SXD "
	    "returned=SXD cancelled=CD", 1);
	check_classes_of(srcpath("share/uoms/workflows/food-delivery.yaml"),
	    "pending_payment=O pending_acceptance=PO preparing=O "
	    "ready_for_pickup=O in_transit=sS delivered=SXD cancelled=CD", 1);
	/* Back from REVIEW (which departs) to OPEN: OPEN has shipped too;
	 * VOID is terminal but neither named nor led to as a cancel. */
	check_classes_of(srcpath("t/data/workflow-roles.yaml"),
	    "NEW=O OPEN=S REVIEW=sS DONE=SXD VOID=SD", 0);
	/* A cancel into a state that goes on is no cancellation; a terminal
	 * state named Canceled is one, whatever leads to it. */
	if (!ok((dir = mkdtemp(tmpl)) != NULL, "made a temporary folder"))
		return;
	snprintf(path, sizeof path, "%s/edge.yaml", dir);
	ok(write_file(path,
	    "name: edge\n"
	    "initial: new\n"
	    "states:\n"
	    "  new: {}\n"
	    "  held: {}\n"
	    "  Canceled: { terminal: true }\n"
	    "  gone: { terminal: true }\n"
	    "transitions:\n"
	    "  - { from: new, to: held, action: cancel }\n"
	    "  - { from: held, to: Canceled }\n"
	    "  - { from: held, to: gone, action: cancel }\n"
	    "  - { from: held, to: new, action: payment }\n") == 0,
	    "wrote edge.yaml");
	check_classes_of(path, "new=PO held=O Canceled=CD gone=CD", 1);
	unlink(path);
	rmdir(dir);
}

/* The workflows two folders hold: *.yaml only, each name once, sorted. */
static void
check_names(void)
{
	char tmpl[] = "/tmp/uoms-names-XXXXXX", *dir, path[4096], got[512];
	const char *dirs[2];
	char **names;
	int n;

	if (!ok((dir = mkdtemp(tmpl)) != NULL, "made a temporary folder"))
		return;
	static const char *const files[] = { "fulfillment.yaml", "zeta.yaml",
	    ".hidden.yaml", "notes.txt", ".yaml" };
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		ok(write_file(path, "x\n") == 0, "wrote %s", files[i]);
	}
	dirs[0] = dir;
	dirs[1] = srcpath("share/uoms/workflows");
	got[0] = '\0';
	ok(uoms_workflow_names(dirs, &names, &n) == 0, "names listed");
	for (int i = 0; i < n; i++) {
		snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s",
		    i > 0 ? " " : "", names[i]);
		free(names[i]);
	}
	free(names);
	ok(strcmp(got, "dispatch food-delivery fulfillment zeta") == 0,
	    "override and shipped names, once each, sorted: %s", got);
	dirs[0] = NULL;
	dirs[1] = "/nonexistent/uoms";
	ok(uoms_workflow_names(dirs, &names, &n) == 0 && n == 0,
	    "no folder, no names");
	free(names);
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

/*
 * The man page's EXAMPLES must stay true: its dispatch.yaml is the shipped
 * one (comments aside), and its repair.yaml loads.
 */
static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *text = NULL;
	size_t len = 0;
	int c;

	if (fp == NULL)
		return NULL;
	while ((c = getc(fp)) != EOF) {
		char *t = realloc(text, len + 2);

		if (t == NULL)
			abort();
		text = t;
		text[len++] = c;
	}
	fclose(fp);
	if (text == NULL && (text = malloc(1)) == NULL)
		abort();
	text[len] = '\0';
	return text;
}

/* The lines after the one where start ends, up to a line equal to end. */
static char *
between(const char *text, const char *start, const char *end)
{
	const char *b = strstr(text, start), *e;
	char *out;

	if (b == NULL || (b = strchr(b + strlen(start) - 1, '\n')) == NULL)
		return NULL;
	b++;
	for (e = b; *e != '\0'; e = strchr(e, '\n') + 1) {
		if (strncmp(e, end, strlen(end)) == 0 &&
		    e[strlen(end)] == '\n')
			break;
		if (strchr(e, '\n') == NULL)
			return NULL;
	}
	if (*e == '\0' || (out = strndup(b, e - b)) == NULL)
		return NULL;
	return out;
}

/* Drops whole-line comments, as the man page shows the file without. */
static void
uncomment(char *s)
{
	char *w = s;

	while (*s != '\0') {
		char *nl = strchr(s, '\n');
		size_t n = nl != NULL ? (size_t)(nl - s + 1) : strlen(s);

		if (*s != '#') {
			memmove(w, s, n);
			w += n;
		}
		s += n;
	}
	*w = '\0';
}

static void
check_man(void)
{
	char *man, *shipped, *ex, why[512];
	char tmpl[] = "/tmp/uoms-workflow-XXXXXX", *dir, path[4096];
	struct uoms_workflow *w = NULL;

	man = slurp(srcpath("man/uoms-workflow.5"));
	shipped = slurp(srcpath("share/uoms/workflows/dispatch.yaml"));
	if (!ok(man != NULL && shipped != NULL, "read the man page")) {
		free(man);
		free(shipped);
		return;
	}
	uncomment(shipped);
	ex = between(man, "The shipped\n.Pa dispatch.yaml :\n.Bd -literal",
	    ".Ed");
	ok(ex != NULL && strcmp(ex, shipped) == 0,
	    "the man page shows the shipped dispatch.yaml");
	free(ex);
	ex = between(man, "cat > /etc/uoms/workflows/repair.yaml <<'EOF'",
	    "EOF");
	if (ok(ex != NULL && (dir = mkdtemp(tmpl)) != NULL,
	    "the man page has the repair example")) {
		snprintf(path, sizeof path, "%s/repair.yaml", dir);
		ok(write_file(path, ex) == 0 && (w = uoms_workflow_load(path,
		    NULL, why, sizeof why)) != NULL &&
		    uoms_workflow_find(w, "on_site", "done", "sign-off") !=
		    NULL && uoms_workflow_find(w, "on_site", "done",
		    NULL)->admin_only && w->ntransitions == 4,
		    "the man page's repair.yaml loads");
		uoms_workflow_free(w);
		unlink(path);
		rmdir(dir);
	}
	free(ex);
	free(man);
	free(shipped);
}

int
main(void)
{
	char why[512];

	if ((src = getenv("UOMS_SRC")) == NULL || *src == '\0')
		src = ".";
	for (size_t i = 0; i < sizeof wants / sizeof *wants; i++) {
		struct uoms_workflow *w;

		w = uoms_workflow_load(srcpath(wants[i].file), NULL, why,
		    sizeof why);
		if (!ok(w != NULL, "%s loads%s%s", wants[i].file,
		    w == NULL ? ": " : "", w == NULL ? why : ""))
			continue;
		check(w, &wants[i]);
		uoms_workflow_free(w);
	}
	ok(uoms_workflow_load(srcpath("share/uoms/workflows/dispatch.yaml"),
	    "other", why, sizeof why) == NULL && strstr(why, "differs") !=
	    NULL, "a name given to load must match the file's");
	check_ships();
	ok(uoms_workflow_load(srcpath("t/data/no-such-file.yaml"), NULL, why,
	    sizeof why) == NULL && strstr(why, "can't open") != NULL,
	    "a missing file is refused");
	check_broken();
	check_get();
	check_classes();
	check_names();
	check_man();

	printf("1..%d\n", ntests);
	for (int i = 0; i < nlines; i++) {
		puts(lines[i]);
		free(lines[i]);
	}
	return nfailed > 0;
}
