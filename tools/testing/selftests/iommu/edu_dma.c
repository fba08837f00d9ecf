// SPDX-License-Identifier: GPL-2.0
/*
 * A real device (QEMU's edu) doing DMA through the SMMU with an ordinary
 * iommufd domain: the test bed's baseline. If this fails, nothing built
 * on top of it (nested translation) can be trusted.
 */
#include "../kselftest_harness.h"
#include "iommufd_calls.h"
#include "vfio_edu.h"

#define IOVA_BASE	0x10000000ULL
#define MEM_SIZE	0x10000UL
#define PAGE		0x1000UL

FIXTURE(edu_dma)
{
	int iommufd;
	uint32_t ioas_id;
	struct edu edu;
	uint8_t *mem;
};

FIXTURE_SETUP(edu_dma)
{
	int ret = edu_open_bound(&self->edu, &self->iommufd);

	if (ret == -ENODEV) {
		ASSERT_EQ(0, edu_promised()) TH_LOG("the test bed lost its edu device");
		SKIP(return, "no edu device");
	}
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, iofd_ioas_alloc(self->iommufd, &self->ioas_id));
	ASSERT_EQ(0, edu_attach(&self->edu, self->ioas_id));
	ASSERT_EQ(0, edu_enable(&self->edu));
	ASSERT_EQ(0x010000ed, edu_id(&self->edu));

	self->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	memset(self->mem, 0x11, MEM_SIZE);
	ASSERT_EQ(0, iofd_map(self->iommufd, self->ioas_id, self->mem,
			      MEM_SIZE, IOVA_BASE));
}

FIXTURE_TEARDOWN(edu_dma)
{
	edu_close(&self->edu);
	if (self->iommufd >= 0)
		close(self->iommufd);
}

static bool all_bytes(const uint8_t *p, uint8_t v, size_t len)
{
	while (len--)
		if (*p++ != v)
			return false;
	return true;
}

/* Memory -> device -> other memory: the bytes arrive where they should. */
TEST_F(edu_dma, round_trip)
{
	unsigned int i;

	for (i = 0; i < PAGE; i++)
		self->mem[i] = i * 7 + 3;
	ASSERT_EQ(0, edu_dma_from(&self->edu, IOVA_BASE, PAGE));
	ASSERT_EQ(0, edu_dma_to(&self->edu, IOVA_BASE + 3 * PAGE, PAGE));
	ASSERT_EQ(0, memcmp(self->mem, self->mem + 3 * PAGE, PAGE));
	/* and nowhere else */
	ASSERT_TRUE(all_bytes(self->mem + 2 * PAGE, 0x11, PAGE));
	ASSERT_TRUE(all_bytes(self->mem + 4 * PAGE, 0x11, PAGE));
}

/* A write to an IOVA that is not mapped reaches no memory. */
TEST_F(edu_dma, unmapped_iova_blocked)
{
	memset(self->mem, 0x22, PAGE);
	ASSERT_EQ(0, edu_dma_from(&self->edu, IOVA_BASE, PAGE));
	smmu_events_begin();
	ASSERT_EQ(0, edu_dma_to(&self->edu, IOVA_BASE + MEM_SIZE, PAGE));
	smmu_events_end(EDU_FAULT_EVENTS(PAGE));
	ASSERT_TRUE(all_bytes(self->mem + PAGE, 0x11, MEM_SIZE - PAGE));
}

/* After IOAS unmap the device can no longer reach the page. */
TEST_F(edu_dma, unmap_revokes_access)
{
	uint64_t iova = IOVA_BASE + 0x100000;
	uint8_t *page = self->mem + PAGE;

	ASSERT_EQ(0, iofd_map(self->iommufd, self->ioas_id, page, PAGE, iova));
	memset(self->mem, 0x33, PAGE);
	ASSERT_EQ(0, edu_dma_from(&self->edu, IOVA_BASE, PAGE));
	ASSERT_EQ(0, edu_dma_to(&self->edu, iova, PAGE));
	ASSERT_TRUE(all_bytes(page, 0x33, PAGE));

	/* The IOTLB now caches the translation; unmap must drop it. */
	memset(page, 0x44, PAGE);
	ASSERT_EQ(0, iofd_unmap(self->iommufd, self->ioas_id, iova, PAGE));
	smmu_events_begin();
	ASSERT_EQ(0, edu_dma_to(&self->edu, iova, PAGE));
	smmu_events_end(EDU_FAULT_EVENTS(PAGE));
	ASSERT_TRUE(all_bytes(page, 0x44, PAGE));
}

TEST_HARNESS_MAIN
