/*
 * reap_boot.c - boot a design's system and run init's wait loop.
 *
 * init must reap the orphans reparented to it.  Its loop blocks in
 * proc_wait (no polling): a sentinel child of init, which lives until
 * reap_halt(), keeps init from seeing ECHILD while the harness works.  To
 * halt, the sentinel's master LWP exits (the last LWP exits the process),
 * init reaps it and then everything else, and its proc_wait says ECHILD.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reap.h"

struct reap_boot {
	const struct reap_ops *rb_ops;
	struct reap_sys *rb_sys;
	struct reap_lwp *rb_initlwp;
	struct reap_lwp *rb_sentinel;	/* master LWP of init's sentinel */
	const struct reap_config *rb_cfg;
	struct reap_config rb_cfgcopy;
	pthread_t rb_thread;
	_Atomic int rb_done;		/* init's loop saw ECHILD (a: set
					   under rb_lock, read after it) */
	pthread_mutex_t rb_lock;
	pthread_cond_t rb_cv;
};

static void *
reap_initd(void *arg)
{
	struct reap_boot *rb = arg;
	int status;
	pid_t pid;

	reap_cpu_set(0);
	if (rb->rb_cfg->bind != NULL) {
		int error = rb->rb_cfg->bind(0, rb->rb_cfg->ctx);

		if (error != 0) {
			fprintf(stderr, "reap_boot: cannot bind init to cpu 0: %s\n",
			    strerror(error));
			abort();
		}
	}
	rb->rb_ops->lwp_enter(rb->rb_initlwp);
	while ((pid = rb->rb_ops->proc_wait(rb->rb_initlwp, -1, &status,
	    0)) != -ECHILD) {
		if (pid < 0 && pid != -EINTR) {
			fprintf(stderr, "reap_boot: init's wait4 failed: %s\n",
			    strerror((int)-pid));
			abort();
		}
	}
	pthread_mutex_lock(&rb->rb_lock);
	atomic_store_explicit(&rb->rb_done, 1, memory_order_release);
	pthread_cond_broadcast(&rb->rb_cv);
	pthread_mutex_unlock(&rb->rb_lock);
	return NULL;
}

struct reap_boot *
reap_boot(const struct reap_ops *ops, const struct reap_config *cfg)
{
	struct reap_boot *rb = calloc(1, sizeof(*rb));
	pthread_condattr_t ca;

	if (rb == NULL)
		return NULL;
	rb->rb_ops = ops;
	rb->rb_cfgcopy = *cfg;
	rb->rb_cfg = &rb->rb_cfgcopy;
	pthread_mutex_init(&rb->rb_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&rb->rb_cv, &ca);
	pthread_condattr_destroy(&ca);
	if ((rb->rb_sys = ops->sys_create(rb->rb_cfg)) == NULL) {
		free(rb);
		return NULL;
	}
	rb->rb_initlwp = ops->sys_initlwp(rb->rb_sys);
	if (ops->proc_create(rb->rb_sys, NULL, &rb->rb_sentinel) == NULL) {
		fprintf(stderr, "reap_boot: %s: cannot fork init's sentinel\n",
		    ops->name);
		abort();
	}
	if (pthread_create(&rb->rb_thread, NULL, reap_initd, rb) != 0) {
		fprintf(stderr, "reap_boot: cannot start init's thread\n");
		abort();
	}
	return rb;
}

struct reap_sys *
reap_boot_sys(struct reap_boot *rb)
{
	return rb->rb_sys;
}

const struct reap_ops *
reap_boot_ops(struct reap_boot *rb)
{
	return rb->rb_ops;
}

int
reap_halt(struct reap_boot *rb, unsigned timeout_ms, struct reap_stats *final)
{
	struct reap_stats st;
	struct timespec ts;
	int error = 0, cpu = reap_cpu_get();

	/* The sentinel's last LWP exits: its process becomes a zombie. */
	reap_cpu_set(0);
	rb->rb_ops->lwp_enter(rb->rb_sentinel);
	rb->rb_ops->lwp_exit(rb->rb_sentinel);
	reap_cpu_set(cpu);

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&rb->rb_lock);
	while (!atomic_load_explicit(&rb->rb_done, memory_order_acquire) &&
	    error != ETIMEDOUT)
		error = pthread_cond_timedwait(&rb->rb_cv, &rb->rb_lock, &ts);
	pthread_mutex_unlock(&rb->rb_lock);
	if (!atomic_load_explicit(&rb->rb_done, memory_order_acquire))
		return -1;	/* init still has children: leave all in place */
	pthread_join(rb->rb_thread, NULL);

	reap_stats_quiesced(rb->rb_ops, rb->rb_sys, &st);
	if (final != NULL)
		*final = st;
	rb->rb_ops->sys_destroy(rb->rb_sys);
	pthread_cond_destroy(&rb->rb_cv);
	pthread_mutex_destroy(&rb->rb_lock);
	free(rb);
	if (st.procs_created != st.procs_freed ||
	    st.lwps_created != st.lwps_freed || st.zombies_now != 0)
		return -2;
	return 0;
}
