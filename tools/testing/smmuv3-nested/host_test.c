// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the driver-independent nesting code, built from the very
 * files the kernel compiles (arm-smmu-v3-inv.c, arm-smmu-v3-uapi.c):
 *  - every cache x granularity x flag combination of a generic
 *    invalidation entry is accepted or refused as the documented rules
 *    (written out again here) say, and accepted ones give sound commands;
 *  - ranges, re-expanded by an independent decoder, cover every page,
 *    over-invalidate by at most one page, and use the fewest commands,
 *    as an oracle sharing no code with the driver finds (by a table up to
 *    4096 pages, by dynamic programming above, the two checked against
 *    each other and against a plain search);
 *  - the command each simple request becomes, every bit of it against
 *    the architecture's field layout, reserved bits included;
 *  - each refusal has its errno and writes no command;
 *  - the stage-1 context checks;
 *  - which SMMU events go to a VMM and what its record says, for every
 *    event ID over random records, against the event record layout.
 * Prints TAP; the last line is "N passed, N failed".
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "arm-smmu-v3-event.h"
#include "arm-smmu-v3-uapi.h"
#include "cmd_check.h"
#include "ril_oracle.h"
#include "tap.h"

#define SZ_4K	0x1000ULL
#define SZ_16K	0x4000ULL
#define SZ_64K	0x10000ULL

static const u32 sids[] = { 8, 16, 24 };
static const u32 ats_sids[] = { 16 };
static const bool ats_pasid[] = { true };

static struct smmuv3_inv_target target(bool ril)
{
	struct smmuv3_inv_target t = {
		.vmid = 0x1234,
		.ril = ril,
		.asid_bits = 16,
		.ssid_bits = 4,
		.granules = SZ_4K | SZ_16K | SZ_64K,
		.sids = sids,
		.nsids = 3,
		.ats_sids = ats_sids,
		.ats_pasid = ats_pasid,
		.nats = 1,
	};
	return t;
}

static struct smmuv3_cmd cmd_buf[1024], atc_buf[16];

static int translate(const struct iommu_hwpt_invalidate_generic *inv,
		     const struct smmuv3_inv_target *t,
		     struct smmuv3_inv_cmds *out)
{
	out->cmds = cmd_buf;
	out->atc = atc_buf;
	return smmuv3_inv_translate(inv, t, out);
}

/*
 * The guide's table of valid entries, row by row (not the translator's
 * switch): for each granularity, the caches it takes, the flags it needs
 * and the flags it may have. Anything else is -EINVAL.
 */
static const struct valid_row {
	u32 granu, caches, needs, allows;
} valid_rows[] = {
	{ IOMMU_INV_GRANU_DOMAIN,
	  IOMMU_INV_CACHE_IOTLB | IOMMU_INV_CACHE_DEV_IOTLB |
	  IOMMU_INV_CACHE_CONTEXT,
	  0, IOMMU_INV_FLAG_LEAF },
	{ IOMMU_INV_GRANU_ADDR_SPACE,
	  IOMMU_INV_CACHE_IOTLB | IOMMU_INV_CACHE_DEV_IOTLB,
	  IOMMU_INV_FLAG_ARCHID, IOMMU_INV_FLAG_ARCHID | IOMMU_INV_FLAG_LEAF },
	{ IOMMU_INV_GRANU_PASID,
	  IOMMU_INV_CACHE_IOTLB | IOMMU_INV_CACHE_DEV_IOTLB |
	  IOMMU_INV_CACHE_CONTEXT,
	  IOMMU_INV_FLAG_PASID,
	  IOMMU_INV_FLAG_PASID | IOMMU_INV_FLAG_ARCHID | IOMMU_INV_FLAG_LEAF },
	{ IOMMU_INV_GRANU_ADDR,
	  IOMMU_INV_CACHE_IOTLB | IOMMU_INV_CACHE_DEV_IOTLB,
	  0, IOMMU_INV_FLAG_ARCHID | IOMMU_INV_FLAG_PASID | IOMMU_INV_FLAG_LEAF },
};

static int expected_errno(u32 cache, u32 granu, u32 flags)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(valid_rows); i++) {
		const struct valid_row *r = &valid_rows[i];

		if (r->granu == granu && cache && !(cache & ~r->caches) &&
		    (flags & r->needs) == r->needs && !(flags & ~r->allows))
			return 0;
	}
	return -EINVAL;
}

static struct iommu_hwpt_invalidate_generic entry(u32 cache, u32 granu,
						  u32 flags)
{
	struct iommu_hwpt_invalidate_generic inv = {
		.cache = cache,
		.granularity = granu,
		.flags = flags,
	};

	if (flags & IOMMU_INV_FLAG_ARCHID)
		inv.archid = 5;
	if (flags & IOMMU_INV_FLAG_PASID)
		inv.pasid = 3;
	if (granu == IOMMU_INV_GRANU_ADDR) {
		inv.addr = 0x10000000;
		inv.granule_size = SZ_4K;
		inv.nb_granules = 3;
	}
	return inv;
}

static unsigned int count_op(const struct smmuv3_inv_cmds *out,
			     unsigned int op)
{
	unsigned int i, n = 0;

	for (i = 0; i < out->ncmds; i++)
		n += decode(&out->cmds[i]).op == op;
	return n;
}

static void test_every_combination(void)
{
	unsigned int combo;

	/* ril (1 bit) x cache (3 bits) x granularity (2 bits) x flags (3) */
	for (combo = 0; combo < 1u << 9; combo++) {
		u32 cache = (combo >> 1) & 7, granu = (combo >> 4) & 3;
		u32 flags = combo >> 6;
		int ril = combo & 1;
		struct smmuv3_inv_target t = target(ril);
		struct iommu_hwpt_invalidate_generic inv =
			entry(cache, granu, flags);
		struct smmuv3_inv_cmds out;
		int want = expected_errno(cache, granu, flags);
		int got = translate(&inv, &t, &out);
		bool ok = got == want;

		if (ok && got)
			ok = !out.ncmds && !out.natc;
		if (ok && !got)
			ok = commands_sound(&inv, &t, &out);
		/* What each cache asks for is there */
		if (ok && !got && (cache & IOMMU_INV_CACHE_IOTLB))
			ok = count_op(&out, SMMUV3_OP_TLBI_NH_ALL) +
			     count_op(&out, SMMUV3_OP_TLBI_NH_ASID) +
			     count_op(&out, SMMUV3_OP_TLBI_NH_VA) +
			     count_op(&out, SMMUV3_OP_TLBI_NH_VAA) > 0;
		if (ok && !got && (cache & IOMMU_INV_CACHE_CONTEXT))
			ok = count_op(&out, granu == IOMMU_INV_GRANU_PASID ?
					    SMMUV3_OP_CFGI_CD :
					    SMMUV3_OP_CFGI_CD_ALL) == t.nsids;
		result(ok, "combination ril=%d cache=%u granularity=%u flags=%u: errno %d, want %d",
		       ril, cache, granu, flags, got, want);
	}
}

/*
 * Every bit of a command against the architecture's layout (IHI 0070,
 * chapter 4): the fields listed hold their values and every other bit,
 * reserved ones included, is 0.
 */
struct field {
	unsigned int word, hi, lo;
	u64 val;
};

#define OP(v)		{ 0, 7, 0, v }
#define VMID(v)		{ 0, 47, 32, v }
#define ASID(v)		{ 0, 63, 48, v }
#define SID(v)		{ 0, 63, 32, v }
#define SSID(v)		{ 0, 31, 12, v }
#define SSV(v)		{ 0, 11, 11, v }
#define NUM(v)		{ 0, 16, 12, v }
#define SCALE(v)	{ 0, 24, 20, v }
#define LEAF(v)		{ 1, 0, 0, v }
#define TTL(v)		{ 1, 9, 8, v }
#define TG(v)		{ 1, 11, 10, v }
#define ADDR(v)		{ 1, 63, 12, (v) >> 12 }
#define ATC_SIZE(v)	{ 1, 5, 0, v }

static bool exactly(const struct smmuv3_cmd *c, const struct field *f,
		    unsigned int n)
{
	u64 rest[2] = { c->w[0], c->w[1] };
	unsigned int i;

	for (i = 0; i < n; i++) {
		u64 mask = ((2ULL << (f[i].hi - f[i].lo)) - 1) << f[i].lo;

		if ((c->w[f[i].word] & mask) >> f[i].lo != f[i].val)
			return false;
		rest[f[i].word] &= ~mask;
	}
	return !rest[0] && !rest[1];
}

#define EXACTLY(c, ...)	({						\
	const struct field __f[] = { __VA_ARGS__ };			\
	exactly(c, __f, ARRAY_SIZE(__f));				\
})

/* Which command each simple request becomes, every bit of it */
static void test_command_choice(void)
{
	struct smmuv3_inv_target t = target(true);
	struct smmuv3_inv_cmds out;
	struct iommu_hwpt_invalidate_generic inv;

	inv = entry(IOMMU_INV_CACHE_IOTLB, IOMMU_INV_GRANU_DOMAIN, 0);
	translate(&inv, &t, &out);
	result(out.ncmds == 1 && EXACTLY(&out.cmds[0], OP(0x10), VMID(0x1234)),
	       "domain IOTLB is one TLBI_NH_ALL of the VMID");

	inv = entry(IOMMU_INV_CACHE_IOTLB, IOMMU_INV_GRANU_ADDR_SPACE,
		    IOMMU_INV_FLAG_ARCHID);
	translate(&inv, &t, &out);
	result(out.ncmds == 1 &&
	       EXACTLY(&out.cmds[0], OP(0x11), VMID(0x1234), ASID(5)),
	       "address space IOTLB is one TLBI_NH_ASID with the VMID");

	inv = entry(IOMMU_INV_CACHE_IOTLB, IOMMU_INV_GRANU_ADDR,
		    IOMMU_INV_FLAG_ARCHID | IOMMU_INV_FLAG_LEAF);
	inv.nb_granules = 1;
	translate(&inv, &t, &out);
	result(out.ncmds == 1 &&
	       EXACTLY(&out.cmds[0], OP(0x12), VMID(0x1234), ASID(5),
		       LEAF(1), TTL(0), TG(0), NUM(0), SCALE(0),
		       ADDR(0x10000000)),
	       "one page with an ASID is one leaf TLBI_NH_VA, no range");

	inv.flags = 0;
	inv.archid = 0;
	translate(&inv, &t, &out);
	result(out.ncmds == 1 &&
	       EXACTLY(&out.cmds[0], OP(0x13), VMID(0x1234), LEAF(0),
		       ADDR(0x10000000)),
	       "one page of any ASID is one TLBI_NH_VAA");

	/* 3 pages of 16K: one range command of NUM 2, SCALE 0, TG 16K */
	inv = entry(IOMMU_INV_CACHE_IOTLB, IOMMU_INV_GRANU_ADDR,
		    IOMMU_INV_FLAG_ARCHID);
	inv.granule_size = SZ_16K;
	translate(&inv, &t, &out);
	result(out.ncmds == 1 &&
	       EXACTLY(&out.cmds[0], OP(0x12), VMID(0x1234), ASID(5),
		       NUM(2), SCALE(0), TG(2), ADDR(0x10000000)),
	       "a 3-page range is one range command: NUM 2, SCALE 0, TG 16K");

	/* 63 pages of 64K: one command of 64 pages (K = 1): NUM 0, SCALE 6 */
	inv.granule_size = SZ_64K;
	inv.nb_granules = 63;
	translate(&inv, &t, &out);
	result(out.ncmds == 1 &&
	       EXACTLY(&out.cmds[0], OP(0x12), VMID(0x1234), ASID(5),
		       NUM(0), SCALE(6), TG(3), ADDR(0x10000000)),
	       "63 pages are one 64-page command: NUM 0, SCALE 6, TG 64K");

	inv = entry(IOMMU_INV_CACHE_CONTEXT, IOMMU_INV_GRANU_PASID,
		    IOMMU_INV_FLAG_PASID | IOMMU_INV_FLAG_LEAF);
	translate(&inv, &t, &out);
	result(out.ncmds == 3 &&
	       EXACTLY(&out.cmds[0], OP(0x05), SID(8), SSID(3), LEAF(1)) &&
	       EXACTLY(&out.cmds[1], OP(0x05), SID(16), SSID(3), LEAF(1)) &&
	       EXACTLY(&out.cmds[2], OP(0x05), SID(24), SSID(3), LEAF(1)),
	       "one PASID's CD is a leaf CFGI_CD per StreamID");

	inv = entry(IOMMU_INV_CACHE_CONTEXT, IOMMU_INV_GRANU_DOMAIN, 0);
	translate(&inv, &t, &out);
	result(out.ncmds == 3 && EXACTLY(&out.cmds[1], OP(0x06), SID(16)),
	       "the domain's CDs are CFGI_CD_ALL per StreamID");

	inv = entry(IOMMU_INV_CACHE_DEV_IOTLB, IOMMU_INV_GRANU_ADDR,
		    IOMMU_INV_FLAG_PASID);
	inv.addr = 0x3000;
	inv.nb_granules = 2;	/* 0x3000..0x4fff: the 32K span at 0 */
	translate(&inv, &t, &out);
	result(!out.ncmds && out.natc == 1 &&
	       EXACTLY(&out.atc[0], OP(0x40), SID(16), SSV(1), SSID(3),
		       ADDR(0), ATC_SIZE(3)),
	       "device IOTLB range is one ATC_INV per ATS StreamID, after the rest");

	/* A device without PASIDs has an untagged ATC */
	t.ats_pasid = NULL;
	translate(&inv, &t, &out);
	result(out.natc == 1 &&
	       EXACTLY(&out.atc[0], OP(0x40), SID(16), ADDR(0), ATC_SIZE(3)),
	       "no PASID prefix for a device without PASIDs");
	t.ats_pasid = ats_pasid;

	inv = entry(IOMMU_INV_CACHE_DEV_IOTLB, IOMMU_INV_GRANU_DOMAIN, 0);
	translate(&inv, &t, &out);
	result(out.natc == 1 &&
	       EXACTLY(&out.atc[0], OP(0x40), SID(16), ATC_SIZE(52)),
	       "device IOTLB of the domain is a whole-ATC ATC_INV");

	t.nats = 0;
	translate(&inv, &t, &out);
	result(!out.ncmds && !out.natc, "device IOTLB without ATS is nothing");
}

/*
 * The range oracle (ril_oracle.h), and for 1..ORACLE_MAX - 1 pages a
 * table of the fewest terms for every sum, by dynamic programming over
 * the sums.
 */
#define ORACLE_MAX	4097
#define ORACLE_DEPTH	3

static_assert(RIL_RANGE_K == RANGE_EXTRA_PAGES,
	      "the oracle and the checker allow the same extra pages");

static unsigned char fewest[ORACLE_MAX + 1];

static void oracle_init(void)
{
	unsigned int i;
	u64 sum;

	ril_terms_init();
	for (sum = 1; sum <= ORACLE_MAX; sum++) {
		fewest[sum] = 255;
		for (i = 0; i < ril_nterms; i++)
			if (ril_terms[i] <= sum &&
			    fewest[sum - ril_terms[i]] + 1 < fewest[sum])
				fewest[sum] = fewest[sum - ril_terms[i]] + 1;
	}
}

/* Fewest commands for 2..ORACLE_MAX - 1 pages */
static unsigned int oracle_small(u64 n)
{
	return fewest[n] < fewest[n + 1] ? fewest[n] : fewest[n + 1];
}

/* Fewest commands for @n (> 1) pages, exact for any count */
static unsigned int oracle(u64 n)
{
	return n < ORACLE_MAX ? oracle_small(n) : ril_fewest(n, ~0U);
}

static unsigned int exact_checks;

/* Are @ncmds commands for @n pages the fewest? */
static bool fewest_commands(u64 n, unsigned int ncmds)
{
	exact_checks++;
	return n == 1 ? ncmds == 1 : ncmds == oracle(n);
}

/* A count of up to four 5-bit windows anywhere below 2^36 */
static u64 sparse_count(void)
{
	unsigned int windows = 1 + rand() % 4, i;
	u64 n = 0;

	for (i = 0; i < windows; i++)
		n |= (u64)(1 + rand() % 31) << (rand() % 31);
	return n;
}

/*
 * The oracle's two halves agree where both reach: the scale by scale
 * dynamic programming (ril_fewest()) against the table for every count
 * up to 4096, and beyond against the search (ril_reachable()) for up to
 * ORACLE_DEPTH commands, on counts like those test_ranges() tries.
 */
static void test_oracle(void)
{
	unsigned int bad = 0, i, k, fewest_k, deep = 0;
	u64 n, counts[160];

	oracle_init();
	for (n = 2; n < ORACLE_MAX; n++)
		bad += ril_fewest(n, ~0U) != oracle_small(n);
	srand(2);
	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		n = i < 40 ? (1ULL << (2 * (i / 3) + 12)) + i % 3 - 1 :
		    i < 100 ? ((u64)rand() << 20 | rand()) % (1ULL << 36) :
		    sparse_count();
		counts[i] = n < ORACLE_MAX ? n + ORACLE_MAX : n;
	}
	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		fewest_k = ril_fewest(counts[i], ~0U);
		deep += fewest_k > ORACLE_DEPTH;
		for (k = 1; k <= ORACLE_DEPTH; k++)
			bad += ril_reachable(counts[i],
					     counts[i] + RIL_RANGE_K, k,
					     ~0ULL) != (fewest_k <= k);
	}
	result(!bad,
	       "range oracle: dynamic programming agrees with the table for 2..%u pages and with the search on %zu larger counts (%u of them beyond %u commands): %u disagree",
	       ORACLE_MAX - 1, ARRAY_SIZE(counts), deep, ORACLE_DEPTH, bad);
}

/* The fewest TLBIs for @n pages, a wide one when range commands can't */
static unsigned int fewest_tlbis(bool ril, u64 n)
{
	unsigned int k;

	if (!ril)
		return n <= SMMUV3_INV_MAX_TLBI_OPS ? n : 1;
	k = n == 1 ? 1 : oracle(n);
	return k <= SMMUV3_INV_MAX_RANGE_OPS ? k : 1;
}

static u64 covered_bytes(const struct smmuv3_inv_cmds *out)
{
	u64 sum = 0;
	unsigned int i;

	for (i = 0; i < out->ncmds; i++) {
		struct decoded d = decode(&out->cmds[i]);

		if (d.tg)
			sum += ((u64)d.num + 1) << d.scale << (12 + 2 * (d.tg - 1));
	}
	return sum;
}

static void check_range(bool ril, u64 gran, u64 addr, u64 n, bool archid)
{
	struct smmuv3_inv_target t = target(ril);
	struct iommu_hwpt_invalidate_generic inv = {
		.cache = IOMMU_INV_CACHE_IOTLB,
		.granularity = IOMMU_INV_GRANU_ADDR,
		.flags = archid ? IOMMU_INV_FLAG_ARCHID : 0,
		.archid = archid ? 7 : 0,
		.addr = addr,
		.granule_size = gran,
		.nb_granules = n,
	};
	struct smmuv3_inv_cmds out;
	bool ok = !translate(&inv, &t, &out) && commands_sound(&inv, &t, &out);
	bool wide = out.ncmds == 1 && decode(&out.cmds[0]).op <=
				      SMMUV3_OP_TLBI_NH_ASID;
	unsigned int i;

	if (ok && ril && !wide) {
		ok = fewest_commands(n, out.ncmds) &&
		     (n == 1 || covered_bytes(&out) <= (n + RIL_RANGE_K) * gran);
		for (i = 0; i < out.ncmds && ok; i++) {
			struct decoded d = decode(&out.cmds[i]);

			/* No lone page at SCALE 0 in a range command */
			ok = !d.tg || d.num || d.scale;
		}
	} else if (ok && ril) {
		/* Wide only when no 14 range commands will do */
		exact_checks++;
		ok = oracle(n) > SMMUV3_INV_MAX_RANGE_OPS;
	} else if (ok) {
		ok = n <= SMMUV3_INV_MAX_TLBI_OPS ? out.ncmds == n : wide;
	}
	if (!ok)
		result(false,
		       "range ril=%d granule=%#llx addr=%#llx pages=%llu archid=%d: %u commands, fewest %u",
		       ril, (unsigned long long)gran, (unsigned long long)addr,
		       (unsigned long long)n, archid, out.ncmds,
		       fewest_tlbis(ril, n));
}

static void test_ranges(void)
{
	static const u64 grans[] = { SZ_4K, SZ_16K, SZ_64K };
	unsigned int before = failures, combo, cases = 0;
	u64 n;

	srand(1);
	/* ril x archid x granule */
	for (combo = 0; combo < 12; combo++) {
		int ril = combo & 1, archid = (combo >> 1) & 1;
		unsigned int g = combo >> 2;
		u64 base = (u64)(rand() % 4096) * grans[g];

		for (n = 1; n <= (ril ? ORACLE_MAX - 1 : 300); n++, cases++)
			check_range(ril, grans[g], base, n, archid);
		for (n = 2; n && n <= (1ULL << 40); n <<= 1, cases += 3) {
			check_range(ril, grans[g], base, n - 1, archid);
			check_range(ril, grans[g], base, n, archid);
			check_range(ril, grans[g], base, n + 1, archid);
		}
		for (n = 0; n < 200; n++, cases += 2) {
			check_range(ril, grans[g], base,
				    ((u64)rand() << 20 | rand()) % (1ULL << 36) + 1,
				    archid);
			check_range(ril, grans[g], base, sparse_count(), archid);
		}
	}
	result(failures == before,
	       "%u ranges re-expanded: every page covered, at most one extra; all %u RIL command counts held to the oracle's exact minimum",
	       cases, exact_checks);
}

static void test_refusals(void)
{
	static const struct {
		const char *what;
		int err;
		struct iommu_hwpt_invalidate_generic inv;
	} cases[] = {
		{ "reserved set", -EOPNOTSUPP,
		  { .cache = 1, .__reserved = 1 } },
		{ "unknown cache bit", -EOPNOTSUPP, { .cache = 8 } },
		{ "unknown flag", -EOPNOTSUPP, { .cache = 1, .flags = 8 } },
		{ "no cache", -EINVAL, { .cache = 0 } },
		{ "unknown granularity", -EINVAL,
		  { .cache = 1, .granularity = 4 } },
		{ "archid without its flag", -EINVAL, { .cache = 1, .archid = 1 } },
		{ "pasid without its flag", -EINVAL, { .cache = 1, .pasid = 1 } },
		{ "ASID beyond 16 bits", -EINVAL,
		  { .cache = 1, .granularity = 1, .flags = 1, .archid = 1 << 16 } },
		{ "PASID beyond SSIDSIZE", -EINVAL,
		  { .cache = 4, .granularity = 2, .flags = 2, .pasid = 16 } },
		{ "address outside ADDR", -EINVAL, { .cache = 1, .addr = 0x1000 } },
		{ "granule not supported", -EINVAL,
		  { .cache = 1, .granularity = 3, .granule_size = 0x2000,
		    .nb_granules = 1 } },
		{ "granule 2MB is no translation granule", -EINVAL,
		  { .cache = 1, .granularity = 3, .granule_size = 0x200000,
		    .nb_granules = 1 } },
		{ "no pages", -EINVAL,
		  { .cache = 1, .granularity = 3, .granule_size = 0x1000 } },
		{ "misaligned address", -EINVAL,
		  { .cache = 1, .granularity = 3, .addr = 0x1800,
		    .granule_size = 0x1000, .nb_granules = 1 } },
		{ "range past 2^64", -EINVAL,
		  { .cache = 1, .granularity = 3, .addr = 0xfffffffffffff000ULL,
		    .granule_size = 0x1000, .nb_granules = 2 } },
		{ "CD cache by address", -EINVAL,
		  { .cache = 4, .granularity = 3, .granule_size = 0x1000,
		    .nb_granules = 1 } },
	};
	struct smmuv3_inv_target t = target(true);
	struct iommu_hwpt_invalidate_generic last_page = {
		.cache = 1, .granularity = 3, .addr = 0xfffffffffffff000ULL,
		.granule_size = 0x1000, .nb_granules = 1,
	};
	struct smmuv3_inv_cmds out;
	unsigned int i;
	int got;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		got = translate(&cases[i].inv, &t, &out);
		result(got == cases[i].err && !out.ncmds && !out.natc,
		       "refused, %s: errno %d, no command", cases[i].what, got);
	}
	got = translate(&last_page, &t, &out);
	result(!got && commands_sound(&last_page, &t, &out),
	       "the last page below 2^64 is accepted");
}

static void test_s1ctx(void)
{
	struct smmuv3_nest_caps caps = { .ias = 44, .ssid_bits = 0 };
	static const struct {
		const char *what;
		int err;
		struct iommu_hwpt_arm_smmuv3_s1ctx ctx;
	} cases[] = {
		{ "translate", 0, { .mode = 2, .s1ctxptr = 0x40000000 } },
		{ "abort", 0, { .mode = 0 } },
		{ "bypass", 0, { .mode = 1 } },
		{ "flags", -EOPNOTSUPP, { .flags = 1, .mode = 2 } },
		{ "reserved", -EOPNOTSUPP, { .__reserved = 1, .mode = 2 } },
		{ "mode 3", -EINVAL, { .mode = 3 } },
		{ "misaligned", -EINVAL, { .mode = 2, .s1ctxptr = 0x1010 } },
		{ "beyond IAS", -EINVAL, { .mode = 2, .s1ctxptr = 1ULL << 44 } },
		{ "last IPA", 0, { .mode = 2, .s1ctxptr = (1ULL << 44) - 64 } },
		{ "CDMax > SSIDSIZE", -EINVAL, { .mode = 2, .s1cdmax = 1 } },
		{ "two-level without CD2L", -EINVAL, { .mode = 2, .s1fmt = 1 } },
		{ "S1DSS 3", -EINVAL, { .mode = 2, .s1dss = 3 } },
		{ "S1CSH 1", -EINVAL, { .mode = 2, .s1csh = 1 } },
		{ "S1CIR 4", -EINVAL, { .mode = 2, .s1cir = 4 } },
		{ "S1STALLD without stalls", -EINVAL, { .mode = 2, .s1stalld = 1 } },
		{ "EATS without ATS", -EINVAL, { .mode = 2, .eats = 1 } },
		{ "bypass with a CD", -EINVAL, { .mode = 1, .s1ctxptr = 0x1000 } },
	};
	unsigned int i;
	int got;

	static const struct {
		const char *what;
		int err;
		struct iommu_hwpt_arm_smmuv3_s1ctx ctx;
	} rich_cases[] = {	/* an SMMU and device with all the features */
		{ "EATS with ATS", 0, { .mode = 2, .eats = 1 } },
		{ "EATS in bypass", 0, { .mode = 1, .eats = 1 } },
		{ "EATS in abort", -EINVAL, { .mode = 0, .eats = 1 } },
		{ "two-level, 64K leaves", 0,
		  { .mode = 2, .s1fmt = 2, .s1cdmax = 8 } },
		{ "two-level with one CD", -EINVAL, { .mode = 2, .s1fmt = 1 } },
		{ "CDMax = SSIDSIZE", 0, { .mode = 2, .s1cdmax = 20 } },
		{ "CDMax > SSIDSIZE", -EINVAL, { .mode = 2, .s1cdmax = 21 } },
		{ "S1STALLD with stalls", 0, { .mode = 2, .s1stalld = 1 } },
	};
	struct smmuv3_nest_caps rich = {
		.ias = 48, .ssid_bits = 20, .cd2l = true, .ats = true,
		.stall_ok = true,
	};

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		got = smmuv3_s1ctx_check(&cases[i].ctx, &caps);
		result(got == cases[i].err, "s1ctx %s: errno %d", cases[i].what,
		       got);
	}
	for (i = 0; i < ARRAY_SIZE(rich_cases); i++) {
		got = smmuv3_s1ctx_check(&rich_cases[i].ctx, &rich);
		result(got == rich_cases[i].err, "s1ctx, all features, %s: errno %d",
		       rich_cases[i].what, got);
	}
}

/* The event record layout, from the reference table: masks in their word */
#define EV_SSV		arch_word_mask(0, ARCH_EVT_SSV)
#define EV_SID		arch_word_mask(0, ARCH_EVT_SID)
#define EV_STAG		arch_word_mask(1, ARCH_EVT_STAG)
#define EV_STALL	arch_word_mask(1, ARCH_EVT_STALL)
#define EV_PNU		arch_word_mask(1, ARCH_EVT_PNU)
#define EV_IND		arch_word_mask(1, ARCH_EVT_IND)
#define EV_RNW		arch_word_mask(1, ARCH_EVT_RNW)
#define EV_S2		arch_word_mask(1, ARCH_EVT_S2)

/* The events a guest can cause, and the ones of them about an access */
static bool guest_event(unsigned int id)
{
	return id == 0x08 || id == 0x09 || id == 0x0a || id == 0x0b ||
	       (id >= 0x10 && id <= 0x13);
}

static bool access_event(unsigned int id)
{
	return id == 0x0b || (id >= 0x10 && id <= 0x13);
}

static u64 rnd64(u64 *state)
{
	u64 x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x;
}

/* A record of event @id with every other bit random */
static void random_record(u64 *evt, unsigned int id, u64 *state)
{
	evt[0] = (rnd64(state) & ~0xffULL) | id;
	evt[1] = rnd64(state);
	evt[2] = rnd64(state);
	evt[3] = rnd64(state);
}

/* What the VMM must get from @evt, by the layout above; false: nothing */
static bool expected_event(const u64 *evt, struct iommu_device_event *e)
{
	unsigned int id = evt[0] & 0xff;
	bool s2 = evt[1] & EV_S2;

	if (!guest_event(id) || (evt[1] & EV_STALL))
		return false;
	memset(e, 0, sizeof(*e));
	e->type = id;
	e->raw[0] = evt[0] & ~EV_SID;
	if (evt[0] & EV_SSV) {
		e->flags |= IOMMU_DEVICE_EVENT_SSID_VALID;
		e->ssid = arch_field(evt, ARCH_EVT_SSID);
	}
	/* Configuration errors and F_CD_FETCH: word 0 only */
	if (!access_event(id))
		return true;
	e->raw[1] = evt[1] & ~EV_STAG;
	e->raw[2] = evt[2];
	e->addr = evt[2];
	e->flags |= (evt[1] & EV_RNW) ? IOMMU_DEVICE_EVENT_READ :
					IOMMU_DEVICE_EVENT_WRITE;
	e->flags |= (evt[1] & EV_IND) ? IOMMU_DEVICE_EVENT_EXEC : 0;
	e->flags |= (evt[1] & EV_PNU) ? IOMMU_DEVICE_EVENT_PRIV : 0;
	/* Word 3 only as a stage-2 fault's IPA (0x0b: a physical address) */
	if (s2 && id != 0x0b) {
		e->flags |= IOMMU_DEVICE_EVENT_STAGE2 |
			    IOMMU_DEVICE_EVENT_IPA_VALID;
		e->ipa = evt[3] & arch_word_mask(3, ARCH_EVT_IPA);
		e->raw[3] = evt[3];
	}
	return true;
}

/*
 * Every event ID, 400 random records each (stall bit and SSV set half
 * the time): the decision and the whole record must be the expected one.
 */
static void test_events(void)
{
	struct iommu_device_event got, want;
	unsigned int id, i, bad_ids = 0, sent = 0, leaks = 0;
	u64 state = 0x9e3779b97f4a7c15ULL, evt[4];
	bool go, want_go;

	for (id = 0; id < 256; id++) {
		for (i = 0; i < 400; i++) {
			random_record(evt, id, &state);
			memset(&got, 0xa5, sizeof(got));
			go = smmuv3_event_for_guest(evt, &got);
			want_go = expected_event(evt, &want);
			if (go != want_go || (go && memcmp(&got, &want,
							   sizeof(got)))) {
				bad_ids++;
				break;
			}
			sent += go;
			leaks += go && (got.raw[0] & EV_SID);
		}
	}
	result(!bad_ids,
	       "events: 256 IDs x 400 records decided and decoded as the layout says (%u IDs wrong)",
	       bad_ids);
	result(sent > 0 && !leaks, "events: %u sent to a VMM, none with a StreamID",
	       sent);

	/* External aborts on the SMMU's fetches are the host's to log too */
	bad_ids = 0;
	for (id = 0; id < 256; id++) {
		for (i = 0; i < 2; i++) {
			evt[0] = id;
			evt[1] = i ? EV_S2 : 0;
			go = smmuv3_event_host_logs(evt);
			bad_ids += go != (id == 0x09 || id == 0x0b);
		}
	}
	result(!bad_ids,
	       "events: the host logs F_CD_FETCH and F_WALK_EABT only (%u wrong)",
	       bad_ids);
}

/* Every field of @got where the reference table puts it in @evt */
static bool stall_as_recorded(const struct smmuv3_stall *got, const u64 *evt)
{
	bool ssv = evt[0] & EV_SSV;

	return got->sid == arch_field(evt, ARCH_EVT_SID) &&
	       got->stag == arch_field(evt, ARCH_EVT_STAG) &&
	       got->ssv == ssv &&
	       got->ssid == (ssv ? arch_field(evt, ARCH_EVT_SSID) : 0) &&
	       got->stage2 == !!(evt[1] & EV_S2) &&
	       got->read == !!(evt[1] & EV_RNW) &&
	       got->exec == !!(evt[1] & EV_IND) &&
	       got->priv == !!(evt[1] & EV_PNU) &&
	       got->addr == arch_field(evt, ARCH_EVT_INPUTADDR);
}

/*
 * Every event ID, 400 random records each: a stall only for the four
 * translation faults on an access with the Stall bit, and then every
 * field where the reference table puts it.
 */
static void test_stalls(void)
{
	unsigned int id, i, bad_ids = 0, stalls = 0;
	u64 state = 0x243f6a8885a308d3ULL, evt[4];
	struct smmuv3_stall got;
	bool is, want;

	for (id = 0; id < 256; id++) {
		for (i = 0; i < 400; i++) {
			random_record(evt, id, &state);
			memset(&got, 0xa5, sizeof(got));
			is = smmuv3_event_stall(evt, &got);
			want = id >= 0x10 && id <= 0x13 && (evt[1] & EV_STALL);
			if (is != want || (is && !stall_as_recorded(&got, evt))) {
				bad_ids++;
				break;
			}
			stalls += is;
		}
	}
	result(!bad_ids && stalls,
	       "stalls: 256 IDs x 400 records decided and decoded as the layout says (%u stalls, %u IDs wrong)",
	       stalls, bad_ids);
}

int main(void)
{
	printf("TAP version 13\n");
	test_every_combination();
	test_command_choice();
	test_oracle();
	test_ranges();
	test_refusals();
	test_s1ctx();
	test_events();
	test_stalls();
	printf("1..%u\n", tests);
	printf("%u passed, %u failed\n", tests - failures, failures);
	return failures ? 1 : 0;
}
