// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation failure on the nesting paths, one failure point at a time:
 * /proc/thread-self/fail-nth makes the Nth slab or page allocation of the
 * next calls fail (failslab, fail_page_alloc), for N = 1, 2, ... until the
 * operation runs through without reaching its Nth allocation.
 *
 * Each time the injected failure was reached, the operation must return an
 * error and the device must still translate as before it: an edu DMA shows
 * which translation the device's STE holds. Nothing may be left behind: no
 * object (the same allocation succeeds afterwards), no VMID (the nesting
 * test hooks count them) and, on the debug kernel, no memory (kmemleak).
 */
#include "../kselftest_harness.h"
#include "iommufd_calls.h"
#include "smmuv3_guest.h"
#include "smmuv3_robust.h"

#define VA_SRC		0x10000000ULL	/* -> data page 0 in both contexts */
#define VA_DST		0x20000000ULL	/* -> page 1 (ctx 1), page 2 (ctx 2) */
#define MAX_POINTS	400

/* The device's translation, as DMA sees it; VIA_NONE: detached */
enum reach { VIA_PARENT, VIA_CTX1, VIA_CTX2, VIA_NONE };

/* The operations under test */
enum nth_op {
	NESTED_ALLOC, PARENT_ALLOC, ATTACH_CTX1, ATTACH_CTX2, ATTACH_PARENT,
	INVALIDATE, EVENTQ_ALLOC, FAULT_ALLOC, FAULT_HWPT_ALLOC, ATTACH_FAULT,
};

FIXTURE(fail_nth)
{
	int fd, nth_fd;
	struct edu edu;
	struct robust_vm vm;
	uint32_t ctx1, ctx2;
	uint64_t cd1, cd2;
	long vmids;
	uint32_t made;		/* by the operation under test */
	unsigned int points, absorbed;
	/* Fault queue variants: the device marked able to stall (hooks) */
	bool stalls;
	int ffd;
	uint32_t fault_id, fault_hwpt;	/* a nested HWPT on cd2 using it */
};

/* The device is on @before, @op runs, and then it is on @after */
FIXTURE_VARIANT(fail_nth)
{
	enum reach before;
	enum nth_op op;
	enum reach after;
};

FIXTURE_VARIANT_ADD(fail_nth, nested_alloc)
{
	.before = VIA_CTX1, .op = NESTED_ALLOC, .after = VIA_CTX1,
};

FIXTURE_VARIANT_ADD(fail_nth, nest_parent_alloc)
{
	.before = VIA_CTX1, .op = PARENT_ALLOC, .after = VIA_CTX1,
};

FIXTURE_VARIANT_ADD(fail_nth, attach_from_parent)
{
	.before = VIA_PARENT, .op = ATTACH_CTX1, .after = VIA_CTX1,
};

FIXTURE_VARIANT_ADD(fail_nth, replace_nested)
{
	.before = VIA_CTX1, .op = ATTACH_CTX2, .after = VIA_CTX2,
};

FIXTURE_VARIANT_ADD(fail_nth, replace_to_parent)
{
	.before = VIA_CTX2, .op = ATTACH_PARENT, .after = VIA_PARENT,
};

/* A failed invalidation carried out fewer entries than it was given */
FIXTURE_VARIANT_ADD(fail_nth, invalidate)
{
	.before = VIA_CTX1, .op = INVALIDATE, .after = VIA_CTX1,
};

/* A failed queue leaves no event sink behind: the next one is not EBUSY */
FIXTURE_VARIANT_ADD(fail_nth, eventq_alloc)
{
	.before = VIA_CTX1, .op = EVENTQ_ALLOC, .after = VIA_CTX1,
};

/* A fault queue (IOMMU_FAULT_QUEUE_ALLOC), its file closed at once */
FIXTURE_VARIANT_ADD(fail_nth, fault_queue_alloc)
{
	.before = VIA_CTX1, .op = FAULT_ALLOC, .after = VIA_CTX1,
};

/* A nested HWPT with a fault queue (IOMMU_HWPT_FAULT_ID_VALID) */
FIXTURE_VARIANT_ADD(fail_nth, fault_hwpt_alloc)
{
	.before = VIA_CTX1, .op = FAULT_HWPT_ALLOC, .after = VIA_CTX1,
};

/*
 * Onto it, from no HWPT (as it must): I/O page faults enabled, the IOPF
 * queue, the attach handle
 */
FIXTURE_VARIANT_ADD(fail_nth, attach_fault_hwpt)
{
	.before = VIA_NONE, .op = ATTACH_FAULT, .after = VIA_CTX2,
};

static bool fault_variant(enum nth_op op)
{
	return op == FAULT_ALLOC || op == FAULT_HWPT_ALLOC ||
	       op == ATTACH_FAULT;
}

/* A nested HWPT for context @cd whose stalls go to fault object @fault_id */
static int alloc_fault_hwpt(FIXTURE_DATA(fail_nth) *self, uint64_t cd,
			    uint32_t fault_id, uint32_t *id)
{
	struct iommu_hwpt_arm_smmuv3_s1ctx ctx = {
		.mode = IOMMU_SMMUV3_S1CTX_TRANSLATE,
		.s1ctxptr = cd,
	};

	return iofd_hwpt_alloc_fault(self->fd, self->edu.dev_id,
				     self->vm.parent,
				     IOMMU_HWPT_FAULT_ID_VALID, fault_id,
				     IOMMU_HWPT_DATA_ARM_SMMUV3_S1CTX, &ctx,
				     sizeof(ctx), id);
}

static uint64_t write_context(FIXTURE_DATA(fail_nth) *self, uint16_t asid,
			      int dst_page)
{
	uint64_t root, cd = robust_vm_context(&self->vm, asid, &root);

	guest_map(&self->vm.g, root, VA_SRC, DATA_IPA);
	guest_map(&self->vm.g, root, VA_DST, DATA_IPA + dst_page * PAGE);
	return cd;
}

static int alloc_nested(FIXTURE_DATA(fail_nth) *self, uint64_t cd,
			uint32_t *id)
{
	return robust_vm_nested(self->fd, &self->vm, self->edu.dev_id, cd, id);
}

FIXTURE_SETUP(fail_nth)
{
	const char *verbose;
	char path[64];
	int ret = edu_open_bound(&self->edu, &self->fd);

	self->nth_fd = -1;
	self->ffd = -1;
	if (ret == -ENODEV) {
		ASSERT_EQ(0, edu_promised()) TH_LOG("the test bed lost its edu device");
		SKIP(return, "no edu device");
	}
	ASSERT_EQ(0, ret);
	snprintf(path, sizeof(path), "/proc/self/task/%d/fail-nth", gettid());
	self->nth_fd = open(path, O_RDWR);
	if (self->nth_fd < 0)
		SKIP(return, "no fault injection (CONFIG_FAULT_INJECTION)");
	/*
	 * Every allocation may fail, sleeping ones included (if a knob is
	 * missing, the sweep finds fewer points; nothing to stop for).
	 */
	testbed_write("/sys/kernel/debug/failslab/ignore-gfp-wait", "N");
	testbed_write("/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N");
	/* testbed.fail_verbose=1: a stack trace for each injected failure */
	verbose = testbed_param("fail_verbose") ? "1" : "0";
	testbed_write("/sys/kernel/debug/failslab/verbose", verbose);
	testbed_write("/sys/kernel/debug/fail_page_alloc/verbose", verbose);
	self->vmids = vmids_allocated();

	ASSERT_EQ(0, robust_vm_map(self->fd, &self->vm, 0xa0,
				   self->edu.dev_id));
	self->cd1 = write_context(self, 1, 1);
	self->cd2 = write_context(self, 2, 2);
	ASSERT_EQ(0, alloc_nested(self, self->cd1, &self->ctx1));
	ASSERT_EQ(0, alloc_nested(self, self->cd2, &self->ctx2));
	if (fault_variant(variant->op)) {
		/* QEMU's SMMU cannot stall: the test hooks say this device can */
		ASSERT_EQ(0, fake_stall(self->edu.bdf, 1));
		self->stalls = true;
		ASSERT_EQ(0, iofd_fault_alloc(self->fd, &self->fault_id,
					      &self->ffd));
		ASSERT_EQ(0, alloc_fault_hwpt(self, self->cd2, self->fault_id,
					      &self->fault_hwpt));
	}
	ASSERT_EQ(0, edu_enable(&self->edu));
}

FIXTURE_TEARDOWN(fail_nth)
{
	/* Unmarked before the unbind, whose default domain stays clean */
	if (self->stalls) {
		edu_detach(&self->edu);
		EXPECT_EQ(0, fake_stall(self->edu.bdf, 0));
	}
	edu_close(&self->edu);
	if (self->ffd >= 0)
		close(self->ffd);
	if (self->fd >= 0)
		close(self->fd);
	if (self->nth_fd >= 0)
		close(self->nth_fd);
	printf("# %u failure points tried, %u absorbed without an error\n",
	       self->points, self->absorbed);
	/* Everything is closed: every VMID must be back */
	if (self->vmids >= 0)
		EXPECT_EQ(self->vmids, vmids_allocated());
}

/*
 * A DMA shows where the device translates. The contexts leave CD.R clear,
 * so a DMA that a translation drops records no event.
 */
static void expect_reach(struct __test_metadata *_metadata,
			 FIXTURE_DATA(fail_nth) *self, enum reach r,
			 unsigned int nth)
{
	switch (r) {
	case VIA_PARENT:	/* IPAs: page 0 -> page 3 */
		ASSERT_EQ(3, robust_dma_lands(&self->edu, &self->vm, DATA_IPA,
					      DATA_IPA + 3 * PAGE))
			TH_LOG("failure point %u: not on the parent", nth);
		break;
	case VIA_CTX1:
	case VIA_CTX2:
		ASSERT_EQ(r == VIA_CTX1 ? 1 : 2,
			  robust_dma_lands(&self->edu, &self->vm, VA_SRC,
					   VA_DST))
			TH_LOG("failure point %u: not on context %d", nth,
			       r == VIA_CTX1 ? 1 : 2);
		break;
	case VIA_NONE:	/* blocked: the DMA reaches no page */
		ASSERT_EQ(-1, robust_dma_lands(&self->edu, &self->vm, VA_SRC,
					       VA_DST))
			TH_LOG("failure point %u: not blocked", nth);
		break;
	}
}

/* Arm the Nth allocation of this thread to fail; 0 disarms */
static void fail_nth_arm(struct __test_metadata *_metadata,
			 FIXTURE_DATA(fail_nth) *self, unsigned int nth)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", nth);

	ASSERT_EQ(len, pwrite(self->nth_fd, buf, len, 0));
}

/* Was the armed failure reached? Disarms. */
static bool fail_nth_reached(struct __test_metadata *_metadata,
			     FIXTURE_DATA(fail_nth) *self)
{
	char buf[16] = "";

	ASSERT_LT(0, pread(self->nth_fd, buf, sizeof(buf) - 1, 0));
	fail_nth_arm(_metadata, self, 0);
	return atoi(buf) == 0;
}

/* Four entries of each kind the SMMU carries out */
static int invalidate_four(FIXTURE_DATA(fail_nth) *self, uint32_t *done)
{
	struct iommu_hwpt_invalidate_generic inv[4] = {
		{ .cache = IOMMU_INV_CACHE_CONTEXT,
		  .granularity = IOMMU_INV_GRANU_DOMAIN },
		{ .cache = IOMMU_INV_CACHE_IOTLB,
		  .granularity = IOMMU_INV_GRANU_ADDR_SPACE,
		  .flags = IOMMU_INV_FLAG_ARCHID, .archid = 1 },
		{ .cache = IOMMU_INV_CACHE_IOTLB,
		  .granularity = IOMMU_INV_GRANU_ADDR,
		  .addr = VA_DST, .granule_size = PAGE, .nb_granules = 3 },
		{ .cache = IOMMU_INV_CACHE_IOTLB,
		  .granularity = IOMMU_INV_GRANU_DOMAIN },
	};

	*done = 4;
	return iofd_invalidate(self->fd, self->ctx1,
			       IOMMU_HWPT_INVALIDATE_DATA_GENERIC, inv,
			       sizeof(inv[0]), done);
}

/* Run @op; what it made (an object to destroy) goes in self->made */
static int run_op(FIXTURE_DATA(fail_nth) *self, enum nth_op op)
{
	uint32_t done;
	int ret, qfd = -1;

	self->made = 0;
	switch (op) {
	case NESTED_ALLOC:
		return alloc_nested(self, self->cd2, &self->made);
	case PARENT_ALLOC:
		return iofd_hwpt_alloc(self->fd, self->edu.dev_id, self->vm.ioas,
				       IOMMU_HWPT_ALLOC_NEST_PARENT,
				       IOMMU_HWPT_DATA_NONE, NULL, 0,
				       &self->made);
	case ATTACH_CTX1:
		return edu_attach(&self->edu, self->ctx1);
	case ATTACH_CTX2:
		return edu_attach(&self->edu, self->ctx2);
	case ATTACH_PARENT:
		return edu_attach(&self->edu, self->vm.parent);
	case INVALIDATE:
		ret = invalidate_four(self, &done);
		/* A failed one carried out fewer than it was given */
		return ret || done == 4 ? ret : -ERANGE;
	case EVENTQ_ALLOC:
		ret = iofd_eventq_alloc(self->fd, self->edu.dev_id, 0, 64,
					&self->made, &qfd);
		/* The queue's file closed, IOMMU_DESTROY may take it */
		if (!ret)
			close(qfd);
		return ret;
	case FAULT_ALLOC:
		ret = iofd_fault_alloc(self->fd, &self->made, &qfd);
		if (!ret)
			close(qfd);
		return ret;
	case FAULT_HWPT_ALLOC:
		return alloc_fault_hwpt(self, self->cd1, self->fault_id,
					&self->made);
	case ATTACH_FAULT:
		return edu_attach(&self->edu, self->fault_hwpt);
	}
	return -EINVAL;
}

static uint32_t reach_id(FIXTURE_DATA(fail_nth) *self, enum reach r)
{
	return r == VIA_PARENT ? self->vm.parent :
	       r == VIA_CTX1 ? self->ctx1 : self->ctx2;
}

/* Put the device on @r: attached to its HWPT, or detached */
static int reach(FIXTURE_DATA(fail_nth) *self, enum reach r)
{
	if (r == VIA_NONE)
		return edu_detach(&self->edu);	/* 0 when detached already */
	return edu_attach(&self->edu, reach_id(self, r));
}

/*
 * Run @op with failure point 1, 2, ... armed. The device is on @before
 * first; after a failed @op it must still be, after a successful one it
 * must be on @after (and what @op made is destroyed). Stops at the first
 * run that reached no failure point, which must succeed.
 */
static void sweep(struct __test_metadata *_metadata,
		  FIXTURE_DATA(fail_nth) *self, enum reach before,
		  enum nth_op op, enum reach after)
{
	unsigned int nth;
	bool reached;
	int ret;

	for (nth = 1; nth < MAX_POINTS; nth++) {
		ASSERT_EQ(0, reach(self, before));
		fail_nth_arm(_metadata, self, nth);
		ret = run_op(self, op);
		reached = fail_nth_reached(_metadata, self);
		if (reached)
			self->points++;
		if (!reached)
			ASSERT_EQ(0, ret) TH_LOG("no failure injected: %d", ret);
		if (ret) {
			expect_reach(_metadata, self, before, nth);
			continue;
		}
		self->absorbed += reached;
		expect_reach(_metadata, self, after, nth);
		if (self->made)
			ASSERT_EQ(0, iofd_destroy(self->fd, self->made));
		if (!reached)
			return;
	}
	ASSERT_GT(MAX_POINTS, nth) TH_LOG("more failure points than expected");
}

/* Every failure point of the variant's operation, then a clean run */
TEST_F_TIMEOUT(fail_nth, each_failure_point, 300)
{
	sweep(_metadata, self, variant->before, variant->op, variant->after);
	/* Nothing was left half done: the same operation goes through */
	ASSERT_EQ(0, reach(self, variant->before));
	ASSERT_EQ(0, run_op(self, variant->op));
	if (self->made)
		ASSERT_EQ(0, iofd_destroy(self->fd, self->made));
}

TEST_HARNESS_MAIN
