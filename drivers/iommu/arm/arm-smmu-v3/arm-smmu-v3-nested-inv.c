// SPDX-License-Identifier: GPL-2.0
/*
 * IOMMU_HWPT_INVALIDATE on a nested domain: each generic entry becomes
 * SMMUv3 commands (arm-smmu-v3-inv.c), which go on the command queue in
 * batches, a CMD_SYNC ending the ioctl. Two orderings need a CMD_SYNC of
 * their own, as the SMMU may complete commands in any order up to a sync:
 * a TLBI after a CFGI_CD (a table walk between them could refill the TLB
 * from the stale CD), and ATC invalidations, only for devices with ATS,
 * which go on the queue only after a CMD_SYNC has completed every TLB and
 * CD invalidation before them, as a device must not refetch a stale
 * translation; then a second CMD_SYNC.
 *
 * The StreamIDs come from a snapshot of the domain's devices, taken under
 * a spinlock; commands are issued holding only the domain's own inv_lock,
 * which no attach ever takes, so one VMM's long ioctl cannot make an
 * attach, and through arm_smmu_asid_lock every other VM, wait.
 *
 * Counters in /sys/kernel/debug/arm-smmu-v3-nested/ let tests and
 * benchmarks see what an ioctl cost: entries asked for and carried out,
 * commands issued (without syncs), syncs, and ioctls.
 */
#include <linux/debugfs.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

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

/*
 * One directory for all SMMUs, made by the first probe and removed by the
 * last remove, so a modular driver has it too.
 */
static DEFINE_MUTEX(inv_debugfs_lock);
static struct dentry *inv_debugfs_dir;
static unsigned int inv_debugfs_users;

/* Returns the directory, for the SMMU's own files (test hooks) */
struct dentry *arm_smmu_nested_debugfs_init(void)
{
	static const struct {
		const char *name;
		atomic64_t *counter;
	} files[] = {
		{ "invalidate_ioctls", &inv_stats.ioctls },
		{ "invalidate_requested", &inv_stats.requested },
		{ "invalidate_entries", &inv_stats.entries },
		{ "invalidate_commands", &inv_stats.commands },
		{ "invalidate_syncs", &inv_stats.syncs },
	};
	unsigned int i;

	mutex_lock(&inv_debugfs_lock);
	if (!inv_debugfs_users++) {
		inv_debugfs_dir = debugfs_create_dir("arm-smmu-v3-nested", NULL);
		for (i = 0; i < ARRAY_SIZE(files); i++)
			debugfs_create_file_unsafe(files[i].name, 0444,
						   inv_debugfs_dir,
						   files[i].counter,
						   &inv_stat_fops);
	}
	mutex_unlock(&inv_debugfs_lock);
	return inv_debugfs_dir;
}

void arm_smmu_nested_debugfs_remove(struct arm_smmu_device *smmu)
{
	mutex_lock(&inv_debugfs_lock);
	/* The SMMU's own files, if it has any */
	debugfs_lookup_and_remove(dev_name(smmu->dev), inv_debugfs_dir);
	if (!--inv_debugfs_users) {
		debugfs_remove(inv_debugfs_dir);
		inv_debugfs_dir = NULL;
	}
	mutex_unlock(&inv_debugfs_lock);
}

/* Commands on their way to the queue, CMDQ_BATCH_ENTRIES at a time */
struct nested_batch {
	u64 cmds[CMDQ_BATCH_ENTRIES * CMDQ_ENT_DWORDS];
	unsigned int num;
};

/*
 * One ioctl's progress. An entry counts as done once all its commands
 * were on the queue before a CMD_SYNC that succeeded: that is what
 * entry_num reports, also when the queue fails.
 */
struct nested_inv_call {
	struct arm_smmu_device *smmu;
	bool force_sync;	/* the SMMU needs a sync after every batch */
	unsigned int batch_max;	/* commands a batch may hold before issuing */
	bool tlb_unsynced;	/* TLB/CD commands queued since the last sync */
	bool cfgi_unsynced;	/* CFGI commands queued since the last sync */
	unsigned int added;	/* entries wholly in batches or on the queue */
	unsigned int queued;	/* entries wholly on the queue */
	unsigned int done;	/* entries completed by a successful sync */
	int queue_err;		/* the queue failed: issue nothing more */
	/* last, so a new call need not clear their commands (2 KiB) */
	struct nested_batch tlb;	/* CFGI and TLBI */
	struct nested_batch atc;	/* ATC_INV, held back until a sync */
};

/*
 * An invalidation's working memory, kept with the nested domain from one
 * call to the next (used under nested->inv_lock), so that an ioctl allocates
 * nothing; made again, larger, when more StreamIDs are attached than it
 * has room for. Freed with the domain.
 */
struct arm_smmu_nested_inv_mem {
	struct nested_inv_call call;
	unsigned int max_sids;
	u32 *sids;			/* see nested_inv_target() */
	struct smmuv3_cmd *cmds;	/* one entry's commands, ATC_INV last */
};

void arm_smmu_nested_inv_free(struct arm_smmu_nested_domain *nested)
{
	struct arm_smmu_nested_inv_mem *mem = nested->inv_mem;

	if (mem) {
		kfree(mem->sids);
		kfree(mem->cmds);
		kfree(mem);
	}
	nested->inv_mem = NULL;
}

#if IS_ENABLED(CONFIG_KUNIT)
/* For tests: how many StreamIDs the kept working memory has room for */
unsigned int arm_smmu_nested_inv_room(struct arm_smmu_nested_domain *nested)
{
	return nested->inv_mem ? nested->inv_mem->max_sids : 0;
}
EXPORT_SYMBOL_IF_KUNIT(arm_smmu_nested_inv_room);
#endif

static struct arm_smmu_nested_inv_mem *
nested_inv_mem(struct arm_smmu_nested_domain *nested, unsigned int nsids)
{
	struct smmuv3_inv_target most = { .nsids = nsids };
	struct arm_smmu_nested_inv_mem *mem = nested->inv_mem;

	if (mem && mem->max_sids >= nsids)
		return mem;
	arm_smmu_nested_inv_free(nested);
	mem = kzalloc(sizeof(*mem), GFP_KERNEL_ACCOUNT);
	if (!mem)
		return NULL;
	mem->max_sids = nsids;
	mem->sids = kcalloc(3 * nsids + 1, sizeof(*mem->sids),
			    GFP_KERNEL_ACCOUNT);
	/* TLB and CD commands, then an ATC_INV per StreamID at most */
	mem->cmds = kcalloc(smmuv3_inv_max_cmds(&most) + nsids,
			    sizeof(*mem->cmds), GFP_KERNEL_ACCOUNT);
	nested->inv_mem = mem;
	if (!mem->sids || !mem->cmds) {
		arm_smmu_nested_inv_free(nested);
		return NULL;
	}
	return mem;
}

static int nested_batch_issue(struct nested_inv_call *c, struct nested_batch *b,
			      bool sync)
{
	int ret;

	if (!b->num && !sync)
		return 0;
	ret = arm_smmu_cmdq_issue_cmdlist(c->smmu, &c->smmu->cmdq, b->cmds,
					  b->num, sync);
	atomic64_add(b->num, &inv_stats.commands);
	b->num = 0;
	if (!c->tlb.num && !c->atc.num)
		c->queued = c->added;
	if (ret)
		c->queue_err = ret;
	if (sync) {
		atomic64_inc(&inv_stats.syncs);
		c->tlb_unsynced = false;
		c->cfgi_unsynced = false;
		if (!ret)
			c->done = c->queued;
	} else if (b == &c->tlb) {
		c->tlb_unsynced = true;
	}
	/* A long batch list must not hog the CPU (only a mutex is held) */
	cond_resched();
	return ret;
}

/*
 * Everything held back goes on the queue: TLB and CD invalidations, a
 * CMD_SYNC completing them if ATC invalidations follow, then those.
 * @sync: end with a CMD_SYNC whatever was queued last.
 */
static int nested_inv_drain(struct nested_inv_call *c, bool sync)
{
	int ret;

	if (c->atc.num && (c->tlb.num || c->tlb_unsynced)) {
		ret = nested_batch_issue(c, &c->tlb, true);
		if (ret)
			return ret;
	}
	if (c->atc.num)
		return nested_batch_issue(c, &c->atc, sync || c->force_sync);
	return nested_batch_issue(c, &c->tlb, sync);
}

static bool cmd_is_cfgi(const struct smmuv3_cmd *cmd)
{
	u8 op = cmd->w[0] & 0xff;

	return op == SMMUV3_OP_CFGI_CD || op == SMMUV3_OP_CFGI_CD_ALL;
}

static int nested_inv_add(struct nested_inv_call *c, struct nested_batch *b,
			  const struct smmuv3_cmd *cmds, unsigned int n)
{
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		/* A TLBI must not complete before the CFGI_CD ahead of it */
		if (b == &c->tlb && c->cfgi_unsynced && !cmd_is_cfgi(&cmds[i])) {
			ret = nested_inv_drain(c, true);
			if (ret)
				return ret;
		}
		if (b->num == c->batch_max) {
			ret = b == &c->atc ? nested_inv_drain(c, false) :
			      nested_batch_issue(c, b, c->force_sync);
			if (ret)
				return ret;
		}
		if (b == &c->tlb && cmd_is_cfgi(&cmds[i]))
			c->cfgi_unsynced = true;
		b->cmds[b->num * CMDQ_ENT_DWORDS] = cmds[i].w[0];
		b->cmds[b->num * CMDQ_ENT_DWORDS + 1] = cmds[i].w[1];
		b->num++;
	}
	return 0;
}

static unsigned int nested_inv_count_sids(struct arm_smmu_nested_domain *nested)
{
	struct arm_smmu_nested_master *entry;
	unsigned int n = 0;

	lockdep_assert_held(&nested->masters_lock);
	list_for_each_entry(entry, &nested->masters, node)
		n += entry->master->num_streams;
	return n;
}

/*
 * The kernel's side of every entry: the parent's VMID, the SMMU's features
 * and a snapshot of the StreamIDs of the attached devices (those with ATS
 * apart), in @mem. Called with nested->inv_lock held.
 *
 * A device that leaves after the snapshot only gets commands it did not
 * need. One that joins after it was listed before its STE went live
 * (arm_smmu_nested_attach()), so it cannot use this domain's translations
 * before the snapshot names it; its ATC is named by the ATS state its
 * STE gets, not by master->ats_enabled, which commit sets later.
 */
static struct arm_smmu_nested_inv_mem *
nested_inv_target(struct arm_smmu_nested_domain *nested,
		  struct smmuv3_inv_target *t)
{
	struct arm_smmu_device *smmu = nested->s2_parent->smmu;
	struct arm_smmu_nested_inv_mem *mem;
	struct arm_smmu_nested_master *entry;
	unsigned int n, i;
	u32 *sids, *ats;
	bool *ats_pasid;

	lockdep_assert_held(&nested->inv_lock);
	spin_lock(&nested->masters_lock);
	for (;;) {
		n = nested_inv_count_sids(nested);
		mem = nested->inv_mem;
		if (mem && mem->max_sids >= n)
			break;
		/* Room for more: allocate without the spinlock, then count again */
		spin_unlock(&nested->masters_lock);
		mem = nested_inv_mem(nested, n);
		if (!mem)
			return NULL;
		spin_lock(&nested->masters_lock);
	}
	/* max_sids StreamIDs, then as many with ATS, then "ATS with PASIDs" */
	sids = mem->sids;
	ats = sids + mem->max_sids;
	ats_pasid = (bool *)(ats + mem->max_sids);

	*t = (struct smmuv3_inv_target){
		.vmid = nested->s2_parent->s2_cfg.vmid,
		.ril = smmu->features & ARM_SMMU_FEAT_RANGE_INV,
		.asid_bits = smmu->asid_bits,
		.ssid_bits = smmu->ssid_bits,
		.granules = smmu->pgsize_bitmap & (SZ_4K | SZ_16K | SZ_64K),
		.sids = sids,
		.ats_sids = ats,
		.ats_pasid = ats_pasid,
	};
	list_for_each_entry(entry, &nested->masters, node) {
		struct arm_smmu_master *master = entry->master;
		/*
		 * SSV only where the SMMU and the device have SubstreamIDs:
		 * on an SMMU with SSIDSIZE 0 an SSV command is CONSTRAINED
		 * UNPREDICTABLE, whatever the PCI PASID capability says.
		 */
		bool pasid = master->ssid_bits &&
			     (!dev_is_pci(master->dev) ||
			      to_pci_dev(master->dev)->pasid_enabled);

		for (i = 0; i < master->num_streams; i++) {
			u32 sid = master->streams[i].id;

			sids[t->nsids++] = sid;
			if (entry->ats) {
				ats_pasid[t->nats] = pasid;
				ats[t->nats++] = sid;
			}
		}
	}
	spin_unlock(&nested->masters_lock);
	return mem;
}

/*
 * Translate and queue the user's entries. Returns the first error: a
 * refused entry (none of its commands issued) or the queue's.
 */
static int nested_inv_entries(struct nested_inv_call *c,
			      struct iommu_user_data_array *array,
			      const struct smmuv3_inv_target *t,
			      struct smmuv3_inv_cmds *out)
{
	struct iommu_hwpt_invalidate_generic inv;
	int ret;

	for (; c->added < array->entry_num; c->added++) {
		ret = iommu_copy_struct_from_user_array(&inv, array,
							IOMMU_HWPT_INVALIDATE_DATA_GENERIC,
							c->added, __reserved);
		if (ret)
			return ret;
		ret = smmuv3_inv_translate(&inv, t, out);
		if (ret)
			return ret;
		ret = nested_inv_add(c, &c->tlb, out->cmds, out->ncmds);
		if (ret)
			return ret;
		ret = nested_inv_add(c, &c->atc, out->atc, out->natc);
		if (ret)
			return ret;
	}
	return 0;
}

int arm_smmu_nested_cache_invalidate(struct iommu_domain *domain,
				     struct iommu_user_data_array *array)
{
	struct arm_smmu_nested_domain *nested = to_nested(domain);
	struct arm_smmu_device *smmu = nested->s2_parent->smmu;
	struct arm_smmu_nested_inv_mem *mem;
	struct smmuv3_inv_target t;
	struct smmuv3_inv_cmds out;
	struct nested_inv_call *c;
	int ret, drained;

	/* The same errno as 6.12's other drivers for a type they lack */
	if (array->type != IOMMU_HWPT_INVALIDATE_DATA_GENERIC) {
		array->entry_num = 0;
		return -EINVAL;
	}
	/* entry_num == 0 asks whether the type is supported: it is */
	if (!array->entry_num)
		return 0;

	mutex_lock(&nested->inv_lock);
	mem = nested_inv_target(nested, &t);
	if (!mem) {
		mutex_unlock(&nested->inv_lock);
		array->entry_num = 0;
		return -ENOMEM;
	}
	/* A fresh call; a batch's num says which of its commands are valid */
	c = &mem->call;
	memset(c, 0, offsetof(struct nested_inv_call, tlb));
	c->tlb.num = 0;
	c->atc.num = 0;
	c->smmu = smmu;
	/*
	 * Some implementations (MMU-700 erratum 2812531) need a sync in every
	 * batch: then at most CMDQ_BATCH_ENTRIES - 1 commands go before it,
	 * as in the driver's own arm_smmu_cmdq_batch_add()
	 */
	c->force_sync = smmu->options & ARM_SMMU_OPT_CMDQ_FORCE_SYNC;
	c->batch_max = CMDQ_BATCH_ENTRIES - c->force_sync;
	out.cmds = mem->cmds;
	out.atc = mem->cmds + smmuv3_inv_max_cmds(&t);

	ret = nested_inv_entries(c, array, &t, &out);
	/* What was queued before a refused entry still gets its sync */
	if (!c->queue_err && c->added > c->done) {
		drained = nested_inv_drain(c, true);
		if (drained)
			ret = drained;
	}
	atomic64_inc(&inv_stats.ioctls);
	atomic64_add(array->entry_num, &inv_stats.requested);
	atomic64_add(c->done, &inv_stats.entries);
	array->entry_num = c->done;
	mutex_unlock(&nested->inv_lock);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(arm_smmu_nested_cache_invalidate);
