#!/usr/bin/python3
"""simpy_mm1.py — tests/bench/mm1's model in SimPy 3, the anchor of
vs_simpy.sh: an arrival process puts N customers into an unbounded Store
(exponential inter-arrival times, rate 0.9); one server takes them and
serves each for an exponential time (rate 1.0).

    simpy_mm1.py N [seed]

Prints one line: bench=simpy_mm1 customers=N mean_system_time=... wall_s=...
"""
import random
import sys
import time

import simpy

ARRIVAL_RATE = 0.9
SERVICE_RATE = 1.0


def arrivals(env, store, n, rng):
    for _ in range(n):
        yield env.timeout(rng.expovariate(ARRIVAL_RATE))
        yield store.put(env.now)


def server(env, store, n, rng, acc):
    for _ in range(n):
        arrival = yield store.get()
        yield env.timeout(rng.expovariate(SERVICE_RATE))
        acc[0] += env.now - arrival
        acc[1] += 1


def main():
    n = int(sys.argv[1])
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    t0 = time.perf_counter()
    env = simpy.Environment()
    store = simpy.Store(env)
    acc = [0.0, 0]
    env.process(arrivals(env, store, n, random.Random(2 * seed)))
    env.process(server(env, store, n, random.Random(2 * seed + 1), acc))
    env.run()
    wall = time.perf_counter() - t0
    print("bench=simpy_mm1 customers=%d mean_system_time=%.4f wall_s=%.4f"
          % (n, acc[0] / acc[1], wall))


if __name__ == "__main__":
    main()
