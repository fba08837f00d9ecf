/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An independent reading of SMMUv3 commands, written from the
 * architecture's field layout and not from the translator's macros, and
 * the properties every translated entry must have. Shared by the host
 * tests and the fuzzer.
 */
#ifndef __SMMUV3_NESTED_CMD_CHECK_H
#define __SMMUV3_NESTED_CMD_CHECK_H

#include <stdarg.h>
#include <stdio.h>
#include "arm-smmu-v3-inv.h"
#include "arm-smmu-v3-nested-test-arch.h"

struct decoded {
	unsigned int op, num, scale, ssid, tg, ttl, size;
	unsigned int vmid, asid, sid;
	bool leaf, ssv, global;
	u64 addr;
};

/* Positions from the reference table (arm-smmu-v3-nested-test-arch.h) */
static inline struct decoded decode(const struct smmuv3_cmd *c)
{
	struct decoded d = {
		.op = arch_field(c->w, ARCH_CMD_OP),
		.global = arch_field(c->w, ARCH_CMD_GLOBAL),
		.ssv = arch_field(c->w, ARCH_CMD_SSV),
		.num = arch_field(c->w, ARCH_CMD_NUM),
		/* SCALE is [24:20] on SMMUs without IDR5.DS, as here */
		.scale = arch_field(c->w, 24, ARCH_LO(ARCH_CMD_SCALE)),
		.ssid = arch_field(c->w, ARCH_CMD_SSID),
		.vmid = arch_field(c->w, ARCH_CMD_VMID),
		.sid = arch_field(c->w, ARCH_CMD_SID),
		.asid = arch_field(c->w, ARCH_CMD_ASID),
		.leaf = arch_field(c->w, ARCH_CMD_LEAF),
		.size = arch_field(c->w, ARCH_CMD_ATC_SIZE),
		.ttl = arch_field(c->w, ARCH_CMD_TTL),
		.tg = arch_field(c->w, ARCH_CMD_TG),
		.addr = arch_field(c->w, ARCH_CMD_ADDR) << 12,
	};
	return d;
}

static inline bool is_tlbi(unsigned int op)
{
	return op >= SMMUV3_OP_TLBI_NH_ALL && op <= SMMUV3_OP_TLBI_NH_VAA;
}

static inline bool sid_known(const u32 *sids, unsigned int n,
			     unsigned int sid)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (sids[i] == sid)
			return true;
	return false;
}

/*
 * Does command @d drop the TLB entry for the page of size @gran at @va in
 * ASID @asid (or in any ASID when @any_asid)?
 */
static inline bool tlbi_covers(const struct decoded *d, u64 va, u64 gran,
			       unsigned int asid, bool any_asid)
{
	u64 first, len;

	switch (d->op) {
	case SMMUV3_OP_TLBI_NH_ALL:
		return true;
	case SMMUV3_OP_TLBI_NH_ASID:
		return !any_asid && d->asid == asid;
	case SMMUV3_OP_TLBI_NH_VA:
		if (any_asid || d->asid != asid)
			return false;
		break;
	case SMMUV3_OP_TLBI_NH_VAA:
		break;
	default:
		return false;
	}
	if (!d->tg)	/* one address: the entry holding it, any size */
		return d->addr >= va && d->addr - va < gran;
	first = d->addr;
	len = ((u64)d->num + 1) << d->scale << (12 + 2 * (d->tg - 1));
	return va >= first && va + gran - first <= len;
}

/* Report a broken property; returns false for the caller to pass on. */
static inline bool broken(const char *what, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline bool broken(const char *what, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "check failed: %s: ", what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return false;
}

/* True if @cond holds, else reported and false */
#define HOLDS(cond, ...)	((cond) || broken(#cond, __VA_ARGS__))

/* A range command may run this many pages past the end (ril_oracle.h) */
#define RANGE_EXTRA_PAGES	1

/* What a TLBI by address drops: [first, end) in 4K units from the start */
struct tlbi_span {
	u64 first, end;
};

/*
 * The TLBIs of an ADDR entry: a wide one (TLBI_NH_ALL, or TLBI_NH_ASID of
 * the entry's ASID) drops it all; else, swept in order of address, the
 * by-address ones must leave no hole in the range, none may start before
 * it nor end more than RANGE_EXTRA_PAGES pages after it, and each must
 * reach the entries asked for: the entry's ASID (TLBI_NH_VA), its granule
 * (TG, on an address of that alignment) and, unless the entry says leaf
 * only, the table walk entries too.
 */
static inline bool range_sound(const struct iommu_hwpt_invalidate_generic *inv,
			       const struct smmuv3_cmd *cmds,
			       unsigned int ncmds)
{
	bool archid = inv->flags & IOMMU_INV_FLAG_ARCHID;
	bool leaf = inv->flags & IOMMU_INV_FLAG_LEAF;
	u64 unit = inv->granule_size >> 12, want = inv->nb_granules * unit;
	u64 most = want + RANGE_EXTRA_PAGES * unit, done = 0;
	struct tlbi_span spans[SMMUV3_INV_MAX_TLBI_OPS], tmp;
	unsigned int i, j, n = 0;
	bool wide = false;

	if (!HOLDS(unit && !(inv->granule_size & 0xfff), "granule %#llx",
		   (unsigned long long)inv->granule_size))
		return false;
	for (i = 0; i < ncmds; i++) {
		struct decoded d = decode(&cmds[i]);
		u64 rel = (d.addr - inv->addr) >> 12, tg_size;

		if (d.op == SMMUV3_OP_TLBI_NH_ALL ||
		    (d.op == SMMUV3_OP_TLBI_NH_ASID && archid &&
		     d.asid == inv->archid)) {
			wide = true;
			continue;
		}
		if (!is_tlbi(d.op))
			continue;
		if (!HOLDS(d.op != SMMUV3_OP_TLBI_NH_ASID,
			   "TLBI_NH_ASID of ASID %u", d.asid) ||
		    !HOLDS(d.op != SMMUV3_OP_TLBI_NH_VA ||
			   (archid && d.asid == inv->archid),
			   "TLBI_NH_VA of ASID %u", d.asid) ||
		    !HOLDS(leaf || !d.leaf, "leaf-only TLBI %u", i) ||
		    !HOLDS(n < SMMUV3_INV_MAX_TLBI_OPS, "%u TLBIs", n + 1) ||
		    !HOLDS(d.addr >= inv->addr, "TLBI at %#llx, before the range",
			   (unsigned long long)d.addr))
			return false;
		if (d.tg) {
			tg_size = 1ULL << (12 + 2 * (d.tg - 1));
			if (!HOLDS(tg_size == inv->granule_size &&
				   !(d.addr & (tg_size - 1)),
				   "TG %u at %#llx", d.tg,
				   (unsigned long long)d.addr))
				return false;
			spans[n].first = rel;
			spans[n].end = rel + ((((u64)d.num + 1) << d.scale) <<
					      (2 * (d.tg - 1)));
		} else {	/* one address: the page holding it */
			spans[n].first = rel - rel % unit;
			spans[n].end = spans[n].first + unit;
		}
		if (!HOLDS(spans[n].end <= most,
			   "TLBI %u ends %llu pages past the range", i,
			   (unsigned long long)((spans[n].end - want) / unit)))
			return false;
		/* Sorted by first as they come: at most 64, mostly in order */
		for (j = n++; j && spans[j - 1].first > spans[j].first; j--) {
			tmp = spans[j];
			spans[j] = spans[j - 1];
			spans[j - 1] = tmp;
		}
	}
	if (wide)
		return true;
	for (i = 0; i < n && spans[i].first <= done; i++)
		if (spans[i].end > done)
			done = spans[i].end;
	return HOLDS(done >= want, "page %#llx not invalidated",
		     (unsigned long long)(inv->addr + (done << 12)));
}

/*
 * The properties of any accepted entry's commands: only allowed opcodes,
 * the target's VMID on every TLBI, only the target's StreamIDs, no TTL,
 * the counts within bounds, and the whole of an ADDR range invalidated,
 * nothing else (range_sound()).
 */
static inline bool commands_sound(const struct iommu_hwpt_invalidate_generic *inv,
				  const struct smmuv3_inv_target *t,
				  const struct smmuv3_inv_cmds *out)
{
	bool iotlb = inv->cache & IOMMU_INV_CACHE_IOTLB;
	bool context = inv->cache & IOMMU_INV_CACHE_CONTEXT;
	unsigned int i;

	if (!HOLDS(out->ncmds <= smmuv3_inv_max_cmds(t), "%u", out->ncmds) ||
	    !HOLDS(out->natc <= t->nats, "%u ATC commands", out->natc))
		return false;
	for (i = 0; i < out->ncmds; i++) {
		struct decoded d = decode(&out->cmds[i]);
		bool cfgi = d.op == SMMUV3_OP_CFGI_CD ||
			    d.op == SMMUV3_OP_CFGI_CD_ALL;

		if (!HOLDS(is_tlbi(d.op) || cfgi, "opcode %#x", d.op))
			return false;
		if (is_tlbi(d.op) &&
		    (!HOLDS(d.vmid == t->vmid, "VMID %u", d.vmid) ||
		     !HOLDS(d.ttl == 0, "TTL %u", d.ttl) ||
		     !HOLDS(iotlb, "TLBI %#x unasked", d.op)))
			return false;
		if (cfgi &&
		    (!HOLDS(sid_known(t->sids, t->nsids, d.sid), "SID %u",
			    d.sid) ||
		     !HOLDS(context, "CFGI %#x unasked", d.op)))
			return false;
	}
	for (i = 0; i < out->natc; i++) {
		struct decoded d = decode(&out->atc[i]);
		/* A PASID prefix only for a device that has PASIDs enabled */
		bool may_ssv = (inv->flags & IOMMU_INV_FLAG_PASID) &&
			       t->ats_pasid && t->ats_pasid[i];

		if (!HOLDS(d.op == SMMUV3_OP_ATC_INV, "opcode %#x", d.op) ||
		    !HOLDS(sid_known(t->ats_sids, t->nats, d.sid), "SID %u",
			   d.sid) ||
		    !HOLDS(d.size <= 52, "ATC size %u", d.size) ||
		    !HOLDS(d.ssv == may_ssv, "SSV %u", d.ssv))
			return false;
	}
	if (context && !HOLDS(out->ncmds >= t->nsids, "%u CFGI", out->ncmds))
		return false;
	if ((inv->cache & IOMMU_INV_CACHE_DEV_IOTLB) &&
	    !HOLDS(out->natc == t->nats, "%u ATC_INV", out->natc))
		return false;

	if (inv->granularity == IOMMU_INV_GRANU_ADDR && iotlb &&
	    !range_sound(inv, out->cmds, out->ncmds))
		return false;
	return true;
}

#endif
