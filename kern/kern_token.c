/*
 * kern_token.c - DragonFly LWKT tokens.
 *
 * A token serialises its holders only between blocking points: a thread
 * that blocks (in tsleep, or waiting for a contended token) gives up every
 * token it holds and gets them all back, all-or-nothing, before it runs
 * again.  That is why tokens have no lock order and cannot deadlock, and
 * why code must re-check state after any call that may block.
 */
#include "kern.h"
#include "kern_impl.h"

/* Initialise tok, free; desc names it in messages. */
void
lwkt_token_init(struct lwkt_token *tok, const char *desc)
{
	atomic_init(&tok->t_word, 0);
	atomic_init(&tok->t_owner, NULL);
	tok->t_desc = desc;
}

/*
 * True if the calling thread holds tok now; false while a tsleep or a
 * contended lwkt_gettoken has released it.  Exact for the caller (only
 * the holder sets the owner to itself).  For assertions.
 */
bool
lwkt_token_held(struct lwkt_token *tok)
{
	return atomic_load_explicit(&tok->t_owner, memory_order_relaxed) ==
	    kern_curtd();
}

static bool
td_holds(struct kern_td *td, struct lwkt_token *tok, int upto)
{
	for (int i = 0; i < upto; i++)
		if (td->td_toks[i] == tok)
			return true;
	return false;
}

/* Release the words of tokens [0, n) of td (each distinct token once). */
static void
td_drop_words(struct kern_td *td, int n)
{
	for (int i = 0; i < n; i++) {
		struct lwkt_token *tok = td->td_toks[i];

		if (td_holds(td, tok, i))
			continue;		/* recursive entry */
		atomic_store_explicit(&tok->t_owner, NULL, memory_order_relaxed);
		kern_lockword_release(&tok->t_word, true);
	}
}

/*
 * Models lwkt_getalltokens(): take every token in td_toks[0, n) or none;
 * on contention drop those taken, wait for the busy one, retry.  Taken
 * with value 2 so a release always wakes a possible co-waiter.
 */
static void
td_take_all(struct kern_td *td, int n)
{
	for (;;) {
		int i, busy = -1;

		for (i = 0; i < n; i++) {
			struct lwkt_token *tok = td->td_toks[i];
			uint32_t v = 0;

			if (td_holds(td, tok, i))
				continue;
			if (!atomic_compare_exchange_strong_explicit(
			    &tok->t_word, &v, 2, memory_order_acquire,
			    memory_order_relaxed)) {
				busy = i;
				break;
			}
			atomic_store_explicit(&tok->t_owner, td,
			    memory_order_relaxed);
		}
		if (busy < 0)
			return;
		td_drop_words(td, busy);
		kern_lockword_await(&td->td_toks[busy]->t_word, true);
	}
}

/*
 * Models lwkt_gettoken() of DragonFly lwkt_token.c: take tok, recursively
 * if the caller holds it already.  Contended, it spins a little, then
 * blocks as a descheduled DragonFly thread does: every token the caller
 * holds is released until all of them, tok included, can be taken at
 * once.  Returns with tok and every token held before held.  May sleep,
 * so what the caller's tokens guard must be re-checked after the call.
 * At most KERN_TD_MAXTOKENS holds per thread (KASSERT).
 */
void
lwkt_gettoken(struct lwkt_token *tok)
{
	struct kern_td *td = kern_curtd();
	unsigned bo = 0;

	KASSERT(td->td_ntoks < KERN_TD_MAXTOKENS, "token stack overflow");
	td->td_toks[td->td_ntoks++] = tok;
	if (td_holds(td, tok, td->td_ntoks - 1))
		return;				/* recursive: already ours */
	/* Uncontended, or briefly contended: spin as lwkt_gettoken does. */
	for (int i = 0; i < 6; i++) {
		if (kern_lockword_try(&tok->t_word)) {
			atomic_store_explicit(&tok->t_owner, td,
			    memory_order_relaxed);
			return;
		}
		kern_backoff(&bo);
	}
	/* Block: the thread deschedules and so loses all its tokens. */
	td_drop_words(td, td->td_ntoks - 1);
	td_take_all(td, td->td_ntoks);
}

/*
 * Models lwkt_reltoken(): drop the caller's most recent hold of tok,
 * releasing the token with its last hold.  The caller holds tok (KASSERT).
 */
void
lwkt_reltoken(struct lwkt_token *tok)
{
	struct kern_td *td = kern_curtd();
	int i;

	for (i = td->td_ntoks - 1; i >= 0 && td->td_toks[i] != tok; i--)
		;
	KASSERT(i >= 0, "lwkt_reltoken: token not held");
	KASSERT(lwkt_token_held(tok), "lwkt_reltoken: not owner");
	for (int j = i; j < td->td_ntoks - 1; j++)
		td->td_toks[j] = td->td_toks[j + 1];
	td->td_ntoks--;
	if (!td_holds(td, tok, td->td_ntoks)) {
		atomic_store_explicit(&tok->t_owner, NULL, memory_order_relaxed);
		kern_lockword_release(&tok->t_word, true);
	}
}

/*
 * Release every token the caller holds, keeping the list, and return its
 * length for lwkt_token_reacquire_all (tsleep brackets its sleep with the
 * two).  In between the caller takes and drops no token (KASSERT there).
 */
int
lwkt_token_release_all(void)
{
	struct kern_td *td = kern_curtd();

	td_drop_words(td, td->td_ntoks);
	return td->td_ntoks;
}

/*
 * Take back, all or none at a time, the tokens lwkt_token_release_all
 * released; saved is what it returned.  Returns with them held.  May sleep.
 */
void
lwkt_token_reacquire_all(int saved)
{
	struct kern_td *td = kern_curtd();

	KASSERT(saved == td->td_ntoks, "token stack changed while asleep");
	if (saved > 0)
		td_take_all(td, saved);
}
