// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the VMM library (TAP). Guest STEs and commands are built
 * with guest_encode.h's own field table; expected answers are written out
 * case by case; then every STE of a grid and a seeded stream of random
 * commands are held against the kernel's own code (vmm_check.h).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm_check.h"
#include "tap.h"

static const struct vsmmu_caps caps = {
	.ssid_bits = 8, .asid_bits = 16, .ias = 44, .cd2l = true,
	.ats = true, .stalls = true, .granules = 0x1000 | 0x10000,
};

/* A stage-1 STE as Linux's arm-smmu-v3 driver writes one */
static struct vsmmu_ste linux_ste(void)
{
	struct vsmmu_ste s = { { 0 } };

	put(s.w, STE_V, 1);
	put(s.w, STE_CONFIG, 5);
	put(s.w, STE_S1CTXPTR_51_6, 0x40001000ULL >> 6);
	put(s.w, STE_S1CIR, 1);
	put(s.w, STE_S1COR, 1);
	put(s.w, STE_S1CSH, 3);
	put(s.w, STE_S1STALLD, 1);
	return s;
}

struct ste_case {
	const char *what;
	struct bitfield f[3];
	uint64_t v[3];
	unsigned int nf;
	int ret;
	struct iommu_hwpt_arm_smmuv3_s1ctx want;	/* when ret == 0 */
	bool no_cd2l, no_ats, no_stalls;
};

#define TRANSLATE_LINUX { .mode = IOMMU_SMMUV3_S1CTX_TRANSLATE, \
	.s1ctxptr = 0x40001000, .s1cir = 1, .s1cor = 1, .s1csh = 3, \
	.s1stalld = 1 }

static const struct ste_case ste_cases[] = {
	{ "Linux's stage-1 STE", {}, {}, 0, 0, TRANSLATE_LINUX },
	{ "V = 0 is illegal", { STE_V }, { 0 }, 1, -EINVAL },
	{ "Config abort", { STE_CONFIG }, { 0 }, 1, 0,
	  { .mode = IOMMU_SMMUV3_S1CTX_ABORT } },
	{ "Config bypass", { STE_CONFIG }, { 4 }, 1, 0,
	  { .mode = IOMMU_SMMUV3_S1CTX_BYPASS } },
	{ "Config bypass with ATS", { STE_CONFIG, STE_EATS }, { 4, 1 }, 2, 0,
	  { .mode = IOMMU_SMMUV3_S1CTX_BYPASS, .eats = 1 } },
	{ "Config 0b001 is reserved", { STE_CONFIG }, { 1 }, 1, -EINVAL },
	{ "Config 0b011 is reserved", { STE_CONFIG }, { 3 }, 1, -EINVAL },
	{ "Config S2 only: no stage 2 here", { STE_CONFIG }, { 6 }, 1,
	  -EINVAL },
	{ "Config S1 + S2: no stage 2 here", { STE_CONFIG }, { 7 }, 1,
	  -EINVAL },
	{ "one CD: S1Fmt and S1DSS ignored", { STE_S1FMT, STE_S1DSS },
	  { 3, 3 }, 2, 0, TRANSLATE_LINUX },
	{ "256 CDs, two-level 4K, default CD 0",
	  { STE_S1CDMAX, STE_S1FMT, STE_S1DSS }, { 8, 1, 2 }, 3, 0,
	  { .mode = IOMMU_SMMUV3_S1CTX_TRANSLATE, .s1ctxptr = 0x40001000,
	    .s1cdmax = 8, .s1fmt = 1, .s1dss = 2, .s1cir = 1, .s1cor = 1,
	    .s1csh = 3, .s1stalld = 1 } },
	{ "two-level without CD2L", { STE_S1CDMAX, STE_S1FMT }, { 8, 1 }, 2,
	  -EINVAL, {}, true },
	{ "S1CDMax above SSIDSIZE", { STE_S1CDMAX }, { 9 }, 1, -EINVAL },
	{ "S1Fmt 0b11 is reserved", { STE_S1CDMAX, STE_S1FMT }, { 2, 3 }, 2,
	  -EINVAL },
	{ "S1DSS 0b11 is reserved", { STE_S1CDMAX, STE_S1DSS }, { 2, 3 }, 2,
	  -EINVAL },
	{ "EATS 0b10 (split stage) needs stage 2", { STE_EATS }, { 2 }, 1,
	  -EINVAL },
	{ "EATS 0b11 is reserved", { STE_EATS }, { 3 }, 1, -EINVAL },
	{ "EATS without ATS in the vSMMU is dropped", { STE_EATS }, { 1 }, 1,
	  0, TRANSLATE_LINUX, false, true },
	{ "CD table beyond the guest's IPA space",
	  { STE_S1CTXPTR_51_6 }, { (1ULL << 44) >> 6 }, 1, -EINVAL },
	{ "S1CSH 0b01 (reserved) fetches non-shareable", { STE_S1CSH }, { 1 },
	  1, 0, { .mode = IOMMU_SMMUV3_S1CTX_TRANSLATE,
		  .s1ctxptr = 0x40001000, .s1cir = 1, .s1cor = 1,
		  .s1stalld = 1 } },
	{ "S1STALLD is RES0 without stalls", {}, {}, 0, 0,
	  { .mode = IOMMU_SMMUV3_S1CTX_TRANSLATE, .s1ctxptr = 0x40001000,
	    .s1cir = 1, .s1cor = 1, .s1csh = 3 }, false, false, true },
};

static void test_ste_cases(void)
{
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(ste_cases); i++) {
		const struct ste_case *c = &ste_cases[i];
		struct vsmmu_caps k = caps;
		struct vsmmu_ste s = linux_ste();
		struct iommu_hwpt_arm_smmuv3_s1ctx ctx, want = c->want;
		int ret;

		k.cd2l = !c->no_cd2l;
		k.ats = !c->no_ats;
		k.stalls = !c->no_stalls;
		for (j = 0; j < c->nf; j++)
			put(s.w, c->f[j], c->v[j]);
		/* Words 2 to 7 hold stage-2 and other fields: never read */
		for (j = 2; j < 8; j++)
			s.w[j] = 0x5a5a5a5a5a5a5a5aULL * j;
		ret = vsmmu_ste_decode(&s, &k, &ctx);
		if (c->ret) {
			memset(&want, 0, sizeof(want));
			want.mode = IOMMU_SMMUV3_S1CTX_ABORT;
		}
		result(ret == c->ret && !memcmp(&ctx, &want, sizeof(ctx)),
		       "STE: %s (ret %d, mode %u)", c->what, ret, ctx.mode);
	}
}

/*
 * Every combination of the STE's small fields (and of three CD table
 * addresses, five S1CDMax values and eight vSMMUs), one index digit each
 */
static void test_ste_grid(void)
{
	static const unsigned int cdmaxes[] = { 0, 1, 8, 9, 31 };
	static const uint64_t ptrs[] = { 0x1000, 0xfffffffffc0ULL, 1ULL << 44 };
	static const struct {
		struct bitfield f;
		unsigned int values;
	} digits[] = {
		{ STE_V, 2 }, { STE_CONFIG, 8 }, { STE_S1FMT, 4 },
		{ STE_S1DSS, 4 }, { STE_EATS, 4 }, { STE_S1CSH, 4 },
		{ STE_S1CIR, 4 }, { STE_S1STALLD, 2 },
	};
	unsigned long long idx, n = 1, bad = 0;
	unsigned int d;

	for (d = 0; d < ARRAY_SIZE(digits); d++)
		n *= digits[d].values;
	n *= ARRAY_SIZE(cdmaxes) * ARRAY_SIZE(ptrs) * 8;
	for (idx = 0; idx < n && bad < 5; idx++) {
		unsigned long long rest = idx;
		struct vsmmu_caps c = caps;
		struct vsmmu_ste s = { { 0 } };
		struct iommu_hwpt_arm_smmuv3_s1ctx ctx;

		for (d = 0; d < ARRAY_SIZE(digits); d++) {
			put(s.w, digits[d].f, rest % digits[d].values);
			rest /= digits[d].values;
		}
		put(s.w, STE_S1COR, 3 - get(s.w, STE_S1CIR));
		put(s.w, STE_S1CDMAX, cdmaxes[rest % ARRAY_SIZE(cdmaxes)]);
		rest /= ARRAY_SIZE(cdmaxes);
		put(s.w, STE_S1CTXPTR_51_6, ptrs[rest % ARRAY_SIZE(ptrs)] >> 6);
		rest /= ARRAY_SIZE(ptrs);
		c.cd2l = rest & 1;
		c.ats = rest & 2;
		c.stalls = rest & 4;
		vsmmu_ste_decode(&s, &c, &ctx);
		bad += !ste_answer_sound(&ctx, &c);
	}
	result(!bad, "STE grid: %llu STEs, each answer one the kernel accepts",
	       idx);
}

struct cmd_case {
	const char *what;
	unsigned int op;
	struct bitfield f[5];
	uint64_t v[5];
	unsigned int nf;
	struct vsmmu_cmd want;
};

#define INV(sc, sid, ...) { .action = VSMMU_INVALIDATE, \
	.scope = sc, .first = sid, .entry = { __VA_ARGS__ } }
#define C_IOTLB		.cache = IOMMU_INV_CACHE_IOTLB
#define C_CTX		.cache = IOMMU_INV_CACHE_CONTEXT
#define C_ATC		.cache = IOMMU_INV_CACHE_DEV_IOTLB
#define G(x)		.granularity = IOMMU_INV_GRANU_##x
#define ARCHID(a)	.flags = IOMMU_INV_FLAG_ARCHID, .archid = (a)

static const struct cmd_case cmd_cases[] = {
	{ "CMD_SYNC", GUEST_CMD_SYNC, {}, {}, 0, { .action = VSMMU_SYNC } },
	{ "PREFETCH_CONFIG", GUEST_PREFETCH_CONFIG, { CMD_SID }, { 3 }, 1,
	  { .action = VSMMU_NOTHING } },
	{ "PREFETCH_ADDR", GUEST_PREFETCH_ADDR, {}, {}, 0,
	  { .action = VSMMU_NOTHING } },
	{ "CFGI_STE", GUEST_CFGI_STE, { CMD_SID, CMD_LEAF }, { 7, 1 }, 2,
	  { .action = VSMMU_RELOAD_STE, .first = 7, .last = 7 } },
	{ "CFGI_STE_RANGE of 8", GUEST_CFGI_STE_RANGE, { CMD_SID, CMD_RANGE },
	  { 0x13, 2 }, 2,
	  { .action = VSMMU_RELOAD_STE, .first = 0x10, .last = 0x17 } },
	{ "CFGI_ALL", GUEST_CFGI_STE_RANGE, { CMD_RANGE }, { 31 }, 1,
	  { .action = VSMMU_RELOAD_STE, .first = 0, .last = UINT32_MAX } },
	{ "CFGI_CD with Leaf", GUEST_CFGI_CD,
	  { CMD_SID, CMD_SSID, CMD_LEAF }, { 3, 5, 1 }, 3,
	  INV(VSMMU_ONE_DEVICE, 3, C_CTX, G(PASID),
	      .flags = IOMMU_INV_FLAG_PASID | IOMMU_INV_FLAG_LEAF,
	      .pasid = 5) },
	{ "CFGI_CD without Leaf", GUEST_CFGI_CD, { CMD_SID, CMD_SSID },
	  { 3, 5 }, 2,
	  INV(VSMMU_ONE_DEVICE, 3, C_CTX, G(PASID),
	      .flags = IOMMU_INV_FLAG_PASID, .pasid = 5) },
	{ "CFGI_CD beyond SSIDSIZE", GUEST_CFGI_CD, { CMD_SSID }, { 256 }, 1,
	  { .action = VSMMU_ILLEGAL } },
	{ "CFGI_CD_ALL", GUEST_CFGI_CD_ALL, { CMD_SID }, { 3 }, 1,
	  INV(VSMMU_ONE_DEVICE, 3, C_CTX, G(DOMAIN)) },
	{ "TLBI_NH_ALL (guest VMID ignored)", GUEST_TLBI_NH_ALL,
	  { CMD_VMID }, { 9 }, 1, INV(VSMMU_ANY_DEVICE, 0, C_IOTLB, G(DOMAIN)) },
	{ "TLBI_NSNH_ALL", GUEST_TLBI_NSNH_ALL, {}, {}, 0,
	  INV(VSMMU_ANY_DEVICE, 0, C_IOTLB, G(DOMAIN)) },
	{ "TLBI_NH_ASID", GUEST_TLBI_NH_ASID, { CMD_ASID }, { 0x1234 }, 1,
	  INV(VSMMU_ANY_DEVICE, 0, C_IOTLB, G(ADDR_SPACE), ARCHID(0x1234)) },
	{ "TLBI_NH_VA, TG 0: the entry holding the address",
	  GUEST_TLBI_NH_VA, { CMD_ASID, CMD_ADDR_63_12, CMD_TTL },
	  { 7, 0x12345, 3 }, 3,
	  INV(VSMMU_ANY_DEVICE, 0, C_IOTLB, G(ADDR), ARCHID(7),
	      .addr = 0x12345000, .granule_size = 0x1000, .nb_granules = 1) },
	{ "TLBI_NH_VA, 4K pages, NUM 3 SCALE 2: 16 pages", GUEST_TLBI_NH_VA,
	  { CMD_ASID, CMD_ADDR_63_12, CMD_TG, CMD_NUM, CMD_SCALE },
	  { 7, 0x100, 1, 3, 2 }, 5,
	  INV(VSMMU_ANY_DEVICE, 0, C_IOTLB, G(ADDR), ARCHID(7),
	      .addr = 0x100000, .granule_size = 0x1000, .nb_granules = 16) },
	{ "TLBI_NH_VA, ASID[15] set: all 16 bits", GUEST_TLBI_NH_VA,
	  { CMD_ASID, CMD_ADDR_63_12, CMD_TG, CMD_NUM }, { 0x8001, 0x40, 1, 1 },
	  4, INV(VSMMU_ANY_DEVICE, 0, C_IOTLB, G(ADDR), ARCHID(0x8001),
		 .addr = 0x40000, .granule_size = 0x1000, .nb_granules = 2) },
	{ "TLBI_NH_VA, 64K leaf", GUEST_TLBI_NH_VA,
	  { CMD_ASID, CMD_ADDR_63_12, CMD_TG, CMD_LEAF }, { 1, 0x10, 3, 1 },
	  4, INV(VSMMU_ANY_DEVICE, 0, C_IOTLB, G(ADDR),
		 .flags = IOMMU_INV_FLAG_ARCHID | IOMMU_INV_FLAG_LEAF,
		 .archid = 1, .addr = 0x10000, .granule_size = 0x10000,
		 .nb_granules = 1) },
	{ "TLBI_NH_VA, 64K range from inside a page: one page more",
	  GUEST_TLBI_NH_VA, { CMD_ASID, CMD_ADDR_63_12, CMD_TG, CMD_NUM },
	  { 1, 0x11, 3, 1 }, 4,
	  INV(VSMMU_ANY_DEVICE, 0, C_IOTLB, G(ADDR), ARCHID(1),
	      .addr = 0x10000, .granule_size = 0x10000, .nb_granules = 3) },
	{ "TLBI_NH_VA, 16K: a granule the vSMMU lacks drops the ASID",
	  GUEST_TLBI_NH_VA, { CMD_ASID, CMD_ADDR_63_12, CMD_TG }, { 1, 4, 2 },
	  3, INV(VSMMU_ANY_DEVICE, 0, C_IOTLB, G(ADDR_SPACE), ARCHID(1)) },
	{ "TLBI_NH_VA at the top of the address space stops at 2^64",
	  GUEST_TLBI_NH_VA, { CMD_ASID, CMD_ADDR_63_12, CMD_TG, CMD_NUM },
	  { 1, 0xfffffffffffffULL, 1, 3 }, 4,
	  INV(VSMMU_ANY_DEVICE, 0, C_IOTLB, G(ADDR), ARCHID(1),
	      .addr = 0xfffffffffffff000ULL, .granule_size = 0x1000,
	      .nb_granules = 1) },
	{ "TLBI_NH_VAA: every ASID", GUEST_TLBI_NH_VAA,
	  { CMD_ASID, CMD_ADDR_63_12, CMD_TG }, { 9, 0x200, 1 }, 3,
	  INV(VSMMU_ANY_DEVICE, 0, C_IOTLB, G(ADDR), .addr = 0x200000,
	      .granule_size = 0x1000, .nb_granules = 1) },
	{ "ATC_INV of one page", GUEST_ATC_INV, { CMD_SID, CMD_ADDR_63_12 },
	  { 4, 5 }, 2,
	  INV(VSMMU_ONE_DEVICE, 4, C_ATC, G(ADDR), .addr = 0x5000,
	      .granule_size = 0x1000, .nb_granules = 1) },
	{ "ATC_INV of 8 pages, aligned", GUEST_ATC_INV,
	  { CMD_SID, CMD_ADDR_63_12, CMD_ATC_SIZE }, { 4, 5, 3 }, 3,
	  INV(VSMMU_ONE_DEVICE, 4, C_ATC, G(ADDR), .addr = 0,
	      .granule_size = 0x1000, .nb_granules = 8) },
	{ "ATC_INV in a PASID", GUEST_ATC_INV,
	  { CMD_SID, CMD_SSV, CMD_SSID, CMD_ATC_SIZE }, { 4, 1, 2, 52 }, 4,
	  INV(VSMMU_ONE_DEVICE, 4, C_ATC, G(PASID),
	      .flags = IOMMU_INV_FLAG_PASID, .pasid = 2) },
	{ "ATC_INV Global: every PASID", GUEST_ATC_INV,
	  { CMD_SID, CMD_SSV, CMD_SSID, CMD_GLOBAL, CMD_ATC_SIZE },
	  { 4, 1, 2, 1, 63 }, 5, INV(VSMMU_ONE_DEVICE, 4, C_ATC, G(DOMAIN)) },
	{ "ATC_INV in a PASID beyond SSIDSIZE", GUEST_ATC_INV,
	  { CMD_SID, CMD_SSV, CMD_SSID }, { 4, 1, 256 }, 3,
	  { .action = VSMMU_ILLEGAL } },
	{ "ATC_INV Global does not read the SubstreamID", GUEST_ATC_INV,
	  { CMD_SID, CMD_SSV, CMD_SSID, CMD_GLOBAL, CMD_ATC_SIZE },
	  { 4, 1, 256, 1, 52 }, 5, INV(VSMMU_ONE_DEVICE, 4, C_ATC, G(DOMAIN)) },
	{ "TLBI_EL2_ALL: no hypervisor in the vSMMU", GUEST_TLBI_EL2_ALL, {},
	  {}, 0, { .action = VSMMU_ILLEGAL } },
	{ "TLBI_S12_VMALL: no stage 2", GUEST_TLBI_S12_VMALL, {}, {}, 0,
	  { .action = VSMMU_ILLEGAL } },
	{ "TLBI_S2_IPA: no stage 2", GUEST_TLBI_S2_IPA, {}, {}, 0,
	  { .action = VSMMU_ILLEGAL } },
	{ "PRI_RESP: no PRI", GUEST_PRI_RESP, {}, {}, 0,
	  { .action = VSMMU_ILLEGAL } },
	{ "RESUME: no stalls offered", GUEST_RESUME, {}, {}, 0,
	  { .action = VSMMU_ILLEGAL } },
	{ "an undefined opcode", 0x7f, {}, {}, 0,
	  { .action = VSMMU_ILLEGAL } },
};

static void cmd_of_case(const struct cmd_case *c, uint64_t cmd[2])
{
	unsigned int j;

	cmd[0] = 0;
	cmd[1] = 0;
	put(cmd, CMD_OPCODE, c->op);
	for (j = 0; j < c->nf; j++)
		put(cmd, c->f[j], c->v[j]);
}

static void test_cmd_cases(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cmd_cases); i++) {
		const struct cmd_case *c = &cmd_cases[i];
		uint64_t cmd[2];
		struct vsmmu_cmd got;

		cmd_of_case(c, cmd);
		vsmmu_cmd_decode(cmd, &caps, &got);
		result(!memcmp(&got, &c->want, sizeof(got)) &&
		       cmd_answer_sound(cmd, &caps, true, &got),
		       "command: %s (action %u)", c->what, got.action);
	}
}

/* Ways to spoil a right answer to a command that invalidates */
enum spoil {
	SP_NOTHING, SP_ILLEGAL, SP_SCOPE, SP_SID, SP_CACHE, SP_ASID,
	SP_PASID, SP_LEAF, SP_START, SP_SHORT, SP_NR
};

static const char *const spoil_names[SP_NR] = {
	"nothing", "illegal", "scope", "StreamID", "cache", "ASID[15]",
	"PASID", "Leaf", "start", "last page",
};

/* Spoil @a, the answer to @cmd, in way @sp; false if that does not apply */
static bool spoil(struct vsmmu_cmd *a, const uint64_t *cmd, enum spoil sp)
{
	struct iommu_hwpt_invalidate_generic *e = &a->entry;
	bool inv = a->action == VSMMU_INVALIDATE;
	bool addr = inv && e->granularity == IOMMU_INV_GRANU_ADDR;

	switch (sp) {
	case SP_NOTHING:
		a->action = VSMMU_NOTHING;
		return true;
	case SP_ILLEGAL:
		a->action = VSMMU_ILLEGAL;
		return inv;
	case SP_SCOPE:
		a->scope = a->scope == VSMMU_ONE_DEVICE ? VSMMU_ANY_DEVICE :
							  VSMMU_ONE_DEVICE;
		return inv;
	case SP_SID:
		a->first ^= 1;
		return inv && a->scope == VSMMU_ONE_DEVICE;
	case SP_CACHE:
		e->cache = e->cache == IOMMU_INV_CACHE_IOTLB ?
			   IOMMU_INV_CACHE_DEV_IOTLB : IOMMU_INV_CACHE_IOTLB;
		return inv;
	case SP_ASID:
		e->archid ^= 0x8000;
		return inv && (e->flags & IOMMU_INV_FLAG_ARCHID);
	case SP_PASID:
		e->pasid ^= 1;
		return inv && (e->flags & IOMMU_INV_FLAG_PASID);
	case SP_LEAF:
		e->flags |= IOMMU_INV_FLAG_LEAF;
		return inv && e->cache != IOMMU_INV_CACHE_DEV_IOTLB &&
		       !get(cmd, CMD_LEAF) &&
		       (addr || e->granularity == IOMMU_INV_GRANU_PASID);
	case SP_START:
		e->addr += e->granule_size;
		return addr;
	default:
		e->nb_granules--;
		return addr;
	}
}

/*
 * The property checks have teeth: every spoilt copy of the written-out
 * answers to the command cases of the eight invalidating opcodes is
 * refused, with or without RIL. Their complaints are expected, so stderr
 * is shut meanwhile.
 */
static void test_checker(void)
{
	unsigned int i, sp, tried = 0, taken = 0;
	char first[128] = "";
	int saved, null;

	fflush(stderr);
	saved = dup(STDERR_FILENO);
	null = open("/dev/null", O_WRONLY);
	if (saved >= 0 && null >= 0)
		dup2(null, STDERR_FILENO);
	for (i = 0; i < ARRAY_SIZE(cmd_cases); i++) {
		const struct cmd_case *c = &cmd_cases[i];
		uint64_t cmd[2];

		if (!guest_invalidates(c->op))
			continue;
		cmd_of_case(c, cmd);
		for (sp = 0; sp < SP_NR; sp++) {
			/* The case's right answer, not the library's */
			struct vsmmu_cmd a = c->want;

			if (!spoil(&a, cmd, sp))
				continue;
			tried++;
			if (!cmd_answer_sound(cmd, &caps, true, &a) &&
			    !cmd_answer_sound(cmd, &caps, false, &a))
				continue;
			if (!taken++)
				snprintf(first, sizeof(first),
					 ", first: %s, spoilt %s", c->what,
					 spoil_names[sp]);
		}
	}
	fflush(stderr);
	if (saved >= 0 && null >= 0)
		dup2(saved, STDERR_FILENO);
	if (saved >= 0)
		close(saved);
	if (null >= 0)
		close(null);
	result(tried && !taken,
	       "checker: %u spoilt answers to the command cases, %u taken%s",
	       tried, taken, first);
}

static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/*
 * Random commands of the eight opcodes that invalidate, both RIL ways:
 * each answer held to cmd_answer_sound(), and for each opcode the number
 * passed on and the number made CERROR_ILL must be those the test's own
 * reading of the commands expects (guest_expected()).
 */
static void test_cmd_random(uint64_t seed, unsigned int n)
{
	static const unsigned int ops[] = {
		GUEST_CFGI_CD, GUEST_CFGI_CD_ALL, GUEST_TLBI_NH_ALL,
		GUEST_TLBI_NH_ASID, GUEST_TLBI_NH_VA, GUEST_TLBI_NH_VAA,
		GUEST_TLBI_NSNH_ALL, GUEST_ATC_INV,
	};
	/* Per opcode: [0] passed on, [1] CERROR_ILL */
	unsigned int got[ARRAY_SIZE(ops)][2] = { { 0 } };
	unsigned int want[ARRAY_SIZE(ops)][2] = { { 0 } };
	unsigned int i, k, bad = 0, sum[2][2] = { { 0 } };
	bool tallies = true;

	rng_state = seed;
	for (i = 0; i < n; i++) {
		uint64_t cmd[2] = { rng(), rng() };
		struct vsmmu_caps c = caps;
		struct vsmmu_cmd act;
		bool ril;

		k = rng() % ARRAY_SIZE(ops);
		put(cmd, CMD_OPCODE, ops[k]);
		/* Mostly small ranges, sometimes huge ones */
		if (rng() % 4)
			put(cmd, CMD_SCALE, rng() % 6);
		c.asid_bits = rng() % 2 ? 16 : 8;
		c.ssid_bits = rng() % 21;
		/* Half the SubstreamIDs within SSIDSIZE, half anywhere */
		if (rng() % 2)
			put(cmd, CMD_SSID,
			    get(cmd, CMD_SSID) & ((1u << c.ssid_bits) - 1));
		ril = rng() % 2;
		vsmmu_cmd_decode(cmd, &c, &act);
		got[k][0] += act.action == VSMMU_INVALIDATE;
		got[k][1] += act.action == VSMMU_ILLEGAL;
		want[k][guest_expected(cmd, &c) == VSMMU_ILLEGAL]++;
		/* The first five wrong answers say why; the rest are tallied */
		if (bad < 5 && !cmd_answer_sound(cmd, &c, ril, &act))
			bad++;
	}
	for (k = 0; k < ARRAY_SIZE(ops); k++) {
		/* Every opcode passed on some, and got what was expected */
		tallies &= want[k][0] && got[k][0] == want[k][0] &&
			   got[k][1] == want[k][1];
		sum[0][0] += got[k][0];
		sum[0][1] += got[k][1];
		sum[1][0] += want[k][0];
		sum[1][1] += want[k][1];
	}
	result(!bad && tallies && sum[1][1],
	       "random commands (seed %#llx): %u, %u passed on (%u expected), %u illegal (%u expected), %s",
	       (unsigned long long)seed, n, sum[0][0], sum[1][0], sum[0][1],
	       sum[1][1], bad ? "some answers miss what was asked" :
	       tallies ? "each covers what it asked" :
	       "an opcode's tally is off");
}

static void test_devices(void)
{
	struct vsmmu_devices d = { 0 };
	bool ok = true;
	unsigned int i;

	for (i = 0; i < 40; i++)
		ok &= !vsmmu_devices_add(&d, (i * 7) % 40, 100 + i, 0);
	ok &= vsmmu_devices_add(&d, 7, 1, 0) == -EEXIST;
	/* iommufd's IDs start at 1: device 0 is a caller's mistake */
	ok &= vsmmu_devices_add(&d, 40, 0, 0) == -EINVAL &&
	      !vsmmu_devices_find(&d, 40) && d.n == 40;
	for (i = 0; i < 40; i++) {
		struct vsmmu_device *dev = vsmmu_devices_find(&d, (i * 7) % 40);

		ok &= dev && dev->dev_id == 100 + i;
	}
	ok &= !vsmmu_devices_remove(&d, 14);
	ok &= !vsmmu_devices_find(&d, 14) && vsmmu_devices_find(&d, 13) &&
	      vsmmu_devices_find(&d, 15) && d.n == 39;
	ok &= !vsmmu_devices_find(&d, 40);
	vsmmu_devices_free(&d);
	result(ok,
	       "devices: add, find, refuse a taken StreamID and device 0, remove");
}

/* A device under two StreamIDs (an alias), another, and one gone */
static void test_devices_by_id(void)
{
	struct vsmmu_devices d = { 0 };
	struct vsmmu_device *dev;
	bool ok = true;

	ok &= !vsmmu_devices_add(&d, 0x20, 7, 0) &&
	      !vsmmu_devices_add(&d, 0x10, 7, 0) &&
	      !vsmmu_devices_add(&d, 0x18, 8, 3);
	dev = vsmmu_devices_find_dev(&d, 7);
	ok &= dev && dev->vsid == 0x10;
	ok &= !vsmmu_devices_find_dev(&d, 9);
	ok &= vsmmu_devices_attach(&d, 7, 5) == 2 &&
	      vsmmu_devices_find(&d, 0x10)->hwpt_id == 5 &&
	      vsmmu_devices_find(&d, 0x20)->hwpt_id == 5 &&
	      vsmmu_devices_find(&d, 0x18)->hwpt_id == 3;
	ok &= vsmmu_devices_attach(&d, 9, 5) == 0;
	ok &= vsmmu_devices_remove(&d, 0x11) == -ENOENT && d.n == 3;
	ok &= !vsmmu_devices_remove(&d, 0x10) &&
	      vsmmu_devices_remove(&d, 0x10) == -ENOENT && d.n == 2;
	vsmmu_devices_free(&d);
	ok &= !d.dev && !d.n && !d.max;
	result(ok,
	       "devices: found by iommufd device, attached by it, an absent StreamID is not removed");
}

/* A guest command of opcode @op naming StreamID @sid, decoded */
static void devices_cmd(unsigned int op, uint32_t sid, struct vsmmu_cmd *c)
{
	const struct vsmmu_caps caps = { .ias = 44, .granules = 0x1000 };
	uint64_t cmd[2] = { 0, 0 };

	put(cmd, CMD_OPCODE, op);
	put(cmd, CMD_SID, sid);
	vsmmu_cmd_decode(cmd, &caps, c);
}

/*
 * Where invalidations go: a device's own nested HWPT, for TLBIs the
 * oldest nested HWPT (with no device attached, too), none for a device
 * on the parent, a StreamID without a device or a command that is no
 * invalidation. Nested HWPTs: 0 and a second note refused, a removed
 * one unknown and no device's any more.
 */
static void test_devices_targets(void)
{
	struct vsmmu_devices d = { 0 };
	struct vsmmu_cmd c;
	bool ok = true;

	devices_cmd(GUEST_TLBI_NH_ALL, 0, &c);
	ok &= vsmmu_devices_target(&d, &c) == 0;
	ok &= vsmmu_devices_add_nested(&d, 0) == -EINVAL &&
	      !vsmmu_devices_add_nested(&d, 40) &&
	      !vsmmu_devices_add_nested(&d, 41) &&
	      vsmmu_devices_add_nested(&d, 40) == -EEXIST &&
	      d.n_nested == 2;
	ok &= vsmmu_devices_is_nested(&d, 41) &&
	      !vsmmu_devices_is_nested(&d, 2) &&
	      !vsmmu_devices_is_nested(&d, 0);
	/* Device 7 at 0x10 on nested HWPT 41, device 8 at 0x18 on parent 2 */
	ok &= !vsmmu_devices_add(&d, 0x10, 7, 41) &&
	      !vsmmu_devices_add(&d, 0x18, 8, 2);
	ok &= vsmmu_devices_target(&d, &c) == 40;
	devices_cmd(GUEST_CFGI_CD_ALL, 0x10, &c);
	ok &= vsmmu_devices_target(&d, &c) == 41;
	devices_cmd(GUEST_CFGI_CD_ALL, 0x18, &c);
	ok &= vsmmu_devices_target(&d, &c) == 0;
	devices_cmd(GUEST_CFGI_CD_ALL, 0x30, &c);
	ok &= vsmmu_devices_target(&d, &c) == 0;
	devices_cmd(GUEST_CFGI_STE, 0x10, &c);
	ok &= vsmmu_devices_target(&d, &c) == 0;
	ok &= vsmmu_devices_remove_nested(&d, 0) == -ENOENT &&
	      vsmmu_devices_remove_nested(&d, 2) == -ENOENT &&
	      !vsmmu_devices_remove_nested(&d, 41) &&
	      vsmmu_devices_remove_nested(&d, 41) == -ENOENT &&
	      !vsmmu_devices_is_nested(&d, 41) &&
	      vsmmu_devices_find(&d, 0x10)->hwpt_id == 0 &&
	      vsmmu_devices_find(&d, 0x18)->hwpt_id == 2;
	devices_cmd(GUEST_CFGI_CD_ALL, 0x10, &c);
	ok &= vsmmu_devices_target(&d, &c) == 0;
	/* The oldest left serves TLBIs */
	ok &= !vsmmu_devices_add_nested(&d, 42) &&
	      !vsmmu_devices_remove_nested(&d, 40);
	devices_cmd(GUEST_TLBI_NH_ALL, 0, &c);
	ok &= vsmmu_devices_target(&d, &c) == 42;
	vsmmu_devices_free(&d);
	ok &= !d.nested && !d.n_nested && !d.max_nested;
	result(ok,
	       "devices: nested HWPTs noted (0 and twice refused) and removed, each invalidation to its HWPT");
}

/*
 * Random host events with random host StreamIDs: whatever the kernel
 * passes on (its own arm-smmu-v3-event.c decides) reaches the guest with
 * the guest's StreamID and the event's ID and other words unchanged.
 */
static void test_events(uint64_t seed, unsigned int n)
{
	unsigned int i, sent = 0, wrong = 0;
	struct iommu_device_event ev;
	uint64_t host[4], guest[4];
	uint32_t vsid;

	rng_state = seed;
	for (i = 0; i < n; i++) {
		host[0] = rng();
		host[1] = rng() & ~(1ULL << 31);	/* no stall */
		host[2] = rng();
		host[3] = rng();
		put(host, EVT_ID, 0x10 + i % 4);
		vsid = rng();
		if (!smmuv3_event_for_guest(host, &ev))
			continue;
		sent++;
		ev.flags = 0;
		wrong += vsmmu_event_encode(&ev, vsid, guest) ||
			 get(guest, EVT_SID) != vsid ||
			 get(guest, EVT_ID) != get(host, EVT_ID) ||
			 guest[1] != ev.raw[1] || guest[2] != ev.raw[2] ||
			 guest[3] != ev.raw[3];
	}
	ev.flags = IOMMU_DEVICE_EVENT_OVERFLOW;
	result(sent == n && !wrong &&
	       vsmmu_event_encode(&ev, 1, guest) == -EINVAL,
	       "events: %u of %u random faults reach the guest with its StreamID (%u wrong), overflow records none",
	       sent, n, wrong);
}

int main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 0x5eed5eedULL;

	printf("TAP version 13\n1..%zu\n",
	       ARRAY_SIZE(ste_cases) + ARRAY_SIZE(cmd_cases) + 7);
	test_ste_cases();
	test_ste_grid();
	test_cmd_cases();
	test_checker();
	test_cmd_random(seed, 200000);
	test_devices();
	test_devices_by_id();
	test_devices_targets();
	test_events(seed, 10000);
	return failures ? 1 : 0;
}
