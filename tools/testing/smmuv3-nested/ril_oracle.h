/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An oracle for SMMUv3 range invalidation that shares no code with the
 * driver: the fewest range commands for a count of pages, by search.
 *
 * A range command covers (NUM + 1) << SCALE pages, NUM and SCALE 0..31,
 * laid end to end from the range's start; never NUM = SCALE = 0 (a lone
 * page with TTL 0). The policy allows one page more than asked
 * (RIL_RANGE_K), so the fewest commands for n pages is the fewest such
 * terms adding up to n or n + 1. Used by the host tests and the bench.
 */
#ifndef _RIL_ORACLE_H
#define _RIL_ORACLE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#define RIL_RANGE_K	1

static uint64_t ril_terms[32 * 32];	/* every command size, largest first */
static unsigned int ril_nterms;

static inline int ril_by_size_down(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

static inline void ril_terms_init(void)
{
	unsigned int num, scale, i, k;

	ril_nterms = 0;
	for (scale = 0; scale < 32; scale++)
		for (num = 0; num < 32; num++)
			if (num || scale)
				ril_terms[ril_nterms++] =
					((uint64_t)num + 1) << scale;
	qsort(ril_terms, ril_nterms, sizeof(ril_terms[0]), ril_by_size_down);
	for (i = k = 1; i < ril_nterms; i++)	/* 2 << 0 == 1 << 1, ... */
		if (ril_terms[i] != ril_terms[k - 1])
			ril_terms[k++] = ril_terms[i];
	ril_nterms = k;
}

/* Can @k commands, each at most @cap pages, cover between @lo and @hi? */
static inline bool ril_reachable(uint64_t lo, uint64_t hi, unsigned int k,
				 uint64_t cap)
{
	unsigned int i;

	if (!lo)
		return true;
	if (!k)
		return false;
	for (i = 0; i < ril_nterms; i++) {
		uint64_t t = ril_terms[i];

		if (t > cap || t > hi)
			continue;
		/* The largest of k terms is at least their mean */
		if (t * k < lo)
			break;
		if (ril_reachable(t >= lo ? 0 : lo - t, hi - t, k - 1, t))
			return true;
	}
	return false;
}

/* The fewest range commands for @n (> 1) pages, if at most @most; else 0 */
static inline unsigned int ril_fewest(uint64_t n, unsigned int most)
{
	unsigned int k;

	for (k = 1; k <= most; k++)
		if (ril_reachable(n, n + RIL_RANGE_K, k, ~0ULL))
			return k;
	return 0;
}

#endif
