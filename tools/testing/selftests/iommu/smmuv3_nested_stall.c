// SPDX-License-Identifier: GPL-2.0
/*
 * Stalls of a nested device reach its VMM through iommufd's fault queue
 * (IOMMU_FAULT_QUEUE_ALLOC, IOMMU_HWPT_FAULT_ID_VALID) and come back as
 * CMD_RESUME; every teardown answers the stalls still pending. The test
 * acts as the VMM.
 *
 * QEMU's SMMU cannot stall (IDR0.STALL_MODEL 0b01), so the nesting test
 * hooks stand in for the hardware at both ends: fake_stall marks the edu
 * device as able to stall, inject_stall hands the driver the stall record
 * the event thread would take off the queue, and the CMD_RESUME that the
 * driver would issue is caught into "resumes" instead of reaching QEMU's
 * queue. Everything between is the kernel's real path: the IOPF queue,
 * the attach handle, iommufd's fault file, and the page response.
 */
#include <poll.h>

#include "../kselftest_harness.h"
#include "smmuv3_robust.h"

#define WAIT_MS		2000
#define MAX_RESUMES	64	/* what the hook keeps */

/* CMD_RESUME's response field (IHI 0070 4.7.1, bits [13:12]) */
#define RESP_RETRY	1
#define RESP_ABORT	2

/* What the hooks caught: one CMD_RESUME */
struct resume {
	unsigned int sid, stag, resp;
};

/* The CMD_RESUMEs caught since the last call, from every SMMU; -1: lost */
static int take_resumes(struct resume *r, int max)
{
	char path[512], line[64];
	struct dirent *de;
	int n = 0;
	DIR *dir = opendir(SMMUV3_HOOKS);
	FILE *f;

	while (dir && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/resumes", SMMUV3_HOOKS,
			 de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			if (n == max || sscanf(line, "%x %x %x", &r[n].sid,
					       &r[n].stag, &r[n].resp) != 3)
				n = -1;
			if (n < 0)
				break;
			n++;
		}
		fclose(f);
		if (n < 0)
			break;
	}
	if (dir)
		closedir(dir);
	return n;
}

/* The StreamID of PCI device @bdf: its requester ID on QEMU's virt board */
static unsigned int bdf_sid(const char *bdf)
{
	unsigned int domain, bus, dev, fn;

	if (sscanf(bdf, "%x:%x:%x.%x", &domain, &bus, &dev, &fn) != 4)
		return ~0U;
	return bus << 8 | dev << 3 | fn;
}

/* Up to @max fault records within @ms; how many, or -errno */
static int read_faults(int ffd, struct iommu_hwpt_pgfault *f, int max, int ms)
{
	struct pollfd p = { .fd = ffd, .events = POLLIN };
	ssize_t len;

	if (poll(&p, 1, ms) != 1)
		return 0;
	len = read(ffd, f, max * sizeof(*f));
	return len < 0 ? -errno : len / (int)sizeof(*f);
}

static int respond(int ffd, uint32_t cookie, uint32_t code)
{
	struct iommu_hwpt_page_response r = { .cookie = cookie, .code = code };

	return write(ffd, &r, sizeof(r)) == sizeof(r) ? 0 : -errno;
}

FIXTURE(stall) {
	int fd, ffd;
	struct edu edu;
	struct robust_vm vm;
	uint64_t cd;
	uint32_t fault_id, nested, sid;
	bool marked;
};

/* A nested HWPT whose stalls go to fault object @fault_id (0: none) */
static int alloc_nested(FIXTURE_DATA(stall) *self, uint32_t mode,
			uint32_t fault_id, uint32_t *id)
{
	struct iommu_hwpt_arm_smmuv3_s1ctx ctx = {
		.mode = mode,
		.s1ctxptr = mode == IOMMU_SMMUV3_S1CTX_TRANSLATE ? self->cd : 0,
	};

	return iofd_hwpt_alloc_fault(self->fd, self->edu.dev_id,
				     self->vm.parent,
				     fault_id ? IOMMU_HWPT_FAULT_ID_VALID : 0,
				     fault_id, IOMMU_HWPT_DATA_ARM_SMMUV3_S1CTX,
				     &ctx, sizeof(ctx), id);
}

static int mark_stall(FIXTURE_DATA(stall) *self, int on)
{
	return fake_stall(self->edu.bdf, on);
}

/* A stall of the edu device: stall tag, SubstreamID (-1: none), access */
static int inject(FIXTURE_DATA(stall) *self, unsigned int stag, int ssid,
		  uint64_t addr, const char *access)
{
	char text[96];

	snprintf(text, sizeof(text), "%s %x %d %llx %s", self->edu.bdf, stag,
		 ssid, (unsigned long long)addr, access);
	return hooks_write("inject_stall", text);
}

FIXTURE_SETUP(stall)
{
	struct resume before[MAX_RESUMES];
	uint64_t root;
	int ret;

	self->fd = -1;
	self->ffd = -1;
	ret = edu_open_bound(&self->edu, &self->fd);
	if (ret == -ENODEV) {
		ASSERT_EQ(0, edu_promised()) TH_LOG("the test bed lost its edu device");
		SKIP(return, "no edu device");
	}
	ASSERT_EQ(0, ret);
	/* The test bed's kernels that run this test all have the hooks */
	ASSERT_EQ(0, access(SMMUV3_HOOKS, F_OK));
	self->sid = bdf_sid(self->edu.bdf);
	ASSERT_EQ(0, robust_vm_map(self->fd, &self->vm, 0x40,
				   self->edu.dev_id));
	self->cd = robust_vm_context(&self->vm, 1, &root);
	ASSERT_EQ(0, iofd_fault_alloc(self->fd, &self->fault_id, &self->ffd));
	ASSERT_EQ(0, alloc_nested(self, IOMMU_SMMUV3_S1CTX_TRANSLATE,
				  self->fault_id, &self->nested));
	ASSERT_EQ(0, mark_stall(self, 1));
	self->marked = true;
	ASSERT_EQ(0, edu_attach(&self->edu, self->nested));
	/* Nothing caught from before this test */
	ASSERT_LE(0, take_resumes(before, MAX_RESUMES));
}

FIXTURE_TEARDOWN(stall)
{
	if (self->edu.fd >= 0)
		edu_detach(&self->edu);
	/* Unmarked before the unbind, whose default domain stays clean */
	if (self->marked)
		mark_stall(self, 0);
	edu_close(&self->edu);
	if (self->ffd >= 0)
		close(self->ffd);
	if (self->fd >= 0)
		close(self->fd);
}

/* The one CMD_RESUME caught since the last look: this device's, @stag, @resp */
#define EXPECT_ONE_RESUME(stag_, resp_) do {				\
	struct resume r_[MAX_RESUMES];					\
	ASSERT_EQ(1, take_resumes(r_, MAX_RESUMES));			\
	EXPECT_EQ(self->sid, r_[0].sid);				\
	EXPECT_EQ((unsigned int)(stag_), r_[0].stag);			\
	EXPECT_EQ((unsigned int)(resp_), r_[0].resp);			\
} while (0)

#define EXPECT_NO_RESUME() do {						\
	struct resume r_[MAX_RESUMES];					\
	EXPECT_EQ(0, take_resumes(r_, MAX_RESUMES));			\
} while (0)

/*
 * The fault says what the record said, in iommufd's words; SUCCESS comes
 * back as a retry, INVALID as an abort, each with the device's StreamID
 * and the stall's own tag.
 */
TEST_F(stall, fault_and_resume)
{
	struct iommu_hwpt_pgfault f[2];

	ASSERT_EQ(0, inject(self, 0x1234, -1, 0xdead000, "r"));
	ASSERT_EQ(1, read_faults(self->ffd, f, 2, WAIT_MS));
	EXPECT_EQ(IOMMU_PGFAULT_FLAGS_LAST_PAGE, f[0].flags);
	EXPECT_EQ(self->edu.dev_id, f[0].dev_id);
	EXPECT_EQ(0x1234, f[0].grpid);
	EXPECT_EQ(IOMMU_PGFAULT_PERM_READ, f[0].perm);
	EXPECT_EQ(0xdead000, f[0].addr);
	EXPECT_NO_RESUME();
	ASSERT_EQ(0, respond(self->ffd, f[0].cookie, IOMMUFD_PAGE_RESP_SUCCESS));
	EXPECT_ONE_RESUME(0x1234, RESP_RETRY);

	/* A SubstreamID makes it a PASID; write, exec and priv come along */
	ASSERT_EQ(0, inject(self, 0xbeef, 5, 0x7f0000123000ULL, "wxp"));
	ASSERT_EQ(1, read_faults(self->ffd, f, 2, WAIT_MS));
	EXPECT_EQ(IOMMU_PGFAULT_FLAGS_LAST_PAGE |
		  IOMMU_PGFAULT_FLAGS_PASID_VALID, f[0].flags);
	EXPECT_EQ(5, f[0].pasid);
	EXPECT_EQ(0xbeef, f[0].grpid);
	EXPECT_EQ(IOMMU_PGFAULT_PERM_WRITE | IOMMU_PGFAULT_PERM_EXEC |
		  IOMMU_PGFAULT_PERM_PRIV, f[0].perm);
	EXPECT_EQ(0x7f0000123000ULL, f[0].addr);
	ASSERT_EQ(0, respond(self->ffd, f[0].cookie, IOMMUFD_PAGE_RESP_INVALID));
	EXPECT_ONE_RESUME(0xbeef, RESP_ABORT);
}

/* A response for no fault, twice for one, or with another code: EINVAL */
TEST_F(stall, bad_responses)
{
	struct iommu_hwpt_pgfault f[1];

	ASSERT_EQ(0, inject(self, 7, -1, 0x1000, "r"));
	ASSERT_EQ(1, read_faults(self->ffd, f, 1, WAIT_MS));
	EXPECT_EQ(-EINVAL, respond(self->ffd, f[0].cookie + 1,
				   IOMMUFD_PAGE_RESP_SUCCESS));
	EXPECT_EQ(-EINVAL, respond(self->ffd, f[0].cookie, 2));
	EXPECT_NO_RESUME();
	ASSERT_EQ(0, respond(self->ffd, f[0].cookie, IOMMUFD_PAGE_RESP_SUCCESS));
	EXPECT_EQ(-EINVAL, respond(self->ffd, f[0].cookie,
				   IOMMUFD_PAGE_RESP_SUCCESS));
	EXPECT_ONE_RESUME(7, RESP_RETRY);
}

/*
 * Closing the fault file answers a fault read and one not read yet, and
 * later stalls are terminated at once (patches/0020).
 */
TEST_F(stall, close_answers_pending)
{
	struct iommu_hwpt_pgfault f[1];
	struct resume r[MAX_RESUMES];

	ASSERT_EQ(0, inject(self, 1, -1, 0x1000, "r"));
	ASSERT_EQ(1, read_faults(self->ffd, f, 1, WAIT_MS));
	ASSERT_EQ(0, inject(self, 2, -1, 0x2000, "w"));
	EXPECT_NO_RESUME();
	ASSERT_EQ(0, close(self->ffd));
	self->ffd = -1;
	ASSERT_EQ(2, take_resumes(r, MAX_RESUMES));
	EXPECT_EQ(RESP_ABORT, r[0].resp);
	EXPECT_EQ(RESP_ABORT, r[1].resp);
	EXPECT_EQ(3, r[0].stag + r[1].stag);
	ASSERT_EQ(0, inject(self, 3, -1, 0x3000, "r"));
	EXPECT_ONE_RESUME(3, RESP_ABORT);
}

/*
 * A VMM that reads nothing never holds up the host: 48 stalls go into its
 * queue without a wait, come out in one read in the order they came, and
 * closing the file aborts each of them.
 */
TEST_F(stall, many_pending_stalls)
{
	struct iommu_hwpt_pgfault f[48];
	struct resume r[MAX_RESUMES];
	unsigned int i, sum = 0;

	for (i = 0; i < 48; i++)
		ASSERT_EQ(0, inject(self, 0x100 + i, -1, 0x1000 * i, "w"));
	ASSERT_EQ(48, read_faults(self->ffd, f, 48, WAIT_MS));
	for (i = 0; i < 48; i++) {
		EXPECT_EQ(0x100 + i, f[i].grpid);
		EXPECT_EQ(0x1000ULL * i, f[i].addr);
	}
	EXPECT_NO_RESUME();
	ASSERT_EQ(0, close(self->ffd));
	self->ffd = -1;
	ASSERT_EQ(48, take_resumes(r, MAX_RESUMES));
	for (i = 0; i < 48; i++) {
		EXPECT_EQ(RESP_ABORT, r[i].resp);
		sum += r[i].stag;
	}
	EXPECT_EQ(48 * 0x100 + 47 * 48 / 2, sum);
}

/* Detaching the HWPT answers what its queue holds */
TEST_F(stall, detach_answers_pending)
{
	struct iommu_hwpt_pgfault f[1];

	ASSERT_EQ(0, inject(self, 0x10, -1, 0x1000, "r"));
	ASSERT_EQ(1, read_faults(self->ffd, f, 1, WAIT_MS));
	ASSERT_EQ(0, edu_detach(&self->edu));
	EXPECT_ONE_RESUME(0x10, RESP_ABORT);
	/* The cookie died with the attachment */
	EXPECT_EQ(-EINVAL, respond(self->ffd, f[0].cookie,
				   IOMMUFD_PAGE_RESP_SUCCESS));
	EXPECT_NO_RESUME();
}

/*
 * Replacing it with a nested HWPT without a fault queue answers what is
 * pending, and a stall from then on is terminated at once.
 */
TEST_F(stall, replace_answers_pending)
{
	struct iommu_hwpt_pgfault f[1];
	uint32_t plain;

	ASSERT_EQ(0, inject(self, 0x20, -1, 0x1000, "r"));
	ASSERT_EQ(0, alloc_nested(self, IOMMU_SMMUV3_S1CTX_TRANSLATE, 0,
				  &plain));
	ASSERT_EQ(0, edu_attach(&self->edu, plain));
	EXPECT_ONE_RESUME(0x20, RESP_ABORT);
	EXPECT_EQ(0, read_faults(self->ffd, f, 1, 100));
	ASSERT_EQ(0, inject(self, 0x21, -1, 0x1000, "r"));
	EXPECT_ONE_RESUME(0x21, RESP_ABORT);
	/* Back to the fault queue: not by replace, but from no HWPT */
	EXPECT_EQ(-EBUSY, edu_attach(&self->edu, self->nested));
	ASSERT_EQ(0, edu_detach(&self->edu));
	ASSERT_EQ(0, edu_attach(&self->edu, self->nested));
	ASSERT_EQ(0, inject(self, 0x22, -1, 0x1000, "r"));
	ASSERT_EQ(1, read_faults(self->ffd, f, 1, WAIT_MS));
	EXPECT_EQ(0x22, f[0].grpid);
	EXPECT_NO_RESUME();
	ASSERT_EQ(0, edu_detach(&self->edu));
	EXPECT_ONE_RESUME(0x22, RESP_ABORT);
	ASSERT_EQ(0, iofd_destroy(self->fd, plain));
}

/* Unbinding the device (closing its VFIO file) answers what is pending */
TEST_F(stall, unbind_answers_pending)
{
	struct iommu_hwpt_pgfault f[1];
	char bdf[16];

	ASSERT_EQ(0, inject(self, 0x30, -1, 0x1000, "r"));
	ASSERT_EQ(1, read_faults(self->ffd, f, 1, WAIT_MS));
	ASSERT_EQ(0, inject(self, 0x31, -1, 0x1000, "r"));
	edu_close(&self->edu);
	{
		struct resume r[MAX_RESUMES];

		ASSERT_EQ(2, take_resumes(r, MAX_RESUMES));
		EXPECT_EQ(RESP_ABORT, r[0].resp);
		EXPECT_EQ(RESP_ABORT, r[1].resp);
		EXPECT_EQ(0x61, r[0].stag + r[1].stag);
	}
	/* Bound and released again unmarked: its default domain is clean */
	ASSERT_EQ(0, mark_stall(self, 0));
	self->marked = false;
	snprintf(bdf, sizeof(bdf), "%s", self->edu.bdf);
	ASSERT_EQ(0, edu_open(&self->edu, bdf));
	ASSERT_EQ(0, edu_bind(&self->edu, self->fd));
	edu_close(&self->edu);
}

/*
 * A stage-2 fault is the host's: terminated at once, never a fault for
 * the VMM. So is every stall while nesting is switched off.
 */
TEST_F(stall, host_stalls_terminated)
{
	struct iommu_hwpt_pgfault f[1];

	ASSERT_EQ(0, inject(self, 0x40, -1, 0x1000, "r2"));
	EXPECT_ONE_RESUME(0x40, RESP_ABORT);
	EXPECT_EQ(0, read_faults(self->ffd, f, 1, 100));

	ASSERT_EQ(0, nesting_switch(0));
	ASSERT_EQ(0, inject(self, 0x41, -1, 0x1000, "r"));
	ASSERT_EQ(0, nesting_switch(1));
	EXPECT_ONE_RESUME(0x41, RESP_ABORT);
	EXPECT_EQ(0, read_faults(self->ffd, f, 1, 100));
}

/*
 * Who may have a fault queue: not a device coming from another HWPT by
 * replace (EBUSY, it stays where it was), not a nested HWPT without
 * stage 1 (EINVAL at attach), not a nest parent (EOPNOTSUPP), not with
 * another iommufd's fault object (ENOENT), and not a device that cannot
 * stall (EINVAL).
 */
TEST_F(stall, refusals)
{
	uint32_t bypass, abort_, id, other_fault, second;
	struct iommu_hwpt_pgfault f[1];
	int other, other_ffd;

	ASSERT_EQ(0, alloc_nested(self, IOMMU_SMMUV3_S1CTX_TRANSLATE,
				  self->fault_id, &second));
	EXPECT_EQ(-EBUSY, edu_attach(&self->edu, second));
	ASSERT_EQ(0, inject(self, 0x50, -1, 0x1000, "r"));
	ASSERT_EQ(1, read_faults(self->ffd, f, 1, WAIT_MS));
	ASSERT_EQ(0, respond(self->ffd, f[0].cookie, IOMMUFD_PAGE_RESP_SUCCESS));
	EXPECT_ONE_RESUME(0x50, RESP_RETRY);

	ASSERT_EQ(0, edu_detach(&self->edu));
	EXPECT_EQ(0, edu_attach(&self->edu, second));
	ASSERT_EQ(0, edu_detach(&self->edu));
	ASSERT_EQ(0, iofd_destroy(self->fd, second));
	ASSERT_EQ(0, alloc_nested(self, IOMMU_SMMUV3_S1CTX_BYPASS,
				  self->fault_id, &bypass));
	EXPECT_EQ(-EINVAL, edu_attach(&self->edu, bypass));
	ASSERT_EQ(0, alloc_nested(self, IOMMU_SMMUV3_S1CTX_ABORT,
				  self->fault_id, &abort_));
	EXPECT_EQ(-EINVAL, edu_attach(&self->edu, abort_));
	EXPECT_EQ(-EOPNOTSUPP,
		  iofd_hwpt_alloc(self->fd, self->edu.dev_id, self->vm.ioas,
				  IOMMU_HWPT_ALLOC_NEST_PARENT |
				  IOMMU_HWPT_FAULT_ID_VALID,
				  IOMMU_HWPT_DATA_NONE, NULL, 0, &id));

	other = open("/dev/iommu", O_RDWR);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, iofd_fault_alloc(other, &other_fault, &other_ffd));
	EXPECT_EQ(-ENOENT, alloc_nested(self, IOMMU_SMMUV3_S1CTX_TRANSLATE,
					other_fault, &id));
	close(other_ffd);
	close(other);

	ASSERT_EQ(0, mark_stall(self, 0));
	self->marked = false;
	EXPECT_EQ(-EINVAL, edu_attach(&self->edu, self->nested));
	/* Nothing was left half done: the device still attaches */
	ASSERT_EQ(0, mark_stall(self, 1));
	self->marked = true;
	EXPECT_EQ(0, edu_attach(&self->edu, self->nested));
	ASSERT_EQ(0, edu_detach(&self->edu));
	ASSERT_EQ(0, iofd_destroy(self->fd, bypass));
	ASSERT_EQ(0, iofd_destroy(self->fd, abort_));
	EXPECT_NO_RESUME();
}

TEST_HARNESS_MAIN
