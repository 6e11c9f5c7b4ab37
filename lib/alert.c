/*
 * Alerts: the rules file's alerts: section, the figures they watch, and
 * their state in the store (alert.h).
 */
#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <yaml.h>

#include "alert.h"
#include "db.h"
#include "report.h"

/* The metrics columns an alert may watch (uoms-report(1)). */
static const char *const metrics_figures[] = {
	"orders_in", "paid", "shipped", "holds", "hold_rate", "p50_delay",
	"p95_delay", "backlog", "late", "rejects", NULL
};

static const char *const states[] = { "open", "acknowledged", "resolved",
    NULL };

int
uoms_alert_state_valid(const char *s)
{
	for (int i = 0; states[i] != NULL; i++)
		if (strcmp(s, states[i]) == 0)
			return 1;
	return 0;
}

static void
fmt_epoch(long long t, char out[21])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The rules file: the configuration's rules: key, relative to the
 * configuration file's folder; NULL when unset. Malloc'ed. */
static char *
rules_path(const struct uoms_config *cfg)
{
	const char *v = uoms_config_get(cfg, "rules", NULL);
	char *dir, *p;

	if (v == NULL || v[0] == '\0')
		return NULL;
	if (v[0] == '/' || cfg->path == NULL)
		return strdup(v);
	if ((dir = strdup(cfg->path)) == NULL)
		return NULL;
	if (asprintf(&p, "%s/%s", dirname(dir), v) < 0)
		p = NULL;
	free(dir);
	return p;
}

static const char *
scalar(yaml_document_t *doc, yaml_node_t *map, const char *key)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	    p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		yaml_node_t *v = yaml_document_get_node(doc, p->value);

		if (k != NULL && k->type == YAML_SCALAR_NODE &&
		    strcmp((char *)k->data.scalar.value, key) == 0)
			return v != NULL && v->type == YAML_SCALAR_NODE ?
			    (const char *)v->data.scalar.value : "";
	}
	return NULL;
}

static int
number(const char *s, double *d)
{
	char *end;

	errno = 0;
	*d = strtod(s, &end);
	return s[0] != '\0' && *end == '\0' && errno == 0 && isfinite(*d) ?
	    0 : -1;
}

/* One alert of the section (map) into r; -1 with why filled. */
static int
rule(yaml_document_t *doc, yaml_node_t *map, struct uoms_alert_rule *r,
    char *why, size_t whylen)
{
	static const char *const keys[] = { "name", "figure", "channel",
	    "above", "below", "window", "held_for", NULL };
	const char *name, *fig, *above, *below, *v;
	int i;

	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	    p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);

		for (i = 0; keys[i] != NULL && k != NULL &&
		    k->type == YAML_SCALAR_NODE &&
		    strcmp((char *)k->data.scalar.value, keys[i]) != 0; i++)
			;
		if (k == NULL || keys[i] == NULL) {
			snprintf(why, whylen, "unknown key '%s': name, figure, "
			    "channel, above, below, window or held_for",
			    k != NULL && k->type == YAML_SCALAR_NODE ?
			    (char *)k->data.scalar.value : "?");
			return -1;
		}
	}
	if ((name = scalar(doc, map, "name")) == NULL || name[0] == '\0') {
		snprintf(why, whylen, "an alert needs a name");
		return -1;
	}
	if ((fig = scalar(doc, map, "figure")) == NULL) {
		snprintf(why, whylen, "alert '%s' needs a figure", name);
		return -1;
	}
	r->window = 3600;
	r->held_for = 86400;
	if (strcmp(fig, "fetch_age") == 0)
		r->kind = UOMS_ALERT_FETCH_AGE;
	else if (strcmp(fig, "auth_failed") == 0)
		r->kind = UOMS_ALERT_AUTH;
	else if (strcmp(fig, "held_orders") == 0)
		r->kind = UOMS_ALERT_HELD;
	else {
		for (i = 0; metrics_figures[i] != NULL &&
		    strcmp(fig, metrics_figures[i]) != 0; i++)
			;
		if (metrics_figures[i] == NULL) {
			snprintf(why, whylen, "alert '%s': no figure '%s': a "
			    "metrics column (orders_in, paid, shipped, holds, "
			    "hold_rate, p50_delay, p95_delay, backlog, late, "
			    "rejects), fetch_age, auth_failed or held_orders",
			    name, fig);
			return -1;
		}
		r->kind = UOMS_ALERT_METRICS;
	}
	above = scalar(doc, map, "above");
	below = scalar(doc, map, "below");
	if (above != NULL && below != NULL) {
		snprintf(why, whylen, "alert '%s': above or below, not both",
		    name);
		return -1;
	}
	r->below = below != NULL;
	if ((v = below != NULL ? below : above) != NULL &&
	    number(v, &r->threshold) < 0) {
		snprintf(why, whylen, "alert '%s': '%s' is not a number",
		    name, v);
		return -1;
	}
	if ((v = scalar(doc, map, "window")) != NULL &&
	    (r->window = uoms_report_duration(v)) <= 0) {
		snprintf(why, whylen, "alert '%s': window: '%s' is not a "
		    "duration like 5m, 1h or 1d", name, v);
		return -1;
	}
	if ((v = scalar(doc, map, "held_for")) != NULL &&
	    (r->held_for = uoms_report_duration(v)) < 0) {
		snprintf(why, whylen, "alert '%s': held_for: '%s' is not a "
		    "duration like 30m, 4h or 1d", name, v);
		return -1;
	}
	v = scalar(doc, map, "channel");
	if (v != NULL && r->kind != UOMS_ALERT_FETCH_AGE &&
	    r->kind != UOMS_ALERT_AUTH) {
		snprintf(why, whylen, "alert '%s': channel is for fetch_age "
		    "and auth_failed", name);
		return -1;
	}
	r->name = strdup(name);
	r->figure = strdup(fig);
	r->channel = v != NULL ? strdup(v) : NULL;
	if (r->name == NULL || r->figure == NULL || (v != NULL &&
	    r->channel == NULL)) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	return 0;
}

/* The alerts: sequence of the document's root, if any, into rules. */
static int
section(yaml_document_t *doc, struct uoms_alert_rules *rules, char *why,
    size_t whylen)
{
	yaml_node_t *root = yaml_document_get_root_node(doc), *seq = NULL;

	if (root == NULL)
		return 0;
	if (root->type != YAML_MAPPING_NODE) {
		snprintf(why, whylen, "the file must be a mapping of sections");
		return -1;
	}
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
	    p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);

		if (k != NULL && k->type == YAML_SCALAR_NODE &&
		    strcmp((char *)k->data.scalar.value, "alerts") == 0)
			seq = yaml_document_get_node(doc, p->value);
	}
	if (seq == NULL || (seq->type == YAML_SCALAR_NODE &&
	    seq->data.scalar.length == 0))
		return 0;
	if (seq->type != YAML_SEQUENCE_NODE) {
		snprintf(why, whylen, "line %zu: alerts: must be a list",
		    seq->start_mark.line + 1);
		return -1;
	}
	for (yaml_node_item_t *it = seq->data.sequence.items.start;
	    it < seq->data.sequence.items.top; it++) {
		yaml_node_t *m = yaml_document_get_node(doc, *it);
		struct uoms_alert_rule *r;
		char sub[400];

		if (m == NULL || m->type != YAML_MAPPING_NODE) {
			snprintf(why, whylen, "line %zu: an alert must be a "
			    "mapping", m != NULL ? m->start_mark.line + 1 : 0);
			return -1;
		}
		r = realloc(rules->r, (rules->n + 1) * sizeof *r);
		if (r == NULL) {
			snprintf(why, whylen, "out of memory");
			return -1;
		}
		rules->r = r;
		r = &rules->r[rules->n];
		memset(r, 0, sizeof *r);
		if (rule(doc, m, r, sub, sizeof sub) < 0) {
			snprintf(why, whylen, "line %zu: %s",
			    m->start_mark.line + 1, sub);
			free(r->name);
			free(r->figure);
			free(r->channel);
			return -1;
		}
		rules->n++;
		for (int i = 0; i < rules->n - 1; i++)
			if (strcmp(rules->r[i].name, r->name) == 0) {
				snprintf(why, whylen, "line %zu: two alerts "
				    "named '%s'", m->start_mark.line + 1,
				    r->name);
				return -1;
			}
	}
	return 0;
}

int
uoms_alert_rules_load(struct uoms_alert_rules *rules,
    const struct uoms_config *cfg, char *why, size_t whylen)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	char sub[450];
	FILE *fp;
	int rc;

	memset(rules, 0, sizeof *rules);
	if (uoms_config_get(cfg, "rules", NULL) == NULL)
		return 0;
	if ((rules->path = rules_path(cfg)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	if ((fp = fopen(rules->path, "r")) == NULL) {
		snprintf(why, whylen, "can't open rules file '%s': %s",
		    rules->path, strerror(errno));
		return -1;
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, fp);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(why, whylen, "%s: line %zu, column %zu: %s",
		    rules->path, parser.problem_mark.line + 1,
		    parser.problem_mark.column + 1, parser.problem != NULL ?
		    parser.problem : "bad YAML");
		yaml_parser_delete(&parser);
		fclose(fp);
		return -1;
	}
	if ((rc = section(&doc, rules, sub, sizeof sub)) < 0)
		snprintf(why, whylen, "%s: %s", rules->path, sub);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(fp);
	return rc;
}

void
uoms_alert_rules_free(struct uoms_alert_rules *rules)
{
	for (int i = 0; i < rules->n; i++) {
		free(rules->r[i].name);
		free(rules->r[i].figure);
		free(rules->r[i].channel);
	}
	free(rules->r);
	free(rules->path);
	memset(rules, 0, sizeof *rules);
}

/* A figure as it stands: one per subject ("" or a channel's name). */
struct seen {
	char subject[200];
	double value;
	int null;		/* no value (a rate of no orders): recovered */
};

struct check {
	const struct uoms_alert_rules *rules;
	long long now;
	double *metrics;	/* per rule: its metrics figure, or NAN */
	struct uoms_buf *out;
};

/*
 * The metrics figure of rule r: the totals row of uoms-report metrics
 * over the window before now, read as uoms-report writes it, so an
 * alert's figure is the report's to the digit. NAN when it is null.
 */
static enum uoms_code
metrics_figure(struct uoms_store *s, const struct uoms_alert_rule *r,
    long long now, const char *const dirs[2], double *v,
    struct uoms_error *e)
{
	struct uoms_report rep = { .name = UOMS_REPORT_METRICS,
	    .format = UOMS_FORMAT_JSONL, .tz = "UTC", .window = r->window,
	    .from = now - r->window, .to = now, .has_from = 1, .has_to = 1,
	    .now = now, .workflow_dirs = { dirs[0], dirs[1] } };
	char why[200], *text = NULL, *last;
	size_t len = 0;
	enum uoms_code code;
	json_t *row, *m;
	FILE *fp;

	if (uoms_report_resolve(&rep, why, sizeof why) < 0)
		return uoms_fail(e, UOMS_INTERNAL, "alert '%s': %s", r->name,
		    why);
	if ((fp = open_memstream(&text, &len)) == NULL)
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	code = uoms_report_run(s, &rep, fp, e);
	if (fclose(fp) != 0 && code == UOMS_OK)
		code = uoms_fail(e, UOMS_INTERNAL, "out of memory");
	if (code != UOMS_OK) {
		free(text);
		return code;
	}
	/* The totals row is the last line. */
	while (len > 0 && text[len - 1] == '\n')
		text[--len] = '\0';
	last = strrchr(text, '\n');
	row = json_loads(last != NULL ? last + 1 : text, 0, NULL);
	free(text);
	m = json_object_get(row, r->figure);
	*v = json_is_number(m) ? json_number_value(m) : NAN;
	json_decref(row);
	if (row == NULL)
		return uoms_fail(e, UOMS_INTERNAL, "alert '%s': no metrics",
		    r->name);
	return UOMS_OK;
}

/* The figure of rule i now, per subject, into *seen (n of them). */
static enum uoms_code
figures(struct uoms_store *s, struct check *c, int i, struct seen **seen,
    int *n, struct uoms_error *e)
{
	const struct uoms_alert_rule *r = &c->rules->r[i];
	enum uoms_db_step rc;
	struct uoms_stmt *st;
	char at[21];

	*n = 0;
	if (r->kind == UOMS_ALERT_METRICS) {
		if ((*seen = calloc(1, sizeof **seen)) == NULL)
			return uoms_fail(e, UOMS_INTERNAL, "out of memory");
		(*seen)[0].value = c->metrics[i];
		(*seen)[0].null = isnan(c->metrics[i]);
		*n = 1;
		return UOMS_OK;
	}
	if (r->kind == UOMS_ALERT_HELD) {
		if ((*seen = calloc(1, sizeof **seen)) == NULL)
			return uoms_fail(e, UOMS_INTERNAL, "out of memory");
		if ((st = uoms_db_stmt(s, SQL_ALERT_HELD)) == NULL)
			return uoms_db_fail(s, e, "counting held orders");
		fmt_epoch(c->now - r->held_for, at);
		uoms_db_bind_text(st, 1, at);
		if ((rc = uoms_db_step(st)) == UOMS_DB_ROW)
			(*seen)[0].value = (double)uoms_db_int(st, 0);
		uoms_db_done(st);
		if (rc != UOMS_DB_ROW)
			return uoms_db_fail(s, e, "counting held orders");
		*n = 1;
		return UOMS_OK;
	}
	*seen = NULL;
	if ((st = uoms_db_stmt(s, SQL_ALERT_FETCHES)) == NULL)
		return uoms_db_fail(s, e, "reading channels");
	while ((rc = uoms_db_step(st)) == UOMS_DB_ROW) {
		const char *ch = uoms_db_text(st, 0);
		struct seen *more;

		if (ch == NULL || (r->channel != NULL &&
		    strcmp(r->channel, ch) != 0))
			continue;
		if ((more = realloc(*seen, (*n + 1) * sizeof **seen)) ==
		    NULL) {
			uoms_db_done(st);
			return uoms_fail(e, UOMS_INTERNAL, "out of memory");
		}
		*seen = more;
		memset(&more[*n], 0, sizeof more[*n]);
		snprintf(more[*n].subject, sizeof more[*n].subject, "%s", ch);
		more[*n].value = r->kind == UOMS_ALERT_AUTH ?
		    (double)(uoms_db_int(st, 2) != 0) :
		    (double)((c->now - uoms_db_int(st, 1)) / 60);
		(*n)++;
	}
	uoms_db_done(st);
	if (rc != UOMS_DB_DONE)
		return uoms_db_fail(s, e, "reading channels");
	return UOMS_OK;
}

static int
breached(const struct uoms_alert_rule *r, const struct seen *v)
{
	if (v->null)
		return 0;
	return r->below ? v->value < r->threshold : v->value > r->threshold;
}

static json_t *
num(double v)
{
	if (isnan(v))
		return json_null();
	if (v == floor(v) && fabs(v) < 1e15)
		return json_integer((json_int_t)v);
	return json_real(v);
}

static void
num_text(double v, char *out, size_t len)
{
	if (isnan(v))
		snprintf(out, len, "null");
	else if (v == floor(v) && fabs(v) < 1e15)
		snprintf(out, len, "%lld", (long long)v);
	else
		snprintf(out, len, "%.15g", v);
}

/* One change of alert id as a line for uoms-notify. */
static enum uoms_code
change_line(struct check *c, const struct uoms_alert_rule *r,
    long long id, const char *change, const struct seen *v, const char *at,
    struct uoms_error *e)
{
	char key[60], text[600], val[40], thr[40];
	json_t *o;
	char *s;
	int rc;

	snprintf(key, sizeof key, "%lld-%s", id, change);
	num_text(v->null ? NAN : v->value, val, sizeof val);
	num_text(r->threshold, thr, sizeof thr);
	snprintf(text, sizeof text, "%s alert %s%s%s %s: %s is %s (%s %s)",
	    strcmp(change, "opened") == 0 ? ":rotating_light:" :
	    ":white_check_mark:", r->name, v->subject[0] != '\0' ?
	    " for " : "", v->subject, change, r->figure, val,
	    r->below ? "below" : "above", thr);
	o = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:s,"
	    " s:s}", "key", key, "alert", (json_int_t)id, "name", r->name,
	    "subject", v->subject, "figure", r->figure, "change", change,
	    "state", strcmp(change, "opened") == 0 ? "open" : "resolved",
	    "value", num(v->null ? NAN : v->value), "threshold",
	    num(r->threshold), "at", at, "text", text);
	if (o == NULL ||
	    (s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(15))) == NULL) {
		json_decref(o);
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	}
	json_decref(o);
	rc = uoms_buf_str(c->out, s) < 0 || uoms_buf_str(c->out, "\n") < 0;
	free(s);
	return rc ? uoms_fail(e, UOMS_INTERNAL, "out of memory") : UOMS_OK;
}

/* Rule i: resolve what recovered, open what newly breaches. */
static enum uoms_code
check_rule(struct uoms_store *s, struct check *c, int i, const char *at,
    struct uoms_error *e)
{
	const struct uoms_alert_rule *r = &c->rules->r[i];
	struct seen *seen = NULL, gone = { .null = 1 };
	enum uoms_code code;
	enum uoms_db_step rc;
	struct uoms_stmt *st;
	long long *ids = NULL;
	char (*subj)[200] = NULL, val[40], thr[40];
	int n, nf = 0, j, k;

	if ((code = figures(s, c, i, &seen, &n, e)) != UOMS_OK)
		goto out;
	/* The alerts of r firing now. */
	if ((st = uoms_db_stmt(s, SQL_ALERT_FIRING)) == NULL) {
		code = uoms_db_fail(s, e, "reading alerts");
		goto out;
	}
	uoms_db_bind_text(st, 1, r->name);
	while ((rc = uoms_db_step(st)) == UOMS_DB_ROW) {
		void *a = realloc(ids, (nf + 1) * sizeof *ids);
		void *b = a != NULL ? realloc(subj, (nf + 1) * sizeof *subj) :
		    NULL;

		if (a != NULL)
			ids = a;
		if (b == NULL) {
			uoms_db_done(st);
			code = uoms_fail(e, UOMS_INTERNAL, "out of memory");
			goto out;
		}
		subj = b;
		ids[nf] = uoms_db_int(st, 0);
		snprintf(subj[nf], sizeof subj[nf], "%s",
		    uoms_db_text(st, 1) != NULL ? uoms_db_text(st, 1) : "");
		nf++;
	}
	uoms_db_done(st);
	if (rc != UOMS_DB_DONE) {
		code = uoms_db_fail(s, e, "reading alerts");
		goto out;
	}
	/* Firing ones: keep the value, or resolve. A subject no longer
	 * seen (a channel disabled or removed) has recovered too. */
	for (k = 0; k < nf; k++) {
		const struct seen *v = &gone;

		for (j = 0; j < n; j++)
			if (strcmp(seen[j].subject, subj[k]) == 0)
				v = &seen[j];
		if (v == &gone)
			snprintf(gone.subject, sizeof gone.subject, "%s",
			    subj[k]);
		st = uoms_db_stmt(s, breached(r, v) ? SQL_ALERT_VALUE :
		    SQL_ALERT_RESOLVE);
		if (st == NULL) {
			code = uoms_db_fail(s, e, "changing an alert");
			goto out;
		}
		uoms_db_bind_int(st, 1, ids[k]);
		num_text(v->null ? NAN : v->value, val, sizeof val);
		uoms_db_bind_text(st, 2, v->null ? NULL : val);
		if (!breached(r, v))
			uoms_db_bind_text(st, 3, at);
		if ((code = uoms_db_exec(s, st, "changing an alert", e)) !=
		    UOMS_OK)
			goto out;
		if (!breached(r, v) &&
		    (code = change_line(c, r, ids[k], "resolved", v, at, e)) !=
		    UOMS_OK)
			goto out;
	}
	/* Breaches with no alert firing: open one. */
	for (j = 0; j < n; j++) {
		if (!breached(r, &seen[j]))
			continue;
		for (k = 0; k < nf && strcmp(subj[k], seen[j].subject) != 0;
		    k++)
			;
		if (k < nf)
			continue;
		if ((st = uoms_db_stmt(s, SQL_ALERT_OPEN)) == NULL) {
			code = uoms_db_fail(s, e, "opening an alert");
			goto out;
		}
		uoms_db_bind_text(st, 1, r->name);
		uoms_db_bind_text(st, 2, seen[j].subject);
		uoms_db_bind_text(st, 3, r->figure);
		num_text(seen[j].value, val, sizeof val);
		num_text(r->threshold, thr, sizeof thr);
		uoms_db_bind_text(st, 4, val);
		uoms_db_bind_text(st, 5, thr);
		uoms_db_bind_text(st, 6, at);
		rc = uoms_db_step(st);
		/* No row: another check opened it first. */
		if (rc == UOMS_DB_ROW)
			code = change_line(c, r, uoms_db_int(st, 0), "opened",
			    &seen[j], at, e);
		uoms_db_done(st);
		if (rc == UOMS_DB_ERROR)
			code = uoms_db_fail(s, e, "opening an alert");
		if (code != UOMS_OK)
			goto out;
	}
out:
	free(seen);
	free(ids);
	free(subj);
	return code;
}

static enum uoms_code
check_tx(struct uoms_store *s, void *arg, struct uoms_error *e)
{
	struct check *c = arg;
	enum uoms_code code;
	char at[21];

	uoms_buf_clear(c->out);
	fmt_epoch(c->now, at);
	for (int i = 0; i < c->rules->n; i++)
		if ((code = check_rule(s, c, i, at, e)) != UOMS_OK)
			return code;
	return UOMS_OK;
}

enum uoms_code
uoms_alert_check(struct uoms_store *s, const struct uoms_alert_rules *rules,
    long long now, const char *const workflow_dirs[2], struct uoms_buf *out,
    struct uoms_error *e)
{
	struct check c = { .rules = rules, .now = now, .out = out };
	enum uoms_code code = UOMS_OK;

	if (rules->n == 0)
		return UOMS_OK;
	if ((c.metrics = calloc(rules->n, sizeof *c.metrics)) == NULL)
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	/* The report runs in a read transaction of its own: before the
	 * write one, never inside it. */
	for (int i = 0; i < rules->n && code == UOMS_OK; i++)
		if (rules->r[i].kind == UOMS_ALERT_METRICS)
			code = metrics_figure(s, &rules->r[i], now,
			    workflow_dirs, &c.metrics[i], e);
	if (code == UOMS_OK)
		code = uoms_db_transact(s, check_tx, &c, e);
	free(c.metrics);
	return code;
}

/* The alert in st's row (SQL_ALERT_GET's columns) as a line on out. */
static enum uoms_code
alert_line(struct uoms_stmt *st, struct uoms_buf *out, struct uoms_error *e)
{
	static const char *const cols[] = { "id", "name", "subject",
	    "figure", "state", "value", "threshold", "opened_at",
	    "acknowledged_by", "acknowledged_at", "note", "resolved_at" };
	json_t *o = json_object();
	char *s;
	int rc;

	for (int i = 0; o != NULL && i < 12; i++) {
		json_t *v;

		if (uoms_db_is_null(st, i))
			v = json_null();
		else if (i == 0)
			v = json_integer(uoms_db_int(st, i));
		else if (i == 5 || i == 6)
			v = num(strtod(uoms_db_text(st, i), NULL));
		else
			v = json_string(uoms_db_text(st, i));
		if (json_object_set_new(o, cols[i], v) < 0) {
			json_decref(o);
			o = NULL;
		}
	}
	if (o == NULL ||
	    (s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(15))) == NULL) {
		json_decref(o);
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	}
	json_decref(o);
	rc = uoms_buf_str(out, s) < 0 || uoms_buf_str(out, "\n") < 0;
	free(s);
	return rc ? uoms_fail(e, UOMS_INTERNAL, "out of memory") : UOMS_OK;
}

enum uoms_code
uoms_alert_list(struct uoms_store *s, const char *state,
    struct uoms_buf *out, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_ALERT_LIST);
	enum uoms_code code = UOMS_OK;
	enum uoms_db_step rc;

	if (st == NULL)
		return uoms_db_fail(s, e, "reading alerts");
	uoms_db_bind_text(st, 1, state);
	while ((rc = uoms_db_step(st)) == UOMS_DB_ROW)
		if ((code = alert_line(st, out, e)) != UOMS_OK)
			break;
	uoms_db_done(st);
	if (code == UOMS_OK && rc != UOMS_DB_DONE)
		return uoms_db_fail(s, e, "reading alerts");
	return code;
}

enum uoms_code
uoms_alert_ack(struct uoms_store *s, long long id, const char *actor,
    const char *now, const char *note, struct uoms_buf *out,
    struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_ALERT_GET);
	enum uoms_code code;
	enum uoms_db_step rc;
	char state[20] = "";

	if (st == NULL)
		return uoms_db_fail(s, e, "reading an alert");
	uoms_db_bind_int(st, 1, id);
	if ((rc = uoms_db_step(st)) == UOMS_DB_ROW)
		snprintf(state, sizeof state, "%s", uoms_db_text(st, 4));
	uoms_db_done(st);
	if (rc == UOMS_DB_ERROR)
		return uoms_db_fail(s, e, "reading an alert");
	if (rc == UOMS_DB_DONE)
		return uoms_fail(e, UOMS_NOT_FOUND, "no alert %lld", id);
	if (strcmp(state, "open") != 0)
		return uoms_fail(e, UOMS_INVALID, "alert %lld is %s, not open",
		    id, state);
	if ((st = uoms_db_stmt(s, SQL_ALERT_ACK)) == NULL)
		return uoms_db_fail(s, e, "acknowledging an alert");
	uoms_db_bind_int(st, 1, id);
	uoms_db_bind_text(st, 2, actor);
	uoms_db_bind_text(st, 3, now);
	uoms_db_bind_text(st, 4, note);
	if ((code = uoms_db_exec(s, st, "acknowledging an alert", e)) !=
	    UOMS_OK)
		return code;
	if ((st = uoms_db_stmt(s, SQL_ALERT_GET)) == NULL)
		return uoms_db_fail(s, e, "reading an alert");
	uoms_db_bind_int(st, 1, id);
	code = uoms_db_step(st) == UOMS_DB_ROW ? alert_line(st, out, e) :
	    uoms_db_fail(s, e, "reading an alert");
	uoms_db_done(st);
	return code;
}

enum uoms_code
uoms_alert_fetch_mark(struct uoms_store *s, const char *channel, int ok,
    int auth_failed, const char *at, struct uoms_error *e)
{
	struct uoms_stmt *st = uoms_db_stmt(s, SQL_ALERT_FETCH_MARK);

	if (st == NULL)
		return uoms_db_fail(s, e, "keeping how a fetch went");
	uoms_db_bind_text(st, 1, channel);
	uoms_db_bind_int(st, 2, ok != 0);
	uoms_db_bind_int(st, 3, auth_failed != 0);
	uoms_db_bind_text(st, 4, at);
	return uoms_db_exec(s, st, "keeping how a fetch went", e);
}
