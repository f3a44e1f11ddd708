/*
 * bench_results.c - the results folder of a run.
 *
 * A run is written into root/.<host>-<UTC time>.tmp/ and renamed to
 * root/<host>-<UTC time>/ only once everything is in it, so an interrupted
 * run never leaves a folder that looks complete.  Every file is written
 * as name.tmp and renamed once whole, so no file is ever half there under
 * its own name; the last one written is BENCH_FILE_COMPLETE, which marks
 * the folder complete wherever it is copied (readers refuse a folder
 * without it).  root/latest is a symlink made under a temporary name and
 * renamed over the old one (atomic replacement).  A run that cannot
 * write its folder (a full disk) removes it: nothing half-written stays.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

int
bench_write_file(const char *path, const char *data, size_t len)
{
	char tmp[4200];
	int fd, error = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0)
		return errno;
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			error = errno;
			break;
		}
		data += n;
		len -= (size_t)n;
	}
	if (error == 0 && fsync(fd) != 0)
		error = errno;
	if (close(fd) != 0 && error == 0)
		error = errno;
	if (error == 0 && rename(tmp, path) != 0)
		error = errno;
	if (error != 0)
		unlink(tmp);
	return error;
}

int
bench_file_open(struct bench_file *bf, const char *path)
{
	if ((size_t)snprintf(bf->path, sizeof(bf->path), "%s", path) >=
	    sizeof(bf->path))
		return ENAMETOOLONG;
	snprintf(bf->tmp, sizeof(bf->tmp), "%s.tmp", path);
	if ((bf->f = fopen(bf->tmp, "w")) == NULL)
		return errno;
	return 0;
}

int
bench_file_close(struct bench_file *bf)
{
	int error = 0;

	if (bf->f == NULL)
		return 0;
	errno = 0;
	if (fflush(bf->f) != 0 || ferror(bf->f))
		error = errno != 0 ? errno : EIO;
	else if (fsync(fileno(bf->f)) != 0)
		error = errno;
	if (fclose(bf->f) != 0 && error == 0)
		error = errno;
	bf->f = NULL;
	if (error == 0)
		error = bench_file_publish(bf->tmp, bf->path);
	else
		unlink(bf->tmp);
	return error;
}

int
bench_file_publish(const char *tmp, const char *path)
{
	int fd, error = 0;

	if ((fd = open(tmp, O_RDONLY)) < 0)
		return errno;
	if (fsync(fd) != 0)
		error = errno;
	close(fd);
	if (error == 0 && rename(tmp, path) != 0)
		error = errno;
	if (error != 0)
		unlink(tmp);
	return error;
}

int
bench_results_begin(struct bench_results *res, const char *root, char *err,
    size_t errlen)
{
	char host[256], stamp[64], parent[4096], copy[4096];
	struct stat sb;
	time_t now = time(NULL);
	struct tm tm;

	if (strlen(root) >= sizeof(res->root) - 128) {
		snprintf(err, errlen, "--out %s: path too long", root);
		return -1;
	}
	snprintf(res->root, sizeof(res->root), "%s", root);
	snprintf(copy, sizeof(copy), "%s", root);
	snprintf(parent, sizeof(parent), "%s", dirname(copy));
	if (stat(parent, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "--out %s: parent folder %s does not "
		    "exist: create it first or choose another --out", root,
		    parent);
		return -1;
	}
	if (mkdir(root, 0755) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "--out %s: cannot create it: %s", root,
		    strerror(errno));
		return -1;
	}
	if (stat(root, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "--out %s: not a folder", root);
		return -1;
	}
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "host");
	host[sizeof(host) - 1] = '\0';
	bench_sanitise(host, host, sizeof(host));
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	for (int n = 0;; n++) {
		char suffix[16] = "";

		if (n > 0)
			snprintf(suffix, sizeof(suffix), "-%d", n);
		snprintf(res->final, sizeof(res->final), "%s/%s-%s%s", root,
		    host, stamp, suffix);
		snprintf(res->tmp, sizeof(res->tmp), "%s/.%s-%s%s.tmp", root,
		    host, stamp, suffix);
		if (stat(res->final, &sb) != 0 && mkdir(res->tmp, 0755) == 0)
			break;
		if (n > 100) {
			snprintf(err, errlen, "cannot create %s: %s", res->tmp,
			    strerror(errno));
			return -1;
		}
	}
	{
		char lat[4200];

		snprintf(lat, sizeof(lat), "%s/latency", res->tmp);
		if (mkdir(lat, 0755) != 0) {
			snprintf(err, errlen, "cannot create %s: %s", lat,
			    strerror(errno));
			return -1;
		}
	}
	return 0;
}

void
bench_results_path(const struct bench_results *res, const char *name,
    char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", res->tmp, name);
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path) != 0 ? -1 : 0;
}

void
bench_results_abandon(struct bench_results *res)
{
	nftw(res->tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int
bench_results_commit(struct bench_results *res, const char *summary,
    char *err, size_t errlen)
{
	char link[4200], tmplink[4200], marker[4200];
	const char *base = strrchr(res->final, '/');
	int e;

	base = base != NULL ? base + 1 : res->final;
	snprintf(marker, sizeof(marker), "%s/%s", res->tmp,
	    BENCH_FILE_COMPLETE);
	if ((e = bench_write_file(marker, summary, strlen(summary))) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", marker,
		    strerror(e));
		return -1;
	}
	if (rename(res->tmp, res->final) != 0) {
		snprintf(err, errlen, "cannot rename %s to %s: %s", res->tmp,
		    res->final, strerror(errno));
		return -1;
	}
	snprintf(link, sizeof(link), "%s/latest", res->root);
	snprintf(tmplink, sizeof(tmplink), "%s/.latest.%d", res->root,
	    (int)getpid());
	unlink(tmplink);
	if (symlink(base, tmplink) != 0 || rename(tmplink, link) != 0) {
		snprintf(err, errlen, "cannot point %s at %s: %s", link, base,
		    strerror(errno));
		unlink(tmplink);
		return -1;
	}
	return 0;
}
