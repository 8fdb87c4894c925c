/*
 * sync.c — what the primitives share out of line (see sync.h): the report
 * of a call on a primitive that is not live.
 */
#include <stdio.h>

#include "sync/sync.h"

int sync_misuse(const char *fn, const char *kind, const char *name, uint32_t magic)
{
    char msg[200];
    if (magic == SYNC_DEAD && name)
        snprintf(msg, sizeof msg, "%s: %s '%s' is destroyed", fn, kind, name);
    else if (magic == SYNC_DEAD)
        snprintf(msg, sizeof msg, "%s: %s (unnamed) is destroyed", fn, kind);
    else /* its name field is garbage too: not printed */
        snprintf(msg, sizeof msg, "%s: %s is not initialised (no usim_%s_init)", fn,
                 kind, kind);
    return sched_misuse(msg);
}
