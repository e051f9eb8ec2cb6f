/* rng.c: a seeded xoshiro256** generator for deterministic data, kernel randomness, and FNV-1a. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "base.h"

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t	 z;

	z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31));
}

/* Seed the generator; the same seed always gives the same sequence. */
void
rng_seed(struct rng *r, uint64_t seed)
{
	int	 i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return ((x << k) | (x >> (64 - k)));
}

/* The next 64 random bits. */
uint64_t
rng_next(struct rng *r)
{
	uint64_t	*s = r->s, result, t;

	result = rotl(s[1] * 5, 7) * 9;
	t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return (result);
}

/* A uniform integer in [0, n), without modulo bias. */
uint32_t
rng_below(struct rng *r, uint32_t n)
{
	uint64_t	 m;
	uint32_t	 l, t;

	if (n == 0)
		return (0);
	m = (uint64_t)(uint32_t)(rng_next(r) >> 32) * n;
	l = (uint32_t)m;
	if (l < n) {
		t = -n % n;
		while (l < t) {
			m = (uint64_t)(uint32_t)(rng_next(r) >> 32) * n;
			l = (uint32_t)m;
		}
	}
	return ((uint32_t)(m >> 32));
}

/* A uniform integer in [lo, hi]; any int bounds, without overflow. */
int
rng_range(struct rng *r, int lo, int hi)
{
	uint64_t	 span;
	uint32_t	 v;

	if (hi <= lo)
		return (lo);
	span = (uint64_t)((int64_t)hi - lo) + 1;
	if (span > UINT32_MAX)
		v = (uint32_t)(rng_next(r) >> 32);
	else
		v = rng_below(r, (uint32_t)span);
	return ((int)((int64_t)lo + v));
}

/* A uniform double in [0, 1). */
double
rng_double(struct rng *r)
{
	return ((double)(rng_next(r) >> 11) * 0x1.0p-53);
}

/* True with probability p. */
int
rng_chance(struct rng *r, double p)
{
	return (rng_double(r) < p);
}

/* Fill buf with n deterministic bytes. */
void
rng_bytes(struct rng *r, uint8_t *buf, size_t n)
{
	uint64_t	 v = 0;
	size_t		 i;

	for (i = 0; i < n; i++) {
		if (i % 8 == 0)
			v = rng_next(r);
		buf[i] = (uint8_t)(v >> (8 * (i % 8)));
	}
}

/* Fill buf with n bytes from the kernel's generator; aborts if it cannot. */
void
random_bytes(void *buf, size_t n)
{
	uint8_t	*p = buf;
	ssize_t	 got;

	while (n > 0) {
		got = getrandom(p, n > 256 ? 256 : n, 0);
		if (got == -1 && errno == EINTR)
			continue;
		if (got <= 0)
			fatal("getrandom");
		p += got;
		n -= (size_t)got;
	}
}

/* Continue an FNV-1a hash h (start with HASH_FNV1A_INIT) over len bytes. */
uint64_t
hash_fnv1a(uint64_t h, const void *p, size_t len)
{
	const unsigned char	*b = p;
	size_t			 i;

	for (i = 0; i < len; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return (h);
}
