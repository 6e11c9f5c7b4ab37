/*
 * arena: memory for one unit of work (a line), freed all at once.
 * Blocks never move, so pointers stay valid until uoms_arena_reset().
 */
#ifndef UOMS_ARENA_H
#define UOMS_ARENA_H

#include <stddef.h>

struct uoms_arena_block;

struct uoms_arena {
	struct uoms_arena_block *head;
};

/* Copies n bytes of s and a NUL; NULL when out of memory. */
char *uoms_arena_strndup(struct uoms_arena *a, const char *s, size_t n);
void *uoms_arena_alloc(struct uoms_arena *a, size_t n);
/* Frees all but the first block, so a steady stream reuses one block. */
void uoms_arena_reset(struct uoms_arena *a);
void uoms_arena_free(struct uoms_arena *a);

#endif
