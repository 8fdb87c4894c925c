/*
 * error.c — the one error convention: negative USIM_E* codes, their
 * names, and a per-thread message with the details.
 */
#include <stdarg.h>
#include <stdio.h>

#include "kernel/sched.h"

static _Thread_local char errbuf[512];

const char *usim_strerror(int code)
{
    switch (code) {
    case USIM_OK:
        return "success";
    case USIM_ECANCELED:
        return "task cancelled";
    case USIM_ETIMEDOUT:
        return "deadline passed";
    case USIM_EINTR:
        return "interrupted";
    case USIM_ECLOSED:
        return "closed";
    case USIM_EINVAL:
        return "invalid argument";
    case USIM_EAGAIN:
        return "would have to wait";
    case USIM_ENOMEM:
        return "out of memory";
    case USIM_ESTATE:
        return "not allowed in this state";
    case USIM_EFAILED:
        return "task failed";
    case USIM_ECHILD:
        return "a child of the scope failed";
    case USIM_EOVERRUN:
        return "interval overrun";
    default:
        return "unknown error";
    }
}

const char *usim_errmsg(void)
{
    return errbuf;
}

int usim_error(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errbuf, sizeof errbuf, fmt, ap);
    va_end(ap);
    return code;
}
