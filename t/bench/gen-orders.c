/*
 * gen-orders: prints deterministic sample order lines (lib/demo) for
 * benchmarks, tests and demos. Same options, same bytes.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "demo.h"
#include "err.h"

static const char usage[] =
    "usage: gen-orders [--seed N] [--start N] [--count N] [--revision N]\n"
    "                  [--base TIME] [--products]\n";

static unsigned long long
number(const char *name, const char *arg)
{
	unsigned long long v;
	char *end;

	v = strtoull(arg, &end, 10);
	if (*arg == '\0' || *arg == '-' || *end != '\0') {
		uoms_warn(NULL, "invalid: %s '%s' is not a number", name, arg);
		fputs(usage, stderr);
		exit(UOMS_EXIT_USAGE);
	}
	return v;
}

/* TIME is YYYY-MM-DDTHH:MM:SSZ or "now". */
static long long
base_time(const char *arg)
{
	struct tm tm;
	const char *end;

	if (strcmp(arg, "now") == 0)
		return time(NULL);
	memset(&tm, 0, sizeof tm);
	end = strptime(arg, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (end == NULL || *end != '\0') {
		uoms_warn(NULL, "invalid: base '%s' is not "
		    "YYYY-MM-DDTHH:MM:SSZ", arg);
		fputs(usage, stderr);
		exit(UOMS_EXIT_USAGE);
	}
	return timegm(&tm);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "seed", required_argument, NULL, 's' },
		{ "start", required_argument, NULL, 'f' },
		{ "count", required_argument, NULL, 'n' },
		{ "revision", required_argument, NULL, 'r' },
		{ "base", required_argument, NULL, 'b' },
		{ "products", no_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	static char obuf[1 << 16];
	struct uoms_demo d;
	unsigned long long start = 0, count = 1000, n, rev = 0;
	char line[UOMS_DEMO_LINE_MAX];
	int c, len, products = 0, count_set = 0;

	uoms_err_setprog("gen-orders");
	uoms_demo_init(&d, 1);
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			return UOMS_EXIT_OK;
		case 's':
			d.seed = number("seed", optarg);
			break;
		case 'f':
			start = number("start", optarg);
			break;
		case 'n':
			count = number("count", optarg);
			count_set = 1;
			break;
		case 'r':
			rev = number("revision", optarg);
			break;
		case 'b':
			d.base = base_time(optarg);
			break;
		case 'p':
			products = 1;
			break;
		default:
			fputs(usage, stderr);
			return UOMS_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		uoms_warn(NULL, "usage: unexpected argument '%s'",
		    argv[optind]);
		fputs(usage, stderr);
		return UOMS_EXIT_USAGE;
	}
	if (rev > 1000000) {
		uoms_warn(NULL, "invalid: revision '%llu' is too large", rev);
		return UOMS_EXIT_USAGE;
	}
	if (products && !count_set)
		count = UOMS_DEMO_PRODUCTS;

	setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
	for (n = start; n - start < count; n++) {
		if (products) {
			if (n >= UOMS_DEMO_PRODUCTS)
				break;
			len = uoms_demo_product((int)n, line, sizeof line - 1);
		} else
			len = uoms_demo_order(&d, n, (unsigned)rev, line,
			    sizeof line - 1);
		if (len < 0)
			uoms_die(UOMS_EXIT_CANNOT, NULL, "line %llu too long",
			    n);
		line[len++] = '\n';
		if (fwrite(line, 1, len, stdout) != (size_t)len)
			break;
	}
	if (fflush(stdout) == EOF || ferror(stdout))
		uoms_die(UOMS_EXIT_CANNOT, NULL, "cannot write: stdout");
	return UOMS_EXIT_OK;
}
