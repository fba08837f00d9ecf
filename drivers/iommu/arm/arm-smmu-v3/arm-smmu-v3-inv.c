// SPDX-License-Identifier: GPL-2.0
/*
 * Turn one architecture-neutral invalidation entry into SMMUv3 commands.
 *
 * The user says which caches and how much; the kernel supplies the tags:
 * every TLBI carries the nest parent's VMID and every CFGI/ATC_INV one of
 * the nested domain's StreamIDs. Only the opcodes listed in
 * arm-smmu-v3-inv.h can come out, and every field is range checked first,
 * so no entry can reach another VM's caches or put a command the SMMU
 * would reject (CERROR_ILL) on the shared queue.
 *
 * Errno rules (Documentation/userspace-api/iommufd-smmuv3-nested.rst):
 *   -EOPNOTSUPP  an unknown cache, flag or a reserved field set
 *   -EINVAL      an invalid combination or a value out of range
 */
#include <linux/errno.h>
#include <linux/export.h>
#include <kunit/visibility.h>

#include "arm-smmu-v3-inv.h"

#define INV_ALL_CACHES	(IOMMU_INV_CACHE_IOTLB | IOMMU_INV_CACHE_DEV_IOTLB | \
			 IOMMU_INV_CACHE_CONTEXT)
#define INV_ALL_FLAGS	(IOMMU_INV_FLAG_ARCHID | IOMMU_INV_FLAG_PASID | \
			 IOMMU_INV_FLAG_LEAF)

/* @val placed in bits @lo..@hi of a command word */
static inline u64 cmd_field(u64 val, unsigned int hi, unsigned int lo)
{
	return (val & (~0ULL >> (63 - hi + lo))) << lo;
}

#define CMD_FIELD(val, hi, lo)	cmd_field(val, hi, lo)
#define CMD0_OP(x)		CMD_FIELD(x, 7, 0)
#define CMD0_ATC_GLOBAL		CMD_FIELD(1, 9, 9)
#define CMD0_SSV		CMD_FIELD(1, 11, 11)
#define CMD0_NUM(x)		CMD_FIELD(x, 16, 12)
#define CMD0_SCALE(x)		CMD_FIELD(x, 24, 20)
#define CMD0_SSID(x)		CMD_FIELD(x, 31, 12)
#define CMD0_VMID(x)		CMD_FIELD(x, 47, 32)
#define CMD0_SID(x)		CMD_FIELD(x, 63, 32)
#define CMD0_ASID(x)		CMD_FIELD(x, 63, 48)
#define CMD1_LEAF(x)		CMD_FIELD(x, 0, 0)
#define CMD1_TG(x)		CMD_FIELD(x, 11, 10)
#define CMD1_ADDR(x)		((x) & ~0xfffULL)
#define CMD1_ATC_SIZE(x)	CMD_FIELD(x, 5, 0)

#define ATC_SIZE_ALL		52	/* log2 of 4KB pages: everything */
#define RANGE_SCALE_MAX		31

static struct smmuv3_cmd *next_cmd(struct smmuv3_inv_cmds *out)
{
	struct smmuv3_cmd *cmd = &out->cmds[out->ncmds++];

	cmd->w[0] = 0;
	cmd->w[1] = 0;
	return cmd;
}

/* TG field of a translation granule size: 4K=1, 16K=2, 64K=3 */
static unsigned int granule_tg(u64 size)
{
	return size == 4096 ? 1 : size == 16384 ? 2 : 3;
}

static bool is_pow2(u64 x)
{
	return x && !(x & (x - 1));
}

static int check_entry(const struct iommu_hwpt_invalidate_generic *inv,
		       const struct smmuv3_inv_target *t)
{
	bool archid = inv->flags & IOMMU_INV_FLAG_ARCHID;
	bool pasid = inv->flags & IOMMU_INV_FLAG_PASID;
	bool context = inv->cache & IOMMU_INV_CACHE_CONTEXT;
	u64 gran = inv->granule_size, max_granules;

	if (inv->__reserved || (inv->cache & ~INV_ALL_CACHES) ||
	    (inv->flags & ~INV_ALL_FLAGS))
		return -EOPNOTSUPP;
	if (!inv->cache || inv->granularity > IOMMU_INV_GRANU_ADDR)
		return -EINVAL;
	/* A value without its flag, or beyond the SMMU's ASID/SSID width */
	if ((!archid && inv->archid) || (!pasid && inv->pasid) ||
	    (archid && inv->archid >> t->asid_bits) ||
	    (pasid && (u64)inv->pasid >> t->ssid_bits))
		return -EINVAL;
	if (inv->granularity != IOMMU_INV_GRANU_ADDR &&
	    (inv->addr || gran || inv->nb_granules))
		return -EINVAL;

	switch (inv->granularity) {
	case IOMMU_INV_GRANU_DOMAIN:
		return archid || pasid ? -EINVAL : 0;
	case IOMMU_INV_GRANU_ADDR_SPACE:
		return !archid || pasid || context ? -EINVAL : 0;
	case IOMMU_INV_GRANU_PASID:
		return pasid ? 0 : -EINVAL;
	default:	/* IOMMU_INV_GRANU_ADDR */
		if (context || !is_pow2(gran) || !(t->granules & gran) ||
		    !inv->nb_granules || inv->addr % gran)
			return -EINVAL;
		/* The range must end at or below 2^64 */
		max_granules = inv->addr ? (0 - inv->addr) / gran :
					   (~0ULL / gran) + 1;
		return inv->nb_granules > max_granules ? -EINVAL : 0;
	}
}

static void emit_cfgi(const struct iommu_hwpt_invalidate_generic *inv,
		      const struct smmuv3_inv_target *t,
		      struct smmuv3_inv_cmds *out)
{
	bool one_pasid = inv->granularity == IOMMU_INV_GRANU_PASID;
	unsigned int i;

	for (i = 0; i < t->nsids; i++) {
		struct smmuv3_cmd *cmd = next_cmd(out);

		if (one_pasid) {
			cmd->w[0] = CMD0_OP(SMMUV3_OP_CFGI_CD) |
				    CMD0_SSID(inv->pasid) |
				    CMD0_SID(t->sids[i]);
			cmd->w[1] = CMD1_LEAF(!!(inv->flags &
						 IOMMU_INV_FLAG_LEAF));
		} else {
			cmd->w[0] = CMD0_OP(SMMUV3_OP_CFGI_CD_ALL) |
				    CMD0_SID(t->sids[i]);
		}
	}
}

/* All of the VMID, or all of one ASID in it */
static void emit_tlbi_wide(const struct iommu_hwpt_invalidate_generic *inv,
			   const struct smmuv3_inv_target *t,
			   struct smmuv3_inv_cmds *out)
{
	struct smmuv3_cmd *cmd = next_cmd(out);

	if (inv->flags & IOMMU_INV_FLAG_ARCHID)
		cmd->w[0] = CMD0_OP(SMMUV3_OP_TLBI_NH_ASID) |
			    CMD0_ASID(inv->archid) | CMD0_VMID(t->vmid);
	else
		cmd->w[0] = CMD0_OP(SMMUV3_OP_TLBI_NH_ALL) | CMD0_VMID(t->vmid);
}

static void emit_tlbi_va(const struct iommu_hwpt_invalidate_generic *inv,
			 const struct smmuv3_inv_target *t,
			 struct smmuv3_inv_cmds *out, u64 addr, u64 num_scale,
			 unsigned int tg)
{
	bool archid = inv->flags & IOMMU_INV_FLAG_ARCHID;
	struct smmuv3_cmd *cmd = next_cmd(out);

	cmd->w[0] = CMD0_OP(archid ? SMMUV3_OP_TLBI_NH_VA :
				     SMMUV3_OP_TLBI_NH_VAA) |
		    CMD0_VMID(t->vmid) | num_scale |
		    (archid ? CMD0_ASID(inv->archid) : 0);
	cmd->w[1] = CMD1_ADDR(addr) | CMD1_TG(tg) |
		    CMD1_LEAF(!!(inv->flags & IOMMU_INV_FLAG_LEAF));
}

/*
 * The next range command of @pages (left to cover): (NUM + 1) << SCALE
 * pages, from the lowest set bit of the count, five bits at a time; at
 * the largest SCALE, up to 32 << 31 pages at once.
 */
static u64 range_chunk(u64 pages, unsigned int *scale)
{
	unsigned int low = __builtin_ctzll(pages);

	if (low < RANGE_SCALE_MAX) {
		*scale = low;
		return pages & (0x1fULL << low);
	}
	*scale = RANGE_SCALE_MAX;
	return (pages >> RANGE_SCALE_MAX) > 32 ? 32ULL << RANGE_SCALE_MAX :
						 pages;
}

static unsigned int range_cmds(u64 pages)
{
	unsigned int n = 0, scale;

	for (; pages && __builtin_ctzll(pages) < RANGE_SCALE_MAX; n++)
		pages -= range_chunk(pages, &scale);
	/* What is left is a multiple of 1 << 31: 32 << 31 pages a command */
	return n + ((pages >> RANGE_SCALE_MAX) + 31) / 32;
}

/*
 * How many pages the range commands cover: @pages, or one more (K = 1)
 * when that takes fewer commands (63 pages are one 64-page command), or
 * when the lowest chunk would be a lone page at SCALE 0: with TTL 0 (the
 * level of the cached entries is unknown) a command with NUM = SCALE = 0
 * is best avoided, as the driver's own ranges do. One page more is cheap;
 * more would throw away entries nobody asked to drop.
 */
static u64 range_pages(u64 pages)
{
	if ((pages & 0x1f) == 1)
		return pages + 1;
	if ((pages & 0x1f) != 0 && range_cmds(pages + 1) < range_cmds(pages))
		return pages + 1;
	return pages;
}

/*
 * A range with RIL: the fewest commands for the count (see range_pages()
 * and range_chunk()), TTL 0. Returns false if that takes more than
 * SMMUV3_INV_MAX_RANGE_OPS commands (the caller goes wide).
 */
static bool emit_tlbi_range(const struct iommu_hwpt_invalidate_generic *inv,
			    const struct smmuv3_inv_target *t,
			    struct smmuv3_inv_cmds *out)
{
	unsigned int tg = granule_tg(inv->granule_size), scale;
	u64 pages = inv->nb_granules, addr = inv->addr, chunk;

	if (pages == 1) {
		emit_tlbi_va(inv, t, out, addr, 0, 0);
		return true;
	}
	pages = range_pages(pages);
	if (range_cmds(pages) > SMMUV3_INV_MAX_RANGE_OPS)
		return false;
	for (; pages; pages -= chunk) {
		chunk = range_chunk(pages, &scale);
		emit_tlbi_va(inv, t, out, addr,
			     CMD0_NUM((chunk >> scale) - 1) | CMD0_SCALE(scale),
			     tg);
		addr += chunk * inv->granule_size;
	}
	return true;
}

static void emit_tlbi(const struct iommu_hwpt_invalidate_generic *inv,
		      const struct smmuv3_inv_target *t,
		      struct smmuv3_inv_cmds *out)
{
	u64 i;

	switch (inv->granularity) {
	case IOMMU_INV_GRANU_ADDR:
		if (t->ril) {
			if (!emit_tlbi_range(inv, t, out))
				emit_tlbi_wide(inv, t, out);
		} else if (inv->nb_granules <= SMMUV3_INV_MAX_TLBI_OPS) {
			for (i = 0; i < inv->nb_granules; i++)
				emit_tlbi_va(inv, t, out,
					     inv->addr + i * inv->granule_size,
					     0, 0);
		} else {
			emit_tlbi_wide(inv, t, out);
		}
		break;
	default:
		/* ASID tags TLB entries, PASID does not: a PASID without its
		 * ASID means the whole VMID.
		 */
		emit_tlbi_wide(inv, t, out);
	}
}

/* log2 of the smallest aligned power-of-two span holding first..last */
static unsigned int span_bits(u64 first, u64 last)
{
	unsigned int bits = 12;

	while (bits < 64 && (first >> bits) != (last >> bits))
		bits++;
	return bits;
}

static void emit_atc(const struct iommu_hwpt_invalidate_generic *inv,
		     const struct smmuv3_inv_target *t,
		     struct smmuv3_inv_cmds *out)
{
	bool pasid = inv->flags & IOMMU_INV_FLAG_PASID;
	unsigned int i, size = ATC_SIZE_ALL;
	u64 addr = 0;

	if (inv->granularity == IOMMU_INV_GRANU_ADDR) {
		u64 last = inv->addr + inv->nb_granules * inv->granule_size - 1;
		unsigned int bits = span_bits(inv->addr, last);

		if (bits - 12 < ATC_SIZE_ALL) {
			size = bits - 12;
			addr = inv->addr & ~((1ULL << bits) - 1);
		}
	}
	for (i = 0; i < t->nats; i++) {
		struct smmuv3_cmd *cmd = &out->atc[out->natc++];
		/* Without PASIDs the ATC is untagged: invalidate all of it */
		bool ssv = pasid && t->ats_pasid && t->ats_pasid[i];

		cmd->w[0] = CMD0_OP(SMMUV3_OP_ATC_INV) | CMD0_SID(t->ats_sids[i]) |
			    (ssv ? CMD0_SSV | CMD0_SSID(inv->pasid) : 0);
		cmd->w[1] = CMD1_ADDR(addr) | CMD1_ATC_SIZE(size);
	}
}

/**
 * smmuv3_inv_max_cmds() - room smmuv3_inv_translate() needs in @cmds
 * @t: the target
 *
 * Return: the most CFGI and TLBI commands one entry can produce.
 */
unsigned int smmuv3_inv_max_cmds(const struct smmuv3_inv_target *t)
{
	/* The per-page bound (64) also covers range commands (14) */
	return t->nsids + SMMUV3_INV_MAX_TLBI_OPS;
}
EXPORT_SYMBOL_IF_KUNIT(smmuv3_inv_max_cmds);

/**
 * smmuv3_inv_translate() - the SMMUv3 commands of one invalidation entry
 * @inv: the entry as the user gave it
 * @t: the kernel's side: VMID, StreamIDs, SMMU features
 * @out: where the commands go (ncmds and natc are reset first)
 *
 * Nothing is written to @out unless the whole entry is valid.
 *
 * Return: 0, -EOPNOTSUPP or -EINVAL (see the top of this file).
 */
int smmuv3_inv_translate(const struct iommu_hwpt_invalidate_generic *inv,
			 const struct smmuv3_inv_target *t,
			 struct smmuv3_inv_cmds *out)
{
	int ret = check_entry(inv, t);

	out->ncmds = 0;
	out->natc = 0;
	if (ret)
		return ret;
	/* CDs first: a TLB refill must not use a stale context */
	if (inv->cache & IOMMU_INV_CACHE_CONTEXT)
		emit_cfgi(inv, t, out);
	if (inv->cache & IOMMU_INV_CACHE_IOTLB)
		emit_tlbi(inv, t, out);
	if (inv->cache & IOMMU_INV_CACHE_DEV_IOTLB)
		emit_atc(inv, t, out);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(smmuv3_inv_translate);
