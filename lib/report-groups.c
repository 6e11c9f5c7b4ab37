/*
 * Groups: rows of a report, added up in a hash as orders stream by.
 * SQLite groups by sorting every row it reads; the reports' groups are
 * few (days, channels, departments), so a hash over them does the same
 * work without the sort. Memory grows with the groups, not the orders.
 */
#include <stdlib.h>
#include <string.h>

#include "report_priv.h"

unsigned long long
report_key_hash(const char *a, const char *b, const char *c)
{
	unsigned long long h = 1469598103934665603ULL;
	const char *k[3] = { a, b, c };

	for (int i = 0; i < 3; i++) {
		h = (h ^ (k[i] == NULL ? 1 : 2)) * 1099511628211ULL;
		for (const char *p = k[i]; p != NULL && *p != '\0'; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	}
	return h;
}

/* The group of keys (a, b, c), made when new; NULL when out of memory. */
struct group *
report_groups_get(struct groups *g, const char *a, const char *b, const char *c)
{
	size_t i;

	if (g->n * 2 >= g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 64;
		struct group **ns = calloc(cap, sizeof *ns);

		if (ns == NULL)
			return NULL;
		for (size_t j = 0; j < g->cap; j++) {
			struct group *x = g->slot[j];

			if (x == NULL)
				continue;
			i = report_key_hash(x->k[0], x->k[1], x->k[2]) &
			    (cap - 1);
			while (ns[i] != NULL)
				i = (i + 1) & (cap - 1);
			ns[i] = x;
		}
		free(g->slot);
		g->slot = ns;
		g->cap = cap;
	}
	i = report_key_hash(a, b, c) & (g->cap - 1);
	for (; g->slot[i] != NULL; i = (i + 1) & (g->cap - 1)) {
		struct group *x = g->slot[i];

		if (str_null_eq(x->k[0], a) && str_null_eq(x->k[1], b) &&
		    str_null_eq(x->k[2], c))
			return x;
	}
	struct group *x = calloc(1, sizeof *x);

	if (x == NULL)
		return NULL;
	x->k[0] = a != NULL ? strdup(a) : NULL;
	x->k[1] = b != NULL ? strdup(b) : NULL;
	x->k[2] = c != NULL ? strdup(c) : NULL;
	if ((a != NULL && x->k[0] == NULL) || (b != NULL && x->k[1] == NULL) ||
	    (c != NULL && x->k[2] == NULL)) {
		free(x->k[0]);
		free(x->k[1]);
		free(x->k[2]);
		free(x);
		return NULL;
	}
	g->slot[i] = x;
	g->n++;
	return x;
}

/* Null keys last, like "-" at the bottom of a board. */
static int
key_cmp(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == NULL) - (b == NULL);
	return strcmp(a, b);
}

static int
group_cmp(const void *pa, const void *pb)
{
	const struct group *a = *(struct group *const *)pa;
	const struct group *b = *(struct group *const *)pb;
	int c = key_cmp(a->k[0], b->k[0]);

	if (c == 0)
		c = key_cmp(a->k[1], b->k[1]);
	return c != 0 ? c : key_cmp(a->k[2], b->k[2]);
}

/* The groups in key order, packed to the front of the slots. */
struct group **
report_groups_sorted(struct groups *g)
{
	size_t n = 0;

	for (size_t i = 0; i < g->cap; i++)
		if (g->slot[i] != NULL)
			g->slot[n++] = g->slot[i];
	for (size_t i = n; i < g->cap; i++)
		g->slot[i] = NULL;
	if (n > 0)
		qsort(g->slot, n, sizeof *g->slot, group_cmp);
	return g->slot;
}

void
report_groups_free(struct groups *g)
{
	for (size_t i = 0; i < g->cap; i++)
		if (g->slot[i] != NULL) {
			free(g->slot[i]->k[0]);
			free(g->slot[i]->k[1]);
			free(g->slot[i]->k[2]);
			free(g->slot[i]->name);
			free(g->slot[i]);
		}
	free(g->slot);
	memset(g, 0, sizeof *g);
}
