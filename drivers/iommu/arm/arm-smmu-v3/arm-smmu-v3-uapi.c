// SPDX-License-Identifier: GPL-2.0
/*
 * Validation of a guest's stage-1 context for a nested SMMUv3 domain.
 *
 * Errno rules, documented for VMM authors in
 * Documentation/userspace-api/iommufd-smmuv3-nested.rst:
 *   -EOPNOTSUPP  a flag or reserved field this kernel does not know
 *   -EINVAL      a field holds a value this SMMU (or device) cannot use
 */
#include <linux/errno.h>

#include "arm-smmu-v3-uapi.h"

#define S1CTXPTR_ALIGN	64
#define S1FMT_64K_L2	2
#define S1DSS_SSID0	2
#define S1CSH_RESERVED	1

/* Fields that only mean something when stage 1 translates */
static bool s1_fields_clear(const struct iommu_hwpt_arm_smmuv3_s1ctx *ctx)
{
	return !ctx->s1ctxptr && !ctx->s1cdmax && !ctx->s1fmt &&
	       !ctx->s1dss && !ctx->s1cir && !ctx->s1cor && !ctx->s1csh &&
	       !ctx->s1stalld;
}

static int s1_fields_check(const struct iommu_hwpt_arm_smmuv3_s1ctx *ctx,
			   const struct smmuv3_nest_caps *caps)
{
	/* The IPA must fit the stage-2 input range of the parent */
	if (ctx->s1ctxptr % S1CTXPTR_ALIGN ||
	    (caps->ias < 64 && ctx->s1ctxptr >> caps->ias))
		return -EINVAL;
	if (ctx->s1cdmax > caps->ssid_bits)
		return -EINVAL;
	/* A single CD has no table format to choose */
	if (ctx->s1fmt > S1FMT_64K_L2 || (ctx->s1fmt && !caps->cd2l) ||
	    (ctx->s1fmt && !ctx->s1cdmax))
		return -EINVAL;
	if (ctx->s1dss > S1DSS_SSID0)
		return -EINVAL;
	if (ctx->s1cir > 3 || ctx->s1cor > 3 || ctx->s1csh > 3 ||
	    ctx->s1csh == S1CSH_RESERVED)
		return -EINVAL;
	if (ctx->s1stalld > 1 || (ctx->s1stalld && !caps->stall_ok))
		return -EINVAL;
	return 0;
}

/**
 * smmuv3_s1ctx_check() - may this stage-1 context go into a nested STE?
 * @ctx: the context as the VMM gave it
 * @caps: what the SMMU and the device support
 *
 * Return: 0, -EOPNOTSUPP or -EINVAL (see the top of this file).
 */
int smmuv3_s1ctx_check(const struct iommu_hwpt_arm_smmuv3_s1ctx *ctx,
		       const struct smmuv3_nest_caps *caps)
{
	if (ctx->flags || ctx->__reserved)
		return -EOPNOTSUPP;
	if (ctx->eats > 1 || (ctx->eats && !caps->ats))
		return -EINVAL;

	switch (ctx->mode) {
	case IOMMU_SMMUV3_S1CTX_ABORT:
		return s1_fields_clear(ctx) && !ctx->eats ? 0 : -EINVAL;
	case IOMMU_SMMUV3_S1CTX_BYPASS:
		return s1_fields_clear(ctx) ? 0 : -EINVAL;
	case IOMMU_SMMUV3_S1CTX_TRANSLATE:
		return s1_fields_check(ctx, caps);
	default:
		return -EINVAL;
	}
}
