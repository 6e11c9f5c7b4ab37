/*
 * word: the channel's last word on each order, kept apart from its
 * record for the three-way merge of channel lines (uoms(7), channel
 * sync; lib/ingest.c merges).
 */
#include <stdio.h>
#include <string.h>

#include "rfc3339.h"
#include "db.h"
#include "digest.h"
#include "word.h"

static int
is_object(int f)
{
	return f == UOMS_O_CUSTOMER || f == UOMS_O_SHIPPING ||
	    f == UOMS_O_DRIVER || f == UOMS_O_SHIPMENT;
}

/*
 * Where member i's digest is in the stored word: extra and items first,
 * then the order's members in their order, so that a member added to
 * the record later goes last and an older word reads as not having it.
 */
static int
word_slot(int i)
{
	return i == UOMS_WORD_EXTRA ? 0 : i == UOMS_WORD_ITEMS ? 1 : 2 + i;
}

const char *
uoms_word_name(int i)
{
	return i == UOMS_WORD_EXTRA ? "extra" : i == UOMS_WORD_ITEMS ? "items" :
	    uoms_order_field_name(i);
}

/* Objects and lists are JSON text. */
int
uoms_word_is_json(int i)
{
	return i >= UOMS_O_COUNT || is_object(i);
}

/* The digest of a value as the line or the record has it: the bytes of
 * a text (an object's JSON as written), so equal values written alike. */
static void
word_digest(const struct uoms_val *v, unsigned char d[UOMS_WORD_DIGEST])
{
	unsigned char md[UOMS_SHA256_LEN];
	char num[24];

	if (v->type == UOMS_V_TEXT)
		uoms_sha256(v->s, v->n, md);
	else if (v->type == UOMS_V_INT)
		uoms_sha256(num, snprintf(num, sizeof num, "%lld", v->i), md);
	else
		memset(md, 0x6e, sizeof md);
	/* The type apart: the text "5" is not the number 5. */
	md[1] ^= v->type;
	md[0] |= 1;	/* never all zero: that is "never said" */
	memcpy(d, md, UOMS_WORD_DIGEST);
}

int
uoms_word_said(const struct uoms_word *w, int i)
{
	static const unsigned char none[UOMS_WORD_DIGEST];

	return memcmp(w->d[i], none, UOMS_WORD_DIGEST) != 0;
}

/* Did the channel last say v for member i? */
int
uoms_word_same(const struct uoms_word *w, int i, const struct uoms_val *v)
{
	unsigned char d[UOMS_WORD_DIGEST];

	if (!uoms_word_said(w, i))
		return 0;
	word_digest(v, d);
	return memcmp(d, w->d[i], UOMS_WORD_DIGEST) == 0;
}

void
uoms_word_value(struct uoms_buf *b, const struct uoms_val *v, int raw)
{
	if (v->type == UOMS_V_TEXT && raw)
		uoms_buf_add(b, v->s, v->n);
	else if (v->type == UOMS_V_TEXT)
		uoms_buf_json_string(b, v->s, v->n);
	else if (v->type == UOMS_V_INT)
		uoms_buf_int(b, v->i);
	else
		uoms_buf_str(b, "null");
}

/* The line's items as the last word keeps them: one JSON array. */
void
uoms_word_items(const struct uoms_order *o, struct uoms_buf *b)
{
	uoms_buf_str(b, "[");
	for (int i = 0; i < o->nitems; i++) {
		const struct uoms_item *it = &o->items[i];
		int n = 0;

		uoms_buf_str(b, i ? ",{" : "{");
		for (int f = 0; f < UOMS_I_COUNT; f++) {
			if (it->f[f].type == UOMS_V_ABSENT)
				continue;
			/* Appended, not printed: printf here was a twentieth
			 * of a fresh ingest (issue 14). The same bytes. */
			if (n++)
				uoms_buf_add(b, ",", 1);
			uoms_buf_add(b, "\"", 1);
			uoms_buf_str(b, uoms_item_field_name(f));
			uoms_buf_add(b, "\":", 2);
			uoms_word_value(b, &it->f[f], 0);
		}
		if (it->extra.type == UOMS_V_TEXT) {
			uoms_buf_str(b, n ? ",\"extra\":" : "\"extra\":");
			uoms_word_value(b, &it->extra, 1);
		}
		uoms_buf_str(b, "}");
	}
	uoms_buf_str(b, "]");
}

/* The line's value of word member i (items: the list given as items). */
static const struct uoms_val *
line_val(const struct uoms_order *o, const struct uoms_val *items, int i)
{
	return i == UOMS_WORD_EXTRA ? &o->extra : i == UOMS_WORD_ITEMS ?
	    items : &o->f[i];
}

enum uoms_code
uoms_word_load(struct uoms_store *s, long long id, struct uoms_word *w,
    struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_ORDER_WORD);
	const unsigned char *b;
	enum uoms_db_step rc;
	size_t n;

	if (st == NULL)
		return uoms_db_fail(s, e, "reading the channel's word");
	uoms_db_bind_int(st, 1, id);
	if ((rc = uoms_db_step(st)) == UOMS_DB_ROW) {
		w->found = 1;
		if (!uoms_db_is_null(st, 0)) {
			snprintf(w->updated_s, sizeof w->updated_s, "%s",
			    uoms_db_text(st, 0));
			w->updated = (struct uoms_val){ UOMS_V_TEXT,
			    w->updated_s, strlen(w->updated_s), 0 };
		}
		b = uoms_db_blob(st, 1);
		n = uoms_db_bytes(st, 1) / UOMS_WORD_DIGEST;
		for (int i = 0; b != NULL && i < UOMS_WORD_COUNT; i++)
			if ((size_t)word_slot(i) < n)
				memcpy(w->d[i], b + word_slot(i) * UOMS_WORD_DIGEST,
				    UOMS_WORD_DIGEST);
	}
	if (rc == UOMS_DB_ERROR) {
		enum uoms_code code = uoms_db_fail(s, e,
		    "reading the channel's word");

		uoms_db_done(st);
		return code;
	}
	uoms_db_done(st);
	return UOMS_OK;
}

/* The new last word: the line's members over the old word's, but for
 * those echo marks as the record's value echoed. */
enum uoms_code
uoms_word_save(struct uoms_store *s, long long id, const struct uoms_word *w,
    const struct uoms_order *o, const struct uoms_val *items,
    const int *echo, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_ORDER_WORD_SAVE);
	unsigned char b[UOMS_WORD_COUNT * UOMS_WORD_DIGEST];
	const struct uoms_val *t = &o->f[UOMS_O_CHANNEL_UPDATED_AT];

	if (st == NULL)
		return uoms_db_fail(s, e, "keeping the channel's word");
	for (int i = 0; i < UOMS_WORD_COUNT; i++) {
		const struct uoms_val *v = line_val(o, items, i);
		unsigned char *d = b + word_slot(i) * UOMS_WORD_DIGEST;

		if (i == UOMS_O_CHANNEL || i == UOMS_O_EXTERNAL_ORDER_ID)
			memset(d, 0, UOMS_WORD_DIGEST);
		else if (v->type != UOMS_V_ABSENT && !echo[i])
			word_digest(v, d);
		else
			memcpy(d, w->d[i], UOMS_WORD_DIGEST);
	}
	if (t->type != UOMS_V_TEXT)
		t = &w->updated;
	uoms_db_bind_int(st, 1, id);
	if (t->type == UOMS_V_TEXT)
		uoms_db_bind_textn(st, 2, t->s, t->n);
	else
		uoms_db_bind_null(st, 2);
	uoms_db_bind_blob(st, 3, b, sizeof b);
	return uoms_db_exec(s, st, "keeping the channel's word", e);
}

/*
 * a - b for two normalised RFC 3339 UTC times: the seconds compare as
 * text, the decimals digit by digit (".5Z" is after "Z").
 */
static int
time_cmp(const struct uoms_val *a, const struct uoms_val *b)
{
	const char *fa, *fb;
	size_t la = 0, lb = 0;
	int c;

	if (a->n < 20 || b->n < 20)
		return 0;
	if ((c = memcmp(a->s, b->s, 19)) != 0)
		return c;
	fa = a->s + 20;
	fb = b->s + 20;
	if (a->s[19] == '.')
		la = a->n - 21;
	if (b->s[19] == '.')
		lb = b->n - 21;
	for (size_t i = 0; i < la || i < lb; i++) {
		char ca = i < la ? fa[i] : '0', cb = i < lb ? fb[i] : '0';

		if (ca != cb)
			return ca - cb;
	}
	return 0;
}

int
uoms_word_stale(const struct uoms_word *w, const struct uoms_order *o)
{
	const struct uoms_val *t = &o->f[UOMS_O_CHANNEL_UPDATED_AT];

	return t->type == UOMS_V_TEXT && w->updated.type == UOMS_V_TEXT &&
	    time_cmp(t, &w->updated) < 0;
}

/*
 * Leaves out of eff the members the line says as the channel's last word
 * did: not the channel's news, so the record's value (an operator's,
 * maybe) stands.
 */
void
uoms_word_since(const struct uoms_order *o, const struct uoms_val *items,
    const struct uoms_word *w, struct uoms_order *eff)
{
	for (int i = 2; i < UOMS_WORD_COUNT; i++) {
		if (!uoms_word_same(w, i, line_val(o, items, i)))
			continue;
		if (i == UOMS_WORD_ITEMS)
			eff->has_items = 0;
		else if (i == UOMS_WORD_EXTRA)
			eff->extra.type = UOMS_V_ABSENT;
		else
			eff->f[i].type = UOMS_V_ABSENT;
	}
}

/*
 * Is there anything to keep of the line in the channel's word? A member
 * it gives as the record has it, but not as the word, is an echo of the
 * record (uoms-query | uoms-upsert) unless the line is newer than the
 * word: the word keeps what the channel said, so that an operator's
 * value fed back is not taken for the channel's. Clears echo where it
 * does not apply.
 */
int
uoms_word_news(const struct uoms_order *o, const struct uoms_val *items,
    const struct uoms_word *w, int *echo)
{
	const struct uoms_val *t = &o->f[UOMS_O_CHANNEL_UPDATED_AT];
	int news = !w->found, newer = t->type == UOMS_V_TEXT &&
	    (w->updated.type != UOMS_V_TEXT || time_cmp(t, &w->updated) > 0);

	for (int i = 2; i < UOMS_WORD_COUNT; i++) {
		const struct uoms_val *v = line_val(o, items, i);

		if (!w->found || newer || !uoms_word_said(w, i))
			echo[i] = 0;
		if (v->type != UOMS_V_ABSENT && !echo[i] && !uoms_word_same(w, i, v))
			news = 1;
	}
	return news;
}
