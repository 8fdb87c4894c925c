/*
 * version.c — the version of the library, as opposed to the version of
 * the headers a program was compiled with (usim/version.h).
 */
#include "usim.h"

const char *usim_version(void)
{
    return USIM_VERSION_STRING;
}
