/*
 * jt: the tests' JSON helpers (t/helper.bash's jget and order) in C,
 * printing exactly what their python3 versions print, at a twentieth of
 * python3's start-up (22 ms of CPU a call, thousands of calls a make
 * check).
 *
 *	jt get PATH < JSON-LINES
 *
 * PATH is members joined by '.', a list's element as [N] or .N (a.b,
 * items[0].sku). For each line, the member: a string as it is, a number
 * as Python prints it, a truth as True or False, an object, a list or
 * null as Python's json.dumps(v, ensure_ascii=False) writes it. A
 * member that is missing, or asked of what is not an object, is null.
 * Exit 3, printing nothing, when a line is one python3 would raise on
 * (not JSON, an element past a list's end) or one jansson can't hold as
 * Python does: the caller then gives the lines to python3.
 *
 *	jt order EXT [KEY=JSON | KEY=absent]...
 *
 * A complete, valid order line for (coupang, EXT) with members replaced,
 * added or removed, compact, as helper.bash's python3 writes it. Exit 3,
 * printing nothing, for a value jansson can't hold as Python does (an
 * integer past 64 bits, say): the caller then asks python3.
 */
#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static void
zeros(FILE *out, int n)
{
	while (n-- > 0)
		putc('0', out);
}

/* A float as Python's repr: the shortest digits that read back the same,
 * fixed from 1e-4 up to 1e16, else d.ddde+XX. */
static void
put_real(FILE *out, double x)
{
	char e_form[40], digits[20];
	int n = 0, exp10, prec;

	for (prec = 1; prec <= DBL_DECIMAL_DIG; prec++) {
		snprintf(e_form, sizeof e_form, "%.*e", prec - 1, x);
		if (strtod(e_form, NULL) == x)
			break;
	}
	/* e_form: [-]d[.ddd]e[+-]XX */
	const char *p = e_form;
	if (*p == '-') {
		putc('-', out);
		p++;
	}
	for (; *p != 'e'; p++)
		if (*p != '.')
			digits[n++] = *p;
	exp10 = atoi(p + 1);
	while (n > 1 && digits[n - 1] == '0')
		n--;
	if (exp10 < -4 || exp10 >= 16) {
		fprintf(out, "%c", digits[0]);
		if (n > 1)
			fprintf(out, ".%.*s", n - 1, digits + 1);
		fprintf(out, "e%c%02d", exp10 < 0 ? '-' : '+', abs(exp10));
	} else if (exp10 < 0) {
		fputs("0.", out);
		zeros(out, -exp10 - 1);
		fprintf(out, "%.*s", n, digits);
	} else if (n <= exp10 + 1) {
		fprintf(out, "%.*s", n, digits);
		zeros(out, exp10 + 1 - n);
		fputs(".0", out);
	} else {
		fprintf(out, "%.*s.%.*s", exp10 + 1, digits, n - exp10 - 1,
		    digits + exp10 + 1);
	}
}

static void
put_string(FILE *out, const char *s, size_t len)
{
	putc('"', out);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '"':  fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\r': fputs("\\r", out); break;
		case '\t': fputs("\\t", out); break;
		case '\b': fputs("\\b", out); break;
		case '\f': fputs("\\f", out); break;
		default:
			if (c < 0x20)
				fprintf(out, "\\u%04x", c);
			else
				putc(c, out);
		}
	}
	putc('"', out);
}

/* json.dumps(v, ensure_ascii=False): ", " and ": " between items, or
 * with compact "," and ":" (separators=(",", ":")). */
static int compact;

static void
put_json(FILE *out, const json_t *v)
{
	const char *key;
	json_t *m;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		putc('{', out);
		i = 0;
		json_object_foreach((json_t *)v, key, m) {
			if (i++)
				fputs(compact ? "," : ", ", out);
			put_string(out, key, strlen(key));
			fputs(compact ? ":" : ": ", out);
			put_json(out, m);
		}
		putc('}', out);
		break;
	case JSON_ARRAY:
		putc('[', out);
		json_array_foreach(v, i, m) {
			if (i)
				fputs(compact ? "," : ", ", out);
			put_json(out, m);
		}
		putc(']', out);
		break;
	case JSON_STRING:
		put_string(out, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		fprintf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		put_real(out, json_real_value(v));
		break;
	case JSON_TRUE:
		fputs("true", out);
		break;
	case JSON_FALSE:
		fputs("false", out);
		break;
	case JSON_NULL:
		fputs("null", out);
		break;
	}
}

/* print(v) for a scalar, json.dumps for the rest. */
static void
put_value(FILE *out, const json_t *v)
{
	if (v == NULL)
		fputs("null", out);
	else if (json_is_string(v))
		fwrite(json_string_value(v), 1, json_string_length(v), out);
	else if (json_is_true(v))
		fputs("True", out);
	else if (json_is_false(v))
		fputs("False", out);
	else
		put_json(out, v);
	putc('\n', out);
}

static int
all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/*
 * Python's re.split(r"\.|\[(\d+)\]", PATH), empty parts dropped: PATH
 * cut in place, its steps in steps (at most max); their count.
 */
static int
split_path(char *path, char **steps, int max)
{
	int n = 0;

	for (char *p = path, *start = path; n + 2 < max; p++) {
		char *close = NULL;

		if (*p == '[' && p[1] >= '0' && p[1] <= '9') {
			close = p + 1;
			while (*close >= '0' && *close <= '9')
				close++;
			if (*close != ']')
				close = NULL;
		}
		if (*p != '.' && *p != '\0' && close == NULL)
			continue;
		if (p > start)
			steps[n++] = start;
		if (close != NULL) {
			*p = *close = '\0';
			steps[n++] = p + 1;
			p = close;
			start = close + 1;
			continue;
		}
		if (*p == '\0')
			break;
		*p = '\0';
		start = p + 1;
	}
	return n;
}

/* The member at steps of one line, printed to out; -1 when the python3
 * version would have raised (not JSON, an element past a list's end). */
static int
get_line(FILE *out, const char *line, size_t len, char **steps, int n)
{
	json_t *root, *v;

	root = json_loadb(line, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (root == NULL)
		return -1;
	v = root;
	for (int i = 0; i < n && v != NULL; i++) {
		if (json_is_array(v) && all_digits(steps[i])) {
			size_t k = strtoul(steps[i], NULL, 10);

			if (k >= json_array_size(v)) {
				json_decref(root);
				return -1;
			}
			v = json_array_get(v, k);
		} else if (json_is_object(v)) {
			v = json_object_get(v, steps[i]);
		} else {
			v = NULL;
		}
	}
	/* A JSON null and a missing member print alike. */
	put_value(out, v);
	json_decref(root);
	return 0;
}

/*
 * Every line read and printed to memory first: on a line it can't read
 * as python3 does (an integer past 64 bits, which jansson refuses), or
 * one python3 would raise on, nothing is printed and the exit is 3, so
 * that the caller gives the same lines to python3, which prints and
 * fails as it always did.
 */
static int
get(int argc, char **argv)
{
	char *path, *steps[256], *line = NULL, *printed = NULL;
	size_t cap = 0, printed_len = 0;
	ssize_t len;
	int n, failed = 0;
	FILE *out;

	if (argc != 2) {
		fputs("usage: jt get PATH < JSON-LINES\n", stderr);
		return 2;
	}
	path = strdup(argv[1]);
	out = open_memstream(&printed, &printed_len);
	if (path == NULL || out == NULL)
		return 3;
	n = split_path(path, steps, sizeof steps / sizeof steps[0]);
	while (!failed && (len = getline(&line, &cap, stdin)) != -1)
		failed = get_line(out, line, (size_t)len, steps, n) < 0;
	if (fclose(out) != 0 || ferror(stdin))
		failed = 1;
	if (!failed)
		fwrite(printed, 1, printed_len, stdout);
	free(printed);
	free(line);
	free(path);
	if (failed)
		return 3;
	return fflush(stdout) == 0 ? 0 : 1;
}

/* helper.bash's order: the base record, then each KEY=VALUE in turn. */
static const char base_order[] =
    "{\"channel\":\"coupang\",\"external_order_id\":null,"
    "\"order_no\":null,\"kind\":\"delivery\",\"workflow\":\"dispatch\","
    "\"status\":\"WAITING\",\"department\":\"east\","
    "\"warehouse\":\"icn-1\",\"customer\":{\"name\":\"홍길동\","
    "\"phone\":\"010-1234-5678\"},\"shipping\":{\"postal_code\":"
    "\"06236\",\"address\":\"서울 강남구 테헤란로 1\",\"zone\":"
    "\"gangnam\"},\"eta\":\"2030-11-22T01:00:00Z\",\"driver\":null,"
    "\"placed_at\":\"2026-11-21T09:12:00Z\",\"channel_updated_at\":"
    "\"2026-11-21T09:15:00Z\",\"depart_time\":null,\"complete_time\":"
    "null,\"total_amount\":38000,\"currency\":\"KRW\",\"items\":"
    "[{\"external_item_id\":\"v-991\",\"sku\":\"SKU-1\",\"name\":"
    "\"사과\",\"quantity\":2,\"unit_price\":19000}]}";

static int
order(int argc, char **argv)
{
	char order_no[16] = "2611-000000";
	const char *ext;
	json_t *o;
	size_t n;

	if (argc < 2)
		return 3;
	ext = argv[1];
	/* "2611-" + ext[-6:].rjust(6, "0"), for an ASCII EXT */
	for (const char *p = ext; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			return 3;
	n = strlen(ext);
	memcpy(order_no + 5 + (n < 6 ? 6 - n : 0), ext + (n > 6 ? n - 6 : 0),
	    n < 6 ? n : 6);
	if ((o = json_loads(base_order, 0, NULL)) == NULL)
		return 3;
	json_object_set_new(o, "external_order_id", json_string(ext));
	json_object_set_new(o, "order_no", json_string(order_no));
	for (int i = 2; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		json_t *v;

		if (eq == NULL) {
			json_decref(o);
			return 3;
		}
		*eq = '\0';
		if (strcmp(eq + 1, "absent") == 0) {
			json_object_del(o, argv[i]);
			continue;
		}
		v = json_loads(eq + 1, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
		if (v == NULL) {
			json_decref(o);
			return 3;
		}
		/* Python's dict keeps a replaced key where it was. */
		json_object_set_new(o, argv[i], v);
	}
	compact = 1;
	put_json(stdout, o);
	putchar('\n');
	json_decref(o);
	return fflush(stdout) == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "get") == 0)
		return get(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "order") == 0)
		return order(argc - 1, argv + 1);
	fputs("usage: jt get PATH < JSON-LINES\n"
	    "       jt order EXT [KEY=JSON | KEY=absent]...\n", stderr);
	return 2;
}
