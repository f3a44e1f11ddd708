/*
 * xmalloc.h - allocation that cannot fail, and paths, for report/ and
 * driver/.
 *
 * Out of memory is not an input error a report or the driver could act
 * on: these abort, as OpenBSD's xmalloc does, so callers never test for
 * NULL.  Paths are built with path_join() into memory of their own size
 * (no fixed PATH_MAX buffers to truncate into); free them.
 */
#ifndef REPORT_XMALLOC_H
#define REPORT_XMALLOC_H

#include <stddef.h>

void	*xcalloc(size_t n, size_t size);
void	*xrealloc(void *p, size_t size);
char	*xstrdup(const char *s);
char	*xasprintf(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
/* "dir/name", name formatted as by printf; dir NULL: just the name. */
char	*path_join(const char *dir, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif /* REPORT_XMALLOC_H */
