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
#include <linux/io-pgtable.h>
#include <linux/mman.h>
#include <linux/pci.h>
#include <linux/uaccess.h>

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
	struct rec_cmd log[REC_MAX];
	unsigned int n;
	unsigned int syncs;
	unsigned int fail_sync;		/* 1-based; 0: every sync succeeds */
	/* Seen by the recorder when the test device's STE is first synced */
	struct arm_smmu_nested_domain *watch;
	struct arm_smmu_master *watch_master;
	int listed_at_first_cfgi;	/* -1: no CFGI_STE yet */
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
	int i;

	for (i = 0; i < n && hw->n < REC_MAX; i++) {
		struct rec_cmd *c = &hw->log[hw->n++];

		c->w0 = cmds[i * CMDQ_ENT_DWORDS];
		c->w1 = cmds[i * CMDQ_ENT_DWORDS + 1];
		if (arch_bits(c->w0, 7, 0) == ARCH_OP_CFGI_STE && hw->watch &&
		    hw->listed_at_first_cfgi < 0)
			hw->listed_at_first_cfgi =
				nested_lists(hw->watch, hw->watch_master);
	}
	if (!sync)
		return 0;
	if (hw->n < REC_MAX)
		hw->log[hw->n++] = (struct rec_cmd){ .w0 = ARCH_OP_SYNC };
	if (++hw->syncs == hw->fail_sync)
		return -ETIMEDOUT;
	return 0;
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
	return fd;
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

static int attach(struct kunit *test, struct fake_dev *fd,
		  struct arm_smmu_nested_domain *nested)
{
	struct attachment *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, a);
	a->fd = fd;
	a->nested = nested;
	ret = arm_smmu_nested_attach(nested, &fd->master, NULL);
	if (!ret)
		KUNIT_ASSERT_EQ(test, 0,
				kunit_add_action_or_reset(test, leave, a));
	return ret;
}

/* A field of the test device's STE in the fake stream table */
static u64 ste_bits(struct fake_hw *hw, unsigned int word, unsigned int hi,
		    unsigned int lo)
{
	struct arm_smmu_ste *ste = &hw->smmu.strtab_cfg.linear.table[TEST_SID];

	return arch_bits(le64_to_cpu(ste->data[word]), hi, lo);
}

#define STE_V(hw)		ste_bits(hw, 0, 0, 0)
#define STE_CONFIG(hw)		ste_bits(hw, 0, 3, 1)
#define STE_S1STALLD(hw)	ste_bits(hw, 1, 27, 27)
#define STE_EATS(hw)		ste_bits(hw, 1, 29, 28)
#define STE_S2VMID(hw)		ste_bits(hw, 2, 15, 0)
#define STE_S2FWB(hw)		ste_bits(hw, 2, 25, 25)
#define CONFIG_S1_S2		7

#define CMD_OP(c)		arch_bits((c)->w0, 7, 0)
#define CMD_SSV(c)		arch_bits((c)->w0, 11, 11)
#define CMD_SSID(c)		arch_bits((c)->w0, 31, 12)
#define CMD_SID(c)		arch_bits((c)->w0, 63, 32)
#define CMD_VMID(c)		arch_bits((c)->w0, 47, 32)
#define CMD_ASID(c)		arch_bits((c)->w0, 63, 48)
#define CMD_NUM(c)		arch_bits((c)->w0, 16, 12)
#define CMD_SCALE(c)		arch_bits((c)->w0, 24, 20)
#define CMD_LEAF(c)		arch_bits((c)->w1, 0, 0)
#define CMD_TG(c)		arch_bits((c)->w1, 11, 10)
#define CMD_TLBI_ADDR(c)	((c)->w1 & ~0xfffULL)
#define CMD_ATC_SIZE(c)		arch_bits((c)->w1, 5, 0)
#define CMD_ATC_ADDR(c)		((c)->w1 & ~0xfffULL)
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

	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_EQ(test, iommu_map(&parent->domain, ipa,
					page_to_phys(page), PAGE_SIZE,
					IOMMU_READ | IOMMU_WRITE | IOMMU_CACHE,
					GFP_KERNEL), 0);
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

/* Defect 2: no nest parent without S2FWB or CANWBS, unless opted in */
static void nest_parent_needs_coherency(struct kunit *test)
{
	bool opt_in = arm_smmu_nesting_noncoherent;
	struct fake_hw *hw = make_hw(test, 0);
	struct fake_dev *plain = make_dev(test, hw, 0);
	struct fake_dev *canwbs = make_dev(test, hw, DEV_CANWBS);
	struct arm_smmu_nested_domain *nested;
	struct arm_smmu_domain *parent;
	struct iommu_domain *d;

	arm_smmu_nesting_noncoherent = false;
	d = arm_smmu_domain_alloc_user(&plain->pdev.dev,
				       IOMMU_HWPT_ALLOC_NEST_PARENT, NULL, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(d), -EOPNOTSUPP);
	if (!IS_ERR(d))
		free_domain(d);
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
	KUNIT_EXPECT_EQ(test, STE_S2FWB(hw), 0);

	/* The test-machine opt-in */
	arm_smmu_nesting_noncoherent = true;
	d = arm_smmu_domain_alloc_user(&plain->pdev.dev,
				       IOMMU_HWPT_ALLOC_NEST_PARENT, NULL, NULL);
	KUNIT_EXPECT_FALSE(test, IS_ERR(d));
	if (!IS_ERR(d))
		free_domain(d);
	arm_smmu_nesting_noncoherent = opt_in;
}

/* Defect 2: with FWB the parent's table and STE force write-back */
static void nest_parent_uses_s2fwb(struct kunit *test)
{
	bool opt_in = arm_smmu_nesting_noncoherent;
	struct fake_hw *hw = make_hw(test, HW_FWB);
	struct fake_dev *fd = make_dev(test, hw, 0);
	struct arm_smmu_nested_domain *nested;
	struct arm_smmu_domain *parent;
	__le64 used[STRTAB_STE_DWORDS] = {};

	arm_smmu_nesting_noncoherent = false;
	parent = make_parent(test, fd);
	arm_smmu_nesting_noncoherent = opt_in;
	KUNIT_EXPECT_TRUE(test, io_pgtable_ops_to_pgtable(parent->pgtbl_ops)
				->cfg.quirks & IO_PGTABLE_QUIRK_ARM_S2FWB);
	KUNIT_ASSERT_EQ(test, alloc_nested(test, fd, parent, &translate_ctx,
					   &nested), 0);
	KUNIT_ASSERT_EQ(test, attach(test, fd, nested), 0);
	KUNIT_EXPECT_EQ(test, STE_CONFIG(hw), CONFIG_S1_S2);
	KUNIT_EXPECT_EQ(test, STE_S2FWB(hw), 1);
	KUNIT_EXPECT_EQ(test, STE_S2VMID(hw), parent->s2_cfg.vmid);
	/* The entry writer must know the SMMU reads S2FWB */
	arm_smmu_get_ste_used(hw->smmu.strtab_cfg.linear.table[TEST_SID].data,
			      used);
	KUNIT_EXPECT_TRUE(test, arch_bits(le64_to_cpu(used[2]), 25, 25));
}

/* Defect 3: S1STALLD for each kind of device and SMMU */
static void stalls_only_where_allowed(struct kunit *test)
{
	static const struct {
		unsigned int hw, dev;
		u8 asked;
		u64 expect;
	} cases[] = {
		/* A device that cannot stall: forced on */
		{ HW_STALLS, 0, 0, 1 },
		{ HW_STALLS, 0, 1, 1 },
		/* One that can: the guest's choice */
		{ HW_STALLS, DEV_STALL, 0, 0 },
		{ HW_STALLS, DEV_STALL, 1, 1 },
		/* Stalls forced or absent: RES0 */
		{ HW_STALL_FORCE, 0, 0, 0 },
		{ 0, 0, 0, 0 },
	};
	bool opt_in = arm_smmu_nesting_noncoherent;
	unsigned int i;

	arm_smmu_nesting_noncoherent = true;
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
	}
	arm_smmu_nesting_noncoherent = opt_in;
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
	{},
};

static struct kunit_suite arm_smmu_v3_nested_hw_suite = {
	.name = "arm-smmu-v3-nested-hw",
	.test_cases = arm_smmu_v3_nested_hw_cases,
};

kunit_test_suites(&arm_smmu_v3_nested_hw_suite);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests of arm-smmu-v3 nesting on a fake SMMU");
MODULE_LICENSE("GPL");
