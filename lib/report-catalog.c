/*
 * The catalog as the sales reports see it: what an item sold cost and
 * what it is called, read once per (channel, sku) sold (report_priv.h
 * says the rule).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_priv.h"

/* Times without their 'Z' compare as text: "...:00" (a whole second)
 * sorts before "...:00.500" as it should, where "...:00Z" would not. */
static char *
time_key(const char *s)
{
	char *k = strdup(s != NULL ? s : "");
	size_t n;

	if (k != NULL && (n = strlen(k)) > 0 && k[n - 1] == 'Z')
		k[n - 1] = '\0';
	return k;
}

static void
known_free(struct known *k)
{
	for (int i = 0; i < k->n; i++)
		free(k->from[i]);
	free(k->from);
	free(k->cost);
	free(k->channel);
	free(k->sku);
	free(k->name);
	free(k);
}

void
report_catalog_free(struct catalog *c)
{
	for (size_t i = 0; i < c->cap; i++)
		if (c->slot[i] != NULL)
			known_free(c->slot[i]);
	free(c->slot);
	if (c->hist != NULL)
		uoms_db_done(c->hist);
	if (c->prod != NULL)
		uoms_db_done(c->prod);
	if (c->name != NULL)
		uoms_db_done(c->name);
	memset(c, 0, sizeof *c);
}

/* The catalog's statements are the store's, prepared here so that a
 * store that can't run them fails before the first row. */
int
report_catalog_open(struct ctx *x, struct catalog *c)
{
	memset(c, 0, sizeof *c);
	if ((c->hist = uoms_db_stmt(x->s, SQL_REPORT_COST_HISTORY)) == NULL ||
	    (c->prod = uoms_db_stmt(x->s, SQL_REPORT_CATALOG_COST)) == NULL ||
	    (c->name = uoms_db_stmt(x->s, SQL_REPORT_CATALOG_NAME)) == NULL) {
		uoms_db_fail(x->s, x->e, "preparing a report");
		report_catalog_free(c);
		return -1;
	}
	return 0;
}

/* Named statement which (held by the catalog) for (channel, sku),
 * bound; NULL with x->e filled. */
static struct uoms_stmt *
pair_stmt(struct ctx *x, enum uoms_sql which, const char *channel,
    const char *sku)
{
	struct uoms_stmt *st = uoms_db_stmt(x->s, which);

	if (st == NULL) {
		uoms_db_fail(x->s, x->e, "preparing a report");
		return NULL;
	}
	uoms_db_bind_text(st, 1, channel);
	uoms_db_bind_text(st, 2, sku);
	return st;
}

/* Reads what the catalog says of sku for channel into k; -1 with x->e
 * filled. */
static int
known_read(struct ctx *x, struct known *k)
{
	struct uoms_stmt *st;
	int rc, cap = 0;

	if ((st = pair_stmt(x, SQL_REPORT_COST_HISTORY, k->channel,
	    k->sku)) == NULL)
		return -1;
	while ((rc = report_step(x, st)) > 0) {
		if (k->n == cap && (grow(&k->from, cap + 4, sizeof *k->from) <
		    0 || grow(&k->cost, cap + 4, sizeof *k->cost) < 0))
			goto oom;
		if (k->n == cap)
			cap += 4;
		if ((k->from[k->n] = time_key(uoms_db_text(st, 0))) == NULL)
			goto oom;
		k->cost[k->n++] = uoms_db_int(st, 1);
	}
	if (rc < 0)
		return -1;
	if ((st = pair_stmt(x, SQL_REPORT_CATALOG_COST, k->channel,
	    k->sku)) == NULL)
		return -1;
	if ((rc = report_step(x, st)) > 0 && !uoms_db_is_null(st, 0)) {
		k->has_cost = 1;
		k->catalog_cost = uoms_db_int(st, 0);
	}
	if (rc < 0)
		return -1;
	if ((st = pair_stmt(x, SQL_REPORT_CATALOG_NAME, k->channel,
	    k->sku)) == NULL)
		return -1;
	if ((rc = report_step(x, st)) > 0 &&
	    (k->name = strdup(uoms_db_text(st, 0))) == NULL)
		goto oom;
	return rc < 0 ? -1 : 0;
oom:
	uoms_fail(x->e, UOMS_INTERNAL, "out of memory");
	return -1;
}

/* What the catalog says of sku for orders of channel (read when first
 * asked); NULL with x->e filled. */
struct known *
report_catalog_get(struct ctx *x, struct catalog *c, const char *channel,
    const char *sku)
{
	struct known *k;
	size_t i;

	if (c->n * 2 >= c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct known **ns = calloc(cap, sizeof *ns);

		if (ns == NULL)
			goto oom;
		for (size_t j = 0; j < c->cap; j++) {
			if ((k = c->slot[j]) == NULL)
				continue;
			i = report_key_hash(k->channel, k->sku, NULL) &
			    (cap - 1);
			while (ns[i] != NULL)
				i = (i + 1) & (cap - 1);
			ns[i] = k;
		}
		free(c->slot);
		c->slot = ns;
		c->cap = cap;
	}
	i = report_key_hash(channel, sku, NULL) & (c->cap - 1);
	for (; (k = c->slot[i]) != NULL; i = (i + 1) & (c->cap - 1))
		if (strcmp(k->channel, channel) == 0 &&
		    strcmp(k->sku, sku) == 0)
			return k;
	if ((k = calloc(1, sizeof *k)) == NULL ||
	    (k->channel = strdup(channel)) == NULL ||
	    (k->sku = strdup(sku)) == NULL) {
		if (k != NULL)
			known_free(k);
		goto oom;
	}
	if (known_read(x, k) < 0) {
		known_free(k);
		return NULL;
	}
	c->slot[i] = k;
	c->n++;
	return k;
oom:
	uoms_fail(x->e, UOMS_INTERNAL, "out of memory");
	return NULL;
}

/* The cost of one unit of k sold at stored time sold into *cost: 1, or
 * 0 when it is not known. */
int
report_known_cost(const struct known *k, const char *sold,
    long long *cost)
{
	char key[64];
	size_t n;
	int lo = 0, hi = k->n;

	if (k->n == 0) {
		*cost = k->catalog_cost;
		return k->has_cost;
	}
	snprintf(key, sizeof key, "%s", sold != NULL ? sold : "");
	if ((n = strlen(key)) > 0 && key[n - 1] == 'Z')
		key[n - 1] = '\0';
	/* The first valid_from after the sale; the one before it holds. */
	while (lo < hi) {
		int m = lo + (hi - lo) / 2;

		if (strcmp(k->from[m], key) <= 0)
			lo = m + 1;
		else
			hi = m;
	}
	*cost = k->cost[lo > 0 ? lo - 1 : 0];
	return 1;
}
