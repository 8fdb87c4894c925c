#!/bin/sh
# soname.sh — the installed library's SONAME is the one configure
# computed from -version-info (USIM_SONAME in config.h, which usim-batch
# dlopens), and libusim.so exports usim_version.
# Run from the build directory (make check).  Prints "NAME: N passed, N failed".
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$(pwd)}
lib=$top_builddir/.libs/libusim.so
test_name=soname.sh
. "$top_srcdir/tests/batch/testlib.sh"
[ -e "$lib" ] || { echo "$test_name: no $lib (build it first)"; exit 99; }
command -v readelf >/dev/null || { echo "$test_name: no readelf"; exit 77; }

want=$(sed -n 's/^#define USIM_SONAME "\(.*\)"$/\1/p' "$top_builddir/config.h")
got=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]$/\1/p')
if [ -n "$want" ] && [ "$got" = "$want" ]; then ok; else
    ko "SONAME of $lib is '$got', config.h's USIM_SONAME '$want'"
fi
# The file the SONAME names exists beside it (libtool's symlink).
if [ -e "$top_builddir/.libs/$got" ]; then ok; else ko "no .libs/$got"; fi
if readelf --dyn-syms -W "$lib" | grep -q ' GLOBAL  *DEFAULT  *[0-9][0-9]* usim_version$'; then ok; else
    ko "libusim.so does not export usim_version"
fi
report
