// SPDX-License-Identifier: GPL-2.0
/*
 * On a kernel built with CONFIG_ARM_SMMU_V3_NESTED=n the nesting uAPI must
 * be gone: no SMMUv3 hw_info, no nest parent, no runtime switch, while
 * ordinary DMA domains keep working. The test bed boots such a kernel with
 * testbed.nesting=off on its command line; anywhere else this test skips.
 */
#include "../kselftest_harness.h"
#include "iommufd_calls.h"
#include "vfio_edu.h"

static bool nesting_compiled_out(void)
{
	const char *nesting = testbed_param("nesting");

	return nesting && !strncmp(nesting, "off", 3);
}

FIXTURE(nesting_off)
{
	int fd;
	struct edu edu;
	uint32_t ioas;
};

FIXTURE_SETUP(nesting_off)
{
	int ret;

	self->fd = -1;
	self->edu.fd = -1;
	if (!nesting_compiled_out())
		SKIP(return, "not a kernel with CONFIG_ARM_SMMU_V3_NESTED=n");
	ret = edu_open_bound(&self->edu, &self->fd);
	ASSERT_EQ(0, ret) TH_LOG("the test bed lost its edu device");
	ASSERT_EQ(0, iofd_ioas_alloc(self->fd, &self->ioas));
}

FIXTURE_TEARDOWN(nesting_off)
{
	edu_close(&self->edu);
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(nesting_off, interface_is_gone)
{
	struct iommu_hw_info_arm_smmuv3 info;
	uint32_t len = sizeof(info), type = ~0u, id;
	int qfd;

	ASSERT_EQ(0, iofd_hw_info(self->fd, self->edu.dev_id, &info, &len,
				  &type, NULL));
	ASSERT_EQ(IOMMU_HW_INFO_TYPE_NONE, type);
	ASSERT_EQ(0, len);
	ASSERT_EQ(-EOPNOTSUPP,
		  iofd_hwpt_alloc(self->fd, self->edu.dev_id, self->ioas,
				  IOMMU_HWPT_ALLOC_NEST_PARENT,
				  IOMMU_HWPT_DATA_NONE, NULL, 0, &id));
	/* No nesting, so no device event queue either */
	ASSERT_EQ(-EOPNOTSUPP, iofd_eventq_alloc(self->fd, self->edu.dev_id,
						 0, 64, &id, &qfd));
	ASSERT_NE(0, access("/sys/module/arm_smmu_v3/parameters/nesting",
			    F_OK));
}

TEST_F(nesting_off, plain_domains_still_work)
{
	uint32_t hwpt;

	ASSERT_EQ(0, iofd_hwpt_alloc(self->fd, self->edu.dev_id, self->ioas, 0,
				     IOMMU_HWPT_DATA_NONE, NULL, 0, &hwpt));
	ASSERT_EQ(0, edu_attach(&self->edu, hwpt));
}

TEST_HARNESS_MAIN
