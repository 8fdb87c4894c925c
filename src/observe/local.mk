# Observation: random streams, distributions, statistics, traces, scalars.
libusim_core_la_SOURCES += src/observe/rng.c src/observe/rng.h \
	src/observe/dist.c src/observe/dist.h src/observe/ziggurat_tables.h \
	src/observe/discrete.c src/observe/empirical.c src/observe/stats.c \
	src/observe/observe.c src/observe/observe.h src/observe/trace.c \
	src/observe/scalar.c
# The ziggurat tables are generated once and checked in (see the file).
EXTRA_DIST += src/observe/gen_ziggurat.c
