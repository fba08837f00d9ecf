// SPDX-License-Identifier: GPL-2.0
/*
 * Events of devices behind a nested domain go to their VMM: the event
 * queue thread offers each event here first, and an event the guest
 * caused, of a device whose owner set an event sink (iommufd's device
 * event queue), goes there instead of the kernel log. Everything else
 * keeps the driver's usual, rate-limited path.
 */
#include <linux/iommu.h>

#include "arm-smmu-v3.h"
#include "arm-smmu-v3-event.h"
#include "arm-smmu-v3-nested.h"

/* IOMMU_CAP_NESTED_EVENTS: the device may be nested, so may report */
bool arm_smmu_nested_events_capable(struct arm_smmu_master *master)
{
	return arm_smmu_nesting_usable(master->smmu);
}

/* Called as @master goes behind a nested domain, or leaves it */
void arm_smmu_nested_events_route(struct arm_smmu_master *master, bool nested)
{
	lockdep_assert_held(&arm_smmu_asid_lock);
	/* Read without the lock: the route of an event racing a move may go either way */
	WRITE_ONCE(master->nested_events, nested);
}

/**
 * arm_smmu_nested_report_event() - send an event to the device's VMM
 * @smmu: the SMMU whose event queue held @evt
 * @evt: the event record
 *
 * Return: true when the event went to an event sink, false when the
 * caller handles it as before.
 */
bool arm_smmu_nested_report_event(struct arm_smmu_device *smmu, u64 *evt)
{
	struct iommu_device_event event;
	struct arm_smmu_master *master;
	bool sent = false;

	if (!smmuv3_event_for_guest(evt, &event))
		return false;
	/* Keeps the master, and so its device, while the sink runs */
	mutex_lock(&smmu->streams_mutex);
	master = arm_smmu_find_master(smmu, FIELD_GET(EVTQ_0_SID, evt[0]));
	if (master && READ_ONCE(master->nested_events))
		sent = !iommu_report_device_event(master->dev, &event);
	mutex_unlock(&smmu->streams_mutex);
	return sent;
}
