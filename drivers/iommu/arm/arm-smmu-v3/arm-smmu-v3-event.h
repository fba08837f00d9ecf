/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An SMMUv3 event record of a device behind a nested domain, as its VMM
 * reads it (struct iommu_device_event). Plain C with no kernel
 * dependencies beyond <linux/types.h>, so host tests and the VMM
 * library's tests build the same file (tools/testing/smmuv3-nested/).
 */
#ifndef _ARM_SMMU_V3_EVENT_H
#define _ARM_SMMU_V3_EVENT_H

#include <linux/types.h>
#include <uapi/linux/iommufd.h>

/* Event IDs a guest's configuration or page tables can cause */
#define SMMUV3_EVT_C_BAD_SUBSTREAMID	0x08
#define SMMUV3_EVT_F_CD_FETCH		0x09
#define SMMUV3_EVT_C_BAD_CD		0x0a
#define SMMUV3_EVT_F_WALK_EABT		0x0b
#define SMMUV3_EVT_F_TRANSLATION	0x10
#define SMMUV3_EVT_F_ADDR_SIZE		0x11
#define SMMUV3_EVT_F_ACCESS		0x12
#define SMMUV3_EVT_F_PERMISSION		0x13

/**
 * struct smmuv3_stall - a stalled transaction, as its event record says
 * @sid: StreamID
 * @stag: stall tag, which CMD_RESUME names
 * @ssv: @ssid is valid
 * @ssid: SubstreamID
 * @stage2: the stage-2 translation faulted
 * @read: a read (RnW), else a write
 * @exec: an instruction fetch (InD)
 * @priv: privileged (PnU)
 * @addr: the input address
 */
struct smmuv3_stall {
	__u32 sid;
	__u16 stag;
	bool ssv;
	__u32 ssid;
	bool stage2, read, exec, priv;
	__u64 addr;
};

bool smmuv3_event_for_guest(const u64 evt[4], struct iommu_device_event *out);
bool smmuv3_event_stall(const u64 evt[4], struct smmuv3_stall *out);
bool smmuv3_event_host_logs(const u64 evt[4]);

#endif /* _ARM_SMMU_V3_EVENT_H */
