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
 * - A stall, read from a fault queue (IOMMU_FAULT_QUEUE_ALLOC), becomes
 *   the guest's stall event record with a STAG of the VMM's
 *   (vsmmu_fault_encode()), and the guest's CMD_RESUME and
 *   CMD_STALL_TERM become page responses for the fault file
 *   (vsmmu_stalls_resume(), vsmmu_stalls_term()), through a bounded map
 *   of the stalls the guest has been told of (struct vsmmu_stalls).
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
 * @stalls: IDR0.STALL_MODEL is 0b00 (stalls supported, not forced), and
 *          IDR0.TERM_MODEL 1: guest CMD_RESUME and CMD_STALL_TERM are
 *          legal
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
 * @VSMMU_RESUME: CMD_RESUME of the stalled transaction that
 *                &vsmmu_cmd.first and &vsmmu_cmd.stag name, as
 *                &vsmmu_cmd.resume says: vsmmu_stalls_resume()
 * @VSMMU_STALL_TERM: CMD_STALL_TERM: every stalled transaction of
 *                    StreamID &vsmmu_cmd.first fails:
 *                    vsmmu_stalls_term()
 */
enum vsmmu_action {
	VSMMU_NOTHING,
	VSMMU_INVALIDATE,
	VSMMU_RELOAD_STE,
	VSMMU_SYNC,
	VSMMU_ILLEGAL,
	VSMMU_RESUME,
	VSMMU_STALL_TERM,
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
 * enum vsmmu_resume - what a guest's CMD_RESUME does with its transaction
 *                     (IHI 0070 4.7.1, its Action and Abort parameters)
 * @VSMMU_RESUME_TERM: Ac 0, Ab 0: terminate it, with RAZ/WI behaviour
 *                     where SMMU_IDR0.TERM_MODEL is 0; with TERM_MODEL 1
 *                     Ab is ignored and it is aborted
 * @VSMMU_RESUME_RETRY: Ac 1 (Ab ignored): retry it as though it had just
 *                      arrived: translated again, it goes on or faults
 *                      again
 * @VSMMU_RESUME_ABORT: Ac 0, Ab 1: terminate it with an abort (a bus
 *                      error for the device)
 *
 * The host's driver can only retry or abort a stalled transaction (its
 * page response makes CMD_RESUME Retry or Abort), so a virtual SMMU that
 * offers stalls must also set SMMU_IDR0.TERM_MODEL to 1: TERM is then an
 * abort by the architecture, not by approximation.
 */
enum vsmmu_resume {
	VSMMU_RESUME_TERM,
	VSMMU_RESUME_RETRY,
	VSMMU_RESUME_ABORT,
};

/**
 * struct vsmmu_cmd - what one guest command asks of the VMM
 * @action: what to do
 * @scope: for VSMMU_INVALIDATE, where @entry goes
 * @first: the guest StreamID named (ONE_DEVICE, RESUME, STALL_TERM),
 *         first of a reload
 * @last: last guest StreamID of a reload (UINT32_MAX: all of them)
 * @entry: for VSMMU_INVALIDATE, the generic entry
 * @stag: for VSMMU_RESUME, the guest's STAG
 * @resume: for VSMMU_RESUME, what to do with the transaction
 */
struct vsmmu_cmd {
	enum vsmmu_action action;
	enum vsmmu_scope scope;
	uint32_t first, last;
	struct iommu_hwpt_invalidate_generic entry;
	uint16_t stag;
	enum vsmmu_resume resume;
};

/**
 * vsmmu_cmd_decode() - what a guest command asks of the VMM
 * @cmd: the command, two 64-bit words as on the guest's queue
 * @caps: what the virtual SMMU offers
 * @out: the action; vsmmu_devices_target() says where an invalidation
 *       goes
 *
 * Every command gets an answer: one the virtual SMMU does not have, or
 * with a field out of range, gets VSMMU_ILLEGAL. CMD_RESUME and
 * CMD_STALL_TERM are commands of a virtual SMMU with @caps->stalls only
 * (IHI 0070 4.7.1, 4.7.2: CERROR_ILL when SMMU_IDR0.STALL_MODEL is
 * 0b01), and SSec 1 is illegal on a Non-secure command queue (4.1.6).
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

/**
 * struct vsmmu_stall - a stalled transaction the guest has been told of
 * @cookie: the fault's cookie, which its page response names
 * @dev_id: the iommufd device of the fault
 * @vsid: the StreamID of the guest's event record
 * @stag: the STAG of the guest's event record, the VMM's own
 */
struct vsmmu_stall {
	uint32_t cookie;
	uint32_t dev_id;
	uint32_t vsid;
	uint16_t stag;
};

/**
 * struct vsmmu_stalls - the stalls of one fault queue that the guest has
 *                       been told of and has not answered
 * @stall: the stalls, oldest first
 * @n: how many @stall holds
 * @max: the bound: how many it has room for (vsmmu_stalls_init())
 * @next: the STAG to try first for the next stall
 * @used: a bit per STAG value, set while a stall holds it
 *
 * The VMM's STAG <-> (device, cookie) map: one per fault queue, whose
 * cookies it holds (the kernel numbers them per fault object and hands
 * out an answered cookie again). STAGs go round all 65536 values, so a
 * STAG the guest has answered, or that the kernel answered for it, names
 * nothing for as long as possible. Zeroed, or after vsmmu_stalls_free(),
 * it holds nothing and has room for nothing. The calls take no lock.
 */
struct vsmmu_stalls {
	struct vsmmu_stall *stall;
	unsigned int n, max;
	uint32_t next;
	uint64_t *used;
};

/**
 * vsmmu_stalls_init() - make a map of stalls with room for @max of them
 * @st: the map, zeroed or freed
 * @max: its bound, 1 to 65536 (a STAG has 16 bits)
 *
 * Return: 0, -EINVAL for a bound out of range, or -ENOMEM.
 */
int vsmmu_stalls_init(struct vsmmu_stalls *st, unsigned int max);

/**
 * vsmmu_stalls_free() - free a map of stalls
 * @st: the map; zeroed afterwards. Its stalls are not answered: the
 *      kernel answers what is pending when the fault file is closed.
 */
void vsmmu_stalls_free(struct vsmmu_stalls *st);

/**
 * vsmmu_fault_encode() - the guest's event record for a stall
 * @st: the map of the fault queue @f was read from
 * @d: the device map of the virtual SMMU
 * @f: a fault read from the fault file of IOMMU_FAULT_QUEUE_ALLOC
 * @evt: the guest's event record, four 64-bit words
 * @resp: for a fault that gets no record, its answer
 *
 * The record is an F_TRANSLATION of stage 1 (IHI 0070 7.3.13) with
 * Stall 1: @f names no event type, and a guest handles the four
 * translation-related faults that stall (F_TRANSLATION, F_ADDR_SIZE,
 * F_ACCESS, F_PERMISSION) alike, by resolving the page at the address
 * for the access; F_TRANSLATION ("no valid descriptor for the address")
 * is the one that holds for each. It carries the guest's StreamID of
 * @f->dev_id, a STAG of the VMM's (the host's STAG, @f->grpid, never
 * reaches the guest), the SubstreamID when @f has a valid PASID, RnW,
 * InD and PnU from @f->perm (a write, alone or with a read, is RnW 0;
 * InD only for a read, as the architecture has it) and @f->addr.
 *
 * Nothing may stall for ever: a fault that gets no record is to be
 * answered at once, with @resp (IOMMUFD_PAGE_RESP_INVALID for its
 * cookie), written to the fault file.
 *
 * A fault whose cookie @st holds already replaces that stall: the kernel
 * hands out a cookie again only once it has answered it itself (the
 * device was detached or its HWPT replaced), and the old STAG then names
 * nothing.
 *
 * Return: 0 (@evt is the record, the stall is in @st), or, with @resp to
 * write: -EINVAL for a fault that is no stall of this uAPI (flags or
 * permissions unknown, neither read nor write, no LAST_PAGE flag, a
 * PASID beyond 20 bits, a reserved field set), -ENOENT for a device
 * that is not behind the virtual SMMU, -ENOSPC when @st is full.
 */
int vsmmu_fault_encode(struct vsmmu_stalls *st, struct vsmmu_devices *d,
		       const struct iommu_hwpt_pgfault *f, uint64_t evt[4],
		       struct iommu_hwpt_page_response *resp);

/**
 * vsmmu_stalls_resume() - the page response for a guest's CMD_RESUME
 * @st: the map
 * @cmd: a command that vsmmu_cmd_decode() made VSMMU_RESUME
 * @resp: the page response to write to the fault file
 *
 * The stall whose StreamID and STAG are those of @cmd is answered and
 * leaves @st: Retry is IOMMUFD_PAGE_RESP_SUCCESS (the host retries the
 * transaction), Abort and Term are IOMMUFD_PAGE_RESP_INVALID (the host
 * aborts it). A CMD_RESUME that matches no stall (an unknown STAG, one
 * answered already, one of another StreamID) has no effect, as IHI 0070
 * 4.7.1 says of such a command: no response, and no command error.
 *
 * Return: true if @resp is to be written, false for no effect.
 */
bool vsmmu_stalls_resume(struct vsmmu_stalls *st, const struct vsmmu_cmd *cmd,
			 struct iommu_hwpt_page_response *resp);

/**
 * vsmmu_stalls_term() - the page responses for a guest's CMD_STALL_TERM
 * @st: the map
 * @vsid: the StreamID it names (&vsmmu_cmd.first)
 * @resp: room for @n page responses, to write to the fault file
 * @n: how many @resp has room for
 *
 * The stalls of @vsid, oldest first, are answered with
 * IOMMUFD_PAGE_RESP_INVALID and leave @st (IHI 0070 4.7.2: as a
 * CMD_RESUME that terminates each).
 *
 * Return: how many of @resp to write; @n means that more may be left:
 * call again.
 */
unsigned int vsmmu_stalls_term(struct vsmmu_stalls *st, uint32_t vsid,
			       struct iommu_hwpt_page_response *resp,
			       unsigned int n);

/**
 * vsmmu_stalls_forget() - the kernel answered a device's stalls itself
 * @st: the map
 * @dev_id: the iommufd device
 *
 * For the VMM to call when it detaches the device or replaces its
 * nested HWPT (the kernel answers the pending faults of the old one),
 * and when the device leaves the virtual SMMU: its stalls leave @st
 * unanswered, and a guest's CMD_RESUME of their STAGs has no effect.
 * The kernel hands their cookies out again, so a stale entry must not
 * outlive them.
 *
 * Return: how many stalls left @st.
 */
unsigned int vsmmu_stalls_forget(struct vsmmu_stalls *st, uint32_t dev_id);

#endif
