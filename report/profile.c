/*
 * profile.c - a profile weighs workloads for the pick
 * (report/profiles/NAME.profile):
 *
 *	# comment
 *	about Many processes with short-lived threads.
 *	churn_private 4
 *	join 2
 */
#include "report.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Strip a comment and surrounding blanks in place; the text that is left. */
static char *
profile_trim(char *s)
{
	char *e;

	if ((e = strchr(s, '#')) != NULL)
		*e = '\0';
	while (isspace((unsigned char)*s))
		s++;
	for (e = s + strlen(s); e > s && isspace((unsigned char)e[-1]);)
		*--e = '\0';
	return s;
}

/* One non-empty line: 0, or -1 if it is neither "about" nor a weight. */
static int
profile_line(struct profile *p, char *s)
{
	char wl[128];
	double w;
	int used;

	if (strncmp(s, "about", 5) == 0 && isspace((unsigned char)s[5])) {
		for (s += 5; isspace((unsigned char)*s); s++)
			;
		free(p->about);
		p->about = xstrdup(s);
		return 0;
	}
	if (sscanf(s, "%127s %lf %n", wl, &w, &used) != 2 ||
	    s[used] != '\0' || !(w >= 0) || isinf(w))
		return -1;
	p->w = xrealloc(p->w, (p->n + 1) * sizeof(*p->w));
	p->w[p->n].workload = xstrdup(wl);
	p->w[p->n++].weight = w;
	return 0;
}

static int
profile_read(struct profile *p, FILE *f, const char *path, char *err,
    size_t errlen)
{
	char line[1024], *s;
	int lineno = 0;
	double total = 0;

	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (*(s = profile_trim(line)) == '\0')
			continue;
		if (profile_line(p, s) != 0) {
			snprintf(err, errlen, "%s:%d: expected \"<workload> "
			    "<weight >= 0>\" or \"about <text>\"", path,
			    lineno);
			return -1;
		}
	}
	for (size_t i = 0; i < p->n; i++)
		total += p->w[i].weight;
	if (total <= 0) {
		snprintf(err, errlen, "%s: no workload has a positive weight",
		    path);
		return -1;
	}
	return 0;
}

int
profile_load(const char *dir, const char *name, struct profile *p,
    char *err, size_t errlen)
{
	const char *base = strrchr(name, '/');
	char *path, *dot;
	FILE *f;
	int rc;

	memset(p, 0, sizeof(*p));
	path = base != NULL ? xstrdup(name) :
	    path_join(dir, "%s.profile", name);
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "profile %s: %s: %s", name, path,
		    strerror(errno));
		free(path);
		return -1;
	}
	p->name = xstrdup(base != NULL ? base + 1 : name);
	if ((dot = strstr(p->name, ".profile")) != NULL)
		*dot = '\0';
	p->about = xstrdup("");
	rc = profile_read(p, f, path, err, errlen);
	fclose(f);
	free(path);
	return rc;
}

void
profile_free(struct profile *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->w[i].workload);
	free(p->w);
	free(p->name);
	free(p->about);
	memset(p, 0, sizeof(*p));
}
