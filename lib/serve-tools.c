/*
 * serve-tools: uoms-serve's tool routes (issue 12, item 6): the reports
 * of uoms-report as JSON, CSV and SVG, /metrics (the core's series and
 * the store's gauges) and the OpenAPI document of every route table.
 * Their entries are in serve-admin.c's table.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "db.h"
#include "report.h"
#include "rfc3339.h"
#include "serve.h"
#include "serve_admin_priv.h"

/*
 * The report's time zone handling sets TZ and calls tzset (lib/rfc3339.c,
 * uoms_time_local): process-wide state, so one report at a time.
 */
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;

/* --- reports ------------------------------------------------------------- */

/* The report's parameters as uoms-report's options; 0 or -1 (400). */
static int
report_args(struct uoms_req *rq, struct uoms_resp *rs, struct uoms_report *r,
    const char **fmt)
{
	const char *by = uoms_req_arg(rq, "by"), *win = uoms_req_arg(rq,
	    "window"), *from = uoms_req_arg(rq, "from"),
	    *to = uoms_req_arg(rq, "to");
	char why[512];
	int v;

	*fmt = uoms_req_arg(rq, "format");
	if (*fmt == NULL)
		*fmt = "json";
	if (strcmp(*fmt, "json") == 0)
		r->format = UOMS_FORMAT_JSONL;
	else if (strcmp(*fmt, "csv") == 0)
		r->format = UOMS_FORMAT_CSV;
	else if (strcmp(*fmt, "svg") == 0)
		r->format = UOMS_FORMAT_SVG;
	else {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "format: '%s' is not "
		    "json, csv or svg", *fmt);
		return -1;
	}
	if ((v = uoms_report_name_parse(rq->param[0])) < 0) {
		uoms_resp_fail(rs, 404, UOMS_NOT_FOUND, "no report '%s'",
		    rq->param[0]);
		return -1;
	}
	r->name = v;
	if (by != NULL && (v = uoms_report_by_parse(by)) < 0) {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "by: '%s' is not "
		    "department, channel or item", by);
		return -1;
	}
	if (by != NULL)
		r->by = v;
	if (win != NULL && (r->window = uoms_report_duration(win)) < 0) {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "window: '%s' is not a "
		    "duration like 90s, 5m, 1h or 1d", win);
		return -1;
	}
	if (r->tz == NULL)
		r->tz = rq->opts->config != NULL ? uoms_config_get(
		    rq->opts->config, "tz", "UTC") : "UTC";
	if (!uoms_tz_valid(r->tz)) {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "tz: unknown time zone "
		    "'%s'", r->tz);
		return -1;
	}
	if (from != NULL && uoms_report_time(from, r->tz, &r->from) < 0) {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "from: '%s' is not an "
		    "RFC 3339 time or a date YYYY-MM-DD", from);
		return -1;
	}
	if (to != NULL && uoms_report_time(to, r->tz, &r->to) < 0) {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "to: '%s' is not an "
		    "RFC 3339 time or a date YYYY-MM-DD", to);
		return -1;
	}
	r->has_from = from != NULL;
	r->has_to = to != NULL;
	r->now = time(NULL);
	if (uoms_report_resolve(r, why, sizeof why) < 0) {
		uoms_resp_fail(rs, 400, UOMS_INVALID, "%s", why);
		return -1;
	}
	return 0;
}

/*
 * GET /reports/{name}: uoms-report's work, written to memory. json is
 * the jsonl lines as {"rows":[...]}, csv and svg as uoms-report prints
 * them. One report at a time (report_lock): --tz sets TZ process-wide.
 */
void
uoms_serve_report_get(struct uoms_req *rq, struct uoms_resp *rs)
{
	static char shipped[4096 + 16], override[4096 + 16];
	struct uoms_report r = { .tz = uoms_req_arg(rq, "tz") };
	struct uoms_error e = { 0 };
	struct uoms_buf out = { 0 };
	const char *fmt, *conf = rq->opts->config != NULL ?
	    rq->opts->config->path : NULL, *slash;
	enum uoms_code code = UOMS_OK;
	char *text = NULL, *nl;
	size_t len = 0, skip = 0;
	FILE *f;
	int bad;

	pthread_mutex_lock(&report_lock);
	if (report_args(rq, rs, &r, &fmt) < 0)
		goto out;
	/* The workflows that say what states mean, as uoms-report finds
	 * them: the configuration's folder before the shipped one. */
	snprintf(shipped, sizeof shipped, "%s/workflows", uoms_cli_data_dir());
	if (conf != NULL && (slash = strrchr(conf, '/')) != NULL)
		snprintf(override, sizeof override, "%.*s/workflows",
		    (int)(slash - conf), conf);
	else if (conf != NULL)
		snprintf(override, sizeof override, "workflows");
	else
		snprintf(override, sizeof override, "/etc/uoms/workflows");
	r.workflow_dirs[0] = override;
	r.workflow_dirs[1] = shipped;
	if ((f = open_memstream(&text, &len)) == NULL) {
		uoms_resp_fail(rs, 500, UOMS_INTERNAL, "out of memory");
		goto out;
	}
	code = uoms_report_run(rq->store, &r, f, &e);
	bad = ferror(f);
	bad |= fclose(f) != 0;
	if (code != UOMS_OK)
		uoms_serve_admin_refuse(rs, code, &e);
	else if (bad || text == NULL)
		uoms_resp_fail(rs, 500, UOMS_INTERNAL, "out of memory");
	else if (r.format == UOMS_FORMAT_JSONL) {
		uoms_serve_admin_lines(&out, "rows", text, len);
		uoms_serve_admin_answer(rs, 200, &out);
	} else if (r.format == UOMS_FORMAT_CSV) {
		uoms_resp_json(rs, 200, text, len);
		rs->type = "text/csv; charset=utf-8";
	} else {
		/* Without the XML declaration, so a page can put the chart
		 * inline in its HTML as it is; the type says the rest. */
		if (len > 5 && strncmp(text, "<?xml", 5) == 0 &&
		    (nl = memchr(text, '\n', len)) != NULL)
			skip = nl + 1 - text;
		uoms_resp_json(rs, 200, text + skip, len - skip);
		rs->type = "image/svg+xml; charset=utf-8";
	}
out:
	pthread_mutex_unlock(&report_lock);
	free(text);
}

/* --- metrics ------------------------------------------------------------- */

/* Appends v as a Prometheus label value: \, " and newline escaped. */
static void
label_value(struct uoms_buf *out, const char *v)
{
	for (; v != NULL && *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			uoms_buf_printf(out, "\\%c", *v);
		else if (*v == '\n')
			uoms_buf_str(out, "\\n");
		else
			uoms_buf_add(out, v, 1);
	}
}

/*
 * Runs sql (no parameters) and appends one sample of name per row:
 * column 0 the label's value (when label is not NULL), the last column
 * the sample. Returns 0, or -1 when the store failed.
 */
static int
gauge_rows(struct uoms_store *s, const char *sql, const char *name,
    const char *label, struct uoms_buf *out)
{
	struct uoms_stmt *st = uoms_db_prepare(s, sql);
	enum uoms_db_step rc;

	if (st == NULL)
		return -1;
	while ((rc = uoms_db_step(st)) == UOMS_DB_ROW) {
		uoms_buf_str(out, name);
		if (label != NULL) {
			uoms_buf_printf(out, "{%s=\"", label);
			label_value(out, uoms_db_text(st, 0));
			uoms_buf_str(out, "\"}");
		}
		uoms_buf_printf(out, " %lld\n", uoms_db_int(st,
		    label != NULL ? 1 : 0));
	}
	uoms_db_free(st);
	return rc == UOMS_DB_DONE ? 0 : -1;
}

/*
 * The store's gauges: orders by status, open holds (not resolved: what
 * blocks transitions, as uoms-report metrics counts them), alerts not
 * resolved by state (both states always there, for a rule on either:
 * uoms-alert(1)), and when each
 * channel was last fetched to its end (its watermark's time, which
 * uoms-fetch sets once every page was read), in Unix seconds.
 */
static int
store_gauges(struct uoms_store *s, struct uoms_buf *out)
{
	struct uoms_buf sql = { 0 };
	int rc;

	uoms_buf_str(out, "# HELP uoms_orders Orders in the store by status.\n"
	    "# TYPE uoms_orders gauge\n");
	if (gauge_rows(s, "SELECT status, count(*) FROM orders"
	    " WHERE deleted_at IS NULL GROUP BY status ORDER BY status",
	    "uoms_orders", "status", out) < 0)
		return -1;
	uoms_buf_str(out, "# HELP uoms_holds_open Holds not resolved yet.\n"
	    "# TYPE uoms_holds_open gauge\n");
	if (gauge_rows(s, "SELECT count(*) FROM holds"
	    " WHERE state <> 'resolved'", "uoms_holds_open", NULL, out) < 0)
		return -1;
	uoms_buf_str(out, "# HELP uoms_alerts Alerts not resolved, open or "
	    "acknowledged (uoms-alert).\n# TYPE uoms_alerts gauge\n");
	if (gauge_rows(s, "SELECT 'acknowledged', count(*) FROM alerts"
	    " WHERE state = 'acknowledged' UNION ALL SELECT 'open', count(*)"
	    " FROM alerts WHERE state = 'open'", "uoms_alerts", "state",
	    out) < 0)
		return -1;
	uoms_buf_str(out, "# HELP uoms_channel_last_fetch_seconds When the "
	    "channel was last fetched to its end, Unix seconds.\n"
	    "# TYPE uoms_channel_last_fetch_seconds gauge\n");
	uoms_buf_str(&sql, "SELECT w.channel, ");
	uoms_db_epoch(s, &sql, "w.updated_at");
	uoms_buf_str(&sql, " FROM channel_watermarks w JOIN channels c"
	    " ON c.name = w.channel ORDER BY w.channel");
	rc = gauge_rows(s, sql.p, "uoms_channel_last_fetch_seconds",
	    "channel", out);
	uoms_buf_free(&sql);
	return rc;
}

/* GET /metrics: the core's series, then the store's gauges. */
void
uoms_serve_metrics_get(struct uoms_req *rq, struct uoms_resp *rs)
{
	struct uoms_buf out = { 0 };
	struct uoms_error e = { 0 };

	uoms_serve_metrics(&out);
	if (store_gauges(rq->store, &out) < 0) {
		uoms_buf_free(&out);
		uoms_serve_admin_refuse(rs, uoms_db_fail(rq->store, &e,
		    "reading the gauges"), &e);
		return;
	}
	uoms_serve_admin_answer(rs, 200, &out);
	rs->type = "text/plain; version=0.0.4; charset=utf-8";
}

/* --- OpenAPI ------------------------------------------------------------- */

/* The {name} segments of pattern as path parameters (a new array). */
static json_t *
path_params(const char *pattern)
{
	json_t *a = json_array(), *p;
	const char *o, *c;

	for (o = pattern; (o = strchr(o, '{')) != NULL; o = c + 1) {
		if ((c = strchr(o, '}')) == NULL)
			break;
		p = json_pack("{s:s%,s:s,s:b,s:{s:s}}", "name", o + 1,
		    (size_t)(c - o - 1), "in", "path", "required", 1,
		    "schema", "type", "string");
		json_array_append_new(a, p);
	}
	return a;
}

/* A method's name as OpenAPI's key: lower case. */
static void
method_key(const char *m, char *key, size_t size)
{
	size_t i;

	for (i = 0; m[i] != '\0' && i + 1 < size; i++)
		key[i] = m[i] >= 'A' && m[i] <= 'Z' ? m[i] - 'A' + 'a' : m[i];
	key[i] = '\0';
}

/* One route as an operation object (a new reference). */
static json_t *
operation(const struct uoms_route *rt)
{
	json_t *op = json_object(), *params = path_params(rt->pattern);

	json_object_set_new(op, "summary", json_string(rt->summary != NULL ?
	    rt->summary : rt->pattern));
	if (json_array_size(params) > 0)
		json_object_set_new(op, "parameters", params);
	else
		json_decref(params);
	if (rt->auth != UOMS_AUTH_NONE) {
		json_object_set_new(op, "security", json_pack("[{s:[]}]",
		    "bearerAuth"));
		json_object_set_new(op, "x-uoms-role", json_string(
		    rt->auth == UOMS_AUTH_ADMIN ? "admin" : "user"));
	} else
		json_object_set_new(op, "security", json_array());
	json_object_set_new(op, "responses", json_pack("{s:{s:s}}",
	    "default", "description", "the answer; errors are "
	    "{\"error\":{\"code\",\"message\"}} (uoms-serve(1))"));
	return op;
}

/*
 * The OpenAPI 3.1 document of every route table: what is served and
 * what is listed come from the same place, uoms_serve_tables.
 */
static json_t *
openapi_doc(void)
{
	json_t *doc, *paths = json_object(), *item;
	const struct uoms_route *rt;
	char key[16];

	for (const struct uoms_route *const *t = uoms_serve_tables;
	    *t != NULL; t++)
		for (rt = *t; rt->method != NULL; rt++) {
			if ((item = json_object_get(paths, rt->pattern)) ==
			    NULL) {
				item = json_object();
				json_object_set_new(paths, rt->pattern, item);
			}
			method_key(rt->method, key, sizeof key);
			json_object_set_new(item, key, operation(rt));
		}
	doc = json_pack("{s:s,s:{s:s,s:s,s:s},s:o,s:{s:{s:{s:s,s:s,s:s}}}}",
	    "openapi", "3.1.0",
	    "info", "title", "uoms-serve", "version", UOMS_VERSION,
	    "description", "The HTTP JSON API of uoms, the unified order "
	    "management toolkit: the same library as its tools.",
	    "paths", paths,
	    "components", "securitySchemes", "bearerAuth", "type", "http",
	    "scheme", "bearer", "bearerFormat", "JWT");
	return doc;
}

void
uoms_serve_openapi_get(struct uoms_req *rq, struct uoms_resp *rs)
{
	(void)rq;
	uoms_resp_json_doc(rs, 200, openapi_doc(), JSON_SORT_KEYS);
}
