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
 * - The guest's StreamIDs (virtual) map to iommufd devices, and a
 *   decoded invalidation to the HWPT it goes to (struct vsmmu_devices,
 *   vsmmu_devices_target()); host StreamIDs and VMIDs never appear.
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

/**
 * struct vsmmu_ste - a guest STE as its stream table holds it
 * @w: its eight 64-bit words, word 0 first
 */
struct vsmmu_ste {
	uint64_t w[8];
};

/**
 * vsmmu_ste_decode() - the nested HWPT a guest STE asks for
 * @ste: the guest's STE
 * @caps: what the virtual SMMU offers
 * @ctx: for IOMMU_HWPT_ALLOC with IOMMU_HWPT_DATA_ARM_SMMUV3_S1CTX: what
 *       the STE asks for, or, for an illegal STE, an abort context
 *
 * Only words 0 and 1 are read: the rest hold stage-2 fields, which a
 * stage-1-only SMMU does not have.
 *
 * Return: 0, or -EINVAL for an illegal STE (C_BAD_STE for the guest).
 */
int vsmmu_ste_decode(const struct vsmmu_ste *ste,
		     const struct vsmmu_caps *caps,
		     struct iommu_hwpt_arm_smmuv3_s1ctx *ctx);

/**
 * enum vsmmu_action - what a guest command asks of the VMM
 * @VSMMU_NOTHING: nothing (prefetches)
 * @VSMMU_INVALIDATE: pass &vsmmu_cmd.entry on, to the HWPT that
 *                    &vsmmu_cmd.scope names
 * @VSMMU_RELOAD_STE: read the STEs of &vsmmu_cmd.first to
 *                    &vsmmu_cmd.last again
 * @VSMMU_SYNC: issue what is pending, then complete the guest's sync
 * @VSMMU_ILLEGAL: a command error (CERROR_ILL) for the guest
 */
enum vsmmu_action {
	VSMMU_NOTHING,
	VSMMU_INVALIDATE,
	VSMMU_RELOAD_STE,
	VSMMU_SYNC,
	VSMMU_ILLEGAL,
};

/**
 * enum vsmmu_scope - which nested HWPT an invalidation goes to
 * @VSMMU_ONE_DEVICE: the one of the device the guest calls
 *                    &vsmmu_cmd.first
 * @VSMMU_ANY_DEVICE: any nested HWPT of the virtual SMMU (TLBIs: the TLB
 *                    is tagged with the parent's VMID, which they share)
 */
enum vsmmu_scope {
	VSMMU_ONE_DEVICE,
	VSMMU_ANY_DEVICE,
};

/**
 * struct vsmmu_cmd - what one guest command asks of the VMM
 * @action: what to do
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

/**
 * vsmmu_cmd_decode() - what a guest command asks of the VMM
 * @cmd: the command, two 64-bit words as on the guest's queue
 * @caps: what the virtual SMMU offers
 * @out: the action; vsmmu_devices_target() says where an invalidation
 *       goes
 *
 * Every command gets an answer: one the virtual SMMU does not have, or
 * with a field out of range, gets VSMMU_ILLEGAL.
 */
void vsmmu_cmd_decode(const uint64_t cmd[2], const struct vsmmu_caps *caps,
		      struct vsmmu_cmd *out);

/**
 * struct vsmmu_device - one device the guest sees behind its vSMMU
 * @vsid: the StreamID the guest uses for it
 * @dev_id: its iommufd device ID
 * @hwpt_id: the HWPT it is attached to now (a nested one, the parent, or
 *           0 for none)
 */
struct vsmmu_device {
	uint32_t vsid;
	uint32_t dev_id;
	uint32_t hwpt_id;
};

/**
 * struct vsmmu_devices - a virtual SMMU's devices and nested HWPTs
 * @dev: the devices, sorted by guest StreamID
 * @n: how many devices @dev holds
 * @max: how many devices @dev has room for
 * @nested: the IDs of the nested HWPTs allocated for this virtual SMMU
 *          (on its nest parent), oldest first
 * @n_nested: how many IDs @nested holds
 * @max_nested: how many IDs @nested has room for
 *
 * The VMM's map from what the guest names (StreamIDs) to iommufd's
 * objects. It starts zeroed; vsmmu_devices_free() makes it so again.
 * iommufd object IDs are never 0, so 0 means "none". The calls take no
 * lock: a VMM that shares a map between threads serialises them. A
 * pointer that a find call returns is valid until the next add or remove
 * of a device.
 */
struct vsmmu_devices {
	struct vsmmu_device *dev;
	unsigned int n, max;
	uint32_t *nested;
	unsigned int n_nested, max_nested;
};

/**
 * vsmmu_devices_add() - a device appears behind the virtual SMMU
 * @d: the map
 * @vsid: the StreamID the guest uses for it
 * @dev_id: its iommufd device ID
 * @hwpt_id: the HWPT it is attached to now, or 0
 *
 * One device may appear under several StreamIDs (aliases); a StreamID
 * names one device.
 *
 * Return: 0, -EINVAL for device 0 (no iommufd ID), -EEXIST if @vsid
 * names a device already, or -ENOMEM.
 */
int vsmmu_devices_add(struct vsmmu_devices *d, uint32_t vsid,
		      uint32_t dev_id, uint32_t hwpt_id);

/**
 * vsmmu_devices_find() - the device a guest StreamID names
 * @d: the map
 * @vsid: the guest's StreamID
 *
 * Return: the device, or NULL if the guest has none at @vsid.
 */
struct vsmmu_device *vsmmu_devices_find(struct vsmmu_devices *d,
					uint32_t vsid);

/**
 * vsmmu_devices_find_dev() - an iommufd device's entry in the map
 * @d: the map
 * @dev_id: the iommufd device ID
 *
 * Return: the entry of @dev_id with the lowest guest StreamID, or NULL if
 * the device is not behind this virtual SMMU.
 */
struct vsmmu_device *vsmmu_devices_find_dev(struct vsmmu_devices *d,
					    uint32_t dev_id);

/**
 * vsmmu_devices_attach() - note what an iommufd device is attached to now
 * @d: the map
 * @dev_id: the iommufd device ID
 * @hwpt_id: the HWPT it is attached to now, or 0 after a detach
 *
 * For a VMM that learns of attachments by device (VFIO's calls name no
 * guest StreamID): every entry of @dev_id gets @hwpt_id.
 *
 * Return: how many entries name @dev_id (0: not behind this vSMMU).
 */
unsigned int vsmmu_devices_attach(struct vsmmu_devices *d, uint32_t dev_id,
				  uint32_t hwpt_id);

/**
 * vsmmu_devices_remove() - a device leaves the virtual SMMU
 * @d: the map
 * @vsid: the StreamID the guest used for it
 *
 * Return: 0, or -ENOENT if @vsid named no device.
 */
int vsmmu_devices_remove(struct vsmmu_devices *d, uint32_t vsid);

/**
 * vsmmu_devices_add_nested() - note a nested HWPT of the virtual SMMU
 * @d: the map
 * @hwpt_id: the nested HWPT's ID, as IOMMU_HWPT_ALLOC returned it
 *
 * A nested HWPT receives TLB invalidations for the whole virtual SMMU
 * (vsmmu_devices_target()) even when no device is attached to it: the TLB
 * keeps the guest's entries under the parent's VMID after a device has
 * left.
 *
 * Return: 0, -EINVAL for 0, -EEXIST if noted already, or -ENOMEM.
 */
int vsmmu_devices_add_nested(struct vsmmu_devices *d, uint32_t hwpt_id);

/**
 * vsmmu_devices_remove_nested() - a nested HWPT is destroyed
 * @d: the map
 * @hwpt_id: its ID
 *
 * Devices still noted as attached to it get 0: iommufd destroys only a
 * HWPT that no device is attached to.
 *
 * Return: 0, or -ENOENT if @hwpt_id is not a nested HWPT of this map.
 */
int vsmmu_devices_remove_nested(struct vsmmu_devices *d, uint32_t hwpt_id);

/**
 * vsmmu_devices_is_nested() - whether a HWPT is a nested one of the vSMMU
 * @d: the map
 * @hwpt_id: a HWPT ID
 *
 * Return: true if vsmmu_devices_add_nested() noted @hwpt_id and it has
 * not been removed since.
 */
bool vsmmu_devices_is_nested(const struct vsmmu_devices *d,
			     uint32_t hwpt_id);

/**
 * vsmmu_devices_target() - the HWPT an invalidation goes to
 * @d: the map
 * @cmd: a command that vsmmu_cmd_decode() decoded
 *
 * VSMMU_ONE_DEVICE: the nested HWPT of this virtual SMMU that the device
 * at @cmd->first is attached to; a device on the parent or on nothing
 * uses no context of the guest's, so 0 is then nothing to invalidate.
 * VSMMU_ANY_DEVICE: its oldest nested HWPT. With none, 0 is not "nothing
 * is cached": destroying a nested HWPT issues no TLB invalidation, and
 * what its devices left in the TLB under the parent's VMID stays until a
 * stage-2 unmap. A VMM keeps one nested HWPT per virtual SMMU for as long
 * as the virtual SMMU lives (QEMU's abort and bypass HWPTs do), or
 * invalidates the TLB before it destroys the last one; a TLBI that finds
 * none is not to be dropped silently.
 *
 * Return: the HWPT for IOMMU_HWPT_INVALIDATE with @cmd->entry, or 0 when
 * there is none or @cmd is not a VSMMU_INVALIDATE.
 */
uint32_t vsmmu_devices_target(const struct vsmmu_devices *d,
			      const struct vsmmu_cmd *cmd);

/**
 * vsmmu_devices_free() - empty the map
 * @d: the map; zeroed afterwards, ready for use again
 */
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
