// SPDX-License-Identifier: GPL-2.0
/*
 * IOMMU_HWPT_INVALIDATE with generic entries on an SMMUv3 nested HWPT: the
 * errnos, the entry_num rules, and what reaches the command queue as the
 * driver's debugfs counters tell it (commands per entry, one CMD_SYNC per
 * ioctl). What the invalidations do to real DMA is in
 * smmuv3_invalidate_dma.c.
 */
#include "../kselftest_harness.h"
#include "iommufd_calls.h"
#include "smmu_marks.h"
#include "smmuv3_inv_stats.h"
#include "vfio_edu.h"

#define INV_LEN	sizeof(struct iommu_hwpt_invalidate_generic)

FIXTURE(invalidate)
{
	int fd;
	struct edu edu;
	uint32_t ioas, parent, nested;
	struct smmuv3_inv_stats before;
};

FIXTURE_SETUP(invalidate)
{
	struct iommu_hwpt_arm_smmuv3_s1ctx ctx = {
		.mode = IOMMU_SMMUV3_S1CTX_TRANSLATE,
		.s1ctxptr = 0x40000000,
	};
	int ret = edu_open_bound(&self->edu, &self->fd);

	if (ret == -ENODEV) {
		ASSERT_EQ(0, edu_promised()) TH_LOG("the test bed lost its edu device");
		SKIP(return, "no edu device");
	}
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, iofd_ioas_alloc(self->fd, &self->ioas));
	ASSERT_EQ(0, iofd_hwpt_alloc(self->fd, self->edu.dev_id, self->ioas,
				     IOMMU_HWPT_ALLOC_NEST_PARENT,
				     IOMMU_HWPT_DATA_NONE, NULL, 0,
				     &self->parent));
	ASSERT_EQ(0, iofd_hwpt_alloc(self->fd, self->edu.dev_id, self->parent,
				     0, IOMMU_HWPT_DATA_ARM_SMMUV3_S1CTX, &ctx,
				     sizeof(ctx), &self->nested));
	ASSERT_EQ(0, edu_attach(&self->edu, self->nested));
	self->before = smmuv3_inv_stats_read();
	ASSERT_NE(~0ULL, self->before.syncs) TH_LOG("no debugfs counters");
}

FIXTURE_TEARDOWN(invalidate)
{
	edu_close(&self->edu);
	if (self->fd >= 0)
		close(self->fd);
}

static struct iommu_hwpt_invalidate_generic domain_iotlb(void)
{
	struct iommu_hwpt_invalidate_generic inv = {
		.cache = IOMMU_INV_CACHE_IOTLB,
		.granularity = IOMMU_INV_GRANU_DOMAIN,
	};
	return inv;
}

/* entry_num == 0 asks whether the type is supported */
TEST_F(invalidate, probe)
{
	uint32_t n = 0;

	ASSERT_EQ(0, iofd_invalidate(self->fd, self->nested,
				     IOMMU_HWPT_INVALIDATE_DATA_GENERIC, NULL,
				     0, &n));
	ASSERT_EQ(0, n);
	/* Another type: -EINVAL, as 6.12's VT-d driver answers */
	ASSERT_EQ(-EINVAL,
		  iofd_invalidate(self->fd, self->nested,
				  IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, NULL, 0, &n));
	ASSERT_EQ(0, smmuv3_inv_stats_read().syncs - self->before.syncs);
}

TEST_F(invalidate, wrong_type_length_or_hwpt)
{
	struct iommu_hwpt_invalidate_generic inv[2] = { domain_iotlb(),
							domain_iotlb() };
	uint32_t n;

	n = 2;
	ASSERT_EQ(-EINVAL,
		  iofd_invalidate(self->fd, self->nested,
				  IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, inv,
				  INV_LEN, &n));
	ASSERT_EQ(0, n);
	/* Like iommufd's other arrays: shorter or longer entries are refused */
	n = 2;
	ASSERT_EQ(-EINVAL,
		  iofd_invalidate(self->fd, self->nested,
				  IOMMU_HWPT_INVALIDATE_DATA_GENERIC, inv,
				  INV_LEN - 8, &n));
	ASSERT_EQ(0, n);
	n = 1;
	ASSERT_EQ(-EINVAL,
		  iofd_invalidate(self->fd, self->nested,
				  IOMMU_HWPT_INVALIDATE_DATA_GENERIC, inv,
				  INV_LEN + 8, &n));
	ASSERT_EQ(0, n);
	/* Only nested HWPTs take invalidations: no such nested object */
	n = 1;
	ASSERT_EQ(-ENOENT,
		  iofd_invalidate(self->fd, self->parent,
				  IOMMU_HWPT_INVALIDATE_DATA_GENERIC, inv,
				  INV_LEN, &n));
	ASSERT_EQ(0, smmuv3_inv_stats_read().commands - self->before.commands);
}

/* Processing stops at the first bad entry; none of its commands go out */
TEST_F(invalidate, stops_at_first_bad_entry)
{
	struct iommu_hwpt_invalidate_generic inv[4] = {
		domain_iotlb(), domain_iotlb(), domain_iotlb(), domain_iotlb()
	};
	struct smmuv3_inv_stats after;
	uint32_t n = 4;

	inv[2].granularity = IOMMU_INV_GRANU_ADDR_SPACE;	/* no ARCHID */
	ASSERT_EQ(-EINVAL,
		  iofd_invalidate(self->fd, self->nested,
				  IOMMU_HWPT_INVALIDATE_DATA_GENERIC, inv,
				  INV_LEN, &n));
	ASSERT_EQ(2, n);
	after = smmuv3_inv_stats_read();
	ASSERT_EQ(4, after.requested - self->before.requested);
	ASSERT_EQ(2, after.entries - self->before.entries);
	ASSERT_EQ(2, after.commands - self->before.commands);
	ASSERT_EQ(1, after.syncs - self->before.syncs);

	inv[1].__reserved = 1;
	n = 4;
	ASSERT_EQ(-EOPNOTSUPP,
		  iofd_invalidate(self->fd, self->nested,
				  IOMMU_HWPT_INVALIDATE_DATA_GENERIC, inv,
				  INV_LEN, &n));
	ASSERT_EQ(1, n);

	/* A bad first entry: nothing at all reaches the queue */
	inv[0].cache = 0;
	n = 4;
	ASSERT_EQ(-EINVAL,
		  iofd_invalidate(self->fd, self->nested,
				  IOMMU_HWPT_INVALIDATE_DATA_GENERIC, inv,
				  INV_LEN, &n));
	ASSERT_EQ(0, n);
	ASSERT_EQ(3, smmuv3_inv_stats_read().entries - self->before.entries);
	ASSERT_EQ(2, smmuv3_inv_stats_read().syncs - self->before.syncs);
}

/* A batch of many entries is one CMD_SYNC, and one command per entry */
TEST_F(invalidate, one_sync_per_ioctl)
{
	struct iommu_hwpt_invalidate_generic inv[300];
	struct smmuv3_inv_stats after;
	uint32_t n = 300, i;

	for (i = 0; i < n; i++) {
		inv[i] = (struct iommu_hwpt_invalidate_generic){
			.cache = IOMMU_INV_CACHE_IOTLB,
			.granularity = IOMMU_INV_GRANU_ADDR,
			.flags = IOMMU_INV_FLAG_ARCHID | IOMMU_INV_FLAG_LEAF,
			.archid = 1,
			.addr = 0x10000000 + i * 0x1000,
			.granule_size = 0x1000,
			.nb_granules = 1,
		};
	}
	ASSERT_EQ(0, iofd_invalidate(self->fd, self->nested,
				     IOMMU_HWPT_INVALIDATE_DATA_GENERIC, inv,
				     INV_LEN, &n));
	ASSERT_EQ(300, n);
	after = smmuv3_inv_stats_read();
	ASSERT_EQ(1, after.ioctls - self->before.ioctls);
	ASSERT_EQ(300, after.entries - self->before.entries);
	ASSERT_EQ(300, after.commands - self->before.commands);
	ASSERT_EQ(1, after.syncs - self->before.syncs);
}

/*
 * What the emulated SMMU consumed equals what the driver counted: the marks
 * let the test bed's report compare QEMU's trace of the command queue with
 * the counters (outside the test bed nobody reads them).
 */
TEST_F(invalidate, counters_match_the_smmu_trace)
{
	struct iommu_hwpt_invalidate_generic inv[3] = {
		{
			.cache = IOMMU_INV_CACHE_IOTLB,
			.granularity = IOMMU_INV_GRANU_ADDR,
			.flags = IOMMU_INV_FLAG_ARCHID,
			.archid = 1,
			.addr = 0x10000000,
			.granule_size = 0x1000,
			.nb_granules = 5,
		},
		domain_iotlb(),
		{
			.cache = IOMMU_INV_CACHE_CONTEXT,
			.granularity = IOMMU_INV_GRANU_DOMAIN,
		},
	};
	struct smmuv3_inv_stats after;
	uint32_t n = 3;

	smmu_trace_begin();
	ASSERT_EQ(0, iofd_invalidate(self->fd, self->nested,
				     IOMMU_HWPT_INVALIDATE_DATA_GENERIC, inv,
				     INV_LEN, &n));
	after = smmuv3_inv_stats_read();
	smmu_trace_end("counters_match_the_smmu_trace",
		       after.commands - self->before.commands,
		       after.syncs - self->before.syncs);
	ASSERT_EQ(3, n);
}

/* Context cache entries name each StreamID of the attached device */
TEST_F(invalidate, context_per_streamid)
{
	struct iommu_hwpt_invalidate_generic inv = {
		.cache = IOMMU_INV_CACHE_CONTEXT | IOMMU_INV_CACHE_DEV_IOTLB,
		.granularity = IOMMU_INV_GRANU_DOMAIN,
	};

	ASSERT_EQ(0, iofd_invalidate_one(self->fd, self->nested, &inv));
	/* edu has one StreamID and no ATS: one CFGI_CD_ALL, no ATC_INV */
	ASSERT_EQ(1, smmuv3_inv_stats_read().commands - self->before.commands);

	/* Detached, the domain owns no StreamID: nothing to send */
	ASSERT_EQ(0, edu_detach(&self->edu));
	ASSERT_EQ(0, iofd_invalidate_one(self->fd, self->nested, &inv));
	ASSERT_EQ(1, smmuv3_inv_stats_read().commands - self->before.commands);
}

TEST_HARNESS_MAIN
