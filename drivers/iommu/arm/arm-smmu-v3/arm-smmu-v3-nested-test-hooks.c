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
 *
 * Stalls, for an SMMU that cannot stall (QEMU's):
 * fake_stall: "PCI-DEVICE 1" marks a device of this SMMU as able to stall
 *   (stall_enabled; -EBUSY for one that really can), gives the SMMU an
 *   IOPF queue if it has none, and from then on catches every CMD_RESUME
 *   for the device's StreamID instead of putting it on the queue;
 *   "PCI-DEVICE 0" undoes the mark (-EBUSY while IOPF is enabled). Only
 *   the STEs and CDs written while a device is marked stall; a test
 *   unmarks it before the device goes back to a kernel domain.
 * inject_stall: "PCI-DEVICE STAG SSID ADDR ACCESS" hands the driver a
 *   stage-1 F_TRANSLATION record with Stall=1, as the event thread takes
 *   it off the queue: the device's first StreamID, SSID -1 for none,
 *   ACCESS "r" or "w", then any of "x" (instruction), "p" (privileged),
 *   "2" (a stage-2 fault).
 * resumes: the caught commands, one "SID STAG RESP" line each (hex; RESP
 *   as CMD_RESUME encodes it), emptied by each open.
 */
#include <linux/bitmap.h>
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/idr.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "arm-smmu-v3-nested.h"

/* No SMMUv3 command has this opcode: CERROR_ILL on every SMMU */
#define ILLEGAL_OPCODE		0x7f

/*
 * A bare stage-1 domain that only carries what the kernel's range
 * invalidation reads: the SMMU and the leaf page size. It maps nothing.
 */
struct test_hooks {
	struct arm_smmu_domain s1;
	struct list_head node;		/* in all_hooks */
	/* Under all_hooks_lock: the devices marked, by their StreamID */
	struct arm_smmu_master *marked[4];
	u32 marked_sid[4];
	unsigned int caught;
	struct caught_resume {
		u32 sid;
		u16 stag;
		u8 resp;
	} resumes[64];
};

/* Every SMMU's hooks, for the CMD_RESUME seam that only has the SMMU */
static LIST_HEAD(all_hooks);
static DEFINE_SPINLOCK(all_hooks_lock);

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

/* Where @sid's device is in hooks->marked[], or -1; under all_hooks_lock */
static int marked_slot(struct test_hooks *hooks, u32 sid)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(hooks->marked); i++)
		if (hooks->marked[i] && hooks->marked_sid[i] == sid)
			return i;
	return -1;
}

/**
 * arm_smmu_nested_test_catch_resume() - keep a CMD_RESUME off the queue
 * @smmu: the SMMU it is for
 * @sid: its StreamID
 * @stag: its stall tag
 * @resp: its response field (CMDQ_RESUME_0_RESP_*)
 *
 * Return: true when a test caught the command, which is then not issued.
 */
bool arm_smmu_nested_test_catch_resume(struct arm_smmu_device *smmu, u32 sid,
				       u16 stag, u8 resp)
{
	struct test_hooks *hooks;
	bool caught = false;
	unsigned long flags;

	spin_lock_irqsave(&all_hooks_lock, flags);
	list_for_each_entry(hooks, &all_hooks, node) {
		if (hooks->s1.smmu != smmu || marked_slot(hooks, sid) < 0)
			continue;
		/* A full log keeps counting, so the reader sees the loss */
		if (hooks->caught < ARRAY_SIZE(hooks->resumes))
			hooks->resumes[hooks->caught] =
				(struct caught_resume){ sid, stag, resp };
		hooks->caught++;
		caught = true;
	}
	spin_unlock_irqrestore(&all_hooks_lock, flags);
	return caught;
}

/* The master of PCI device @name, if it is behind @smmu; holds the device */
static struct arm_smmu_master *hooks_master(struct arm_smmu_device *smmu,
					    const char *name)
{
	struct arm_smmu_master *master;
	struct device *dev;

	dev = bus_find_device_by_name(&pci_bus_type, NULL, name);
	if (!dev)
		return NULL;
	master = dev->iommu ? dev_iommu_priv_get(dev) : NULL;
	if (!master || master->smmu != smmu) {
		put_device(dev);
		return NULL;
	}
	return master;
}

static void free_iopf_queue(void *queue)
{
	iopf_queue_free(queue);
}

/* Put @master in a free slot of hooks->marked[]; under all_hooks_lock */
static int mark(struct test_hooks *hooks, struct arm_smmu_master *master,
		u32 sid)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(hooks->marked); i++) {
		if (!hooks->marked[i]) {
			hooks->marked[i] = master;
			hooks->marked_sid[i] = sid;
			return 0;
		}
	}
	return -ENOSPC;
}

static ssize_t fake_stall_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	struct test_hooks *hooks = file->private_data;
	struct arm_smmu_device *smmu = hooks->s1.smmu;
	struct arm_smmu_master *master;
	char buf[64], name[32];
	unsigned int on;
	int slot, ret = len;
	u32 sid;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%31s %u", name, &on) != 2 || on > 1)
		return -EINVAL;
	master = hooks_master(smmu, name);
	if (!master)
		return -ENODEV;
	sid = master->streams[0].id;

	add_taint(TAINT_TEST, LOCKDEP_STILL_OK);
	mutex_lock(&smmu->streams_mutex);	/* serialises the writers */
	if (on && !smmu->evtq.iopf) {
		smmu->evtq.iopf = iopf_queue_alloc(dev_name(smmu->dev));
		if (!smmu->evtq.iopf ||
		    devm_add_action_or_reset(smmu->dev, free_iopf_queue,
					     smmu->evtq.iopf)) {
			smmu->evtq.iopf = NULL;
			ret = -ENOMEM;
			goto out;
		}
	}
	spin_lock_irq(&all_hooks_lock);
	slot = marked_slot(hooks, sid);
	if (on && slot < 0) {
		/* One that really stalls is not the hooks' to change */
		if (master->stall_enabled)
			ret = -EBUSY;
		else if (mark(hooks, master, sid))
			ret = -ENOSPC;
		else
			master->stall_enabled = true;
	} else if (!on && slot >= 0) {
		if (master->iopf_enabled) {
			ret = -EBUSY;
		} else {
			hooks->marked[slot] = NULL;
			master->stall_enabled = false;
		}
	}
	spin_unlock_irq(&all_hooks_lock);
out:
	mutex_unlock(&smmu->streams_mutex);
	put_device(master->dev);
	return ret;
}

static ssize_t inject_stall_write(struct file *file, const char __user *ubuf,
				  size_t len, loff_t *ppos)
{
	struct test_hooks *hooks = file->private_data;
	struct arm_smmu_device *smmu = hooks->s1.smmu;
	u64 evt[EVTQ_ENT_DWORDS] = {};
	struct arm_smmu_master *master;
	char buf[128], name[32], access[8];
	unsigned long long addr;
	unsigned int stag;
	int ssid;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(buf, "%31s %x %d %llx %7s", name, &stag, &ssid, &addr,
		   access) != 5 || stag > U16_MAX ||
	    (access[0] != 'r' && access[0] != 'w'))
		return -EINVAL;
	master = hooks_master(smmu, name);
	if (!master)
		return -ENODEV;

	add_taint(TAINT_TEST, LOCKDEP_STILL_OK);
	evt[0] = FIELD_PREP(EVTQ_0_ID, EVT_ID_TRANSLATION_FAULT) |
		 FIELD_PREP(EVTQ_0_SID, master->streams[0].id);
	if (ssid >= 0)
		evt[0] |= EVTQ_0_SSV | FIELD_PREP(EVTQ_0_SSID, ssid);
	evt[1] = FIELD_PREP(EVTQ_1_STAG, stag) | EVTQ_1_STALL |
		 (access[0] == 'r' ? EVTQ_1_RnW : 0) |
		 (strchr(access, 'x') ? EVTQ_1_InD : 0) |
		 (strchr(access, 'p') ? EVTQ_1_PnU : 0) |
		 (strchr(access, '2') ? EVTQ_1_S2 : 0);
	evt[2] = addr;
	put_device(master->dev);

	/* What the event thread does with a stall it takes off the queue */
	if (!arm_smmu_nested_stall(smmu, evt, U64_MAX))
		arm_smmu_handle_evt(smmu, evt);
	return len;
}

static int resumes_open(struct inode *inode, struct file *file)
{
	struct test_hooks *hooks = inode->i_private;
	unsigned int i, n, lost;
	char *text, *p;

	text = kzalloc(ARRAY_SIZE(hooks->resumes) * 32 + 32, GFP_KERNEL);
	if (!text)
		return -ENOMEM;
	p = text;
	spin_lock_irq(&all_hooks_lock);
	n = min_t(unsigned int, hooks->caught, ARRAY_SIZE(hooks->resumes));
	lost = hooks->caught - n;
	for (i = 0; i < n; i++)
		p += sprintf(p, "%x %x %x\n", hooks->resumes[i].sid,
			     hooks->resumes[i].stag, hooks->resumes[i].resp);
	hooks->caught = 0;
	spin_unlock_irq(&all_hooks_lock);
	if (lost)
		sprintf(p, "lost %u\n", lost);
	file->private_data = text;
	return 0;
}

static ssize_t resumes_read(struct file *file, char __user *ubuf, size_t len,
			    loff_t *ppos)
{
	const char *text = file->private_data;

	return simple_read_from_buffer(ubuf, len, ppos, text, strlen(text));
}

static int resumes_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

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

static const struct file_operations fake_stall_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = fake_stall_write,
};

static const struct file_operations inject_stall_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = inject_stall_write,
};

static const struct file_operations resumes_fops = {
	.owner = THIS_MODULE,
	.open = resumes_open,
	.read = resumes_read,
	.release = resumes_release,
};

static void hooks_unlist(void *data)
{
	struct test_hooks *hooks = data;

	spin_lock_irq(&all_hooks_lock);
	list_del(&hooks->node);
	spin_unlock_irq(&all_hooks_lock);
}

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
	spin_lock_irq(&all_hooks_lock);
	list_add(&hooks->node, &all_hooks);
	spin_unlock_irq(&all_hooks_lock);
	if (devm_add_action_or_reset(smmu->dev, hooks_unlist, hooks))
		return;

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
	debugfs_create_file("fake_stall", 0200, dir, hooks, &fake_stall_fops);
	debugfs_create_file("inject_stall", 0200, dir, hooks,
			    &inject_stall_fops);
	debugfs_create_file("resumes", 0400, dir, hooks, &resumes_fops);
	dev_warn(smmu->dev, "nesting test hooks in debugfs: test machines only\n");
}
