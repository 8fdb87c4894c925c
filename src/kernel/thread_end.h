/*
 * thread_end.h — work done when a thread ends.
 *
 * The kernel keeps a few freed records per thread for its next
 * simulation (sim.c, task.c, observe.c: usim-batch creates one per run);
 * what a thread still keeps when it ends is freed here.
 */
#ifndef USIM_KERNEL_THREAD_END_H
#define USIM_KERNEL_THREAD_END_H

/* Calls fn(arg) when the calling thread ends (pthread_exit or a return
 * from its start routine; not at the process's exit, which frees
 * everything anyway), the last registered first.  0, or -1 if it cannot
 * be arranged: the caller then keeps nothing for later. */
int thread_at_end(void (*fn)(void *arg), void *arg);

#endif
