// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit, a differential test: the commands smmuv3_inv_translate() writes
 * are, bit for bit, what the driver's own encoder (arm_smmu_cmdq_build_cmd(),
 * code that shares nothing with arm-smmu-v3-inv.c) builds from the same
 * fields read back with the driver's masks. Two opcodes the driver never
 * issues itself are checked against their nearest kin: TLBI_NH_VAA is
 * TLBI_NH_VA without an ASID, TLBI_NH_ALL is TLBI_S12_VMALL's layout.
 *
 * The layout itself is checked elsewhere, against a field table written
 * from the architecture: every bit in the host tests
 * (tools/testing/smmuv3-nested/cmd_check.h) and the recorded queue of
 * arm-smmu-v3-nested-hw-test.c.
 */
#include <kunit/test.h>

#include "arm-smmu-v3-nested.h"
#include "arm-smmu-v3-inv.h"

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

/* Read a command back into the driver's own description of it */
static void to_ent(const struct smmuv3_cmd *c, struct arm_smmu_cmdq_ent *ent)
{
	u64 w0 = c->w[0], w1 = c->w[1];

	memset(ent, 0, sizeof(*ent));
	ent->opcode = FIELD_GET(CMDQ_0_OP, w0);
	switch (ent->opcode) {
	case SMMUV3_OP_CFGI_CD:
	case SMMUV3_OP_CFGI_CD_ALL:
		ent->cfgi.sid = FIELD_GET(CMDQ_CFGI_0_SID, w0);
		ent->cfgi.ssid = FIELD_GET(CMDQ_CFGI_0_SSID, w0);
		ent->cfgi.leaf = FIELD_GET(CMDQ_CFGI_1_LEAF, w1);
		break;
	case SMMUV3_OP_ATC_INV:
		ent->substream_valid = w0 & CMDQ_0_SSV;
		ent->atc.sid = FIELD_GET(CMDQ_ATC_0_SID, w0);
		ent->atc.ssid = FIELD_GET(CMDQ_ATC_0_SSID, w0);
		ent->atc.global = FIELD_GET(CMDQ_ATC_0_GLOBAL, w0);
		ent->atc.size = FIELD_GET(CMDQ_ATC_1_SIZE, w1);
		ent->atc.addr = w1 & CMDQ_ATC_1_ADDR_MASK;
		break;
	default:	/* TLBI */
		ent->tlbi.num = FIELD_GET(CMDQ_TLBI_0_NUM, w0);
		ent->tlbi.scale = FIELD_GET(CMDQ_TLBI_0_SCALE, w0);
		ent->tlbi.vmid = FIELD_GET(CMDQ_TLBI_0_VMID, w0);
		ent->tlbi.asid = FIELD_GET(CMDQ_TLBI_0_ASID, w0);
		ent->tlbi.leaf = FIELD_GET(CMDQ_TLBI_1_LEAF, w1);
		ent->tlbi.ttl = FIELD_GET(CMDQ_TLBI_1_TTL, w1);
		ent->tlbi.tg = FIELD_GET(CMDQ_TLBI_1_TG, w1);
		ent->tlbi.addr = w1 & CMDQ_TLBI_1_VA_MASK;
	}
}

static void expect_driver_encoding(struct kunit *test,
				   const struct smmuv3_cmd *cmd)
{
	struct arm_smmu_cmdq_ent ent;
	u64 raw[CMDQ_ENT_DWORDS];
	u8 op;

	to_ent(cmd, &ent);
	op = ent.opcode;
	/* The driver encodes neither of these: use their nearest kin */
	if (op == SMMUV3_OP_TLBI_NH_VAA) {
		KUNIT_EXPECT_EQ(test, ent.tlbi.asid, 0);
		ent.opcode = CMDQ_OP_TLBI_NH_VA;
	} else if (op == SMMUV3_OP_TLBI_NH_ALL) {
		ent.opcode = CMDQ_OP_TLBI_S12_VMALL;
	}
	KUNIT_ASSERT_EQ(test, arm_smmu_cmdq_build_cmd(raw, &ent), 0);
	raw[0] = (raw[0] & ~CMDQ_0_OP) | FIELD_PREP(CMDQ_0_OP, op);
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

static void nested_inv_matches_driver_encoder(struct kunit *test)
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
			expect_driver_encoding(test, &out.cmds[j]);
		for (j = 0; j < out.natc; j++)
			expect_driver_encoding(test, &out.atc[j]);
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
	KUNIT_CASE(nested_inv_matches_driver_encoder),
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
