// SPDX-License-Identifier: GPL-2.0
/*
 * Nesting under concurrency, as a multi-threaded VMM drives it: while
 * threads invalidate, replace device A's translation (a nested HWPT,
 * another one that device B shares, the parent), map and unmap the
 * parent's IOAS and allocate, attach and destroy nested HWPTs, device B is
 * attached and detached over and over. After every attach of B, B's guest
 * changes its context descriptor and asks another thread to invalidate;
 * B's next DMA must follow the new descriptor. An invalidation that ran
 * while the list of attached devices changed and missed B's StreamID would
 * leave QEMU's SMMU on the old one, and the DMA would land on the old page.
 *
 * Threads only get documented errnos (ENOENT for what another thread
 * destroyed, EBUSY for what is still attached). testbed.race_seconds=N
 * bounds the run (default 15).
 */
#include <pthread.h>
#include <stdatomic.h>

#include "../kselftest_harness.h"
#include "iommufd_calls.h"
#include "smmuv3_guest.h"
#include "smmuv3_robust.h"

#define SCRATCH_IPA	0x60000000ULL	/* mapped and unmapped all the time */
#define SCRATCH_SIZE	(16 * PAGE)
#define VA_SRC		0x10000000ULL	/* -> data page 0 */
#define VA_DST		0x20000000ULL	/* -> page 2 or 3, by B's root */

enum worker { INVALIDATE_1, INVALIDATE_2, REPLACE_A, UNMAP, DESTROY,
	      WORKERS };

static const char *const worker_names[WORKERS] = {
	"invalidate", "invalidate2", "replace_a", "map_unmap", "destroy",
};

struct race {
	int fd;
	struct edu a, b;
	struct robust_vm vm;
	uint8_t *scratch;
	uint32_t ctx_a, ctx_b;
	uint64_t cd_b, root_b[2];
	atomic_bool stop;
	/* B's checker asks, an invalidating thread serves */
	atomic_uint asked, served;
	atomic_int bad_errno, bad_worker;
	struct errno_hist hist[WORKERS];
};

static int allowed(int ret)
{
	return !ret || ret == -ENOENT || ret == -EBUSY;
}

static void record(struct race *r, enum worker w, int ret)
{
	errno_hist_add(&r->hist[w], ret);
	if (!allowed(ret) && !atomic_load(&r->bad_errno)) {
		atomic_store(&r->bad_worker, w);
		atomic_store(&r->bad_errno, ret);
	}
}

static int invalidate_domain(struct race *r, uint32_t hwpt, uint32_t cache)
{
	struct iommu_hwpt_invalidate_generic inv = {
		.cache = cache,
		.granularity = IOMMU_INV_GRANU_DOMAIN,
	};

	return iofd_invalidate_one(r->fd, hwpt, &inv);
}

static void *invalidator(void *arg, enum worker w)
{
	struct race *r = arg;
	uint64_t rng = w + 1;
	struct iommu_hwpt_invalidate_generic inv = {
		.cache = IOMMU_INV_CACHE_IOTLB,
		.granularity = IOMMU_INV_GRANU_ADDR,
		.granule_size = PAGE,
	};
	unsigned int asked;
	int ret;

	while (!atomic_load(&r->stop)) {
		asked = atomic_load(&r->asked);
		if (asked != atomic_load(&r->served)) {
			/* B's new descriptor, then its ASID's stale entries */
			ret = invalidate_domain(r, r->ctx_b,
						IOMMU_INV_CACHE_CONTEXT |
						IOMMU_INV_CACHE_IOTLB);
			record(r, w, ret);
			atomic_store(&r->served, asked);
			continue;
		}
		inv.addr = rng_below(&rng, 1 << 20) * PAGE;
		inv.nb_granules = 1 + rng_below(&rng, 64);
		record(r, w, iofd_invalidate_one(r->fd, rng_one_in(&rng, 2) ?
						 r->ctx_a : r->ctx_b, &inv));
		record(r, w, invalidate_domain(r, r->ctx_a,
					       IOMMU_INV_CACHE_CONTEXT));
	}
	return NULL;
}

static void *invalidate_1(void *arg)
{
	return invalidator(arg, INVALIDATE_1);
}

static void *invalidate_2(void *arg)
{
	return invalidator(arg, INVALIDATE_2);
}

/* A moves between its own context, B's context and the parent */
static void *replace_a(void *arg)
{
	struct race *r = arg;
	uint64_t rng = 7;
	uint32_t to[] = { r->ctx_a, r->ctx_b, r->vm.parent };
	int ret;

	while (!atomic_load(&r->stop)) {
		if (rng_one_in(&rng, 8))
			ret = edu_detach(&r->a);
		else
			ret = edu_attach(&r->a, to[rng_below(&rng, 3)]);
		record(r, REPLACE_A, ret);
	}
	return NULL;
}

/* Stage-2 changes under everyone: the scratch range comes and goes */
static void *map_unmap(void *arg)
{
	struct race *r = arg;

	while (!atomic_load(&r->stop)) {
		record(r, UNMAP, iofd_map(r->fd, r->vm.ioas, r->scratch,
					  SCRATCH_SIZE, SCRATCH_IPA));
		record(r, UNMAP, iofd_unmap(r->fd, r->vm.ioas, SCRATCH_IPA,
					    SCRATCH_SIZE));
	}
	return NULL;
}

/* Nested HWPTs that A is attached to for a moment, then destroyed */
static void *destroy(void *arg)
{
	struct race *r = arg;
	struct iommu_hwpt_arm_smmuv3_s1ctx ctx = {
		.mode = IOMMU_SMMUV3_S1CTX_BYPASS,
	};
	uint32_t id;
	int ret;

	while (!atomic_load(&r->stop)) {
		ret = iofd_hwpt_alloc(r->fd, r->a.dev_id, r->vm.parent, 0,
				      IOMMU_HWPT_DATA_ARM_SMMUV3_S1CTX, &ctx,
				      sizeof(ctx), &id);
		record(r, DESTROY, ret);
		if (ret)
			continue;
		record(r, DESTROY, edu_attach(&r->a, id));
		record(r, DESTROY, invalidate_domain(r, id,
						     IOMMU_INV_CACHE_CONTEXT));
		/* EBUSY while A is on it: move A away, as a VMM would */
		while (iofd_destroy(r->fd, id) == -EBUSY)
			record(r, DESTROY, edu_attach(&r->a, r->ctx_a));
	}
	return NULL;
}

static void *(*const workers[WORKERS])(void *) = {
	invalidate_1, invalidate_2, replace_a, map_unmap, destroy,
};

static void setup(struct __test_metadata *_metadata, struct race *r)
{
	uint64_t cd_a, root_a;
	int i;

	ASSERT_EQ(0, robust_vm_map(r->fd, &r->vm, 0xc0, r->b.dev_id));
	r->scratch = mmap(NULL, SCRATCH_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, r->scratch);
	/* A: ASID 1, its DMA never runs. B: ASID 2, two roots */
	cd_a = robust_vm_context(&r->vm, 1, &root_a);
	ASSERT_EQ(0, guest_map(&r->vm.g, root_a, VA_DST, DATA_IPA + PAGE));
	r->cd_b = guest_alloc_page(&r->vm.g);
	for (i = 0; i < 2; i++) {
		r->root_b[i] = guest_alloc_page(&r->vm.g);
		ASSERT_EQ(0, guest_map(&r->vm.g, r->root_b[i], VA_SRC, DATA_IPA));
		ASSERT_EQ(0, guest_map(&r->vm.g, r->root_b[i], VA_DST,
				       DATA_IPA + (2 + i) * PAGE));
	}
	guest_write_cd(&r->vm.g, r->cd_b, 2, r->root_b[0]);
	ASSERT_EQ(0, robust_vm_nested(r->fd, &r->vm, r->a.dev_id, cd_a,
				      &r->ctx_a));
	ASSERT_EQ(0, robust_vm_nested(r->fd, &r->vm, r->b.dev_id, r->cd_b,
				      &r->ctx_b));
	ASSERT_EQ(0, edu_enable(&r->b));
}

/* A fixture only for its time limit: the run is bounded by the seconds */
FIXTURE(race) {};
FIXTURE_SETUP(race) {}
FIXTURE_TEARDOWN(race) {}

TEST_F_TIMEOUT(race, attach_invalidate_replace_unmap_destroy, 500)
{
	static struct race r;
	unsigned int seconds = robust_seconds("race_seconds", 15);
	unsigned long rounds = 0, ops = 0;
	pthread_t threads[WORKERS];
	struct edu edus[2];
	int i, root = 0, landed;
	long vmids = vmids_allocated();
	double end;

	i = edu_open_all(edus, 2, &r.fd);
	if (i < 2) {
		ASSERT_GT(2, edu_promised()) TH_LOG("the test bed lost an edu device");
		SKIP(return, "two edu devices needed");
	}
	r.a = edus[0];
	r.b = edus[1];
	setup(_metadata, &r);
	for (i = 0; i < WORKERS; i++)
		r.hist[i].op = worker_names[i];
	for (i = 0; i < WORKERS; i++)
		ASSERT_EQ(0, pthread_create(&threads[i], NULL, workers[i], &r));

	end = robust_now() + seconds;
	while (robust_now() < end && !atomic_load(&r.bad_errno)) {
		/* B attached anew, maybe from nothing, maybe from the parent */
		EXPECT_EQ(0, rounds % 2 ? edu_detach(&r.b) :
					  edu_attach(&r.b, r.vm.parent));
		EXPECT_EQ(0, edu_attach(&r.b, r.ctx_b));
		landed = robust_dma_lands(&r.b, &r.vm, VA_SRC, VA_DST);
		EXPECT_EQ(2 + root, landed) TH_LOG("round %lu: after attach", rounds);

		/* The guest moves to its other root; another thread invalidates */
		root = !root;
		guest_write_cd(&r.vm.g, r.cd_b, 2, r.root_b[root]);
		atomic_fetch_add(&r.asked, 1);
		while (atomic_load(&r.served) != atomic_load(&r.asked))
			sched_yield();
		landed = robust_dma_lands(&r.b, &r.vm, VA_SRC, VA_DST);
		ASSERT_EQ(2 + root, landed)
			TH_LOG("round %lu: an invalidation missed B (DMA on page %d)",
			       rounds, landed);
		rounds++;
	}
	atomic_store(&r.stop, true);
	for (i = 0; i < WORKERS; i++)
		pthread_join(threads[i], NULL);

	for (i = 0; i < WORKERS; i++) {
		ops += errno_hist_total(&r.hist[i]);
		errno_hist_print(&r.hist[i]);
	}
	printf("# %d threads x %u s: %lu operations, %lu rounds of B (attach, invalidate, DMA)\n",
	       WORKERS + 1, seconds, ops, rounds);
	ASSERT_EQ(0, atomic_load(&r.bad_errno))
		TH_LOG("%s: %s", worker_names[atomic_load(&r.bad_worker)],
		       strerror(-atomic_load(&r.bad_errno)));
	ASSERT_LT(0, rounds);

	edu_close(&r.a);
	edu_close(&r.b);
	close(r.fd);
	if (vmids >= 0)
		ASSERT_EQ(vmids, vmids_allocated());
}

TEST_HARNESS_MAIN
