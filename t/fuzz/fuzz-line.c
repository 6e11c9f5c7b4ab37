/*
 * fuzz-line: the JSON Lines reader (line.h) over any bytes. The first
 * byte picks the size limit, the second how much one read may take (so
 * lines straddle reads); the rest is the stream. Checked: every line of
 * the stream comes out once, in order, numbered; a line handed out is
 * the stream's bytes (less a final CR), within the limit, NUL-free and
 * valid UTF-8; a refusal says why.
 */
#include "fuzz.h"
#include "line.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uoms_line_reader r;
	const char *in, *seg, *end;
	enum uoms_line_status st;
	char why[200], *line;
	size_t len, max, chunk, n;
	long want = 0;
	int good;

	if (size < 2)
		return 0;
	max = 1 + data[0] % 200;
	chunk = 1 + data[1] % 64;
	in = (const char *)data + 2;
	size -= 2;
	if (uoms_line_open(&r, fuzz_file(data + 2, size, ".jsonl"), max) < 0)
		fuzz_fail("open: %s", fuzz_path);
	/* The buffer is max + 64 KiB + 1; a smaller cap makes reads take
	 * a few bytes at a time, as from a slow pipe. It still holds the
	 * longest line, its CR, a byte more and the NUL. */
	r.cap = max + chunk + 2;
	seg = in;
	end = in + size;
	for (;;) {
		const char *nl;

		why[0] = '\0';
		st = uoms_line_next(&r, &line, &len, why, sizeof why);
		if (st == UOMS_LINE_EOF)
			break;
		if (st == UOMS_LINE_IOERR)
			fuzz_fail("read error");
		if (seg >= end)
			fuzz_fail("line %ld after the end of the stream",
			    r.lineno);
		if (r.lineno != ++want)
			fuzz_fail("line numbered %ld, not %ld", r.lineno, want);
		nl = memchr(seg, '\n', end - seg);
		n = (nl != NULL ? nl : end) - seg;
		if (n > 0 && seg[n - 1] == '\r')
			n--;
		/* The verdict is the line's alone, wherever reads split it. */
		good = n <= max && memchr(seg, '\0', n) == NULL &&
		    uoms_utf8_valid(seg, n);
		if ((st == UOMS_LINE_OK) != good)
			fuzz_fail("line %ld (%zu bytes, limit %zu): %s", want, n,
			    max, good ? why : "handed out");
		if (st == UOMS_LINE_BAD) {
			if (why[0] == '\0')
				fuzz_fail("line %ld refused without a why",
				    want);
		} else {
			if (len != n || memcmp(line, seg, n) != 0)
				fuzz_fail("line %ld: %zu bytes handed out, "
				    "%zu in the stream", want, len, n);
			if (len > max || line[len] != '\0' ||
			    memchr(line, '\0', len) != NULL ||
			    !uoms_utf8_valid(line, len))
				fuzz_fail("line %ld handed out but not a "
				    "line", want);
		}
		seg = nl != NULL ? nl + 1 : end;
	}
	if (seg < end)
		fuzz_fail("EOF with %zu bytes unread", (size_t)(end - seg));
	uoms_line_close(&r);
	return 0;
}
