/*
 * pgserver: a throwaway PostgreSQL for a unit test (t/pg.sh), or the one
 * $UOMS_TEST_PG names. pg_server_start gives its URL (NULL when this
 * machine has none); pg_server_stop stops and removes one started here.
 */
#ifndef UOMS_PGSERVER_H
#define UOMS_PGSERVER_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The folder of a server started here, "" when none was. */
static char pg_server_dir[64];

static inline const char *
pg_server_start(char *url, size_t n)
{
	const char *given = getenv("UOMS_TEST_PG"), *src = getenv("UOMS_SRC");
	char cmd[600];
	FILE *p;

	pg_server_dir[0] = '\0';
	if (given != NULL && given[0] != '\0')
		return given;
	/* Its own folder, open to the server's user (root runs it as
	 * postgres: pg.sh). */
	snprintf(pg_server_dir, sizeof pg_server_dir,
	    "/tmp/uoms-unit-pg.XXXXXX");
	if (mkdtemp(pg_server_dir) == NULL || chmod(pg_server_dir, 0755) < 0) {
		pg_server_dir[0] = '\0';
		return NULL;
	}
	snprintf(cmd, sizeof cmd, "%s/t/pg.sh start %s", src ? src : ".",
	    pg_server_dir);
	p = popen(cmd, "r");
	if (p != NULL && fgets(url, (int)n, p) == NULL) {
		pclose(p);
		p = NULL;
	}
	if (p == NULL || pclose(p) != 0) {
		snprintf(cmd, sizeof cmd, "rm -rf %s", pg_server_dir);
		if (system(cmd) != 0)
			printf("# can't remove %s\n", pg_server_dir);
		pg_server_dir[0] = '\0';
		return NULL;
	}
	url[strcspn(url, "\n")] = '\0';
	return url;
}

static inline void
pg_server_stop(void)
{
	const char *src = getenv("UOMS_SRC");
	char cmd[600];

	if (pg_server_dir[0] == '\0')
		return;
	snprintf(cmd, sizeof cmd, "%s/t/pg.sh stop %s", src ? src : ".",
	    pg_server_dir);
	if (system(cmd) != 0)
		printf("# can't stop the server in %s\n", pg_server_dir);
	snprintf(cmd, sizeof cmd, "rm -rf %s", pg_server_dir);
	if (system(cmd) != 0)
		printf("# can't remove %s\n", pg_server_dir);
	pg_server_dir[0] = '\0';
}

#endif
