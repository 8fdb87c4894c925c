/*
 * rng.c — reproducible random streams: Philox4x32-10 from Random123.
 *
 * Philox is counter-based: block = philox(counter, key).  usim puts the
 * run's identity in the key and the stream's position in the counter
 * (layout in usim.h), so a stream's numbers are a pure function of
 * (seed, run, stream, draw index): no state is shared between streams,
 * runs or threads, and adding draws to one stream cannot move another.
 */
#include <string.h>

#include <Random123/philox.h>

#include "observe/rng.h"
#include "kernel/sched.h"

void usim_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4])
{
    philox4x32_ctr_t c = {{ctr[0], ctr[1], ctr[2], ctr[3]}};
    philox4x32_key_t k = {{key[0], key[1]}};
    philox4x32_ctr_t o = philox4x32_R(10, c, k);
    memcpy(out, o.v, sizeof o.v);
}

void rng_refill(usim_rng *r)
{
    usim_philox4x32_10(r->ctr, r->key, r->buf);
    r->avail = 4;
    if (++r->ctr[0] == 0)
        ++r->ctr[1];
}

void usim_rng_init(usim_rng *r, uint64_t seed, uint64_t run, uint32_t stream)
{
    /* usim_config_check keeps run below 2^32; the key has 32 bits for it. */
    assert(run <= UINT32_MAX);
    r->key[0] = (uint32_t)seed;
    r->key[1] = (uint32_t)run;
    r->ctr[0] = 0;
    r->ctr[1] = 0;
    r->ctr[2] = stream;
    r->ctr[3] = (uint32_t)(seed >> 32);
    memset(r->buf, 0, sizeof r->buf);
    r->avail = 0;
}

uint32_t usim_stream_id(const char *name)
{
    uint32_t h = 2166136261u; /* FNV-1a 32-bit offset basis */
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        h ^= *p;
        h *= 16777619u; /* FNV prime */
    }
    return h;
}

void usim_sim_rng_stream(const usim_sim *sim, usim_rng *r, const char *name)
{
    const usim_config *cfg = usim_sim_config(sim);
    usim_rng_init(r, cfg->seed, cfg->run, usim_stream_id(name));
}

void usim_rng_stream(usim_rng *r, const char *name)
{
    usim_sim *sim = usim_current();
    if (sim == NULL) {
        /* Still a valid, reproducible stream, but most likely a mistake. */
        usim_error(USIM_ESTATE,
                   "usim_rng_stream('%s'): no running simulation; "
                   "seed 0 and run 0 are used",
                   name);
        usim_rng_init(r, 0, 0, usim_stream_id(name));
        return;
    }
    usim_sim_rng_stream(sim, r, name);
}

uint32_t usim_rng_u32(usim_rng *r)
{
    return rng_next32(r);
}

uint64_t usim_rng_u64(usim_rng *r)
{
    return rng_next64(r);
}

double usim_rng_u01(usim_rng *r)
{
    return rng_u01(r);
}
