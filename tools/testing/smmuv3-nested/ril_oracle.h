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
 *
 * Two ways to the answer: ril_reachable(), a depth-first search over the
 * terms, only affordable for a few terms; ril_fewest(), exact for any
 * count, by dynamic programming over the scales (ril_exact()).
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

/*
 * The fewest terms adding up to exactly @sum pages, by scale: M_s pages'
 * worth of 2^s at SCALE s take ceil(M_s / 32) commands (NUM + 1 is 1..32;
 * at SCALE 0 at least 2, so M_0 = 1 is impossible), and the M_s must add
 * up, as sum of M_s << s, to @sum. Among the best choices is one with,
 * below SCALE 31, every M_s odd or 0 and below 64, as an exchange shows:
 *  - an even M_s = 2x moved up as x to SCALE s + 1 frees ceil(2x / 32)
 *    commands at s and takes at most ceil(x / 32) more at s + 1;
 *  - of M_s >= 64, 64 moved up as 32 frees 2 commands and takes at most
 *    1 (at SCALE 0, of M_0 = 65, 62 moved up as 31: 3 become at most 2).
 * Each move lowers the sum of the M_s, so they end. Hence, from SCALE 0
 * up, M_s is 0 if what is left at s is even, else odd and below 64; what
 * lower scales took beyond @sum's own low bits (the borrow, in units of
 * 2^s) then stays below 63, and SCALE 31 takes all that is left. The
 * table g[b] holds the fewest commands for SCALE s and up with borrow b,
 * filled from SCALE 31 down.
 */
#define RIL_BORROWS	63
#define RIL_NONE	(~0U)	/* no way */

static inline unsigned int ril_exact(uint64_t sum)
{
	unsigned int g[2][RIL_BORROWS], *up = g[0], *here = g[1], *tmp;
	unsigned int b, m, bit, best, c;
	uint64_t f = sum >> 31, r;
	int s;

	for (b = 0; b < RIL_BORROWS; b++)
		up[b] = f < b ? RIL_NONE : (f - b + 31) / 32;
	for (s = 30; s >= 0; s--) {
		f = sum >> s;
		bit = f & 1;
		for (b = 0; b < RIL_BORROWS; b++) {
			here[b] = RIL_NONE;
			if (f < b)
				continue;
			r = f - b;
			if (!(r & 1)) {		/* nothing at this scale */
				here[b] = up[(b - bit) / 2];
				continue;
			}
			for (m = s ? 1 : 3; m < 64 && m <= r; m += 2) {
				best = up[(b + m - bit) / 2];
				if (best == RIL_NONE)
					continue;
				c = best + (m > 32 ? 2 : 1);
				if (c < here[b])
					here[b] = c;
			}
		}
		tmp = up;
		up = here;
		here = tmp;
	}
	return up[0];
}

/* The fewest range commands for @n (> 1) pages, if at most @most; else 0 */
static inline unsigned int ril_fewest(uint64_t n, unsigned int most)
{
	unsigned int k = ril_exact(n), k1 = ril_exact(n + RIL_RANGE_K);

	if (k1 < k)
		k = k1;
	return k <= most ? k : 0;
}

#endif
