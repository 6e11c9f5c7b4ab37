#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "config.h"

static int
add(struct uoms_config *cfg, const char *key, const char *value)
{
	char **k = realloc(cfg->keys, (cfg->n + 1) * sizeof *k);
	char **v;

	if (k == NULL)
		return -1;
	cfg->keys = k;
	v = realloc(cfg->values, (cfg->n + 1) * sizeof *v);
	if (v == NULL)
		return -1;
	cfg->values = v;
	cfg->keys[cfg->n] = strdup(key);
	cfg->values[cfg->n] = strdup(value);
	cfg->n++;
	return 0;
}

/*
 * How deep settings nest and how many a file may hold. An alias lets a
 * mapping contain itself (&a {key: *a}) or expand a few lines into
 * billions of settings: both are refused, never followed.
 */
#define CONFIG_DEPTH_MAX	16
#define CONFIG_SETTINGS_MAX	100000

/* Walks a mapping node, adding "prefix.key" for every scalar inside. */
static int
walk(struct uoms_config *cfg, yaml_document_t *doc, yaml_node_t *map,
    const char *prefix, int depth, long *visits, char *why, int whylen)
{
	if (depth > CONFIG_DEPTH_MAX) {
		snprintf(why, whylen, "line %zu: settings nest deeper than %d "
		    "levels (an alias inside itself?)",
		    map->start_mark.line + 1, CONFIG_DEPTH_MAX);
		return -1;
	}
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	    p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		yaml_node_t *v = yaml_document_get_node(doc, p->value);
		char key[256];

		if (k->type != YAML_SCALAR_NODE) {
			snprintf(why, whylen, "line %zu: a key must be a word",
			    k->start_mark.line + 1);
			return -1;
		}
		snprintf(key, sizeof key, "%s%s%s", prefix, *prefix ? "." : "",
		    (char *)k->data.scalar.value);
		if (++*visits > CONFIG_SETTINGS_MAX) {
			snprintf(why, whylen, "line %zu: more than %d settings "
			    "(aliases expanding?)", k->start_mark.line + 1,
			    CONFIG_SETTINGS_MAX);
			return -1;
		}
		if (v->type == YAML_MAPPING_NODE) {
			if (walk(cfg, doc, v, key, depth + 1, visits, why,
			    whylen) < 0)
				return -1;
		} else if (v->type == YAML_SCALAR_NODE) {
			if (add(cfg, key, (char *)v->data.scalar.value) < 0)
				return -1;
		}
		/* Sequences belong to sections read by their own modules. */
	}
	return 0;
}

int
uoms_config_load(struct uoms_config *cfg, const char *path, char *why,
    int whylen)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	struct stat sb;
	FILE *fp;
	int rc = 0;

	memset(cfg, 0, sizeof *cfg);
	if (path == NULL)
		return 0;
	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(why, whylen, "can't open '%s': %s", path,
		    strerror(errno));
		return -1;
	}
	/* fopen opens a folder too, and libyaml then says only "input
	 * error": say what is wrong. */
	if (fstat(fileno(fp), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		snprintf(why, whylen, "'%s' is a directory, not a "
		    "configuration file", path);
		fclose(fp);
		return -1;
	}
	cfg->path = strdup(path);
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, fp);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(why, whylen, "%s: line %zu, column %zu: %s", path,
		    parser.problem_mark.line + 1, parser.problem_mark.column + 1,
		    parser.problem != NULL ? parser.problem : "bad YAML");
		yaml_parser_delete(&parser);
		fclose(fp);
		return -1;
	}
	root = yaml_document_get_root_node(&doc);
	if (root != NULL && root->type != YAML_MAPPING_NODE) {
		snprintf(why, whylen, "%s: line %zu: the file must be a mapping "
		    "of settings", path, root->start_mark.line + 1);
		rc = -1;
	} else if (root != NULL) {
		char sub[200];
		long visits = 0;

		rc = walk(cfg, &doc, root, "", 1, &visits, sub, sizeof sub);
		if (rc < 0)
			snprintf(why, whylen, "%s: %s", path, sub);
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(fp);
	return rc;
}

void
uoms_config_free(struct uoms_config *cfg)
{
	for (int i = 0; i < cfg->n; i++) {
		free(cfg->keys[i]);
		free(cfg->values[i]);
	}
	free(cfg->keys);
	free(cfg->values);
	free(cfg->path);
	memset(cfg, 0, sizeof *cfg);
}

const char *
uoms_config_get(const struct uoms_config *cfg, const char *key,
    const char *def)
{
	/* The last of repeated keys wins, as a later line overrides. */
	for (int i = cfg->n - 1; i >= 0; i--)
		if (strcmp(cfg->keys[i], key) == 0)
			return cfg->values[i];
	return def;
}

long long
uoms_config_num(const struct uoms_config *cfg, const char *key,
    long long def, int *bad)
{
	const char *v = uoms_config_get(cfg, key, NULL);
	char *end;
	long long n;

	if (v == NULL)
		return def;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < 0) {
		*bad = 1;
		return -1;
	}
	return n;
}
