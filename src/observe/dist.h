/*
 * dist.h — shared by the distribution files: parameter failures.
 */
#ifndef USIM_OBSERVE_DIST_H
#define USIM_OBSERVE_DIST_H

/*
 * Reports invalid parameters of a draw.  `rc` is the USIM_EINVAL a
 * checker returned after setting the message.  Inside a running task the
 * run fails with that message (no return); outside any task the message
 * stays in usim_errmsg() and the caller returns its NaN or 0.
 */
void dist_fail(int rc);

#endif
