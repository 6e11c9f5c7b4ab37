#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <libgen.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "db.h"
#include "hold.h"
#include "rfc3339.h"
#include "rules.h"
#include "yamldoc.h"
#include "zones.h"

/* What a rules file's intake: section says (uoms-rules(5)). */
struct list {
	char **v;
	int n;
};

struct rules {
	char *actor;
	int missing;			/* missing_info is on */
	struct list fields;		/* its members, "customer.phone" */
	int address_invalid;
	int fraud;			/* fraud_suspected is on */
	long long amount_over;		/* -1: no threshold */
	long long repeat_orders;	/* -1: no repeat rule */
	long long repeat_within;	/* seconds */
	char repeat_text[32];		/* as the file wrote it, "24h" */
	int by_phone, by_address;
	struct list phones, addresses, emails;	/* normalized */
};

/*
 * Read once per process, before the first order, then only read: the
 * server's threads share them without a lock. The mutex only orders
 * the first setup against a second.
 */
static pthread_mutex_t setup_mu = PTHREAD_MUTEX_INITIALIZER;
static int setup_done, setup_rc;
static char setup_why[512];
static struct uoms_zones *zones;
static struct rules *rules;

static const char *const default_fields[] = {
	"customer.name", "customer.phone", "shipping.address",
	"shipping.postal_code"
};

/* One rules file being read: where to report. */
struct load {
	const char *path;
	yaml_document_t *doc;
	char *why;
	size_t whylen;
};

static int
fail(struct load *l, yaml_mark_t mark, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
fail(struct load *l, yaml_mark_t mark, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	uoms_yaml_vfail(l->why, l->whylen, l->path, mark, fmt, ap);
	va_end(ap);
	return -1;
}

static yaml_node_t *
node(struct load *l, int id)
{
	return yaml_document_get_node(l->doc, id);
}

static int
boolean(struct load *l, yaml_node_t *n, const char *what, int *out)
{
	const char *s = uoms_yaml_scalar(n);

	if (s != NULL && (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0 ||
	    strcmp(s, "on") == 0))
		*out = 1;
	else if (s != NULL && (strcmp(s, "false") == 0 ||
	    strcmp(s, "no") == 0 || strcmp(s, "off") == 0))
		*out = 0;
	else
		return fail(l, n->start_mark, "%s: not true or false", what);
	return 0;
}

static int
number(struct load *l, yaml_node_t *n, const char *what, long long min,
    long long *out)
{
	const char *s = uoms_yaml_scalar(n);
	char *end;

	errno = 0;
	if (s != NULL && *s >= '0' && *s <= '9')
		*out = strtoll(s, &end, 10);
	if (s == NULL || !(*s >= '0' && *s <= '9') || *end != '\0' ||
	    errno != 0 || *out < min)
		return fail(l, n->start_mark, "%s: '%s' is not a whole number "
		    "of at least %lld", what, s ? s : "", min);
	return 0;
}

/* A window: a whole number and s, m, h or d ("24h"). */
static int
duration(struct load *l, yaml_node_t *n, const char *what, long long *out,
    char *text, size_t textlen)
{
	const char *s = uoms_yaml_scalar(n);
	long long v = 0, unit = 0;
	char *end = NULL;

	errno = 0;
	if (s != NULL && *s >= '0' && *s <= '9')
		v = strtoll(s, &end, 10);
	if (end != NULL && errno == 0 && end[0] != '\0' && end[1] == '\0')
		unit = end[0] == 's' ? 1 : end[0] == 'm' ? 60 :
		    end[0] == 'h' ? 3600 : end[0] == 'd' ? 86400 : 0;
	if (unit == 0 || v < 1 || v > 3660LL * 86400 / unit)
		return fail(l, n->start_mark, "%s: '%s' is not a duration "
		    "such as 30m, 24h or 7d", what, s ? s : "");
	*out = v * unit;
	snprintf(text, textlen, "%s", s);
	return 0;
}

static void
list_free(struct list *ls)
{
	for (int i = 0; i < ls->n; i++)
		free(ls->v[i]);
	free(ls->v);
	ls->v = NULL;
	ls->n = 0;
}

static int
list_add(struct list *ls, char *s)
{
	char **v;

	if (s == NULL || (v = realloc(ls->v, (ls->n + 1) * sizeof *v)) ==
	    NULL) {
		free(s);
		return -1;
	}
	ls->v = v;
	ls->v[ls->n++] = s;
	return 0;
}

/* Phones compare by their digits: 010-1234-5678 is 01012345678. */
static char *
norm_phone(const char *s, size_t n)
{
	char *out = malloc(n + 1), *o = out;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (s[i] >= '0' && s[i] <= '9')
			*o++ = s[i];
	*o = '\0';
	return out;
}

/* E-mails and addresses: trimmed, in lower case (ASCII's). */
static char *
norm_text(const char *s, size_t n)
{
	char *out;

	while (n > 0 && isspace((unsigned char)*s))
		s++, n--;
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		out[i] = s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i];
	out[n] = '\0';
	return out;
}

/* A sequence of scalars into ls, each through norm (NULL: as is). */
static int
strings(struct load *l, yaml_node_t *n, const char *what, struct list *ls,
    char *(*norm)(const char *, size_t))
{
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(l, n->start_mark, "%s: not a list", what);
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		yaml_node_t *v = node(l, *it);
		const char *s = uoms_yaml_scalar(v);

		if (s == NULL || *s == '\0')
			return fail(l, v->start_mark, "%s: an entry is not "
			    "text", what);
		if (list_add(ls, norm ? norm(s, strlen(s)) : strdup(s)) < 0)
			return fail(l, v->start_mark, "%s", strerror(ENOMEM));
	}
	return 0;
}

/* Is name an order's member, or member.sub of one? */
static int
field_ok(const char *name)
{
	const char *dot = strchr(name, '.');
	size_t n = dot ? (size_t)(dot - name) : strlen(name);

	if (dot != NULL && (dot[1] == '\0' || strchr(dot + 1, '.') != NULL))
		return 0;
	for (int i = 0; i < UOMS_O_COUNT; i++) {
		const char *f = uoms_order_field_name(i);

		if (strlen(f) == n && strncmp(f, name, n) == 0)
			return 1;
	}
	return 0;
}

/* For each key and value of mapping n: fn; unknown keys fail there. */
#define EACH_PAIR(l, n, k, v) \
	for (yaml_node_pair_t *p_ = (n)->data.mapping.pairs.start; \
	    p_ < (n)->data.mapping.pairs.top && \
	    ((k) = node(l, p_->key), (v) = node(l, p_->value), 1); p_++)

static int
mapping(struct load *l, yaml_node_t *n, const char *what)
{
	if (n->type != YAML_MAPPING_NODE)
		return fail(l, n->start_mark, "%s: not a mapping", what);
	return 0;
}

static int
missing_info(struct load *l, yaml_node_t *n, struct rules *r)
{
	yaml_node_t *k, *v;

	r->missing = 1;
	if (uoms_yaml_is_null(n))
		goto defaults;
	/* true: the default members; false: off. */
	if (uoms_yaml_scalar(n) != NULL) {
		if (boolean(l, n, "missing_info", &r->missing) < 0)
			return -1;
		list_free(&r->fields);
		if (!r->missing)
			return 0;
		goto defaults;
	}
	if (mapping(l, n, "missing_info") < 0)
		return -1;
	EACH_PAIR(l, n, k, v) {
		const char *key = uoms_yaml_scalar(k);

		if (key == NULL || strcmp(key, "fields") != 0)
			return fail(l, k->start_mark, "missing_info: no "
			    "setting '%s' (fields)", key ? key : "");
		if (strings(l, v, "missing_info.fields", &r->fields, NULL) < 0)
			return -1;
		for (int i = 0; i < r->fields.n; i++)
			if (!field_ok(r->fields.v[i]))
				return fail(l, v->start_mark, "missing_info: "
				    "'%s' is not an order's member (such as "
				    "customer.phone)", r->fields.v[i]);
	}
defaults:
	if (r->fields.n == 0)
		for (size_t i = 0; i < sizeof default_fields /
		    sizeof *default_fields; i++)
			if (list_add(&r->fields, strdup(default_fields[i])) <
			    0)
				return fail(l, n->start_mark, "%s",
				    strerror(ENOMEM));
	return 0;
}

static int
repeat(struct load *l, yaml_node_t *n, struct rules *r)
{
	yaml_node_t *k, *v;
	int within = 0;

	if (mapping(l, n, "fraud_suspected.repeat") < 0)
		return -1;
	r->by_phone = r->by_address = 1;
	EACH_PAIR(l, n, k, v) {
		const char *key = uoms_yaml_scalar(k) ? uoms_yaml_scalar(k) : "";

		if (strcmp(key, "orders") == 0) {
			if (number(l, v, "repeat.orders", 1,
			    &r->repeat_orders) < 0)
				return -1;
		} else if (strcmp(key, "within") == 0) {
			if (duration(l, v, "repeat.within", &r->repeat_within,
			    r->repeat_text, sizeof r->repeat_text) < 0)
				return -1;
			within = 1;
		} else if (strcmp(key, "by") == 0) {
			struct list by = { 0 };
			int rc = strings(l, v, "repeat.by", &by, NULL);

			r->by_phone = r->by_address = 0;
			for (int i = 0; rc == 0 && i < by.n; i++)
				if (strcmp(by.v[i], "phone") == 0)
					r->by_phone = 1;
				else if (strcmp(by.v[i], "address") == 0)
					r->by_address = 1;
				else
					rc = fail(l, v->start_mark,
					    "repeat.by: '%s' is not phone "
					    "or address", by.v[i]);
			list_free(&by);
			if (rc < 0)
				return -1;
		} else
			return fail(l, k->start_mark, "repeat: no setting "
			    "'%s' (orders, within, by)", key);
	}
	if (r->repeat_orders < 0 || !within)
		return fail(l, n->start_mark, "repeat: needs orders and "
		    "within");
	return 0;
}

static int
blocklist(struct load *l, yaml_node_t *n, struct rules *r)
{
	yaml_node_t *k, *v;

	if (mapping(l, n, "fraud_suspected.blocklist") < 0)
		return -1;
	EACH_PAIR(l, n, k, v) {
		const char *key = uoms_yaml_scalar(k) ? uoms_yaml_scalar(k) : "";
		int rc;

		if (strcmp(key, "phones") == 0)
			rc = strings(l, v, "blocklist.phones", &r->phones,
			    norm_phone);
		else if (strcmp(key, "emails") == 0)
			rc = strings(l, v, "blocklist.emails", &r->emails,
			    norm_text);
		else if (strcmp(key, "addresses") == 0)
			rc = strings(l, v, "blocklist.addresses",
			    &r->addresses, norm_text);
		else
			rc = fail(l, k->start_mark, "blocklist: no list '%s' "
			    "(phones, emails, addresses)", key);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int
fraud(struct load *l, yaml_node_t *n, struct rules *r)
{
	yaml_node_t *k, *v;

	if (mapping(l, n, "fraud_suspected") < 0)
		return -1;
	r->fraud = 1;
	EACH_PAIR(l, n, k, v) {
		const char *key = uoms_yaml_scalar(k) ? uoms_yaml_scalar(k) : "";
		int rc;

		if (strcmp(key, "amount_over") == 0)
			rc = number(l, v, "amount_over", 0, &r->amount_over);
		else if (strcmp(key, "repeat") == 0)
			rc = repeat(l, v, r);
		else if (strcmp(key, "blocklist") == 0)
			rc = blocklist(l, v, r);
		else
			rc = fail(l, k->start_mark, "fraud_suspected: no "
			    "setting '%s' (amount_over, repeat, blocklist)",
			    key);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int
intake(struct load *l, yaml_node_t *n, struct rules *r)
{
	yaml_node_t *k, *v;

	if (mapping(l, n, "intake") < 0)
		return -1;
	EACH_PAIR(l, n, k, v) {
		const char *key = uoms_yaml_scalar(k) ? uoms_yaml_scalar(k) : "";
		int rc = 0;

		if (strcmp(key, "actor") == 0) {
			if (uoms_yaml_scalar(v) == NULL || *uoms_yaml_scalar(v) == '\0')
				return fail(l, v->start_mark, "actor: not a "
				    "name");
			free(r->actor);
			if ((r->actor = strdup(uoms_yaml_scalar(v))) == NULL)
				return fail(l, v->start_mark, "%s",
				    strerror(ENOMEM));
		} else if (strcmp(key, "missing_info") == 0)
			rc = missing_info(l, v, r);
		else if (strcmp(key, "address_invalid") == 0)
			rc = uoms_yaml_is_null(v) ? (r->address_invalid = 1, 0) :
			    boolean(l, v, "address_invalid",
			    &r->address_invalid);
		else if (strcmp(key, "fraud_suspected") == 0)
			rc = fraud(l, v, r);
		else
			rc = fail(l, k->start_mark, "intake: no rule '%s' "
			    "(actor, missing_info, address_invalid, "
			    "fraud_suspected)", key);
		if (rc < 0)
			return -1;
		if (r->address_invalid && zones == NULL)
			return fail(l, k->start_mark, "address_invalid: needs "
			    "a zones table (zones: in uoms.yaml)");
	}
	return 0;
}

/* The file can't be read at all: its name and the system's why (cut
 * to whylen, as any message). */
static int
cannot(const char *path, int err, char *why, size_t whylen)
{
	if (snprintf(why, whylen, "%s: %s", path, strerror(err)) < 0)
		why[0] = '\0';
	return -1;
}

static void
rules_free(struct rules *r)
{
	if (r == NULL)
		return;
	free(r->actor);
	list_free(&r->fields);
	list_free(&r->phones);
	list_free(&r->addresses);
	list_free(&r->emails);
	free(r);
}

/* The intake: section of path into *out (NULL when it has none). */
static int
rules_load(const char *path, struct rules **out, char *why, size_t whylen)
{
	struct load l = { path, NULL, why, whylen };
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root, *k, *v;
	struct rules *r = NULL;
	FILE *fp;
	int rc = 0;

	*out = NULL;
	if ((fp = fopen(path, "rb")) == NULL) {
		return cannot(path, errno, why, whylen);
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, fp);
	if (!yaml_parser_load(&parser, &doc)) {
		rc = fail(&l, parser.problem_mark, "%s", parser.problem ?
		    parser.problem : "bad YAML");
		yaml_parser_delete(&parser);
		fclose(fp);
		return rc;
	}
	l.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (root != NULL && root->type != YAML_MAPPING_NODE && !uoms_yaml_is_null(root))
		rc = fail(&l, root->start_mark, "not a mapping of sections "
		    "(intake:, alerts:)");
	else if (root != NULL && root->type == YAML_MAPPING_NODE)
		EACH_PAIR(&l, root, k, v) {
			/* Other sections (alerts:) are other tools'. */
			if (uoms_yaml_scalar(k) == NULL || strcmp(uoms_yaml_scalar(k), "intake"))
				continue;
			if (uoms_yaml_is_null(v))
				continue;
			if ((r = calloc(1, sizeof *r)) == NULL) {
				rc = fail(&l, v->start_mark, "%s",
				    strerror(ENOMEM));
				break;
			}
			r->amount_over = r->repeat_orders = -1;
			if ((rc = intake(&l, v, r)) < 0)
				break;
		}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(fp);
	if (rc < 0) {
		rules_free(r);
		return -1;
	}
	if (r != NULL && r->actor == NULL &&
	    (r->actor = strdup("uoms-rules")) == NULL) {
		rules_free(r);
		return cannot(path, ENOMEM, why, whylen);
	}
	*out = r;
	return 0;
}

/* value, relative to the configuration file's folder when not absolute. */
static void
beside(const struct uoms_config *cfg, const char *value, char *out,
    size_t len)
{
	char dir[4096];

	if (value[0] == '/' || cfg->path == NULL) {
		snprintf(out, len, "%s", value);
		return;
	}
	snprintf(dir, sizeof dir, "%s", cfg->path);
	snprintf(out, len, "%s/%s", dirname(dir), value);
}

int
uoms_intake_setup(const struct uoms_config *cfg, char *why, size_t whylen)
{
	const char *zpath = uoms_config_get(cfg, "zones", NULL);
	const char *rpath = uoms_config_get(cfg, "rules", NULL);
	char path[4096];

	pthread_mutex_lock(&setup_mu);
	if (!setup_done) {
		setup_done = 1;
		if (zpath != NULL && *zpath != '\0') {
			beside(cfg, zpath, path, sizeof path);
			if ((zones = uoms_zones_load(path, setup_why,
			    sizeof setup_why)) == NULL)
				setup_rc = -1;
		}
		if (setup_rc == 0 && rpath != NULL && *rpath != '\0') {
			beside(cfg, rpath, path, sizeof path);
			setup_rc = rules_load(path, &rules, setup_why,
			    sizeof setup_why);
		}
	}
	pthread_mutex_unlock(&setup_mu);
	if (setup_rc < 0)
		snprintf(why, whylen, "%s", setup_why);
	return setup_rc;
}

int
uoms_intake_active(void)
{
	return zones != NULL || rules != NULL;
}

/* The member name of o's JSON member f, parsed (the caller decrefs). */
static json_t *
member_object(const struct uoms_order *o, enum uoms_ofield f)
{
	const struct uoms_val *v = &o->f[f];
	json_t *j;

	if (v->type != UOMS_V_TEXT)
		return NULL;
	j = json_loadb(v->s, v->n, 0, NULL);
	if (j != NULL && !json_is_object(j)) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* A string member of obj, or NULL (length in *n). */
static const char *
member_string(json_t *obj, const char *name, size_t *n)
{
	json_t *v = obj ? json_object_get(obj, name) : NULL;

	if (!json_is_string(v))
		return NULL;
	*n = json_string_length(v);
	return json_string_value(v);
}

/* Appends "zone":zone to the JSON object text s[0..n). */
static int
add_zone(struct uoms_buf *b, const char *s, size_t n, const char *zone)
{
	size_t end = n, at;

	while (end > 0 && s[end - 1] != '}')
		end--;
	if (end == 0)
		return -1;
	end--;
	for (at = 0; at < end && s[at] != '{'; at++)
		;
	at++;
	while (at < end && isspace((unsigned char)s[at]))
		at++;
	uoms_buf_add(b, s, end);
	uoms_buf_str(b, at < end ? ",\"zone\":" : "\"zone\":");
	uoms_buf_json_string(b, zone, strlen(zone));
	return uoms_buf_str(b, "}");
}

const struct uoms_order *
uoms_intake_zone(const struct uoms_order *in, struct uoms_intake_fill *f)
{
	const char *code, *zone, *dept;
	json_t *ship, *z;
	size_t n;

	f->o = *in;
	f->department = NULL;
	if (zones == NULL || (ship = member_object(in, UOMS_O_SHIPPING)) ==
	    NULL)
		return &f->o;
	if ((code = member_string(ship, "postal_code", &n)) != NULL &&
	    uoms_zones_find(zones, code, n, &zone, &dept)) {
		f->department = *dept != '\0' ? dept : NULL;
		z = json_object_get(ship, "zone");
		uoms_buf_clear(&f->shipping);
		if (z == NULL && add_zone(&f->shipping,
		    in->f[UOMS_O_SHIPPING].s, in->f[UOMS_O_SHIPPING].n,
		    zone) == 0 && f->shipping.p != NULL) {
			f->o.f[UOMS_O_SHIPPING].s = f->shipping.p;
			f->o.f[UOMS_O_SHIPPING].n = f->shipping.n;
		}
	}
	json_decref(ship);
	return &f->o;
}

void
uoms_intake_department(struct uoms_intake_fill *f)
{
	struct uoms_val *d = &f->o.f[UOMS_O_DEPARTMENT];

	if (f->department != NULL && (d->type == UOMS_V_ABSENT ||
	    d->type == UOMS_V_NULL || (d->type == UOMS_V_TEXT && d->n == 0)))
		*d = (struct uoms_val){ UOMS_V_TEXT, f->department,
		    strlen(f->department), 0 };
}

void
uoms_intake_fill_free(struct uoms_intake_fill *f)
{
	uoms_buf_free(&f->shipping);
}

/* Is name (member or member.sub) given in o, and not blank? */
static int
present(const struct uoms_order *o, const char *name)
{
	const char *dot = strchr(name, '.');
	size_t n = dot ? (size_t)(dot - name) : strlen(name);
	const struct uoms_val *v = NULL;
	json_t *obj, *m;
	int ok = 0;

	for (int i = 0; i < UOMS_O_COUNT; i++) {
		const char *f = uoms_order_field_name(i);

		if (strlen(f) == n && strncmp(f, name, n) == 0)
			v = &o->f[i];
	}
	if (v == NULL || v->type == UOMS_V_ABSENT || v->type == UOMS_V_NULL)
		return 0;
	if (dot == NULL) {
		if (v->type != UOMS_V_TEXT)
			return 1;
		for (size_t i = 0; i < v->n; i++)
			if (!isspace((unsigned char)v->s[i]))
				return 1;
		return 0;
	}
	if (v->type != UOMS_V_TEXT)
		return 0;
	/* Text jansson does not read (a lone surrogate escape, which the
	 * line's parser takes): not held as missing on a guess. */
	if ((obj = json_loadb(v->s, v->n, 0, NULL)) == NULL)
		return 1;
	m = json_is_object(obj) ? json_object_get(obj, dot + 1) : NULL;
	if (json_is_string(m)) {
		for (const char *c = json_string_value(m); *c != '\0'; c++)
			if (!isspace((unsigned char)*c))
				ok = 1;
	} else
		ok = m != NULL && !json_is_null(m);
	json_decref(obj);
	return ok;
}

static int
listed(const struct list *ls, const char *s)
{
	for (int i = 0; s != NULL && i < ls->n; i++)
		if (strcmp(ls->v[i], s) == 0)
			return 1;
	return 0;
}

/*
 * The indexes the repeat counts go by, made the first time a repeat
 * rule counts (a store without one pays for none on every new order:
 * migration 17), asked once a transaction: made in it, they go with it
 * when it rolls back. Building one over a large store takes a while,
 * once.
 */
static enum uoms_code
repeat_indexes(struct uoms_store *s, struct uoms_error *e)
{
	static const enum uoms_sql make[] = { SQL_RULES_INDEX_PHONE,
	    SQL_RULES_INDEX_ADDRESS };
	int *done = uoms_store_rules_indexed(s), rc, have;
	struct uoms_stmt *st;
	enum uoms_code code;

	if (*done && uoms_store_in_tx(s))
		return UOMS_OK;
	if ((st = uoms_db_stmt(s, SQL_RULES_INDEXED)) == NULL)
		return uoms_db_fail(s, e, "indexing orders");
	rc = uoms_db_step(st);
	have = rc == UOMS_DB_ROW ? (int)uoms_db_int(st, 0) : 0;
	uoms_db_done(st);
	if (rc != UOMS_DB_ROW)
		return uoms_db_fail(s, e, "indexing orders");
	for (size_t i = 0; have < 2 && i < sizeof make / sizeof make[0];
	    i++) {
		if ((st = uoms_db_stmt(s, make[i])) == NULL)
			return uoms_db_fail(s, e, "indexing orders");
		if ((code = uoms_db_exec(s, st, "indexing orders", e)) !=
		    UOMS_OK)
			return code;
	}
	*done = uoms_store_in_tx(s);
	return UOMS_OK;
}

/* How many orders to the same phone (or address) since the window
 * began, this one with them. */
static enum uoms_code
same_count(struct uoms_store *s, enum uoms_sql which, const char *value,
    size_t n, long long *count, struct uoms_error *e)
{
	struct uoms_stmt *st;
	enum uoms_code code;
	char since[24];

	if ((code = repeat_indexes(s, e)) != UOMS_OK)
		return code;
	if ((st = uoms_db_stmt(s, which)) == NULL)
		return uoms_db_fail(s, e, "counting orders");
	uoms_time_after(-rules->repeat_within, since);
	uoms_db_bind_textn(st, 1, value, n);
	uoms_db_bind_text(st, 2, since);
	if (uoms_db_step(st) != UOMS_DB_ROW) {
		uoms_db_done(st);
		return uoms_db_fail(s, e, "counting orders");
	}
	*count = uoms_db_int(st, 0);
	uoms_db_done(st);
	return UOMS_OK;
}

static void
sep(struct uoms_buf *b)
{
	if (b->n > 0)
		uoms_buf_str(b, "; ");
}

/* The fraud heuristics that fire for o, said in note (empty: none). */
static enum uoms_code
fraud_note(struct uoms_store *s, const struct uoms_order *o,
    struct uoms_buf *note, struct uoms_error *e)
{
	const struct uoms_val *amt = &o->f[UOMS_O_TOTAL_AMOUNT];
	json_t *cust = member_object(o, UOMS_O_CUSTOMER);
	json_t *ship = member_object(o, UOMS_O_SHIPPING);
	const char *phone, *addr, *mail;
	size_t pn = 0, an = 0, mn = 0;
	enum uoms_code code = UOMS_OK;
	long long count;
	char *norm;

	if (amt->type == UOMS_V_INT && rules->amount_over >= 0 &&
	    amt->i > rules->amount_over)
		uoms_buf_printf(note, "amount %lld > %lld", amt->i,
		    rules->amount_over);
	phone = member_string(cust, "phone", &pn);
	addr = member_string(ship, "address", &an);
	mail = member_string(cust, "email", &mn);
	if (phone != NULL && listed(&rules->phones, norm = norm_phone(phone,
	    pn))) {
		sep(note);
		uoms_buf_printf(note, "phone %s is blocklisted", phone);
	}
	if (phone != NULL)
		free(norm);
	if (mail != NULL && listed(&rules->emails, norm = norm_text(mail,
	    mn))) {
		sep(note);
		uoms_buf_printf(note, "email %s is blocklisted", mail);
	}
	if (mail != NULL)
		free(norm);
	if (addr != NULL && listed(&rules->addresses, norm = norm_text(addr,
	    an))) {
		sep(note);
		uoms_buf_printf(note, "address '%s' is blocklisted", addr);
	}
	if (addr != NULL)
		free(norm);
	if (rules->repeat_orders >= 0 && rules->by_phone && phone != NULL &&
	    (code = same_count(s, SQL_RULES_SAME_PHONE, phone, pn, &count,
	    e)) == UOMS_OK && count > rules->repeat_orders) {
		sep(note);
		uoms_buf_printf(note, "phone %s: %lld orders within %s > %lld",
		    phone, count, rules->repeat_text, rules->repeat_orders);
	}
	if (code == UOMS_OK && rules->repeat_orders >= 0 &&
	    rules->by_address && addr != NULL &&
	    (code = same_count(s, SQL_RULES_SAME_ADDRESS, addr, an, &count,
	    e)) == UOMS_OK && count > rules->repeat_orders) {
		sep(note);
		uoms_buf_printf(note, "address '%s': %lld orders within %s > "
		    "%lld", addr, count, rules->repeat_text,
		    rules->repeat_orders);
	}
	json_decref(cust);
	json_decref(ship);
	return code;
}

static enum uoms_code
hold(struct uoms_store *s, long long id, const char *reason,
    const char *prefix, struct uoms_buf *b, int *placed,
    struct uoms_error *e)
{
	struct uoms_buf note = { 0 };
	enum uoms_code code;

	uoms_buf_printf(&note, "%s: %s", prefix, b->p);
	if (note.p == NULL)
		return uoms_fail(e, UOMS_INTERNAL, "out of memory");
	code = uoms_hold_place(s, id, reason, note.p, rules->actor, e);
	uoms_buf_free(&note);
	if (code == UOMS_OK)
		(*placed)++;
	return code;
}

enum uoms_code
uoms_intake_check(struct uoms_store *s, long long id,
    const struct uoms_order *o, int *placed, struct uoms_error *e)
{
	struct uoms_buf b = { 0 };
	enum uoms_code code = UOMS_OK;

	*placed = 0;
	if (rules == NULL)
		return UOMS_OK;
	for (int i = 0; rules->missing && i < rules->fields.n; i++)
		if (!present(o, rules->fields.v[i])) {
			sep(&b);
			uoms_buf_str(&b, rules->fields.v[i]);
		}
	if (b.n > 0)
		code = hold(s, id, "missing_info", "missing", &b, placed, e);
	uoms_buf_clear(&b);
	if (code == UOMS_OK && rules->address_invalid) {
		json_t *ship = member_object(o, UOMS_O_SHIPPING);
		const char *pc, *zone, *dept;
		size_t n;

		/* No postal code at all is missing_info's to say. */
		if ((pc = member_string(ship, "postal_code", &n)) != NULL &&
		    !uoms_zones_find(zones, pc, n, &zone, &dept)) {
			uoms_buf_str(&b, "postal code '");
			uoms_buf_add(&b, pc, n);
			uoms_buf_str(&b, "' is in no zone");
			code = hold(s, id, "address_invalid", "address", &b,
			    placed, e);
		}
		json_decref(ship);
	}
	uoms_buf_clear(&b);
	if (code == UOMS_OK && rules->fraud &&
	    (code = fraud_note(s, o, &b, e)) == UOMS_OK && b.n > 0)
		code = hold(s, id, "fraud_suspected", "fraud", &b, placed, e);
	uoms_buf_free(&b);
	return code;
}
