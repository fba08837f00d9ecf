// SPDX-License-Identifier: GPL-2.0
/*
 * Events of devices behind a nested domain go to their VMM: the event
 * queue thread offers each event here first, and an event the guest
 * caused, of a device whose owner set an event sink (iommufd's device
 * event queue), goes there instead of the kernel log. A stall goes to the
 * nested domain's fault queue, or is aborted here. Everything else keeps
 * the driver's usual, rate-limited path.
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
 * arm_smmu_nested_resume() - resume or terminate a stalled transaction
 * @smmu: the SMMU the transaction stalled in
 * @sid: its StreamID
 * @stag: its stall tag
 * @retry: retry it (after a fault was fixed), else terminate it with an
 *         abort the device sees
 *
 * CMD_RESUME needs no CMD_SYNC: the SMMU ends the transaction once it
 * consumes the command. Test hooks may catch the command instead.
 */
void arm_smmu_nested_resume(struct arm_smmu_device *smmu, u32 sid, u16 stag,
			    bool retry)
{
	u64 resp = retry ? CMDQ_RESUME_0_RESP_RETRY : CMDQ_RESUME_0_RESP_ABORT;
	u64 cmd[CMDQ_ENT_DWORDS] = {
		FIELD_PREP(CMDQ_0_OP, CMDQ_OP_RESUME) |
		FIELD_PREP(CMDQ_RESUME_0_SID, sid) |
		FIELD_PREP(CMDQ_RESUME_0_RESP, resp),
		FIELD_PREP(CMDQ_RESUME_1_STAG, stag),
	};

	if (arm_smmu_nested_test_catch_resume(smmu, sid, stag, resp))
		return;
	arm_smmu_cmdq_issue_cmdlist(smmu, &smmu->cmdq, cmd, 1, false);
}
EXPORT_SYMBOL_IF_KUNIT(arm_smmu_nested_resume);

/*
 * Called as @master goes behind a nested domain with a fault handler,
 * after its STE is live, and as it leaves one. The event thread reports
 * stalls under streams_mutex; once this returns after leaving, no report
 * of the device's is in flight or starts, so none can reach the domain's
 * attach handle, which the IOMMU core drops after the driver's attach.
 */
void arm_smmu_nested_stalls_route(struct arm_smmu_master *master, bool on)
{
	mutex_lock(&master->smmu->streams_mutex);
	master->nested_stalls = on;
	mutex_unlock(&master->smmu->streams_mutex);
}

/*
 * Every master's stalls but SVA's are this file's, so that none reaches
 * the IOMMU core unless the device sits on a nested domain with a fault
 * queue. In 6.12 only SVA and iommufd's fault queues (nested domains
 * only, here) handle faults, and iommufd gives every attached HWPT an
 * attach handle, which the core swaps after the driver's attach: a
 * report in any other state could read a handle iommufd is freeing.
 */
static bool stalls_are_ours(struct arm_smmu_master *master)
{
	return !READ_ONCE(master->sva_enabled);
}

/*
 * Why the host must answer a stall itself, or NULL when it goes to the
 * fault queue. @seq is the record's place in the event queue.
 */
static const char *host_answers_stall(struct arm_smmu_master *master,
				      const struct smmuv3_stall *stall,
				      u64 seq)
{
	/* Acquire: pairs with the release in arm_smmu_nested_events_route() */
	if (!smp_load_acquire(&master->nested_events))
		return "not behind a nested domain";
	if (stall->stage2)
		return "stage-2 fault";
	if (!arm_smmu_nesting_usable(master->smmu))
		return "nesting is off";
	/* Also every stall of a device with several StreamIDs */
	if (!master->nested_stalls)
		return "no fault queue";
	/* Recorded before the device went behind this domain */
	if (seq < READ_ONCE(master->nested_events_from))
		return "older than its domain";
	return NULL;
}

/* To the IOMMU core, which calls the domain's fault handler */
static void report_stall(struct arm_smmu_master *master,
			 const struct smmuv3_stall *stall)
{
	struct iopf_fault fault = {
		.fault.type = IOMMU_FAULT_PAGE_REQ,
		.fault.prm = {
			.flags = IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE,
			.grpid = stall->stag,
			.perm = (stall->read ? IOMMU_FAULT_PERM_READ :
					       IOMMU_FAULT_PERM_WRITE) |
				(stall->exec ? IOMMU_FAULT_PERM_EXEC : 0) |
				(stall->priv ? IOMMU_FAULT_PERM_PRIV : 0),
			.addr = stall->addr,
		},
	};

	if (stall->ssv) {
		fault.fault.prm.flags |= IOMMU_FAULT_PAGE_REQUEST_PASID_VALID;
		fault.fault.prm.pasid = stall->ssid;
	}
	/* On failure the core has answered it (arm_smmu_page_response()) */
	iommu_report_device_fault(master->dev, &fault);
}

/**
 * arm_smmu_nested_stall() - take a stall of a device iommufd may handle
 * @smmu: the SMMU whose event queue held @evt
 * @evt: the event record
 * @seq: its place in the event queue (evtq.nested_seq when it was taken);
 *       U64_MAX for a record written just now
 *
 * Takes the stalls of every device but those the kernel's SVA serves. A
 * stage-1 stall of a device on a nested domain with a fault handler
 * (iommufd's fault queue) goes to the handler, under streams_mutex, which
 * leaving the domain takes too (arm_smmu_nested_stalls_route()). The host
 * aborts every other one at once, on the record's own StreamID, and logs
 * it: stage-2 faults (which stall only where the SMMU forces stalls),
 * which the host owns and no guest can resolve; every stall while nesting
 * is switched off, of a device without a fault queue or not on a nested
 * domain, and one recorded before the device went behind its domain.
 *
 * Return: true when @evt was such a stall, now reported or aborted; false
 * for anything else, which the caller handles.
 */
bool arm_smmu_nested_stall(struct arm_smmu_device *smmu, u64 *evt, u64 seq)
{
	struct arm_smmu_master *master;
	struct smmuv3_stall stall;
	const char *why;

	if (!smmuv3_event_stall(evt, &stall))
		return false;
	mutex_lock(&smmu->streams_mutex);
	master = arm_smmu_find_master(smmu, stall.sid);
	if (!master || !stalls_are_ours(master)) {
		mutex_unlock(&smmu->streams_mutex);
		return false;
	}
	why = host_answers_stall(master, &stall, seq);
	if (!why)
		report_stall(master, &stall);
	mutex_unlock(&smmu->streams_mutex);

	if (why) {
		arm_smmu_nested_resume(smmu, stall.sid, stall.stag, false);
		dev_warn_ratelimited(smmu->dev,
				     "stall of StreamID 0x%x aborted: %s\n",
				     stall.sid, why);
	}
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(arm_smmu_nested_stall);

/**
 * arm_smmu_nested_report_event() - send an event to the device's VMM
 * @smmu: the SMMU whose event queue held @evt
 * @evt: the event record
 *
 * Called by the event queue thread for every event it takes off the
 * queue, in queue order.
 *
 * Return: true when the event went to an event sink only, or was a stall
 * of a nested device (arm_smmu_nested_stall()), false when the caller
 * handles it as before (a stall goes to the IOPF path, anything else is
 * logged).
 */
bool arm_smmu_nested_report_event(struct arm_smmu_device *smmu, u64 *evt)
{
	u64 seq = smmu->evtq.nested_seq;	/* only this thread writes it */
	struct iommu_device_event event;
	struct arm_smmu_master *master;
	bool sent = false;

	/* Counted before anything else: see evtq_next_seq() */
	smp_store_release(&smmu->evtq.nested_seq, seq + 1);
	if (arm_smmu_nested_stall(smmu, evt, seq))
		return true;
	/* Other stalls are not the guest's either: the IOPF path takes them */
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
