// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of nested STEs: what arm_smmu_make_nested_ste() builds, and
 * that the driver's entry writer moves between nested and other STEs
 * without the SMMU ever seeing a torn mix of old and new.
 */
#include <kunit/test.h>
#include <linux/io-pgtable.h>

#include "arm-smmu-v3-nested.h"
#include "arm-smmu-v3-nested-test-arch.h"

struct nested_test_env {
	struct arm_smmu_device smmu;
	struct arm_smmu_master master;
	struct io_pgtable pgtable;
	struct arm_smmu_domain s2;
	struct arm_smmu_nested_domain nested;
};

static struct nested_test_env *make_env(struct kunit *test, u32 mode)
{
	struct nested_test_env *env = kunit_kzalloc(test, sizeof(*env),
						    GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, env);
	env->smmu.features = ARM_SMMU_FEAT_TRANS_S1 | ARM_SMMU_FEAT_TRANS_S2 |
			     ARM_SMMU_FEAT_NESTING | ARM_SMMU_FEAT_S2FWB;
	env->master.smmu = &env->smmu;
	env->pgtable.cfg.arm_lpae_s2_cfg.vttbr = 0xdaed0000;
	env->pgtable.cfg.arm_lpae_s2_cfg.vtcr.tsz = 20;
	env->pgtable.cfg.arm_lpae_s2_cfg.vtcr.sl = 1;
	env->s2.smmu = &env->smmu;
	env->s2.stage = ARM_SMMU_DOMAIN_S2;
	env->s2.nest_parent = true;
	env->s2.s2_cfg.vmid = 7;
	env->s2.pgtbl_ops = &env->pgtable.ops;
	env->nested.s2_parent = &env->s2;
	env->nested.ctx = (struct iommu_hwpt_arm_smmuv3_s1ctx){
		.mode = mode,
		.s1ctxptr = 0x40001000,
		.s1cdmax = 3,
		.s1fmt = 1,
		.s1dss = 2,
		.s1cir = 1,
		.s1cor = 2,
		.s1csh = 3,
	};
	return env;
}

/* Bits @hi..@lo of @ste where the architecture puts them, not the driver */
static u64 ste_arch(const struct arm_smmu_ste *ste, unsigned int hi,
		    unsigned int lo)
{
	u64 w[STRTAB_STE_DWORDS];
	int i;

	for (i = 0; i < STRTAB_STE_DWORDS; i++)
		w[i] = le64_to_cpu(ste->data[i]);
	return arch_field(w, hi, lo);
}

/* Nothing in the STE's RES0 or IMPLEMENTATION DEFINED bits */
static void expect_no_reserved(struct kunit *test,
			       const struct arm_smmu_ste *ste)
{
	const struct arch_range *r;
	u64 w[STRTAB_STE_DWORDS];
	const char *kind;
	int i;

	for (i = 0; i < STRTAB_STE_DWORDS; i++)
		w[i] = le64_to_cpu(ste->data[i]);
	r = arch_ste_reserved_set(w, &kind);
	KUNIT_EXPECT_NULL_MSG(test, r, "%s STE[%u:%u] set", kind,
			      r ? r->hi : 0, r ? r->lo : 0);
}

static void nested_ste_translate(struct kunit *test)
{
	struct nested_test_env *env =
		make_env(test, IOMMU_SMMUV3_S1CTX_TRANSLATE);
	struct arm_smmu_ste ste, s2_ste;

	arm_smmu_make_nested_ste(&ste, &env->master, &env->nested, false);
	arm_smmu_make_s2_domain_ste(&s2_ste, &env->master, &env->s2, false);

	KUNIT_EXPECT_EQ(test, ste_arch(&ste, ARCH_STE_V), 1);
	KUNIT_EXPECT_EQ(test, ste_arch(&ste, ARCH_STE_CONFIG),
			ARCH_STE_CONFIG_NESTED);
	KUNIT_EXPECT_EQ(test, ste_arch(&ste, ARCH_STE_S1CONTEXTPTR) <<
			ARCH_LO(ARCH_STE_S1CONTEXTPTR), 0x40001000);
	KUNIT_EXPECT_EQ(test, ste_arch(&ste, ARCH_STE_S1CDMAX), 3);
	KUNIT_EXPECT_EQ(test, ste_arch(&ste, ARCH_STE_S1FMT), 1);
	KUNIT_EXPECT_EQ(test, ste_arch(&ste, ARCH_STE_S1DSS), 2);
	KUNIT_EXPECT_EQ(test, ste_arch(&ste, ARCH_STE_S1CIR), 1);
	KUNIT_EXPECT_EQ(test, ste_arch(&ste, ARCH_STE_S1COR), 2);
	KUNIT_EXPECT_EQ(test, ste_arch(&ste, ARCH_STE_S1CSH), 3);
	KUNIT_EXPECT_EQ(test, ste_arch(&ste, ARCH_STE_MEV), 1);
	KUNIT_EXPECT_EQ(test, ste_arch(&ste, ARCH_STE_EATS), ARCH_STE_EATS_ABT);
	KUNIT_EXPECT_EQ(test, ste_arch(&ste, ARCH_STE_S1STALLD), 0);
	expect_no_reserved(test, &ste);
	expect_no_reserved(test, &s2_ste);
	/* The whole stage-2 half, VMID included, is the parent's */
	KUNIT_EXPECT_EQ(test, ste_arch(&ste, ARCH_STE_S2VMID), 7);
	KUNIT_EXPECT_EQ(test, le64_to_cpu(ste.data[2]),
			le64_to_cpu(s2_ste.data[2]));
	KUNIT_EXPECT_EQ(test, le64_to_cpu(ste.data[3]),
			le64_to_cpu(s2_ste.data[3]));
	/* and nothing outside what the writer knows the SMMU uses */
	{
		__le64 used[STRTAB_STE_DWORDS] = {};
		int i;

		arm_smmu_get_ste_used(ste.data, used);
		for (i = 0; i < STRTAB_STE_DWORDS; i++)
			KUNIT_EXPECT_EQ(test,
					le64_to_cpu(ste.data[i] & ~used[i]), 0);
	}
}

static void nested_ste_ats(struct kunit *test)
{
	struct nested_test_env *env =
		make_env(test, IOMMU_SMMUV3_S1CTX_TRANSLATE);
	struct arm_smmu_ste ste;

	arm_smmu_make_nested_ste(&ste, &env->master, &env->nested, true);
	KUNIT_EXPECT_EQ(test, ste_arch(&ste, ARCH_STE_EATS),
			ARCH_STE_EATS_FULL);
}

/*
 * A parent with forced write-back: STE.S2FWB set where the architecture
 * has it (STE[89]), known to the entry writer, kept by nested STEs, and
 * nothing in reserved bits (the driver once put it at STE[153]).
 */
static void nested_ste_s2fwb(struct kunit *test)
{
	struct nested_test_env *env =
		make_env(test, IOMMU_SMMUV3_S1CTX_TRANSLATE);
	struct arm_smmu_ste ste, used = {};

	env->pgtable.cfg.quirks = IO_PGTABLE_QUIRK_ARM_S2FWB;
	arm_smmu_make_s2_domain_ste(&ste, &env->master, &env->s2, false);
	KUNIT_EXPECT_EQ(test, ste_arch(&ste, ARCH_STE_S2FWB), 1);
	expect_no_reserved(test, &ste);
	arm_smmu_get_ste_used(ste.data, used.data);
	KUNIT_EXPECT_EQ(test, ste_arch(&used, ARCH_STE_S2FWB), 1);

	arm_smmu_make_nested_ste(&ste, &env->master, &env->nested, false);
	KUNIT_EXPECT_EQ(test, ste_arch(&ste, ARCH_STE_S2FWB), 1);
	expect_no_reserved(test, &ste);
}

static void nested_ste_abort_and_bypass(struct kunit *test)
{
	struct nested_test_env *env = make_env(test, IOMMU_SMMUV3_S1CTX_ABORT);
	struct arm_smmu_ste ste, expect;

	arm_smmu_make_nested_ste(&ste, &env->master, &env->nested, false);
	arm_smmu_make_abort_ste(&expect);
	KUNIT_EXPECT_MEMEQ(test, &ste, &expect, sizeof(ste));

	env->nested.ctx.mode = IOMMU_SMMUV3_S1CTX_BYPASS;
	arm_smmu_make_nested_ste(&ste, &env->master, &env->nested, false);
	arm_smmu_make_s2_domain_ste(&expect, &env->master, &env->s2, false);
	KUNIT_EXPECT_MEMEQ(test, &ste, &expect, sizeof(ste));
}

/*
 * A writer whose sync checks what the SMMU would see: every intermediate
 * entry must be, in the bits its own config uses, the old or the new one.
 */
struct checking_writer {
	struct arm_smmu_entry_writer writer;
	const __le64 *entry, *from, *to;
	unsigned int syncs;
	bool torn;
};

static bool same_for_smmu(const __le64 *a, const __le64 *b)
{
	__le64 used_a[STRTAB_STE_DWORDS] = {}, used_b[STRTAB_STE_DWORDS] = {};
	int i;

	arm_smmu_get_ste_used(a, used_a);
	arm_smmu_get_ste_used(b, used_b);
	for (i = 0; i < STRTAB_STE_DWORDS; i++)
		if (used_a[i] != used_b[i] || (a[i] & used_a[i]) != (b[i] & used_b[i]))
			return false;
	return true;
}

static void checking_sync(struct arm_smmu_entry_writer *writer)
{
	struct checking_writer *w =
		container_of(writer, struct checking_writer, writer);

	w->syncs++;
	if (!same_for_smmu(w->entry, w->from) && !same_for_smmu(w->entry, w->to))
		w->torn = true;
}

static const struct arm_smmu_entry_writer_ops checking_ops = {
	.get_used = arm_smmu_get_ste_used,
	.sync = checking_sync,
};

/* Write @to over @from; returns whether the SMMU could see a torn STE */
static bool write_and_check(struct kunit *test, const struct arm_smmu_ste *from,
			    const struct arm_smmu_ste *to)
{
	struct arm_smmu_ste cur = *from;
	struct checking_writer w = {
		.writer.ops = &checking_ops,
		.entry = cur.data,
		.from = from->data,
		.to = to->data,
	};

	arm_smmu_write_entry(&w.writer, cur.data, to->data);
	KUNIT_EXPECT_MEMEQ(test, &cur, to, sizeof(cur));
	KUNIT_EXPECT_GT(test, w.syncs, 0);
	return w.torn;
}

/* The STEs a device moves between, for the hitless table */
enum ste_kind {
	STE_S2,		/* the nest parent attached, or a bypass nested HWPT */
	STE_NESTED,	/* a translating nested HWPT */
	STE_NESTED_CTX,	/* ... with another context pointer (qword 0) */
	STE_NESTED_W1,	/* ... with other S1CIR/S1COR/S1CSH (qword 1) */
	STE_NESTED_DSS,	/* ... with another pointer and S1DSS (qwords 0, 1) */
	STE_NESTED_ATS,	/* ... with eats = 1 */
	STE_ABORT,	/* an abort nested HWPT, or blocked */
	STE_CDTABLE,	/* the kernel's own stage-1 CD table */
	STE_BYPASS,	/* the kernel's identity domain */
	STE_KINDS
};

static void make_kind(struct nested_test_env *env, enum ste_kind kind,
		      struct arm_smmu_ste *ste)
{
	struct arm_smmu_nested_domain nested = env->nested;

	switch (kind) {
	case STE_S2:
		arm_smmu_make_s2_domain_ste(ste, &env->master, &env->s2, false);
		return;
	case STE_ABORT:
		arm_smmu_make_abort_ste(ste);
		return;
	case STE_CDTABLE:
		arm_smmu_make_cdtable_ste(ste, &env->master, false,
					  STRTAB_STE_1_S1DSS_SSID0);
		return;
	case STE_BYPASS:
		arm_smmu_make_bypass_ste(&env->smmu, ste);
		return;
	case STE_NESTED_CTX:
		nested.ctx.s1ctxptr = 0x40002000;
		break;
	case STE_NESTED_W1:
		nested.ctx.s1cir = 3;
		nested.ctx.s1cor = 3;
		nested.ctx.s1csh = 2;
		break;
	case STE_NESTED_DSS:
		nested.ctx.s1ctxptr = 0x40002000;
		nested.ctx.s1dss = 1;
		break;
	default:
		break;
	}
	arm_smmu_make_nested_ste(ste, &env->master, &nested,
				 kind == STE_NESTED_ATS);
}

/*
 * Which moves the SMMU sees without a torn or invalid STE, as the guide's
 * table says (Documentation/userspace-api/iommufd-smmuv3-nested.rst).
 * Everything not listed here passes through V=0 (DMA aborts meanwhile).
 */
static const struct {
	enum ste_kind from, to;
} hitless_moves[] = {
	/* A nested STE and the parent's, abort or bypass */
	{ STE_S2, STE_NESTED }, { STE_NESTED, STE_S2 },
	{ STE_NESTED, STE_ABORT }, { STE_ABORT, STE_NESTED },
	{ STE_NESTED, STE_BYPASS }, { STE_BYPASS, STE_NESTED },
	/* Nested to nested when only qword 0 or only qword 1 changes */
	{ STE_NESTED, STE_NESTED_CTX }, { STE_NESTED, STE_NESTED_W1 },
	{ STE_NESTED, STE_NESTED_ATS }, { STE_NESTED_ATS, STE_NESTED },
	/* The kernel's own STEs among themselves */
	{ STE_S2, STE_ABORT }, { STE_ABORT, STE_S2 },
	{ STE_S2, STE_BYPASS }, { STE_BYPASS, STE_S2 },
	{ STE_ABORT, STE_CDTABLE }, { STE_CDTABLE, STE_ABORT },
	{ STE_ABORT, STE_BYPASS }, { STE_BYPASS, STE_ABORT },
	{ STE_CDTABLE, STE_BYPASS }, { STE_BYPASS, STE_CDTABLE },
};

static bool listed_hitless(enum ste_kind from, enum ste_kind to)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hitless_moves); i++)
		if (hitless_moves[i].from == from && hitless_moves[i].to == to)
			return true;
	return false;
}

static void nested_ste_hitless_transitions(struct kunit *test)
{
	struct nested_test_env *env =
		make_env(test, IOMMU_SMMUV3_S1CTX_TRANSLATE);
	static const enum ste_kind checked[] = {
		STE_S2, STE_NESTED, STE_ABORT, STE_CDTABLE, STE_BYPASS,
	};
	struct arm_smmu_ste from, to;
	unsigned int i, k;

	/* Every move between the main kinds, and from a nested STE to each */
	for (i = 0; i < ARRAY_SIZE(checked); i++) {
		for (k = 0; k < STE_KINDS; k++) {
			bool torn;

			if (checked[i] == k ||
			    (checked[i] != STE_NESTED && k > STE_NESTED &&
			     k < STE_ABORT))
				continue;
			make_kind(env, checked[i], &from);
			make_kind(env, k, &to);
			torn = write_and_check(test, &from, &to);
			KUNIT_EXPECT_EQ_MSG(test, !torn,
					    listed_hitless(checked[i], k),
					    "move %u -> %u", checked[i], k);
		}
	}
	/*
	 * The checker can fail: a new context pointer and a new S1DSS change
	 * two used qwords, which the writer can only do through an invalid
	 * STE, and the checker must see that.
	 */
	make_kind(env, STE_NESTED, &from);
	make_kind(env, STE_NESTED_DSS, &to);
	KUNIT_EXPECT_TRUE(test, write_and_check(test, &from, &to));
}

/* Nest parents need an SMMU with both stages, and no dirty tracking */
static void nest_parent_needs_both_stages(struct kunit *test)
{
	struct nested_test_env *env =
		make_env(test, IOMMU_SMMUV3_S1CTX_TRANSLATE);

	u32 dirty = IOMMU_HWPT_ALLOC_DIRTY_TRACKING;

	KUNIT_EXPECT_EQ(test, arm_smmu_nest_parent_supported(&env->master, 0), 0);
	KUNIT_EXPECT_EQ(test, arm_smmu_nest_parent_supported(&env->master, dirty),
			-EOPNOTSUPP);
	/* What the probe leaves of NESTING when S1P or S2P is missing */
	env->smmu.features &= ~(ARM_SMMU_FEAT_TRANS_S1 | ARM_SMMU_FEAT_NESTING);
	KUNIT_EXPECT_EQ(test, arm_smmu_nest_parent_supported(&env->master, 0),
			-EOPNOTSUPP);
	env->smmu.features = ARM_SMMU_FEAT_TRANS_S1;
	KUNIT_EXPECT_EQ(test, arm_smmu_nest_parent_supported(&env->master, 0),
			-EOPNOTSUPP);
}

static struct kunit_case arm_smmu_v3_nested_cases[] = {
	KUNIT_CASE(nested_ste_translate),
	KUNIT_CASE(nested_ste_ats),
	KUNIT_CASE(nested_ste_s2fwb),
	KUNIT_CASE(nested_ste_abort_and_bypass),
	KUNIT_CASE(nested_ste_hitless_transitions),
	KUNIT_CASE(nest_parent_needs_both_stages),
	{},
};

static struct kunit_suite arm_smmu_v3_nested_suite = {
	.name = "arm-smmu-v3-nested",
	.test_cases = arm_smmu_v3_nested_cases,
};

kunit_test_suites(&arm_smmu_v3_nested_suite);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests of arm-smmu-v3 nested STEs");
MODULE_LICENSE("GPL");
