// SPDX-License-Identifier: GPL-2.0
/*
 * Test machines only (CONFIG_ARM_SMMU_V3_NESTED_TEST_HOOKS): debugfs files
 * under /sys/kernel/debug/arm-smmu-v3-nested/<SMMU>/ that let a benchmark
 * and a test bed reach the command queue directly. The directory goes
 * with the SMMU (arm_smmu_nested_debugfs_remove()).
 *
 * s1_invalidate: "ASID IOVA SIZE" invalidates that range of a stage-1
 *   ASID (leaf entries, the kernel's page size) the way the kernel does
 *   for its own stage-1 domains, arm_smmu_tlb_inv_range_asid(), and one
 *   CMD_SYNC. A benchmark times it against IOMMU_HWPT_INVALIDATE of the
 *   same range on a nested domain.
 * illegal_command: any write puts one command with an opcode SMMUv3 does
 *   not define on the queue, so the SMMU reports CERROR_ILL. It proves
 *   that a test bed notices command queue errors.
 * vmids_in_use: how many of the SMMU's VMIDs are allocated. Robustness
 *   tests read it before and after, to show that every VMID came back.
 * lock_inversion: any write takes two mutexes in one order, then in the
 *   other. It proves that a debug test bed notices what lockdep reports.
 */
#include <linux/bitmap.h>
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/idr.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "arm-smmu-v3-nested.h"

/* No SMMUv3 command has this opcode: CERROR_ILL on every SMMU */
#define ILLEGAL_OPCODE		0x7f

/*
 * A bare stage-1 domain that only carries what the kernel's range
 * invalidation reads: the SMMU and the leaf page size. It maps nothing.
 */
struct test_hooks {
	struct arm_smmu_domain s1;
};

static ssize_t s1_invalidate_write(struct file *file, const char __user *ubuf,
				   size_t len, loff_t *ppos)
{
	struct test_hooks *hooks = file->private_data;
	unsigned long long iova, size;
	unsigned int asid;
	char buf[64];

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%u %llx %llx", &asid, &iova, &size) != 3 ||
	    asid >= 1U << hooks->s1.smmu->asid_bits ||
	    !size || iova + size < iova)
		return -EINVAL;

	arm_smmu_tlb_inv_range_asid(iova, size, asid, PAGE_SIZE, true,
				    &hooks->s1);
	return len;
}

static ssize_t illegal_command_write(struct file *file,
				     const char __user *ubuf, size_t len,
				     loff_t *ppos)
{
	struct test_hooks *hooks = file->private_data;
	struct arm_smmu_device *smmu = hooks->s1.smmu;
	u64 cmd[CMDQ_ENT_DWORDS] = { FIELD_PREP(CMDQ_0_OP, ILLEGAL_OPCODE) };

	add_taint(TAINT_TEST, LOCKDEP_STILL_OK);
	arm_smmu_cmdq_issue_cmdlist(smmu, &smmu->cmdq, cmd, 1, true);
	return len;
}

/*
 * The IDA has no counter: count the bits of its xarray's entries, which
 * <linux/idr.h> lays out (a value entry for a few IDs, else an ida_bitmap).
 */
static int vmids_in_use_show(struct seq_file *m, void *unused)
{
	struct test_hooks *hooks = m->private;
	struct xarray *xa = &hooks->s1.smmu->vmid_map.xa;
	unsigned long index, in_use = 0;
	struct ida_bitmap *bitmap;
	void *entry;

	xa_lock_irq(xa);
	xa_for_each(xa, index, entry) {
		if (xa_is_value(entry)) {
			in_use += hweight_long(xa_to_value(entry));
		} else {
			bitmap = entry;
			in_use += bitmap_weight(bitmap->bitmap, IDA_BITMAP_BITS);
		}
	}
	xa_unlock_irq(xa);
	seq_printf(m, "%lu\n", in_use);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmids_in_use);

/*
 * The events the event thread has taken off the queue (its count for
 * nested routing), so a test can wait until a flood is drained.
 */
static int events_taken_show(struct seq_file *m, void *unused)
{
	struct test_hooks *hooks = m->private;
	u64 taken;

	/* Pairs with the release in arm_smmu_nested_report_event() */
	taken = smp_load_acquire(&hooks->s1.smmu->evtq.nested_seq);
	seq_printf(m, "%llu\n", taken);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(events_taken);

static DEFINE_MUTEX(inversion_first);
static DEFINE_MUTEX(inversion_second);

static ssize_t lock_inversion_write(struct file *file,
				    const char __user *ubuf, size_t len,
				    loff_t *ppos)
{
	add_taint(TAINT_TEST, LOCKDEP_STILL_OK);
	mutex_lock(&inversion_first);
	mutex_lock(&inversion_second);
	mutex_unlock(&inversion_second);
	mutex_unlock(&inversion_first);
	/* One thread, so no deadlock; lockdep still sees the cycle */
	mutex_lock(&inversion_second);
	mutex_lock(&inversion_first);
	mutex_unlock(&inversion_first);
	mutex_unlock(&inversion_second);
	return len;
}

static const struct file_operations lock_inversion_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = lock_inversion_write,
};

static const struct file_operations s1_invalidate_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = s1_invalidate_write,
};

static const struct file_operations illegal_command_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = illegal_command_write,
};

void arm_smmu_nested_test_hooks_add(struct arm_smmu_device *smmu,
				    struct dentry *parent)
{
	struct test_hooks *hooks;
	struct dentry *dir;

	/* Freed with the device, after arm_smmu_nested_debugfs_remove() */
	hooks = devm_kzalloc(smmu->dev, sizeof(*hooks), GFP_KERNEL);
	if (!hooks)
		return;
	hooks->s1.smmu = smmu;
	hooks->s1.stage = ARM_SMMU_DOMAIN_S1;
	/* Stage-1 domains of this kernel use its page size as leaf size */
	hooks->s1.domain.pgsize_bitmap = PAGE_SIZE;

	dir = debugfs_create_dir(dev_name(smmu->dev), parent);
	debugfs_create_file("s1_invalidate", 0200, dir, hooks,
			    &s1_invalidate_fops);
	debugfs_create_file("illegal_command", 0200, dir, hooks,
			    &illegal_command_fops);
	debugfs_create_file("vmids_in_use", 0400, dir, hooks,
			    &vmids_in_use_fops);
	debugfs_create_file("lock_inversion", 0200, dir, hooks,
			    &lock_inversion_fops);
	debugfs_create_file("events_taken", 0400, dir, hooks,
			    &events_taken_fops);
	dev_warn(smmu->dev, "nesting test hooks in debugfs: test machines only\n");
}
