/*
 * zones: the matcher of uoms-zones(5) on a table of every kind of row,
 * and the shipped Seoul table: exact beats the longest prefix, which
 * beats the narrowest range; a code in no row finds none; a bad file is
 * refused with its line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "zones.h"

/* Writes text to a file of its own; its name in path. */
static void
file(char *path, size_t len, const char *text)
{
	FILE *fp;
	int fd;

	snprintf(path, len, "/tmp/uoms-zones-XXXXXX");
	if ((fd = mkstemp(path)) < 0 || (fp = fdopen(fd, "w")) == NULL) {
		perror(path);
		exit(1);
	}
	fputs(text, fp);
	fclose(fp);
}

static const char *
zone_of(const struct uoms_zones *z, const char *code, const char **dept)
{
	const char *zone;

	if (!uoms_zones_find(z, code, strlen(code), &zone, dept)) {
		*dept = NULL;
		return NULL;
	}
	return zone;
}

static void
matches(void)
{
	static const char *const want[][3] = {
		{ "06236", "teheran", "east" },	/* exact */
		{ "06237", "yeoksam", "west" },	/* longest prefix */
		{ "06200", "gangnam", "" },	/* shorter prefix */
		{ "06550", "banpo", "north" },	/* narrower range */
		{ "06500", "banpo", "north" },	/* its low end */
		{ "06599", "banpo", "north" },	/* its high end */
		{ "06600", "seocho", "south" },	/* the wider */
		{ "06999", "seocho", "south" },
		{ "07000", NULL, NULL },	/* in none */
		{ "0623", "yeoksam", "west" },	/* a prefix of one */
		{ "6236", NULL, NULL },		/* ranges: same length */
	};
	char path[64], why[512];
	struct uoms_zones *z;
	const char *dept;

	file(path, sizeof path, "# a comment\nmatch,zone,department\n"
	    "06236,teheran,east\n062*, gangnam ,\n\n0623*,yeoksam,west\n"
	    "06000-06999,seocho,south\r\n06500-06599,banpo,north\n");
	z = uoms_zones_load(path, why, sizeof why);
	if (!ok(z != NULL, "a table of each kind loads"))
		printf("# %s\n", why);
	unlink(path);
	if (z == NULL)
		return;
	ok(uoms_zones_count(z) == 5, "5 rows");
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		char what[64];

		snprintf(what, sizeof what, "%s: zone", want[i][0]);
		is(zone_of(z, want[i][0], &dept), want[i][1], what);
		snprintf(what, sizeof what, "%s: department", want[i][0]);
		is(dept, want[i][2], what);
	}
	ok(!uoms_zones_find(z, "06a36", 5, &dept, &dept), "not digits: none");
	ok(!uoms_zones_find(z, "", 0, &dept, &dept), "empty: none");
	ok(!uoms_zones_find(z, "012345678901", 12, &dept, &dept),
	    "too long: none");
	uoms_zones_free(z);
}

static void
refused(void)
{
	static const char *const bad[][2] = {
		{ "06300-06299,x,\n",
		    "line 2: range '06300-06299' is reversed" },
		{ "0630-06299,x,\n",
		    "line 2: match '0630-06299' is not a code" },
		{ "06300,,\n", "line 2: zone '' is empty" },
		{ "06300\n", "line 2: no zone" },
		{ "06300,x,y,z\n", "line 2: more than 3 columns" },
		{ "06236,x,\n",
		    "line 2: match '06236' is given twice (line 1)" },
		{ "06*0,x,\n", "line 2: match '06*0' is not a code" },
		{ "06-,x,\n", "line 2: match '06-' is not a code" },
		{ "06300,x\x01,\n", "line 2: zone 'x?' is empty or not" },
	};
	char path[64], why[512], text[128], what[160];
	const char *at;

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		snprintf(text, sizeof text, "06236,a,b\n%s", bad[i][0]);
		file(path, sizeof path, text);
		why[0] = '\0';
		snprintf(what, sizeof what, "refused: %s", bad[i][1]);
		if (!ok(uoms_zones_load(path, why, sizeof why) == NULL &&
		    strncmp(why, path, strlen(path)) == 0 &&
		    (at = strstr(why, ": line")) != NULL &&
		    strncmp(at + 2, bad[i][1], strlen(bad[i][1])) == 0,
		    "%s", what))
			printf("#   got: %s\n", why);
		unlink(path);
	}
	ok(uoms_zones_load("/nonexistent/zones.csv", why, sizeof why) ==
	    NULL && strstr(why, "No such file") != NULL,
	    "a missing file is refused");
}

static void
seoul(void)
{
	static const char *const want[][2] = {
		{ "01000", "gangbuk" }, { "03187", "jongno" },
		{ "04524", "jung" }, { "06236", "gangnam" },
		{ "08826", "gwanak" }, { "08999", "gwanak" },
		{ "00999", NULL }, { "09000", NULL },
	};
	const char *src = getenv("UOMS_SRC"), *dept;
	char path[4096], why[512];
	struct uoms_zones *z;
	int gaps = 0;

	snprintf(path, sizeof path, "%s/etc/zones-seoul.csv",
	    src != NULL && *src != '\0' ? src : ".");
	z = uoms_zones_load(path, why, sizeof why);
	if (!ok(z != NULL, "the Seoul table loads"))
		printf("# %s\n", why);
	if (z == NULL)
		return;
	ok(uoms_zones_count(z) == 25, "25 districts");
	for (size_t i = 0; i < sizeof want / sizeof *want; i++)
		is(zone_of(z, want[i][0], &dept), want[i][1], want[i][0]);
	/* Every code of Seoul's, 01000 to 08999, in a district. */
	for (int c = 1000; c <= 8999; c++) {
		char code[8];

		snprintf(code, sizeof code, "%05d", c);
		if (zone_of(z, code, &dept) == NULL || dept == NULL ||
		    *dept == '\0')
			gaps++;
	}
	ok(gaps == 0, "01000-08999 each in a district with a department "
	    "(%d not)", gaps);
	uoms_zones_free(z);
}

int
main(void)
{
	matches();
	refused();
	seoul();
	printf("1..%d\n", tests);
	return failed != 0;
}
