// SPDX-License-Identifier: GPL-2.0
/*
 * From an SMMUv3 event record to the record a VMM reads: which events are
 * the guest's business, what they say in generic terms, and the raw
 * record with what only the host may know taken out.
 */
#include "arm-smmu-v3-event.h"

/* Bits @hi..@lo of a 64-bit word, set */
static inline u64 evt_bits(unsigned int hi, unsigned int lo)
{
	return (~0ULL >> (63 - hi + lo)) << lo;
}

/* Event record fields (SMMUv3 architecture, "Event records") */
#define EVT0_ID(e)		((unsigned int)((e)[0] & evt_bits(7, 0)))
#define EVT0_SSV		evt_bits(11, 11)
#define EVT0_SSID(e)		((__u32)(((e)[0] & evt_bits(31, 12)) >> 12))
#define EVT0_SID_MASK		evt_bits(63, 32)
#define EVT0_SID(e)		((__u32)((e)[0] >> 32))
#define EVT1_STAG_MASK		evt_bits(15, 0)
#define EVT1_STALL		evt_bits(31, 31)
#define EVT1_PNU		evt_bits(33, 33)
#define EVT1_IND		evt_bits(34, 34)
#define EVT1_RNW		evt_bits(35, 35)
#define EVT1_S2			evt_bits(39, 39)
#define EVT3_IPA_MASK		evt_bits(51, 12)

/* A fault on an access: it has an address, a direction and a stage */
static bool smmuv3_event_is_access(unsigned int id)
{
	switch (id) {
	case SMMUV3_EVT_F_WALK_EABT:
	case SMMUV3_EVT_F_TRANSLATION:
	case SMMUV3_EVT_F_ADDR_SIZE:
	case SMMUV3_EVT_F_ACCESS:
	case SMMUV3_EVT_F_PERMISSION:
		return true;
	}
	return false;
}

/**
 * smmuv3_event_for_guest() - the VMM's record of an SMMUv3 event
 * @evt: the event record, four 64-bit words in CPU order
 * @out: the record for the VMM (dev_id left 0, for the queue to fill)
 *
 * Events about the STE, the stream table, TLB conflicts, page requests and
 * stalls are the host's, and so are events that the host must resume.
 * @out->raw keeps only what the guest's own record would say: word 0
 * without the StreamID for the configuration errors and F_CD_FETCH (whose
 * other words hold a physical fetch address, or nothing the guest needs);
 * for faults on an access also word 1 without the stall tag, the input
 * address, and the IPA of a stage-2 fault. Zeroed: the rest, including
 * F_WALK_EABT's physical fetch address and the IPA word of a stage-1
 * fault, which the architecture leaves UNKNOWN.
 *
 * Return: true when the event goes to the VMM.
 */
bool smmuv3_event_for_guest(const u64 evt[4], struct iommu_device_event *out)
{
	unsigned int id = EVT0_ID(evt);
	bool access = smmuv3_event_is_access(id);

	if (!access && id != SMMUV3_EVT_C_BAD_SUBSTREAMID &&
	    id != SMMUV3_EVT_F_CD_FETCH && id != SMMUV3_EVT_C_BAD_CD)
		return false;
	if (evt[1] & EVT1_STALL)
		return false;

	/* Word 0 (without the StreamID) is all a configuration error has */
	*out = (struct iommu_device_event) { .type = id };
	out->raw[0] = evt[0] & ~EVT0_SID_MASK;
	if (evt[0] & EVT0_SSV) {
		out->flags |= IOMMU_DEVICE_EVENT_SSID_VALID;
		out->ssid = EVT0_SSID(evt);
	}
	if (!access)
		return true;

	out->raw[1] = evt[1] & ~EVT1_STAG_MASK;
	out->raw[2] = evt[2];

	out->addr = evt[2];
	out->flags |= evt[1] & EVT1_RNW ? IOMMU_DEVICE_EVENT_READ :
					  IOMMU_DEVICE_EVENT_WRITE;
	if (evt[1] & EVT1_IND)
		out->flags |= IOMMU_DEVICE_EVENT_EXEC;
	if (evt[1] & EVT1_PNU)
		out->flags |= IOMMU_DEVICE_EVENT_PRIV;
	/*
	 * Word 3: the IPA of a stage-2 fault. A stage-1 fault leaves it
	 * UNKNOWN, and F_WALK_EABT puts a physical fetch address there.
	 */
	if (evt[1] & EVT1_S2 && id != SMMUV3_EVT_F_WALK_EABT) {
		out->flags |= IOMMU_DEVICE_EVENT_STAGE2 |
			      IOMMU_DEVICE_EVENT_IPA_VALID;
		out->ipa = evt[3] & EVT3_IPA_MASK;
		out->raw[3] = evt[3];
	}
	return true;
}

/**
 * smmuv3_event_stall() - the transaction a stall record holds stalled
 * @evt: the event record, four 64-bit words in CPU order
 * @out: what the record says of the transaction
 *
 * Only the four translation faults on an access can stall (F_TRANSLATION,
 * F_ADDR_SIZE, F_ACCESS, F_PERMISSION): any other record with the Stall
 * bit's position set is not a stall.
 *
 * Return: true when @evt is a stall, and @out filled.
 */
bool smmuv3_event_stall(const u64 evt[4], struct smmuv3_stall *out)
{
	unsigned int id = EVT0_ID(evt);

	if (id < SMMUV3_EVT_F_TRANSLATION || id > SMMUV3_EVT_F_PERMISSION ||
	    !(evt[1] & EVT1_STALL))
		return false;
	*out = (struct smmuv3_stall) {
		.sid = EVT0_SID(evt),
		.stag = evt[1] & EVT1_STAG_MASK,
		.ssv = evt[0] & EVT0_SSV,
		.ssid = evt[0] & EVT0_SSV ? EVT0_SSID(evt) : 0,
		.stage2 = evt[1] & EVT1_S2,
		.read = evt[1] & EVT1_RNW,
		.exec = evt[1] & EVT1_IND,
		.priv = evt[1] & EVT1_PNU,
		.addr = evt[2],
	};
	return true;
}

/**
 * smmuv3_event_host_logs() - an event the host must see, forwarded or not
 * @evt: the event record, four 64-bit words in CPU order
 *
 * External aborts on the SMMU's own fetches, F_CD_FETCH and F_WALK_EABT
 * (of a stage-1 or a stage-2 table), happen on physical addresses: a RAS
 * error of the host's memory or interconnect, which the host logs even
 * while the guest is told.
 *
 * Return: true when the host logs @evt whatever else happens to it.
 */
bool smmuv3_event_host_logs(const u64 evt[4])
{
	unsigned int id = EVT0_ID(evt);

	return id == SMMUV3_EVT_F_CD_FETCH || id == SMMUV3_EVT_F_WALK_EABT;
}
