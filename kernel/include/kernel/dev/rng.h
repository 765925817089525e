/*
 * Entropy from a hardware source (virtio-rng today). lwIP's random numbers
 * and TCP initial sequence numbers are seeded from it.
 */
#pragma once

#include <stddef.h>

/* Thread context, may block briefly: fill buf with len bytes from the
 * entropy device. 0, -ENODEV when there is none, -EIO if it misbehaved. */
int rng_read(void *buf, size_t len);
