/*
 * fuzz-workflow: the workflow loader (workflow.h) over any file. A
 * workflow it takes is walked: every state found by name, every
 * transition found from its ends and by its action, a path asked
 * between every two states. Checked: what the loader promises (an
 * initial state that is a state, transitions between states, a refusal
 * with a why).
 */
#include "fuzz.h"
#include "workflow.h"

/* The name the file gives itself, so the loader does not stop at the
 * name check: what follows "name:" on a line of its own. */
static void
name_of(const uint8_t *data, size_t size, char *out, size_t outlen)
{
	const char *p = (const char *)data, *end = p + size, *q;
	size_t n;

	snprintf(out, outlen, "fuzz");
	for (; p < end; p = q + 1) {
		q = memchr(p, '\n', end - p);
		if (q == NULL)
			q = end;
		if (q - p > 5 && memcmp(p, "name:", 5) == 0) {
			for (p += 5; p < q && *p == ' '; p++)
				;
			n = q - p;
			while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\r'))
				n--;
			if (n > 0 && n < outlen && memchr(p, '\0', n) == NULL)
				snprintf(out, outlen, "%.*s", (int)n, p);
			return;
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uoms_workflow *w;
	const char *path[16];
	char name[64], why[512];

	name_of(data, size, name, sizeof name);
	why[0] = '\0';
	w = uoms_workflow_load(fuzz_file(data, size, ".yaml"), name, why,
	    sizeof why);
	if (w == NULL) {
		if (why[0] == '\0')
			fuzz_fail("refused without a why");
		return 0;
	}
	if (w->nstates < 1 || w->initial == NULL ||
	    uoms_workflow_state(w, w->initial) == NULL)
		fuzz_fail("taken without a valid initial state");
	for (int i = 0; i < w->nstates; i++) {
		if (uoms_workflow_state(w, w->states[i].name) != &w->states[i])
			fuzz_fail("state '%s' not found by name",
			    w->states[i].name);
		for (int j = 0; j < w->nstates; j++)
			if (uoms_workflow_path(w, w->states[i].name,
			    w->states[j].name, i & 1, path, 16) > 16)
				fuzz_fail("a path longer than asked");
	}
	for (int i = 0; i < w->ntransitions; i++) {
		const struct uoms_transition *t = &w->transitions[i];

		if (uoms_workflow_state(w, t->from) == NULL ||
		    uoms_workflow_state(w, t->to) == NULL)
			fuzz_fail("transition %d between unknown states", i);
		if (uoms_workflow_find(w, t->from, t->to, NULL) == NULL)
			fuzz_fail("transition %s -> %s not found", t->from,
			    t->to);
		if (t->action != NULL &&
		    uoms_workflow_find(w, t->from, NULL, t->action) == NULL)
			fuzz_fail("action '%s' from %s not found", t->action,
			    t->from);
	}
	uoms_workflow_free(w);
	return 0;
}
