/*
 * Test helper: run one function on every online CPU at the same time (the
 * caller's CPU included) and wait for all of them.
 */
#pragma once

/* fn gets arg; every CPU starts only once all have been handed the call, so
 * the bodies really overlap. */
void on_all_cpus(void (*fn)(void *arg), void *arg);
/* Online CPUs, i.e. how many times on_all_cpus() calls fn. */
unsigned online_cpus(void);
