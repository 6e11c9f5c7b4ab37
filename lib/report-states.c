/*
 * The state classes of every workflow (uoms_workflow_classes) as SQL:
 * the reports ask the store for orders whose (workflow, status) has a
 * class, so what a state means comes from the workflow files, never from
 * state names.
 */
#include <stdlib.h>
#include <string.h>

#include "report_priv.h"

static int
add_pair(struct classes *c, const char *wf, const char *st, int k)
{
	struct pair *np = realloc(c->p, sizeof *np * (c->n + 1));

	if (np == NULL)
		return -1;
	c->p = np;
	np[c->n].wf = strdup(wf);
	np[c->n].st = strdup(st);
	np[c->n].k = k;
	if (np[c->n].wf == NULL || np[c->n].st == NULL)
		return -1;
	c->n++;
	return 0;
}


/* Adds what w's states mean to c: a pair per state, and w to the
 * workflows without a payment step when it has none. */
static int
classes_add(struct classes *c, const struct uoms_workflow *w)
{
	int *k = calloc(w->nstates + 1, sizeof *k), rc = -1;

	if (k == NULL || uoms_workflow_classes(w, k) < 0)
		goto out;
	for (int i = 0; i < w->nstates; i++)
		if (add_pair(c, w->name, w->states[i].name, k[i]) < 0)
			goto out;
	if (!uoms_workflow_pays(w)) {
		char **nv = realloc(c->nopay, sizeof *nv * (c->nnopay + 1));

		if (nv == NULL)
			goto out;
		c->nopay = nv;
		if ((nv[c->nnopay] = strdup(w->name)) == NULL)
			goto out;
		c->nnopay++;
	}
	rc = 0;
out:
	free(k);
	return rc;
}

void
report_classes_free(struct classes *c)
{
	for (int i = 0; i < c->n; i++) {
		free(c->p[i].wf);
		free(c->p[i].st);
	}
	for (int i = 0; i < c->nnopay; i++)
		free(c->nopay[i]);
	free(c->p);
	free(c->nopay);
}

/* Loads what every known workflow's states mean. A workflow file that
 * does not load is left out: its orders' states belong to no class. */
int
report_classes_load(struct classes *c, const char *const dirs[2])
{
	char **names, why[512];
	int n, rc = 0;

	memset(c, 0, sizeof *c);
	if (uoms_workflow_names(dirs, &names, &n) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		const struct uoms_workflow *w = uoms_workflow_get(names[i],
		    why, sizeof why);

		if (w != NULL && rc == 0)
			rc = classes_add(c, w);
		free(names[i]);
	}
	free(names);
	return rc;
}

static void
quote(struct uoms_buf *b, const char *s)
{
	uoms_buf_str(b, "'");
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			uoms_buf_add(b, "'", 1);
		uoms_buf_add(b, s, 1);
	}
	uoms_buf_str(b, "'");
}

/* Whether every known state called name has class k. */
static int
same_everywhere(const struct classes *c, const char *name, int k)
{
	for (int i = 0; i < c->n; i++)
		if (strcmp(c->p[i].st, name) == 0 && !(c->p[i].k & k))
			return 0;
	return 1;
}

/*
 * SQL that is true for the orders whose (workflow, status) in columns wf,
 * st have class k: a list of state names where a name means the same in
 * every workflow, pairs where it does not.
 */
void
report_pred(struct uoms_buf *b, const struct classes *c, int k, const char *wf,
    const char *st)
{
	int n = 0;

	uoms_buf_str(b, "(");
	for (int i = 0; i < c->n; i++) {
		int seen = 0;

		if (!(c->p[i].k & k) || !same_everywhere(c, c->p[i].st, k))
			continue;
		for (int j = 0; j < i; j++)
			seen |= strcmp(c->p[j].st, c->p[i].st) == 0;
		if (seen)
			continue;
		uoms_buf_printf(b, n++ ? ", " : "%s IN (", st);
		quote(b, c->p[i].st);
	}
	if (n > 0)
		uoms_buf_str(b, ")");
	for (int i = 0; i < c->n; i++) {
		if (!(c->p[i].k & k) || same_everywhere(c, c->p[i].st, k))
			continue;
		uoms_buf_printf(b, "%s(%s = ", n++ ? " OR " : "", wf);
		quote(b, c->p[i].wf);
		uoms_buf_printf(b, " AND %s = ", st);
		quote(b, c->p[i].st);
		uoms_buf_str(b, ")");
	}
	uoms_buf_str(b, n ? ")" : "FALSE)");
}

/* SQL true for orders whose workflow has no payment step. */
void
report_pred_nopay(struct uoms_buf *b, const struct classes *c, const char *wf)
{
	if (c->nnopay == 0) {
		uoms_buf_str(b, "FALSE");
		return;
	}
	uoms_buf_printf(b, "%s IN (", wf);
	for (int i = 0; i < c->nnopay; i++) {
		if (i)
			uoms_buf_str(b, ", ");
		quote(b, c->nopay[i]);
	}
	uoms_buf_str(b, ")");
}
