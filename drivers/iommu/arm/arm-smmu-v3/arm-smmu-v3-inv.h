/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic (architecture-neutral) invalidation entries turned into SMMUv3
 * command queue entries. Plain C with no kernel dependencies beyond
 * <linux/types.h> and errno values, so host tests and a fuzzer build the
 * same file (tools/testing/smmuv3-nested/).
 */
#ifndef _ARM_SMMU_V3_INV_H
#define _ARM_SMMU_V3_INV_H

#include <linux/types.h>
#include <uapi/linux/iommufd.h>

/* Architected command opcodes this translation may emit, and no other */
#define SMMUV3_OP_CFGI_CD		0x05
#define SMMUV3_OP_CFGI_CD_ALL		0x06
#define SMMUV3_OP_TLBI_NH_ALL		0x10
#define SMMUV3_OP_TLBI_NH_ASID		0x11
#define SMMUV3_OP_TLBI_NH_VA		0x12
#define SMMUV3_OP_TLBI_NH_VAA		0x13
#define SMMUV3_OP_ATC_INV		0x40

/* One command queue entry, two little-endian 64-bit words as the SMMU
 * reads them (the driver stores them in CPU order, as its own do).
 */
struct smmuv3_cmd {
	u64 w[2];
};

/* Per-page TLBI commands allowed for a range before one wider command */
#define SMMUV3_INV_MAX_TLBI_OPS		64
/* Range (RIL) commands of one entry: 5 bits of the page count each */
#define SMMUV3_INV_MAX_RANGE_OPS	14

/**
 * struct smmuv3_inv_target - what the kernel adds to a user's entry
 * @vmid: the nest parent's VMID; every TLBI carries it
 * @ril: the SMMU has range invalidation (IDR3.RIL)
 * @asid_bits: ASID width, 8 or 16
 * @ssid_bits: SubstreamID width (0: no PASIDs)
 * @granules: translation granules the SMMU supports, as a mask of sizes
 *            (4K, 16K, 64K)
 * @sids: StreamIDs of the devices attached to the nested domain
 * @nsids: how many
 * @ats_sids: those of @sids whose device has ATS enabled
 * @ats_pasid: for each of @ats_sids, whether the device has PASIDs
 *             enabled: only those get PASID-tagged (SSV) ATC_INV; NULL
 *             if none has
 * @nats: how many
 */
struct smmuv3_inv_target {
	u16 vmid;
	bool ril;
	unsigned int asid_bits;
	unsigned int ssid_bits;
	u64 granules;
	const u32 *sids;
	unsigned int nsids;
	const u32 *ats_sids;
	const bool *ats_pasid;
	unsigned int nats;
};

/**
 * struct smmuv3_inv_cmds - the commands of one entry, in two phases
 * @cmds: CFGI and TLBI commands; room for smmuv3_inv_max_cmds()
 * @ncmds: how many were written
 * @atc: ATC_INV commands, to issue only once @cmds have completed (a
 *       device must not refetch a stale translation from the SMMU);
 *       room for @target->nats
 * @natc: how many were written
 */
struct smmuv3_inv_cmds {
	struct smmuv3_cmd *cmds;
	unsigned int ncmds;
	struct smmuv3_cmd *atc;
	unsigned int natc;
};

unsigned int smmuv3_inv_max_cmds(const struct smmuv3_inv_target *t);
int smmuv3_inv_translate(const struct iommu_hwpt_invalidate_generic *inv,
			 const struct smmuv3_inv_target *t,
			 struct smmuv3_inv_cmds *out);

#endif /* _ARM_SMMU_V3_INV_H */
