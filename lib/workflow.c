/*
 * workflow: reads a workflow file with libyaml's document loader, checks
 * it whole (uoms-workflow(5) lists every check), and keeps what it read in
 * plain arrays. Every refusal names the file and the node's line and
 * column, so a person can go straight to the mistake.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

#include "workflow.h"
#include "yamldoc.h"

/* Where the tools look when nobody called uoms_workflow_dirs. */
#ifndef UOMS_WORKFLOW_SHIPPED
#ifdef UOMS_DATADIR
#define UOMS_WORKFLOW_SHIPPED UOMS_DATADIR "/workflows"
#else
#define UOMS_WORKFLOW_SHIPPED "/usr/local/share/uoms/workflows"
#endif
#endif
#ifndef UOMS_WORKFLOW_OVERRIDE
#define UOMS_WORKFLOW_OVERRIDE "/etc/uoms/workflows"
#endif

/* The order columns a state may set or clear (SPEC 3.1). */
static const char *const columns[] = { "depart_time", "complete_time" };
#define NCOLUMNS ((int)(sizeof columns / sizeof *columns))

static const char *const top_keys[] = {
	"name", "initial", "states", "transitions"
};
enum { K_NAME, K_INITIAL, K_STATES, K_TRANSITIONS, NTOP };

/* One file being loaded: where to report, and what is built so far. */
struct load {
	const char *path;
	yaml_document_t *doc;
	struct uoms_workflow *w;
	yaml_mark_t *smarks;	/* per state: where its name is */
	char *why;
	size_t whylen;
};

static int
fail(struct load *l, yaml_mark_t mark, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
fail(struct load *l, yaml_mark_t mark, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	uoms_yaml_vfail(l->why, l->whylen, l->path, mark, fmt, ap);
	va_end(ap);
	return -1;
}

static int
nomem(struct load *l)
{
	snprintf(l->why, l->whylen, "%s: %s", l->path, strerror(ENOMEM));
	return -1;
}

static yaml_node_t *
node(struct load *l, int id)
{
	return yaml_document_get_node(l->doc, id);
}

/*
 * Names of workflows, states and actions end up in order lines, on
 * command lines and in URLs: letters, digits, '_', '-' and '.', not
 * starting with '.' (so a workflow name is also a safe file name).
 */
static int
valid_name(const char *s, size_t len)
{
	if (len == 0 || strlen(s) != len || *s == '.')
		return 0;
	for (; *s != '\0'; s++)
		if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') &&
		    !(*s >= '0' && *s <= '9') && *s != '_' && *s != '-' &&
		    *s != '.')
			return 0;
	return 1;
}

/* The scalar text of n if it is a valid name; else fails about what. */
static const char *
name_of(struct load *l, yaml_node_t *n, const char *what)
{
	const char *s = uoms_yaml_scalar(n);

	if (s == NULL) {
		fail(l, n->start_mark, "expected a %s", what);
		return NULL;
	}
	if (!valid_name(s, n->data.scalar.length)) {
		fail(l, n->start_mark, "invalid %s '%s' (letters, digits, "
		    "'_', '-' and '.')", what, s);
		return NULL;
	}
	return s;
}

static int
state_index(const struct uoms_workflow *w, const char *name)
{
	for (int i = 0; i < w->nstates; i++)
		if (strcmp(w->states[i].name, name) == 0)
			return i;
	return -1;
}

/* Reads a boolean option: true, false, yes or no. */
static int
boolean(struct load *l, yaml_node_t *n, const char *opt, int *out)
{
	const char *s = uoms_yaml_scalar(n);

	if (s != NULL && (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0))
		*out = 1;
	else if (s != NULL && (strcmp(s, "false") == 0 ||
	    strcmp(s, "no") == 0))
		*out = 0;
	else
		return fail(l, n->start_mark, "'%s' must be true or false",
		    opt);
	return 0;
}

/* Reads set: or clear: [columns...] into the state's stamps. */
static int
stamps(struct load *l, struct uoms_state *s, yaml_node_t *n, int set)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(l, n->start_mark, "'%s' must be a list of "
		    "timestamp columns", set ? "set" : "clear");
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		yaml_node_t *c = node(l, *it);
		const char *col = uoms_yaml_scalar(c);
		int k;

		for (k = 0; col != NULL && k < NCOLUMNS; k++)
			if (strcmp(col, columns[k]) == 0)
				break;
		if (col == NULL || k == NCOLUMNS)
			return fail(l, c->start_mark, "unknown timestamp "
			    "column '%s' (depart_time, complete_time)",
			    col != NULL ? col : "");
		for (int j = 0; j < s->nstamps; j++)
			if (s->stamps[j].column == columns[k])
				return fail(l, c->start_mark, "timestamp "
				    "column '%s' twice in state '%s'", col,
				    s->name);
		/* A column appears at most once, so NCOLUMNS slots do. */
		s->stamps[s->nstamps].column = columns[k];
		s->stamps[s->nstamps].set = set;
		s->nstamps++;
	}
	return 0;
}

static int
state(struct load *l, struct uoms_state *s, yaml_node_t *opts)
{
	static const char *const names[] = {
		"set", "clear", "assign", "terminal", "ships"
	};
	int seen[5] = { 0 };

	if ((s->stamps = calloc(NCOLUMNS, sizeof *s->stamps)) == NULL)
		return nomem(l);
	if (uoms_yaml_is_null(opts))
		return 0;
	if (opts->type != YAML_MAPPING_NODE)
		return fail(l, opts->start_mark, "state '%s' must be a mapping "
		    "of options (set, clear, assign, terminal, ships)",
		    s->name);
	for (yaml_node_pair_t *p = opts->data.mapping.pairs.start;
	    p < opts->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(l, p->key), *v = node(l, p->value);
		const char *key = uoms_yaml_scalar(k);
		int o;

		for (o = 0; key != NULL && o < 5; o++)
			if (strcmp(key, names[o]) == 0)
				break;
		if (key == NULL || o == 5)
			return fail(l, k->start_mark, "unknown state option "
			    "'%s' (set, clear, assign, terminal, ships)",
			    key != NULL ? key : "");
		if (seen[o]++)
			return fail(l, k->start_mark, "option '%s' twice in "
			    "state '%s'", key, s->name);
		if ((o == 0 || o == 1) && stamps(l, s, v, o == 0) < 0)
			return -1;
		if (o == 2 && boolean(l, v, key, &s->assignable) < 0)
			return -1;
		if (o == 3 && boolean(l, v, key, &s->terminal) < 0)
			return -1;
		if (o == 4 && boolean(l, v, key, &s->ships) < 0)
			return -1;
		/* uoms-push tells a channel of a shipment on entering the
		 * one state that ships: two would make it ask which. */
		if (o == 4 && s->ships && l->w->ships != NULL)
			return fail(l, k->start_mark, "'ships: true' on both "
			    "'%s' and '%s': one state ships", l->w->ships,
			    s->name);
		if (o == 4 && s->ships)
			l->w->ships = s->name;
	}
	return 0;
}

static int
states(struct load *l, yaml_node_t *n)
{
	struct uoms_workflow *w = l->w;
	size_t max;

	if (n->type != YAML_MAPPING_NODE ||
	    n->data.mapping.pairs.top == n->data.mapping.pairs.start)
		return fail(l, n->start_mark, "'states' must be a mapping of "
		    "state names to their options");
	max = n->data.mapping.pairs.top - n->data.mapping.pairs.start;
	if ((w->states = calloc(max, sizeof *w->states)) == NULL ||
	    (l->smarks = calloc(max, sizeof *l->smarks)) == NULL)
		return nomem(l);
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	    p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(l, p->key);
		struct uoms_state *s = &w->states[w->nstates];
		const char *name;

		if ((name = name_of(l, k, "state name")) == NULL)
			return -1;
		if (state_index(w, name) >= 0)
			return fail(l, k->start_mark, "duplicate state '%s'",
			    name);
		if ((s->name = strdup(name)) == NULL)
			return nomem(l);
		l->smarks[w->nstates] = k->start_mark;
		w->nstates++;
		if (state(l, s, node(l, p->value)) < 0)
			return -1;
	}
	return 0;
}

/* The state named by n (its name owned by the workflow), or NULL. */
static const char *
state_ref(struct load *l, yaml_node_t *n, const char *dir)
{
	const char *s = uoms_yaml_scalar(n);
	int i;

	if (s == NULL) {
		fail(l, n->start_mark, "'%s' must name a state", dir);
		return NULL;
	}
	if ((i = state_index(l->w, s)) < 0) {
		fail(l, n->start_mark, "transition %s unknown state '%s'",
		    dir, s);
		return NULL;
	}
	return l->w->states[i].name;
}

static int
roles(struct load *l, yaml_node_t *n, int *admin_only)
{
	int admin = 0, user = 0;

	if (n->type != YAML_SEQUENCE_NODE ||
	    n->data.sequence.items.top == n->data.sequence.items.start)
		return fail(l, n->start_mark, "'roles' must be a list of "
		    "roles (admin, user)");
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		yaml_node_t *r = node(l, *it);
		const char *s = uoms_yaml_scalar(r);

		if (s != NULL && strcmp(s, "admin") == 0)
			admin = 1;
		else if (s != NULL && strcmp(s, "user") == 0)
			user = 1;
		else
			return fail(l, r->start_mark, "unknown role '%s' "
			    "(admin, user)", s != NULL ? s : "");
	}
	/* An admin may force any transition (SPEC 5), so only the
	 * absence of user matters. */
	*admin_only = admin && !user;
	return 0;
}

/*
 * Adds the transition from the state named by fromn, to and the rest as
 * in t (action borrowed from the document; actn its node).
 */
static int
add_transition(struct load *l, yaml_node_t *fromn,
    const struct uoms_transition *t, yaml_node_t *actn)
{
	struct uoms_workflow *w = l->w;
	struct uoms_transition *nt;
	const char *from;

	if ((from = state_ref(l, fromn, "from")) == NULL)
		return -1;
	if (w->states[state_index(w, from)].terminal)
		return fail(l, fromn->start_mark, "transition out of terminal "
		    "state '%s'", from);
	for (int i = 0; i < w->ntransitions; i++) {
		const struct uoms_transition *o = &w->transitions[i];

		if (o->from != from)
			continue;
		if (o->to == t->to)
			return fail(l, fromn->start_mark, "duplicate "
			    "transition from '%s' to '%s'", from, t->to);
		if (t->action != NULL && o->action != NULL &&
		    strcmp(o->action, t->action) == 0)
			return fail(l, actn->start_mark, "action '%s' twice "
			    "from state '%s'", t->action, from);
	}
	nt = realloc(w->transitions, (w->ntransitions + 1) * sizeof *nt);
	if (nt == NULL)
		return nomem(l);
	w->transitions = nt;
	nt += w->ntransitions++;
	*nt = *t;
	nt->from = from;
	nt->action = NULL;
	if (t->action != NULL && (nt->action = strdup(t->action)) == NULL)
		return nomem(l);
	return 0;
}

static int
transition(struct load *l, yaml_node_t *n)
{
	static const char *const names[] = { "from", "to", "action", "roles" };
	yaml_node_t *v[4] = { NULL }, *from;
	struct uoms_transition t = { NULL, NULL, NULL, 0 };

	if (n->type != YAML_MAPPING_NODE)
		return fail(l, n->start_mark, "a transition must be a mapping "
		    "(from, to, action, roles)");
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	    p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(l, p->key);
		const char *key = uoms_yaml_scalar(k);
		int o;

		for (o = 0; key != NULL && o < 4; o++)
			if (strcmp(key, names[o]) == 0)
				break;
		if (key == NULL || o == 4)
			return fail(l, k->start_mark, "unknown transition key "
			    "'%s' (from, to, action, roles)",
			    key != NULL ? key : "");
		if (v[o] != NULL)
			return fail(l, k->start_mark, "key '%s' twice in a "
			    "transition", key);
		v[o] = node(l, p->value);
	}
	if (v[0] == NULL || v[1] == NULL)
		return fail(l, n->start_mark, "a transition needs '%s'",
		    v[0] == NULL ? "from" : "to");
	if ((t.to = state_ref(l, v[1], "to")) == NULL)
		return -1;
	if (v[2] != NULL && (t.action = name_of(l, v[2], "action")) == NULL)
		return -1;
	if (v[3] != NULL && roles(l, v[3], &t.admin_only) < 0)
		return -1;

	/* from: one state, or a list of them, one transition each. */
	from = v[0];
	if (from->type != YAML_SEQUENCE_NODE)
		return add_transition(l, from, &t, v[2]);
	if (from->data.sequence.items.top == from->data.sequence.items.start)
		return fail(l, from->start_mark, "'from' is an empty list");
	for (yaml_node_item_t *it = from->data.sequence.items.start;
	    it < from->data.sequence.items.top; it++)
		if (add_transition(l, node(l, *it), &t, v[2]) < 0)
			return -1;
	return 0;
}

static int
transitions(struct load *l, yaml_node_t *n)
{
	if (n->type != YAML_SEQUENCE_NODE && !uoms_yaml_is_null(n))
		return fail(l, n->start_mark, "'transitions' must be a list");
	if (n->type != YAML_SEQUENCE_NODE)
		return 0;
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++)
		if (transition(l, node(l, *it)) < 0)
			return -1;
	return 0;
}

/* Every state reachable from the initial one; none a dead end. */
static int
graph(struct load *l)
{
	struct uoms_workflow *w = l->w;
	char *seen;
	int *queue, head = 0, tail = 0, rc = 0;

	seen = calloc(w->nstates, 1);
	queue = calloc(w->nstates, sizeof *queue);
	if (seen == NULL || queue == NULL) {
		free(seen);
		free(queue);
		return nomem(l);
	}
	queue[tail++] = state_index(w, w->initial);
	seen[queue[0]] = 1;
	while (head < tail) {
		const char *from = w->states[queue[head++]].name;

		for (int i = 0; i < w->ntransitions; i++) {
			int to = state_index(w, w->transitions[i].to);

			if (w->transitions[i].from == from && !seen[to]) {
				seen[to] = 1;
				queue[tail++] = to;
			}
		}
	}
	for (int i = 0; rc == 0 && i < w->nstates; i++)
		if (!seen[i])
			rc = fail(l, l->smarks[i], "state '%s' is unreachable "
			    "from the initial state '%s'", w->states[i].name,
			    w->initial);
	for (int i = 0; rc == 0 && i < w->nstates; i++) {
		int out = 0;

		for (int j = 0; j < w->ntransitions; j++)
			if (w->transitions[j].from == w->states[i].name)
				out = 1;
		if (!out && !w->states[i].terminal)
			rc = fail(l, l->smarks[i], "dead end: state '%s' is "
			    "not terminal and has no transition out",
			    w->states[i].name);
	}
	free(seen);
	free(queue);
	return rc;
}

static int
document(struct load *l, yaml_node_t *root, const char *name)
{
	struct uoms_workflow *w = l->w;
	yaml_node_t *v[NTOP] = { NULL };
	const char *s;
	int i;

	if (root->type != YAML_MAPPING_NODE)
		return fail(l, root->start_mark, "the file must be a mapping "
		    "(name, initial, states, transitions)");
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
	    p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(l, p->key);
		const char *key = uoms_yaml_scalar(k);

		for (i = 0; key != NULL && i < NTOP; i++)
			if (strcmp(key, top_keys[i]) == 0)
				break;
		if (key == NULL || i == NTOP)
			return fail(l, k->start_mark, "unknown key '%s' "
			    "(name, initial, states, transitions)",
			    key != NULL ? key : "");
		if (v[i] != NULL)
			return fail(l, k->start_mark, "key '%s' twice", key);
		v[i] = node(l, p->value);
	}
	for (i = 0; i < NTOP; i++)
		if (v[i] == NULL)
			return fail(l, root->start_mark, "missing key '%s'",
			    top_keys[i]);

	if ((s = name_of(l, v[K_NAME], "workflow name")) == NULL)
		return -1;
	if (strcmp(s, name) != 0)
		return fail(l, v[K_NAME]->start_mark, "name '%s' differs from "
		    "the file name '%s'", s, name);
	if ((w->name = strdup(s)) == NULL)
		return nomem(l);

	if (states(l, v[K_STATES]) < 0)
		return -1;

	if ((s = uoms_yaml_scalar(v[K_INITIAL])) == NULL)
		return fail(l, v[K_INITIAL]->start_mark, "'initial' must name "
		    "a state");
	if ((i = state_index(w, s)) < 0)
		return fail(l, v[K_INITIAL]->start_mark, "initial state '%s' "
		    "is not a state", s);
	w->initial = w->states[i].name;

	if (transitions(l, v[K_TRANSITIONS]) < 0)
		return -1;
	return graph(l);
}

/*
 * libyaml's reader reports bad bytes (invalid UTF-8) by offset, not by
 * mark; count the lines up to it so every message has the same shape.
 */
static int
reader_fail(struct load *l, FILE *fp, const yaml_parser_t *p)
{
	yaml_mark_t m = { 0, 0, 0 };
	int c;

	rewind(fp);
	for (size_t i = 0; i < p->problem_offset && (c = getc(fp)) != EOF;
	    i++) {
		if (c == '\n') {
			m.line++;
			m.column = 0;
		} else
			m.column++;
	}
	return fail(l, m, "%s", p->problem != NULL ? p->problem :
	    "unreadable");
}

struct uoms_workflow *
uoms_workflow_load(const char *path, const char *name, char *why,
    size_t whylen)
{
	struct load l = { .path = path, .why = why, .whylen = whylen };
	yaml_parser_t parser;
	yaml_document_t doc, more;
	yaml_node_t *root;
	char base[256];
	FILE *fp;
	int rc = -1;

	if (name == NULL) {
		const char *b = strrchr(path, '/');
		size_t n;

		b = b != NULL ? b + 1 : path;
		n = strlen(b);
		if (n > 5 && strcmp(b + n - 5, ".yaml") == 0)
			n -= 5;
		snprintf(base, sizeof base, "%.*s", (int)n, b);
		name = base;
	}
	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(why, whylen, "can't open '%s': %s", path,
		    strerror(errno));
		return NULL;
	}
	if ((l.w = calloc(1, sizeof *l.w)) == NULL ||
	    (l.w->path = strdup(path)) == NULL) {
		nomem(&l);
		uoms_workflow_free(l.w);
		fclose(fp);
		return NULL;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, fp);
	if (!yaml_parser_load(&parser, &doc)) {
		if (parser.error == YAML_READER_ERROR)
			reader_fail(&l, fp, &parser);
		else
			fail(&l, parser.problem_mark, "%s",
			    parser.problem != NULL ? parser.problem :
			    "bad YAML");
		goto out;
	}
	l.doc = &doc;
	if ((root = yaml_document_get_root_node(&doc)) == NULL) {
		yaml_mark_t start = { 0, 0, 0 };

		fail(&l, start, "the file is empty");
	} else if ((rc = document(&l, root, name)) == 0) {
		/* A second document would be silently ignored: refuse it. */
		if (!yaml_parser_load(&parser, &more)) {
			rc = fail(&l, parser.problem_mark, "%s",
			    parser.problem != NULL ? parser.problem :
			    "bad YAML");
		} else {
			if ((root = yaml_document_get_root_node(&more)) != NULL)
				rc = fail(&l, root->start_mark, "a second "
				    "document in the file");
			yaml_document_delete(&more);
		}
	}
	yaml_document_delete(&doc);
out:
	yaml_parser_delete(&parser);
	fclose(fp);
	free(l.smarks);
	if (rc < 0) {
		uoms_workflow_free(l.w);
		return NULL;
	}
	return l.w;
}

void
uoms_workflow_free(struct uoms_workflow *w)
{
	if (w == NULL)
		return;
	for (int i = 0; i < w->nstates; i++) {
		free((char *)w->states[i].name);
		free(w->states[i].stamps);
	}
	for (int i = 0; i < w->ntransitions; i++)
		free((char *)w->transitions[i].action);
	free(w->states);
	free(w->transitions);
	free(w->name);
	free(w->path);
	free(w);
}

const char *
uoms_workflow_ships_state(const struct uoms_workflow *w)
{
	return w->ships;
}

const struct uoms_state *
uoms_workflow_state(const struct uoms_workflow *w, const char *name)
{
	int i = state_index(w, name);

	return i < 0 ? NULL : &w->states[i];
}

const struct uoms_transition *
uoms_workflow_find(const struct uoms_workflow *w, const char *from,
    const char *to, const char *action)
{
	if (from == NULL || (to == NULL && action == NULL))
		return NULL;
	for (int i = 0; i < w->ntransitions; i++) {
		const struct uoms_transition *t = &w->transitions[i];

		if (strcmp(t->from, from) != 0)
			continue;
		if (to != NULL && strcmp(t->to, to) != 0)
			continue;
		if (action != NULL && (t->action == NULL ||
		    strcmp(t->action, action) != 0))
			continue;
		return t;
	}
	return NULL;
}

int
uoms_workflow_path(const struct uoms_workflow *w, const char *from,
    const char *to, int users_only, const char **path, int max)
{
	int src = state_index(w, from), dst = state_index(w, to);
	int *prev, *queue, head = 0, tail = 0, n = -1;

	if (src < 0 || dst < 0)
		return -1;
	if (src == dst)
		return 0;
	prev = malloc(w->nstates * sizeof *prev);
	queue = malloc(w->nstates * sizeof *queue);
	if (prev == NULL || queue == NULL)
		goto out;
	for (int i = 0; i < w->nstates; i++)
		prev[i] = -2;
	prev[src] = -1;
	queue[tail++] = src;
	/* Breadth first: the shortest way is the one the order went. */
	while (head < tail && prev[dst] == -2) {
		int at = queue[head++];

		for (int i = 0; i < w->ntransitions; i++) {
			const struct uoms_transition *t = &w->transitions[i];
			int next;

			if (strcmp(t->from, w->states[at].name) != 0 ||
			    (users_only && t->admin_only))
				continue;
			next = state_index(w, t->to);
			if (next >= 0 && prev[next] == -2) {
				prev[next] = at;
				queue[tail++] = next;
			}
		}
	}
	if (prev[dst] == -2)
		goto out;
	n = 0;
	for (int at = dst; at != src; at = prev[at])
		n++;
	if (n > max) {
		n = -1;
		goto out;
	}
	for (int at = dst, i = n - 1; at != src; at = prev[at], i--)
		path[i] = w->states[at].name;
out:
	free(prev);
	free(queue);
	return n;
}

/* The process's workflows, loaded on first use. */
static struct {
	const char *shipped, *override;
	int set;
	struct uoms_workflow **w;
	int n;
} cache;

void
uoms_workflow_reset(void)
{
	for (int i = 0; i < cache.n; i++)
		uoms_workflow_free(cache.w[i]);
	free(cache.w);
	cache.w = NULL;
	cache.n = 0;
}

void
uoms_workflow_dirs(const char *shipped, const char *override)
{
	/* What was loaded came from the old folders. */
	uoms_workflow_reset();
	cache.shipped = shipped;
	cache.override = override;
	cache.set = 1;
}

/* 1 when path exists, 0 when it does not, -1 with why on other errors. */
static int
exists(const char *path, char *why, size_t whylen)
{
	struct stat st;

	if (stat(path, &st) == 0)
		return 1;
	if (errno == ENOENT || errno == ENOTDIR)
		return 0;
	snprintf(why, whylen, "can't open '%s': %s", path, strerror(errno));
	return -1;
}

static const struct uoms_workflow *workflow_get(const char *name,
    char *why, size_t whylen);

/* The cache grows on first use of a name; uoms-serve's worker threads
 * may ask for one at the same time. Loaded workflows are never freed
 * while serving (only uoms_workflow_reset frees them), so a pointer
 * handed out stays valid after the lock is let go. */
const struct uoms_workflow *
uoms_workflow_get(const char *name, char *why, size_t whylen)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	const struct uoms_workflow *w;

	pthread_mutex_lock(&mu);
	w = workflow_get(name, why, whylen);
	pthread_mutex_unlock(&mu);
	return w;
}

static const struct uoms_workflow *
workflow_get(const char *name, char *why, size_t whylen)
{
	const char *dirs[2];
	struct uoms_workflow *w, **nw;
	char path[4096];
	int i, e = 0;

	if (name == NULL || !valid_name(name, strlen(name))) {
		snprintf(why, whylen, "invalid workflow name '%s'",
		    name != NULL ? name : "");
		return NULL;
	}
	for (i = 0; i < cache.n; i++)
		if (strcmp(cache.w[i]->name, name) == 0)
			return cache.w[i];
	if (!cache.set) {
		cache.shipped = UOMS_WORKFLOW_SHIPPED;
		cache.override = UOMS_WORKFLOW_OVERRIDE;
	}
	/* A file in the override folder replaces the shipped one whole. */
	dirs[0] = cache.override;
	dirs[1] = cache.shipped;
	for (i = 0; i < 2; i++) {
		if (dirs[i] == NULL)
			continue;
		if (snprintf(path, sizeof path, "%s/%s.yaml", dirs[i], name) >=
		    (int)sizeof path) {
			snprintf(why, whylen, "workflow path too long in '%s'",
			    dirs[i]);
			return NULL;
		}
		if ((e = exists(path, why, whylen)) != 0)
			break;
	}
	if (e < 0)
		return NULL;
	if (e == 0) {
		snprintf(why, whylen, "unknown workflow '%s' (looked in '%s' "
		    "and '%s')", name, dirs[0] != NULL ? dirs[0] : "",
		    dirs[1] != NULL ? dirs[1] : "");
		return NULL;
	}
	if ((w = uoms_workflow_load(path, name, why, whylen)) == NULL)
		return NULL;
	if ((nw = realloc(cache.w, (cache.n + 1) * sizeof *nw)) == NULL) {
		uoms_workflow_free(w);
		snprintf(why, whylen, "%s", strerror(ENOMEM));
		return NULL;
	}
	cache.w = nw;
	cache.w[cache.n++] = w;
	return w;
}

/* ---- what states mean: their classes ---- */

static const char *const cancel_actions[] = { "cancel", NULL };
static const char *const pay_actions[] = { "pay", "payment", NULL };

/* Marks every state reachable from a marked one. */
static void
reach(const struct uoms_workflow *w, int *mark)
{
	for (int changed = 1; changed;) {
		changed = 0;
		for (int i = 0; i < w->ntransitions; i++) {
			int f = state_index(w, w->transitions[i].from);
			int t = state_index(w, w->transitions[i].to);

			if (f >= 0 && t >= 0 && mark[f] && !mark[t]) {
				mark[t] = 1;
				changed = 1;
			}
		}
	}
}

static int
sets(const struct uoms_state *st, const char *column)
{
	for (int i = 0; i < st->nstamps; i++)
		if (st->stamps[i].set && strcmp(st->stamps[i].column,
		    column) == 0)
			return 1;
	return 0;
}

static int
is_action(const char *a, const char *const *names)
{
	for (; a != NULL && *names != NULL; names++)
		if (strcmp(a, *names) == 0)
			return 1;
	return 0;
}

/*
 * Departure and completion spread along the transitions: a state after
 * a ship state has shipped, one after a complete state is complete.
 * Delivered or collected without a departure is done too: the backlog is
 * what is still to be worked on.
 */
int
uoms_workflow_classes(const struct uoms_workflow *w, int *k)
{
	int n = w->nstates, *ship = calloc(n + 1, sizeof *ship);
	int *done = calloc(n + 1, sizeof *done), rc = -1;

	if (ship == NULL || done == NULL)
		goto out;
	for (int i = 0; i < n; i++) {
		const struct uoms_state *st = &w->states[i];

		k[i] = 0;
		if (st->terminal && (strcasecmp(st->name, "cancel") == 0 ||
		    strcasecmp(st->name, "cancelled") == 0 ||
		    strcasecmp(st->name, "canceled") == 0))
			k[i] |= UOMS_CLASS_CANCELLED;
		if (sets(st, "depart_time"))
			k[i] |= UOMS_CLASS_SHIP;
		ship[i] = sets(st, "depart_time");
		done[i] = sets(st, "complete_time");
	}
	for (int i = 0; i < w->ntransitions; i++) {
		const struct uoms_transition *t = &w->transitions[i];
		int to = state_index(w, t->to);

		if (to < 0)
			continue;
		if (is_action(t->action, cancel_actions) &&
		    w->states[to].terminal)
			k[to] |= UOMS_CLASS_CANCELLED;
		if (is_action(t->action, pay_actions))
			k[to] |= UOMS_CLASS_PAYMENT;
	}
	reach(w, ship);
	reach(w, done);
	for (int i = 0; i < n; i++) {
		if (!(k[i] & UOMS_CLASS_CANCELLED)) {
			k[i] |= ship[i] ? UOMS_CLASS_SHIPPED : 0;
			k[i] |= done[i] ? UOMS_CLASS_COMPLETE : 0;
		}
		if (!w->states[i].terminal && !(k[i] & (UOMS_CLASS_SHIPPED |
		    UOMS_CLASS_COMPLETE | UOMS_CLASS_CANCELLED)))
			k[i] |= UOMS_CLASS_OPEN;
		if (w->states[i].terminal || (k[i] & (UOMS_CLASS_COMPLETE |
		    UOMS_CLASS_CANCELLED)))
			k[i] |= UOMS_CLASS_DONE;
	}
	rc = 0;
out:
	free(ship);
	free(done);
	return rc;
}

int
uoms_workflow_pays(const struct uoms_workflow *w)
{
	for (int i = 0; i < w->ntransitions; i++)
		if (state_index(w, w->transitions[i].to) >= 0 &&
		    is_action(w->transitions[i].action, pay_actions))
			return 1;
	return 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
uoms_workflow_names(const char *const dirs[2], char ***out, int *nout)
{
	char **v = NULL;
	int n = 0;

	for (int i = 0; i < 2; i++) {
		DIR *d = dirs[i] != NULL ? opendir(dirs[i]) : NULL;
		struct dirent *de;

		while (d != NULL && (de = readdir(d)) != NULL) {
			size_t len = strlen(de->d_name);
			char **nv;

			if (de->d_name[0] == '.' || len <= 5 ||
			    strcmp(de->d_name + len - 5, ".yaml") != 0)
				continue;
			if ((nv = realloc(v, sizeof *v * (n + 1))) == NULL) {
				closedir(d);
				goto fail;
			}
			v = nv;
			if ((v[n] = strndup(de->d_name, len - 5)) == NULL) {
				closedir(d);
				goto fail;
			}
			n++;
		}
		if (d != NULL)
			closedir(d);
	}
	if (n > 0)
		qsort(v, n, sizeof *v, name_cmp);
	/* Drop duplicates: the override folder's file replaces the other. */
	int m = 0;
	for (int i = 0; i < n; i++) {
		if (m > 0 && strcmp(v[m - 1], v[i]) == 0)
			free(v[i]);
		else
			v[m++] = v[i];
	}
	*out = v;
	*nout = m;
	return 0;
fail:
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return -1;
}

