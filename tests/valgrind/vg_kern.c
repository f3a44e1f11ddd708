/*
 * vg_kern.c - teach Helgrind and DRD the model kernel's synchronisation,
 * without touching the kernel: a preload library whose function wrappers
 * (valgrind's I_WRAP_SONAME_FNNAME_ZU, soname NONE = the main executable)
 * surround the kernel primitives with happens-before client requests.
 *
 * Why it is needed.  Every blocking lock of the model kernel (tokens,
 * kmutex, sleep-queue buckets, taskqueue locks) is a C11-atomic lock word
 * plus raw futex syscalls (kern_futex.c); kspin is a CAS loop; the hybrid's
 * eventcounts are a futex word.  Valgrind's tools know pthreads, not these,
 * so without help they see no synchronisation at all and report every
 * access to lock-protected data as a race (371 contexts on a 200-lifecycle
 * dragonfly torture).  The annotations below state exactly the C11 edges
 * the primitives implement:
 *
 *   lock word release (exchange, release)  -> acquire (CAS/exchange, acquire)
 *   kspin_unlock (store, release)           -> kspin_lock (CAS, acquire)
 *   token release (lockword release)        -> token (re)acquire, incl. the
 *                                              all-or-nothing CAS in
 *                                              td_take_all (tsleep, contention)
 *   kern_ec_bump (CAS, acq_rel)             -> kern_ec_wait return (load, acq)
 *   kern_futex_wake(addr)                   -> kern_futex_wait(addr) return
 *
 * The last edge is the futex's own: every waker in the kernel publishes
 * with a release RMW on the word before FUTEX_WAKE and every waiter
 * re-reads the word with acquire (or re-takes a lock) after FUTEX_WAIT.
 *
 * Both tools' requests are issued: a request the running tool does not
 * know is ignored by valgrind, so one library serves helgrind and drd.
 * Built by tests/valgrind.mk, used by tests/valgrind/run (LD_PRELOAD).
 */
#include <stdbool.h>
#include <stdint.h>

#include <valgrind/valgrind.h>
#include <valgrind/helgrind.h>
/* drd.h redefines the ANNOTATE_* macros; take its raw requests only. */
#undef ANNOTATE_HAPPENS_BEFORE
#undef ANNOTATE_HAPPENS_AFTER
#include <valgrind/drd.h>

#include "kern.h"
#include "kern_eventcount.h"
#include "kern_impl.h"

/* Release edge on obj, for both tools. */
static inline void
vg_send(const volatile void *obj)
{
	VALGRIND_DO_CLIENT_REQUEST_STMT(_VG_USERREQ__HG_USERSO_SEND_PRE,
	    obj, 0, 0, 0, 0);
	VALGRIND_DO_CLIENT_REQUEST_STMT(VG_USERREQ__DRD_ANNOTATE_HAPPENS_BEFORE,
	    obj, 0, 0, 0, 0);
}

/* Acquire edge on obj, for both tools. */
static inline void
vg_recv(const volatile void *obj)
{
	VALGRIND_DO_CLIENT_REQUEST_STMT(_VG_USERREQ__HG_USERSO_RECV_POST,
	    obj, 0, 0, 0, 0);
	VALGRIND_DO_CLIENT_REQUEST_STMT(VG_USERREQ__DRD_ANNOTATE_HAPPENS_AFTER,
	    obj, 0, 0, 0, 0);
}

#define WRAP(fn)	I_WRAP_SONAME_FNNAME_ZU(NONE, fn)

/* The caller's token stack, mirrored (see lwkt_token_reacquire_all). */
static __thread struct lwkt_token *vg_toks[KERN_TD_MAXTOKENS];
static __thread int vg_ntoks;

/* Prototypes for -Wmissing-prototypes hygiene (the names are generated). */
void	WRAP(kern_lockword_acquire)(_Atomic uint32_t *, bool);
bool	WRAP(kern_lockword_try)(_Atomic uint32_t *);
void	WRAP(kern_lockword_release)(_Atomic uint32_t *, bool);
void	WRAP(kspin_lock)(struct kspin *);
void	WRAP(kspin_unlock)(struct kspin *);
void	WRAP(lwkt_gettoken)(struct lwkt_token *);
void	WRAP(lwkt_reltoken)(struct lwkt_token *);
void	WRAP(lwkt_token_reacquire_all)(int);
int	WRAP(kern_futex_wait)(_Atomic uint32_t *, uint32_t, uint64_t);
void	WRAP(kern_futex_wake)(_Atomic uint32_t *, int);
bool	WRAP(kern_ec_bump)(struct kern_ec *);
void	WRAP(nb_lwp_unlock_to)(struct reap_lwp *, struct kspin *);
void	WRAP(kern_ec_wait)(struct kern_ec *, uint32_t, const char *);
void	WRAP(fl_lwp_offcpu)(struct reap_lwp *);
void	WRAP(fl_lwp_offcpu_wait)(struct reap_lwp *);

void
WRAP(kern_lockword_acquire)(_Atomic uint32_t *w, bool count)
{
	OrigFn fn;

	VALGRIND_GET_ORIG_FN(fn);
	CALL_FN_v_WW(fn, w, count);
	vg_recv(w);
}

bool
WRAP(kern_lockword_try)(_Atomic uint32_t *w)
{
	OrigFn fn;
	unsigned long ok;

	VALGRIND_GET_ORIG_FN(fn);
	CALL_FN_W_W(ok, fn, w);
	if ((bool)ok)
		vg_recv(w);
	return (bool)ok;
}

void
WRAP(kern_lockword_release)(_Atomic uint32_t *w, bool count)
{
	OrigFn fn;

	VALGRIND_GET_ORIG_FN(fn);
	vg_send(w);
	CALL_FN_v_WW(fn, w, count);
}

void
WRAP(kspin_lock)(struct kspin *sp)
{
	OrigFn fn;

	VALGRIND_GET_ORIG_FN(fn);
	CALL_FN_v_W(fn, sp);
	vg_recv(&sp->sp_word);
}

void
WRAP(kspin_unlock)(struct kspin *sp)
{
	OrigFn fn;

	VALGRIND_GET_ORIG_FN(fn);
	vg_send(&sp->sp_word);
	CALL_FN_v_W(fn, sp);
}

/*
 * Also covers the blocking path, where the caller gives up every token it
 * holds and td_take_all CASes them all back (not through the lock word
 * functions): every token on the caller's stack is acquired anew.
 */
void
WRAP(lwkt_gettoken)(struct lwkt_token *tok)
{
	OrigFn fn;

	VALGRIND_GET_ORIG_FN(fn);
	CALL_FN_v_W(fn, tok);
	vg_recv(&tok->t_word);
	for (int i = 0; i < vg_ntoks; i++)
		vg_recv(&vg_toks[i]->t_word);
	if (vg_ntoks < KERN_TD_MAXTOKENS)
		vg_toks[vg_ntoks++] = tok;
}

/*
 * tsleep gives every token up and takes them all back before it returns
 * (td_take_all, a CAS of its own).  The executable exports no symbols, so
 * the wrapper cannot read the caller's kern_td: it mirrors the caller's
 * token stack (pushed by lwkt_gettoken, popped by lwkt_reltoken).
 */

void
WRAP(lwkt_reltoken)(struct lwkt_token *tok)
{
	OrigFn fn;
	int i;

	VALGRIND_GET_ORIG_FN(fn);
	CALL_FN_v_W(fn, tok);
	/* As lwkt_reltoken: drop the most recent entry for tok. */
	for (i = vg_ntoks - 1; i >= 0 && vg_toks[i] != tok; i--)
		;
	if (i < 0)
		return;
	for (; i < vg_ntoks - 1; i++)
		vg_toks[i] = vg_toks[i + 1];
	vg_ntoks--;
}

void
WRAP(lwkt_token_reacquire_all)(int saved)
{
	OrigFn fn;

	VALGRIND_GET_ORIG_FN(fn);
	CALL_FN_v_W(fn, saved);
	for (int i = 0; i < vg_ntoks; i++)
		vg_recv(&vg_toks[i]->t_word);
}

int
WRAP(kern_futex_wait)(_Atomic uint32_t *addr, uint32_t val, uint64_t ns)
{
	OrigFn fn;
	unsigned long r;

	VALGRIND_GET_ORIG_FN(fn);
	CALL_FN_W_WWW(r, fn, addr, val, ns);
	vg_recv(addr);
	return (int)r;
}

void
WRAP(kern_futex_wake)(_Atomic uint32_t *addr, int nwake)
{
	OrigFn fn;

	VALGRIND_GET_ORIG_FN(fn);
	vg_send(addr);
	CALL_FN_v_WW(fn, addr, nwake);
}

/* The waker's epoch bump; ec_word is the futex word (offset 0). */
bool
WRAP(kern_ec_bump)(struct kern_ec *ec)
{
	OrigFn fn;
	unsigned long r;

	VALGRIND_GET_ORIG_FN(fn);
	vg_send(&ec->ec_word);
	CALL_FN_W_W(r, fn, ec);
	return (bool)r;
}

/* Also when kern_ec_wait returns without sleeping (epoch moved). */
void
WRAP(kern_ec_wait)(struct kern_ec *ec, uint32_t key, const char *wmesg)
{
	OrigFn fn;

	VALGRIND_GET_ORIG_FN(fn);
	CALL_FN_v_WWW(fn, ec, key, wmesg);
	vg_recv(&ec->ec_word);
}

/*
 * One design edge: NetBSD's lwp_unlock_to() moves an LWP to another lock
 * with a release store of l_mutex, and lwp_lock() acquire-loads l_mutex
 * before it takes the lock it names.  A thread that then holds the new
 * lock sees everything the mover wrote under the old one; tell helgrind
 * by a release on the new lock (its kspin_lock receives it).
 */
void
WRAP(nb_lwp_unlock_to)(struct reap_lwp *l, struct kspin *new)
{
	OrigFn fn;

	VALGRIND_GET_ORIG_FN(fn);
	vg_send(&new->sp_word);
	CALL_FN_v_WW(fn, l, new);
}

/* floor: the carrier's release store of l_oncpu, the reaper's acquire
 * wait for it (impls/floor/fl_lwp.c); the LWP's address is the tag. */
void
WRAP(fl_lwp_offcpu)(struct reap_lwp *l)
{
	OrigFn fn;

	VALGRIND_GET_ORIG_FN(fn);
	vg_send(l);
	CALL_FN_v_W(fn, l);
}

void
WRAP(fl_lwp_offcpu_wait)(struct reap_lwp *l)
{
	OrigFn fn;

	VALGRIND_GET_ORIG_FN(fn);
	CALL_FN_v_W(fn, l);
	vg_recv(l);
}
