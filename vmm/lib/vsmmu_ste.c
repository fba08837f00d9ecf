// SPDX-License-Identifier: GPL-2.0
/*
 * A guest STE -> the stage-1 context of a nested HWPT.
 *
 * The virtual SMMU implements stage 1 only, so a guest STE is valid with
 * Config abort (0b000), bypass (0b100) or stage-1 translate (0b101). The
 * rest is illegal, as the architecture says for an SMMU without stage 2
 * (IHI 0070, 5.2): V = 0, Config with stage 2 (0b11x) or reserved
 * (0b001 to 0b011), a reserved S1Fmt, S1DSS or EATS value, S1CDMax above
 * SSIDSIZE, two-level tables without CD2L. An illegal STE earns the guest
 * a C_BAD_STE event and aborts the device's DMA: the VMM attaches an
 * abort nested HWPT.
 */
#include <errno.h>
#include <string.h>

#include "smmuv3_vmm.h"

/* @hi..@lo of a 64-bit word */
static uint64_t field(uint64_t w, unsigned int hi, unsigned int lo)
{
	return (w >> lo) & (~0ULL >> (63 - hi + lo));
}

#define STE_V(s)		field((s)->w[0], 0, 0)
#define STE_CONFIG(s)		field((s)->w[0], 3, 1)
#define STE_S1FMT(s)		field((s)->w[0], 5, 4)
#define STE_S1CTXPTR(s)		(field((s)->w[0], 51, 6) << 6)
#define STE_S1CDMAX(s)		field((s)->w[0], 63, 59)
#define STE_S1DSS(s)		field((s)->w[1], 1, 0)
#define STE_S1CIR(s)		field((s)->w[1], 3, 2)
#define STE_S1COR(s)		field((s)->w[1], 5, 4)
#define STE_S1CSH(s)		field((s)->w[1], 7, 6)
#define STE_S1STALLD(s)		field((s)->w[1], 27, 27)
#define STE_EATS(s)		field((s)->w[1], 29, 28)

#define CONFIG_ABORT		0
#define CONFIG_BYPASS		4
#define CONFIG_S1		5
#define S1FMT_RESERVED		3
#define S1DSS_RESERVED		3
#define EATS_FULL		1

static int decode(const struct vsmmu_ste *ste, const struct vsmmu_caps *caps,
		  struct iommu_hwpt_arm_smmuv3_s1ctx *ctx)
{
	unsigned int config = STE_CONFIG(ste), eats = STE_EATS(ste);

	if (!STE_V(ste))
		return -EINVAL;
	/* EATS: 0b00 no ATS, 0b01 ATS; split-stage and reserved need S2 */
	if (eats > EATS_FULL)
		return -EINVAL;
	switch (config) {
	case CONFIG_ABORT:
		ctx->mode = IOMMU_SMMUV3_S1CTX_ABORT;
		return 0;	/* EATS does not matter: nothing translates */
	case CONFIG_BYPASS:
		ctx->mode = IOMMU_SMMUV3_S1CTX_BYPASS;
		ctx->eats = caps->ats && eats;
		return 0;
	case CONFIG_S1:
		break;
	default:
		return -EINVAL;
	}

	ctx->mode = IOMMU_SMMUV3_S1CTX_TRANSLATE;
	ctx->eats = caps->ats && eats;
	ctx->s1ctxptr = STE_S1CTXPTR(ste);
	if (caps->ias < 64 && ctx->s1ctxptr >> caps->ias)
		return -EINVAL;
	ctx->s1cdmax = STE_S1CDMAX(ste);
	if (ctx->s1cdmax > caps->ssid_bits)
		return -EINVAL;
	/* With a single CD, S1Fmt and S1DSS are ignored */
	if (ctx->s1cdmax) {
		ctx->s1fmt = STE_S1FMT(ste);
		ctx->s1dss = STE_S1DSS(ste);
		if (ctx->s1fmt == S1FMT_RESERVED ||
		    (ctx->s1fmt && !caps->cd2l) ||
		    ctx->s1dss == S1DSS_RESERVED)
			return -EINVAL;
	}
	ctx->s1cir = STE_S1CIR(ste);
	ctx->s1cor = STE_S1COR(ste);
	/* S1CSH 0b01 is reserved: the VMM fetches as non-shareable (0b00) */
	ctx->s1csh = STE_S1CSH(ste) == 1 ? 0 : STE_S1CSH(ste);
	/* RES0 unless stalls are supported and not forced */
	ctx->s1stalld = caps->stalls && STE_S1STALLD(ste);
	return 0;
}

/* Documented in smmuv3_vmm.h, as every call of the library */
int vsmmu_ste_decode(const struct vsmmu_ste *ste,
		     const struct vsmmu_caps *caps,
		     struct iommu_hwpt_arm_smmuv3_s1ctx *ctx)
{
	int ret;

	memset(ctx, 0, sizeof(*ctx));
	ret = decode(ste, caps, ctx);
	if (ret) {
		memset(ctx, 0, sizeof(*ctx));
		ctx->mode = IOMMU_SMMUV3_S1CTX_ABORT;
	}
	return ret;
}
