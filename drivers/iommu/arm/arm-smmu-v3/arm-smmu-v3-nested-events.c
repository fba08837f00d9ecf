// SPDX-License-Identifier: GPL-2.0
/*
 * Events of devices behind a nested domain go to their VMM: the event
 * queue thread offers each event here first, and an event the guest
 * caused, of a device whose owner set an event sink (iommufd's device
 * event queue), goes there instead of the kernel log. Everything else
 * keeps the driver's usual, rate-limited path.
 */
#include <linux/iommu.h>
#include <kunit/visibility.h>

#include "arm-smmu-v3.h"
#include "arm-smmu-v3-event.h"
#include "arm-smmu-v3-nested.h"

/* IOMMU_CAP_NESTED_EVENTS: the device may be nested, so may report */
bool arm_smmu_nested_events_capable(struct arm_smmu_master *master)
{
	return arm_smmu_nesting_usable(master->smmu);
}

/*
 * The sequence number (evtq.nested_seq) the next event the SMMU writes
 * will have, or more. The thread's count and the queue's consumer index
 * move together, one per event taken off the queue (the thread counts an
 * event as soon as it has taken it), so the events between the count and
 * PROD are those still queued: at most the queue's N entries, and
 * positions run over two laps (2N, with the wrap bit). PROD is read
 * first: if the thread overtakes that sample before the count is read,
 * every event from the count on was written after it.
 */
static u64 evtq_next_seq(struct arm_smmu_device *smmu)
{
	struct arm_smmu_queue *q = &smmu->evtq.q;
	u32 entries = 1U << q->llq.max_n_shift;
	u32 prod = readl(q->prod_reg);	/* ordered before the next load */
	/* Pairs with the release in arm_smmu_nested_report_event() */
	u64 seq = smp_load_acquire(&smmu->evtq.nested_seq);
	u32 ahead = (prod - (u32)seq) & (2 * entries - 1);

	/* N queued, and one the thread has taken but not counted yet */
	return ahead <= entries + 1 ? seq + ahead : seq;
}

/*
 * Called as @master goes behind a nested domain, after its new STE is
 * installed and synced, and as it leaves one, before its STE changes.
 * Only events recorded after the mark taken when it goes nested may go
 * to the device's event sink: a backlog of faults from before (another
 * VM's, or the host's own) is logged by the host instead. Nothing waits
 * for the event thread.
 */
void arm_smmu_nested_events_route(struct arm_smmu_master *master, bool nested)
{
	lockdep_assert_held(&arm_smmu_asid_lock);
	if (nested && !master->nested_events)
		WRITE_ONCE(master->nested_events_from,
			   evtq_next_seq(master->smmu));
	/* The thread that sees the route on sees its mark too */
	smp_store_release(&master->nested_events, nested);
}

/**
 * arm_smmu_nested_report_event() - send an event to the device's VMM
 * @smmu: the SMMU whose event queue held @evt
 * @evt: the event record
 *
 * Called by the event queue thread for every event it takes off the
 * queue, in queue order.
 *
 * Return: true when the event went to an event sink only, false when the
 * caller handles (logs) it as before.
 */
bool arm_smmu_nested_report_event(struct arm_smmu_device *smmu, u64 *evt)
{
	u64 seq = smmu->evtq.nested_seq;	/* only this thread writes it */
	struct iommu_device_event event;
	struct arm_smmu_master *master;
	bool sent = false;

	/* Counted before anything else: see evtq_next_seq() */
	smp_store_release(&smmu->evtq.nested_seq, seq + 1);
	if (!smmuv3_event_for_guest(evt, &event))
		return false;
	/* Keeps the master, and so its device, while the sink runs */
	mutex_lock(&smmu->streams_mutex);
	master = arm_smmu_find_master(smmu, FIELD_GET(EVTQ_0_SID, evt[0]));
	/* Acquire: the mark was written before the route (events_route()) */
	if (master && smp_load_acquire(&master->nested_events) &&
	    seq >= READ_ONCE(master->nested_events_from))
		sent = !iommu_report_device_event(master->dev, &event);
	mutex_unlock(&smmu->streams_mutex);
	/* External aborts are the host's to see as well */
	return sent && !smmuv3_event_host_logs(evt);
}
EXPORT_SYMBOL_IF_KUNIT(arm_smmu_nested_report_event);
