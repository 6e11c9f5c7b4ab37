/*
 * config: uoms.yaml, read with libyaml into flat "key" / "section.key"
 * string pairs. The environment and flags override it (SPEC 2); this
 * module only reads the file and answers lookups.
 */
#ifndef UOMS_CONFIG_H
#define UOMS_CONFIG_H

struct uoms_config {
	char *path;		/* the file read, or NULL when none */
	int n;
	char **keys, **values;
};

/*
 * Reads path into cfg. A NULL path means: no configuration (empty).
 * Returns 0, or -1 with why filled ("uoms.yaml: line 3, column 5: ...").
 */
int uoms_config_load(struct uoms_config *cfg, const char *path,
    char *why, int whylen);
void uoms_config_free(struct uoms_config *cfg);

/* The value of key, or def when absent. Borrowed from cfg. */
const char *uoms_config_get(const struct uoms_config *cfg, const char *key,
    const char *def);
/* The value of key as a whole number, def when absent, -1 and *bad set
 * when it is not a number. */
long long uoms_config_num(const struct uoms_config *cfg, const char *key,
    long long def, int *bad);

#endif
