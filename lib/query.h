/*
 * query: select orders by filters and stream them, newest first, one row
 * at a time: memory does not grow with the number of orders.
 */
#ifndef UOMS_QUERY_H
#define UOMS_QUERY_H

#include "buf.h"
#include "store.h"

struct uoms_query {
	long long id;			/* 0: any */
	const char *order_no;		/* a prefix */
	const char *channel, *department;
	const char **statuses;		/* NULL-terminated, or NULL: any */
	int on_hold;			/* -1 any, 1 with an open hold, 0 none */
	char placed_from[40], placed_to[40];	/* normalised, "" for none */
	char eta_from[40], eta_to[40];
	long long limit;		/* 0: no limit */
	/* 0: any; else only orders with a smaller id (the next page of a
	 * list newest first: new orders, with larger ids, don't shift it) */
	long long before_id;
	int flat;			/* also select the flat columns */
	int deleted;			/* the deleted orders instead */
};

/* The flat columns (for csv and tables), in this order. */
enum uoms_qcol {
	UOMS_Q_ID, UOMS_Q_CHANNEL, UOMS_Q_EXTERNAL_ORDER_ID, UOMS_Q_ORDER_NO,
	UOMS_Q_KIND, UOMS_Q_WORKFLOW, UOMS_Q_STATUS, UOMS_Q_VERSION,
	UOMS_Q_DEPARTMENT, UOMS_Q_WAREHOUSE, UOMS_Q_CUSTOMER_NAME,
	UOMS_Q_CUSTOMER_PHONE, UOMS_Q_POSTAL_CODE, UOMS_Q_ADDRESS, UOMS_Q_ZONE,
	UOMS_Q_ETA, UOMS_Q_DRIVER_NAME, UOMS_Q_DRIVER_PHONE, UOMS_Q_PLACED_AT,
	UOMS_Q_CHANNEL_UPDATED_AT, UOMS_Q_DEPART_TIME, UOMS_Q_COMPLETE_TIME,
	UOMS_Q_TOTAL_AMOUNT, UOMS_Q_CURRENCY, UOMS_Q_ITEMS, UOMS_Q_CREATED_AT,
	UOMS_Q_UPDATED_AT, UOMS_Q_COUNT
};

/* The csv header name of a flat column. Static. */
const char *uoms_query_column_name(enum uoms_qcol c);

struct uoms_cursor;

/* Starts a query; q is borrowed until close. NULL with e filled on error. */
struct uoms_cursor *uoms_query_open(struct uoms_store *s,
    const struct uoms_query *q, struct uoms_error *e);

/*
 * Steps to the next order: 1 with its record appended to record (when not
 * NULL), 0 at the end, -1 with e filled when the store failed.
 */
int uoms_query_next(struct uoms_cursor *c, struct uoms_buf *record,
    struct uoms_error *e);

/* A flat column of the current row (q->flat), or NULL. Valid until next. */
const char *uoms_query_text(struct uoms_cursor *c, enum uoms_qcol col);

void uoms_query_close(struct uoms_cursor *c);

#endif
