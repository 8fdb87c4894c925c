/*
 * fail_catch.h — usim_fail outside a task: the landing that
 * usim_catch_fail sets up on this thread.
 */
#ifndef USIM_KERNEL_FAIL_CATCH_H
#define USIM_KERNEL_FAIL_CATCH_H

/* If a usim_catch_fail can take it on this thread, makes text its
 * usim_errmsg() (and the setup mistake of the simulation being set up),
 * frees `owned` and returns from that call with USIM_EFAILED: it does not
 * return here.  Otherwise returns, `owned` untouched. */
void fail_catch_land(const char *text, char *owned);

#endif
