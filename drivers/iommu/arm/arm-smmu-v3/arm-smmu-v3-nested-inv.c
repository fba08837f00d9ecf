// SPDX-License-Identifier: GPL-2.0
/*
 * IOMMU_HWPT_INVALIDATE on a nested domain: each generic entry becomes
 * SMMUv3 commands (arm-smmu-v3-inv.c), which go on the command queue in
 * batches with one CMD_SYNC per ioctl. ATC invalidations, only for
 * devices with ATS, follow in a second batch once the first has
 * completed, as a device must not refetch a stale translation.
 *
 * Counters in /sys/kernel/debug/arm-smmu-v3-nested/ let tests and
 * benchmarks see what an ioctl cost: entries asked for and carried out,
 * commands issued (without syncs), syncs, and ioctls.
 */
#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/slab.h>

#include "arm-smmu-v3-nested.h"
#include "arm-smmu-v3-inv.h"

static struct {
	atomic64_t ioctls, requested, entries, commands, syncs;
} inv_stats;

static int inv_stat_get(void *counter, u64 *val)
{
	*val = atomic64_read(counter);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(inv_stat_fops, inv_stat_get, NULL, "%llu\n");

/* The counters need an initcall of their own: built-in drivers only */
static int __init __maybe_unused arm_smmu_nested_debugfs_init(void)
{
	struct dentry *dir = debugfs_create_dir("arm-smmu-v3-nested", NULL);

	debugfs_create_file_unsafe("invalidate_ioctls", 0444, dir,
				   &inv_stats.ioctls, &inv_stat_fops);
	debugfs_create_file_unsafe("invalidate_requested", 0444, dir,
				   &inv_stats.requested, &inv_stat_fops);
	debugfs_create_file_unsafe("invalidate_entries", 0444, dir,
				   &inv_stats.entries, &inv_stat_fops);
	debugfs_create_file_unsafe("invalidate_commands", 0444, dir,
				   &inv_stats.commands, &inv_stat_fops);
	debugfs_create_file_unsafe("invalidate_syncs", 0444, dir,
				   &inv_stats.syncs, &inv_stat_fops);
	return 0;
}

#ifndef MODULE
late_initcall(arm_smmu_nested_debugfs_init);
#endif

/* Commands on their way to the queue, CMDQ_BATCH_ENTRIES at a time */
struct nested_batch {
	struct arm_smmu_device *smmu;
	u64 cmds[CMDQ_BATCH_ENTRIES * CMDQ_ENT_DWORDS];
	unsigned int num;
	unsigned int issued;
};

static void nested_batch_add(struct nested_batch *b,
			     const struct smmuv3_cmd *cmds, unsigned int n)
{
	struct arm_smmu_device *smmu = b->smmu;
	bool force_sync = smmu->options & ARM_SMMU_OPT_CMDQ_FORCE_SYNC;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (b->num == CMDQ_BATCH_ENTRIES) {
			/* Some implementations need a sync per batch */
			arm_smmu_cmdq_issue_cmdlist(smmu, &smmu->cmdq, b->cmds,
						    b->num, force_sync);
			if (force_sync)
				atomic64_inc(&inv_stats.syncs);
			b->num = 0;
		}
		b->cmds[b->num * CMDQ_ENT_DWORDS] = cmds[i].w[0];
		b->cmds[b->num * CMDQ_ENT_DWORDS + 1] = cmds[i].w[1];
		b->num++;
		b->issued++;
	}
}

/* The rest of the batch and one CMD_SYNC, if anything was issued at all */
static void nested_batch_finish(struct nested_batch *b)
{
	if (!b->issued)
		return;
	arm_smmu_cmdq_issue_cmdlist(b->smmu, &b->smmu->cmdq, b->cmds, b->num,
				    true);
	atomic64_add(b->issued, &inv_stats.commands);
	atomic64_inc(&inv_stats.syncs);
}

/*
 * The kernel's side of every entry: the parent's VMID, the SMMU's features
 * and the StreamIDs of the attached devices (those with ATS apart).
 * Called with nested->lock held, so the devices stay put.
 */
static int nested_inv_target(struct arm_smmu_nested_domain *nested,
			     struct smmuv3_inv_target *t, u32 **sid_buf)
{
	struct arm_smmu_device *smmu = nested->s2_parent->smmu;
	struct arm_smmu_nested_master *entry;
	unsigned int n = 0, i;
	u32 *sids, *ats;

	list_for_each_entry(entry, &nested->masters, node)
		n += entry->master->num_streams;
	sids = kcalloc(2 * n + 1, sizeof(*sids), GFP_KERNEL);
	if (!sids)
		return -ENOMEM;
	ats = sids + n;

	*t = (struct smmuv3_inv_target){
		.vmid = nested->s2_parent->s2_cfg.vmid,
		.ril = smmu->features & ARM_SMMU_FEAT_RANGE_INV,
		.asid_bits = smmu->asid_bits,
		.ssid_bits = smmu->ssid_bits,
		.granules = smmu->pgsize_bitmap & (SZ_4K | SZ_16K | SZ_64K),
		.sids = sids,
		.ats_sids = ats,
	};
	list_for_each_entry(entry, &nested->masters, node) {
		for (i = 0; i < entry->master->num_streams; i++) {
			u32 sid = entry->master->streams[i].id;

			sids[t->nsids++] = sid;
			if (entry->master->ats_enabled)
				ats[t->nats++] = sid;
		}
	}
	*sid_buf = sids;
	return 0;
}

int arm_smmu_nested_cache_invalidate(struct iommu_domain *domain,
				     struct iommu_user_data_array *array)
{
	struct arm_smmu_nested_domain *nested = to_nested(domain);
	struct arm_smmu_device *smmu = nested->s2_parent->smmu;
	struct iommu_hwpt_invalidate_generic inv;
	struct nested_batch *main, *atc;
	struct smmuv3_inv_target t;
	struct smmuv3_inv_cmds out;
	unsigned int done = 0;
	u32 *sids = NULL;
	int ret;

	if (array->type != IOMMU_HWPT_INVALIDATE_DATA_GENERIC) {
		array->entry_num = 0;
		return -EOPNOTSUPP;
	}
	/* entry_num == 0 asks whether the type is supported: it is */
	if (!array->entry_num)
		return 0;

	main = kzalloc(2 * sizeof(*main), GFP_KERNEL);
	if (!main) {
		array->entry_num = 0;
		return -ENOMEM;
	}
	atc = main + 1;
	main->smmu = smmu;
	atc->smmu = smmu;

	mutex_lock(&nested->lock);
	ret = nested_inv_target(nested, &t, &sids);
	if (ret)
		goto out_unlock;
	out.cmds = kcalloc(smmuv3_inv_max_cmds(&t) + t.nats, sizeof(*out.cmds),
			   GFP_KERNEL);
	if (!out.cmds) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	out.atc = out.cmds + smmuv3_inv_max_cmds(&t);

	for (; done < array->entry_num; done++) {
		ret = iommu_copy_struct_from_user_array(&inv, array,
							IOMMU_HWPT_INVALIDATE_DATA_GENERIC,
							done, __reserved);
		if (ret)
			break;
		/* A refused entry issues nothing and ends the call */
		ret = smmuv3_inv_translate(&inv, &t, &out);
		if (ret)
			break;
		nested_batch_add(main, out.cmds, out.ncmds);
		nested_batch_add(atc, out.atc, out.natc);
	}
	nested_batch_finish(main);
	nested_batch_finish(atc);
	atomic64_inc(&inv_stats.ioctls);
	atomic64_add(array->entry_num, &inv_stats.requested);
	atomic64_add(done, &inv_stats.entries);
	kfree(out.cmds);
out_unlock:
	mutex_unlock(&nested->lock);
	kfree(sids);
	kfree(main);
	array->entry_num = done;
	return ret;
}
