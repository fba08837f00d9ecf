// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: every command smmuv3_inv_translate() writes sets only bits of
 * fields the SMMUv3 architecture defines for its opcode. Each command is
 * read back with the architecture's field positions (IHI 0070, 4.3 to 4.5,
 * as arm-smmu-v3-nested-test-arch.h records them) and
 * built again by the driver's own encoder, arm_smmu_cmdq_build_cmd(), code
 * that shares nothing with arm-smmu-v3-inv.c; a bit outside those fields
 * (a reserved bit, SSV on a TLBI) makes the two differ. Two opcodes the
 * driver never issues itself are built as their nearest kin: TLBI_NH_VAA
 * is TLBI_NH_VA without an ASID, TLBI_NH_ALL is TLBI_S12_VMALL's layout.
 *
 * This cannot see a field written at the wrong place inside the defined
 * ones (reading and building again keeps such bits where they are). The
 * field values are checked against what each entry asks for by the host
 * tests (every bit, tools/testing/smmuv3-nested/) and by the decoded queue
 * of arm-smmu-v3-nested-hw-test.c.
 */
#include <kunit/test.h>

#include "arm-smmu-v3-nested.h"
#include "arm-smmu-v3-inv.h"
#include "arm-smmu-v3-nested-test-arch.h"

static const u32 test_sids[] = { 5, 0x10001 };
static const u32 test_ats_sids[] = { 0x10001 };

static const struct smmuv3_inv_target test_target = {
	.vmid = 0x1234,
	.ril = true,
	.asid_bits = 16,
	.ssid_bits = 8,
	.granules = SZ_4K | SZ_64K,
	.sids = test_sids,
	.nsids = ARRAY_SIZE(test_sids),
	.ats_sids = test_ats_sids,
	.nats = ARRAY_SIZE(test_ats_sids),
};

/* Read a command back, with the architecture's field positions */
static void to_ent(const struct smmuv3_cmd *c, struct arm_smmu_cmdq_ent *ent)
{
	memset(ent, 0, sizeof(*ent));
	ent->opcode = arch_field(c->w, ARCH_CMD_OP);
	switch (ent->opcode) {
	case ARCH_OP_CFGI_CD:
	case ARCH_OP_CFGI_CD_ALL:
		ent->cfgi.ssid = arch_field(c->w, ARCH_CMD_SSID);
		ent->cfgi.sid = arch_field(c->w, ARCH_CMD_SID);
		ent->cfgi.leaf = arch_field(c->w, ARCH_CMD_LEAF);
		break;
	case ARCH_OP_ATC_INV:
		ent->atc.global = arch_field(c->w, ARCH_CMD_GLOBAL);
		ent->substream_valid = arch_field(c->w, ARCH_CMD_SSV);
		ent->atc.ssid = arch_field(c->w, ARCH_CMD_SSID);
		ent->atc.sid = arch_field(c->w, ARCH_CMD_SID);
		ent->atc.size = arch_field(c->w, ARCH_CMD_ATC_SIZE);
		ent->atc.addr = arch_field(c->w, ARCH_CMD_ADDR) <<
				ARCH_LO(ARCH_CMD_ADDR) % 64;
		break;
	default:	/* TLBI */
		ent->tlbi.num = arch_field(c->w, ARCH_CMD_NUM);
		ent->tlbi.scale = arch_field(c->w, ARCH_CMD_SCALE);
		ent->tlbi.vmid = arch_field(c->w, ARCH_CMD_VMID);
		ent->tlbi.asid = arch_field(c->w, ARCH_CMD_ASID);
		ent->tlbi.leaf = arch_field(c->w, ARCH_CMD_LEAF);
		ent->tlbi.ttl = arch_field(c->w, ARCH_CMD_TTL);
		ent->tlbi.tg = arch_field(c->w, ARCH_CMD_TG);
		ent->tlbi.addr = arch_field(c->w, ARCH_CMD_ADDR) <<
				 ARCH_LO(ARCH_CMD_ADDR) % 64;
	}
}

static void expect_only_defined_fields(struct kunit *test,
				       const struct smmuv3_cmd *cmd)
{
	struct arm_smmu_cmdq_ent ent;
	u64 raw[CMDQ_ENT_DWORDS];
	u8 op;

	to_ent(cmd, &ent);
	op = ent.opcode;
	/* The driver encodes neither of these: use their nearest kin */
	if (op == ARCH_OP_TLBI_NH_VAA) {
		KUNIT_EXPECT_EQ(test, ent.tlbi.asid, 0);
		ent.opcode = CMDQ_OP_TLBI_NH_VA;
	} else if (op == ARCH_OP_TLBI_NH_ALL) {
		ent.opcode = CMDQ_OP_TLBI_S12_VMALL;
	}
	KUNIT_ASSERT_EQ(test, arm_smmu_cmdq_build_cmd(raw, &ent), 0);
	arch_field_set(raw, ARCH_CMD_OP, op);
	KUNIT_EXPECT_EQ_MSG(test, cmd->w[0], raw[0], "opcode %#x word 0", op);
	KUNIT_EXPECT_EQ_MSG(test, cmd->w[1], raw[1], "opcode %#x word 1", op);
}

static const struct iommu_hwpt_invalidate_generic test_entries[] = {
	{ .cache = IOMMU_INV_CACHE_IOTLB, .granularity = IOMMU_INV_GRANU_DOMAIN },
	{ .cache = IOMMU_INV_CACHE_IOTLB,
	  .granularity = IOMMU_INV_GRANU_ADDR_SPACE,
	  .flags = IOMMU_INV_FLAG_ARCHID, .archid = 0xbeef },
	{ .cache = IOMMU_INV_CACHE_IOTLB, .granularity = IOMMU_INV_GRANU_ADDR,
	  .flags = IOMMU_INV_FLAG_ARCHID | IOMMU_INV_FLAG_LEAF, .archid = 7,
	  .addr = 0x123450000ULL, .granule_size = SZ_64K, .nb_granules = 1234 },
	{ .cache = IOMMU_INV_CACHE_IOTLB, .granularity = IOMMU_INV_GRANU_ADDR,
	  .addr = 0xfff000, .granule_size = SZ_4K, .nb_granules = 1 },
	{ .cache = IOMMU_INV_CACHE_CONTEXT | IOMMU_INV_CACHE_DEV_IOTLB,
	  .granularity = IOMMU_INV_GRANU_PASID,
	  .flags = IOMMU_INV_FLAG_PASID | IOMMU_INV_FLAG_LEAF, .pasid = 0xab },
	{ .cache = IOMMU_INV_CACHE_CONTEXT | IOMMU_INV_CACHE_DEV_IOTLB,
	  .granularity = IOMMU_INV_GRANU_DOMAIN },
	{ .cache = IOMMU_INV_CACHE_DEV_IOTLB, .granularity = IOMMU_INV_GRANU_ADDR,
	  .flags = IOMMU_INV_FLAG_PASID, .pasid = 3, .addr = 0x7000,
	  .granule_size = SZ_4K, .nb_granules = 3 },
};

static void nested_inv_sets_only_defined_fields(struct kunit *test)
{
	unsigned int max = smmuv3_inv_max_cmds(&test_target);
	struct smmuv3_inv_cmds out = {
		.cmds = kunit_kcalloc(test, max, sizeof(*out.cmds), GFP_KERNEL),
		.atc = kunit_kcalloc(test, test_target.nats, sizeof(*out.atc),
				     GFP_KERNEL),
	};
	unsigned int i, j, seen = 0;

	KUNIT_ASSERT_NOT_NULL(test, out.cmds);
	KUNIT_ASSERT_NOT_NULL(test, out.atc);
	for (i = 0; i < ARRAY_SIZE(test_entries); i++) {
		KUNIT_ASSERT_EQ(test, smmuv3_inv_translate(&test_entries[i],
							   &test_target, &out),
				0);
		KUNIT_EXPECT_GT(test, out.ncmds + out.natc, 0);
		for (j = 0; j < out.ncmds; j++)
			expect_only_defined_fields(test, &out.cmds[j]);
		for (j = 0; j < out.natc; j++)
			expect_only_defined_fields(test, &out.atc[j]);
		seen += out.ncmds + out.natc;
	}
	/* Every opcode was exercised, range commands included */
	KUNIT_EXPECT_GE(test, seen, ARRAY_SIZE(test_entries) + 4);
}

static void nested_inv_refused_entry_writes_nothing(struct kunit *test)
{
	struct iommu_hwpt_invalidate_generic inv = {
		.cache = IOMMU_INV_CACHE_CONTEXT,
		.granularity = IOMMU_INV_GRANU_ADDR,
		.granule_size = SZ_4K,
		.nb_granules = 1,
	};
	struct smmuv3_cmd cmds[80] = {}, atc[1] = {};
	struct smmuv3_inv_cmds out = { .cmds = cmds, .atc = atc };

	KUNIT_EXPECT_EQ(test, smmuv3_inv_translate(&inv, &test_target, &out),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, out.ncmds + out.natc, 0);
	KUNIT_EXPECT_EQ(test, cmds[0].w[0], 0);
}

static struct kunit_case arm_smmu_v3_nested_inv_cases[] = {
	KUNIT_CASE(nested_inv_sets_only_defined_fields),
	KUNIT_CASE(nested_inv_refused_entry_writes_nothing),
	{},
};

static struct kunit_suite arm_smmu_v3_nested_inv_suite = {
	.name = "arm-smmu-v3-nested-inv",
	.test_cases = arm_smmu_v3_nested_inv_cases,
};

kunit_test_suites(&arm_smmu_v3_nested_inv_suite);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests of arm-smmu-v3 nested invalidation commands");
MODULE_LICENSE("GPL");
