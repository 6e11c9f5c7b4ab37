/*
 * fuzz-alert-rules: the rules file's alerts: section (alert.h) over any
 * file, named by a configuration's rules: key. Checked: a refusal says
 * why; an accepted alert has a name, a figure of its kind, a finite
 * threshold, a window over zero, a held_for not under zero, and no two
 * share a name.
 */
#include <math.h>
#include <string.h>

#include "alert.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uoms_alert_rules rules;
	char *keys[] = { "rules" }, *values[1];
	struct uoms_config cfg = { NULL, 1, keys, values };
	char why[600];

	values[0] = (char *)fuzz_file(data, size, ".yaml");
	why[0] = '\0';
	if (uoms_alert_rules_load(&rules, &cfg, why, sizeof why) < 0) {
		if (why[0] == '\0')
			fuzz_fail("refused without a why");
		uoms_alert_rules_free(&rules);
		return 0;
	}
	for (int i = 0; i < rules.n; i++) {
		const struct uoms_alert_rule *r = &rules.r[i];

		if (r->name == NULL || r->name[0] == '\0' || r->figure == NULL)
			fuzz_fail("alert %d without a name or figure", i);
		if (!isfinite(r->threshold) || r->window <= 0 ||
		    r->held_for < 0)
			fuzz_fail("alert '%s': threshold %g, window %lld, "
			    "held_for %lld", r->name, r->threshold, r->window,
			    r->held_for);
		if (r->channel != NULL && r->kind != UOMS_ALERT_FETCH_AGE &&
		    r->kind != UOMS_ALERT_AUTH)
			fuzz_fail("alert '%s': a channel on figure '%s'",
			    r->name, r->figure);
		for (int j = 0; j < i; j++)
			if (strcmp(rules.r[j].name, r->name) == 0)
				fuzz_fail("two alerts named '%s'", r->name);
	}
	uoms_alert_rules_free(&rules);
	return 0;
}
