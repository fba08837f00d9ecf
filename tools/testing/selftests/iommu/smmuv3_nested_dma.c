// SPDX-License-Identifier: GPL-2.0
/*
 * End-to-end nested translation on SMMUv3: the test acts as a VMM. It maps
 * "guest RAM" into an IOAS (stage 2, owned by the kernel), writes a guest
 * CD and stage-1 page tables into it, and makes QEMU's edu device DMA to
 * stage-1 VAs. Every data page holds its own pattern, so a DMA that goes
 * to the wrong page, or nowhere, cannot pass for a right one.
 */
#include "../kselftest_harness.h"
#include "iommufd_calls.h"
#include "smmuv3_guest.h"
#include "vfio_edu.h"

#define GUEST_IPA	0x40000000ULL	/* CDs and page tables */
#define GUEST_SIZE	0x100000ULL
#define DATA_IPA	0x50000000ULL	/* data pages, each mapped alone */
#define DATA_PAGES	8
#define VA_A		0x10000000ULL	/* -> data page 1 */
#define VA_B		0x20000000ULL	/* -> data page 2, the DMA source */
#define VA_UNMAPPED	0x30000000ULL
#define PAGE		GUEST_PAGE

static uint8_t pattern(int page)
{
	return 0x10 + page;
}

FIXTURE(nested_dma)
{
	int fd;
	struct edu edu;
	uint32_t ioas, parent, nested;
	struct smmuv3_guest g;
	uint8_t *data;
	uint64_t cd, root;
};

static uint32_t alloc_nested(struct __test_metadata *_metadata,
			     FIXTURE_DATA(nested_dma) *self, uint32_t mode,
			     uint64_t cd)
{
	struct iommu_hwpt_arm_smmuv3_s1ctx ctx = {
		.mode = mode,
		.s1ctxptr = cd,
	};
	uint32_t id = 0;

	ASSERT_EQ(0, iofd_hwpt_alloc(self->fd, self->edu.dev_id, self->parent,
				     0, IOMMU_HWPT_DATA_ARM_SMMUV3_S1CTX, &ctx,
				     sizeof(ctx), &id));
	return id;
}

FIXTURE_SETUP(nested_dma)
{
	int i, ret = edu_open_bound(&self->edu, &self->fd);

	if (ret == -ENODEV) {
		ASSERT_EQ(0, edu_promised()) TH_LOG("the test bed lost its edu device");
		SKIP(return, "no edu device");
	}
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, iofd_ioas_alloc(self->fd, &self->ioas));

	/* Stage 2: guest RAM and data pages at their IPAs */
	self->g.mem = mmap(NULL, GUEST_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->g.mem);
	self->g.ipa = GUEST_IPA;
	self->g.size = GUEST_SIZE;
	ASSERT_EQ(0, iofd_map(self->fd, self->ioas, self->g.mem, GUEST_SIZE,
			      GUEST_IPA));
	self->data = mmap(NULL, DATA_PAGES * PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->data);
	for (i = 0; i < DATA_PAGES; i++) {
		memset(self->data + i * PAGE, pattern(i), PAGE);
		ASSERT_EQ(0, iofd_map(self->fd, self->ioas,
				      self->data + i * PAGE, PAGE,
				      DATA_IPA + i * PAGE));
	}

	ret = iofd_hwpt_alloc(self->fd, self->edu.dev_id, self->ioas,
			      IOMMU_HWPT_ALLOC_NEST_PARENT,
			      IOMMU_HWPT_DATA_NONE, NULL, 0, &self->parent);
	ASSERT_EQ(0, ret);

	/* Stage 1: the guest's CD and page tables, ASID 1 */
	self->cd = guest_alloc_page(&self->g);
	self->root = guest_alloc_page(&self->g);
	guest_write_cd(&self->g, self->cd, 1, self->root);
	ASSERT_EQ(0, guest_map(&self->g, self->root, VA_A, DATA_IPA + PAGE));
	ASSERT_EQ(0, guest_map(&self->g, self->root, VA_B,
			       DATA_IPA + 2 * PAGE));

	self->nested = alloc_nested(_metadata, self,
				    IOMMU_SMMUV3_S1CTX_TRANSLATE, self->cd);
	ASSERT_EQ(0, edu_attach(&self->edu, self->nested));
	ASSERT_EQ(0, edu_enable(&self->edu));
}

FIXTURE_TEARDOWN(nested_dma)
{
	edu_close(&self->edu);
	if (self->fd >= 0)
		close(self->fd);
}

static bool page_is(FIXTURE_DATA(nested_dma) *self, int page, uint8_t v)
{
	const uint8_t *p = self->data + page * PAGE;
	uint64_t i;

	for (i = 0; i < PAGE; i++)
		if (p[i] != v)
			return false;
	return true;
}

#define ONLY(page)	(1u << (page))
#define NONE		0u

/* Pages outside the mask @changed still hold their own pattern. */
static bool others_untouched(FIXTURE_DATA(nested_dma) *self,
			     unsigned int changed)
{
	int i;

	for (i = 0; i < DATA_PAGES; i++)
		if (!(changed & ONLY(i)) && !page_is(self, i, pattern(i)))
			return false;
	return true;
}

/* Copy one page from @src to @dst through the device. */
static int dma_copy(FIXTURE_DATA(nested_dma) *self, uint64_t src,
		    uint64_t dst)
{
	int ret = edu_dma_from(&self->edu, src, PAGE);

	return ret ? ret : edu_dma_to(&self->edu, dst, PAGE);
}

/* Stage 1 then stage 2: VA_B reads page 2, VA_A writes page 1. */
TEST_F(nested_dma, translate_reads_and_writes)
{
	ASSERT_EQ(0, dma_copy(self, VA_B, VA_A));
	ASSERT_TRUE(page_is(self, 1, pattern(2)));
	ASSERT_TRUE(others_untouched(self, ONLY(1)));
}

/*
 * A VA with no stage-1 mapping reaches nothing, not even the same IPA.
 * The guest's CD leaves CD.R clear, so stage-1 faults record no event.
 */
TEST_F(nested_dma, unmapped_va_reaches_nothing)
{
	ASSERT_EQ(0, dma_copy(self, VA_B, VA_UNMAPPED));
	ASSERT_EQ(0, dma_copy(self, VA_B, DATA_IPA + 3 * PAGE));
	ASSERT_TRUE(others_untouched(self, NONE));
}

/* Abort mode: no DMA gets through, by VA or by IPA, and no event either. */
TEST_F(nested_dma, abort_mode_blocks)
{
	uint32_t abort = alloc_nested(_metadata, self,
				      IOMMU_SMMUV3_S1CTX_ABORT, 0);

	ASSERT_EQ(0, edu_attach(&self->edu, abort));
	ASSERT_EQ(0, dma_copy(self, VA_B, VA_A));
	ASSERT_EQ(0, dma_copy(self, DATA_IPA + 2 * PAGE, DATA_IPA + PAGE));
	ASSERT_TRUE(others_untouched(self, NONE));
}

/* Bypass mode: addresses are IPAs, only stage 2 translates. */
TEST_F(nested_dma, bypass_mode_is_stage2_only)
{
	uint32_t bypass = alloc_nested(_metadata, self,
				       IOMMU_SMMUV3_S1CTX_BYPASS, 0);

	ASSERT_EQ(0, edu_attach(&self->edu, bypass));
	ASSERT_EQ(0, dma_copy(self, DATA_IPA + 2 * PAGE, DATA_IPA + 4 * PAGE));
	ASSERT_TRUE(page_is(self, 4, pattern(2)));
	/* VA_A as an IPA: a stage-2 fault, which the kernel's STE records */
	smmu_events_begin();
	ASSERT_EQ(0, dma_copy(self, DATA_IPA + 2 * PAGE, VA_A));
	smmu_events_end(EDU_FAULT_EVENTS(PAGE));
	ASSERT_TRUE(others_untouched(self, ONLY(4)));
}

/* Nested -> parent (stage 2 only) -> nested, with DMA proving each. */
TEST_F(nested_dma, replace_both_ways)
{
	ASSERT_EQ(0, edu_attach(&self->edu, self->parent));
	ASSERT_EQ(0, dma_copy(self, DATA_IPA + 2 * PAGE, DATA_IPA + 5 * PAGE));
	ASSERT_TRUE(page_is(self, 5, pattern(2)));
	smmu_events_begin();
	ASSERT_EQ(0, dma_copy(self, DATA_IPA + 2 * PAGE, VA_A));
	smmu_events_end(EDU_FAULT_EVENTS(PAGE));
	ASSERT_TRUE(page_is(self, 1, pattern(1)));

	ASSERT_EQ(0, edu_attach(&self->edu, self->nested));
	ASSERT_EQ(0, dma_copy(self, VA_B, VA_A));
	ASSERT_TRUE(page_is(self, 1, pattern(2)));
	ASSERT_TRUE(others_untouched(self, ONLY(1) | ONLY(5)));
}

/* Another nested domain with a new context pointer and ASID takes over. */
TEST_F(nested_dma, new_context_pointer)
{
	uint64_t cd2 = guest_alloc_page(&self->g);
	uint64_t root2 = guest_alloc_page(&self->g);
	uint32_t nested2;

	guest_write_cd(&self->g, cd2, 2, root2);
	ASSERT_EQ(0, guest_map(&self->g, root2, VA_A, DATA_IPA + 6 * PAGE));
	ASSERT_EQ(0, guest_map(&self->g, root2, VA_B, DATA_IPA + 2 * PAGE));
	ASSERT_EQ(0, dma_copy(self, VA_B, VA_A));
	ASSERT_TRUE(page_is(self, 1, pattern(2)));

	memset(self->data + PAGE, pattern(1), PAGE);
	nested2 = alloc_nested(_metadata, self, IOMMU_SMMUV3_S1CTX_TRANSLATE,
			       cd2);
	ASSERT_EQ(0, edu_attach(&self->edu, nested2));
	ASSERT_EQ(0, dma_copy(self, VA_B, VA_A));
	ASSERT_TRUE(page_is(self, 6, pattern(2)));
	ASSERT_TRUE(others_untouched(self, ONLY(6)));
}

/*
 * The TLB caches VA_A as one combined S1+S2 entry. Unmapping the IPA from
 * the parent (a stage-2 change) must drop it: the page stays untouched.
 */
TEST_F(nested_dma, stage2_unmap_revokes_nested_access)
{
	ASSERT_EQ(0, dma_copy(self, VA_B, VA_A));
	ASSERT_TRUE(page_is(self, 1, pattern(2)));

	memset(self->data + PAGE, 0x77, PAGE);
	ASSERT_EQ(0, iofd_unmap(self->fd, self->ioas, DATA_IPA + PAGE, PAGE));
	smmu_events_begin();
	ASSERT_EQ(0, dma_copy(self, VA_B, VA_A));
	smmu_events_end(EDU_FAULT_EVENTS(PAGE));
	ASSERT_TRUE(page_is(self, 1, 0x77));
}

TEST_HARNESS_MAIN
