// SPDX-License-Identifier: GPL-2.0
/*
 * A guest command -> what the VMM does (IHI 0070, chapter 4).
 *
 * Configuration invalidations name a guest StreamID: CFGI_STE and
 * CFGI_STE_RANGE (CFGI_ALL) make the VMM read those STEs again and
 * replace the devices' nested HWPTs; CFGI_CD and CFGI_CD_ALL become
 * CONTEXT entries on that device's nested HWPT. TLB invalidations name no
 * device: the TLB is tagged by the parent's VMID, which every nested HWPT
 * of the virtual SMMU shares, so any of them serves. ATC_INV names a
 * device and becomes a DEV_IOTLB entry. Guest VMIDs (the vSMMU has no
 * stage 2) and TTL hints are ignored: the kernel sets its own VMID, and
 * TTL 0 invalidates every level. CMD_RESUME and CMD_STALL_TERM answer
 * stalls, on a vSMMU that offers them (vsmmu_stall.c). Commands a
 * stage-1-only SMMU without hypervisor or PRI support does not have are
 * illegal.
 */
#include <string.h>

#include "smmuv3_vmm.h"

static uint64_t field(uint64_t w, unsigned int hi, unsigned int lo)
{
	return (w >> lo) & (~0ULL >> (63 - hi + lo));
}

/* Opcodes (IHI 0070, 4.1.2) */
#define OP_PREFETCH_CONFIG	0x01
#define OP_PREFETCH_ADDR	0x02
#define OP_CFGI_STE		0x03
#define OP_CFGI_STE_RANGE	0x04	/* CFGI_ALL is Range 31 */
#define OP_CFGI_CD		0x05
#define OP_CFGI_CD_ALL		0x06
#define OP_TLBI_NH_ALL		0x10
#define OP_TLBI_NH_ASID		0x11
#define OP_TLBI_NH_VA		0x12
#define OP_TLBI_NH_VAA		0x13
#define OP_TLBI_NSNH_ALL	0x30
#define OP_ATC_INV		0x40
#define OP_RESUME		0x44
#define OP_STALL_TERM		0x45
#define OP_CMD_SYNC		0x46

#define CMD_OP(c)		field((c)[0], 7, 0)
#define CMD_GLOBAL(c)		field((c)[0], 9, 9)
#define CMD_SSV(c)		field((c)[0], 11, 11)
#define CMD_SSID(c)		field((c)[0], 31, 12)
#define CMD_SID(c)		field((c)[0], 63, 32)
#define CMD_NUM(c)		field((c)[0], 16, 12)
#define CMD_SCALE(c)		field((c)[0], 24, 20)
#define CMD_ASID(c)		field((c)[0], 63, 48)
#define CMD_LEAF(c)		field((c)[1], 0, 0)
#define CMD_STE_RANGE(c)	field((c)[1], 4, 0)
#define CMD_TG(c)		field((c)[1], 11, 10)
#define CMD_ATC_SIZE(c)		field((c)[1], 5, 0)
#define CMD_ADDR(c)		((c)[1] & ~0xfffULL)
/*
 * CMD_RESUME and CMD_STALL_TERM (IHI 0070 4.7.1, 4.7.2; their layouts are
 * images the spec's text lacks: mainline's CMDQ_RESUME_* and QEMU's
 * CMD_RESUME_*, CMD_SSEC agree). StreamID CMD[63:32] as above.
 * CMD[10] SSec (4.1.6), CMD[12] Ac (Action: 1 retry, 0 terminate),
 * CMD[13] Ab (Abort: a terminated transaction aborts; mainline reads
 * [13:12] as one field: 0 Term, 1 Retry, 2 Abort), CMD[79:64] STAG.
 */
#define CMD_SSEC(c)		field((c)[0], 10, 10)
#define CMD_RESUME_AC(c)	field((c)[0], 12, 12)
#define CMD_RESUME_AB(c)	field((c)[0], 13, 13)
#define CMD_STAG(c)		field((c)[1], 15, 0)

/* ATC_INV Size: 2^Size 4 KB pages; 52 and above mean the whole ATC */
#define ATC_SIZE_ALL		52
#define SZ_4K			0x1000ULL

/* An 8-bit-ASID SMMU ignores ASID[15:8] */
static uint64_t asid(const uint64_t *cmd, const struct vsmmu_caps *caps)
{
	return CMD_ASID(cmd) & ((1ULL << caps->asid_bits) - 1);
}

static void invalidate(struct vsmmu_cmd *out, enum vsmmu_scope scope,
		       uint32_t cache, uint32_t granularity)
{
	out->action = VSMMU_INVALIDATE;
	out->scope = scope;
	out->entry.cache = cache;
	out->entry.granularity = granularity;
}

/* The smallest granule the vSMMU offers: what TG 0 leaves open */
static uint64_t smallest_granule(const struct vsmmu_caps *caps)
{
	return caps->granules & -caps->granules;
}

/*
 * TLBI_NH_VA(A): TG 0 is "the entries holding this address", whatever
 * their size: one page of the smallest granule, which the kernel issues
 * without a range. Otherwise (NUM + 1) << SCALE pages of granule TG from
 * the address. A granule the vSMMU does not offer cannot be in the
 * guest's tables: drop the address space (or everything) instead.
 */
static void tlbi_va(const uint64_t *cmd, const struct vsmmu_caps *caps,
		    bool by_asid, struct vsmmu_cmd *out)
{
	struct iommu_hwpt_invalidate_generic *e = &out->entry;
	unsigned int tg = CMD_TG(cmd);
	uint64_t granule = tg ? 0x400ULL << (2 * tg) : smallest_granule(caps);

	if (by_asid) {
		e->flags = IOMMU_INV_FLAG_ARCHID;
		e->archid = asid(cmd, caps);
	}
	if (!(granule & caps->granules)) {
		invalidate(out, VSMMU_ANY_DEVICE, IOMMU_INV_CACHE_IOTLB,
			   by_asid ? IOMMU_INV_GRANU_ADDR_SPACE :
				  IOMMU_INV_GRANU_DOMAIN);
		return;
	}
	invalidate(out, VSMMU_ANY_DEVICE, IOMMU_INV_CACHE_IOTLB,
		   IOMMU_INV_GRANU_ADDR);
	e->flags |= CMD_LEAF(cmd) ? IOMMU_INV_FLAG_LEAF : 0;
	e->granule_size = granule;
	e->addr = CMD_ADDR(cmd) & ~(granule - 1);
	e->nb_granules = tg ? (CMD_NUM(cmd) + 1) << CMD_SCALE(cmd) : 1;
	/* An address inside a page: cover the page it starts in too */
	if (e->addr != CMD_ADDR(cmd) && tg)
		e->nb_granules++;
	/* Nothing lies beyond 2^64: the range stops there */
	if (e->addr && e->nb_granules > (0 - e->addr) / granule)
		e->nb_granules = (0 - e->addr) / granule;
}

/*
 * ATC_INV: 2^Size pages of 4 KB, aligned, in the SubstreamID with SSV
 * (Global: in every SubstreamID, so no PASID).
 */
static void atc_inv(const uint64_t *cmd, const struct vsmmu_caps *caps,
		    struct vsmmu_cmd *out)
{
	struct iommu_hwpt_invalidate_generic *e = &out->entry;
	bool pasid = CMD_SSV(cmd) && !CMD_GLOBAL(cmd);
	unsigned int size = CMD_ATC_SIZE(cmd);

	if (pasid && CMD_SSID(cmd) >> caps->ssid_bits) {
		out->action = VSMMU_ILLEGAL;
		return;
	}
	out->first = CMD_SID(cmd);
	if (pasid) {
		e->flags = IOMMU_INV_FLAG_PASID;
		e->pasid = CMD_SSID(cmd);
	}
	if (size >= ATC_SIZE_ALL) {
		invalidate(out, VSMMU_ONE_DEVICE, IOMMU_INV_CACHE_DEV_IOTLB,
			   pasid ? IOMMU_INV_GRANU_PASID :
				   IOMMU_INV_GRANU_DOMAIN);
		return;
	}
	invalidate(out, VSMMU_ONE_DEVICE, IOMMU_INV_CACHE_DEV_IOTLB,
		   IOMMU_INV_GRANU_ADDR);
	e->granule_size = SZ_4K;
	e->nb_granules = 1ULL << size;
	e->addr = CMD_ADDR(cmd) & ~((SZ_4K << size) - 1);
}

/*
 * CMD_RESUME (4.7.1) and CMD_STALL_TERM (4.7.2): illegal on an SMMU that
 * cannot stall (STALL_MODEL 0b01) and with SSec 1 on the Non-secure
 * queue (4.1.6). Which stall they name is vsmmu_stalls_*()'s to find.
 */
static void stall_cmd(const uint64_t *cmd, const struct vsmmu_caps *caps,
		      struct vsmmu_cmd *out)
{
	if (!caps->stalls || CMD_SSEC(cmd)) {
		out->action = VSMMU_ILLEGAL;
		return;
	}
	out->first = CMD_SID(cmd);
	out->last = out->first;
	if (CMD_OP(cmd) == OP_STALL_TERM) {
		out->action = VSMMU_STALL_TERM;
		return;
	}
	out->action = VSMMU_RESUME;
	out->stag = CMD_STAG(cmd);
	/* Ab only matters for a transaction that is not retried */
	out->resume = CMD_RESUME_AC(cmd) ? VSMMU_RESUME_RETRY :
		      CMD_RESUME_AB(cmd) ? VSMMU_RESUME_ABORT :
					   VSMMU_RESUME_TERM;
}

/* Documented in smmuv3_vmm.h, as every call of the library */
void vsmmu_cmd_decode(const uint64_t cmd[2], const struct vsmmu_caps *caps,
		      struct vsmmu_cmd *out)
{
	unsigned int range;

	memset(out, 0, sizeof(*out));
	switch (CMD_OP(cmd)) {
	case OP_PREFETCH_CONFIG:
	case OP_PREFETCH_ADDR:
		out->action = VSMMU_NOTHING;
		break;
	case OP_CMD_SYNC:
		out->action = VSMMU_SYNC;
		break;
	case OP_CFGI_STE:
		out->action = VSMMU_RELOAD_STE;
		out->first = CMD_SID(cmd);
		out->last = out->first;
		break;
	case OP_CFGI_STE_RANGE:
		/* 2^(Range + 1) StreamIDs, aligned; Range 31: all of them */
		out->action = VSMMU_RELOAD_STE;
		range = CMD_STE_RANGE(cmd);
		if (range == 31) {
			out->last = UINT32_MAX;
			break;
		}
		out->first = CMD_SID(cmd) & ~((2ULL << range) - 1);
		out->last = out->first + (2ULL << range) - 1;
		break;
	case OP_CFGI_CD:
		/* A SubstreamID beyond SSIDSIZE is an illegal command */
		if (CMD_SSID(cmd) >> caps->ssid_bits) {
			out->action = VSMMU_ILLEGAL;
			break;
		}
		invalidate(out, VSMMU_ONE_DEVICE, IOMMU_INV_CACHE_CONTEXT,
			   IOMMU_INV_GRANU_PASID);
		out->first = CMD_SID(cmd);
		out->entry.flags = IOMMU_INV_FLAG_PASID |
				   (CMD_LEAF(cmd) ? IOMMU_INV_FLAG_LEAF : 0);
		out->entry.pasid = CMD_SSID(cmd);
		break;
	case OP_CFGI_CD_ALL:
		invalidate(out, VSMMU_ONE_DEVICE, IOMMU_INV_CACHE_CONTEXT,
			   IOMMU_INV_GRANU_DOMAIN);
		out->first = CMD_SID(cmd);
		break;
	case OP_TLBI_NH_ALL:
	case OP_TLBI_NSNH_ALL:
		invalidate(out, VSMMU_ANY_DEVICE, IOMMU_INV_CACHE_IOTLB,
			   IOMMU_INV_GRANU_DOMAIN);
		break;
	case OP_TLBI_NH_ASID:
		invalidate(out, VSMMU_ANY_DEVICE, IOMMU_INV_CACHE_IOTLB,
			   IOMMU_INV_GRANU_ADDR_SPACE);
		out->entry.flags = IOMMU_INV_FLAG_ARCHID;
		out->entry.archid = asid(cmd, caps);
		break;
	case OP_TLBI_NH_VA:
		tlbi_va(cmd, caps, true, out);
		break;
	case OP_TLBI_NH_VAA:
		tlbi_va(cmd, caps, false, out);
		break;
	case OP_ATC_INV:
		atc_inv(cmd, caps, out);
		break;
	case OP_RESUME:
	case OP_STALL_TERM:
		stall_cmd(cmd, caps, out);
		break;
	default:
		out->action = VSMMU_ILLEGAL;
	}
}
