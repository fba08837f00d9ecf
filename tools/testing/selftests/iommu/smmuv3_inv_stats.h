/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SMMUv3 nested driver's invalidation counters (debugfs): what
 * IOMMU_HWPT_INVALIDATE calls cost on the command queue.
 */
#ifndef __SELFTEST_IOMMU_SMMUV3_INV_STATS_H
#define __SELFTEST_IOMMU_SMMUV3_INV_STATS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define SMMUV3_INV_STATS "/sys/kernel/debug/arm-smmu-v3-nested/invalidate_"

struct smmuv3_inv_stats {
	uint64_t ioctls, requested, entries, commands, syncs;
};

/* One counter, or ~0 when it cannot be read (no debugfs, not built in) */
static inline uint64_t smmuv3_inv_stat(const char *name)
{
	char path[128], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), SMMUV3_INV_STATS "%s", name);
	f = fopen(path, "r");
	if (!f)
		return ~0ULL;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return strtoull(buf, NULL, 10);
}

static inline struct smmuv3_inv_stats smmuv3_inv_stats_read(void)
{
	struct smmuv3_inv_stats s = {
		.ioctls = smmuv3_inv_stat("ioctls"),
		.requested = smmuv3_inv_stat("requested"),
		.entries = smmuv3_inv_stat("entries"),
		.commands = smmuv3_inv_stat("commands"),
		.syncs = smmuv3_inv_stat("syncs"),
	};
	return s;
}

#endif
