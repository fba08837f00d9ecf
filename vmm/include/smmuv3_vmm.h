/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VMM side of SMMUv3 nesting on this kernel's iommufd uAPI: what a
 * VMM that emulates an SMMUv3 for its guest (a stage-1-only virtual SMMU)
 * does with what the guest writes.
 *
 * - A guest STE becomes a struct iommu_hwpt_arm_smmuv3_s1ctx for a nested
 *   HWPT (vsmmu_ste_decode()), or is illegal (the guest gets C_BAD_STE and
 *   the device's DMA aborts).
 * - A guest command becomes one action (vsmmu_cmd_decode()): a generic
 *   invalidation entry for IOMMU_HWPT_INVALIDATE, a reload of some STEs,
 *   a sync, nothing, or a command error for the guest.
 * - The guest's StreamIDs (virtual) map to iommufd devices
 *   (struct vsmmu_devices); host StreamIDs and VMIDs never appear.
 * - A device's event, read from its event queue, becomes the guest's
 *   event record (vsmmu_event_encode()).
 *
 * Plain C99, no dependency beyond the kernel's uAPI header.
 */
#ifndef SMMUV3_VMM_H
#define SMMUV3_VMM_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/iommufd.h>

/**
 * struct vsmmu_caps - what the virtual SMMU tells its guest (its IDRs),
 *                     which bounds what a guest STE may ask for
 * @ssid_bits: IDR1.SSIDSIZE
 * @asid_bits: 16 with IDR0.ASID16, else 8
 * @ias: bits of the guest's physical (intermediate) address space
 * @cd2l: IDR0.CD2L, two-level CD tables
 * @ats: IDR0.ATS
 * @stalls: IDR0.STALL_MODEL is 0b00 (stalls supported, not forced)
 * @granules: translation granules offered (a mask of 4K, 16K, 64K bytes)
 */
struct vsmmu_caps {
	unsigned int ssid_bits;
	unsigned int asid_bits;
	unsigned int ias;
	bool cd2l;
	bool ats;
	bool stalls;
	uint64_t granules;
};

/* A guest STE as its stream table holds it: eight 64-bit words */
struct vsmmu_ste {
	uint64_t w[8];
};

int vsmmu_ste_decode(const struct vsmmu_ste *ste,
		     const struct vsmmu_caps *caps,
		     struct iommu_hwpt_arm_smmuv3_s1ctx *ctx);

enum vsmmu_action {
	VSMMU_NOTHING,		/* prefetches: nothing to do */
	VSMMU_INVALIDATE,	/* pass @entry on (see @scope) */
	VSMMU_RELOAD_STE,	/* read the STEs of @first..@last again */
	VSMMU_SYNC,		/* issue what is pending, then complete */
	VSMMU_ILLEGAL,		/* CERROR_ILL for the guest */
};

enum vsmmu_scope {
	VSMMU_ONE_DEVICE,	/* the nested HWPT of StreamID @first */
	VSMMU_ANY_DEVICE,	/* TLBIs: any nested HWPT of this vSMMU */
};

/**
 * struct vsmmu_cmd - what one guest command asks of the VMM
 * @action: enum vsmmu_action
 * @scope: for VSMMU_INVALIDATE, where @entry goes
 * @first: the guest StreamID named (ONE_DEVICE), first of a reload
 * @last: last guest StreamID of a reload (UINT32_MAX: all of them)
 * @entry: for VSMMU_INVALIDATE, the generic entry
 */
struct vsmmu_cmd {
	enum vsmmu_action action;
	enum vsmmu_scope scope;
	uint32_t first, last;
	struct iommu_hwpt_invalidate_generic entry;
};

void vsmmu_cmd_decode(const uint64_t cmd[2], const struct vsmmu_caps *caps,
		      struct vsmmu_cmd *out);

/**
 * struct vsmmu_device - one device the guest sees behind its vSMMU
 * @vsid: the StreamID the guest uses for it
 * @dev_id: its iommufd device ID
 * @hwpt_id: the HWPT it is attached to now (a nested one, or the parent)
 */
struct vsmmu_device {
	uint32_t vsid;
	uint32_t dev_id;
	uint32_t hwpt_id;
};

/* The devices of one vSMMU, by guest StreamID */
struct vsmmu_devices {
	struct vsmmu_device *dev;
	unsigned int n, max;
};

int vsmmu_devices_add(struct vsmmu_devices *d, uint32_t vsid,
		      uint32_t dev_id, uint32_t hwpt_id);
struct vsmmu_device *vsmmu_devices_find(struct vsmmu_devices *d,
					uint32_t vsid);
void vsmmu_devices_remove(struct vsmmu_devices *d, uint32_t vsid);
void vsmmu_devices_free(struct vsmmu_devices *d);

/**
 * vsmmu_event_encode() - the guest's event record for a device event
 * @ev: a record read from the device's queue (IOMMU_DEVICE_EVENTQ_ALLOC)
 * @vsid: the StreamID the guest knows the device by
 * @evt: the guest's event record, four 64-bit words
 *
 * The kernel's raw record, with the guest's StreamID where the kernel
 * cleared the host's.
 *
 * Return: 0, or -EINVAL for an overflow record (no event: the guest's
 * queue should report its own overflow).
 */
int vsmmu_event_encode(const struct iommu_device_event *ev, uint32_t vsid,
		       uint64_t evt[4]);

#endif
