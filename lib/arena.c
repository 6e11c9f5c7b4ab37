#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define BLOCK (64 * 1024)

struct uoms_arena_block {
	struct uoms_arena_block *next;
	size_t cap, used;
	char data[];
};

void *
uoms_arena_alloc(struct uoms_arena *a, size_t n)
{
	struct uoms_arena_block *b = a->head;

	n = (n + 15) & ~(size_t)15;
	if (b == NULL || b->cap - b->used < n) {
		size_t cap = n > BLOCK ? n : BLOCK;

		if ((b = malloc(sizeof *b + cap)) == NULL)
			return NULL;
		b->cap = cap;
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	b->used += n;
	return b->data + b->used - n;
}

char *
uoms_arena_strndup(struct uoms_arena *a, const char *s, size_t n)
{
	char *p = uoms_arena_alloc(a, n + 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

void
uoms_arena_reset(struct uoms_arena *a)
{
	struct uoms_arena_block *b = a->head, *next;

	if (b == NULL)
		return;
	/* Keep the oldest block: it is the one a steady stream fits in. */
	while (b->next != NULL) {
		next = b->next;
		free(b);
		b = next;
	}
	b->used = 0;
	a->head = b;
}

void
uoms_arena_free(struct uoms_arena *a)
{
	uoms_arena_reset(a);
	free(a->head);
	a->head = NULL;
}
