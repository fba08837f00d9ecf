// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the real nested attach, stage-2 unmap and invalidation paths on
 * a fake SMMU with what QEMU lacks (ATS, PASIDs, stalls, S2FWB, CANWBS,
 * no RIL, 16K and 64K granules). A static stub on
 * arm_smmu_cmdq_issue_cmdlist() records every command the driver puts on
 * the queue, syncs included; the tests decode that record with their own
 * field table, written from the SMMUv3 architecture (IHI 0070), and read
 * STEs from the fake stream table the same way.
 */
#include <kunit/static_stub.h>
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/io-pgtable.h>
#include <linux/kthread.h>
#include <linux/mman.h>
#include <linux/pci.h>
#include <linux/rbtree.h>
#include <linux/uaccess.h>

#include "../../iommu-priv.h"	/* the attach handle iommufd leaves */
#include "arm-smmu-v3-nested.h"
#include "arm-smmu-v3-nested-test-arch.h"

struct rec_cmd {
	u64 w0, w1;
};

#define REC_MAX		4096
#define TEST_SID	5

struct fake_hw {
	struct arm_smmu_device smmu;
	struct device smmu_dev;
	spinlock_t log_lock;		/* several threads may issue commands */
	struct rec_cmd log[REC_MAX];
	unsigned int n;
	unsigned int syncs;
	unsigned int fail_sync;		/* 1-based; 0: every sync succeeds */
	/* Seen by the recorder when the test device's STE is first synced */
	struct arm_smmu_nested_domain *watch;
	struct arm_smmu_master *watch_master;
	int listed_at_first_cfgi;	/* -1: no CFGI_STE yet */
	/* Commands of this thread wait in the recorder until @release */
	struct task_struct *block_task;
	struct completion blocked, release;
	u32 evtq_prod;			/* the fake SMMU_EVENTQ_PROD register */
};

/* A PCI device with an ATS capability in a fake config space */
struct fake_dev {
	struct pci_dev pdev;
	struct pci_bus bus;
	struct dev_iommu dev_iommu;
	struct iommu_fwspec *fwspec;
	struct arm_smmu_master master;
	struct arm_smmu_stream stream;
	u8 cfg[0x200];
	/* Set when the PCI ATS capability's Enable bit is written as 1 */
	struct completion ats_on;
	/* What an invalidation would have seen of the master just then */
	bool ats_enabled_at_pci_enable;
};

#define ATS_CAP		0x100

static int fake_cfg_read(struct pci_bus *bus, unsigned int devfn, int where,
			 int size, u32 *val)
{
	struct fake_dev *fd = bus->sysdata;

	*val = 0;
	memcpy(val, &fd->cfg[where], size);
	return PCIBIOS_SUCCESSFUL;
}

static int fake_cfg_write(struct pci_bus *bus, unsigned int devfn, int where,
			  int size, u32 val)
{
	struct fake_dev *fd = bus->sysdata;

	memcpy(&fd->cfg[where], &val, size);
	if (where == ATS_CAP + PCI_ATS_CTRL && val & PCI_ATS_CTRL_ENABLE) {
		/* The thread that commits the attach writes the config space */
		fd->ats_enabled_at_pci_enable = fd->master.ats_enabled;
		complete(&fd->ats_on);
	}
	return PCIBIOS_SUCCESSFUL;
}

static struct pci_ops fake_pci_ops = {
	.read = fake_cfg_read,
	.write = fake_cfg_write,
};

static bool nested_lists(struct arm_smmu_nested_domain *nested,
			 struct arm_smmu_master *master)
{
	struct arm_smmu_nested_master *entry;
	bool found = false;

	list_for_each_entry(entry, &nested->masters, node)
		found |= entry->master == master;
	return found;
}

static int record_cmdlist(struct arm_smmu_device *smmu,
			  struct arm_smmu_cmdq *cmdq, u64 *cmds, int n,
			  bool sync)
{
	struct fake_hw *hw = container_of(smmu, struct fake_hw, smmu);
	unsigned long flags;
	int i, ret = 0;

	if (current == hw->block_task) {
		complete(&hw->blocked);
		/* Bounded, so a test that fails cannot hang the kernel */
		wait_for_completion_timeout(&hw->release, 30 * HZ);
	}
	spin_lock_irqsave(&hw->log_lock, flags);
	for (i = 0; i < n && hw->n < REC_MAX; i++) {
		struct rec_cmd *c = &hw->log[hw->n++];

		c->w0 = cmds[i * CMDQ_ENT_DWORDS];
		c->w1 = cmds[i * CMDQ_ENT_DWORDS + 1];
		if (arch_bits(c->w0, ARCH_CMD_OP) == ARCH_OP_CFGI_STE && hw->watch &&
		    hw->listed_at_first_cfgi < 0)
			hw->listed_at_first_cfgi =
				nested_lists(hw->watch, hw->watch_master);
	}
	if (sync) {
		if (hw->n < REC_MAX)
			hw->log[hw->n++] = (struct rec_cmd){ .w0 = ARCH_OP_SYNC };
		if (++hw->syncs == hw->fail_sync)
			ret = -ETIMEDOUT;
	}
	spin_unlock_irqrestore(&hw->log_lock, flags);
	return ret;
}

enum {
	HW_ATS = 1 << 0,
	HW_STALLS = 1 << 1,
	HW_STALL_FORCE = 1 << 2,
	HW_FWB = 1 << 3,
	HW_RIL = 1 << 4,
	HW_16K = 1 << 5,
	HW_64K = 1 << 6,
};

static void destroy_ida(void *ida)
{
	ida_destroy(ida);
}

static struct fake_hw *make_hw(struct kunit *test, unsigned int flags)
{
	struct fake_hw *hw = kunit_kzalloc(test, sizeof(*hw), GFP_KERNEL);
	struct arm_smmu_device *smmu;

	KUNIT_ASSERT_NOT_NULL(test, hw);
	smmu = &hw->smmu;
	hw->smmu_dev.init_name = "fake-smmu";
	smmu->dev = &hw->smmu_dev;
	smmu->features = ARM_SMMU_FEAT_TRANS_S1 | ARM_SMMU_FEAT_TRANS_S2 |
			 ARM_SMMU_FEAT_NESTING | ARM_SMMU_FEAT_COHERENCY;
	if (flags & HW_ATS)
		smmu->features |= ARM_SMMU_FEAT_ATS;
	if (flags & (HW_STALLS | HW_STALL_FORCE))
		smmu->features |= ARM_SMMU_FEAT_STALLS;
	if (flags & HW_STALL_FORCE)
		smmu->features |= ARM_SMMU_FEAT_STALL_FORCE;
	if (flags & HW_FWB)
		smmu->features |= ARM_SMMU_FEAT_S2FWB;
	if (flags & HW_RIL)
		smmu->features |= ARM_SMMU_FEAT_RANGE_INV;
	smmu->pgsize_bitmap = flags & HW_64K ? SZ_64K | SZ_512M :
			      flags & HW_16K ? SZ_16K | SZ_32M :
			      SZ_4K | SZ_2M | SZ_1G;
	smmu->ias = 48;
	smmu->oas = 48;
	smmu->asid_bits = 16;
	smmu->vmid_bits = 16;
	smmu->ssid_bits = 20;
	smmu->sid_bits = 6;
	smmu->strtab_cfg.linear.num_ents = 1 << smmu->sid_bits;
	smmu->strtab_cfg.linear.table =
		kunit_kcalloc(test, 1 << smmu->sid_bits,
			      sizeof(struct arm_smmu_ste), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, smmu->strtab_cfg.linear.table);
	ida_init(&smmu->vmid_map);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, destroy_ida,
							   &smmu->vmid_map));
	hw->listed_at_first_cfgi = -1;
	spin_lock_init(&hw->log_lock);
	init_completion(&hw->blocked);
	init_completion(&hw->release);
	mutex_init(&smmu->streams_mutex);
	smmu->streams = RB_ROOT;
	/* An eight-entry event queue the test plays the SMMU and thread of */
	smmu->evtq.q.llq.max_n_shift = 3;
	smmu->evtq.q.prod_reg = (u32 __force __iomem *)&hw->evtq_prod;
	kunit_activate_static_stub(test, arm_smmu_cmdq_issue_cmdlist,
				   record_cmdlist);
	return hw;
}

enum {
	DEV_ATS = 1 << 0,
	DEV_PASID = 1 << 1,
	DEV_STALL = 1 << 2,
	DEV_CANWBS = 1 << 3,
};

static struct fake_dev *make_dev(struct kunit *test, struct fake_hw *hw,
				 unsigned int flags)
{
	struct fake_dev *fd = kunit_kzalloc(test, sizeof(*fd), GFP_KERNEL);
	struct arm_smmu_master *master;

	KUNIT_ASSERT_NOT_NULL(test, fd);
	fd->fwspec = kunit_kzalloc(test, struct_size(fd->fwspec, ids, 1),
				   GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fd->fwspec);
	fd->fwspec->num_ids = 1;
	fd->fwspec->ids[0] = TEST_SID;
	if (flags & DEV_ATS)
		fd->fwspec->flags |= IOMMU_FWSPEC_PCI_RC_ATS;
	if (flags & DEV_CANWBS)
		fd->fwspec->flags |= IOMMU_FWSPEC_PCI_RC_CANWBS;

	fd->bus.ops = &fake_pci_ops;
	fd->bus.sysdata = fd;
	fd->pdev.bus = &fd->bus;
	fd->pdev.dev.bus = &pci_bus_type;
	fd->pdev.dev.init_name = "fake-pci-dev";
	fd->pdev.dev.iommu = &fd->dev_iommu;
#ifdef CONFIG_PCI_ATS
	if (flags & DEV_ATS)
		fd->pdev.ats_cap = ATS_CAP;
#endif
	fd->pdev.pasid_enabled = !!(flags & DEV_PASID);
	fd->dev_iommu.fwspec = fd->fwspec;
	fd->dev_iommu.priv = &fd->master;

	master = &fd->master;
	master->dev = &fd->pdev.dev;
	master->smmu = &hw->smmu;
	master->streams = &fd->stream;
	master->num_streams = 1;
	master->stall_enabled = !!(flags & DEV_STALL) ||
				(hw->smmu.features & ARM_SMMU_FEAT_STALL_FORCE);
	master->ssid_bits = flags & DEV_PASID ? 8 : 0;
	fd->stream.id = TEST_SID;
	fd->stream.master = master;
	init_completion(&fd->ats_on);
	return fd;
}

static bool stream_less(struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, struct arm_smmu_stream, node)->id <
	       rb_entry(b, struct arm_smmu_stream, node)->id;
}

/* Give @fd StreamID @sid, and list it where the event thread looks */
static void set_sid(struct fake_hw *hw, struct fake_dev *fd, u32 sid)
{
	fd->fwspec->ids[0] = sid;
	fd->stream.id = sid;
	rb_add(&fd->stream.node, &hw->smmu.streams, stream_less);
}

static void free_domain(void *domain)
{
	struct iommu_domain *d = domain;

	d->ops->free(d);
}

static struct arm_smmu_domain *make_parent(struct kunit *test,
					   struct fake_dev *fd)
{
	struct iommu_domain *d;

	d = arm_smmu_domain_alloc_user(&fd->pdev.dev,
				       IOMMU_HWPT_ALLOC_NEST_PARENT, NULL, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(d));
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, free_domain, d));
	return to_smmu_domain(d);
}

/* Copy @len bytes of @data to fresh user memory of this test's mm */
static void __user *to_user(struct kunit *test, const void *data, size_t len)
{
	unsigned long addr = kunit_vm_mmap(test, NULL, 0, PAGE_ALIGN(len),
					   PROT_READ | PROT_WRITE,
					   MAP_ANONYMOUS | MAP_PRIVATE, 0);
	void __user *uptr = (void __user *)addr;

	KUNIT_ASSERT_NE_MSG(test, addr, 0, "no user memory");
	KUNIT_ASSERT_EQ(test, copy_to_user(uptr, data, len), 0);
	return uptr;
}

static int alloc_nested(struct kunit *test, struct fake_dev *fd,
			struct arm_smmu_domain *parent,
			const struct iommu_hwpt_arm_smmuv3_s1ctx *ctx,
			struct arm_smmu_nested_domain **out)
{
	const struct iommu_user_data data = {
		.type = IOMMU_HWPT_DATA_ARM_SMMUV3_S1CTX,
		.uptr = to_user(test, ctx, sizeof(*ctx)),
		.len = sizeof(*ctx),
	};
	struct iommu_domain *d;

	d = arm_smmu_domain_alloc_user(&fd->pdev.dev, 0, &parent->domain,
				       &data);
	if (IS_ERR(d))
		return PTR_ERR(d);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, free_domain, d));
	*out = to_nested(d);
	return 0;
}

static const struct iommu_hwpt_arm_smmuv3_s1ctx translate_ctx = {
	.mode = IOMMU_SMMUV3_S1CTX_TRANSLATE,
	.s1ctxptr = 0x40000000,
};

struct attachment {
	struct fake_dev *fd;
	struct arm_smmu_nested_domain *nested;
};

/* Undo what attaching left in the driver's lists, as a detach would */
static void leave(void *arg)
{
	struct attachment *a = arg;
	struct arm_smmu_master *master = &a->fd->master;
	struct arm_smmu_domain *parent = a->nested->s2_parent;
	struct arm_smmu_master_domain *md, *next_md;
	struct arm_smmu_nested_master *nm, *next_nm;

	list_for_each_entry_safe(md, next_md, &parent->devices, devices_elm) {
		if (md->master == master) {
			list_del(&md->devices_elm);
			kfree(md);
		}
	}
	atomic_set(&parent->nr_ats_masters, 0);
	list_for_each_entry_safe(nm, next_nm, &a->nested->masters, node) {
		if (nm->master == master) {
			list_del(&nm->node);
			kfree(nm);
		}
	}
}

/* For a test that attaches @fd to @nested some other way (a kthread) */
static void will_attach(struct kunit *test, struct fake_dev *fd,
			struct arm_smmu_nested_domain *nested)
{
	struct attachment *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, a);
	a->fd = fd;
	a->nested = nested;
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, leave, a));
}

/* Nothing in @fd's STE where IHI 0070 says RES0 or IMPLEMENTATION DEFINED */
static void expect_ste_clean(struct kunit *test, struct fake_dev *fd)
{
	struct arm_smmu_ste *ste =
		&fd->master.smmu->strtab_cfg.linear.table[fd->stream.id];
	const struct arch_range *r;
	u64 w[STRTAB_STE_DWORDS];
	const char *kind;
	unsigned int i;

	for (i = 0; i < STRTAB_STE_DWORDS; i++)
		w[i] = le64_to_cpu(ste->data[i]);
	r = arch_ste_reserved_set(w, &kind);
	KUNIT_EXPECT_NULL_MSG(test, r, "%s STE[%u:%u] set", kind,
			      r ? r->hi : 0, r ? r->lo : 0);
}

static int attach(struct kunit *test, struct fake_dev *fd,
		  struct arm_smmu_nested_domain *nested)
{
	struct attachment *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, a);
	a->fd = fd;
	a->nested = nested;
	ret = arm_smmu_nested_attach(nested, &fd->master, NULL);
	if (!ret) {
		KUNIT_ASSERT_EQ(test, 0,
				kunit_add_action_or_reset(test, leave, a));
		expect_ste_clean(test, fd);
	}
	return ret;
}

/* The test device's STE as words in CPU order */
static void ste_words(struct fake_hw *hw, u64 *w)
{
	struct arm_smmu_ste *ste = &hw->smmu.strtab_cfg.linear.table[TEST_SID];
	unsigned int i;

	for (i = 0; i < STRTAB_STE_DWORDS; i++)
		w[i] = le64_to_cpu(ste->data[i]);
}

/* A field of the test device's STE by its absolute bits, as the table has it */
static u64 ste_field(struct fake_hw *hw, unsigned int hi, unsigned int lo)
{
	u64 w[STRTAB_STE_DWORDS];

	ste_words(hw, w);
	return arch_field(w, hi, lo);
}

/*
 * The stage-2 descriptor that maps @ipa, walked from the test device's
 * STE (S2TTB, S2T0SZ, S2SL0; 4K granule) as the SMMU would: 0 if none.
 */
static u64 s2_leaf(struct kunit *test, struct fake_hw *hw, u64 ipa)
{
	unsigned int level, ias = 64 - ste_field(hw, ARCH_STE_S2T0SZ);
	__le64 *table;
	bool start = true;
	u64 desc;

	KUNIT_ASSERT_EQ_MSG(test, ste_field(hw, ARCH_STE_S2TG), 0,
			    "the walker knows the 4K granule only");
	/* 4K granule: SL0 0, 1, 2 start at level 2, 1, 0 */
	level = 2 - ste_field(hw, ARCH_STE_S2SL0);
	table = phys_to_virt(ste_field(hw, ARCH_STE_S2TTB) << 4);
	for (;; level++, start = false) {
		unsigned int shift = 12 + 9 * (3 - level);
		/* The start level may concatenate tables: all the IPA left */
		unsigned int bits = start ? ias - shift : 9;

		desc = le64_to_cpu(table[(ipa >> shift) & GENMASK_ULL(bits - 1, 0)]);
		if (!arch_field(&desc, ARCH_S2PTE_VALID))
			return 0;
		/* A block, or a page at level 3 */
		if (level == 3 || !arch_field(&desc, ARCH_S2PTE_TYPE))
			return desc;
		table = phys_to_virt(arch_field(&desc, ARCH_S2PTE_OA) << 12);
	}
}

#define STE_V(hw)		ste_field(hw, ARCH_STE_V)
#define STE_CONFIG(hw)		ste_field(hw, ARCH_STE_CONFIG)
#define STE_S1STALLD(hw)	ste_field(hw, ARCH_STE_S1STALLD)
#define STE_S2S(hw)		ste_field(hw, ARCH_STE_S2S)
#define STE_EATS(hw)		ste_field(hw, ARCH_STE_EATS)
#define STE_S2VMID(hw)		ste_field(hw, ARCH_STE_S2VMID)
#define CONFIG_S1_S2		ARCH_STE_CONFIG_NESTED

/* A field of a recorded command by its absolute bits, as the table has it */
static u64 rec_field(const struct rec_cmd *c, unsigned int hi, unsigned int lo)
{
	const u64 w[2] = { c->w0, c->w1 };

	return arch_field(w, hi, lo);
}

#define CMD_OP(c)		rec_field(c, ARCH_CMD_OP)
#define CMD_SSV(c)		rec_field(c, ARCH_CMD_SSV)
#define CMD_SSID(c)		rec_field(c, ARCH_CMD_SSID)
#define CMD_SID(c)		rec_field(c, ARCH_CMD_SID)
#define CMD_VMID(c)		rec_field(c, ARCH_CMD_VMID)
#define CMD_ASID(c)		rec_field(c, ARCH_CMD_ASID)
#define CMD_NUM(c)		rec_field(c, ARCH_CMD_NUM)
/* SCALE is [24:20] on SMMUs without IDR5.DS, as the fake one */
#define CMD_SCALE(c)		rec_field(c, 24, ARCH_LO(ARCH_CMD_SCALE))
#define CMD_LEAF(c)		rec_field(c, ARCH_CMD_LEAF)
#define CMD_TG(c)		rec_field(c, ARCH_CMD_TG)
#define CMD_TLBI_ADDR(c)	(rec_field(c, ARCH_CMD_ADDR) << 12)
#define CMD_ATC_SIZE(c)		rec_field(c, ARCH_CMD_ATC_SIZE)
#define CMD_STAG(c)		rec_field(c, ARCH_CMD_STAG)
#define CMD_RESUME_AC(c)	rec_field(c, ARCH_CMD_RESUME_AC)
#define CMD_RESUME_AB(c)	rec_field(c, ARCH_CMD_RESUME_AB)
#define CMD_ATC_ADDR(c)		(rec_field(c, ARCH_CMD_ADDR) << 12)
#define ATC_SIZE_ALL		52

static bool is_tlb_or_cfg_inv(unsigned int op)
{
	return op == ARCH_OP_CFGI_CD || op == ARCH_OP_CFGI_CD_ALL ||
	       op == ARCH_OP_CFGI_STE || (op >= 0x10 && op <= 0x2f);
}

/*
 * The ordering rule: every ATC_INV comes after a CMD_SYNC that follows
 * every TLB and configuration invalidation queued before it. Returns the
 * index of the first ATC_INV that breaks it, or -1.
 */
static int atc_before_sync(struct fake_hw *hw)
{
	bool unsynced = false;
	unsigned int i;

	for (i = 0; i < hw->n; i++) {
		unsigned int op = CMD_OP(&hw->log[i]);

		if (op == ARCH_OP_SYNC)
			unsynced = false;
		else if (is_tlb_or_cfg_inv(op))
			unsynced = true;
		else if (op == ARCH_OP_ATC_INV && unsynced)
			return i;
	}
	return -1;
}

static unsigned int count_op(struct fake_hw *hw, unsigned int op)
{
	unsigned int i, n = 0;

	for (i = 0; i < hw->n; i++)
		n += CMD_OP(&hw->log[i]) == op;
	return n;
}

static void log_reset(struct fake_hw *hw)
{
	hw->n = 0;
	hw->syncs = 0;
}

static void need_ats(struct kunit *test)
{
	if (!IS_ENABLED(CONFIG_PCI_ATS))
		kunit_skip(test, "needs CONFIG_PCI_ATS");
}

/* A fresh page mapped read-write, cacheable, at @ipa of @parent */
static struct page *map_cacheable_page(struct kunit *test,
				       struct arm_smmu_domain *parent,
				       unsigned long ipa)
{
	struct page *page = alloc_page(GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_EQ(test, iommu_map(&parent->domain, ipa,
					page_to_phys(page), PAGE_SIZE,
					IOMMU_READ | IOMMU_WRITE | IOMMU_CACHE,
					GFP_KERNEL), 0);
	return page;
}

/* Defect 1: after a stage-2 unmap the whole ATC goes, after the TLBI */
static void s2_unmap_invalidates_whole_atc(struct kunit *test)
{
	struct fake_hw *hw = make_hw(test, HW_ATS | HW_FWB);
	struct fake_dev *fd = make_dev(test, hw, DEV_ATS);
	struct arm_smmu_domain *parent = make_parent(test, fd);
	struct iommu_hwpt_arm_smmuv3_s1ctx ctx = translate_ctx;
	struct arm_smmu_nested_domain *nested;
	unsigned long ipa = 0x80000000;
	unsigned int i, tlbi = 0, atc = 0;
	struct page *page;

	need_ats(test);
	ctx.eats = 1;
	KUNIT_ASSERT_EQ(test, alloc_nested(test, fd, parent, &ctx, &nested), 0);
	KUNIT_ASSERT_EQ(test, attach(test, fd, nested), 0);
	KUNIT_ASSERT_EQ(test, STE_EATS(hw), 1);
	KUNIT_ASSERT_TRUE(test, fd->master.ats_enabled);

	page = map_cacheable_page(test, parent, ipa);
	log_reset(hw);
	KUNIT_EXPECT_EQ(test, iommu_unmap(&parent->domain, ipa, PAGE_SIZE),
			PAGE_SIZE);
	__free_page(page);

	for (i = 0; i < hw->n; i++) {
		struct rec_cmd *c = &hw->log[i];

		if (CMD_OP(c) == ARCH_OP_TLBI_S12_VMALL) {
			tlbi++;
			KUNIT_EXPECT_EQ(test, CMD_VMID(c),
					parent->s2_cfg.vmid);
		} else if (CMD_OP(c) == ARCH_OP_ATC_INV) {
			atc++;
			KUNIT_EXPECT_EQ(test, CMD_SID(c), TEST_SID);
			KUNIT_EXPECT_EQ(test, CMD_SSV(c), 0);
			KUNIT_EXPECT_EQ_MSG(test, CMD_ATC_SIZE(c), ATC_SIZE_ALL,
					    "ATC_INV of IPA %#llx only",
					    CMD_ATC_ADDR(c));
			KUNIT_EXPECT_EQ(test, CMD_ATC_ADDR(c), 0);
		}
	}
	KUNIT_EXPECT_EQ(test, tlbi, 1);
	KUNIT_EXPECT_EQ(test, atc, 1);
	KUNIT_EXPECT_EQ(test, atc_before_sync(hw), -1);
	KUNIT_EXPECT_EQ(test, CMD_OP(&hw->log[hw->n - 1]), ARCH_OP_SYNC);
}

/* A domain allocation for @fd that must fail with @err; freed if it did not */
static void expect_no_domain(struct kunit *test, struct fake_dev *fd,
			     u32 flags, int err)
{
	struct iommu_domain *d;

	d = arm_smmu_domain_alloc_user(&fd->pdev.dev, flags, NULL, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(d), err);
	if (!IS_ERR_OR_NULL(d))
		free_domain(d);
}

/* The boot's nesting_noncoherent opt-in, as the suite found it */
static bool boot_opt_in;

static void restore_opt_in(void *saved)
{
	arm_smmu_nesting_noncoherent = *(bool *)saved;
}

/*
 * Set the opt-in for the rest of this case. KUnit puts the old value back
 * when the case ends, also after a failed assertion, so no later case runs
 * with a value it did not choose.
 */
static void set_opt_in(struct kunit *test, bool on)
{
	bool *saved = kunit_kzalloc(test, sizeof(*saved), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, saved);
	*saved = arm_smmu_nesting_noncoherent;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, restore_opt_in,
							saved), 0);
	arm_smmu_nesting_noncoherent = on;
}

/* Defect 2: no nest parent without S2FWB or CANWBS, unless opted in */
static void nest_parent_needs_coherency(struct kunit *test)
{
	struct fake_hw *hw = make_hw(test, 0);
	struct fake_dev *plain = make_dev(test, hw, 0);
	struct fake_dev *canwbs = make_dev(test, hw, DEV_CANWBS);
	struct arm_smmu_nested_domain *nested;
	struct arm_smmu_domain *parent;
	unsigned long ipa = 0x80000000;
	struct iommu_domain *d;
	struct page *page;
	u64 desc;

	set_opt_in(test, false);
	expect_no_domain(test, plain, IOMMU_HWPT_ALLOC_NEST_PARENT, -EOPNOTSUPP);
	/* Nothing left behind: the VMID allocator is untouched */
	KUNIT_EXPECT_TRUE(test, ida_is_empty(&hw->smmu.vmid_map));

	/* A CANWBS root complex is enough; its parent has no FWB */
	parent = make_parent(test, canwbs);
	KUNIT_EXPECT_FALSE(test, io_pgtable_ops_to_pgtable(parent->pgtbl_ops)
				 ->cfg.quirks & IO_PGTABLE_QUIRK_ARM_S2FWB);
	KUNIT_ASSERT_EQ(test, alloc_nested(test, canwbs, parent,
					   &translate_ctx, &nested), 0);
	/* but not for another device without CANWBS */
	KUNIT_EXPECT_EQ(test, attach(test, plain, nested), -EINVAL);
	KUNIT_EXPECT_EQ(test, STE_V(hw), 0);
	KUNIT_EXPECT_FALSE(test, nested_lists(nested, &plain->master));
	KUNIT_EXPECT_TRUE(test, list_empty(&parent->devices));
	KUNIT_EXPECT_EQ(test, attach(test, canwbs, nested), 0);
	KUNIT_EXPECT_EQ(test, STE_CONFIG(hw), CONFIG_S1_S2);
	KUNIT_EXPECT_EQ(test, ste_field(hw, ARCH_STE_S2FWB), 0);
	/* Without FWB a cacheable mapping is plain write-back, 0b1111 */
	page = map_cacheable_page(test, parent, ipa);
	desc = s2_leaf(test, hw, ipa);
	KUNIT_EXPECT_EQ(test, arch_field(&desc, ARCH_S2PTE_MEMATTR),
			ARCH_S2PTE_MEMATTR_OIWB);
	iommu_unmap(&parent->domain, ipa, PAGE_SIZE);
	__free_page(page);

	/* The test-machine opt-in */
	set_opt_in(test, true);
	d = arm_smmu_domain_alloc_user(&plain->pdev.dev,
				       IOMMU_HWPT_ALLOC_NEST_PARENT, NULL, NULL);
	KUNIT_EXPECT_FALSE(test, IS_ERR(d));
	if (!IS_ERR(d))
		free_domain(d);
}

/* Defect 2: with FWB the parent's table and STE force write-back */
static void nest_parent_uses_s2fwb(struct kunit *test)
{
	struct fake_hw *hw = make_hw(test, HW_FWB);
	struct fake_dev *fd = make_dev(test, hw, 0);
	struct arm_smmu_nested_domain *nested;
	struct arm_smmu_domain *parent;
	__le64 used[STRTAB_STE_DWORDS] = {};
	u64 used_w[STRTAB_STE_DWORDS], desc;
	unsigned long ipa = 0x80000000;
	struct page *page;
	unsigned int i;

	set_opt_in(test, false);
	parent = make_parent(test, fd);
	KUNIT_EXPECT_TRUE(test, io_pgtable_ops_to_pgtable(parent->pgtbl_ops)
				->cfg.quirks & IO_PGTABLE_QUIRK_ARM_S2FWB);
	KUNIT_ASSERT_EQ(test, alloc_nested(test, fd, parent, &translate_ctx,
					   &nested), 0);
	KUNIT_ASSERT_EQ(test, attach(test, fd, nested), 0);
	KUNIT_EXPECT_EQ(test, STE_CONFIG(hw), CONFIG_S1_S2);
	KUNIT_EXPECT_EQ_MSG(test, ste_field(hw, ARCH_STE_S2FWB), 1,
			    "STE.S2FWB (STE[89]) not set");
	KUNIT_EXPECT_EQ(test, STE_S2VMID(hw), parent->s2_cfg.vmid);
	/* The entry writer must know the SMMU reads S2FWB */
	arm_smmu_get_ste_used(hw->smmu.strtab_cfg.linear.table[TEST_SID].data,
			      used);
	for (i = 0; i < STRTAB_STE_DWORDS; i++)
		used_w[i] = le64_to_cpu(used[i]);
	KUNIT_EXPECT_TRUE(test, arch_field(used_w, ARCH_STE_S2FWB));

	/* A cacheable mapping is forced write-back: MemAttr 0b0110 */
	page = map_cacheable_page(test, parent, ipa);
	desc = s2_leaf(test, hw, ipa);
	KUNIT_EXPECT_EQ(test, arch_field(&desc, ARCH_S2PTE_OA) << 12,
			page_to_phys(page));
	KUNIT_EXPECT_EQ_MSG(test, arch_field(&desc, ARCH_S2PTE_MEMATTR),
			    ARCH_S2PTE_MEMATTR_FWB_WB, "descriptor %#llx", desc);
	iommu_unmap(&parent->domain, ipa, PAGE_SIZE);
	__free_page(page);
}

/*
 * Attach refuses a nested domain made on another SMMU, and one whose guest
 * asked for ATS (EATS) for a device without it, and leaves nothing behind.
 */
static void attach_checks_the_device(struct kunit *test)
{
	struct fake_hw *hw = make_hw(test, HW_ATS | HW_FWB);
	struct fake_hw *other = make_hw(test, HW_ATS | HW_FWB);
	struct fake_dev *ats = make_dev(test, hw, DEV_ATS);
	struct fake_dev *plain = make_dev(test, hw, 0);
	struct fake_dev *stranger = make_dev(test, other, DEV_ATS);
	struct arm_smmu_domain *parent = make_parent(test, ats);
	struct iommu_hwpt_arm_smmuv3_s1ctx ctx = translate_ctx;
	struct arm_smmu_nested_domain *nested;

	need_ats(test);
	KUNIT_ASSERT_EQ(test, alloc_nested(test, ats, parent, &translate_ctx,
					   &nested), 0);
	KUNIT_EXPECT_EQ(test, attach(test, stranger, nested), -EINVAL);
	KUNIT_EXPECT_EQ(test, STE_V(other), 0);
	KUNIT_EXPECT_FALSE(test, nested_lists(nested, &stranger->master));

	ctx.eats = 1;
	KUNIT_ASSERT_EQ(test, alloc_nested(test, ats, parent, &ctx, &nested),
			0);
	KUNIT_EXPECT_EQ(test, attach(test, plain, nested), -EINVAL);
	KUNIT_EXPECT_EQ(test, STE_V(hw), 0);
	KUNIT_EXPECT_FALSE(test, nested_lists(nested, &plain->master));
	KUNIT_EXPECT_FALSE(test, plain->master.ats_enabled);
	/* The device it was made for may */
	KUNIT_EXPECT_EQ(test, attach(test, ats, nested), 0);
	KUNIT_EXPECT_EQ(test, STE_EATS(hw), 1);
}

static int fake_iopf_handler(struct iopf_group *group)
{
	return -EOPNOTSUPP;
}

/*
 * A nested domain with a fault handler (iommufd's fault queue) serves a
 * guest's stage 1 only, a device in the SMMU's IOPF queue only (as
 * enabling IOPF puts it), and not one coming straight from another domain
 * with a fault handler: anything else is refused, and nothing of the
 * device changes. Then the same domain attaches, and its stalls go to
 * the handler until the device leaves.
 */
static void fault_queue_needs_stage1_and_iopf(struct kunit *test)
{
	struct fake_hw *hw = make_hw(test, HW_STALLS | HW_FWB);
	struct fake_dev *fd = make_dev(test, hw, DEV_STALL);
	struct arm_smmu_domain *parent = make_parent(test, fd);
	struct iommu_hwpt_arm_smmuv3_s1ctx other = {};
	struct arm_smmu_nested_domain *nested, *no_s1;
	struct iommu_fault_param *in_queue;

	KUNIT_ASSERT_EQ(test, alloc_nested(test, fd, parent, &translate_ctx,
					   &nested), 0);
	nested->domain.iopf_handler = fake_iopf_handler;
	KUNIT_EXPECT_EQ(test, attach(test, fd, nested), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, STE_V(hw), 0);
	KUNIT_EXPECT_FALSE(test, nested_lists(nested, &fd->master));

	/* What iopf_queue_add_device() leaves behind for the device */
	in_queue = kunit_kzalloc(test, sizeof(*in_queue), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, in_queue);
	rcu_assign_pointer(fd->dev_iommu.fault_param, in_queue);
	for (other.mode = IOMMU_SMMUV3_S1CTX_ABORT;
	     other.mode <= IOMMU_SMMUV3_S1CTX_BYPASS; other.mode++) {
		KUNIT_ASSERT_EQ(test, alloc_nested(test, fd, parent, &other,
						   &no_s1), 0);
		no_s1->domain.iopf_handler = fake_iopf_handler;
		KUNIT_EXPECT_EQ(test, attach(test, fd, no_s1), -EINVAL);
		KUNIT_EXPECT_EQ(test, STE_V(hw), 0);
	}
	/* Not by replacing another domain (only the blocked one) */
	KUNIT_EXPECT_EQ(test, arm_smmu_nested_attach(nested, &fd->master,
						     &no_s1->domain), -EBUSY);
	KUNIT_EXPECT_EQ(test, STE_V(hw), 0);
	KUNIT_EXPECT_EQ(test, attach(test, fd, nested), 0);
	KUNIT_EXPECT_EQ(test, STE_V(hw), 1);
	KUNIT_EXPECT_TRUE(test, fd->master.nested_stalls);
	/* Back on its own domain, as the core does when a move fails */
	KUNIT_EXPECT_EQ(test, arm_smmu_nested_attach(nested, &fd->master,
						     &nested->domain), 0);
	mutex_lock(&arm_smmu_asid_lock);	/* as attach_prepare holds it */
	arm_smmu_nested_leaving(&nested->domain, &fd->master);
	mutex_unlock(&arm_smmu_asid_lock);
	KUNIT_EXPECT_FALSE(test, fd->master.nested_stalls);
	RCU_INIT_POINTER(fd->dev_iommu.fault_param, NULL);
}

/*
 * arm_smmu_page_response(), the IOMMU core's answer to a reported stall:
 * one CMD_RESUME for the device's StreamID and the stall's tag, a retry
 * for SUCCESS and an abort otherwise, decoded with the reference table.
 */
static void page_response_resumes(struct kunit *test)
{
	static const struct {
		enum iommu_page_response_code code;
		u64 ac, ab;
	} cases[] = {
		{ IOMMU_PAGE_RESP_SUCCESS, 1, 0 },
		{ IOMMU_PAGE_RESP_INVALID, 0, 1 },
		{ IOMMU_PAGE_RESP_FAILURE, 0, 1 },
	};
	struct fake_hw *hw = make_hw(test, HW_STALLS | HW_FWB);
	struct fake_dev *fd = make_dev(test, hw, DEV_STALL);
	unsigned int i;

	set_sid(hw, fd, TEST_SID);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct iommu_page_response resp = {
			.grpid = 0x8000 + i,
			.code = cases[i].code,
		};

		log_reset(hw);
		arm_smmu_page_response(&fd->pdev.dev, NULL, &resp);
		KUNIT_ASSERT_EQ_MSG(test, hw->n, 1, "case %u", i);
		KUNIT_EXPECT_EQ(test, CMD_OP(&hw->log[0]), ARCH_OP_RESUME);
		KUNIT_EXPECT_EQ(test, CMD_SID(&hw->log[0]), TEST_SID);
		KUNIT_EXPECT_EQ(test, CMD_STAG(&hw->log[0]), 0x8000 + i);
		KUNIT_EXPECT_EQ(test, CMD_RESUME_AC(&hw->log[0]), cases[i].ac);
		KUNIT_EXPECT_EQ(test, CMD_RESUME_AB(&hw->log[0]), cases[i].ab);
	}
}

/*
 * Running out of VMIDs (nest parents each hold one) or ASIDs fails the
 * allocation with the allocator's errno, and nothing else: a page table
 * freed on that path must not be flushed through an SMMU the domain does
 * not have yet (patches/0011). A page table that cannot be made gives its
 * ID back.
 */
static void ids_run_out_cleanly(struct kunit *test)
{
	struct fake_hw *hw = make_hw(test, HW_FWB);
	struct fake_dev *fd = make_dev(test, hw, 0);
	struct iommu_domain *d;
	unsigned int i;

	hw->smmu.vmid_bits = 2;		/* VMIDs 1 to 3 */
	for (i = 0; i < 3; i++) {
		d = arm_smmu_domain_alloc_user(&fd->pdev.dev,
					       IOMMU_HWPT_ALLOC_NEST_PARENT,
					       NULL, NULL);
		KUNIT_ASSERT_FALSE(test, IS_ERR_OR_NULL(d));
		KUNIT_ASSERT_EQ(test, 0,
				kunit_add_action_or_reset(test, free_domain, d));
	}
	expect_no_domain(test, fd, IOMMU_HWPT_ALLOC_NEST_PARENT, -ENOSPC);

	/*
	 * ASIDs are one space for every SMMU. With one ASID bit only ASID 1
	 * is left to take, which the host's own domains may hold already.
	 */
	hw->smmu.asid_bits = 1;
	for (i = 0; i < 2; i++) {
		d = arm_smmu_domain_alloc_user(&fd->pdev.dev, 0, NULL, NULL);
		if (IS_ERR_OR_NULL(d))
			break;
		KUNIT_ASSERT_EQ(test, 0,
				kunit_add_action_or_reset(test, free_domain, d));
	}
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(d), -EBUSY);

	/*
	 * The page table failing after the ID was taken (no page size
	 * io-pgtable can use): ENOMEM, and the VMID is given back
	 */
	hw = make_hw(test, HW_FWB);
	fd = make_dev(test, hw, 0);
	hw->smmu.pgsize_bitmap = 0;
	expect_no_domain(test, fd, IOMMU_HWPT_ALLOC_NEST_PARENT, -ENOMEM);
	KUNIT_EXPECT_TRUE(test, ida_is_empty(&hw->smmu.vmid_map));
	expect_no_domain(test, fd, 0, -ENOMEM);
}

/* Defect 3: S1STALLD and S2S for each kind of device and SMMU */
static void stalls_only_where_allowed(struct kunit *test)
{
	static const struct {
		unsigned int hw, dev;
		u8 asked;
		u64 expect, s2s;
	} cases[] = {
		/* A device that cannot stall: forced on */
		{ HW_STALLS, 0, 0, 1, 0 },
		{ HW_STALLS, 0, 1, 1, 0 },
		/* One that can: the guest's choice; stage 2 never stalls */
		{ HW_STALLS, DEV_STALL, 0, 0, 0 },
		{ HW_STALLS, DEV_STALL, 1, 1, 0 },
		/* Stalls forced: RES0, and S2S stays as the base sets it */
		{ HW_STALL_FORCE, 0, 0, 0, 1 },
		/* No stalls: RES0 */
		{ 0, 0, 0, 0, 0 },
	};
	u64 w[STRTAB_STE_DWORDS] = {};
	struct arm_smmu_ste s2;
	unsigned int i;

	set_opt_in(test, true);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct fake_hw *hw = make_hw(test, cases[i].hw);
		struct fake_dev *fd = make_dev(test, hw, cases[i].dev);
		struct arm_smmu_domain *parent = make_parent(test, fd);
		struct iommu_hwpt_arm_smmuv3_s1ctx ctx = translate_ctx;
		struct arm_smmu_nested_domain *nested;
		bool stall_ok = cases[i].hw == HW_STALLS;
		int expect = 0;

		if (cases[i].asked && !stall_ok)
			expect = -EINVAL;
		ctx.s1stalld = cases[i].asked;
		KUNIT_ASSERT_EQ(test, alloc_nested(test, fd, parent, &ctx,
						   &nested), expect);
		KUNIT_ASSERT_EQ(test, attach(test, fd, nested), 0);
		KUNIT_EXPECT_EQ_MSG(test, STE_S1STALLD(hw), cases[i].expect,
				    "case %u", i);
		KUNIT_EXPECT_EQ_MSG(test, STE_S2S(hw), cases[i].s2s,
				    "case %u", i);
		/* The parent's own STE agrees: a move between them is hitless */
		arm_smmu_make_s2_domain_ste(&s2, &fd->master, parent, false);
		w[2] = le64_to_cpu(s2.data[2]);
		KUNIT_EXPECT_EQ_MSG(test, arch_field(w, ARCH_STE_S2S),
				    cases[i].s2s, "case %u, parent", i);
	}
}

static struct iommu_user_data_array
to_user_array(struct kunit *test,
	      const struct iommu_hwpt_invalidate_generic *inv, unsigned int n)
{
	return (struct iommu_user_data_array){
		.type = IOMMU_HWPT_INVALIDATE_DATA_GENERIC,
		.uptr = to_user(test, inv, n * sizeof(*inv)),
		.entry_len = sizeof(*inv),
		.entry_num = n,
	};
}

/* One page of IOTLB and device IOTLB at @addr(i), in ASID 1 */
static struct iommu_hwpt_invalidate_generic *page_entries(struct kunit *test,
							  unsigned int n)
{
	struct iommu_hwpt_invalidate_generic *inv;
	unsigned int i;

	inv = kunit_kcalloc(test, n, sizeof(*inv), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, inv);
	for (i = 0; i < n; i++)
		inv[i] = (struct iommu_hwpt_invalidate_generic){
			.cache = IOMMU_INV_CACHE_IOTLB |
				 IOMMU_INV_CACHE_DEV_IOTLB,
			.granularity = IOMMU_INV_GRANU_ADDR,
			.flags = IOMMU_INV_FLAG_ARCHID,
			.archid = 1,
			.addr = 0x100000 + i * SZ_4K,
			.granule_size = SZ_4K,
			.nb_granules = 1,
		};
	return inv;
}

/* A nested domain with eats=1 on an ATS device; the log then emptied */
static struct arm_smmu_nested_domain *ats_setup(struct kunit *test,
						struct fake_hw *hw,
						unsigned int dev_flags)
{
	struct fake_dev *fd = make_dev(test, hw, DEV_ATS | dev_flags);
	struct arm_smmu_domain *parent = make_parent(test, fd);
	struct iommu_hwpt_arm_smmuv3_s1ctx ctx = translate_ctx;
	struct arm_smmu_nested_domain *nested;

	need_ats(test);
	ctx.eats = 1;
	KUNIT_ASSERT_EQ(test, alloc_nested(test, fd, parent, &ctx, &nested), 0);
	KUNIT_ASSERT_EQ(test, attach(test, fd, nested), 0);
	KUNIT_ASSERT_TRUE(test, fd->master.ats_enabled);
	log_reset(hw);
	return nested;
}

/* Defect 4: ATC_INV only after a sync completed the TLBIs before it */
static void atc_inv_waits_for_tlbi_sync(struct kunit *test)
{
	struct fake_hw *hw = make_hw(test, HW_ATS | HW_FWB | HW_RIL);
	struct arm_smmu_nested_domain *nested = ats_setup(test, hw, 0);
	unsigned int n = 3 * CMDQ_BATCH_ENTRIES + 5;
	struct iommu_user_data_array array =
		to_user_array(test, page_entries(test, n), n);

	KUNIT_EXPECT_EQ(test, arm_smmu_nested_cache_invalidate(&nested->domain,
							       &array), 0);
	KUNIT_EXPECT_EQ(test, array.entry_num, n);
	KUNIT_EXPECT_EQ(test, count_op(hw, ARCH_OP_TLBI_NH_VA), n);
	KUNIT_EXPECT_EQ(test, count_op(hw, ARCH_OP_ATC_INV), n);
	KUNIT_EXPECT_EQ_MSG(test, atc_before_sync(hw), -1,
			    "an ATC_INV went ahead of the sync of a TLBI");
	KUNIT_EXPECT_EQ(test, CMD_OP(&hw->log[hw->n - 1]), ARCH_OP_SYNC);
}

/*
 * Entries whose commands all lie before the last sync that succeeded:
 * the entry_num a truthful driver reports. Entry i's commands name
 * address 0x100000 + i * 4K (TLBI) and page-aligned spans (ATC_INV).
 */
static unsigned int entries_done(struct fake_hw *hw, unsigned int n)
{
	unsigned int i, last_ok = 0, syncs = 0, done;

	for (i = 0; i < hw->n; i++) {
		if (CMD_OP(&hw->log[i]) != ARCH_OP_SYNC)
			continue;
		if (++syncs == hw->fail_sync)
			break;
		last_ok = i;
	}
	for (done = 0; done < n; done++) {
		u64 addr = 0x100000 + done * SZ_4K;
		bool tlbi = false, atc = false;

		for (i = 0; i < last_ok; i++) {
			struct rec_cmd *c = &hw->log[i];

			if (CMD_OP(c) == ARCH_OP_TLBI_NH_VA &&
			    CMD_TLBI_ADDR(c) == addr)
				tlbi = true;
			if (CMD_OP(c) == ARCH_OP_ATC_INV && CMD_ATC_ADDR(c) <= addr &&
			    addr - CMD_ATC_ADDR(c) < (SZ_4K << CMD_ATC_SIZE(c)))
				atc = true;
		}
		if (!tlbi || !atc)
			break;
	}
	return done;
}

/* Defect 5: a failing sync reaches the caller; entry_num tells the truth */
static void queue_errors_reach_the_caller(struct kunit *test)
{
	unsigned int n = 3 * CMDQ_BATCH_ENTRIES + 5, fail;

	for (fail = 1; fail <= 4; fail++) {
		struct fake_hw *hw = make_hw(test, HW_ATS | HW_FWB | HW_RIL);
		struct arm_smmu_nested_domain *nested = ats_setup(test, hw, 0);
		struct iommu_user_data_array array =
			to_user_array(test, page_entries(test, n), n);
		unsigned int syncs;

		hw->fail_sync = fail;
		KUNIT_EXPECT_EQ_MSG(test,
				    arm_smmu_nested_cache_invalidate(&nested->domain,
								     &array),
				    -ETIMEDOUT, "sync %u fails", fail);
		KUNIT_EXPECT_EQ_MSG(test, array.entry_num,
				    entries_done(hw, n), "sync %u fails", fail);
		KUNIT_EXPECT_LT(test, array.entry_num, n);
		/* Nothing goes on the queue after the failed sync */
		syncs = count_op(hw, ARCH_OP_SYNC);
		KUNIT_EXPECT_EQ(test, syncs, fail);
		KUNIT_EXPECT_EQ(test, CMD_OP(&hw->log[hw->n - 1]), ARCH_OP_SYNC);
	}
}

/* Defect 6: PASID-tagged ATC_INV only for devices with PASIDs enabled */
static void atc_ssv_only_with_pasid(struct kunit *test)
{
	static const unsigned int dev_flags[] = { 0, DEV_PASID };
	struct iommu_hwpt_invalidate_generic inv = {
		.cache = IOMMU_INV_CACHE_DEV_IOTLB,
		.granularity = IOMMU_INV_GRANU_PASID,
		.flags = IOMMU_INV_FLAG_PASID,
		.pasid = 3,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(dev_flags); i++) {
		struct fake_hw *hw = make_hw(test, HW_ATS | HW_FWB);
		struct arm_smmu_nested_domain *nested =
			ats_setup(test, hw, dev_flags[i]);
		struct iommu_user_data_array array =
			to_user_array(test, &inv, 1);
		bool pasid = dev_flags[i] & DEV_PASID;

		KUNIT_EXPECT_EQ(test,
				arm_smmu_nested_cache_invalidate(&nested->domain,
								 &array), 0);
		KUNIT_ASSERT_EQ(test, count_op(hw, ARCH_OP_ATC_INV), 1);
		KUNIT_EXPECT_EQ(test, CMD_OP(&hw->log[0]), ARCH_OP_ATC_INV);
		KUNIT_EXPECT_EQ_MSG(test, CMD_SSV(&hw->log[0]), pasid,
				    "PASIDs %s", pasid ? "on" : "off");
		KUNIT_EXPECT_EQ(test, CMD_SSID(&hw->log[0]), pasid ? 3 : 0);
		KUNIT_EXPECT_EQ(test, CMD_ATC_SIZE(&hw->log[0]), ATC_SIZE_ALL);
	}
}

/* Defect 6: a device is on the nested domain's list before its STE syncs */
static void listed_before_ste_is_live(struct kunit *test)
{
	struct fake_hw *hw = make_hw(test, HW_FWB);
	struct fake_dev *fd = make_dev(test, hw, 0);
	struct arm_smmu_domain *parent = make_parent(test, fd);
	struct arm_smmu_nested_domain *nested;

	KUNIT_ASSERT_EQ(test, alloc_nested(test, fd, parent, &translate_ctx,
					   &nested), 0);
	hw->watch = nested;
	hw->watch_master = &fd->master;
	KUNIT_ASSERT_EQ(test, attach(test, fd, nested), 0);
	KUNIT_EXPECT_EQ(test, hw->listed_at_first_cfgi, 1);
	KUNIT_EXPECT_EQ(test, STE_CONFIG(hw), CONFIG_S1_S2);
}

/* Defect 6: another data type is -EINVAL, as for 6.12's other drivers */
static void wrong_type_is_einval(struct kunit *test)
{
	struct fake_hw *hw = make_hw(test, HW_FWB);
	struct fake_dev *fd = make_dev(test, hw, 0);
	struct arm_smmu_domain *parent = make_parent(test, fd);
	struct arm_smmu_nested_domain *nested;
	struct iommu_user_data_array array = {
		.type = IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
		.entry_num = 1,
	};

	KUNIT_ASSERT_EQ(test, alloc_nested(test, fd, parent, &translate_ctx,
					   &nested), 0);
	log_reset(hw);
	KUNIT_EXPECT_EQ(test, arm_smmu_nested_cache_invalidate(&nested->domain,
							       &array),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, array.entry_num, 0);
	KUNIT_EXPECT_EQ(test, hw->n, 0);
}

/* Granules QEMU does not offer, with and without RIL: decode the range */
static void ranges_in_other_granules(struct kunit *test)
{
	static const struct {
		unsigned int hw;
		u64 granule;
		u64 pages;
	} cases[] = {
		{ HW_16K, SZ_16K, 3 },
		{ HW_64K, SZ_64K, 5 },
		{ HW_16K | HW_RIL, SZ_16K, 37 },
		{ HW_64K | HW_RIL, SZ_64K, 100 },
	};
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct fake_hw *hw = make_hw(test, cases[i].hw | HW_FWB);
		struct fake_dev *fd = make_dev(test, hw, 0);
		struct arm_smmu_domain *parent = make_parent(test, fd);
		u64 start = 64 * cases[i].granule, end;
		struct iommu_hwpt_invalidate_generic inv = {
			.cache = IOMMU_INV_CACHE_IOTLB,
			.granularity = IOMMU_INV_GRANU_ADDR,
			.flags = IOMMU_INV_FLAG_ARCHID,
			.archid = 9,
			.addr = start,
			.granule_size = cases[i].granule,
			.nb_granules = cases[i].pages,
		};
		struct iommu_user_data_array array;
		struct arm_smmu_nested_domain *nested;
		u64 covered = start;

		KUNIT_ASSERT_EQ(test, alloc_nested(test, fd, parent,
						   &translate_ctx, &nested), 0);
		KUNIT_ASSERT_EQ(test, attach(test, fd, nested), 0);
		array = to_user_array(test, &inv, 1);
		log_reset(hw);
		KUNIT_EXPECT_EQ(test,
				arm_smmu_nested_cache_invalidate(&nested->domain,
								 &array), 0);
		end = start + cases[i].pages * cases[i].granule;
		/* Commands cover [start, end) in order, at most one more page */
		for (j = 0; j < hw->n; j++) {
			struct rec_cmd *c = &hw->log[j];
			u64 tg_size, span;

			if (CMD_OP(c) == ARCH_OP_SYNC)
				continue;
			KUNIT_EXPECT_EQ(test, CMD_OP(c), ARCH_OP_TLBI_NH_VA);
			KUNIT_EXPECT_EQ(test, CMD_VMID(c), parent->s2_cfg.vmid);
			KUNIT_EXPECT_EQ(test, CMD_ASID(c), 9);
			KUNIT_EXPECT_EQ(test, CMD_TLBI_ADDR(c), covered);
			if (!(cases[i].hw & HW_RIL)) {
				/* No range: TG, NUM and SCALE are 0 */
				KUNIT_EXPECT_EQ(test, CMD_TG(c), 0);
				KUNIT_EXPECT_EQ(test, CMD_NUM(c), 0);
				KUNIT_EXPECT_EQ(test, CMD_SCALE(c), 0);
				covered += cases[i].granule;
				continue;
			}
			/* TG: 1 4K, 2 16K, 3 64K */
			tg_size = CMD_TG(c) == 1 ? SZ_4K :
				  CMD_TG(c) == 2 ? SZ_16K : SZ_64K;
			KUNIT_EXPECT_EQ(test, tg_size, cases[i].granule);
			span = (CMD_NUM(c) + 1) << CMD_SCALE(c);
			covered += span * tg_size;
		}
		KUNIT_EXPECT_GE(test, covered, end);
		KUNIT_EXPECT_LE(test, covered, end + cases[i].granule);
		KUNIT_EXPECT_EQ(test, count_op(hw, ARCH_OP_SYNC), 1);
	}
}

/* Does the log hold a CFGI_CD_ALL naming @sid? */
static bool cfgi_names(struct fake_hw *hw, u32 sid)
{
	unsigned int i;

	for (i = 0; i < hw->n; i++)
		if (CMD_OP(&hw->log[i]) == ARCH_OP_CFGI_CD_ALL &&
		    CMD_SID(&hw->log[i]) == sid)
			return true;
	return false;
}

#define MANY_STREAMS	40
#define MANY_FIRST_SID	10

/*
 * Invalidation keeps its working memory with the nested domain: after 0,
 * then 1, then 1 + MANY_STREAMS StreamIDs are attached, each call must
 * name every one of them and have room for them all.
 */
static void invalidation_grows_with_the_devices(struct kunit *test)
{
	struct fake_hw *hw = make_hw(test, HW_FWB);
	struct fake_dev *one = make_dev(test, hw, 0);
	struct fake_dev *many = make_dev(test, hw, 0);
	struct arm_smmu_domain *parent = make_parent(test, one);
	struct iommu_hwpt_invalidate_generic inv = {
		.cache = IOMMU_INV_CACHE_CONTEXT,
		.granularity = IOMMU_INV_GRANU_DOMAIN,
	};
	static const unsigned int attached[] = { 0, 1, 1 + MANY_STREAMS };
	struct arm_smmu_nested_domain *nested;
	struct arm_smmu_stream *streams;
	unsigned int round, i;

	streams = kunit_kcalloc(test, MANY_STREAMS, sizeof(*streams),
				GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, streams);
	for (i = 0; i < MANY_STREAMS; i++) {
		streams[i].id = MANY_FIRST_SID + i;
		streams[i].master = &many->master;
	}
	many->master.streams = streams;
	many->master.num_streams = MANY_STREAMS;

	KUNIT_ASSERT_EQ(test, alloc_nested(test, one, parent, &translate_ctx,
					   &nested), 0);
	for (round = 0; round < ARRAY_SIZE(attached); round++) {
		struct iommu_user_data_array array =
			to_user_array(test, &inv, 1);

		if (round == 1)
			KUNIT_ASSERT_EQ(test, attach(test, one, nested), 0);
		if (round == 2)
			KUNIT_ASSERT_EQ(test, attach(test, many, nested), 0);
		log_reset(hw);
		KUNIT_EXPECT_EQ(test,
				arm_smmu_nested_cache_invalidate(&nested->domain,
								 &array), 0);
		KUNIT_EXPECT_EQ(test, array.entry_num, 1);
		KUNIT_EXPECT_EQ_MSG(test, count_op(hw, ARCH_OP_CFGI_CD_ALL),
				    attached[round], "round %u", round);
		KUNIT_EXPECT_GE_MSG(test, arm_smmu_nested_inv_room(nested),
				    attached[round], "round %u", round);
		if (round >= 1)
			KUNIT_EXPECT_TRUE(test, cfgi_names(hw, TEST_SID));
		for (i = 0; round == 2 && i < MANY_STREAMS; i++)
			KUNIT_EXPECT_TRUE_MSG(test,
					      cfgi_names(hw, MANY_FIRST_SID + i),
					      "SID %u", MANY_FIRST_SID + i);
	}
}

/* A kthread running @fn(@arg), whose end the test can wait for */
struct worker {
	struct kunit *test;
	int (*fn)(void *arg);
	void *arg;
	int ret;
	struct completion done;
};

static int worker_main(void *data)
{
	struct worker *w = data;

	/* The recorder stub redirects only calls made for this test */
	current->kunit_test = w->test;
	w->ret = w->fn(w->arg);
	current->kunit_test = NULL;
	/* For every wait: a test may wait briefly, then again for longer */
	complete_all(&w->done);
	return 0;
}

/*
 * Start @fn(@arg) in a kthread; *@task (if given) is set before it runs.
 * Without a kthread, @w is done at once with -ENOMEM: the caller goes on
 * waiting for its workers (EXPECT, never ASSERT, once one runs).
 */
static void start_worker(struct kunit *test, struct worker *w,
			 int (*fn)(void *), void *arg,
			 struct task_struct **task)
{
	struct task_struct *t;

	w->test = test;
	w->fn = fn;
	w->arg = arg;
	init_completion(&w->done);
	t = kthread_create(worker_main, w, "nested-hw-test");
	KUNIT_EXPECT_FALSE(test, IS_ERR(t));
	if (IS_ERR(t)) {
		w->ret = -ENOMEM;
		complete_all(&w->done);
		return;
	}
	if (task)
		*task = t;
	wake_up_process(t);
}

/* An invalidation from a kthread, in the user memory of the test's mm */
struct inv_args {
	struct arm_smmu_nested_domain *nested;
	struct iommu_user_data_array array;
	struct mm_struct *mm;
};

static int invalidate_from_kthread(void *arg)
{
	struct inv_args *a = arg;
	int ret;

	kthread_use_mm(a->mm);
	ret = arm_smmu_nested_cache_invalidate(&a->nested->domain, &a->array);
	kthread_unuse_mm(a->mm);
	return ret;
}

/*
 * A VMM's invalidation of one page on @nested, from a kthread, held in the
 * command-queue recorder until @hw->release; @inv and @busy are the
 * caller's, and must outlive the worker.
 */
static void start_stuck_invalidation(struct kunit *test, struct fake_hw *hw,
				     struct arm_smmu_nested_domain *nested,
				     struct inv_args *inv, struct worker *busy)
{
	inv->array = to_user_array(test, page_entries(test, 1), 1);
	inv->nested = nested;
	inv->mm = current->mm;	/* has the array: to_user() attached it */
	start_worker(test, busy, invalidate_from_kthread, inv,
		     &hw->block_task);
	KUNIT_EXPECT_NE(test, wait_for_completion_timeout(&hw->blocked, 10 * HZ),
			0);
}

struct replace_args {
	struct arm_smmu_nested_domain *to, *from;
	struct arm_smmu_master *master;
};

static int replace_nested(void *arg)
{
	struct replace_args *r = arg;

	return arm_smmu_nested_attach(r->to, r->master,
				      r->from ? &r->from->domain : NULL);
}

/* What one test's workers use: on the heap, not on a stack that may go */
struct workers {
	struct worker busy, mover, other;
	struct inv_args inv;
	struct replace_args r1, r2;
};

static struct workers *alloc_workers(struct kunit *test)
{
	struct workers *ws = kzalloc(sizeof(*ws), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ws);
	return ws;
}

/* Wait (bounded) for @w to end; a worker that never does is reported */
static bool worker_ended(struct kunit *test, struct worker *w,
			 const char *what)
{
	bool ended = wait_for_completion_timeout(&w->done, 60 * HZ);

	KUNIT_EXPECT_TRUE_MSG(test, ended, "%s never ended", what);
	return ended;
}

/*
 * Issue 18, defect 2: ATS goes on while another thread keeps the old
 * nested domain busy with an invalidation. From the moment the device's
 * PCI ATS Enable is set, a stage-2 unmap on the parent must reach its
 * ATC: the master must count as ATS-enabled by then. Afterwards the
 * parent counts the device once, and an unmap does send an ATC_INV.
 */
static void ats_device_is_invalidated_once_ats_is_on(struct kunit *test)
{
	struct fake_hw *hw = make_hw(test, HW_ATS | HW_FWB);
	struct fake_dev *fd = make_dev(test, hw, DEV_ATS);
	struct arm_smmu_domain *parent = make_parent(test, fd);
	struct iommu_hwpt_arm_smmuv3_s1ctx ctx = translate_ctx;
	struct arm_smmu_nested_domain *old, *new;
	unsigned long ipa = 0x80000000;
	struct workers *ws;
	struct page *page;
	bool ended;

	need_ats(test);
	KUNIT_ASSERT_EQ(test, alloc_nested(test, fd, parent, &ctx, &old), 0);
	ctx.eats = 1;
	KUNIT_ASSERT_EQ(test, alloc_nested(test, fd, parent, &ctx, &new), 0);
	KUNIT_ASSERT_EQ(test, attach(test, fd, old), 0);
	will_attach(test, fd, new);
	page = map_cacheable_page(test, parent, ipa);

	/* A VMM's invalidation on the old domain, stuck on the queue */
	ws = alloc_workers(test);
	start_stuck_invalidation(test, hw, old, &ws->inv, &ws->busy);
	/* EXPECT, not ASSERT, from here on: the workers use this test's data */

	ws->r1 = (struct replace_args){ .to = new, .from = old,
					.master = &fd->master };
	start_worker(test, &ws->mover, replace_nested, &ws->r1, NULL);
	KUNIT_EXPECT_NE_MSG(test, wait_for_completion_timeout(&fd->ats_on,
							      10 * HZ), 0,
			    "PCI ATS never enabled");
	KUNIT_EXPECT_TRUE_MSG(test, fd->ats_enabled_at_pci_enable,
			      "PCI ATS on while unmaps skip the device's ATC");

	complete_all(&hw->release);
	ended = worker_ended(test, &ws->busy, "the invalidation");
	ended &= worker_ended(test, &ws->mover, "the replace");
	hw->block_task = NULL;
	if (!ended)
		return;	/* @ws stays theirs; a stuck worker is a failure already */
	KUNIT_EXPECT_EQ(test, ws->busy.ret, 0);
	KUNIT_EXPECT_EQ(test, ws->mover.ret, 0);
	kfree(ws);
	KUNIT_EXPECT_TRUE(test, fd->master.ats_enabled);
	KUNIT_EXPECT_EQ(test, atomic_read(&parent->nr_ats_masters), 1);

	log_reset(hw);
	KUNIT_EXPECT_EQ(test, iommu_unmap(&parent->domain, ipa, PAGE_SIZE),
			PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, count_op(hw, ARCH_OP_ATC_INV), 1);
	__free_page(page);
}

/*
 * Issue 18, defect 3: a VMM's invalidation stuck on the command queue
 * must not hold up an attach, its own device's or another VM's.
 */
static void invalidation_does_not_block_attach(struct kunit *test)
{
	struct fake_hw *hw = make_hw(test, HW_FWB);
	struct fake_dev *a = make_dev(test, hw, 0);
	struct fake_dev *b = make_dev(test, hw, 0);
	struct arm_smmu_domain *pa = make_parent(test, a);
	struct arm_smmu_domain *pb = make_parent(test, b);
	struct arm_smmu_nested_domain *a1, *a2, *b1;
	bool a_done, b_done, ended;
	struct workers *ws;

	set_sid(hw, b, TEST_SID + 2);
	KUNIT_ASSERT_EQ(test, alloc_nested(test, a, pa, &translate_ctx, &a1), 0);
	KUNIT_ASSERT_EQ(test, alloc_nested(test, a, pa, &translate_ctx, &a2), 0);
	KUNIT_ASSERT_EQ(test, alloc_nested(test, b, pb, &translate_ctx, &b1), 0);
	KUNIT_ASSERT_EQ(test, attach(test, a, a1), 0);
	will_attach(test, a, a2);
	will_attach(test, b, b1);

	ws = alloc_workers(test);
	start_stuck_invalidation(test, hw, a1, &ws->inv, &ws->busy);
	/* EXPECT, not ASSERT, from here on: the workers use this test's data */
	ws->r1 = (struct replace_args){ .to = a2, .from = a1,
					.master = &a->master };
	start_worker(test, &ws->mover, replace_nested, &ws->r1, NULL);
	ws->r2 = (struct replace_args){ .to = b1, .master = &b->master };
	start_worker(test, &ws->other, replace_nested, &ws->r2, NULL);

	a_done = wait_for_completion_timeout(&ws->mover.done, 5 * HZ);
	b_done = wait_for_completion_timeout(&ws->other.done, 5 * HZ);
	KUNIT_EXPECT_TRUE_MSG(test, a_done,
			      "replace waited for an invalidation of the old domain");
	KUNIT_EXPECT_TRUE_MSG(test, b_done,
			      "another VM's attach waited for an invalidation");

	complete_all(&hw->release);
	ended = worker_ended(test, &ws->busy, "the invalidation");
	ended &= worker_ended(test, &ws->mover, "the replace");
	ended &= worker_ended(test, &ws->other, "the other attach");
	hw->block_task = NULL;
	if (!ended)
		return;	/* @ws stays theirs; a stuck worker is a failure already */
	KUNIT_EXPECT_EQ(test, ws->busy.ret, 0);
	KUNIT_EXPECT_EQ(test, ws->mover.ret, 0);
	KUNIT_EXPECT_EQ(test, ws->other.ret, 0);
	kfree(ws);
}

/* An iommu_event_sink that counts and keeps the last event */
struct fake_sink {
	struct iommu_event_sink sink;
	unsigned int n;
	struct iommu_device_event last;
};

static void fake_sink_report(struct iommu_event_sink *sink,
			     const struct iommu_device_event *event)
{
	struct fake_sink *fs = container_of(sink, struct fake_sink, sink);

	fs->n++;
	fs->last = *event;
}

static void set_sink(struct fake_dev *fd, struct fake_sink *fs)
{
	if (fs)
		fs->sink.report = fake_sink_report;
	fd->dev_iommu.event_sink = fs ? &fs->sink : NULL;
}

/* An event record, built with the reference table's positions */
static void make_event(u64 *evt, unsigned int id, u32 sid, bool s2)
{
	memset(evt, 0, 4 * sizeof(*evt));
	arch_field_set(evt, ARCH_EVT_ID, id);
	arch_field_set(evt, ARCH_EVT_SID, sid);
	arch_field_set(evt, ARCH_EVT_S2, s2);
	arch_field_set(evt, ARCH_EVT_INPUTADDR, 0x1234000);
	/* Word 3: an IPA, or a physical fetch address */
	evt[3] = 0xabcd000;
}

#define EVT_F_TRANSLATION	ARCH_EVT_F_TRANSLATION
#define EVT_F_WALK_EABT		ARCH_EVT_F_WALK_EABT

/*
 * Issue 18, defect 4: external aborts on the SMMU's fetches are logged by
 * the host (and go to the VMM too); a stage-1 fault's IPA word, UNKNOWN
 * in the architecture, and the physical fetch addresses reach nobody.
 */
static void events_the_host_keeps(struct kunit *test)
{
	struct fake_hw *hw = make_hw(test, HW_FWB);
	struct fake_dev *fd = make_dev(test, hw, 0);
	struct arm_smmu_domain *parent = make_parent(test, fd);
	struct arm_smmu_nested_domain *nested;
	struct fake_sink sink = {};
	u64 evt[4];

	set_sid(hw, fd, TEST_SID);
	KUNIT_ASSERT_EQ(test, alloc_nested(test, fd, parent, &translate_ctx,
					   &nested), 0);
	KUNIT_ASSERT_EQ(test, attach(test, fd, nested), 0);
	set_sink(fd, &sink);

	make_event(evt, EVT_F_WALK_EABT, TEST_SID, true);
	KUNIT_EXPECT_FALSE_MSG(test,
			       arm_smmu_nested_report_event(&hw->smmu, evt),
			       "a stage-2 walk abort was kept from the host");
	KUNIT_EXPECT_EQ(test, sink.n, 1);

	make_event(evt, EVT_F_WALK_EABT, TEST_SID, false);
	KUNIT_EXPECT_FALSE(test, arm_smmu_nested_report_event(&hw->smmu, evt));
	KUNIT_EXPECT_EQ(test, sink.n, 2);
	KUNIT_EXPECT_EQ(test, sink.last.raw[3], 0);

	/* A CD fetch abort: word 0 only, and the host logs it */
	make_event(evt, ARCH_EVT_F_CD_FETCH, TEST_SID, false);
	evt[2] = 0xabcd000;
	KUNIT_EXPECT_FALSE(test, arm_smmu_nested_report_event(&hw->smmu, evt));
	KUNIT_EXPECT_EQ(test, sink.n, 3);
	KUNIT_EXPECT_EQ(test, sink.last.raw[1] | sink.last.raw[2] |
			sink.last.raw[3], 0);

	/* A bad CD: word 0 only, the guest's to handle */
	make_event(evt, ARCH_EVT_C_BAD_CD, TEST_SID, false);
	evt[1] = ~0ULL;
	arch_field_set(evt, ARCH_EVT_STALL, 0);	/* stalls are the host's */
	KUNIT_EXPECT_TRUE(test, arm_smmu_nested_report_event(&hw->smmu, evt));
	KUNIT_EXPECT_EQ(test, sink.n, 4);
	KUNIT_EXPECT_EQ(test, sink.last.raw[1] | sink.last.raw[2] |
			sink.last.raw[3], 0);

	make_event(evt, EVT_F_TRANSLATION, TEST_SID, false);
	KUNIT_EXPECT_TRUE(test, arm_smmu_nested_report_event(&hw->smmu, evt));
	KUNIT_EXPECT_EQ(test, sink.n, 5);
	KUNIT_EXPECT_EQ(test, sink.last.raw[3], 0);
	KUNIT_EXPECT_EQ(test, sink.last.raw[2], 0x1234000);

	make_event(evt, EVT_F_TRANSLATION, TEST_SID, true);
	KUNIT_EXPECT_TRUE(test, arm_smmu_nested_report_event(&hw->smmu, evt));
	KUNIT_EXPECT_EQ(test, sink.last.raw[3], 0xabcd000);
	set_sink(fd, NULL);
}

/*
 * The SMMU writes an event to its queue: PROD moves on by one, over the
 * index and wrap bits of an eight-entry queue, its overflow flag kept
 */
static void smmu_records(struct fake_hw *hw)
{
	hw->evtq_prod = (hw->evtq_prod & Q_OVERFLOW_FLAG) |
			((hw->evtq_prod + 1) & GENMASK(3, 0));
}

/* The event thread takes the oldest event off the queue and routes it */
static bool thread_routes(struct fake_hw *hw, u64 *evt)
{
	hw->smmu.evtq.q.llq.cons++;
	return arm_smmu_nested_report_event(&hw->smmu, evt);
}

/*
 * Issue 18, defect 5: a fault VM A's guest caused, still in the event
 * queue as the device leaves A, must not reach the queue that the
 * device's next owner B opens; B's own faults must.
 */
static void stale_events_stay_with_their_vm(struct kunit *test)
{
	struct fake_hw *hw = make_hw(test, HW_FWB);
	struct fake_dev *fd = make_dev(test, hw, 0);
	struct arm_smmu_domain *pa = make_parent(test, fd);
	struct arm_smmu_domain *pb = make_parent(test, fd);
	struct fake_sink sink_a = {}, sink_b = {};
	struct arm_smmu_nested_domain *a, *b;
	u64 evt[4];

	set_sid(hw, fd, TEST_SID);
	/*
	 * Two events short of 2^32 taken off the queue, at the position that
	 * makes (14 of 16), an overflow flagged once: the marks must cut the
	 * 64-bit count to queue positions right, across 2^32 too
	 */
	hw->smmu.evtq.nested_seq = 0xfffffffeULL;
	hw->evtq_prod = Q_OVERFLOW_FLAG | 14;
	KUNIT_ASSERT_EQ(test, alloc_nested(test, fd, pa, &translate_ctx, &a), 0);
	KUNIT_ASSERT_EQ(test, alloc_nested(test, fd, pb, &translate_ctx, &b), 0);
	KUNIT_ASSERT_EQ(test, attach(test, fd, a), 0);
	set_sink(fd, &sink_a);
	make_event(evt, EVT_F_TRANSLATION, TEST_SID, false);

	/* A's fault is queued; the event thread has not got to it yet */
	smmu_records(hw);
	/* The device leaves A (as a detach's prepare and commit do), B takes it */
	mutex_lock(&arm_smmu_asid_lock);
	arm_smmu_nested_leaving(&a->domain, &fd->master);
	arm_smmu_nested_remove_master(&a->domain, &fd->master);
	mutex_unlock(&arm_smmu_asid_lock);
	set_sink(fd, &sink_b);
	KUNIT_ASSERT_EQ(test, attach(test, fd, b), 0);

	KUNIT_EXPECT_FALSE_MSG(test, thread_routes(hw, evt),
			       "A's queued fault was routed after A left");
	KUNIT_EXPECT_EQ_MSG(test, sink_b.n, 0, "A's fault reached B's queue");
	KUNIT_EXPECT_EQ(test, sink_a.n, 0);

	/* B's own faults, recorded after B took the device, are B's */
	smmu_records(hw);
	smmu_records(hw);
	KUNIT_EXPECT_TRUE(test, thread_routes(hw, evt));
	KUNIT_EXPECT_TRUE(test, thread_routes(hw, evt));
	KUNIT_EXPECT_EQ(test, sink_b.n, 2);
	/* Three events taken off the queue: A's and B's two */
	KUNIT_EXPECT_EQ(test, hw->smmu.evtq.nested_seq, 0xfffffffeULL + 3);
	set_sink(fd, NULL);
}

/* Issue 18, item 7: no SSV on an SMMU without SubstreamIDs */
static void atc_no_ssv_without_ssids(struct kunit *test)
{
	struct iommu_hwpt_invalidate_generic inv = {
		.cache = IOMMU_INV_CACHE_DEV_IOTLB,
		.granularity = IOMMU_INV_GRANU_PASID,
		.flags = IOMMU_INV_FLAG_PASID,
		.pasid = 0,
	};
	struct fake_hw *hw = make_hw(test, HW_ATS | HW_FWB);
	struct arm_smmu_nested_domain *nested;
	struct iommu_user_data_array array;

	/* SSIDSIZE 0, and a PCI device that has PASIDs enabled all the same */
	hw->smmu.ssid_bits = 0;
	nested = ats_setup(test, hw, DEV_PASID);
	list_first_entry(&nested->masters, struct arm_smmu_nested_master,
			 node)->master->ssid_bits = 0;
	array = to_user_array(test, &inv, 1);
	KUNIT_EXPECT_EQ(test, arm_smmu_nested_cache_invalidate(&nested->domain,
							       &array), 0);
	KUNIT_ASSERT_EQ(test, count_op(hw, ARCH_OP_ATC_INV), 1);
	KUNIT_EXPECT_EQ(test, CMD_SSV(&hw->log[0]), 0);
	KUNIT_EXPECT_EQ(test, CMD_ATC_SIZE(&hw->log[0]), ATC_SIZE_ALL);
}

/* Issue 18, item 7: a TLBI after a CFGI_CD waits for the CFGI's sync */
static void context_then_iotlb_has_a_sync_between(struct kunit *test)
{
	static const u32 caches[] = {
		IOMMU_INV_CACHE_CONTEXT | IOMMU_INV_CACHE_IOTLB,
		IOMMU_INV_CACHE_CONTEXT,
	};
	struct fake_hw *hw = make_hw(test, HW_FWB | HW_RIL);
	struct fake_dev *fd = make_dev(test, hw, 0);
	struct arm_smmu_domain *parent = make_parent(test, fd);
	struct iommu_hwpt_invalidate_generic inv[3] = {};
	struct arm_smmu_nested_domain *nested;
	struct iommu_user_data_array array;
	unsigned int i, tlbi = 0;
	bool cfgi_unsynced = false;

	KUNIT_ASSERT_EQ(test, alloc_nested(test, fd, parent, &translate_ctx,
					   &nested), 0);
	KUNIT_ASSERT_EQ(test, attach(test, fd, nested), 0);
	/* Both in one entry; then a CONTEXT entry followed by an IOTLB one */
	for (i = 0; i < 3; i++) {
		inv[i].cache = i < 2 ? caches[i] : IOMMU_INV_CACHE_IOTLB;
		inv[i].granularity = IOMMU_INV_GRANU_PASID;
		inv[i].flags = IOMMU_INV_FLAG_PASID;
		inv[i].pasid = 1;
	}
	array = to_user_array(test, inv, 3);
	log_reset(hw);
	KUNIT_EXPECT_EQ(test, arm_smmu_nested_cache_invalidate(&nested->domain,
							       &array), 0);
	KUNIT_EXPECT_EQ(test, array.entry_num, 3);
	for (i = 0; i < hw->n; i++) {
		unsigned int op = CMD_OP(&hw->log[i]);

		if (op == ARCH_OP_CFGI_CD) {
			cfgi_unsynced = true;
		} else if (op == ARCH_OP_SYNC) {
			cfgi_unsynced = false;
		} else if (op == ARCH_OP_TLBI_NH_ALL) {
			tlbi++;
			KUNIT_EXPECT_FALSE_MSG(test, cfgi_unsynced,
					       "TLBI %u with a CFGI_CD unsynced",
					       i);
		}
	}
	KUNIT_EXPECT_EQ(test, tlbi, 2);
	KUNIT_EXPECT_EQ(test, CMD_OP(&hw->log[hw->n - 1]), ARCH_OP_SYNC);
}

/* Issue 18, item 7: with FORCE_SYNC, at most 63 commands before a sync */
static void force_sync_batches_hold_63(struct kunit *test)
{
	struct fake_hw *hw = make_hw(test, HW_ATS | HW_FWB);
	unsigned int n = 3 * CMDQ_BATCH_ENTRIES + 5, i, run = 0, most = 0;
	struct arm_smmu_nested_domain *nested;
	struct iommu_user_data_array array;

	hw->smmu.options |= ARM_SMMU_OPT_CMDQ_FORCE_SYNC;
	/* TLBIs and, behind them, ATC_INVs: both kinds of batch */
	nested = ats_setup(test, hw, 0);
	array = to_user_array(test, page_entries(test, n), n);
	log_reset(hw);
	KUNIT_EXPECT_EQ(test, arm_smmu_nested_cache_invalidate(&nested->domain,
							       &array), 0);
	KUNIT_EXPECT_EQ(test, array.entry_num, n);
	for (i = 0; i < hw->n; i++) {
		if (CMD_OP(&hw->log[i]) == ARCH_OP_SYNC) {
			most = max(most, run);
			run = 0;
		} else {
			run++;
		}
	}
	KUNIT_EXPECT_EQ(test, run, 0);
	KUNIT_EXPECT_EQ(test, most, CMDQ_BATCH_ENTRIES - 1);
	KUNIT_EXPECT_EQ(test, count_op(hw, ARCH_OP_TLBI_NH_VA), n);
	KUNIT_EXPECT_EQ(test, count_op(hw, ARCH_OP_ATC_INV), n);
	KUNIT_EXPECT_EQ(test, atc_before_sync(hw), -1);
}

static const struct iommu_ops page_response_ops = {
	.page_response = arm_smmu_page_response,
	/* As the driver says with nesting: a PASID's stall goes to the RID */
	.user_pasid_table = 1,
};

static void drop_group(void *arg)
{
	struct fake_dev *fd = arg;
	struct iommu_group *group = fd->pdev.dev.iommu_group;

	fd->pdev.dev.iommu_group = NULL;
	iommu_group_put(group);
}

/*
 * What the IOMMU core needs to answer @fd's stalls on its real path: a
 * group (with no fault handler attached) and an iommu_device whose
 * page_response is the driver's
 */
static void give_core(struct kunit *test, struct fake_hw *hw,
		      struct fake_dev *fd)
{
	struct iommu_group *group = iommu_group_alloc();

	KUNIT_ASSERT_FALSE(test, IS_ERR(group));
	hw->smmu.iommu.ops = &page_response_ops;
	fd->dev_iommu.iommu_dev = &hw->smmu.iommu;
	fd->pdev.dev.iommu_group = group;
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, drop_group,
							   fd));
}

/* A stall record, built with the reference table's positions */
static void make_stall(u64 *evt, u32 sid, u16 stag, bool s2)
{
	make_event(evt, ARCH_EVT_F_TRANSLATION, sid, s2);
	arch_field_set(evt, ARCH_EVT_STALL, 1);
	arch_field_set(evt, ARCH_EVT_STAG, stag);
}

/* The host aborts stall @evt at once: one CMD_RESUME, abort, @sid, @stag */
static void expect_host_abort(struct kunit *test, struct fake_hw *hw,
			      u64 *evt, u32 sid, u16 stag)
{
	log_reset(hw);
	KUNIT_EXPECT_TRUE(test, thread_routes(hw, evt));
	KUNIT_ASSERT_EQ(test, hw->n, 1);
	KUNIT_EXPECT_EQ(test, CMD_OP(&hw->log[0]), ARCH_OP_RESUME);
	KUNIT_EXPECT_EQ(test, CMD_SID(&hw->log[0]), sid);
	KUNIT_EXPECT_EQ(test, CMD_STAG(&hw->log[0]), stag);
	KUNIT_EXPECT_EQ(test, CMD_RESUME_AC(&hw->log[0]), 0);
	KUNIT_EXPECT_EQ(test, CMD_RESUME_AB(&hw->log[0]), 1);
}

/*
 * The event thread's stalls that no VMM may answer: of a device on no
 * nested domain (unless the kernel's SVA serves it); and of a nested
 * device, a stage-2 fault (it stalls where stalls are forced),
 * every stall while nesting is unusable, every stall of a device without
 * a fault queue, and one recorded before the device went behind its
 * domain; each aborted there and then, for the record's
 * StreamID and tag. A record with the Stall bit of an event that cannot
 * stall is not a stall. None of them reaches
 * the device's event sink. (A stall that goes to a fault queue:
 * stall_reaches_fault_handler_and_resumes.)
 */
static void stalls_the_vmm_cannot_answer(struct kunit *test)
{
	struct fake_hw *hw = make_hw(test, HW_STALL_FORCE | HW_FWB);
	struct fake_dev *fd = make_dev(test, hw, 0);
	struct arm_smmu_domain *parent = make_parent(test, fd);
	struct arm_smmu_nested_domain *nested;
	struct fake_sink sink = {};
	u64 evt[4];

	set_sid(hw, fd, TEST_SID);
	give_core(test, hw, fd);
	make_stall(evt, TEST_SID, 0x42, true);
	/* On no nested domain: the host aborts it, on its StreamID */
	expect_host_abort(test, hw, evt, TEST_SID, 0x42);
	/* The kernel's SVA takes its own */
	fd->master.sva_enabled = true;
	log_reset(hw);
	KUNIT_EXPECT_FALSE(test, thread_routes(hw, evt));
	KUNIT_EXPECT_EQ(test, hw->n, 0);
	fd->master.sva_enabled = false;

	KUNIT_ASSERT_EQ(test, alloc_nested(test, fd, parent, &translate_ctx,
					   &nested), 0);
	KUNIT_ASSERT_EQ(test, attach(test, fd, nested), 0);
	set_sink(fd, &sink);
	/* As a domain with a fault queue leaves it */
	fd->master.nested_stalls = true;
	expect_host_abort(test, hw, evt, TEST_SID, 0x42);

	/* Stage 1, recorded before the device went behind its domain */
	fd->master.nested_events_from = hw->smmu.evtq.nested_seq + 100;
	make_stall(evt, TEST_SID, 0x45, false);
	expect_host_abort(test, hw, evt, TEST_SID, 0x45);
	fd->master.nested_events_from = 0;

	/* Stage 1, with nesting unusable */
	make_stall(evt, TEST_SID, 0x43, false);
	hw->smmu.features &= ~ARM_SMMU_FEAT_NESTING;
	expect_host_abort(test, hw, evt, TEST_SID, 0x43);
	hw->smmu.features |= ARM_SMMU_FEAT_NESTING;

	/* Stage 1, no fault queue */
	fd->master.nested_stalls = false;
	make_stall(evt, TEST_SID, 0x44, false);
	expect_host_abort(test, hw, evt, TEST_SID, 0x44);

	/* Only translation faults on an access stall */
	arch_field_set(evt, ARCH_EVT_ID, ARCH_EVT_C_BAD_CD);
	log_reset(hw);
	thread_routes(hw, evt);
	KUNIT_EXPECT_EQ(test, hw->n, 0);
	KUNIT_EXPECT_EQ(test, sink.n, 0);
	set_sink(fd, NULL);
}

/*
 * A stall goes to the IOMMU core on the real path (a group with no
 * fault handler attached, and an iommu_device whose page_response is the
 * driver's), which answers it through arm_smmu_page_response(): the tag
 * survives the round trip. A stall the host aborts itself (no fault
 * queue, older than the domain) is answered on the record's own
 * StreamID, even on a device's second StreamID, where the core would
 * answer on the first.
 */
static void stalls_answered_on_their_streamid(struct kunit *test)
{
	struct fake_hw *hw = make_hw(test, HW_STALLS | HW_FWB);
	struct fake_dev *fd = make_dev(test, hw, DEV_STALL);
	struct arm_smmu_domain *parent = make_parent(test, fd);
	struct arm_smmu_stream *second;
	struct arm_smmu_nested_domain *nested;
	u64 evt[4];

	set_sid(hw, fd, TEST_SID);
	second = kunit_kzalloc(test, sizeof(*second), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, second);
	second->id = TEST_SID + 1;
	second->master = &fd->master;
	rb_add(&second->node, &hw->smmu.streams, stream_less);
	give_core(test, hw, fd);

	KUNIT_ASSERT_EQ(test, alloc_nested(test, fd, parent, &translate_ctx,
					   &nested), 0);
	KUNIT_ASSERT_EQ(test, attach(test, fd, nested), 0);
	make_stall(evt, TEST_SID + 1, 0x66, false);
	expect_host_abort(test, hw, evt, TEST_SID + 1, 0x66);

	/* As on a domain with a fault queue: to the core, which aborts */
	fd->master.iopf_enabled = true;
	fd->master.nested_stalls = true;
	make_stall(evt, TEST_SID, 0x77, false);
	expect_host_abort(test, hw, evt, TEST_SID, 0x77);

	/* Recorded before the device went nested: the host's, on its SID */
	fd->master.nested_events_from = hw->smmu.evtq.nested_seq + 100;
	make_stall(evt, TEST_SID + 1, 0x78, false);
	expect_host_abort(test, hw, evt, TEST_SID + 1, 0x78);
	fd->master.nested_events_from = 0;
	fd->master.nested_stalls = false;
	fd->master.iopf_enabled = false;
	rb_erase(&second->node, &hw->smmu.streams);
}

/* What the fault handler of the test's nested domain was given */
static struct iopf_group *handled;

static int take_fault(struct iopf_group *group)
{
	handled = group;
	return 0;
}

struct fault_queue {
	struct fake_dev *fd;
	struct iopf_queue *queue;
	struct iommu_domain *parent;
};

static void drop_fault_queue(void *arg)
{
	struct fault_queue *fq = arg;

	/* The group's handle off the nested domain, as a detach would */
	iommu_replace_group_handle(fq->fd->pdev.dev.iommu_group, fq->parent,
				   NULL);
	iopf_queue_remove_device(fq->queue, &fq->fd->pdev.dev);
	iopf_queue_free(fq->queue);
}

/* One stall through the whole path, @ssid < 0 for none; the group it made */
static struct iopf_group *stall_to_handler(struct kunit *test,
					   struct fake_hw *hw, u16 stag,
					   int ssid)
{
	u64 evt[4];

	make_stall(evt, TEST_SID, stag, false);
	if (ssid >= 0) {
		arch_field_set(evt, ARCH_EVT_SSV, 1);
		arch_field_set(evt, ARCH_EVT_SSID, ssid);
	}
	arch_field_set(evt, ARCH_EVT_RNW, 0);
	handled = NULL;
	log_reset(hw);
	KUNIT_EXPECT_TRUE(test, thread_routes(hw, evt));
	KUNIT_EXPECT_EQ(test, hw->n, 0);	/* nothing answered yet */
	return handled;
}

/*
 * The whole path on the fake SMMU: a stall record, as the event thread
 * takes it, reaches the fault handler of the device's nested domain
 * through the IOMMU core (a real group, attach handle and IOPF queue),
 * with the address, the access, the stall tag as group ID and the
 * SubstreamID as PASID; the handler's answer comes back as one CMD_RESUME
 * for the device's StreamID and the tag, retry for SUCCESS and abort for
 * INVALID, decoded with the reference table. Once the device leaves the
 * domain, its stalls reach no handler.
 */
static void stall_reaches_fault_handler_and_resumes(struct kunit *test)
{
	struct fake_hw *hw = make_hw(test, HW_STALLS | HW_FWB);
	struct fake_dev *fd = make_dev(test, hw, DEV_STALL);
	struct arm_smmu_domain *parent = make_parent(test, fd);
	struct iommu_attach_handle *handle;
	struct arm_smmu_nested_domain *nested;
	struct fault_queue *fq;
	struct iopf_group *group;
	struct iommu_fault *f;
	u64 evt[4];

	set_sid(hw, fd, TEST_SID);
	give_core(test, hw, fd);
	mutex_init(&fd->dev_iommu.lock);
	fq = kunit_kzalloc(test, sizeof(*fq), GFP_KERNEL);
	handle = kunit_kzalloc(test, sizeof(*handle), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fq);
	KUNIT_ASSERT_NOT_NULL(test, handle);
	fq->fd = fd;
	fq->parent = &parent->domain;
	fq->queue = iopf_queue_alloc("kunit-stalls");
	KUNIT_ASSERT_NOT_NULL(test, fq->queue);
	/* What enabling I/O page faults does (patches/0021) */
	KUNIT_ASSERT_EQ(test, iopf_queue_add_device(fq->queue,
						    &fd->pdev.dev), 0);
	fd->master.iopf_enabled = true;

	KUNIT_ASSERT_EQ(test, alloc_nested(test, fd, parent, &translate_ctx,
					   &nested), 0);
	nested->domain.iopf_handler = take_fault;
	KUNIT_ASSERT_EQ(test, attach(test, fd, nested), 0);
	/* What iommufd's attach leaves in the group */
	KUNIT_ASSERT_EQ(test, iommu_replace_group_handle(fd->pdev.dev.iommu_group,
							 &nested->domain,
							 handle), 0);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test,
							   drop_fault_queue,
							   fq));

	group = stall_to_handler(test, hw, 0x1234, -1);
	KUNIT_ASSERT_NOT_NULL(test, group);
	f = &group->last_fault.fault;
	KUNIT_EXPECT_EQ(test, f->type, IOMMU_FAULT_PAGE_REQ);
	KUNIT_EXPECT_EQ(test, f->prm.flags, IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE);
	KUNIT_EXPECT_EQ(test, f->prm.grpid, 0x1234);
	KUNIT_EXPECT_EQ(test, f->prm.perm, IOMMU_FAULT_PERM_WRITE);
	KUNIT_EXPECT_EQ(test, f->prm.addr, 0x1234000);
	KUNIT_EXPECT_PTR_EQ(test, group->attach_handle, handle);
	iopf_group_response(group, IOMMU_PAGE_RESP_SUCCESS);
	iopf_free_group(group);
	KUNIT_ASSERT_EQ(test, hw->n, 1);
	KUNIT_EXPECT_EQ(test, CMD_OP(&hw->log[0]), ARCH_OP_RESUME);
	KUNIT_EXPECT_EQ(test, CMD_SID(&hw->log[0]), TEST_SID);
	KUNIT_EXPECT_EQ(test, CMD_STAG(&hw->log[0]), 0x1234);
	KUNIT_EXPECT_EQ(test, CMD_RESUME_AC(&hw->log[0]), 1);
	KUNIT_EXPECT_EQ(test, CMD_RESUME_AB(&hw->log[0]), 0);

	group = stall_to_handler(test, hw, 0xbeef, 5);
	KUNIT_ASSERT_NOT_NULL(test, group);
	f = &group->last_fault.fault;
	KUNIT_EXPECT_EQ(test, f->prm.flags,
			IOMMU_FAULT_PAGE_REQUEST_LAST_PAGE |
			IOMMU_FAULT_PAGE_REQUEST_PASID_VALID);
	KUNIT_EXPECT_EQ(test, f->prm.pasid, 5);
	KUNIT_EXPECT_EQ(test, f->prm.grpid, 0xbeef);
	iopf_group_response(group, IOMMU_PAGE_RESP_INVALID);
	iopf_free_group(group);
	KUNIT_ASSERT_EQ(test, hw->n, 1);
	KUNIT_EXPECT_EQ(test, CMD_STAG(&hw->log[0]), 0xbeef);
	KUNIT_EXPECT_EQ(test, CMD_RESUME_AC(&hw->log[0]), 0);
	KUNIT_EXPECT_EQ(test, CMD_RESUME_AB(&hw->log[0]), 1);

	/* Left: the host aborts, the handler sees nothing */
	mutex_lock(&arm_smmu_asid_lock);	/* as attach_prepare holds it */
	arm_smmu_nested_leaving(&nested->domain, &fd->master);
	mutex_unlock(&arm_smmu_asid_lock);
	make_stall(evt, TEST_SID, 0x99, false);
	handled = NULL;
	log_reset(hw);
	KUNIT_EXPECT_TRUE(test, thread_routes(hw, evt));
	KUNIT_EXPECT_NULL(test, handled);
	KUNIT_ASSERT_EQ(test, hw->n, 1);
	KUNIT_EXPECT_EQ(test, CMD_STAG(&hw->log[0]), 0x99);
	KUNIT_EXPECT_EQ(test, CMD_RESUME_AB(&hw->log[0]), 1);
	fd->master.iopf_enabled = false;
}

static struct kunit_case arm_smmu_v3_nested_hw_cases[] = {
	KUNIT_CASE(s2_unmap_invalidates_whole_atc),
	KUNIT_CASE(nest_parent_needs_coherency),
	KUNIT_CASE(nest_parent_uses_s2fwb),
	KUNIT_CASE(stalls_only_where_allowed),
	KUNIT_CASE(atc_inv_waits_for_tlbi_sync),
	KUNIT_CASE(queue_errors_reach_the_caller),
	KUNIT_CASE(atc_ssv_only_with_pasid),
	KUNIT_CASE(listed_before_ste_is_live),
	KUNIT_CASE(wrong_type_is_einval),
	KUNIT_CASE(ranges_in_other_granules),
	KUNIT_CASE(invalidation_grows_with_the_devices),
	KUNIT_CASE(ats_device_is_invalidated_once_ats_is_on),
	KUNIT_CASE(invalidation_does_not_block_attach),
	KUNIT_CASE(events_the_host_keeps),
	KUNIT_CASE(stale_events_stay_with_their_vm),
	KUNIT_CASE(atc_no_ssv_without_ssids),
	KUNIT_CASE(context_then_iotlb_has_a_sync_between),
	KUNIT_CASE(force_sync_batches_hold_63),
	KUNIT_CASE(attach_checks_the_device),
	KUNIT_CASE(fault_queue_needs_stage1_and_iopf),
	KUNIT_CASE(page_response_resumes),
	KUNIT_CASE(stalls_the_vmm_cannot_answer),
	KUNIT_CASE(stalls_answered_on_their_streamid),
	KUNIT_CASE(stall_reaches_fault_handler_and_resumes),
	KUNIT_CASE(ids_run_out_cleanly),
	{},
};

static int nested_hw_suite_init(struct kunit_suite *suite)
{
	boot_opt_in = arm_smmu_nesting_noncoherent;
	return 0;
}

/* Every case starts with the boot's opt-in: none leaked into it */
static int nested_hw_case_init(struct kunit *test)
{
	KUNIT_ASSERT_EQ_MSG(test, arm_smmu_nesting_noncoherent, boot_opt_in,
			    "an earlier case left nesting_noncoherent changed");
	return 0;
}

static struct kunit_suite arm_smmu_v3_nested_hw_suite = {
	.name = "arm-smmu-v3-nested-hw",
	.suite_init = nested_hw_suite_init,
	.init = nested_hw_case_init,
	.test_cases = arm_smmu_v3_nested_hw_cases,
};

kunit_test_suites(&arm_smmu_v3_nested_hw_suite);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_IMPORT_NS(IOMMUFD_INTERNAL);
MODULE_DESCRIPTION("KUnit tests of arm-smmu-v3 nesting on a fake SMMU");
MODULE_LICENSE("GPL");
