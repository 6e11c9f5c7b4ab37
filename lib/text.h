/*
 * text: text laid out for people: display width in terminal columns
 * (Hangul and other wide characters take two), fitting into a column,
 * and CSV fields (RFC 4180).
 */
#ifndef UOMS_TEXT_H
#define UOMS_TEXT_H

#include <stdio.h>

/* Call once before the others: wcwidth needs a UTF-8 character type. */
void uoms_text_init(void);

/* Columns s takes on a terminal. */
int uoms_text_width(const char *s);

/*
 * Writes s to fp in exactly width columns: padded with spaces (on the left
 * when right_align), or cut with '…' when it is wider.
 */
void uoms_text_cell(FILE *fp, const char *s, int width, int right_align);

/* Writes s as one CSV field (quoted when it must be). NULL is empty. */
void uoms_text_csv(FILE *fp, const char *s);

#endif
