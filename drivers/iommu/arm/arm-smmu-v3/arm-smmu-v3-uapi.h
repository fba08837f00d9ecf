/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The driver-independent half of the SMMUv3 nesting uAPI: checking what a
 * VMM hands in against what the SMMU can do. Plain C with no kernel
 * dependencies beyond <linux/types.h> and errno values, so the same file
 * builds in userspace for host tests and fuzzing
 * (tools/testing/smmuv3-nested/).
 */
#ifndef _ARM_SMMU_V3_UAPI_H
#define _ARM_SMMU_V3_UAPI_H

#include <linux/types.h>
#include <uapi/linux/iommufd.h>

/**
 * struct smmuv3_nest_caps - what one SMMU (and device) lets a guest use
 * @ias: stage-2 input address size in bits: the guest's IPA space
 * @ssid_bits: IDR1.SSIDSIZE as the driver uses it
 * @cd2l: two-level context descriptor tables (IDR0.CD2L)
 * @ats: the SMMU and the device both do PCI ATS
 * @stall_ok: stalls are supported and not forced, so S1STALLD may be set
 */
struct smmuv3_nest_caps {
	unsigned int ias;
	unsigned int ssid_bits;
	bool cd2l;
	bool ats;
	bool stall_ok;
};

int smmuv3_s1ctx_check(const struct iommu_hwpt_arm_smmuv3_s1ctx *ctx,
		       const struct smmuv3_nest_caps *caps);

#endif /* _ARM_SMMU_V3_UAPI_H */
