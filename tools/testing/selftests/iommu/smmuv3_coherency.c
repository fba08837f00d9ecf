// SPDX-License-Identifier: GPL-2.0
/*
 * A guest's stage 1 picks memory types the host never sees, so a nest
 * parent needs stage-2 forced write-back (SMMU_IDR3.FWB) or a root complex
 * that is coherent write-back whatever it is asked (IORT CANWBS), unless
 * the machine was booted with arm_smmu_v3.nesting_noncoherent=1, a
 * test-machine opt-in that taints the kernel and cannot be set later.
 *
 * The test bed runs this twice: in its main boot, with the opt-in (QEMU's
 * SMMU has no FWB), and in a short boot without it, where NEST_PARENT is
 * refused. Whether the opt-in was given is read from the kernel command
 * line, not from the kernel under test: a kernel that ignored the
 * parameter would otherwise agree with itself.
 */
#include "../kselftest_harness.h"
#include "iommufd_calls.h"
#include "vfio_edu.h"

#define OPT_IN	"/sys/module/arm_smmu_v3/parameters/nesting_noncoherent"
#define IDR3_FWB	(1u << 8)
#define TAINT_USER	(1ul << 6)

/* The first line of a small sysfs or procfs file, or "" */
static const char *read_small(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = 0;
	if (f) {
		if (!fgets(buf, len, f))
			buf[0] = 0;
		fclose(f);
	}
	return buf;
}

/* What the kernel says: the module parameter as it holds it */
static bool opted_in(void)
{
	char buf[8];

	return read_small(OPT_IN, buf, sizeof(buf))[0] == 'Y';
}

/* What the machine was booted with: the parameter on the command line */
static bool opt_in_given(void)
{
	const char *key = "arm_smmu_v3.nesting_noncoherent=";
	char cmdline[4096], *p;

	read_small("/proc/cmdline", cmdline, sizeof(cmdline));
	p = strstr(cmdline, key);
	if (!p)
		return false;
	p += strlen(key);
	/* kstrtobool's spellings of "true" */
	return *p == '1' || *p == 'y' || *p == 'Y' || !strncmp(p, "on", 2);
}

static unsigned long taint_flags(void)
{
	char buf[32];

	return strtoul(read_small("/proc/sys/kernel/tainted", buf,
				  sizeof(buf)), NULL, 10);
}

FIXTURE(coherency)
{
	int fd;
	struct edu edu;
	uint32_t ioas;
	bool fwb;
};

FIXTURE_SETUP(coherency)
{
	struct iommu_hw_info_arm_smmuv3 info = {};
	uint32_t len = sizeof(info), type;

	self->fd = -1;
	self->edu.fd = -1;
	if (access(OPT_IN, F_OK))
		SKIP(return, "no nesting in this kernel");
	if (edu_open_bound(&self->edu, &self->fd))
		SKIP(return, "no edu device bound to vfio-pci");
	ASSERT_EQ(0, iofd_ioas_alloc(self->fd, &self->ioas));
	ASSERT_EQ(0, iofd_hw_info(self->fd, self->edu.dev_id, &info, &len,
				  &type, NULL));
	ASSERT_EQ(IOMMU_HW_INFO_TYPE_ARM_SMMUV3, type);
	self->fwb = info.idr[3] & IDR3_FWB;
	ASSERT_EQ(opt_in_given(), opted_in())
		TH_LOG("the command line and the module parameter disagree");
}

FIXTURE_TEARDOWN(coherency)
{
	edu_close(&self->edu);
	if (self->fd >= 0)
		close(self->fd);
}

/* FWB or the opt-in gives a nest parent; neither gives EOPNOTSUPP */
TEST_F(coherency, nest_parent_needs_fwb_or_opt_in)
{
	uint32_t id;
	int ret;

	ret = iofd_hwpt_alloc(self->fd, self->edu.dev_id, self->ioas,
			      IOMMU_HWPT_ALLOC_NEST_PARENT,
			      IOMMU_HWPT_DATA_NONE, NULL, 0, &id);
	if (self->fwb || opt_in_given()) {
		ASSERT_EQ(0, ret);
		ASSERT_EQ(0, iofd_destroy(self->fd, id));
	} else {
		ASSERT_EQ(-EOPNOTSUPP, ret);
		/* Plain domains are not affected */
		ASSERT_EQ(0, iofd_hwpt_alloc(self->fd, self->edu.dev_id,
					     self->ioas, 0,
					     IOMMU_HWPT_DATA_NONE, NULL, 0,
					     &id));
		ASSERT_EQ(0, edu_attach(&self->edu, id));
	}
	TH_LOG("FWB %s, opt-in %s: NEST_PARENT %s", self->fwb ? "yes" : "no",
	       opt_in_given() ? "given" : "not given",
	       ret ? "refused" : "granted");
}

/* The opt-in is boot-time only and taints the kernel */
TEST_F(coherency, opt_in_is_boot_only_and_taints)
{
	int fd = open(OPT_IN, O_WRONLY);

	ASSERT_GT(0, fd) TH_LOG("the opt-in is writable at run time");
	ASSERT_EQ(EACCES, errno);
	if (opt_in_given())
		ASSERT_NE(0, taint_flags() & TAINT_USER);
}

TEST_HARNESS_MAIN
