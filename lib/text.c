#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "text.h"

void
uoms_text_init(void)
{
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL)
		setlocale(LC_CTYPE, "");
}

/* Width of the character at s, and its length in bytes through *len. */
static int
char_width(const char *s, size_t *len)
{
	mbstate_t ps = { 0 };
	wchar_t wc;
	size_t n = mbrtowc(&wc, s, MB_CUR_MAX, &ps);
	int w;

	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		*len = 1;
		return 1;
	}
	*len = n;
	w = wcwidth(wc);
	return w < 0 ? 1 : w;
}

int
uoms_text_width(const char *s)
{
	int w = 0;
	size_t n;

	for (; s != NULL && *s != '\0'; s += n)
		w += char_width(s, &n);
	return w;
}

void
uoms_text_cell(FILE *fp, const char *s, int width, int right_align)
{
	int w = uoms_text_width(s);
	size_t n;

	if (s == NULL)
		s = "";
	if (w <= width) {
		if (!right_align)
			fputs(s, fp);
		for (int i = w; i < width; i++)
			fputc(' ', fp);
		if (right_align)
			fputs(s, fp);
		return;
	}
	/* Cut to width - 1 columns and mark the cut. */
	for (w = 0; *s != '\0'; s += n) {
		int cw = char_width(s, &n);

		if (w + cw > width - 1)
			break;
		fwrite(s, 1, n, fp);
		w += cw;
	}
	for (; w < width - 1; w++)
		fputc(' ', fp);
	fputs("…", fp);
}

void
uoms_text_csv(FILE *fp, const char *s)
{
	if (s == NULL)
		return;
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}
