/* lib/parallel.h: running independent pieces of work on the machine's CPUs,
 * and using their results in order.
 *
 * DESIGN: parallel_for is called by one thread (crond's main thread at
 * start, its timer thread at a reload) and returns only when every piece
 * is done and used. It starts at most PARALLEL_MAX_THREADS - 1 short-lived
 * helper threads, which inherit the caller's signal mask (crond's block
 * every signal: only the sigwait thread takes them); they run WORK only.
 * The caller runs DONE, in order, and WORK too while the piece it needs
 * next is not ready. Each piece's WORK runs once, on whichever thread takes
 * it first (one atomic counter); WORK must touch nothing but what piece I
 * owns (its own slot of an array, say) and call only thread-safe
 * functions. A mutex and a condition variable guard the pieces' "ready"
 * flags, and so order each piece's WORK before its DONE.
 */
#ifndef CROND_LIB_PARALLEL_H
#define CROND_LIB_PARALLEL_H

#include <stddef.h>

#define PARALLEL_MAX_THREADS 4
/* Work below this many bytes of text (outside its largest piece, which one
 * thread reads anyway) is done faster by the caller alone: a helper's
 * start costs about 0.1 ms. */
#define PARALLEL_MIN_BYTES (256 * 1024)

/* The threads parallel_for would use at most: the CPUs this process may
 * run on (sched_getaffinity), within 1 and PARALLEL_MAX_THREADS. */
size_t parallel_threads(void);

/* The threads for pieces of text of BYTES in all, the largest LARGEST:
 * parallel_threads() when the others hold PARALLEL_MIN_BYTES, else 1. */
size_t parallel_threads_for(size_t bytes, size_t largest);

/* Calls WORK(I, CTX) once for each I in [0, N), on up to THREADS threads
 * at once, the caller's included, and DONE(I, CTX) (when not NULL) in the
 * caller, for I = 0, 1, ... N - 1, each once WORK(I) has returned. THREADS
 * 0 or 1, or a failure to allocate the flags: WORK(I) then DONE(I), in
 * order, in the caller. A helper that cannot be started costs nothing but
 * speed. */
void parallel_for(size_t n, size_t threads, void (*work)(size_t i, void *ctx),
                  void (*done)(size_t i, void *ctx), void *ctx);

#endif
