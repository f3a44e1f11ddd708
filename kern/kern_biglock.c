/*
 * kern_biglock.c - the giant lock: one per machine, as NetBSD's
 * kernel_lock (KERNEL_LOCK) and DragonFly's MP lock (get_mplock) were
 * one per system.
 */
#include "kern.h"
#include "kern_impl.h"

/* The calling thread's holds: the lock word it holds and how often. */
static __thread _Atomic uint32_t *kern_bl_word;
static __thread int kern_bl_count;

static _Atomic uint32_t *
kern_biglock_word(void)
{
	struct kern_machine *m = kern_curmachine();

	KASSERT(m != NULL, "giant lock: thread not attached to a machine");
	return &m->m_biglock;
}

/* Does the caller hold a token now (not one tsleep let go)? */
static bool
kern_biglock_tokens_held(void)
{
	struct kern_td *td = kern_curtd();

	for (int i = 0; i < td->td_ntoks; i++)
		if (lwkt_token_held(td->td_toks[i]))
			return true;
	return false;
}

/* Take the word for n holds; the caller holds none. */
static void
kern_biglock_take(int n)
{
	_Atomic uint32_t *w = kern_biglock_word();

	KASSERT(!kern_biglock_tokens_held(),
	    "giant lock taken with tokens held (it is the outermost lock)");
	kern_lockword_acquire(w, true);
	kern_bl_word = w;
	kern_bl_count = n;
}

/*
 * Models KERNEL_LOCK(1, l) of NetBSD and get_mplock() of DragonFly: one
 * more hold of the machine's giant lock by the calling thread, which is
 * attached to the machine.  Recursive.  The first hold is taken with no
 * token held (KASSERT) and no mutex held (not checked): it is outermost
 * in every lock order.  Like tokens, it is let go while its holder sleeps
 * (tsleep, cv_wait) or waits for a contended mutex, and taken back before
 * that returns, so a holder that waits never keeps the others out; a
 * holder may spin or wait for a token with it (a token's holder never
 * waits for the giant lock: it holds no token when it takes it).  May
 * sleep.
 */
void
kern_biglock_enter(void)
{
	if (kern_bl_count > 0) {
		KASSERT(kern_bl_word == kern_biglock_word(),
		    "giant lock of another machine held");
		kern_bl_count++;
		return;
	}
	kern_biglock_take(1);
}

/* Models KERNEL_UNLOCK_ONE / rel_mplock(): drop one hold (KASSERT: one
 * is held); the last one releases the lock. */
void
kern_biglock_exit(void)
{
	_Atomic uint32_t *w = kern_bl_word;

	KASSERT(kern_bl_count > 0, "giant lock not held");
	if (--kern_bl_count > 0)
		return;
	kern_bl_word = NULL;
	kern_lockword_release(w, true);
}

/* Models KERNEL_UNLOCK_ALL(l, &count): drop every hold; returns how many
 * there were (0: none, nothing done). */
int
kern_biglock_release_all(void)
{
	int n = kern_bl_count;

	if (n == 0)
		return 0;
	kern_bl_count = 1;
	kern_biglock_exit();
	return n;
}

/* Models KERNEL_LOCK(count, l) after KERNEL_UNLOCK_ALL: take back the
 * holds kern_biglock_release_all returned (0: nothing).  May sleep. */
void
kern_biglock_reacquire(int n)
{
	if (n == 0)
		return;
	KASSERT(kern_bl_count == 0, "giant lock reacquired while held");
	kern_biglock_take(n);
}

/* True if the calling thread holds the giant lock (for KASSERTs). */
bool
kern_biglock_held(void)
{
	return kern_bl_count > 0;
}
