// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the VMM library (TAP). Guest STEs and commands are built
 * with guest_encode.h's own field table; expected answers are written out
 * case by case; then every STE of a grid and a seeded stream of random
 * commands are held against the kernel's own code (vmm_check.h). Stalls:
 * fault records read with the same table, the guest's CMD_RESUME and
 * CMD_STALL_TERM case by case, then seeded scripts against a model
 * (stall_check.h).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stall_check.h"
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
	bool no_stalls;
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
	{ "RESUME: no stalls offered", GUEST_RESUME,
	  { CMD_SID, CMD_STAG, CMD_RESUME_AC }, { 7, 0x1234, 1 }, 3,
	  { .action = VSMMU_ILLEGAL }, true },
	{ "RESUME Retry", GUEST_RESUME,
	  { CMD_SID, CMD_STAG, CMD_RESUME_AC }, { 7, 0x1234, 1 }, 3,
	  { .action = VSMMU_RESUME, .first = 7, .last = 7, .stag = 0x1234,
	    .resume = VSMMU_RESUME_RETRY } },
	{ "RESUME Retry with Ab set: Ab ignored", GUEST_RESUME,
	  { CMD_SID, CMD_STAG, CMD_RESUME_AC, CMD_RESUME_AB },
	  { 0xffffffff, 0xffff, 1, 1 }, 4,
	  { .action = VSMMU_RESUME, .first = 0xffffffff, .last = 0xffffffff,
	    .stag = 0xffff, .resume = VSMMU_RESUME_RETRY } },
	{ "RESUME Abort (Ac 0, Ab 1)", GUEST_RESUME,
	  { CMD_SID, CMD_STAG, CMD_RESUME_AB }, { 7, 2, 1 }, 3,
	  { .action = VSMMU_RESUME, .first = 7, .last = 7, .stag = 2,
	    .resume = VSMMU_RESUME_ABORT } },
	{ "RESUME Term (Ac 0, Ab 0)", GUEST_RESUME, { CMD_SID, CMD_STAG },
	  { 7, 2 }, 2,
	  { .action = VSMMU_RESUME, .first = 7, .last = 7, .stag = 2,
	    .resume = VSMMU_RESUME_TERM } },
	{ "RESUME with SSec 1 on the Non-secure queue", GUEST_RESUME,
	  { CMD_SID, CMD_STAG, CMD_RESUME_AC, CMD_SSEC }, { 7, 2, 1, 1 }, 4,
	  { .action = VSMMU_ILLEGAL } },
	{ "STALL_TERM", GUEST_STALL_TERM, { CMD_SID }, { 9 }, 1,
	  { .action = VSMMU_STALL_TERM, .first = 9, .last = 9 } },
	{ "STALL_TERM with SSec 1 on the Non-secure queue", GUEST_STALL_TERM,
	  { CMD_SID, CMD_SSEC }, { 9, 1 }, 2, { .action = VSMMU_ILLEGAL } },
	{ "STALL_TERM: no stalls offered", GUEST_STALL_TERM, { CMD_SID },
	  { 9 }, 1, { .action = VSMMU_ILLEGAL }, true },
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
		struct vsmmu_caps k = caps;
		uint64_t cmd[2];
		struct vsmmu_cmd got;

		k.stalls = !c->no_stalls;
		cmd_of_case(c, cmd);
		vsmmu_cmd_decode(cmd, &k, &got);
		result(!memcmp(&got, &c->want, sizeof(got)) &&
		       cmd_answer_sound(cmd, &k, true, &got),
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

/* The stall tests' device map: 7 at 0x10 and 0x20, 8 at 0x18 */
static bool stall_devices(struct vsmmu_devices *d)
{
	return !vsmmu_devices_add(d, 0x10, STALL_DEV_A, 1) &&
	       !vsmmu_devices_add(d, 0x20, STALL_DEV_A, 1) &&
	       !vsmmu_devices_add(d, 0x18, STALL_DEV_B, 1);
}

#define LAST	IOMMU_PGFAULT_FLAGS_LAST_PAGE
#define PASID	IOMMU_PGFAULT_FLAGS_PASID_VALID
#define P_R	IOMMU_PGFAULT_PERM_READ
#define P_W	IOMMU_PGFAULT_PERM_WRITE
#define P_X	IOMMU_PGFAULT_PERM_EXEC
#define P_P	IOMMU_PGFAULT_PERM_PRIV

/* The fields of the guest's record of a stall the test expects */
struct evt_want {
	uint32_t sid, ssid;
	bool ssv, rnw, ind, pnu;
};

struct fault_case {
	const char *what;
	struct iommu_hwpt_pgfault f;
	int ret;
	struct evt_want want;
};

/* Each with the same host STAG (grpid), which never reaches the guest */
static const struct fault_case fault_cases[] = {
	{ "a read, no PASID: RnW 1, SSV 0",
	  { .dev_id = 7, .flags = LAST, .perm = P_R, .addr = 0x12345678000,
	    .cookie = 1, .grpid = 0x77 }, 0,
	  { .sid = 0x10, .rnw = true } },
	{ "a write in PASID 5: RnW 0, SSV 1, SubstreamID 5",
	  { .dev_id = 7, .flags = LAST | PASID, .pasid = 5, .perm = P_W,
	    .addr = 0x40000000, .cookie = 2, .grpid = 0x77 }, 0,
	  { .sid = 0x10, .ssv = true, .ssid = 5 } },
	{ "a privileged instruction fetch of the other device: InD 1, PnU 1",
	  { .dev_id = 8, .flags = LAST, .perm = P_R | P_X | P_P,
	    .addr = 0xffff800012345000ULL, .cookie = 3, .grpid = 0x77 }, 0,
	  { .sid = 0x18, .rnw = true, .ind = true, .pnu = true } },
	{ "a write with EXEC: InD 0, as RnW is 0",
	  { .dev_id = 7, .flags = LAST, .perm = P_W | P_X, .addr = 0x1000,
	    .cookie = 4, .grpid = 0x77 }, 0, { .sid = 0x10 } },
	{ "a read and a write: RnW 0, the write",
	  { .dev_id = 7, .flags = LAST, .perm = P_R | P_W, .addr = 0x2000,
	    .cookie = 5, .grpid = 0x77 }, 0, { .sid = 0x10 } },
	{ "the largest PASID and the top address",
	  { .dev_id = 8, .flags = LAST | PASID, .pasid = 0xfffff,
	    .perm = P_R, .addr = 0xfffffffffffff000ULL, .cookie = 6,
	    .grpid = 0x77 }, 0,
	  { .sid = 0x18, .rnw = true, .ssv = true, .ssid = 0xfffff } },
	{ "a PASID without PASID_VALID is not read, beyond 20 bits or not",
	  { .dev_id = 7, .flags = LAST, .pasid = 0x100005, .perm = P_R,
	    .addr = 0x3000, .cookie = 7, .grpid = 0x77 }, 0,
	  { .sid = 0x10, .rnw = true } },
	{ "no LAST_PAGE flag: refused",
	  { .dev_id = 7, .perm = P_R, .cookie = 8 }, -EINVAL },
	{ "an unknown flag: refused",
	  { .dev_id = 7, .flags = LAST | 4, .perm = P_R, .cookie = 9 },
	  -EINVAL },
	{ "PASID_VALID with a PASID beyond 20 bits: refused",
	  { .dev_id = 7, .flags = LAST | PASID, .pasid = 0x100000,
	    .perm = P_R, .cookie = 10 }, -EINVAL },
	{ "neither read nor write: refused",
	  { .dev_id = 7, .flags = LAST, .perm = P_X | P_P, .cookie = 11 },
	  -EINVAL },
	{ "an unknown permission: refused",
	  { .dev_id = 7, .flags = LAST, .perm = P_R | 16, .cookie = 12 },
	  -EINVAL },
	{ "a reserved field set: refused",
	  { .dev_id = 7, .flags = LAST, .perm = P_R, .__reserved = 1,
	    .cookie = 13 }, -EINVAL },
	{ "a device not behind the vSMMU: refused",
	  { .dev_id = 9, .flags = LAST, .perm = P_R, .cookie = 14 },
	  -ENOENT },
	{ "device 0: refused",
	  { .dev_id = 0, .flags = LAST, .perm = P_R, .cookie = 15 },
	  -ENOENT },
};

/*
 * The first field of record @evt that is not what @w and @stag say, with
 * the test's own positions, "other bits" for a bit outside every field,
 * or NULL
 */
static const char *stall_record_wrong(const uint64_t *evt,
				      const struct evt_want *w, uint16_t stag,
				      uint64_t addr)
{
	static const struct {
		const char *name;
		const struct bitfield *f;
	} fields[] = {
		{ "EventType", &EVT_ID }, { "SSV", &EVT_SSV },
		{ "SubstreamID", &EVT_SSID }, { "StreamID", &EVT_SID },
		{ "STAG", &EVT_STAG }, { "Stall", &EVT_STALL },
		{ "PnU", &EVT_PNU }, { "InD", &EVT_IND }, { "RnW", &EVT_RNW },
		{ "S2", &EVT_S2 }, { "CLASS", &EVT_CLASS },
		{ "InputAddr", &EVT_INPUTADDR },
	};
	uint64_t want[4] = { 0 };
	unsigned int i;

	put(want, EVT_ID, GUEST_F_TRANSLATION);
	put(want, EVT_SSV, w->ssv);
	put(want, EVT_SSID, w->ssid);
	put(want, EVT_SID, w->sid);
	put(want, EVT_STAG, stag);
	put(want, EVT_STALL, 1);
	put(want, EVT_PNU, w->pnu);
	put(want, EVT_IND, w->ind);
	put(want, EVT_RNW, w->rnw);
	put(want, EVT_S2, 0);
	put(want, EVT_CLASS, GUEST_CLASS_IN);
	put(want, EVT_INPUTADDR, addr);
	for (i = 0; i < ARRAY_SIZE(fields); i++)
		if (get(evt, *fields[i].f) != get(want, *fields[i].f))
			return fields[i].name;
	return memcmp(evt, want, sizeof(want)) ? "other bits" : NULL;
}

/*
 * Stall faults -> the guest's records, field by field, into one map:
 * each STAG new; refused ones answered at once and not kept
 */
static void test_stall_faults(void)
{
	struct vsmmu_devices d = { 0 };
	struct vsmmu_stalls st;
	unsigned int i, j;
	bool ok = !vsmmu_stalls_init(&st, 64) && stall_devices(&d);

	for (i = 0; i < ARRAY_SIZE(fault_cases); i++) {
		const struct fault_case *c = &fault_cases[i];
		struct iommu_hwpt_page_response resp = { 0, 99 };
		unsigned int before = st.n;
		const char *wrong = NULL;
		const struct vsmmu_stall *s;
		uint64_t evt[4];
		uint16_t stag;
		int ret;

		ret = ok ? vsmmu_fault_encode(&st, &d, &c->f, evt, &resp) : 1;
		stag = get(evt, EVT_STAG);
		if (ret || c->ret) {
			wrong = ret != c->ret ? "return" :
				resp.cookie != c->f.cookie ||
				resp.code != IOMMUFD_PAGE_RESP_INVALID ?
				"answer" : st.n != before ? "kept" :
				evt[0] | evt[1] | evt[2] | evt[3] ? "record" :
				NULL;
			result(ok && !wrong, "stall: %s (ret %d%s%s)", c->what,
			       ret, wrong ? ", wrong: " : "",
			       wrong ? wrong : "");
			continue;
		}
		wrong = stall_record_wrong(evt, &c->want, stag, c->f.addr);
		s = &st.stall[before];
		if (!wrong && (st.n != before + 1 || s->cookie != c->f.cookie ||
			       s->dev_id != c->f.dev_id ||
			       s->vsid != c->want.sid || s->stag != stag))
			wrong = "map";
		for (j = 0; j < before && !wrong; j++)
			if (st.stall[j].stag == stag)
				wrong = "STAG taken";
		if (resp.code != 99)
			wrong = "answered";
		result(ok && !wrong, "stall: %s (ret %d%s%s)", c->what, ret,
		       wrong ? ", wrong: " : "", wrong ? wrong : "");
	}
	vsmmu_stalls_free(&st);
	vsmmu_devices_free(&d);
}

/* Fault @cookie of @dev_id into @st: its record's StreamID and STAG */
static bool stall_one(struct vsmmu_stalls *st, struct vsmmu_devices *d,
		      uint32_t dev_id, uint32_t cookie, uint32_t *sid,
		      uint16_t *stag)
{
	const struct iommu_hwpt_pgfault f = {
		.dev_id = dev_id, .flags = LAST, .perm = P_R, .cookie = cookie,
		.addr = 0x10000,
	};
	struct iommu_hwpt_page_response resp;
	uint64_t evt[4];

	if (vsmmu_fault_encode(st, d, &f, evt, &resp))
		return false;
	*sid = get(evt, EVT_SID);
	*stag = get(evt, EVT_STAG);
	return true;
}

/* The guest's CMD_RESUME, with the test's own positions, decoded */
static void guest_resume(uint32_t sid, uint16_t stag, unsigned int ac,
			 unsigned int ab, struct vsmmu_cmd *c)
{
	uint64_t cmd[2] = { 0, 0 };

	put(cmd, CMD_OPCODE, GUEST_RESUME);
	put(cmd, CMD_SID, sid);
	put(cmd, CMD_STAG, stag);
	put(cmd, CMD_RESUME_AC, ac);
	put(cmd, CMD_RESUME_AB, ab);
	vsmmu_cmd_decode(cmd, &caps, c);
}

static const struct {
	const char *what;
	unsigned int ac, ab;
	uint32_t code;
} resume_cases[] = {
	{ "Retry: SUCCESS", 1, 0, IOMMUFD_PAGE_RESP_SUCCESS },
	{ "Retry with Ab: SUCCESS", 1, 1, IOMMUFD_PAGE_RESP_SUCCESS },
	{ "Abort: INVALID", 0, 1, IOMMUFD_PAGE_RESP_INVALID },
	{ "Term: INVALID", 0, 0, IOMMUFD_PAGE_RESP_INVALID },
};

/* CMD_RESUME of each action, amid other stalls: its cookie, its code */
static void test_stall_resume(void)
{
	struct vsmmu_devices d = { 0 };
	struct vsmmu_stalls st;
	unsigned int i;
	bool ok = !vsmmu_stalls_init(&st, 8) && stall_devices(&d);
	uint32_t sid, other_sid;
	uint16_t stag, other;

	ok &= stall_one(&st, &d, STALL_DEV_B, 50, &other_sid, &other);
	for (i = 0; i < ARRAY_SIZE(resume_cases); i++) {
		struct iommu_hwpt_page_response resp = { 0, 99 };
		struct vsmmu_cmd c;
		bool got, again;

		ok &= stall_one(&st, &d, STALL_DEV_A, 100 + i, &sid, &stag);
		guest_resume(sid, stag, resume_cases[i].ac,
			     resume_cases[i].ab, &c);
		got = vsmmu_stalls_resume(&st, &c, &resp);
		/* Answered: the same RESUME again names nothing */
		again = vsmmu_stalls_resume(&st, &c, &resp);
		result(ok && got && !again && resp.cookie == 100 + i &&
		       resp.code == resume_cases[i].code && st.n == 1,
		       "stall: CMD_RESUME %s for its fault's cookie, once (cookie %u, code %u)",
		       resume_cases[i].what, resp.cookie, resp.code);
	}
	vsmmu_stalls_free(&st);
	vsmmu_devices_free(&d);
}

/*
 * CMD_RESUMEs that match no stall (IHI 0070 4.7.1): no effect, no
 * answer; the stalls they missed stay
 */
static void test_stall_unmatched(void)
{
	struct iommu_hwpt_page_response resp = { 0, 99 };
	struct vsmmu_devices d = { 0 };
	struct vsmmu_stalls st, zero = { 0 };
	struct vsmmu_cmd c;
	uint32_t sa, sb;
	uint16_t ta, tb;
	bool ok = !vsmmu_stalls_init(&st, 8) && stall_devices(&d) &&
		  stall_one(&st, &d, STALL_DEV_A, 1, &sa, &ta) &&
		  stall_one(&st, &d, STALL_DEV_B, 2, &sb, &tb);

	guest_resume(sa, ta ^ 0x8000, 1, 0, &c);
	result(ok && !vsmmu_stalls_resume(&st, &c, &resp) && st.n == 2 &&
	       resp.code == 99,
	       "stall: CMD_RESUME of a STAG no stall holds: no effect");
	guest_resume(sb, ta, 1, 0, &c);
	ok &= !vsmmu_stalls_resume(&st, &c, &resp);
	/* The record said 0x10: its alias 0x20 is another StreamID */
	guest_resume(0x20, ta, 1, 0, &c);
	ok &= !vsmmu_stalls_resume(&st, &c, &resp);
	result(ok && st.n == 2 && resp.code == 99,
	       "stall: CMD_RESUME of another StreamID's STAG, or an alias's: no effect, the stall stays");
	guest_resume(sa, ta, 0, 1, &c);
	ok &= vsmmu_stalls_resume(&st, &c, &resp) && resp.cookie == 1;
	resp.code = 99;
	result(ok && !vsmmu_stalls_resume(&st, &c, &resp) && st.n == 1 &&
	       resp.code == 99,
	       "stall: CMD_RESUME of a STAG answered already (stale): no effect");
	guest_resume(sb, tb, 1, 0, &c);
	result(!vsmmu_stalls_resume(&zero, &c, &resp) && resp.code == 99 &&
	       !vsmmu_stalls_term(&zero, sb, &resp, 1) &&
	       !vsmmu_stalls_forget(&zero, STALL_DEV_B),
	       "stall: a zeroed map answers no CMD_RESUME or CMD_STALL_TERM");
	vsmmu_stalls_free(&st);
	vsmmu_devices_free(&d);
}

/* CMD_STALL_TERM: every stall of its StreamID, oldest first, no other */
static void test_stall_term(void)
{
	static const uint32_t devs[] = {
		STALL_DEV_A, STALL_DEV_B, STALL_DEV_A, STALL_DEV_B,
		STALL_DEV_A,
	};
	struct iommu_hwpt_page_response resp[8];
	struct vsmmu_devices d = { 0 };
	struct vsmmu_stalls st;
	uint64_t cmd[2] = { 0, 0 };
	struct vsmmu_cmd c;
	unsigned int i, n, one, two, none;
	bool ok = !vsmmu_stalls_init(&st, 8) && stall_devices(&d);
	uint32_t sid;
	uint16_t stag;

	for (i = 0; i < ARRAY_SIZE(devs); i++)
		ok &= stall_one(&st, &d, devs[i], 10 + i, &sid, &stag);
	put(cmd, CMD_OPCODE, GUEST_STALL_TERM);
	put(cmd, CMD_SID, 0x10);
	vsmmu_cmd_decode(cmd, &caps, &c);
	ok &= c.action == VSMMU_STALL_TERM;
	n = vsmmu_stalls_term(&st, c.first, resp, ARRAY_SIZE(resp));
	ok &= n == 3 && resp[0].cookie == 10 && resp[1].cookie == 12 &&
	      resp[2].cookie == 14 && st.n == 2 &&
	      st.stall[0].cookie == 11 && st.stall[1].cookie == 13;
	for (i = 0; i < n; i++)
		ok &= resp[i].code == IOMMUFD_PAGE_RESP_INVALID;
	result(ok,
	       "stall: CMD_STALL_TERM answers every stall of its StreamID (INVALID), oldest first, and no other (%u)",
	       n);
	one = vsmmu_stalls_term(&st, 0x18, resp, 1);
	ok &= resp[0].cookie == 11;
	two = vsmmu_stalls_term(&st, 0x18, resp, 1);
	ok &= resp[0].cookie == 13;
	none = vsmmu_stalls_term(&st, 0x18, resp, 1);
	result(ok && one == 1 && two == 1 && !none && !st.n,
	       "stall: CMD_STALL_TERM a response at a time, then none left");
	vsmmu_stalls_free(&st);
	vsmmu_devices_free(&d);
}

/*
 * A full map answers a new fault at once and keeps its stalls; a cookie
 * seen again replaces its stale stall; a device's stalls the kernel
 * answered are forgotten; the bound is checked
 */
static void test_stall_map(void)
{
	struct iommu_hwpt_page_response resp = { 0, 99 };
	const struct iommu_hwpt_pgfault f = {
		.dev_id = STALL_DEV_A, .flags = LAST, .perm = P_R,
		.cookie = 3,
	};
	struct vsmmu_devices d = { 0 };
	struct vsmmu_stalls st, big;
	struct vsmmu_cmd c;
	uint32_t s1, s2, s3;
	uint16_t t1, t2, t3, tf;
	uint64_t evt[4];
	bool ok = !vsmmu_stalls_init(&st, 2) && stall_devices(&d) &&
		  stall_one(&st, &d, STALL_DEV_A, 1, &s1, &t1) &&
		  stall_one(&st, &d, STALL_DEV_B, 2, &s2, &t2);

	ok &= vsmmu_fault_encode(&st, &d, &f, evt, &resp) == -ENOSPC &&
	      resp.cookie == 3 && resp.code == IOMMUFD_PAGE_RESP_INVALID &&
	      st.n == 2 && st.stall[0].cookie == 1 && st.stall[1].cookie == 2;
	guest_resume(s1, t1, 1, 0, &c);
	ok &= vsmmu_stalls_resume(&st, &c, &resp) && resp.cookie == 1;
	ok &= !vsmmu_fault_encode(&st, &d, &f, evt, &resp) && st.n == 2;
	tf = get(evt, EVT_STAG);
	result(ok,
	       "stall: a full map answers the new fault at once (INVALID) and keeps its stalls; room again after a RESUME");

	/* Cookie 2 again: the kernel answered the first one itself */
	ok = stall_one(&st, &d, STALL_DEV_B, 2, &s3, &t3) && t3 != t2 &&
	     st.n == 2;
	guest_resume(s2, t2, 1, 0, &c);
	ok &= !vsmmu_stalls_resume(&st, &c, &resp);
	guest_resume(s3, t3, 1, 0, &c);
	result(ok && vsmmu_stalls_resume(&st, &c, &resp) && resp.cookie == 2,
	       "stall: a cookie seen again replaces its stale stall: the old STAG names nothing");

	ok = stall_one(&st, &d, STALL_DEV_B, 4, &s2, &t2) &&
	     vsmmu_stalls_forget(&st, STALL_DEV_A) == 1 &&
	     !vsmmu_stalls_forget(&st, STALL_DEV_NONE) && st.n == 1;
	guest_resume(0x10, tf, 1, 0, &c);
	ok &= !vsmmu_stalls_resume(&st, &c, &resp);
	guest_resume(s2, t2, 0, 0, &c);
	result(ok && vsmmu_stalls_resume(&st, &c, &resp) && resp.cookie == 4,
	       "stall: a device's stalls the kernel answered are forgotten, the other device's stay");
	vsmmu_stalls_free(&st);

	ok = vsmmu_stalls_init(&st, 0) == -EINVAL && !st.max;
	ok &= vsmmu_stalls_init(&st, 65537) == -EINVAL && !st.max;
	resp.cookie = 0;
	ok &= vsmmu_fault_encode(&st, &d, &f, evt, &resp) == -ENOSPC &&
	      resp.cookie == 3;
	vsmmu_stalls_free(&st);
	ok &= !vsmmu_stalls_init(&big, 65536) && big.max == 65536;
	vsmmu_stalls_free(&big);
	result(ok,
	       "stall: a bound of 0 or beyond 65536 refused, 65536 taken; a map without room answers each fault at once");
	vsmmu_devices_free(&d);
}

/*
 * STAGs go round: with one stall pending throughout and another at a
 * time, an answered STAG comes back only after the other 65534, and the
 * pending one's never
 */
static void test_stall_stags(void)
{
	static uint32_t last[65536];
	struct iommu_hwpt_page_response resp;
	struct vsmmu_devices d = { 0 };
	struct vsmmu_stalls st;
	unsigned int i, seen = 0, early = 0, taken = 0;
	bool ok = !vsmmu_stalls_init(&st, 4) && stall_devices(&d);
	struct vsmmu_cmd c;
	uint32_t sid, held_sid;
	uint16_t stag, held;

	ok &= stall_one(&st, &d, STALL_DEV_B, 1, &held_sid, &held);
	for (i = 2; ok && i <= 2 * 65536; i++) {
		ok = stall_one(&st, &d, STALL_DEV_A, i, &sid, &stag);
		guest_resume(sid, stag, 1, 0, &c);
		ok &= vsmmu_stalls_resume(&st, &c, &resp);
		taken += stag == held;
		seen += !last[stag];
		early += last[stag] && i - last[stag] < 65535;
		last[stag] = i;
	}
	guest_resume(held_sid, held, 1, 0, &c);
	ok &= vsmmu_stalls_resume(&st, &c, &resp) && resp.cookie == 1;
	result(ok && seen == 65535 && !early && !taken,
	       "stall: STAGs go round: each free one of the 65536 used, none again before the others (%u early), a pending one never (%u)",
	       early, taken);
	vsmmu_stalls_free(&st);
	vsmmu_devices_free(&d);
}

/*
 * Seeded random scripts against the model (stall_check.h): each kind of
 * step must have happened, so that the property has been put to work
 */
static void test_stall_random(uint64_t seed, unsigned int scripts)
{
	struct stall_tally t = { 0 };
	unsigned int i, j, bad = 0;
	uint8_t buf[512];

	rng_state = seed;
	for (i = 0; i < scripts && bad < 3; i++) {
		for (j = 0; j < sizeof(buf); j++)
			buf[j] = rng();
		bad += !stall_script_sound(buf, 1 + rng() % sizeof(buf), &t);
	}
	result(!bad && t.faults && t.refused && t.full && t.matched &&
	       t.unmatched && t.termed && t.illegal && t.forgotten,
	       "stall scripts (seed %#llx): %u, %lu records, %lu refused (%lu full), %lu resumes answered, %lu ignored, %lu terminated, %lu illegal, %lu forgotten, each as the model says",
	       (unsigned long long)seed, scripts, t.faults, t.refused, t.full,
	       t.matched, t.unmatched, t.termed, t.illegal, t.forgotten);
}

/* Results of the stall tests that are not one per case */
#define STALL_RESULTS	12

int main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 0x5eed5eedULL;

	printf("TAP version 13\n1..%zu\n",
	       ARRAY_SIZE(ste_cases) + ARRAY_SIZE(cmd_cases) + 7 +
	       ARRAY_SIZE(fault_cases) + ARRAY_SIZE(resume_cases) +
	       STALL_RESULTS);
	test_ste_cases();
	test_ste_grid();
	test_cmd_cases();
	test_checker();
	test_cmd_random(seed, 200000);
	test_devices();
	test_devices_by_id();
	test_devices_targets();
	test_events(seed, 10000);
	test_stall_faults();
	test_stall_resume();
	test_stall_unmatched();
	test_stall_term();
	test_stall_map();
	test_stall_stags();
	test_stall_random(seed, 3000);
	return failures ? 1 : 0;
}
