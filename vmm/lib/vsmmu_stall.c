// SPDX-License-Identifier: GPL-2.0
/*
 * Stalls of a nested device, both ways: a fault read from this kernel's
 * fault queue (IOMMU_FAULT_QUEUE_ALLOC, 6.12's uAPI) -> the guest's stall
 * event record, and the guest's CMD_RESUME / CMD_STALL_TERM -> the page
 * responses the VMM writes to the fault file. Between them, the VMM's own
 * STAGs: a bounded map of the stalls the guest has been told of.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "smmuv3_vmm.h"

/* @v in absolute bits @hi..@lo of a record, in place in their word */
static uint64_t place(uint64_t v, unsigned int hi, unsigned int lo)
{
	return (v & (~0ULL >> (63 - hi + lo))) << (lo % 64);
}

/*
 * The event record, IHI 0070 7.3: absolute bits of the 256-bit record,
 * EVTn_ for those in its 64-bit word n. The common fields are described
 * in 7.3, and the F_UUT layout of 7.3.2 puts EventType, SSV, SubstreamID,
 * StreamID, PnU, InD, RnW and InputAddr at these bits; F_TRANSLATION
 * (7.3.13) has the same ones and the stall fields, whose layout is an
 * image the spec's text lacks: mainline Linux (EVTQ_0_*, EVTQ_1_*,
 * EVTQ_2_ADDR) and QEMU (EVT_SET_*) agree on all.
 */
#define EVT0_ID(v)		place(v, 7, 0)	/* EVT[7:0] EventType */
#define EVT0_SSV(v)		place(v, 11, 11)	/* EVT[11] SSV */
#define EVT0_SSID(v)		place(v, 31, 12)	/* EVT[31:12] SubstreamID */
#define EVT0_SID(v)		place(v, 63, 32)	/* EVT[63:32] StreamID */
#define EVT1_STAG(v)		place(v, 79, 64)	/* EVT[79:64] STAG */
#define EVT1_STALL(v)		place(v, 95, 95)	/* EVT[95] Stall */
#define EVT1_PNU(v)		place(v, 97, 97)	/* EVT[97] PnU */
#define EVT1_IND(v)		place(v, 98, 98)	/* EVT[98] InD */
#define EVT1_RNW(v)		place(v, 99, 99)	/* EVT[99] RnW */
#define EVT1_CLASS(v)		place(v, 105, 104)	/* EVT[105:104] */
#define EVT2_INPUTADDR(v)	place(v, 191, 128)	/* EVT[191:128] */

#define EVT_F_TRANSLATION	0x10	/* EventType, 7.3.13 */
#define EVT_CLASS_IN		0x2	/* CLASS IN: the input address, 7.3 */

/* Every value of a STAG: 65536 */
#define NR_STAGS	((uint32_t)EVT1_STAG(~0ULL) + 1)

#define PGFAULT_FLAGS	(IOMMU_PGFAULT_FLAGS_PASID_VALID | \
			 IOMMU_PGFAULT_FLAGS_LAST_PAGE)
#define PGFAULT_PERMS	(IOMMU_PGFAULT_PERM_READ | IOMMU_PGFAULT_PERM_WRITE | \
			 IOMMU_PGFAULT_PERM_EXEC | IOMMU_PGFAULT_PERM_PRIV)

/* How many bits @mask has set: the width of a field, placed */
static unsigned int width(uint64_t mask)
{
	unsigned int n = 0;

	for (; mask; mask &= mask - 1)
		n++;
	return n;
}

static bool stag_used(const struct vsmmu_stalls *st, uint32_t stag)
{
	return st->used[stag / 64] >> (stag % 64) & 1;
}

static void stag_flip(struct vsmmu_stalls *st, uint32_t stag)
{
	st->used[stag / 64] ^= 1ULL << (stag % 64);
}

int vsmmu_stalls_init(struct vsmmu_stalls *st, unsigned int max)
{
	memset(st, 0, sizeof(*st));
	if (!max || max > NR_STAGS)
		return -EINVAL;
	st->stall = calloc(max, sizeof(*st->stall));
	st->used = calloc(NR_STAGS / 64, sizeof(*st->used));
	if (!st->stall || !st->used) {
		vsmmu_stalls_free(st);
		return -ENOMEM;
	}
	st->max = max;
	return 0;
}

void vsmmu_stalls_free(struct vsmmu_stalls *st)
{
	free(st->stall);
	free(st->used);
	memset(st, 0, sizeof(*st));
}

/* Stall @i leaves the map; the order of the others is kept */
static void drop(struct vsmmu_stalls *st, unsigned int i)
{
	stag_flip(st, st->stall[i].stag);
	memmove(&st->stall[i], &st->stall[i + 1],
		(st->n - i - 1) * sizeof(*st->stall));
	st->n--;
}

/*
 * The next STAG no stall holds, going round: one that was answered comes
 * back only after all the others. Called with room in the map, so some
 * STAG is free.
 */
static uint16_t stag_alloc(struct vsmmu_stalls *st)
{
	uint32_t stag = st->next % NR_STAGS;

	while (stag_used(st, stag))
		stag = (stag + 1) % NR_STAGS;
	st->next = (stag + 1) % NR_STAGS;
	return stag;
}

/* A stall as this uAPI reports one: a group of one fault, LAST_PAGE set */
static int fault_check(const struct iommu_hwpt_pgfault *f)
{
	if (f->flags & ~PGFAULT_FLAGS ||
	    !(f->flags & IOMMU_PGFAULT_FLAGS_LAST_PAGE))
		return -EINVAL;
	/* As many bits as the SubstreamID field has: 20 */
	if (f->flags & IOMMU_PGFAULT_FLAGS_PASID_VALID &&
	    f->pasid >> width(EVT0_SSID(~0ULL)))
		return -EINVAL;
	if (f->perm & ~PGFAULT_PERMS ||
	    !(f->perm & (IOMMU_PGFAULT_PERM_READ | IOMMU_PGFAULT_PERM_WRITE)))
		return -EINVAL;
	return f->__reserved ? -EINVAL : 0;
}

/* Index of the stall of @cookie, or st->n */
static unsigned int find_cookie(const struct vsmmu_stalls *st,
				uint32_t cookie)
{
	unsigned int i;

	for (i = 0; i < st->n; i++)
		if (st->stall[i].cookie == cookie)
			break;
	return i;
}

int vsmmu_fault_encode(struct vsmmu_stalls *st, struct vsmmu_devices *d,
		       const struct iommu_hwpt_pgfault *f, uint64_t evt[4],
		       struct iommu_hwpt_page_response *resp)
{
	bool write = f->perm & IOMMU_PGFAULT_PERM_WRITE;
	const struct vsmmu_device *dev;
	struct vsmmu_stall *s;
	unsigned int i;
	int ret;

	memset(evt, 0, 4 * sizeof(*evt));
	ret = fault_check(f);
	dev = ret ? NULL : vsmmu_devices_find_dev(d, f->dev_id);
	if (!ret && !dev)
		ret = -ENOENT;
	if (!ret) {
		/* The kernel answered that one itself: its STAG goes stale */
		i = find_cookie(st, f->cookie);
		if (i < st->n)
			drop(st, i);
		if (st->n >= st->max)
			ret = -ENOSPC;
	}
	if (ret) {
		resp->cookie = f->cookie;
		resp->code = IOMMUFD_PAGE_RESP_INVALID;
		return ret;
	}
	s = &st->stall[st->n++];
	*s = (struct vsmmu_stall){
		.cookie = f->cookie, .dev_id = f->dev_id, .vsid = dev->vsid,
		.stag = stag_alloc(st),
	};
	stag_flip(st, s->stag);

	evt[0] = EVT0_ID(EVT_F_TRANSLATION) | EVT0_SID(s->vsid);
	if (f->flags & IOMMU_PGFAULT_FLAGS_PASID_VALID)
		evt[0] |= EVT0_SSV(1) | EVT0_SSID(f->pasid);
	/* 7.3.13: InD is 0 when RnW is 0. S2 (EVT[103]) 0: stage 1 */
	evt[1] = EVT1_STAG(s->stag) | EVT1_STALL(1) |
		 EVT1_PNU(!!(f->perm & IOMMU_PGFAULT_PERM_PRIV)) |
		 EVT1_IND(!write && (f->perm & IOMMU_PGFAULT_PERM_EXEC)) |
		 EVT1_RNW(!write) | EVT1_CLASS(EVT_CLASS_IN);
	evt[2] = EVT2_INPUTADDR(f->addr);
	return 0;
}

bool vsmmu_stalls_resume(struct vsmmu_stalls *st, const struct vsmmu_cmd *cmd,
			 struct iommu_hwpt_page_response *resp)
{
	unsigned int i;

	if (cmd->action != VSMMU_RESUME || !st->used ||
	    !stag_used(st, cmd->stag))
		return false;
	for (i = 0; i < st->n; i++)
		if (st->stall[i].stag == cmd->stag)
			break;
	/* A STAG of another StreamID's stall: no effect on it (4.7.1) */
	if (i == st->n || st->stall[i].vsid != cmd->first)
		return false;
	resp->cookie = st->stall[i].cookie;
	resp->code = cmd->resume == VSMMU_RESUME_RETRY ?
		     IOMMUFD_PAGE_RESP_SUCCESS : IOMMUFD_PAGE_RESP_INVALID;
	drop(st, i);
	return true;
}

unsigned int vsmmu_stalls_term(struct vsmmu_stalls *st, uint32_t vsid,
			       struct iommu_hwpt_page_response *resp,
			       unsigned int n)
{
	unsigned int i = 0, done = 0;

	while (i < st->n && done < n) {
		if (st->stall[i].vsid != vsid) {
			i++;
			continue;
		}
		resp[done].cookie = st->stall[i].cookie;
		resp[done++].code = IOMMUFD_PAGE_RESP_INVALID;
		drop(st, i);
	}
	return done;
}

unsigned int vsmmu_stalls_forget(struct vsmmu_stalls *st, uint32_t dev_id)
{
	unsigned int i = 0, gone = 0;

	while (i < st->n) {
		if (st->stall[i].dev_id != dev_id) {
			i++;
			continue;
		}
		drop(st, i);
		gone++;
	}
	return gone;
}
