/* simrand.c - splitmix64-based hashing and PRNG (see simrand.h). */
#include "simrand.h"

uint64_t rnd_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

uint64_t rnd_hash4(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
	uint64_t h = rnd_mix(a);
	h = rnd_mix(h ^ b);
	h = rnd_mix(h ^ c);
	return rnd_mix(h ^ d);
}

double rnd_unit(uint64_t h)
{
	return (double)(h >> 11) * (1.0 / 9007199254740992.0);
}

void rnd_seed(rnd_state *r, uint64_t seed)
{
	r->s = seed;
}

uint64_t rnd_next(rnd_state *r)
{
	r->s += 0x9e3779b97f4a7c15ULL;
	uint64_t z = r->s;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t rnd_below(rnd_state *r, uint64_t n)
{
	/* Rejection keeps it unbiased; n is small in practice. */
	uint64_t lim = UINT64_MAX - UINT64_MAX % n;
	uint64_t x;
	do
		x = rnd_next(r);
	while (x >= lim);
	return x % n;
}

double rnd_double(rnd_state *r)
{
	return rnd_unit(rnd_next(r));
}
