// SPDX-License-Identifier: GPL-2.0
/*
 * The SMMUv3 nesting uAPI on a real (emulated) SMMU: hw_info, nest parents,
 * nested HWPT allocation with every refusal and its errno, object lifetime
 * and the runtime off-switch. The DMA behaviour is in smmuv3_nested_dma.c.
 */
#include <inttypes.h>
#include "../kselftest_harness.h"
#include "iommufd_calls.h"
#include "vfio_edu.h"

#define NESTING_PARAM	"/sys/module/arm_smmu_v3/parameters/nesting"
#define IDR0_S1P	(1u << 1)
#define IDR0_S2P	(1u << 0)
#define IDR0_VMID16	(1u << 18)
#define IDR0_CD2L	(1u << 19)
#define IDR0_STALL(x)	(((x) >> 24) & 3)
#define IDR1_SSIDSIZE(x) (((x) >> 6) & 31)

/* The SMMU's registers straight from MMIO, to check hw_info against. */
static int read_smmu_regs(uint32_t regs[8])
{
	char line[256];
	uint64_t start = 0;
	FILE *f = fopen("/proc/iomem", "r");
	volatile uint32_t *mmio;
	int fd, i;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "smmu") &&
		    sscanf(line, " %" SCNx64, &start) == 1)
			break;
	fclose(f);
	if (!start)
		return -ENODEV;
	fd = open("/dev/mem", O_RDONLY | O_SYNC);
	if (fd < 0)
		return -errno;
	mmio = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, start);
	close(fd);
	if (mmio == MAP_FAILED)
		return -errno;
	for (i = 0; i < 8; i++)	/* IDR0-5, IIDR, AIDR */
		regs[i] = mmio[i];
	munmap((void *)mmio, 4096);
	return 0;
}

static int set_nesting(const char *val)
{
	return testbed_write(NESTING_PARAM, val);
}

FIXTURE(nested)
{
	int fd;
	struct edu edu;
	uint32_t ioas, parent;
	struct iommu_hw_info_arm_smmuv3 info;
	struct iommu_hwpt_arm_smmuv3_s1ctx ctx;	/* a valid one */
};

FIXTURE_SETUP(nested)
{
	uint32_t len = sizeof(self->info), type;
	int ret = edu_open_bound(&self->edu, &self->fd);

	if (ret == -ENODEV) {
		ASSERT_EQ(0, edu_promised()) TH_LOG("the test bed lost its edu device");
		SKIP(return, "no edu device");
	}
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, iofd_ioas_alloc(self->fd, &self->ioas));
	ASSERT_EQ(0, iofd_hw_info(self->fd, self->edu.dev_id, &self->info,
				  &len, &type, NULL));
	ASSERT_EQ(IOMMU_HW_INFO_TYPE_ARM_SMMUV3, type);
	ASSERT_EQ(0, iofd_hwpt_alloc(self->fd, self->edu.dev_id, self->ioas,
				     IOMMU_HWPT_ALLOC_NEST_PARENT,
				     IOMMU_HWPT_DATA_NONE, NULL, 0,
				     &self->parent));
	self->ctx = (struct iommu_hwpt_arm_smmuv3_s1ctx){
		.mode = IOMMU_SMMUV3_S1CTX_TRANSLATE,
		.s1ctxptr = 0x40000000,
	};
}

FIXTURE_TEARDOWN(nested)
{
	set_nesting("1");
	edu_close(&self->edu);
	if (self->fd >= 0)
		close(self->fd);
}

static int alloc_ctx(FIXTURE_DATA(nested) *self,
		     const struct iommu_hwpt_arm_smmuv3_s1ctx *ctx,
		     uint32_t *id)
{
	return iofd_hwpt_alloc(self->fd, self->edu.dev_id, self->parent, 0,
			       IOMMU_HWPT_DATA_ARM_SMMUV3_S1CTX, (void *)ctx,
			       sizeof(*ctx), id);
}

TEST_F(nested, hw_info_is_the_hardware)
{
	struct {
		struct iommu_hw_info_arm_smmuv3 info;
		uint8_t tail[24];
	} big;
	uint32_t regs[8], len = 0, type = 0, i;

	ASSERT_EQ(0, read_smmu_regs(regs));
	for (i = 0; i < 6; i++)
		ASSERT_EQ(regs[i], self->info.idr[i]) TH_LOG("IDR%u", i);
	ASSERT_EQ(regs[6], self->info.iidr);
	ASSERT_EQ(regs[7], self->info.aidr);
	ASSERT_EQ(0, self->info.flags);
	/* This test bed's SMMU nests */
	ASSERT_EQ(IDR0_S1P | IDR0_S2P, self->info.idr[0] & (IDR0_S1P | IDR0_S2P));

	/* Length 0 asks for the size; a longer buffer gets zeroes after it */
	ASSERT_EQ(0, iofd_hw_info(self->fd, self->edu.dev_id, NULL, &len,
				  &type, NULL));
	ASSERT_EQ(sizeof(struct iommu_hw_info_arm_smmuv3), len);
	memset(&big, 0xa5, sizeof(big));
	len = sizeof(big);
	ASSERT_EQ(0, iofd_hw_info(self->fd, self->edu.dev_id, &big, &len,
				  &type, NULL));
	ASSERT_EQ(sizeof(big.info), len);
	ASSERT_EQ(0, memcmp(&big.info, &self->info, sizeof(big.info)));
	for (i = 0; i < sizeof(big.tail); i++)
		ASSERT_EQ(0, big.tail[i]);
}

TEST_F(nested, nest_parent_refusals)
{
	uint32_t id;

	/* Stage 2 has no dirty tracking in this driver */
	ASSERT_EQ(-EOPNOTSUPP,
		  iofd_hwpt_alloc(self->fd, self->edu.dev_id, self->ioas,
				  IOMMU_HWPT_ALLOC_NEST_PARENT |
				  IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
				  IOMMU_HWPT_DATA_NONE, NULL, 0, &id));
	/* A paging HWPT takes no driver data */
	ASSERT_EQ(-EOPNOTSUPP,
		  iofd_hwpt_alloc(self->fd, self->edu.dev_id, self->ioas, 0,
				  IOMMU_HWPT_DATA_ARM_SMMUV3_S1CTX, &self->ctx,
				  sizeof(self->ctx), &id));
}

TEST_F(nested, every_mode_allocates)
{
	struct iommu_hwpt_arm_smmuv3_s1ctx ctx = {};
	uint32_t id;

	ASSERT_EQ(0, alloc_ctx(self, &self->ctx, &id));
	ctx.mode = IOMMU_SMMUV3_S1CTX_ABORT;
	ASSERT_EQ(0, alloc_ctx(self, &ctx, &id));
	ctx.mode = IOMMU_SMMUV3_S1CTX_BYPASS;
	ASSERT_EQ(0, alloc_ctx(self, &ctx, &id));
}

TEST_F(nested, wrong_type_parent_or_length)
{
	struct {
		struct iommu_hwpt_arm_smmuv3_s1ctx ctx;
		uint64_t tail;
	} big = { .ctx = self->ctx, .tail = 0 };
	uint32_t plain, nested, id;

	/* Other data types, including mainline's raw-STE SMMUv3 type (2) */
	ASSERT_EQ(-EOPNOTSUPP,
		  iofd_hwpt_alloc(self->fd, self->edu.dev_id, self->parent, 0,
				  IOMMU_HWPT_DATA_VTD_S1, &self->ctx,
				  sizeof(self->ctx), &id));
	ASSERT_EQ(-EOPNOTSUPP,
		  iofd_hwpt_alloc(self->fd, self->edu.dev_id, self->parent, 0,
				  2, &self->ctx, sizeof(self->ctx), &id));
	/* The parent must be a nest parent, and not a nested HWPT */
	ASSERT_EQ(0, iofd_hwpt_alloc(self->fd, self->edu.dev_id, self->ioas, 0,
				     IOMMU_HWPT_DATA_NONE, NULL, 0, &plain));
	ASSERT_EQ(-EINVAL,
		  iofd_hwpt_alloc(self->fd, self->edu.dev_id, plain, 0,
				  IOMMU_HWPT_DATA_ARM_SMMUV3_S1CTX, &self->ctx,
				  sizeof(self->ctx), &id));
	ASSERT_EQ(0, alloc_ctx(self, &self->ctx, &nested));
	ASSERT_EQ(-EINVAL,
		  iofd_hwpt_alloc(self->fd, self->edu.dev_id, nested, 0,
				  IOMMU_HWPT_DATA_ARM_SMMUV3_S1CTX, &self->ctx,
				  sizeof(self->ctx), &id));
	/*
	 * Too short, or longer than this kernel's struct: 6.12's
	 * iommu_copy_struct_from_user() refuses both with -EINVAL, even a
	 * longer one whose tail is zero.
	 */
	ASSERT_EQ(-EINVAL,
		  iofd_hwpt_alloc(self->fd, self->edu.dev_id, self->parent, 0,
				  IOMMU_HWPT_DATA_ARM_SMMUV3_S1CTX, &self->ctx,
				  16, &id));
	ASSERT_EQ(-EINVAL,
		  iofd_hwpt_alloc(self->fd, self->edu.dev_id, self->parent, 0,
				  IOMMU_HWPT_DATA_ARM_SMMUV3_S1CTX, &big,
				  sizeof(big), &id));
}

/* Each field refused with its documented errno (one change at a time). */
TEST_F(nested, field_refusals)
{
	uint32_t idr0 = self->info.idr[0], idr1 = self->info.idr[1];
	struct iommu_hwpt_arm_smmuv3_s1ctx c;
	uint32_t id;

#define REFUSED(err, change)						\
	do {								\
		c = self->ctx;						\
		change;							\
		EXPECT_EQ(err, alloc_ctx(self, &c, &id))		\
			TH_LOG("%s", #change);				\
	} while (0)

	REFUSED(-EOPNOTSUPP, c.flags = 1);
	REFUSED(-EOPNOTSUPP, c.__reserved = 1);
	REFUSED(-EINVAL, c.mode = 3);
	REFUSED(-EINVAL, c.s1ctxptr = 0x40000020);	/* not 64B aligned */
	REFUSED(-EINVAL, c.s1ctxptr = 1ULL << 52);	/* beyond any IAS */
	REFUSED(-EINVAL, c.s1cdmax = IDR1_SSIDSIZE(idr1) + 1);
	REFUSED(-EINVAL, c.s1fmt = 3);
	if (!(idr0 & IDR0_CD2L))
		REFUSED(-EINVAL, (c.s1fmt = 1, c.s1cdmax = IDR1_SSIDSIZE(idr1)));
	REFUSED(-EINVAL, c.s1dss = 3);
	REFUSED(-EINVAL, c.s1cir = 4);
	REFUSED(-EINVAL, c.s1cor = 4);
	REFUSED(-EINVAL, c.s1csh = 1);			/* reserved */
	REFUSED(-EINVAL, c.s1stalld = 2);
	if (IDR0_STALL(idr0) != 0)	/* stalls not supported or forced */
		REFUSED(-EINVAL, c.s1stalld = 1);
	REFUSED(-EINVAL, c.eats = 2);
	REFUSED(-EINVAL, c.eats = 1);			/* edu has no ATS */
	/* Outside translate mode the stage-1 fields must be clear */
	REFUSED(-EINVAL, c.mode = IOMMU_SMMUV3_S1CTX_BYPASS);
	REFUSED(-EINVAL, (c.mode = IOMMU_SMMUV3_S1CTX_ABORT, c.s1ctxptr = 0,
			  c.s1dss = 1));
#undef REFUSED
}

TEST_F(nested, destroy_order)
{
	uint32_t nested;

	ASSERT_EQ(0, alloc_ctx(self, &self->ctx, &nested));
	ASSERT_EQ(-EBUSY, iofd_destroy(self->fd, self->parent));
	ASSERT_EQ(0, edu_attach(&self->edu, nested));
	ASSERT_EQ(-EBUSY, iofd_destroy(self->fd, nested));
	ASSERT_EQ(0, edu_detach(&self->edu));
	ASSERT_EQ(0, iofd_destroy(self->fd, nested));
	ASSERT_EQ(0, iofd_destroy(self->fd, self->parent));
	ASSERT_EQ(-ENOENT, iofd_destroy(self->fd, nested));
}

/*
 * A nested HWPT with a fault queue (IOMMU_HWPT_FAULT_ID_VALID) allocates,
 * but only a device that can stall attaches to it. QEMU's SMMU cannot
 * stall (IDR0.STALL_MODEL 0b01): EINVAL from enabling I/O page faults for
 * the edu device, which stays usable. Stalls themselves: smmuv3_nested_stall.
 */
TEST_F(nested, fault_queue_needs_stalls)
{
	struct iommu_fault_alloc fault = { .size = sizeof(fault) };
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_HWPT_FAULT_ID_VALID,
		.dev_id = self->edu.dev_id,
		.pt_id = self->parent,
		.data_type = IOMMU_HWPT_DATA_ARM_SMMUV3_S1CTX,
		.data_len = sizeof(self->ctx),
		.data_uptr = (uintptr_t)&self->ctx,
	};
	uint32_t plain;
	int ret;

	ASSERT_EQ(0, ioctl(self->fd, IOMMU_FAULT_QUEUE_ALLOC, &fault));
	cmd.fault_id = fault.out_fault_id;
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_HWPT_ALLOC, &cmd));
	ret = edu_attach(&self->edu, cmd.out_hwpt_id);
	if (IDR0_STALL(self->info.idr[0]) == 1) {
		ASSERT_EQ(-EINVAL, ret);
	} else if (!ret) {	/* a device that can stall, on a real SMMU */
		ASSERT_EQ(0, edu_detach(&self->edu));
	}
	ASSERT_EQ(0, alloc_ctx(self, &self->ctx, &plain));
	ASSERT_EQ(0, edu_attach(&self->edu, plain));
	ASSERT_EQ(0, edu_detach(&self->edu));
	ASSERT_EQ(0, iofd_destroy(self->fd, plain));
	ASSERT_EQ(0, iofd_destroy(self->fd, cmd.out_hwpt_id));
	ASSERT_EQ(0, close(fault.out_fault_fd));
	ASSERT_EQ(0, iofd_destroy(self->fd, fault.out_fault_id));
}

/* nested -> parent -> another nested -> detach, and back again */
TEST_F(nested, attach_replace_detach)
{
	struct iommu_hwpt_arm_smmuv3_s1ctx abort = {};
	uint32_t n1, n2;

	ASSERT_EQ(0, alloc_ctx(self, &self->ctx, &n1));
	ASSERT_EQ(0, alloc_ctx(self, &abort, &n2));
	ASSERT_EQ(0, edu_attach(&self->edu, n1));
	ASSERT_EQ(0, edu_attach(&self->edu, self->parent));
	ASSERT_EQ(0, edu_attach(&self->edu, n2));
	ASSERT_EQ(0, edu_attach(&self->edu, n1));
	ASSERT_EQ(0, edu_detach(&self->edu));
	ASSERT_EQ(0, edu_attach(&self->edu, n2));
	ASSERT_EQ(0, edu_detach(&self->edu));
	ASSERT_EQ(0, iofd_destroy(self->fd, n1));
	ASSERT_EQ(0, iofd_destroy(self->fd, n2));
}

/*
 * VMIDs come back when parents go: allocate and free more parents than
 * there are VMIDs. A leak would run the allocator dry. (65 thousand
 * parents take a minute on the debug kernel.)
 */
TEST_F_TIMEOUT(nested, vmids_are_recycled, 300)
{
	unsigned int vmids = self->info.idr[0] & IDR0_VMID16 ? 1 << 16 : 1 << 8;
	unsigned int i;
	uint32_t id;

	ASSERT_EQ(0, iofd_destroy(self->fd, self->parent));
	for (i = 0; i < vmids + 16; i++) {
		ASSERT_EQ(0, iofd_hwpt_alloc(self->fd, self->edu.dev_id,
					     self->ioas,
					     IOMMU_HWPT_ALLOC_NEST_PARENT,
					     IOMMU_HWPT_DATA_NONE, NULL, 0,
					     &id)) TH_LOG("parent %u", i);
		ASSERT_EQ(0, iofd_destroy(self->fd, id));
	}
}

TEST_F(nested, runtime_switch)
{
	uint32_t id, nested;

	ASSERT_EQ(0, alloc_ctx(self, &self->ctx, &nested));
	ASSERT_EQ(0, set_nesting("0"));
	ASSERT_EQ(-EOPNOTSUPP,
		  iofd_hwpt_alloc(self->fd, self->edu.dev_id, self->ioas,
				  IOMMU_HWPT_ALLOC_NEST_PARENT,
				  IOMMU_HWPT_DATA_NONE, NULL, 0, &id));
	ASSERT_EQ(-EOPNOTSUPP, alloc_ctx(self, &self->ctx, &id));
	/* What exists keeps working */
	ASSERT_EQ(0, edu_attach(&self->edu, nested));
	ASSERT_EQ(0, edu_detach(&self->edu));

	ASSERT_EQ(0, set_nesting("1"));
	ASSERT_EQ(0, alloc_ctx(self, &self->ctx, &id));
}

TEST_HARNESS_MAIN
