/*
 * carrier: share/uoms/carriers.tsv, read once. Small (a handful of
 * carriers), so kept as lines of fields and searched in order.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "carrier.h"
#include "cli.h"

#define MAXCOLS 16

struct row {
	char *f[MAXCOLS];
	int n;
};

static const char *file;	/* set by uoms_carrier_file, or NULL */
static struct row *rows;	/* rows[0] is the header */
static int nrows, loaded;
static char load_why[300];

static void
drop(void)
{
	for (int i = 0; i < nrows; i++)
		free(rows[i].f[0]);
	free(rows);
	rows = NULL;
	nrows = loaded = 0;
	load_why[0] = '\0';
}

void
uoms_carrier_file(const char *path)
{
	drop();
	file = path;
}

/* Splits line (owned by the row from now on) at tabs. */
static void
split(struct row *r, char *line)
{
	char *p = line;

	r->n = 0;
	while (r->n < MAXCOLS) {
		r->f[r->n++] = p;
		if ((p = strchr(p, '\t')) == NULL)
			break;
		*p++ = '\0';
	}
}

static int load_file(void);

/* Loaded once, on first use; uoms-serve's worker threads may all ask at
 * once. */
static int
load(void)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	int r;

	pthread_mutex_lock(&mu);
	r = load_file();
	pthread_mutex_unlock(&mu);
	return r;
}

static int
load_file(void)
{
	char path[4200], *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *fp;

	if (loaded)
		return nrows > 0 ? 0 : -1;
	loaded = 1;
	if (file != NULL)
		snprintf(path, sizeof path, "%s", file);
	else
		snprintf(path, sizeof path, "%s/carriers.tsv",
		    uoms_cli_data_dir());
	if ((fp = fopen(path, "r")) == NULL) {
		snprintf(load_why, sizeof load_why, "can't read the carriers "
		    "'%.200s'", path);
		return -1;
	}
	while ((len = getline(&line, &cap, fp)) >= 0) {
		struct row *r;

		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if ((r = realloc(rows, (nrows + 1) * sizeof *rows)) == NULL)
			break;
		rows = r;
		split(&rows[nrows++], line);
		line = NULL;
		cap = 0;
	}
	free(line);
	fclose(fp);
	if (nrows < 2 || strcmp(rows[0].f[0], "id") != 0) {
		drop();
		loaded = 1;
		snprintf(load_why, sizeof load_why, "the carriers '%.200s' "
		    "have no header line and carrier", path);
		return -1;
	}
	return 0;
}

static const struct row *
find(const char *id, size_t n)
{
	for (int i = 1; i < nrows; i++)
		if (strlen(rows[i].f[0]) == n &&
		    memcmp(rows[i].f[0], id, n) == 0)
			return &rows[i];
	return NULL;
}

int
uoms_carrier_known(const char *id, size_t n, char *why, size_t whylen)
{
	struct uoms_buf ids = { 0 };

	if (load() < 0) {
		snprintf(why, whylen, "%s", load_why);
		return 0;
	}
	if (find(id, n) != NULL)
		return 1;
	for (int i = 1; i < nrows; i++)
		uoms_buf_printf(&ids, "%s%s", i > 1 ? ", " : "",
		    rows[i].f[0]);
	snprintf(why, whylen, "unknown carrier '%.*s' (carriers.tsv has %s)",
	    (int)(n > 40 ? 40 : n), id, ids.p != NULL ? ids.p : "");
	uoms_buf_free(&ids);
	return 0;
}

const char *
uoms_carrier_code(const char *id, const char *kind)
{
	const struct row *r;
	int col;

	if (load() < 0 || (r = find(id, strlen(id))) == NULL)
		return NULL;
	for (col = 0; col < rows[0].n; col++)
		if (strcmp(rows[0].f[col], kind) == 0)
			break;
	if (col == rows[0].n || col >= r->n || strcmp(r->f[col], "-") == 0 ||
	    r->f[col][0] == '\0')
		return NULL;
	return r->f[col];
}
