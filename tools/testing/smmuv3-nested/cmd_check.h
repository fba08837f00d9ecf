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

/*
 * The properties of any accepted entry's commands: only allowed opcodes,
 * the target's VMID on every TLBI, only the target's StreamIDs, no TTL,
 * the counts within bounds, and every page of an ADDR range covered.
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

	if (inv->granularity == IOMMU_INV_GRANU_ADDR && iotlb) {
		bool any = !(inv->flags & IOMMU_INV_FLAG_ARCHID);
		u64 p, n = inv->nb_granules, probes = n < 64 ? n : 64;

		/* Every page; of a long range the first and last 32 */
		for (p = 0; p < probes; p++) {
			u64 idx = n <= 64 ? p : p < 32 ? p : n - 64 + p;
			u64 va = inv->addr + idx * inv->granule_size;
			bool hit = false;

			for (i = 0; i < out->ncmds && !hit; i++) {
				struct decoded d = decode(&out->cmds[i]);

				hit = tlbi_covers(&d, va, inv->granule_size,
						  inv->archid, any);
			}
			if (!HOLDS(hit, "page %#llx not invalidated",
				   (unsigned long long)va))
				return false;
		}
	}
	return true;
}

#endif
