/*
 * profile.c - a profile weighs workloads for the pick
 * (report/profiles/NAME.profile):
 *
 *	# comment
 *	about Many processes with short-lived threads.
 *	churn_private 4
 *	join 2
 *
 * A workload at most once (one the results lack is reported missing by
 * the pick), its weight a number in [0, 1e6]; any other line is an error
 * naming the file and the line.
 */
#include "report_impl.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Weights are relative; a bound keeps their sum and ratios finite. */
#define PROFILE_MAX_WEIGHT	1e6

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

/* One non-empty line: 0, or -1 with err. */
static int
profile_line(struct profile *p, char *s, const char *path, int lineno,
    char *err, size_t errlen)
{
	char wl[128];
	double w;
	int used = 0;

	if (strncmp(s, "about", 5) == 0 && isspace((unsigned char)s[5])) {
		for (s += 5; isspace((unsigned char)*s); s++)
			;
		free(p->about);
		p->about = xstrdup(s);
		return 0;
	}
	if (sscanf(s, "%127s %lf %n", wl, &w, &used) != 2 ||
	    s[used] != '\0' || !(w >= 0 && w <= PROFILE_MAX_WEIGHT)) {
		report_seterr(err, errlen, "%s:%d: expected \"<workload> "
		    "<weight 0..%g>\" or \"about <text>\"", path, lineno,
		    PROFILE_MAX_WEIGHT);
		return -1;
	}
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->w[i].workload, wl) == 0) {
			report_seterr(err, errlen, "%s:%d: workload %s weighed "
			    "twice", path, lineno, wl);
			return -1;
		}
	p->w = xrealloc(p->w, (p->n + 1) * sizeof(*p->w));
	p->w[p->n].workload = xstrdup(wl);
	p->w[p->n++].weight = w;
	return 0;
}

int
profile_parse(struct profile *p, char *text, const char *path, char *err,
    size_t errlen)
{
	char *s, *next = text;
	int lineno = 0;
	double total = 0;

	if (p->about == NULL)
		p->about = xstrdup("");
	for (; *next != '\0'; ) {
		s = next;
		lineno++;
		if ((next = strchr(s, '\n')) != NULL)
			*next++ = '\0';
		else
			next = s + strlen(s);
		if (*(s = profile_trim(s)) == '\0')
			continue;
		if (profile_line(p, s, path, lineno, err, errlen) != 0)
			return -1;
	}
	for (size_t i = 0; i < p->n; i++)
		total += p->w[i].weight;
	if (total <= 0) {
		report_seterr(err, errlen, "%s: no workload has a positive "
		    "weight", path);
		return -1;
	}
	return 0;
}

int
profile_load(const char *dir, const char *name, struct profile *p,
    char *err, size_t errlen)
{
	const char *base = strrchr(name, '/');
	char *path, *dot, *text;
	int rc;

	memset(p, 0, sizeof(*p));
	path = base != NULL ? xstrdup(name) :
	    path_join(dir, "%s.profile", name);
	p->name = xstrdup(base != NULL ? base + 1 : name);
	if ((dot = strstr(p->name, ".profile")) != NULL)
		*dot = '\0';
	if ((text = rdir_slurp(path, NULL, err, errlen)) == NULL) {
		free(path);
		return -1;
	}
	rc = profile_parse(p, text, path, err, errlen);
	free(text);
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
