/*
 * test_hold_nesting — the hold-for-the-block forms nest: each block has a
 * hold variable of its own, so this file builds with -Wshadow -Werror
 * (tests/unit/local.mk), and an inner block releases before the outer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fixture.h"
#include "usim.h"

static usim_lock outer_lock, inner_lock;
static usim_resource pool;
static usim_flag busy;
static int seen[6];

static void *nests(void *arg)
{
    (void)arg;
    USIM_WITH_LOCK(&outer_lock)
    {
        USIM_WITH_LOCK(&inner_lock)
        {
            USIM_WITH_LOCK(&outer_lock) /* reentrant: depth 2 */
            {
                seen[0] = outer_lock.depth == 2 && inner_lock.owner == usim_self();
            }
            seen[1] = outer_lock.depth == 1;
        }
        seen[2] = inner_lock.owner == NULL && outer_lock.owner == usim_self();
        USIM_WITH_FLAG(&busy)
        {
            USIM_WITH_RESOURCE(&pool, 2)
            {
                USIM_WITH_RESOURCE(&pool, 1)
                {
                    seen[3] =
                        usim_resource_available(&pool) == 0 && usim_flag_get(&busy);
                }
                seen[4] = usim_resource_available(&pool) == 1;
            }
        }
    }
    seen[5] = outer_lock.owner == NULL && usim_resource_available(&pool) == 3 &&
              !usim_flag_get(&busy);
    return NULL;
}

/* Three nested lock blocks (one reentrant), a flag block around two
 * nested resource blocks: each inner block gives back what it took when
 * it ends, and everything is free after the outermost. */
static void test_hold_blocks_nest_and_release_inside_out(void **state)
{
    (void)state;
    usim_config cfg;
    usim_config_init(&cfg);
    for (int o = USIM_ORDER_FIFO; o <= USIM_ORDER_MUSIM; o++) {
        cfg.order = (usim_order)o;
        usim_sim *sim = fixture_sim(&cfg);
        usim_lock_init(&outer_lock, "outer");
        usim_lock_init(&inner_lock, "inner");
        assert_int_equal(usim_resource_init(&pool, 3, "pool"), 0);
        usim_flag_init(&busy, false, "busy");
        for (int i = 0; i < 6; i++)
            seen[i] = 0;
        usim_sim_spawn(sim, nests, NULL, "nester");
        assert_int_equal(usim_sim_run(sim, INFINITY), USIM_DONE);
        for (int i = 0; i < 6; i++)
            assert_true(seen[i]);
        fixture_destroy(sim);
        usim_lock_destroy(&outer_lock);
        usim_lock_destroy(&inner_lock);
        usim_resource_destroy(&pool);
        usim_flag_destroy(&busy);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_hold_blocks_nest_and_release_inside_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
