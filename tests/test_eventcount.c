/*
 * test_eventcount.c - unit tests of the futex eventcount (kern_ec_*).
 */
#include <pthread.h>
#include <stdatomic.h>

#include "kern.h"
#include "kern_eventcount.h"
#include "rt.h"

static struct kern_machine *
ec_machine(void)
{
	struct reap_config cfg = { .ncpus = 2, .hz = 100 };
	struct kern_machine *m = kern_machine_create(&cfg);

	kern_attach(m);
	return m;
}

/* A wake with nobody registered is one load: no futex wake, no bump. */
RT_TEST(ec_no_waiter_no_syscall)
{
	struct kern_machine *m = ec_machine();
	struct kern_ec ec;
	uint32_t w0;

	kern_ec_init(&ec);
	w0 = atomic_load(&ec.ec_word);
	for (int i = 0; i < 100000; i++)
		kern_ec_wake(&ec);
	RT_EQ(kern_counter_read(m, KC_FUTEX_WAKE), 0);
	RT_EQ(atomic_load(&ec.ec_word), w0);
	/* Registered: exactly one futex wake, then none again. */
	(void)kern_ec_prepare(&ec);
	RT_ASSERT(kern_ec_has_waiters(&ec));
	kern_ec_wake(&ec);
	kern_ec_wake(&ec);
	RT_EQ(kern_counter_read(m, KC_FUTEX_WAKE), 1);
	RT_ASSERT(!kern_ec_has_waiters(&ec));
	kern_attach(NULL);
	kern_machine_destroy(m);
}

/* A wait whose key is stale (a wake came between prepare and wait)
 * returns at once. */
RT_TEST(ec_stale_key_returns)
{
	struct kern_machine *m = ec_machine();
	struct kern_ec ec;
	uint32_t key;

	kern_ec_init(&ec);
	key = kern_ec_prepare(&ec);
	kern_ec_wake(&ec);
	kern_ec_wait(&ec, key, "ectest");	/* must not block */
	RT_EQ(kern_counter_read(m, KC_SLEEP), 0);
	kern_attach(NULL);
	kern_machine_destroy(m);
}

/* Ping-pong: two threads hand a token back and forth through two
 * eventcounts; a lost wakeup hangs the test (the runner's timeout). */
#define PP_ROUNDS 200000
static struct {
	struct kern_machine *m;
	struct kern_ec ec[2];
	_Atomic int turn;
} pp;

static void
pp_await(int me)
{
	uint32_t key;

	for (;;) {
		if (atomic_load_explicit(&pp.turn, memory_order_seq_cst) % 2 ==
		    me)
			return;
		key = kern_ec_prepare(&pp.ec[me]);
		if (atomic_load_explicit(&pp.turn, memory_order_seq_cst) % 2 ==
		    me)
			return;
		kern_ec_wait(&pp.ec[me], key, "pingpong");
	}
}

static void *
pp_thread(void *arg)
{
	int me = (int)(intptr_t)arg;

	kern_attach(pp.m);
	reap_cpu_set(me);
	for (int i = 0; i < PP_ROUNDS; i++) {
		pp_await(me);
		atomic_fetch_add_explicit(&pp.turn, 1, memory_order_seq_cst);
		kern_ec_wake(&pp.ec[!me]);
	}
	return NULL;
}

RT_TEST(ec_pingpong_no_lost_wakeup)
{
	pthread_t t[2];

	pp.m = ec_machine();
	kern_ec_init(&pp.ec[0]);
	kern_ec_init(&pp.ec[1]);
	atomic_store(&pp.turn, 0);
	for (int i = 0; i < 2; i++)
		RT_EQ(pthread_create(&t[i], NULL, pp_thread,
		    (void *)(intptr_t)i), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	RT_EQ(atomic_load(&pp.turn), 2 * PP_ROUNDS);
	kern_attach(NULL);
	kern_machine_destroy(pp.m);
}

int
main(int argc, char **argv)
{
	return rt_main(argc, argv);
}
