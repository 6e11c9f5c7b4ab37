/*
 * word: the channel's last word on an order (uoms(7), channel sync): for
 * every member its lines gave, a digest of the last value each had,
 * apart from the record an operator may have changed since; and the
 * newest channel_updated_at, as a time. lib/ingest.c merges a channel
 * line against it. Digests, not values: the word is only ever compared,
 * and a copy of every order would double the store.
 */
#ifndef UOMS_WORD_H
#define UOMS_WORD_H

#include "buf.h"
#include "order.h"
#include "store.h"

/* Member i of a word: an order member (enum uoms_ofield), or these two,
 * the extra members and the items list, one member each. */
#define UOMS_WORD_EXTRA		UOMS_O_COUNT
#define UOMS_WORD_ITEMS		(UOMS_O_COUNT + 1)
#define UOMS_WORD_COUNT		(UOMS_O_COUNT + 2)
#define UOMS_WORD_DIGEST	8

struct uoms_word {
	int found;			/* the order has a last word */
	/* All zero: the channel never said. */
	unsigned char d[UOMS_WORD_COUNT][UOMS_WORD_DIGEST];
	struct uoms_val updated;	/* channel_updated_at, or absent */
	char updated_s[40];
};

/* Member i's name in the record ("customer", "extra", "items"). */
const char *uoms_word_name(int i);

/* Nonzero when member i is JSON text (an object or the items list). */
int uoms_word_is_json(int i);

/* Appends v to b as JSON: a text as a string, or as it is when raw. */
void uoms_word_value(struct uoms_buf *b, const struct uoms_val *v, int raw);

/* Appends o's items to b as the one JSON array the word digests. */
void uoms_word_items(const struct uoms_order *o, struct uoms_buf *b);

/* Reads order id's word into w (zeroed by the caller); w->found stays 0
 * when it has none (an order stored before migration 6). */
enum uoms_code uoms_word_load(struct uoms_store *s, long long id,
    struct uoms_word *w, struct uoms_error *e);

/*
 * Keeps as order id's word the members line o gives (items, borrowed,
 * its uoms_word_items text or absent) over those of the old word w; a
 * member i with echo[i] set keeps w's.
 */
enum uoms_code uoms_word_save(struct uoms_store *s, long long id,
    const struct uoms_word *w, const struct uoms_order *o,
    const struct uoms_val *items, const int *echo, struct uoms_error *e);

/* Did the channel say member i? Did it last say v for it? */
int uoms_word_said(const struct uoms_word *w, int i);
int uoms_word_same(const struct uoms_word *w, int i,
    const struct uoms_val *v);

/* Nonzero when o's channel_updated_at is older than the word's. */
int uoms_word_stale(const struct uoms_word *w, const struct uoms_order *o);

/* Leaves out of eff (a copy of o) the members o says as w last did. */
void uoms_word_since(const struct uoms_order *o,
    const struct uoms_val *items, const struct uoms_word *w,
    struct uoms_order *eff);

/*
 * Is there anything to keep of line o in the word? echo[i] set by the
 * caller marks a member o gives as the record has it: an echo of the
 * record, not the channel's word, unless o is newer than w (echo[i] is
 * then cleared, as where w never said member i). Returns nonzero when
 * the word would change.
 */
int uoms_word_news(const struct uoms_order *o, const struct uoms_val *items,
    const struct uoms_word *w, int *echo);

#endif
