/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The properties of the library's answers, checked through the kernel's
 * own driver-independent code (arm-smmu-v3-uapi.c, arm-smmu-v3-inv.c, the
 * very files the kernel builds):
 *
 * - every nested-HWPT context the library makes of a guest STE, valid or
 *   not, is one the kernel accepts: a guest can never make its VMM fail;
 * - every invalidation entry it makes of a guest command is one the kernel
 *   accepts, and the host commands the kernel builds from it drop at least
 *   what the guest's command asked to drop (read off the guest command
 *   with guest_encode.h's field table, decoded with cmd_check.h's).
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

/* Is some host command in @out a CFGI that drops CD @ssid (or all)? */
static inline bool cfgi_drops(const struct smmuv3_inv_cmds *out,
			      unsigned int ssid, bool all)
{
	unsigned int i;

	for (i = 0; i < out->ncmds; i++) {
		struct decoded d = decode(&out->cmds[i]);

		if (d.sid == CHECK_SID &&
		    (d.op == SMMUV3_OP_CFGI_CD_ALL ||
		     (!all && d.op == SMMUV3_OP_CFGI_CD && d.ssid == ssid)))
			return true;
	}
	return false;
}

/* Does some TLBI in @out drop the page of @gran at @va? */
static inline bool tlbi_drops(const struct smmuv3_inv_cmds *out, u64 va,
			      u64 gran, unsigned int asid, bool any_asid)
{
	unsigned int i;

	for (i = 0; i < out->ncmds; i++) {
		struct decoded d = decode(&out->cmds[i]);

		if (tlbi_covers(&d, va, gran, asid, any_asid))
			return true;
	}
	return false;
}

/* The guest's TLBI_NH_VA(A): its pages, the first and last 32 of them */
static inline bool tlbi_va_kept(const uint64_t *cmd,
				const struct vsmmu_caps *caps,
				const struct smmuv3_inv_cmds *out)
{
	bool any = get(cmd, CMD_OPCODE) == GUEST_TLBI_NH_VAA;
	unsigned int asid = get(cmd, CMD_ASID) & ((1u << caps->asid_bits) - 1);
	unsigned int tg = get(cmd, CMD_TG);
	u64 addr = get(cmd, CMD_ADDR_63_12) << 12, gran, base, n, i;

	if (!tg)	/* the entries holding this address */
		return HOLDS(tlbi_drops(out, addr, 0x1000, asid, any),
			     "address %#llx kept", (unsigned long long)addr);
	gran = 0x1000ULL << (2 * (tg - 1));
	base = addr & ~(gran - 1);
	n = (get(cmd, CMD_NUM) + 1) << get(cmd, CMD_SCALE);
	if (addr != base)	/* the range ends inside one more page */
		n++;
	for (i = 0; i < n; i++) {
		u64 va = base + i * gran;

		if (i == 32 && n > 64)
			i = n - 32;
		if (va < base)	/* past the top of the address space */
			break;
		if (!HOLDS(tlbi_drops(out, va, gran, asid, any),
			   "page %#llx (TG %u) kept", (unsigned long long)va,
			   tg))
			return false;
	}
	return true;
}

/* The guest's ATC_INV: 2^Size aligned 4K pages, or all of them */
static inline bool atc_inv_kept(const uint64_t *cmd,
				const struct smmuv3_inv_cmds *out)
{
	unsigned int size = get(cmd, CMD_ATC_SIZE);
	bool pasid = get(cmd, CMD_SSV) && !get(cmd, CMD_GLOBAL);
	u64 len = size >= 52 ? 0 : 0x1000ULL << size;
	u64 start = (get(cmd, CMD_ADDR_63_12) << 12) & ~(len - 1);
	unsigned int i;

	for (i = 0; i < out->natc; i++) {
		struct decoded d = decode(&out->atc[i]);
		u64 dlen = d.size >= 52 ? 0 : 0x1000ULL << d.size;

		if (d.sid != CHECK_SID || d.ssv != pasid ||
		    (pasid && d.ssid != get(cmd, CMD_SSID)))
			continue;
		if (!dlen || (len && d.addr <= start &&
			      start - d.addr + len <= dlen))
			return true;
	}
	return HOLDS(false, "ATC range %#llx + %#llx kept",
		     (unsigned long long)start, (unsigned long long)len);
}

/*
 * The library's action for guest command @cmd, held against the kernel:
 * an invalidation entry must be accepted and must drop what @cmd asks.
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
	unsigned int op = get(cmd, CMD_OPCODE);
	int ret;

	if (act->action != VSMMU_INVALIDATE)
		return true;
	ret = smmuv3_inv_translate(&act->entry, &t, &out);
	if (!HOLDS(ret == 0, "opcode %#x: the kernel refuses the entry: %d",
		   op, ret) ||
	    !commands_sound(&act->entry, &t, &out))
		return false;

	switch (op) {
	case GUEST_CFGI_CD:
		return HOLDS(cfgi_drops(&out, get(cmd, CMD_SSID), false),
			     "CD %llu kept",
			     (unsigned long long)get(cmd, CMD_SSID));
	case GUEST_CFGI_CD_ALL:
		return HOLDS(cfgi_drops(&out, 0, true), "CDs kept");
	case GUEST_TLBI_NH_ALL:
	case GUEST_TLBI_NSNH_ALL:
		return HOLDS(out.ncmds == 1 && decode(&cmds[0]).op ==
			     SMMUV3_OP_TLBI_NH_ALL, "TLB kept");
	case GUEST_TLBI_NH_ASID:
		return HOLDS(tlbi_drops(&out, 0, ~0ULL,
					get(cmd, CMD_ASID) &
					((1u << caps->asid_bits) - 1), false),
			     "ASID kept");
	case GUEST_TLBI_NH_VA:
	case GUEST_TLBI_NH_VAA:
		return tlbi_va_kept(cmd, caps, &out);
	case GUEST_ATC_INV:
		return atc_inv_kept(cmd, &out);
	default:
		return HOLDS(false, "opcode %#x should not invalidate", op);
	}
}

#endif
