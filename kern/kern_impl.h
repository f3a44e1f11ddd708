/* kern_impl.h - internals shared by the model kernel's own files. */
#ifndef KERN_IMPL_H
#define KERN_IMPL_H

#include <pthread.h>

#include "kern.h"

/*
 * The lock word under every blocking lock of the model kernel (tokens,
 * mutexes, sleep-queue buckets): 0 free, 1 held, 2 held with waiters.
 * Spins with backoff, then blocks on the futex.  `count` says whether its
 * spins and sleeps are design events (tokens, mutexes) or internal.
 */
void	kern_lockword_acquire(_Atomic uint32_t *w, bool count);
bool	kern_lockword_try(_Atomic uint32_t *w);
void	kern_lockword_release(_Atomic uint32_t *w, bool count);
/* Wait (without taking it) until the word looks free; then retry. */
void	kern_lockword_await(_Atomic uint32_t *w, bool count);

/*
 * The machine.  m_hot comes first: kern.h's inline books read it through
 * KERN_MACHINE_HOT without knowing the rest.
 */
struct kern_thread;
struct kern_machine {
	struct kern_machine_hot m_hot;		/* (: copied from m_cfg */
	struct reap_config m_cfg;		/* (: stable */
	/* The books (kern_books.c): one block per thread, never freed
	 * before the machine; pushed under m_books_lock, read lock-free. */
	struct kern_books *_Atomic m_books;
	pthread_mutex_t m_books_lock;
	/* The giant lock (kern_biglock.c): a lock word on a line of its
	 * own, as the one kernel_lock / MP lock of a system. */
	_Atomic uint32_t m_biglock __cacheline_aligned;
	/* The kept zombie peak: written by stats readers only. */
	_Atomic int64_t m_zpeak_kept __cacheline_aligned;
	pthread_mutex_t m_threads_lock __cacheline_aligned;
	struct kern_thread *m_threads;		/* m_threads_lock */
	int	m_nthreads;			/* m_threads_lock */
};
void	kern_books_init(struct kern_machine *);
void	kern_books_fini(struct kern_machine *);

/*
 * Per-thread state (kern_sleep.c).  Tags: b the bucket lock of td_ident,
 * ! the thread itself.  Read by other threads without that lock, hence
 * atomic: td_ident (kern_td_signal peeks it, relaxed, and re-checks under
 * the bucket lock), td_wakeseq (the futex word wakers bump), td_wmesg
 * (hang dumps, relaxed).
 */
#define KERN_TD_MAXTOKENS 32
struct kern_td {
	pid_t	td_tid;				/* (: stable while in use */
	_Atomic int *_Atomic td_sigword;	/* !: LWP's kill word */
	/* Sleep queue state, under the bucket lock of td_ident. */
	const void *_Atomic td_ident;		/* b: what it is queued on */
	bool	td_queued;			/* b: on td_ident's queue */
	int	td_sqflags;			/* b: PCATCH */
	struct kern_td *td_sqnext;		/* b: queue linkage */
	_Atomic uint32_t td_wakeseq;		/* futex word of its sleeps */
	const char *_Atomic td_wmesg;		/* !: wait message, hang dumps */
	/* Tokens held, in acquisition order (only the thread itself). */
	struct lwkt_token *td_toks[KERN_TD_MAXTOKENS];	/* ! */
	int	td_ntoks;				/* ! */
	struct kern_td *td_freenext;		/* free list linkage */
};

#endif /* KERN_IMPL_H */
