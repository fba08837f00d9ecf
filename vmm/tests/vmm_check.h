/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The properties of the library's answers, checked through the kernel's
 * own driver-independent code (arm-smmu-v3-uapi.c, arm-smmu-v3-inv.c, the
 * very files the kernel builds):
 *
 * - every nested-HWPT context the library makes of a guest STE, valid or
 *   not, is one the kernel accepts: a guest can never make its VMM fail;
 * - each of the eight guest commands that invalidate gets CERROR_ILL only
 *   for a field out of range, and otherwise an invalidation: an entry the
 *   kernel accepts, that itself covers what the guest asked (device,
 *   cache, ASID, SubstreamID, Leaf, range), and whose host commands drop
 *   at least that. Nothing else, a partial range or another ASID fails.
 *   Guest commands are read with the reference table's positions
 *   (arm-smmu-v3-nested-test-arch.h), host ones with cmd_check.h.
 *
 * Shared by the host tests and the fuzzer.
 */
#ifndef VMM_TESTS_VMM_CHECK_H
#define VMM_TESTS_VMM_CHECK_H

#include <errno.h>

#include "arm-smmu-v3-event.h"
#include "arm-smmu-v3-uapi.h"
#include "cmd_check.h"
#include "guest_encode.h"
#include "smmuv3_vmm.h"

#define CHECK_VMID	5
#define CHECK_SID	0x100	/* the host StreamID of the guest's device */

static inline bool ste_answer_sound(const struct iommu_hwpt_arm_smmuv3_s1ctx *ctx,
				    const struct vsmmu_caps *caps)
{
	const struct smmuv3_nest_caps kernel = {
		.ias = caps->ias,
		.ssid_bits = caps->ssid_bits,
		.cd2l = caps->cd2l,
		.ats = caps->ats,
		.stall_ok = caps->stalls,
	};
	int ret = smmuv3_s1ctx_check(ctx, &kernel);

	return HOLDS(ret == 0, "the kernel refuses the context: %d (mode %u)",
		     ret, ctx->mode);
}

/*
 * A guest command as the test reads it: positions from the reference
 * table (arm-smmu-v3-nested-test-arch.h), never the library's macros.
 */
struct guest_cmd {
	unsigned int op, num, scale, tg, size;
	u32 sid, ssid, asid;
	bool ssv, global, leaf;
	u64 addr;
};

static inline struct guest_cmd guest_read(const uint64_t *cmd,
					  const struct vsmmu_caps *caps)
{
	unsigned int op = arch_field(cmd, ARCH_CMD_OP);
	/* Only TLBI_NH_VA(A) and CFGI_CD have a Leaf (IHI 0070 4.3.3, 4.4) */
	bool has_leaf = op == ARCH_OP_TLBI_NH_VA ||
			op == ARCH_OP_TLBI_NH_VAA || op == ARCH_OP_CFGI_CD;
	struct guest_cmd g = {
		.op = op,
		.num = arch_field(cmd, ARCH_CMD_NUM),
		/* A vSMMU without IDR5.DS: SCALE is [24:20] */
		.scale = arch_field(cmd, 24, ARCH_LO(ARCH_CMD_SCALE)),
		.tg = arch_field(cmd, ARCH_CMD_TG),
		.size = arch_field(cmd, ARCH_CMD_ATC_SIZE),
		.sid = arch_field(cmd, ARCH_CMD_SID),
		.ssid = arch_field(cmd, ARCH_CMD_SSID),
		/* Without IDR0.ASID16, ASID[15:8] are no part of the ASID */
		.asid = arch_field(cmd, ARCH_CMD_ASID) &
			((1u << caps->asid_bits) - 1),
		.ssv = arch_field(cmd, ARCH_CMD_SSV),
		.global = arch_field(cmd, ARCH_CMD_GLOBAL),
		.leaf = has_leaf && arch_field(cmd, ARCH_CMD_LEAF),
		.addr = arch_field(cmd, ARCH_CMD_ADDR) << 12,
	};

	return g;
}

/* The eight guest commands the library must pass on as invalidations */
static inline bool guest_invalidates(unsigned int op)
{
	switch (op) {
	case ARCH_OP_CFGI_CD:
	case ARCH_OP_CFGI_CD_ALL:
	case ARCH_OP_TLBI_NH_ALL:
	case ARCH_OP_TLBI_NH_ASID:
	case ARCH_OP_TLBI_NH_VA:
	case ARCH_OP_TLBI_NH_VAA:
	case ARCH_OP_TLBI_NSNH_ALL:
	case ARCH_OP_ATC_INV:
		return true;
	}
	return false;
}

/*
 * The only reason to answer one of the eight with CERROR_ILL: a field
 * beyond what the vSMMU offers. A SubstreamID beyond IDR1.SSIDSIZE names
 * no CD and no PASID; ATC_INV reads it only with SSV set and G clear.
 */
static inline bool guest_out_of_range(const struct guest_cmd *g,
				      const struct vsmmu_caps *caps)
{
	bool big = g->ssid >> caps->ssid_bits;

	if (g->op == ARCH_OP_CFGI_CD)
		return big;
	if (g->op == ARCH_OP_ATC_INV)
		return g->ssv && !g->global && big;
	return false;
}

/* What the library must answer one of the eight with */
static inline enum vsmmu_action guest_expected(const uint64_t *cmd,
					       const struct vsmmu_caps *caps)
{
	struct guest_cmd g = guest_read(cmd, caps);

	return guest_out_of_range(&g, caps) ? VSMMU_ILLEGAL : VSMMU_INVALIDATE;
}

/* Bytes of a TLBI page of granule field @tg: TG 0 asks for one address */
static inline u64 guest_granule(unsigned int tg)
{
	return tg ? 0x1000ULL << (2 * (tg - 1)) : 0x1000;
}

/*
 * Bytes @first..@last that a TLBI_NH_VA(A) or ATC_INV asks to drop.
 * TLBI, TG 0: the entries holding Address, so at least its 4 KB page.
 * TG 4K/16K/64K: (NUM + 1) << SCALE pages from Address, one more when it
 * lies inside a page (IHI 0070 4.4.1.1). ATC_INV: 2^Size 4 KB pages
 * aligned to their span, all of them from Size 52 (4.5). Nothing lies
 * beyond 2^64.
 */
static inline void guest_range(const struct guest_cmd *g, u64 *first,
			       u64 *last)
{
	u64 gran = guest_granule(g->tg), span;

	if (g->op == ARCH_OP_ATC_INV) {
		span = g->size >= 52 ? 0 : 0x1000ULL << g->size;
		*first = g->addr & ~(span - 1);
		*last = *first + span - 1;
		return;
	}
	*first = g->addr & ~(gran - 1);
	span = g->tg ? ((u64)g->num + 1) << g->scale : 1;
	span = (span + (*first != g->addr)) * gran;
	*last = span - 1 > ~0ULL - *first ? ~0ULL : *first + span - 1;
}

/* Does ADDR entry @e (one the kernel took) span @first..@last? */
static inline bool entry_spans(const struct iommu_hwpt_invalidate_generic *e,
			       u64 first, u64 last)
{
	u64 end = e->addr + (e->nb_granules - 1) * e->granule_size +
		  (e->granule_size - 1);

	return e->granularity == IOMMU_INV_GRANU_ADDR && e->addr <= first &&
	       end >= last;
}

/*
 * The entry itself, before the kernel widens anything: the right device
 * and cache, the guest's ASID and SubstreamID, no Leaf the guest did not
 * give, and a granularity (or range) holding all that @g asks.
 */
static inline bool entry_covers(const struct guest_cmd *g,
				const struct vsmmu_cmd *act)
{
	const struct iommu_hwpt_invalidate_generic *e = &act->entry;
	bool atc = g->op == ARCH_OP_ATC_INV;
	bool one = atc || g->op == ARCH_OP_CFGI_CD ||
		   g->op == ARCH_OP_CFGI_CD_ALL;
	bool archid = e->flags & IOMMU_INV_FLAG_ARCHID;
	bool pasid = e->flags & IOMMU_INV_FLAG_PASID;
	bool asid_ok = archid && e->archid == g->asid;
	bool ssid_ok = pasid && e->pasid == g->ssid;
	u32 cache = atc ? IOMMU_INV_CACHE_DEV_IOTLB :
		    one ? IOMMU_INV_CACHE_CONTEXT : IOMMU_INV_CACHE_IOTLB;
	u32 granu = e->granularity;
	u64 first, last;
	bool ok;

	guest_range(g, &first, &last);
	switch (g->op) {
	case ARCH_OP_TLBI_NH_ASID:
		ok = granu == IOMMU_INV_GRANU_ADDR_SPACE && asid_ok;
		break;
	case ARCH_OP_TLBI_NH_VA:
		ok = asid_ok && (granu == IOMMU_INV_GRANU_ADDR_SPACE ||
				 entry_spans(e, first, last));
		break;
	case ARCH_OP_TLBI_NH_VAA:
		ok = !archid && entry_spans(e, first, last);
		break;
	case ARCH_OP_CFGI_CD:
		ok = granu == IOMMU_INV_GRANU_PASID && ssid_ok;
		break;
	case ARCH_OP_ATC_INV:
		/* A PASID exactly when the guest named one */
		ok = g->ssv && !g->global ? ssid_ok : !pasid;
		ok = ok && (entry_spans(e, first, last) ||
			    granu == (pasid ? IOMMU_INV_GRANU_PASID :
					      IOMMU_INV_GRANU_DOMAIN));
		break;
	default:
		ok = false;
	}
	/* The whole cache of the nested HWPT holds everything */
	ok |= !atc && granu == IOMMU_INV_GRANU_DOMAIN;

	if (!HOLDS(act->scope == (one ? VSMMU_ONE_DEVICE : VSMMU_ANY_DEVICE),
		   "opcode %#x: scope %u", g->op, act->scope) ||
	    !HOLDS(!one || act->first == g->sid,
		   "opcode %#x: StreamID %u, the guest's %u", g->op,
		   act->first, g->sid) ||
	    !HOLDS(e->cache & cache, "opcode %#x: cache %#x", g->op,
		   e->cache) ||
	    !HOLDS(g->leaf || !(e->flags & IOMMU_INV_FLAG_LEAF),
		   "opcode %#x: Leaf 0 passed on as leaf", g->op))
		return false;
	if (ok)
		return true;
	broken("covers", "opcode %#x asked ASID %#x, SSID %u, %#llx..%#llx",
	       g->op, g->asid, g->ssid, (unsigned long long)first,
	       (unsigned long long)last);
	return broken("covers",
		      "entry: granu %u, flags %#x, ASID %#llx, PASID %u, %#llx + %llu x %#llx",
		      granu, e->flags, (unsigned long long)e->archid, e->pasid,
		      (unsigned long long)e->addr,
		      (unsigned long long)e->nb_granules,
		      (unsigned long long)e->granule_size);
}

/* Does some host CFGI drop the CD (or CDs) guest command @g names? */
static inline bool host_cfgi_drops(const struct smmuv3_inv_cmds *out,
				   const struct guest_cmd *g)
{
	unsigned int i;

	for (i = 0; i < out->ncmds; i++) {
		struct decoded d = decode(&out->cmds[i]);

		if (d.sid != CHECK_SID)
			continue;
		if (d.op == SMMUV3_OP_CFGI_CD_ALL ||
		    (g->op == ARCH_OP_CFGI_CD && d.op == SMMUV3_OP_CFGI_CD &&
		     d.ssid == g->ssid && (g->leaf || !d.leaf)))
			return true;
	}
	return false;
}

/* Does some host TLBI drop all of the VMID, or all of @g's ASID? */
static inline bool host_tlb_drops(const struct smmuv3_inv_cmds *out,
				  const struct guest_cmd *g)
{
	bool by_asid = g->op == ARCH_OP_TLBI_NH_ASID;
	unsigned int i;

	for (i = 0; i < out->ncmds; i++) {
		struct decoded d = decode(&out->cmds[i]);

		if (d.op == SMMUV3_OP_TLBI_NH_ALL ||
		    (by_asid && d.op == SMMUV3_OP_TLBI_NH_ASID &&
		     d.asid == g->asid))
			return true;
	}
	return false;
}

/* Does some host TLBI drop the page of @gran at @va for @g? */
static inline bool host_page_drops(const struct smmuv3_inv_cmds *out,
				   const struct guest_cmd *g, u64 va, u64 gran)
{
	bool any = g->op == ARCH_OP_TLBI_NH_VAA;
	unsigned int i;

	for (i = 0; i < out->ncmds; i++) {
		struct decoded d = decode(&out->cmds[i]);
		bool by_va = d.op == SMMUV3_OP_TLBI_NH_VA ||
			     d.op == SMMUV3_OP_TLBI_NH_VAA;

		/* Leaf only would keep the walk caches the guest drops */
		if (by_va && d.leaf && !g->leaf)
			continue;
		if (tlbi_covers(&d, va, gran, g->asid, any))
			return true;
	}
	return false;
}

/* The guest's TLBI_NH_VA(A): its pages, the first and last 32 of them */
static inline bool host_range_drops(const struct smmuv3_inv_cmds *out,
				    const struct guest_cmd *g)
{
	u64 gran = guest_granule(g->tg), first, last, n, i;

	guest_range(g, &first, &last);
	n = (last - first) / gran + 1;
	for (i = 0; i < n; i++) {
		u64 va;

		if (i == 32 && n > 64)
			i = n - 32;
		va = first + i * gran;
		if (!HOLDS(host_page_drops(out, g, va, gran),
			   "page %#llx (TG %u) kept", (unsigned long long)va,
			   g->tg))
			return false;
	}
	return true;
}

/* The guest's ATC_INV: its span, in its PASID or in all of them */
static inline bool host_atc_drops(const struct smmuv3_inv_cmds *out,
				  const struct guest_cmd *g)
{
	bool pasid = g->ssv && !g->global;
	u64 first, last;
	unsigned int i;

	guest_range(g, &first, &last);
	for (i = 0; i < out->natc; i++) {
		struct decoded d = decode(&out->atc[i]);
		u64 span = d.size >= 52 ? 0 : 0x1000ULL << d.size;
		u64 start = d.addr & ~(span - 1);

		if (d.sid != CHECK_SID || d.ssv != pasid ||
		    (pasid && d.ssid != g->ssid))
			continue;
		if (start <= first && start + (span - 1) >= last)
			return true;
	}
	return HOLDS(false, "ATC %#llx..%#llx kept",
		     (unsigned long long)first, (unsigned long long)last);
}

/*
 * The library's action for guest command @cmd. For the eight commands
 * that invalidate: CERROR_ILL exactly when guest_out_of_range(), else an
 * entry that covers what @cmd asks (entry_covers()), that the kernel
 * accepts, and whose host commands drop it all. Any other command must
 * not invalidate.
 */
static inline bool cmd_answer_sound(const uint64_t *cmd,
				    const struct vsmmu_caps *caps, bool ril,
				    const struct vsmmu_cmd *act)
{
	static const u32 sids[] = { CHECK_SID };
	static const bool pasid_on[] = { true };
	const struct smmuv3_inv_target t = {
		.vmid = CHECK_VMID,
		.ril = ril,
		.asid_bits = caps->asid_bits,
		.ssid_bits = caps->ssid_bits,
		.granules = caps->granules,
		.sids = sids,
		.nsids = 1,
		.ats_sids = sids,
		.ats_pasid = pasid_on,
		.nats = 1,
	};
	struct smmuv3_cmd cmds[128], atc[1];
	struct smmuv3_inv_cmds out = { .cmds = cmds, .atc = atc };
	struct guest_cmd g = guest_read(cmd, caps);
	int ret;

	if (!guest_invalidates(g.op))
		return HOLDS(act->action != VSMMU_INVALIDATE,
			     "opcode %#x should not invalidate", g.op);
	if (guest_out_of_range(&g, caps))
		return HOLDS(act->action == VSMMU_ILLEGAL,
			     "opcode %#x: SubstreamID %u beyond %u bits: action %u",
			     g.op, g.ssid, caps->ssid_bits, act->action);
	if (!HOLDS(act->action == VSMMU_INVALIDATE,
		   "opcode %#x: action %u, no invalidation", g.op,
		   act->action))
		return false;
	ret = smmuv3_inv_translate(&act->entry, &t, &out);
	if (!HOLDS(ret == 0, "opcode %#x: the kernel refuses the entry: %d",
		   g.op, ret) ||
	    !commands_sound(&act->entry, &t, &out) || !entry_covers(&g, act))
		return false;

	switch (g.op) {
	case ARCH_OP_CFGI_CD:
	case ARCH_OP_CFGI_CD_ALL:
		return HOLDS(host_cfgi_drops(&out, &g), "CD %u kept", g.ssid);
	case ARCH_OP_TLBI_NH_ALL:
	case ARCH_OP_TLBI_NSNH_ALL:
	case ARCH_OP_TLBI_NH_ASID:
		return HOLDS(host_tlb_drops(&out, &g),
			     "opcode %#x: ASID %#x kept", g.op, g.asid);
	case ARCH_OP_TLBI_NH_VA:
	case ARCH_OP_TLBI_NH_VAA:
		return host_range_drops(&out, &g);
	default:
		return host_atc_drops(&out, &g);
	}
}

#endif
