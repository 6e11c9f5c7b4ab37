/*
 * serve-workflows: uoms-serve's workflow routes (issue 12, item 7): the
 * state machines orders move through (SPEC 6) as the workflow module
 * loads them, a file in the configuration's workflows/ before the
 * shipped one. The dashboard draws an order's buttons from them, so an
 * overridden workflow gets its own buttons, never a copy's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "serve.h"
#include "workflow.h"

/*
 * The folders workflows are looked in, as uoms_cli_workflows sets them
 * for uoms-serve: the configuration's folder's workflows/ (override),
 * then the shipped one.
 */
static void
workflow_dirs(const struct uoms_req *rq, char *override, size_t olen,
    char *shipped, size_t slen)
{
	const char *conf = rq->opts->config != NULL ?
	    rq->opts->config->path : NULL, *slash;

	snprintf(shipped, slen, "%s/workflows", uoms_cli_data_dir());
	if (conf != NULL && (slash = strrchr(conf, '/')) != NULL)
		snprintf(override, olen, "%.*s/workflows",
		    (int)(slash - conf), conf);
	else if (conf != NULL)
		snprintf(override, olen, "workflows");
	else
		snprintf(override, olen, "/etc/uoms/workflows");
}

static void
answer(struct uoms_resp *rs, json_t *doc)
{
	uoms_resp_json_doc(rs, 200, doc, 0);
}

/* GET /workflows: {"workflows":[NAME...]}, sorted. */
static void
workflows_list(struct uoms_req *rq, struct uoms_resp *rs)
{
	char override[4200], shipped[4200], **names;
	const char *dirs[2];
	json_t *list;
	int n;

	workflow_dirs(rq, override, sizeof override, shipped, sizeof shipped);
	dirs[0] = override;
	dirs[1] = shipped;
	if (uoms_workflow_names(dirs, &names, &n) < 0) {
		uoms_resp_fail(rs, 500, UOMS_INTERNAL, "out of memory");
		return;
	}
	list = json_array();
	for (int i = 0; i < n; i++) {
		json_array_append_new(list, json_string(names[i]));
		free(names[i]);
	}
	free(names);
	answer(rs, json_pack("{s:o}", "workflows", list));
}

/* 1 when name is one of the workflows the server knows (a file of that
 * name in either folder), so an unknown one is a 404, a broken one not. */
static int
known(struct uoms_req *rq, const char *name, int *overridden)
{
	char override[4200], shipped[4200], **names, path[8400];
	const char *dirs[2];
	FILE *f;
	int n, found = 0;

	workflow_dirs(rq, override, sizeof override, shipped, sizeof shipped);
	dirs[0] = override;
	dirs[1] = shipped;
	*overridden = 0;
	if (uoms_workflow_names(dirs, &names, &n) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		found |= strcmp(names[i], name) == 0;
		free(names[i]);
	}
	free(names);
	/* Names are checked by uoms_workflow_names: no '/' in them. */
	if (found && snprintf(path, sizeof path, "%s/%s.yaml", override,
	    name) < (int)sizeof path && (f = fopen(path, "r")) != NULL) {
		*overridden = 1;
		fclose(f);
	}
	return found;
}

/*
 * GET /workflows/{name}: {"name","initial","states":[...],"terminal":[...],
 * "assignable":[...],"ships":STATE|null,"overridden":BOOL,
 * "transitions":[{"from","to","action"|null,"roles":[...]}]}.
 */
static void
workflow_show(struct uoms_req *rq, struct uoms_resp *rs)
{
	const struct uoms_workflow *w;
	const struct uoms_transition *t;
	json_t *states, *terminal, *assignable, *trans, *roles;
	char why[512];
	int overridden, k;

	if ((k = known(rq, rq->param[0], &overridden)) < 0) {
		uoms_resp_fail(rs, 500, UOMS_INTERNAL, "out of memory");
		return;
	}
	if (k == 0) {
		uoms_resp_fail(rs, 404, UOMS_NOT_FOUND, "no workflow '%s'",
		    rq->param[0]);
		return;
	}
	if ((w = uoms_workflow_get(rq->param[0], why, sizeof why)) == NULL) {
		/* A broken file is the server's configuration, not the
		 * request's fault: the cause goes to the log. */
		uoms_warn(NULL, "workflow %s: %s", rq->param[0], why);
		uoms_resp_fail(rs, 500, UOMS_INTERNAL, "workflow '%s' does "
		    "not load: see the server's log", rq->param[0]);
		return;
	}
	states = json_array();
	terminal = json_array();
	assignable = json_array();
	for (int i = 0; i < w->nstates; i++) {
		json_array_append_new(states, json_string(w->states[i].name));
		if (w->states[i].terminal)
			json_array_append_new(terminal,
			    json_string(w->states[i].name));
		if (w->states[i].assignable)
			json_array_append_new(assignable,
			    json_string(w->states[i].name));
	}
	trans = json_array();
	for (int i = 0; i < w->ntransitions; i++) {
		t = &w->transitions[i];
		roles = t->admin_only ? json_pack("[s]", "admin") :
		    json_pack("[s,s]", "user", "admin");
		json_array_append_new(trans, json_pack("{s:s,s:s,s:s?,s:o}",
		    "from", t->from, "to", t->to, "action", t->action,
		    "roles", roles));
	}
	answer(rs, json_pack("{s:s,s:s,s:o,s:o,s:o,s:s?,s:b,s:o}",
	    "name", w->name, "initial", w->initial, "states", states,
	    "terminal", terminal, "assignable", assignable,
	    "ships", uoms_workflow_ships_state(w), "overridden", overridden,
	    "transitions", trans));
}

const struct uoms_route uoms_serve_routes_workflows[] = {
	{ "GET", "/workflows", UOMS_AUTH_USER, workflows_list,
	    "The names of the workflows orders move through" },
	{ "GET", "/workflows/{name}", UOMS_AUTH_USER, workflow_show,
	    "A workflow: its states, transitions and their roles" },
	{ NULL, NULL, 0, NULL, NULL }
};
