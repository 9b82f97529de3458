/* simrand.h - deterministic hashing and pseudo-random numbers for dcisim.
 *
 * Everything the simulator invents (servers, flags, statistics, random
 * faults) is a pure function of the seed through these helpers, so a run
 * with the same options builds the same world. Pure functions; the PRNG
 * struct is owned by its caller and not thread-safe. */
#ifndef SIM_RAND_H
#define SIM_RAND_H

#include <stdint.h>

/* splitmix64 finaliser: a good 64-bit mixer. */
uint64_t rnd_mix(uint64_t x);
/* Hash of up to four words, order-sensitive. */
uint64_t rnd_hash4(uint64_t a, uint64_t b, uint64_t c, uint64_t d);
/* Uniform double in [0, 1) from a hash value. */
double rnd_unit(uint64_t h);

typedef struct rnd_state {
	uint64_t s;
} rnd_state;

void rnd_seed(rnd_state *r, uint64_t seed);
uint64_t rnd_next(rnd_state *r);
/* Uniform in [0, n); n > 0. */
uint64_t rnd_below(rnd_state *r, uint64_t n);
double rnd_double(rnd_state *r);

#endif
