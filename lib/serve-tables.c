/* serve-tables: every route table uoms-serve serves (and /openapi.json
 * lists), one line each. */
#include "serve.h"

const struct uoms_route *const uoms_serve_tables[] = {
	uoms_serve_routes_core,
	uoms_serve_routes_auth,
	uoms_serve_routes_orders,
	uoms_serve_routes_delete,
	uoms_serve_routes_parts,
	uoms_serve_routes_events,
	uoms_serve_routes_hooks,
	uoms_serve_routes_admin,
	uoms_serve_routes_workflows,
	NULL
};
