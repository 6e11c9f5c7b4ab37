/*
 * copy: a whole store into another, on either engine (uoms-copy(1)),
 * in one transaction of the target, verified table by table.
 */
#ifndef UOMS_COPY_H
#define UOMS_COPY_H

#include "err.h"
#include "store.h"

struct uoms_copy_opts {
	int replace;		/* a target with rows is emptied first */
	/* Called as rows go (every 1 000 and at each table's end); NULL
	 * for none. total is the table's rows. */
	void (*progress)(void *arg, const char *table, long long done,
	    long long total);
	void *arg;
};

/* What one table held, in the source and, after the copy, the target. */
struct uoms_copy_table {
	const char *name;
	long long rows;
	unsigned char sum[8];	/* of its rows, whatever their order */
};

/*
 * Copies every table of from into to. UOMS_OK with tables (as many as
 * uoms_store_tables names) filled; else nothing of it stays in to, e
 * says why: to has rows and replace is not set (UOMS_INVALID), a table
 * whose rows or sum differ once written (UOMS_INTERNAL), the stores.
 */
enum uoms_code uoms_copy(struct uoms_store *from, struct uoms_store *to,
    const struct uoms_copy_opts *o, struct uoms_copy_table *tables,
    struct uoms_error *e);

#endif
