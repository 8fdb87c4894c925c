# models: the built-in models of usim-batch.  Each is one C file that
# includes only usim.h and usim/model.h and defines `const usim_model
# model_NAME`.  The registry's list is generated from BUILTIN_MODELS, so
# adding a model is adding its file and its name here.
BUILTIN_MODELS = mm1 mg1 drift fail mmc bank_renege gas_station machine_shop site carwash \
	pingpong

noinst_LTLIBRARIES += libusim_models.la
libusim_models_la_SOURCES = models/mm1.c models/mg1.c models/drift.c models/fail.c models/mmc.c \
	models/bank_renege.c models/gas_station.c models/machine_shop.c models/site.c \
	models/carwash.c models/pingpong.c
nodist_libusim_models_la_SOURCES = models/builtin.c
CLEANFILES += models/builtin.c

models/builtin.c: $(srcdir)/models/local.mk
	$(AM_V_GEN)mkdir -p models && { \
	  echo '/* Generated from BUILTIN_MODELS in models/local.mk. */'; \
	  echo '#include <stddef.h>'; \
	  echo '#include "usim/model.h"'; \
	  for m in $(BUILTIN_MODELS); do echo "extern const usim_model model_$$m;"; done; \
	  echo 'const usim_model *const model_builtins[] = {'; \
	  for m in $(BUILTIN_MODELS); do echo "    &model_$$m,"; done; \
	  echo '};'; \
	  echo 'const size_t model_builtin_count = sizeof model_builtins / sizeof model_builtins[0];'; \
	} > $@-t && mv $@-t $@

# The out-of-tree example (a plugin and a program built with pkg-config
# only, see models/README.md) and the test that builds it against an
# installed usim (scripts/test runs it: it makes two installs).
EXTRA_DIST += models/examples/bank.c models/examples/bank_main.c \
	models/examples/bank.cfg models/examples/Makefile tests/install/install.sh
