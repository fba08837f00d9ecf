// SPDX-License-Identifier: GPL-2.0
/*
 * Generic invalidation proven with real DMA (QEMU's edu through a nested
 * SMMUv3). The SMMU caches a stage-1 translation; the test, acting as the
 * VMM, changes the guest's PTE or CD and shows:
 *  - without an invalidation the device still goes to the OLD page (so
 *    these tests can fail);
 *  - after an invalidation of each granularity it goes to the NEW page;
 *  - invalidating ASID A leaves ASID B's stale entry (and a VMID-wide
 *    one does not), and one VM's (parent's) invalidation leaves another
 *    VM's;
 *  - a CD change takes effect with a context-cache invalidation only.
 */
#include "../kselftest_harness.h"
#include "iommufd_calls.h"
#include "smmuv3_guest.h"
#include "vfio_edu.h"

#define GUEST_IPA	0x40000000ULL
#define GUEST_SIZE	0x100000ULL
#define DATA_IPA	0x50000000ULL
#define DATA_PAGES	8
#define SRC_PAGE	2		/* the DMA source: its pattern travels */
#define VA_A		0x10000000ULL	/* the translation tests change */
#define VA_B		0x20000000ULL	/* -> SRC_PAGE */
#define PAGE		GUEST_PAGE

static uint64_t data_ipa(int page)
{
	return DATA_IPA + page * PAGE;
}

/* One guest address space: a CD and its stage-1 tables */
struct space {
	uint64_t cd, root;
};

FIXTURE(inv_dma)
{
	int fd;
	struct edu edu[2];
	uint32_t ioas, parent;
	struct smmuv3_guest g;
	uint8_t *data;
	struct space s0;
	uint32_t n0;		/* nested HWPT of edu[0] */
};

static void reset_pages(FIXTURE_DATA(inv_dma) *self)
{
	int i;

	for (i = 0; i < DATA_PAGES; i++)
		memset(self->data + i * PAGE, 0x10 + i, PAGE);
}

/* Where did a DMA of SRC_PAGE's pattern land? Page number, or -1. */
static int landed(FIXTURE_DATA(inv_dma) *self)
{
	int i, where = -1;

	for (i = 0; i < DATA_PAGES; i++)
		if (i != SRC_PAGE && self->data[i * PAGE] == 0x10 + SRC_PAGE)
			where = where == -1 ? i : -2;
	return where;
}

static int dma_to_va_a(FIXTURE_DATA(inv_dma) *self, int dev)
{
	reset_pages(self);
	if (edu_dma_from(&self->edu[dev], VA_B, PAGE) ||
	    edu_dma_to(&self->edu[dev], VA_A, PAGE))
		return -3;
	return landed(self);
}

static struct space new_space(struct __test_metadata *_metadata,
			      FIXTURE_DATA(inv_dma) *self, uint16_t asid,
			      int a_page)
{
	struct space s = {
		.cd = guest_alloc_page(&self->g),
		.root = guest_alloc_page(&self->g),
	};

	ASSERT_NE(0, s.root);
	guest_write_cd(&self->g, s.cd, asid, s.root);
	ASSERT_EQ(0, guest_map(&self->g, s.root, VA_A, data_ipa(a_page)));
	ASSERT_EQ(0, guest_map(&self->g, s.root, VA_B, data_ipa(SRC_PAGE)));
	return s;
}

static uint32_t nest(struct __test_metadata *_metadata,
		     FIXTURE_DATA(inv_dma) *self, uint32_t parent, int dev,
		     uint64_t cd)
{
	struct iommu_hwpt_arm_smmuv3_s1ctx ctx = {
		.mode = IOMMU_SMMUV3_S1CTX_TRANSLATE,
		.s1ctxptr = cd,
	};
	uint32_t id = 0;

	ASSERT_EQ(0, iofd_hwpt_alloc(self->fd, self->edu[dev].dev_id, parent,
				     0, IOMMU_HWPT_DATA_ARM_SMMUV3_S1CTX, &ctx,
				     sizeof(ctx), &id));
	ASSERT_EQ(0, edu_attach(&self->edu[dev], id));
	ASSERT_EQ(0, edu_enable(&self->edu[dev]));
	return id;
}

static uint32_t new_parent(struct __test_metadata *_metadata,
			   FIXTURE_DATA(inv_dma) *self)
{
	uint32_t id = 0;

	ASSERT_EQ(0, iofd_hwpt_alloc(self->fd, self->edu[0].dev_id,
				     self->ioas, IOMMU_HWPT_ALLOC_NEST_PARENT,
				     IOMMU_HWPT_DATA_NONE, NULL, 0, &id));
	return id;
}

FIXTURE_SETUP(inv_dma)
{
	char bdfs[EDU_MAX_DEVICES][16];
	int i, n = edu_list(bdfs, EDU_MAX_DEVICES);

	self->fd = -1;
	self->edu[0].fd = -1;
	self->edu[1].fd = -1;
	if (n < 2) {
		ASSERT_GT(2, edu_promised()) TH_LOG("the test bed lost an edu device");
		SKIP(return, "needs two edu devices");
	}
	self->fd = open("/dev/iommu", O_RDWR);
	ASSERT_LE(0, self->fd);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, edu_open(&self->edu[i], bdfs[i]));
		ASSERT_EQ(0, edu_bind(&self->edu[i], self->fd));
	}
	ASSERT_EQ(0, iofd_ioas_alloc(self->fd, &self->ioas));
	self->g.mem = mmap(NULL, GUEST_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	self->data = mmap(NULL, DATA_PAGES * PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->g.mem);
	ASSERT_NE(MAP_FAILED, self->data);
	self->g.ipa = GUEST_IPA;
	self->g.size = GUEST_SIZE;
	ASSERT_EQ(0, iofd_map(self->fd, self->ioas, self->g.mem, GUEST_SIZE,
			      GUEST_IPA));
	ASSERT_EQ(0, iofd_map(self->fd, self->ioas, self->data,
			      DATA_PAGES * PAGE, DATA_IPA));

	self->parent = new_parent(_metadata, self);
	self->s0 = new_space(_metadata, self, 1, 1);
	self->n0 = nest(_metadata, self, self->parent, 0, self->s0.cd);

	/* The SMMU now caches VA_A -> page 1; the guest moves it to page 3 */
	ASSERT_EQ(1, dma_to_va_a(self, 0));
	guest_remap(&self->g, self->s0.root, VA_A, data_ipa(3));
}

FIXTURE_TEARDOWN(inv_dma)
{
	edu_close(&self->edu[0]);
	edu_close(&self->edu[1]);
	if (self->fd >= 0)
		close(self->fd);
}

FIXTURE_VARIANT(inv_dma)
{
	struct iommu_hwpt_invalidate_generic inv;
	bool one_asid;		/* the entry is scoped to ASID 1 */
};

FIXTURE_VARIANT_ADD(inv_dma, domain)
{
	.inv = { .cache = IOMMU_INV_CACHE_IOTLB,
		 .granularity = IOMMU_INV_GRANU_DOMAIN },
};

FIXTURE_VARIANT_ADD(inv_dma, address_space)
{
	.inv = { .cache = IOMMU_INV_CACHE_IOTLB,
		 .granularity = IOMMU_INV_GRANU_ADDR_SPACE,
		 .flags = IOMMU_INV_FLAG_ARCHID, .archid = 1 },
	.one_asid = true,
};

FIXTURE_VARIANT_ADD(inv_dma, pasid)
{
	.inv = { .cache = IOMMU_INV_CACHE_IOTLB | IOMMU_INV_CACHE_DEV_IOTLB,
		 .granularity = IOMMU_INV_GRANU_PASID,
		 .flags = IOMMU_INV_FLAG_PASID, .pasid = 0 },
};

FIXTURE_VARIANT_ADD(inv_dma, range_in_asid)
{
	.inv = { .cache = IOMMU_INV_CACHE_IOTLB,
		 .granularity = IOMMU_INV_GRANU_ADDR,
		 .flags = IOMMU_INV_FLAG_ARCHID | IOMMU_INV_FLAG_LEAF,
		 .archid = 1, .addr = VA_A, .granule_size = PAGE,
		 .nb_granules = 1 },
	.one_asid = true,
};

FIXTURE_VARIANT_ADD(inv_dma, range_all_asids)
{
	.inv = { .cache = IOMMU_INV_CACHE_IOTLB,
		 .granularity = IOMMU_INV_GRANU_ADDR,
		 .addr = VA_A - 16 * PAGE, .granule_size = PAGE,
		 .nb_granules = 37 },
};

TEST_F(inv_dma, invalidation_takes_effect)
{
	struct iommu_hwpt_invalidate_generic inv = variant->inv;

	/* No invalidation yet: the OLD page (this is how the test can fail) */
	ASSERT_EQ(1, dma_to_va_a(self, 0));
	ASSERT_EQ(0, iofd_invalidate_one(self->fd, self->n0, &inv));
	ASSERT_EQ(3, dma_to_va_a(self, 0));
}

/*
 * ASID 2 of the same VM: an entry scoped to ASID 1 leaves its stale
 * translation, a VMID-wide one (domain, PASID without ASID, a range in
 * all ASIDs) refreshes it too.
 */
TEST_F(inv_dma, other_asid_of_the_same_vm)
{
	struct iommu_hwpt_invalidate_generic inv = variant->inv;
	struct space s1 = new_space(_metadata, self, 2, 4);

	nest(_metadata, self, self->parent, 1, s1.cd);
	ASSERT_EQ(4, dma_to_va_a(self, 1));
	guest_remap(&self->g, s1.root, VA_A, data_ipa(5));

	ASSERT_EQ(0, iofd_invalidate_one(self->fd, self->n0, &inv));
	ASSERT_EQ(3, dma_to_va_a(self, 0));
	ASSERT_EQ(variant->one_asid ? 4 : 5, dma_to_va_a(self, 1));
}

/* Another VM (parent, VMID), same ASID: our invalidation leaves it stale */
TEST_F(inv_dma, other_vm_keeps_its_entry)
{
	struct iommu_hwpt_invalidate_generic inv = variant->inv;
	struct space s1 = new_space(_metadata, self, 1, 4);
	uint32_t parent2 = new_parent(_metadata, self);

	nest(_metadata, self, parent2, 1, s1.cd);
	ASSERT_EQ(4, dma_to_va_a(self, 1));
	guest_remap(&self->g, s1.root, VA_A, data_ipa(5));

	ASSERT_EQ(0, iofd_invalidate_one(self->fd, self->n0, &inv));
	ASSERT_EQ(3, dma_to_va_a(self, 0));
	ASSERT_EQ(4, dma_to_va_a(self, 1));
}

/* A new CD (new root table) is used only after the context cache goes */
TEST_F(inv_dma, cd_change_needs_context_invalidation)
{
	struct iommu_hwpt_invalidate_generic iotlb = variant->inv;
	struct iommu_hwpt_invalidate_generic context = {
		.cache = IOMMU_INV_CACHE_CONTEXT,
		.granularity = IOMMU_INV_GRANU_PASID,
		.flags = IOMMU_INV_FLAG_PASID | IOMMU_INV_FLAG_LEAF,
		.pasid = 0,
	};
	uint64_t root2 = guest_alloc_page(&self->g);

	ASSERT_EQ(0, guest_map(&self->g, root2, VA_A, data_ipa(6)));
	ASSERT_EQ(0, guest_map(&self->g, root2, VA_B, data_ipa(SRC_PAGE)));
	guest_write_cd(&self->g, self->s0.cd, 1, root2);

	/* TLB flushed, but the SMMU still walks from the CD it cached */
	ASSERT_EQ(0, iofd_invalidate_one(self->fd, self->n0, &iotlb));
	ASSERT_EQ(3, dma_to_va_a(self, 0));

	ASSERT_EQ(0, iofd_invalidate_one(self->fd, self->n0, &context));
	ASSERT_EQ(0, iofd_invalidate_one(self->fd, self->n0, &iotlb));
	ASSERT_EQ(6, dma_to_va_a(self, 0));
}

TEST_HARNESS_MAIN
