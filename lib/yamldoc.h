/*
 * yamldoc: what every reader of a YAML file here (workflows, the rules
 * file) needs of libyaml's document tree: a scalar's text, YAML's ways of
 * writing nothing, and an error that says where in the file it was.
 */
#ifndef UOMS_YAMLDOC_H
#define UOMS_YAMLDOC_H

#include <stdarg.h>
#include <stddef.h>

#include <yaml.h>

/* The text of a scalar node, or NULL when n is not a scalar. */
const char *uoms_yaml_scalar(const yaml_node_t *n);

/* A plain empty scalar, "~" or "null": YAML's way of writing nothing. */
int uoms_yaml_is_null(const yaml_node_t *n);

/*
 * Writes "PATH: line L, column C: WHAT" into why (whylen bytes), WHAT
 * kept on one line (it may quote the file). Returns -1.
 */
int uoms_yaml_vfail(char *why, size_t whylen, const char *path,
    yaml_mark_t mark, const char *fmt, va_list ap)
    __attribute__((format(printf, 5, 0)));

#endif
