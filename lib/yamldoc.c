#include <stdio.h>
#include <string.h>

#include "yamldoc.h"

const char *
uoms_yaml_scalar(const yaml_node_t *n)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)n->data.scalar.value;
}

int
uoms_yaml_is_null(const yaml_node_t *n)
{
	const char *s = uoms_yaml_scalar(n);

	if (s == NULL || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	return *s == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0;
}

int
uoms_yaml_vfail(char *why, size_t whylen, const char *path,
    yaml_mark_t mark, const char *fmt, va_list ap)
{
	char msg[256];

	vsnprintf(msg, sizeof msg, fmt, ap);
	/* Quoted text comes from the file: keep the message one line. */
	for (char *c = msg; *c != '\0'; c++)
		if ((unsigned char)*c < ' ' || *c == 0x7f)
			*c = '?';
	snprintf(why, whylen, "%s: line %zu, column %zu: %s", path,
	    mark.line + 1, mark.column + 1, msg);
	return -1;
}
