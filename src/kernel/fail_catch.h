/*
 * fail_catch.h — usim_fail outside a task: the landing that
 * usim_catch_fail sets up on this thread.
 */
#ifndef USIM_KERNEL_FAIL_CATCH_H
#define USIM_KERNEL_FAIL_CATCH_H

/* If a usim_catch_fail is in progress on this thread, makes msg its
 * usim_errmsg() and returns from it with USIM_EFAILED (does not return
 * here).  Otherwise returns. */
void fail_catch_land(const char *msg);

#endif
