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
time_key(const unsigned char *s)
{
	char *k = strdup(s != NULL ? (const char *)s : "");
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
	sqlite3_finalize(c->hist);
	sqlite3_finalize(c->prod);
	sqlite3_finalize(c->name);
	memset(c, 0, sizeof *c);
}

int
report_catalog_open(struct ctx *x, struct catalog *c)
{
	memset(c, 0, sizeof *c);
	c->hist = report_prepare(x, "SELECT valid_from, cost FROM product_costs"
	    " WHERE sku = ?2 AND channel = coalesce((SELECT h.channel"
	    " FROM product_costs h WHERE h.channel = ?1 AND h.sku = ?2"
	    " LIMIT 1), '') ORDER BY rtrim(valid_from, 'Z')");
	c->prod = report_prepare(x, "SELECT cost FROM products WHERE sku = ?2"
	    " AND channel IN (?1, '') ORDER BY channel = '' LIMIT 1");
	c->name = report_prepare(x, "SELECT name FROM products WHERE sku = ?2"
	    " AND channel IN (?1, '') AND name IS NOT NULL"
	    " ORDER BY channel = '' LIMIT 1");
	if (c->hist == NULL || c->prod == NULL || c->name == NULL) {
		report_catalog_free(c);
		return -1;
	}
	return 0;
}

static void
bind_pair(sqlite3_stmt *st, const char *channel, const char *sku)
{
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, sku, -1, SQLITE_STATIC);
}

/* Reads what the catalog says of sku for channel into k; -1 with x->e
 * filled. */
static int
known_read(struct ctx *x, struct catalog *c, struct known *k)
{
	int rc, cap = 0;

	bind_pair(c->hist, k->channel, k->sku);
	while ((rc = report_step(x, c->hist)) > 0) {
		if (k->n == cap && (grow(&k->from, cap + 4, sizeof *k->from) <
		    0 || grow(&k->cost, cap + 4, sizeof *k->cost) < 0))
			goto oom;
		if (k->n == cap)
			cap += 4;
		if ((k->from[k->n] = time_key(sqlite3_column_text(c->hist,
		    0))) == NULL)
			goto oom;
		k->cost[k->n++] = sqlite3_column_int64(c->hist, 1);
	}
	if (rc < 0)
		return -1;
	bind_pair(c->prod, k->channel, k->sku);
	if ((rc = report_step(x, c->prod)) < 0)
		return -1;
	if (rc > 0 && sqlite3_column_type(c->prod, 0) != SQLITE_NULL) {
		k->has_cost = 1;
		k->catalog_cost = sqlite3_column_int64(c->prod, 0);
	}
	bind_pair(c->name, k->channel, k->sku);
	if ((rc = report_step(x, c->name)) < 0)
		return -1;
	if (rc > 0 && (k->name = strdup((const char *)sqlite3_column_text(
	    c->name, 0))) == NULL)
		goto oom;
	return 0;
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
	if (known_read(x, c, k) < 0) {
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
report_known_cost(const struct known *k, const unsigned char *sold,
    long long *cost)
{
	char key[64];
	size_t n;
	int lo = 0, hi = k->n;

	if (k->n == 0) {
		*cost = k->catalog_cost;
		return k->has_cost;
	}
	snprintf(key, sizeof key, "%s", sold != NULL ? (const char *)sold :
	    "");
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
