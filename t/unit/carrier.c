/*
 * carrier: share/uoms/carriers.tsv read as uoms-push and the order
 * parser read it: the ids, each channel's code, and what is refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "carrier.h"
#include "tap.h"

static const char *src;

int
main(void)
{
	static const char *const want[][6] = {
		{ "cj", "CJ대한통운", "CJGLS", "CJGLS", "CJ Logistics",
		    "CJ대한통운" },
		{ "hanjin", "한진택배", "HANJIN", "HANJIN", "Hanjin",
		    "한진택배" },
		{ "lotte", "롯데택배", "HYUNDAI", "HYUNDAI",
		    "Lotte Global Logistics", "롯데택배" },
		{ "epost", "우체국택배", "EPOST", "EPOST", "Korea Post",
		    "우체국택배" },
		{ "logen", "로젠택배", "KGB", "KGB", "Logen", "로젠택배" },
	};
	static const char *const cols[] = { "id", "name", "coupang", "naver",
	    "shopify", "woocommerce" };
	char path[4096], why[512];
	FILE *fp;

	if ((src = getenv("UOMS_SRC")) == NULL || *src == '\0')
		src = ".";
	snprintf(path, sizeof path, "%s/share/uoms/carriers.tsv", src);
	uoms_carrier_file(path);
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		ok(uoms_carrier_known(want[i][0], strlen(want[i][0]), why,
		    sizeof why), "%s is a carrier", want[i][0]);
		for (size_t c = 1; c < 6; c++) {
			char what[96];

			snprintf(what, sizeof what, "%s: %s", want[i][0],
			    cols[c]);
			is(uoms_carrier_code(want[i][0], cols[c]), want[i][c],
			    what);
		}
	}
	ok(!uoms_carrier_known("cjx", 2 + 1, why, sizeof why) &&
	    strstr(why, "unknown carrier 'cjx' (carriers.tsv has cj, "
	    "hanjin, lotte, epost, logen)") != NULL, "an unknown id: %s", why);
	ok(uoms_carrier_known("cjx", 2, why, sizeof why),
	    "an id is its n bytes: 'cj' of 'cjx'");
	ok(uoms_carrier_code("cj", "amazon") == NULL, "an unknown column");
	ok(uoms_carrier_code("dhl", "coupang") == NULL, "an unknown carrier");

	/* "-" where a channel has no code; a file without header refused. */
	snprintf(path, sizeof path, "/tmp/uoms-carrier-%d.tsv", (int)getpid());
	if ((fp = fopen(path, "w")) != NULL) {
		fputs("# c\nid\tname\tcoupang\nzz\tZZ\t-\n", fp);
		fclose(fp);
	}
	uoms_carrier_file(path);
	ok(uoms_carrier_known("zz", 2, why, sizeof why) &&
	    uoms_carrier_code("zz", "coupang") == NULL &&
	    uoms_carrier_code("zz", "naver") == NULL,
	    "'-' and a missing column have no code");
	if ((fp = fopen(path, "w")) != NULL) {
		fputs("zz\tZZ\n", fp);
		fclose(fp);
	}
	uoms_carrier_file(path);
	ok(!uoms_carrier_known("zz", 2, why, sizeof why) &&
	    strstr(why, "no header line") != NULL, "no header: %s", why);
	unlink(path);
	uoms_carrier_file("/nonexistent/carriers.tsv");
	ok(!uoms_carrier_known("cj", 2, why, sizeof why) &&
	    strstr(why, "can't read the carriers") != NULL, "no file: %s",
	    why);
	uoms_carrier_file(NULL);
	printf("1..%d\n", tests);
	return failed > 0;
}
