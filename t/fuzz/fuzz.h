/*
 * fuzz: what every libFuzzer target in t/fuzz/ shares. A target defines
 * LLVMFuzzerTestOneInput over one public function of the library and
 * calls fuzz_fail (abort, so libFuzzer keeps the input) when an
 * invariant the header promises does not hold; the sanitizers catch the
 * rest. Inputs that a function reads from a file are written to one
 * scratch file per process.
 */
#ifndef UOMS_FUZZ_H
#define UOMS_FUZZ_H

#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant broke: say which, and abort so the input is kept. */
static void __attribute__((noreturn, format(printf, 1, 2)))
fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz: invariant broken: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/*
 * Writes data to this process's scratch file (suffix, e.g. ".yaml", names
 * it) and returns its path. The file is made once, in $TMPDIR, and
 * removed at exit.
 */
static char fuzz_path[4096];

static void
fuzz_unlink(void)
{
	unlink(fuzz_path);
}

static const char * __attribute__((unused))
fuzz_file(const uint8_t *data, size_t size, const char *suffix)
{
	static int fd = -1;
	const char *dir = getenv("TMPDIR");

	if (fd < 0) {
		snprintf(fuzz_path, sizeof fuzz_path, "%s/uoms-fuzz-XXXXXX%s",
		    dir != NULL && dir[0] != '\0' ? dir : "/tmp", suffix);
		if ((fd = mkstemps(fuzz_path, (int)strlen(suffix))) < 0) {
			perror(fuzz_path);
			abort();
		}
		atexit(fuzz_unlink);
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) !=
	    (ssize_t)size) {
		perror(fuzz_path);
		abort();
	}
	return fuzz_path;
}

#endif
