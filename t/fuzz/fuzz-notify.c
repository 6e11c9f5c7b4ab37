/*
 * fuzz-notify: uoms-notify's body templates and Retry-After (notify.h).
 * The input is a template, a NUL, and a line (no NUL: the whole input is
 * the template, over a line of a few members). Checked: a template
 * uoms_notify_template_check takes renders to JSON or is refused with a
 * why; the input read as a Retry-After value is none (-1) or a wait in
 * [0, UOMS_NOTIFY_RETRY_AFTER_MAX].
 */
#include <jansson.h>

#include "fuzz.h"
#include "notify.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *nul = memchr(data, '\0', size);
	struct uoms_buf out = { 0 };
	char *tmpl, why[300];
	json_t *line, *back;
	double d;

	if ((tmpl = strndup((const char *)data, size)) == NULL)
		return 0;
	line = nul != NULL ? json_loadb(nul + 1, size - (nul + 1 -
	    (const char *)data), 0, NULL) : json_loads("{\"a\":\"x\\\"y\","
	    "\"n\":3,\"o\":{\"b\":[1,{\"c\":null}]},\"t\":true}", 0, NULL);
	if (line != NULL && uoms_notify_template_check(tmpl, why,
	    sizeof why) == 0) {
		why[0] = '\0';
		if (uoms_notify_render(tmpl, line, &out, why, sizeof why) == 0) {
			if ((back = json_loadb(out.p, out.n, JSON_DECODE_ANY,
			    NULL)) == NULL)
				fuzz_fail("rendered no JSON: %s", out.p);
			json_decref(back);
		} else if (why[0] == '\0')
			fuzz_fail("refused without a why");
	}
	d = uoms_notify_retry_after(tmpl, 1796572800);
	if (d != -1 && !(d >= 0 && d <= UOMS_NOTIFY_RETRY_AFTER_MAX))
		fuzz_fail("retry-after '%s': %g", tmpl, d);
	uoms_buf_free(&out);
	json_decref(line);
	free(tmpl);
	return 0;
}
