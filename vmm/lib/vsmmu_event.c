// SPDX-License-Identifier: GPL-2.0
/*
 * A record from this kernel's device event queue -> the event record the
 * guest's SMMU driver reads from its (virtual) event queue.
 */
#include <errno.h>
#include <string.h>

#include "smmuv3_vmm.h"

#define EVT0_SID_SHIFT	32
#define EVT0_SID_MASK	0xffffffff00000000ULL

int vsmmu_event_encode(const struct iommu_device_event *ev, uint32_t vsid,
		       uint64_t evt[4])
{
	if (ev->flags & IOMMU_DEVICE_EVENT_OVERFLOW)
		return -EINVAL;
	memcpy(evt, ev->raw, sizeof(ev->raw));
	/* The kernel cleared the host's StreamID; the guest's goes there */
	evt[0] = (evt[0] & ~EVT0_SID_MASK) | ((uint64_t)vsid << EVT0_SID_SHIFT);
	return 0;
}
