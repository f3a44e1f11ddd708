/* test_kern.c - unit tests of the model kernel's primitives. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "kern.h"
#include "rt.h"

static struct kern_machine *
test_machine(int ncpus, unsigned hz)
{
	struct reap_config cfg = { .ncpus = ncpus, .hz = hz };

	return kern_machine_create(&cfg);
}

RT_TEST(token_recursive_and_held)
{
	struct lwkt_token tok;

	lwkt_token_init(&tok, "t");
	RT_ASSERT(!lwkt_token_held(&tok));
	lwkt_gettoken(&tok);
	lwkt_gettoken(&tok);
	RT_ASSERT(lwkt_token_held(&tok));
	lwkt_reltoken(&tok);
	RT_ASSERT(lwkt_token_held(&tok));	/* still held once */
	lwkt_reltoken(&tok);
	RT_ASSERT(!lwkt_token_held(&tok));
	RT_EQ(atomic_load(&tok.t_word), 0);
}

/* A thread sleeping with tokens lets another take them. */
static struct lwkt_token tk_a = LWKT_TOKEN_INITIALIZER("a");
static struct lwkt_token tk_b = LWKT_TOKEN_INITIALIZER("b");
static _Atomic int tk_phase;
static int tk_shared;		/* protected by tk_a */

static void *
token_taker(void *arg)
{
	(void)arg;
	while (atomic_load(&tk_phase) != 1)
		sched_yield();
	lwkt_gettoken(&tk_a);		/* would block forever if not freed */
	lwkt_gettoken(&tk_b);
	tk_shared = 42;
	lwkt_reltoken(&tk_b);
	lwkt_reltoken(&tk_a);
	atomic_store(&tk_phase, 2);
	wakeup(&tk_phase);
	return NULL;
}

RT_TEST(token_released_while_sleeping)
{
	pthread_t t;
	int error = 0;

	atomic_store(&tk_phase, 0);
	pthread_create(&t, NULL, token_taker, NULL);
	lwkt_gettoken(&tk_a);
	lwkt_gettoken(&tk_b);
	tk_shared = 1;
	while (atomic_load(&tk_phase) != 2 && error != EWOULDBLOCK) {
		tsleep_interlock(&tk_phase, 0);
		if (atomic_load(&tk_phase) == 0)
			atomic_store(&tk_phase, 1);
		if (atomic_load(&tk_phase) == 2)
			break;
		error = tsleep(&tk_phase, PINTERLOCKED, "tktest", 500);
	}
	/* tsleep returned: we hold both tokens again, and the taker ran. */
	RT_ASSERT(lwkt_token_held(&tk_a) && lwkt_token_held(&tk_b));
	RT_EQ(atomic_load(&tk_phase), 2);
	RT_EQ(tk_shared, 42);
	lwkt_reltoken(&tk_b);
	lwkt_reltoken(&tk_a);
	pthread_join(t, NULL);
}

/* Tokens taken in opposite orders by two threads never deadlock. */
static void *
token_order_worker(void *arg)
{
	int rev = (int)(intptr_t)arg;

	for (int i = 0; i < 20000; i++) {
		lwkt_gettoken(rev ? &tk_b : &tk_a);
		lwkt_gettoken(rev ? &tk_a : &tk_b);
		tk_shared++;
		lwkt_reltoken(rev ? &tk_a : &tk_b);
		lwkt_reltoken(rev ? &tk_b : &tk_a);
	}
	return NULL;
}

RT_TEST(token_no_lock_order_deadlock)
{
	pthread_t t1, t2;

	tk_shared = 0;
	pthread_create(&t1, NULL, token_order_worker, (void *)0);
	pthread_create(&t2, NULL, token_order_worker, (void *)1);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	RT_EQ(tk_shared, 40000);
}

/* An interlocked sleep never loses a wakeup: ping-pong many rounds. */
static _Atomic int pp_turn;
#define PP_ROUNDS 5000

static void *
pingpong(void *arg)
{
	int me = (int)(intptr_t)arg;

	for (int i = 0; i < PP_ROUNDS; i++) {
		for (;;) {
			tsleep_interlock(&pp_turn, 0);
			if (atomic_load(&pp_turn) == me)
				break;
			/* No timeout: a lost wakeup hangs and the test fails
			 * by its timeout. */
			tsleep(&pp_turn, PINTERLOCKED, "pingpong", 0);
		}
		atomic_store(&pp_turn, !me);
		wakeup(&pp_turn);
	}
	return NULL;
}

RT_TEST(tsleep_interlock_no_lost_wakeup)
{
	pthread_t a, b;
	struct kern_machine *m = test_machine(1, 100);

	kern_attach(m);
	atomic_store(&pp_turn, 0);
	pthread_create(&a, NULL, pingpong, (void *)0);
	pthread_create(&b, NULL, pingpong, (void *)1);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	RT_EQ(kern_counter_read(m, KC_TICK_TIMEOUT), 0);
	kern_attach(NULL);
	kern_machine_destroy(m);
}

RT_TEST(tsleep_tick_timeout_counted)
{
	struct kern_machine *m = test_machine(1, 100);
	uint64_t t0, dt;
	int x, error;

	kern_attach(m);
	t0 = kern_now_ns();
	error = tsleep(&x, 0, "tick", 1);
	dt = kern_now_ns() - t0;
	RT_EQ(error, EWOULDBLOCK);
	/* About one tick of 10 ms: never early; late only by scheduling. */
	RT_ASSERTF(dt >= 10000000, "woke after %llu ns", (unsigned long long)dt);
	RT_EQ(kern_counter_read(m, KC_TICK_TIMEOUT), 1);
	RT_EQ(kern_counter_read(m, KC_SLEEP), 1);
	kern_attach(NULL);
	kern_machine_destroy(m);
}

RT_TEST(tsleep_hz_configurable)
{
	struct kern_machine *m = test_machine(1, 1000);
	uint64_t t0, dt;
	int x;

	kern_attach(m);
	t0 = kern_now_ns();
	RT_EQ(tsleep(&x, 0, "tick", 2), EWOULDBLOCK);
	dt = kern_now_ns() - t0;
	RT_ASSERTF(dt >= 2000000, "woke after %llu ns", (unsigned long long)dt);
	kern_attach(NULL);
	kern_machine_destroy(m);
}

/* config.tick_ns compresses model time (the torture's clock): hz ticks
 * are still hz ticks, each of tick_ns wall ns instead of 1e9/hz. */
RT_TEST(tsleep_tick_ns_compresses_time)
{
	struct reap_config cfg = { .ncpus = 1, .hz = 100, .tick_ns = 1000 };
	struct kern_machine *m = kern_machine_create(&cfg);
	struct kern_machine *real = test_machine(1, 250);
	uint64_t t0, dt;
	int x;

	RT_EQ(kern_config(real)->tick_ns, 4000000);	/* 0 means 1e9/hz */
	RT_EQ(kern_config(m)->tick_ns, 1000);
	kern_attach(m);
	RT_EQ(kern_ticks_to_ns(100), 100000);
	t0 = kern_now_ns();
	RT_EQ(tsleep(&x, 0, "second", 100), EWOULDBLOCK);	/* "hz ticks" */
	dt = kern_now_ns() - t0;
	RT_ASSERTF(dt >= 100000, "woke early, after %llu ns",
	    (unsigned long long)dt);
	/* 10^4 times what it should take: fails only if the sleep ran on
	 * 1e9/hz (a real second), not on scheduling noise. */
	RT_ASSERTF(dt < 1000000000, "slept %llu ns: tick_ns ignored",
	    (unsigned long long)dt);
	RT_EQ(kern_counter_read(m, KC_TICK_TIMEOUT), 1);
	kern_attach(NULL);
	kern_machine_destroy(m);
	kern_machine_destroy(real);
}

/* PCATCH sleeps return EINTR once the thread's kill word is set. */
static _Atomic int sig_word;
static _Atomic(struct kern_td *) sig_td;
static _Atomic int sig_result = -1;

static void *
sig_sleeper(void *arg)
{
	(void)arg;
	kern_td_setsig(&sig_word);
	atomic_store(&sig_td, kern_curtd());
	atomic_store(&sig_result, tsleep(&sig_word, PCATCH, "sigtest", 0));
	kern_td_setsig(NULL);
	return NULL;
}

RT_TEST(tsleep_pcatch_interrupted)
{
	pthread_t t;
	struct kern_td *td;

	atomic_store(&sig_word, 0);
	pthread_create(&t, NULL, sig_sleeper, NULL);
	while ((td = atomic_load(&sig_td)) == NULL ||
	    kern_td_wmesg(td) == NULL)
		sched_yield();
	usleep(1000);
	RT_EQ(atomic_load(&sig_result), -1);	/* still asleep */
	atomic_store(&sig_word, 1);
	kern_td_signal(td);
	pthread_join(t, NULL);
	RT_EQ(atomic_load(&sig_result), EINTR);
}

/* Mutex: mutual exclusion and owner tracking. */
static struct kmutex mx = KMUTEX_INITIALIZER;
static long mx_count;

static void *
mutex_worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < 50000; i++) {
		mutex_enter(&mx);
		mx_count++;
		mutex_exit(&mx);
	}
	return NULL;
}

RT_TEST(mutex_exclusion)
{
	pthread_t t[4];

	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, mutex_worker, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	RT_EQ(mx_count, 200000);
	RT_ASSERT(!mutex_owned(&mx));
	mutex_enter(&mx);
	RT_ASSERT(mutex_owned(&mx));
	mutex_exit(&mx);
	RT_ASSERT(mutex_tryenter(&mx));
	RT_ASSERT(mutex_owned(&mx));
	mutex_exit(&mx);
}

/* cv_wait: producer/consumer, no lost wakeups, no timeouts. */
static struct kcondvar cvq;
static int cvq_items, cvq_taken;
#define CVQ_N 20000

static void *
cv_consumer(void *arg)
{
	(void)arg;
	mutex_enter(&mx);
	while (cvq_taken < CVQ_N) {
		while (cvq_items == 0)
			cv_wait(&cvq, &mx);
		cvq_items--;
		cvq_taken++;
		cv_broadcast(&cvq);
	}
	mutex_exit(&mx);
	return NULL;
}

RT_TEST(cv_wait_broadcast_no_lost_wakeup)
{
	pthread_t t;

	cv_init(&cvq, "cvq");
	cvq_items = cvq_taken = 0;
	pthread_create(&t, NULL, cv_consumer, NULL);
	mutex_enter(&mx);
	for (int i = 0; i < CVQ_N; i++) {
		while (cvq_items >= 2)
			cv_wait(&cvq, &mx);
		cvq_items++;
		cv_broadcast(&cvq);
	}
	mutex_exit(&mx);
	pthread_join(t, NULL);
	RT_EQ(cvq_taken, CVQ_N);
	cv_destroy(&cvq);
}

RT_TEST(cv_timedwait_times_out)
{
	struct kern_machine *m = test_machine(1, 100);
	struct kcondvar cv;

	kern_attach(m);
	cv_init(&cv, "cvto");
	mutex_enter(&mx);
	RT_EQ(cv_timedwait(&cv, &mx, 1), EWOULDBLOCK);
	RT_ASSERT(mutex_owned(&mx));
	mutex_exit(&mx);
	RT_EQ(kern_counter_read(m, KC_TICK_TIMEOUT), 1);
	/* Broadcast with nobody waiting issues no wakeup at all. */
	uint64_t w = kern_counter_read(m, KC_WAKEUP);
	mutex_enter(&mx);
	cv_broadcast(&cv);
	mutex_exit(&mx);
	RT_EQ(kern_counter_read(m, KC_WAKEUP), w);
	cv_destroy(&cv);
	kern_attach(NULL);
	kern_machine_destroy(m);
}

static struct kspin sp;
static long sp_count;

static void *
spin_worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < 50000; i++) {
		kspin_lock(&sp);
		sp_count++;
		kspin_unlock(&sp);
	}
	return NULL;
}

RT_TEST(spin_exclusion)
{
	pthread_t t[3];

	kspin_init(&sp);
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, spin_worker, NULL);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	RT_EQ(sp_count, 150000);
}

/* Taskqueue: runs on its CPU's thread; pending enqueues coalesce. */
struct tq_probe {
	struct task task;
	_Atomic int runs;
	_Atomic int pending_total;
	_Atomic int cpu_seen;
	_Atomic(struct kern_td *) td_seen;
	_Atomic int gate;		/* handler blocks while 0 */
};

static void
tq_probe_fn(void *ctx, int pending)
{
	struct tq_probe *p = ctx;

	while (!atomic_load(&p->gate))
		sched_yield();
	atomic_store(&p->cpu_seen, reap_cpu_get());
	atomic_store(&p->td_seen, kern_curtd());
	atomic_fetch_add(&p->pending_total, pending);
	atomic_fetch_add(&p->runs, 1);
}

static _Atomic int bind_calls[4];

static int
test_bind(int cpu, void *ctx)
{
	(void)ctx;
	atomic_fetch_add(&bind_calls[cpu], 1);
	return 0;
}

RT_TEST(taskqueue_coalesces_on_its_cpu)
{
	struct reap_config cfg = { .ncpus = 2, .bind = test_bind };
	struct kern_machine *m = kern_machine_create(&cfg);
	struct taskqueue **tqs = taskqueue_create_percpu(m, "tq");
	struct tq_probe p = { 0 };
	pid_t tids[8];

	RT_EQ(atomic_load(&bind_calls[0]), 1);	/* each thread bound */
	RT_EQ(atomic_load(&bind_calls[1]), 1);
	RT_EQ(kern_machine_threads(m, tids, 8), 2);
	TASK_INIT(&p.task, tq_probe_fn, &p);
	/* First run starts and blocks on the gate... */
	atomic_store(&p.gate, 1);
	RT_EQ(taskqueue_enqueue(tqs[1], &p.task), 0);
	taskqueue_drain_all(tqs[1]);
	RT_EQ(atomic_load(&p.runs), 1);
	RT_EQ(atomic_load(&p.cpu_seen), 1);
	RT_ASSERT(atomic_load(&p.td_seen) == taskqueue_td(tqs[1]));
	/* ...then a burst while the handler is held: all coalesce. */
	atomic_store(&p.gate, 0);
	RT_EQ(taskqueue_enqueue(tqs[1], &p.task), 0);
	while (atomic_load(&p.td_seen) == NULL)
		sched_yield();
	/* The first enqueue is running or queued; enqueue 100 more. */
	int coalesced = 0;
	for (int i = 0; i < 100; i++)
		coalesced += taskqueue_enqueue(tqs[1], &p.task) == EALREADY;
	atomic_store(&p.gate, 1);
	taskqueue_drain_all(tqs[1]);
	RT_EQ(atomic_load(&p.pending_total), 102);
	/* 101 enqueues took at most 2 runs (one may have been in flight). */
	RT_ASSERTF(atomic_load(&p.runs) <= 3, "runs %d", atomic_load(&p.runs));
	RT_ASSERT(coalesced >= 99);
	kern_attach(m);
	taskqueue_destroy_percpu(m, tqs);
	kern_attach(NULL);
	kern_machine_destroy(m);
}

RT_TEST(counters_and_zombie_gauge)
{
	struct kern_machine *m = test_machine(2, 100);
	struct kern_lwp_stamp ls[2] = { 0 };
	struct reap_stats st;

	kern_attach(m);
	reap_cpu_set(1);
	kern_count(KC_LWP_CREATE);
	reap_cpu_set(0);
	kern_count_n(KC_LWP_CREATE, 2);
	kern_lwp_exit_stamp(m, &ls[0]);
	kern_lwp_exit_stamp(m, &ls[1]);
	kern_lwp_free_stamp(m, &ls[0]);
	kern_lwps_freed(m, 1);
	kern_stats_fill(m, &st);
	RT_EQ(st.lwps_created, 3);
	RT_EQ(st.lwps_freed, 1);
	RT_EQ(st.zombies_now, 1);
	RT_EQ(st.zombies_peak, 2);
	kern_lwp_free_stamp(m, &ls[1]);
	kern_lwps_freed(m, 1);
	kern_stats_fill(m, &st);
	RT_EQ(st.zombies_now, 0);
	RT_EQ(st.zombies_peak, 2);
	kern_attach(NULL);
	kern_machine_destroy(m);
}

/* Run `exits` exits then `frees` frees as a thread of its own (its own
 * books), as a worker or a reaper would. */
struct zp_step {
	struct kern_machine *m;
	int	exits, frees;
};

static void *
zp_thread(void *arg)
{
	struct zp_step *z = arg;
	struct kern_lwp_stamp ls = { 0 };

	kern_attach(z->m);
	for (int i = 0; i < z->exits; i++)
		kern_lwp_exit_stamp(z->m, &ls);
	if (z->frees > 0)
		kern_lwps_freed(z->m, (unsigned)z->frees);
	kern_attach(NULL);
	return NULL;
}

static void
zp_run(struct kern_machine *m, int exits, int frees)
{
	struct zp_step z = { m, exits, frees };
	pthread_t t;

	RT_EQ(pthread_create(&t, NULL, zp_thread, &z), 0);
	RT_EQ(pthread_join(t, NULL), 0);
}

/* The peak without a shared gauge: exact while each thread frees what it
 * exits, never above the truth when another thread frees them (the lows
 * cancel), and a stats read in between (the sampler) catches the peak
 * that the per-thread books cannot. */
RT_TEST(zombie_peak_per_thread_and_sampled)
{
	struct kern_machine *m = test_machine(2, 100);
	struct reap_stats st;

	zp_run(m, 3, 3);
	zp_run(m, 2, 2);
	kern_stats_fill(m, &st);
	RT_EQ(st.zombies_now, 0);
	RT_EQ(st.zombies_peak, 3);

	/* 5 exit on one thread and are freed by another: 5 zombies at
	 * once, which only a read while they are there sees. */
	zp_run(m, 5, 0);
	zp_run(m, 0, 5);
	kern_stats_fill(m, &st);
	RT_EQ(st.zombies_now, 0);
	RT_ASSERTF(st.zombies_peak >= 3 && st.zombies_peak <= 5,
	    "peak %llu", (unsigned long long)st.zombies_peak);
	zp_run(m, 6, 0);
	kern_stats_fill(m, &st);		/* the sampler's read */
	RT_EQ(st.zombies_now, 6);
	zp_run(m, 0, 6);
	kern_stats_fill(m, &st);
	RT_EQ(st.zombies_now, 0);
	RT_EQ(st.zombies_peak, 6);
	kern_machine_destroy(m);
}

static _Atomic int lat_calls;
static _Atomic int lat_cpu_seen = -1;

static void
lat_record(int cpu, uint64_t ns, void *ctx)
{
	(void)ns;
	RT_ASSERT(ctx == &lat_calls);
	atomic_store(&lat_cpu_seen, cpu);
	atomic_fetch_add(&lat_calls, 1);
}

/* One exit in REAP_LAT_SAMPLE per CPU is stamped (the first one too);
 * its free reports the latency once, on the freeing CPU. */
RT_TEST(latency_stamp_one_in_n)
{
	enum { N = 2 * REAP_LAT_SAMPLE + 2 };
	struct reap_config cfg = { .ncpus = 2, .hz = 100,
	    .lat_record = lat_record, .ctx = &lat_calls };
	struct kern_machine *m = kern_machine_create(&cfg);
	static struct kern_lwp_stamp ls[N];
	int stamped = 0;

	memset(ls, 0, sizeof(ls));
	atomic_store(&lat_calls, 0);
	kern_attach(m);
	reap_cpu_set(0);
	for (int i = 0; i < N; i++) {
		kern_lwp_exit_stamp(m, &ls[i]);
		stamped += atomic_load(&ls[i].ls_exit_ns) != 0;
	}
	RT_EQ(stamped, 3);	/* exits 1, 1 + N, 1 + 2N */
	reap_cpu_set(1);
	for (int i = 0; i < N; i++) {
		kern_lwp_free_stamp(m, &ls[i]);
		kern_lwp_free_stamp(m, &ls[i]);	/* reported once */
		RT_EQ(atomic_load(&ls[i].ls_exit_ns), 0);
	}
	kern_lwps_freed(m, N);
	RT_EQ(atomic_load(&lat_calls), 3);
	RT_EQ(atomic_load(&lat_cpu_seen), 1);
	kern_attach(NULL);
	kern_machine_destroy(m);
}

/* config.lat_every: one exit in that many instead (1: every exit), the
 * thread's first included. */
RT_TEST(latency_stamp_one_in_lat_every)
{
	static const unsigned every[3] = { 1, 5, 200 };

	for (int k = 0; k < 3; k++) {
		struct reap_config cfg = { .ncpus = 1, .hz = 100,
		    .lat_record = lat_record, .ctx = &lat_calls,
		    .lat_every = every[k] };
		struct kern_machine *m = kern_machine_create(&cfg);
		static struct kern_lwp_stamp ls[23];
		int stamped = 0, want = 0;

		memset(ls, 0, sizeof(ls));
		kern_attach(m);
		reap_cpu_set(0);
		for (int i = 0; i < 23; i++) {
			kern_lwp_exit_stamp(m, &ls[i]);
			stamped += atomic_load(&ls[i].ls_exit_ns) != 0;
			want += i % (int)every[k] == 0;
			RT_ASSERTF((atomic_load(&ls[i].ls_exit_ns) != 0) ==
			    (i % (int)every[k] == 0), "every %u: exit %d",
			    every[k], i + 1);
		}
		RT_EQ(stamped, want);
		for (int i = 0; i < 23; i++)
			kern_lwp_free_stamp(m, &ls[i]);
		kern_lwps_freed(m, 23);
		kern_attach(NULL);
		kern_machine_destroy(m);
	}
}

static struct reap_quiesce_wait fe_q;
static _Atomic int fe_woke;

static void *
fe_waiter(void *arg)
{
	struct kern_machine *m = arg;
	uint32_t key;

	for (;;) {
		key = reap_quiesce_prepare(&fe_q);
		if (kern_counter_read(m, KC_LWP_FREE) >= 2)
			break;
		kern_futex_wait(&fe_q.rq_word, key, 0);
	}
	reap_quiesce_done(&fe_q);
	atomic_store(&fe_woke, 1);
	return NULL;
}

/* A quiesce waiter sleeps on config.quiesce_wait; only the free that
 * brings the live count to its target wakes it, and with nobody waiting
 * a free leaves the word alone. */
RT_TEST(free_wakes_waiter_at_its_target)
{
	struct reap_config cfg = { .ncpus = 2, .hz = 100,
	    .quiesce_wait = &fe_q };
	struct kern_machine *m = kern_machine_create(&cfg);
	pthread_t t;
	uint32_t w;

	kern_attach(m);
	reap_cpu_set(0);
	atomic_store(&fe_q.rq_word, 0);
	kern_count_n(KC_LWP_CREATE, 3);
	kern_count(KC_PROC_CREATE);
	kern_count(KC_PROC_FREE);
	RT_EQ(atomic_load(&fe_q.rq_word), 0);
	atomic_store(&fe_q.rq_lwps, 1);
	atomic_store(&fe_q.rq_procs, 0);
	atomic_store(&fe_woke, 0);
	RT_EQ(pthread_create(&t, NULL, fe_waiter, m), 0);
	while ((atomic_load(&fe_q.rq_word) & 1) == 0)
		sched_yield();
	w = atomic_load(&fe_q.rq_word);
	reap_cpu_set(1);
	kern_lwps_freed(m, 1);		/* 2 live: not yet */
	RT_EQ(atomic_load(&fe_q.rq_word), w);
	kern_lwps_freed(m, 1);		/* 1 live: the target */
	pthread_join(t, NULL);
	RT_EQ(atomic_load(&fe_woke), 1);
	kern_lwps_freed(m, 1);
	kern_attach(NULL);
	kern_machine_destroy(m);
}

RT_TEST(kern_work_spends_time)
{
	uint64_t t0 = kern_now_ns();

	kern_work_ns(2000000);
	RT_ASSERT(kern_now_ns() - t0 >= 2000000);
}

/* Each named stand-in is counted by name in the caller's books, costs its
 * own config.work_ns entry, and counts nothing unattached. */
RT_TEST(kern_work_named_counted)
{
	struct reap_config cfg = { .ncpus = 1, .hz = 100 };
	struct kern_machine *m;
	struct reap_stats st;
	uint64_t t0;

	for (unsigned i = 0; i < REAP_WORK_NAMES; i++) {
		RT_ASSERT(reap_work_name(i) != NULL);
		for (unsigned j = 0; j < i; j++)
			RT_ASSERT(strcmp(reap_work_name(i),
			    reap_work_name(j)) != 0);
	}
	RT_ASSERT(reap_work_name(REAP_WORK_NAMES) == NULL);
	RT_EQ(strcmp(reap_work_name(KW_VMSPACE_EXIT), "vmspace_exit"), 0);
	kern_work(KW_FDFREE);			/* not attached: nothing */
	cfg.work_ns[KW_VMSPACE_EXIT] = 2000000;
	m = kern_machine_create(&cfg);
	kern_attach(m);
	kern_work(KW_FDFREE);
	kern_work(KW_FDFREE);
	t0 = kern_now_ns();
	kern_work(KW_VMSPACE_EXIT);
	RT_ASSERT(kern_now_ns() - t0 >= 2000000);
	memset(&st, 0, sizeof(st));
	kern_stats_fill(m, &st);
	for (unsigned i = 0; i < REAP_WORK_NAMES; i++)
		RT_EQ(st.work[i], i == KW_FDFREE ? 2 : i == KW_VMSPACE_EXIT);
	kern_attach(NULL);
	kern_machine_destroy(m);
}

/* The giant lock: recursive; release_all returns the holds. */
RT_TEST(biglock_recursive)
{
	struct kern_machine *m = test_machine(1, 100);
	int n;

	kern_attach(m);
	RT_ASSERT(!kern_biglock_held());
	kern_biglock_enter();
	kern_biglock_enter();
	RT_ASSERT(kern_biglock_held());
	kern_biglock_exit();
	RT_ASSERT(kern_biglock_held());
	kern_biglock_enter();
	n = kern_biglock_release_all();
	RT_EQ(n, 2);
	RT_ASSERT(!kern_biglock_held());
	RT_EQ(kern_biglock_release_all(), 0);
	kern_biglock_reacquire(n);
	kern_biglock_exit();
	RT_ASSERT(kern_biglock_held());
	kern_biglock_exit();
	RT_ASSERT(!kern_biglock_held());
	kern_attach(NULL);
	kern_machine_destroy(m);
}

/* Two threads of one machine: one holder at a time (TSan sees bl_count
 * raced otherwise; the plain build loses increments). */
static struct kern_machine *bl_m;
static long bl_count;
static _Atomic int bl_phase;
static struct kmutex bl_mtx = KMUTEX_INITIALIZER;

static void *
bl_adder(void *arg)
{
	(void)arg;
	kern_attach(bl_m);
	for (int i = 0; i < 20000; i++) {
		kern_biglock_enter();
		if (i % 7 == 0)
			kern_biglock_enter();
		bl_count++;
		if (i % 7 == 0)
			kern_biglock_exit();
		kern_biglock_exit();
	}
	kern_attach(NULL);
	return NULL;
}

RT_TEST(biglock_exclusion)
{
	pthread_t t[2];

	bl_m = test_machine(2, 100);
	bl_count = 0;
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, bl_adder, NULL);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	RT_EQ(bl_count, 40000);
	kern_machine_destroy(bl_m);
}

/* Let go while its holder sleeps: the taker gets it, the sleeper has it
 * again when tsleep returns. */
static void *
bl_taker(void *arg)
{
	(void)arg;
	kern_attach(bl_m);
	while (atomic_load(&bl_phase) != 1)
		sched_yield();
	kern_biglock_enter();		/* blocks for good if not let go */
	bl_count = 42;
	atomic_store(&bl_phase, 2);
	wakeup(&bl_phase);
	kern_biglock_exit();
	kern_attach(NULL);
	return NULL;
}

RT_TEST(biglock_released_while_sleeping)
{
	pthread_t t;

	bl_m = test_machine(2, 100);
	kern_attach(bl_m);
	atomic_store(&bl_phase, 0);
	bl_count = 0;
	pthread_create(&t, NULL, bl_taker, NULL);
	kern_biglock_enter();
	while (atomic_load(&bl_phase) != 2) {
		tsleep_interlock(&bl_phase, 0);
		atomic_store(&bl_phase, atomic_load(&bl_phase) == 0 ? 1 :
		    atomic_load(&bl_phase));
		if (atomic_load(&bl_phase) == 2)
			break;
		(void)tsleep(&bl_phase, PINTERLOCKED, "bltest", 0);
	}
	RT_ASSERT(kern_biglock_held());
	RT_EQ(bl_count, 42);
	kern_biglock_exit();
	pthread_join(t, NULL);
	kern_attach(NULL);
	kern_machine_destroy(bl_m);
}

/* Let go while its holder waits for a contended mutex: the mutex's holder
 * takes the giant lock before it releases the mutex (a deadlock else). */
static void *
bl_mtx_holder(void *arg)
{
	(void)arg;
	kern_attach(bl_m);
	mutex_enter(&bl_mtx);
	atomic_store(&bl_phase, 1);
	while (atomic_load(&bl_phase) != 2)
		sched_yield();
	kern_biglock_enter();		/* the other thread holds it */
	bl_count = 7;
	kern_biglock_exit();
	mutex_exit(&bl_mtx);
	kern_attach(NULL);
	return NULL;
}

RT_TEST(biglock_released_by_contended_mutex)
{
	pthread_t t;

	bl_m = test_machine(2, 100);
	kern_attach(bl_m);
	atomic_store(&bl_phase, 0);
	bl_count = 0;
	pthread_create(&t, NULL, bl_mtx_holder, NULL);
	while (atomic_load(&bl_phase) != 1)
		sched_yield();
	kern_biglock_enter();
	atomic_store(&bl_phase, 2);
	mutex_enter(&bl_mtx);		/* held: lets the giant lock go */
	RT_ASSERT(kern_biglock_held());
	RT_EQ(bl_count, 7);
	mutex_exit(&bl_mtx);
	kern_biglock_exit();
	pthread_join(t, NULL);
	kern_attach(NULL);
	kern_machine_destroy(bl_m);
}

static void
inject_site(void)
{
	KERN_INJECT("test.site");
}

RT_TEST(inject_seeded_and_widen)
{
	uint64_t t0;

	kern_inject_reset_hits();
	inject_site();
	RT_EQ(kern_inject_hits("test.site"), 1);
	RT_EQ(kern_inject_hits("no.such.point"), 0);
	kern_inject_widen("test.site", 3000);
	t0 = kern_now_ns();
	inject_site();
	RT_ASSERT(kern_now_ns() - t0 >= 3000000);
	kern_inject_disable();
	kern_inject_enable(12345, 1000);
	RT_EQ(kern_inject_seed(), 12345);
	for (int i = 0; i < 50; i++)
		inject_site();
	RT_EQ(kern_inject_hits("test.site"), 52);
	kern_inject_disable();
}

/*
 * rwlock: the writer acquires what the readers did before they left.  The
 * last reader leaves inside the writer's widened window, after its
 * fetch_or and before its RW_WAITERS CAS, so that CAS fails and its
 * failure load alone shows the count at zero: TSan reports the reader's
 * read against the writer's write unless that load acquires.
 */
static struct krwlock rwl;
static int rwl_data;		/* read under a read hold, written by the writer */
static _Atomic int rwl_seen;

static void *
rwlock_reader(void *arg)
{
	(void)arg;
	RT_ASSERT(rw_tryenter_read(&rwl));
	atomic_store(&rwl_seen, 1);
	/* Until the writer is in its window (a relaxed count: the wait must
	 * not itself order the read below before the writer's write). */
	while (kern_inject_hits("kern.rw_enter_write.wanted") == 0)
		sched_yield();
	atomic_store_explicit(&rwl_seen, rwl_data + 2, memory_order_relaxed);
	rw_exit_read(&rwl);
	return NULL;
}

RT_TEST(rwlock_writer_acquires_last_reader)
{
	struct kern_machine *m = test_machine(1, 100);
	pthread_t t;

	kern_attach(m);
	rw_init(&rwl);
	kern_inject_reset_hits();
	kern_inject_widen("kern.rw_enter_write.wanted", 20000);	/* 20 ms */
	pthread_create(&t, NULL, rwlock_reader, NULL);
	while (atomic_load(&rwl_seen) == 0)
		sched_yield();
	rw_enter_write(&rwl);
	rwl_data = 1;
	kern_inject_disable();
	RT_ASSERT(!rw_tryenter_read(&rwl));	/* the writer keeps it */
	pthread_join(t, NULL);
	RT_EQ(atomic_load(&rwl_seen), 2);	/* read before the write */
	RT_EQ(kern_inject_hits("kern.rw_enter_write.wanted"), 1);
	kern_attach(NULL);
	kern_machine_destroy(m);
}

int
main(int argc, char **argv)
{
	return rt_main(argc, argv);
}
