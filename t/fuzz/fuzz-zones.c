/*
 * fuzz-zones: the zones loader (zones.h) over any file. A table it takes
 * is asked for codes of every length, some from the input itself.
 * Checked: what the loader promises (a refusal names the file, a row's
 * one its line; a code found has a zone that is not empty and a
 * department, maybe empty; a code that is not digits finds nothing).
 */
#include "fuzz.h"
#include "zones.h"

static void
ask(const struct uoms_zones *z, const char *code, size_t n)
{
	const char *zone = NULL, *dept = NULL;
	int digits = n > 0;

	for (size_t i = 0; i < n; i++)
		if (code[i] < '0' || code[i] > '9')
			digits = 0;
	if (!uoms_zones_find(z, code, n, &zone, &dept))
		return;
	if (!digits)
		fuzz_fail("'%.*s' is not a code, yet found", (int)n, code);
	if (zone == NULL || *zone == '\0' || dept == NULL)
		fuzz_fail("'%.*s' found without a zone or department", (int)n,
		    code);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const codes[] = {
		"", "0", "06", "062", "0623", "06236", "06299", "99999",
		"0000000000", "12345678901", "06a36", "-", "*"
	};
	const char *path = fuzz_file(data, size, ".csv");
	struct uoms_zones *z;
	char why[512];

	why[0] = '\0';
	z = uoms_zones_load(path, why, sizeof why);
	if (z == NULL) {
		if (strncmp(why, path, strlen(path)) != 0)
			fuzz_fail("refused without naming the file: '%s'", why);
		return 0;
	}
	if (uoms_zones_count(z) < 0)
		fuzz_fail("a negative count");
	for (size_t i = 0; i < sizeof codes / sizeof *codes; i++)
		ask(z, codes[i], strlen(codes[i]));
	/* Codes from the input: each run of digits, and its prefixes. */
	for (size_t i = 0; i < size; i++) {
		size_t n = 0;

		while (i + n < size && n < 12 && data[i + n] >= '0' &&
		    data[i + n] <= '9')
			n++;
		for (size_t k = 1; k <= n; k++)
			ask(z, (const char *)data + i, k);
		i += n;
	}
	uoms_zones_free(z);
	return 0;
}
