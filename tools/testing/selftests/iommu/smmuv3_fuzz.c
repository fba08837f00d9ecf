// SPDX-License-Identifier: GPL-2.0
/*
 * A seeded fuzzer of the nesting uAPI, as a hostile VMM would drive it:
 * random sequences of nest parent and nested allocations with random
 * field values, attach / replace / detach of both edu devices, invalidation
 * arrays with random entries, entry_len and entry_num, destroys in random
 * order, IOAS map and unmap under the parents, device event queues with
 * random flags and depths, fault queues (nested HWPTs with
 * IOMMU_HWPT_FAULT_ID_VALID, the devices marked able to stall by the test
 * hooks), and the off-switch toggled.
 *
 * The devices never master the bus, so no DMA and no SMMU event happens:
 * what is under test is the kernel's bookkeeping. It must only ever answer
 * with a documented errno, never say it carried out more invalidation
 * entries than it was given, and give every VMID back once everything is
 * destroyed. The debug kernel adds KASAN, lockdep and kmemleak.
 *
 * Seed and time: testbed.seed=N replays a run (the seed is printed),
 * testbed.fuzz_seconds=N bounds it (default 20), testbed.fuzz_ops=N stops
 * after N operations, for an exact replay of a shorter run.
 */
#include "../kselftest_harness.h"
#include "iommufd_calls.h"
#include "smmuv3_robust.h"

#define MAX_IDS		48
#define RAM_SIZE	(64 * 4096)
#define RAM_IPA		0x40000000ULL
#define MAX_ENTRIES	64
#define MAX_ENTRY_LEN	128

enum fuzz_op {
	OP_IOAS_ALLOC, OP_MAP, OP_UNMAP, OP_PARENT, OP_NESTED, OP_ATTACH,
	OP_DETACH, OP_INVALIDATE, OP_DESTROY, OP_EVENTQ, OP_FAULT, OP_SWITCH,
	OP_COUNT
};

static const char *const op_names[OP_COUNT] = {
	"ioas_alloc", "ioas_map", "ioas_unmap", "nest_parent", "nested",
	"attach", "detach", "invalidate", "destroy", "eventq", "fault_queue",
	"off_switch",
};

/*
 * The errnos each operation may answer with (the uAPI documentation's,
 * and iommufd's own for stale IDs and busy objects). Anything else is a
 * failure: an SMMU that timed out, a lost device.
 */
static const int allowed_errnos[] = {
	EINVAL, EOPNOTSUPP, ENOENT, EBUSY, EFAULT, EEXIST, ENOSPC, E2BIG,
	EOVERFLOW, ENOMEM,
	EADDRINUSE,	/* attach: the IOAS maps the device's reserved range */
};

/* What an ID we were given named */
enum id_kind { IOAS, PARENT, NESTED, EVENTQ, FAULT, KINDS };

struct fuzz {
	int fd, ndev;
	struct edu edu[2];
	uint64_t rng;
	uint8_t *ram;
	/* IDs we were given, some destroyed since, by kind */
	uint32_t ids[KINDS][MAX_IDS];
	int nids[KINDS];
	int nesting_on;
	int stalls;		/* devices marked able to stall */
	struct errno_hist hist[OP_COUNT];
	uint8_t entries[MAX_ENTRIES * MAX_ENTRY_LEN];
};

static void remember(struct fuzz *f, enum id_kind kind, uint32_t id)
{
	if (f->nids[kind] < MAX_IDS)
		f->ids[kind][f->nids[kind]++] = id;
	else
		f->ids[kind][rng_below(&f->rng, MAX_IDS)] = id;
}

/*
 * An ID of the @kind the operation wants, mostly; else one of another
 * kind; now and then any number at all.
 */
static uint32_t pick_id(struct fuzz *f, enum id_kind kind)
{
	if (rng_one_in(&f->rng, 4))
		kind = rng_below(&f->rng, KINDS);
	if (!f->nids[kind] || rng_one_in(&f->rng, 32))
		return rng_below(&f->rng, 1 << 10);
	return f->ids[kind][rng_below(&f->rng, f->nids[kind])];
}

static struct edu *pick_dev(struct fuzz *f)
{
	return &f->edu[rng_below(&f->rng, f->ndev)];
}

/* A value of @bits bits, biased to the small ones validation cares about */
static uint64_t pick_value(struct fuzz *f, int bits)
{
	uint64_t v;

	switch (rng_below(&f->rng, 4)) {
	case 0:
		v = 0;
		break;
	case 1:
		v = rng_below(&f->rng, 4);
		break;
	case 2:
		v = 1ULL << rng_below(&f->rng, bits);
		break;
	default:
		v = rng_next(&f->rng);
		break;
	}
	return bits < 64 ? v & ((1ULL << bits) - 1) : v;
}

static int op_ioas_alloc(struct fuzz *f)
{
	uint32_t id;
	int ret = iofd_ioas_alloc(f->fd, &id);

	if (!ret)
		remember(f, IOAS, id);
	return ret;
}

/* A page-aligned piece of guest RAM at its IPA, or a random IOVA */
static int op_map(struct fuzz *f)
{
	uint64_t page = rng_below(&f->rng, RAM_SIZE / 4096);
	uint64_t pages = 1 + rng_below(&f->rng, RAM_SIZE / 4096 - page);
	uint64_t iova = rng_one_in(&f->rng, 8) ? pick_value(f, 48) :
						 RAM_IPA + page * 4096;

	return iofd_map(f->fd, pick_id(f, IOAS), f->ram + page * 4096,
			pages * 4096, iova);
}

static int op_unmap(struct fuzz *f)
{
	uint64_t page = rng_below(&f->rng, RAM_SIZE / 4096);

	if (rng_one_in(&f->rng, 4))	/* everything */
		return iofd_unmap(f->fd, pick_id(f, IOAS), 0, UINT64_MAX);
	return iofd_unmap(f->fd, pick_id(f, IOAS), RAM_IPA + page * 4096,
			  4096 * (1 + rng_below(&f->rng, 4)));
}

static int op_parent(struct fuzz *f)
{
	uint32_t flags = rng_one_in(&f->rng, 8) ? pick_value(f, 32) :
						  IOMMU_HWPT_ALLOC_NEST_PARENT;
	uint32_t id;
	int ret = iofd_hwpt_alloc(f->fd, pick_dev(f)->dev_id,
				  pick_id(f, IOAS), flags,
				  IOMMU_HWPT_DATA_NONE, NULL, 0, &id);

	if (!ret)
		remember(f, PARENT, id);
	return ret;
}

/* A context that would be valid, with some fields made random */
static int op_nested(struct fuzz *f)
{
	struct {
		struct iommu_hwpt_arm_smmuv3_s1ctx ctx;
		uint64_t tail[2];
	} data = {
		.ctx = {
			.mode = rng_below(&f->rng, 3),
			.s1ctxptr = RAM_IPA + 64 * rng_below(&f->rng, 64),
		},
	};
	struct iommu_hwpt_arm_smmuv3_s1ctx *c = &data.ctx;
	uint32_t len = sizeof(*c), type = IOMMU_HWPT_DATA_ARM_SMMUV3_S1CTX;
	uint32_t id, flags = 0, fault_id = 0;
	int ret;

	if (c->mode != IOMMU_SMMUV3_S1CTX_TRANSLATE)
		c->s1ctxptr = 0;
	if (rng_one_in(&f->rng, 3)) {
		switch (rng_below(&f->rng, 12)) {
		case 0:
			c->flags = pick_value(f, 32);
			break;
		case 1:
			c->mode = pick_value(f, 32);
			break;
		case 2:
			c->s1ctxptr = pick_value(f, 64);
			break;
		case 3:
			c->s1cdmax = pick_value(f, 8);
			break;
		case 4:
			c->s1fmt = pick_value(f, 8);
			break;
		case 5:
			c->s1dss = pick_value(f, 8);
			break;
		case 6:
			c->eats = pick_value(f, 8);
			break;
		case 7:
			c->s1cir = pick_value(f, 8);
			break;
		case 8:
			c->s1cor = pick_value(f, 8);
			break;
		case 9:
			c->s1csh = pick_value(f, 8);
			break;
		case 10:
			c->s1stalld = pick_value(f, 8);
			break;
		default:
			c->__reserved = pick_value(f, 64);
			break;
		}
	}
	if (rng_one_in(&f->rng, 8)) {	/* shorter, or longer with a tail */
		len = rng_below(&f->rng, sizeof(data) + 1);
		data.tail[0] = rng_one_in(&f->rng, 2) ? pick_value(f, 64) : 0;
	}
	if (rng_one_in(&f->rng, 16))
		type = pick_value(f, 32);
	if (rng_one_in(&f->rng, 4)) {	/* stalls to a fault queue */
		flags = IOMMU_HWPT_FAULT_ID_VALID;
		fault_id = pick_id(f, FAULT);
	}
	if (rng_one_in(&f->rng, 16))
		flags = pick_value(f, 32);
	ret = iofd_hwpt_alloc_fault(f->fd, pick_dev(f)->dev_id,
				    pick_id(f, PARENT), flags, fault_id, type,
				    rng_one_in(&f->rng, 32) ? NULL : &data,
				    len, &id);
	if (!ret)
		remember(f, NESTED, id);
	return ret;
}

static int op_attach(struct fuzz *f)
{
	return edu_attach(pick_dev(f),
			  pick_id(f, rng_one_in(&f->rng, 3) ? PARENT : NESTED));
}

static int op_detach(struct fuzz *f)
{
	return edu_detach(pick_dev(f));
}

/* An entry the uAPI documentation calls valid, of a random kind */
static void valid_entry(struct fuzz *f, struct iommu_hwpt_invalidate_generic *e)
{
	memset(e, 0, sizeof(*e));
	switch (rng_below(&f->rng, 4)) {
	case 0:		/* everything of a cache */
		e->cache = 1 + rng_below(&f->rng, 7);
		e->granularity = IOMMU_INV_GRANU_DOMAIN;
		break;
	case 1:		/* one ASID */
		e->cache = IOMMU_INV_CACHE_IOTLB;
		e->granularity = IOMMU_INV_GRANU_ADDR_SPACE;
		e->flags = IOMMU_INV_FLAG_ARCHID;
		e->archid = rng_below(&f->rng, 256);
		break;
	case 2:		/* one PASID's context */
		e->cache = IOMMU_INV_CACHE_CONTEXT;
		e->granularity = IOMMU_INV_GRANU_PASID;
		e->flags = IOMMU_INV_FLAG_PASID;
		e->pasid = rng_below(&f->rng, 4);
		break;
	default:	/* a range of 4 KiB pages */
		e->cache = IOMMU_INV_CACHE_IOTLB;
		e->granularity = IOMMU_INV_GRANU_ADDR;
		e->flags = rng_below(&f->rng, 2) ? IOMMU_INV_FLAG_LEAF : 0;
		e->granule_size = 4096;
		e->addr = rng_below(&f->rng, 1ULL << 27) * 4096;
		e->nb_granules = 1 + rng_below(&f->rng, 1 << rng_below(&f->rng, 20));
		break;
	}
}

/* Half of the time a valid entry, else every field random */
static void random_entry(struct fuzz *f, struct iommu_hwpt_invalidate_generic *e)
{
	static const uint64_t granules[] = { 4096, 16384, 65536, 2 << 20 };

	if (rng_one_in(&f->rng, 2))
		return valid_entry(f, e);
	memset(e, 0, sizeof(*e));
	e->cache = rng_one_in(&f->rng, 8) ? pick_value(f, 32) :
					    1 + rng_below(&f->rng, 7);
	e->granularity = rng_one_in(&f->rng, 8) ? pick_value(f, 32) :
						  rng_below(&f->rng, 4);
	e->flags = rng_one_in(&f->rng, 8) ? pick_value(f, 32) :
					    rng_below(&f->rng, 8);
	e->pasid = pick_value(f, 20);
	e->archid = pick_value(f, 16);
	e->granule_size = rng_one_in(&f->rng, 8) ? pick_value(f, 64) :
				granules[rng_below(&f->rng, 4)];
	e->addr = pick_value(f, 48) & ~(e->granule_size - 1);
	if (rng_one_in(&f->rng, 8))
		e->addr |= pick_value(f, 12);
	e->nb_granules = pick_value(f, 64);
	if (rng_one_in(&f->rng, 16))
		e->__reserved = pick_value(f, 64);
}

static int op_invalidate(struct fuzz *f)
{
	static const uint32_t lens[] = {
		0, 8, sizeof(struct iommu_hwpt_invalidate_generic) - 8,
		sizeof(struct iommu_hwpt_invalidate_generic),
		sizeof(struct iommu_hwpt_invalidate_generic) + 8,
		MAX_ENTRY_LEN,
	};
	uint32_t len = rng_one_in(&f->rng, 4) ?
		lens[rng_below(&f->rng, 6)] :
		sizeof(struct iommu_hwpt_invalidate_generic);
	uint32_t num = rng_below(&f->rng, MAX_ENTRIES + 1), asked, i;
	uint32_t type = rng_one_in(&f->rng, 16) ?
		pick_value(f, 32) : IOMMU_HWPT_INVALIDATE_DATA_GENERIC;
	void *array = f->entries;
	int all_valid = rng_one_in(&f->rng, 4), ret;

	memset(f->entries, 0, sizeof(f->entries));
	for (i = 0; len && i < num; i++) {
		struct iommu_hwpt_invalidate_generic e;

		if (all_valid)
			valid_entry(f, &e);
		else
			random_entry(f, &e);
		memcpy(f->entries + i * len, &e, len < sizeof(e) ? len : sizeof(e));
		if (len > sizeof(e) && rng_one_in(&f->rng, 4))
			f->entries[i * len + sizeof(e)] = 1;	/* a tail */
	}
	if (rng_one_in(&f->rng, 32))
		num = pick_value(f, 32);	/* more than the array holds */
	if (rng_one_in(&f->rng, 32))
		array = rng_one_in(&f->rng, 2) ? NULL : (void *)8;
	asked = num;
	ret = iofd_invalidate(f->fd, pick_id(f, NESTED), type, array, len, &num);
	/* The kernel never claims more than it was asked to do */
	if (num > asked)
		return -ERANGE;
	return ret;
}

static int op_destroy(struct fuzz *f)
{
	return iofd_destroy(f->fd, pick_id(f, rng_below(&f->rng, KINDS)));
}

/*
 * A device event queue with random flags and depth on a device or any ID;
 * its file read with a random length once, then closed (IOMMU_DESTROY
 * takes the queue later)
 */
static int op_eventq(struct fuzz *f)
{
	struct iommu_device_event ev[3];
	uint32_t dev = rng_one_in(&f->rng, 8) ? pick_id(f, IOAS) :
						pick_dev(f)->dev_id;
	uint32_t id;
	int qfd, ret;

	ret = iofd_eventq_alloc(f->fd, dev, rng_one_in(&f->rng, 8),
				pick_value(f, 13), &id, &qfd);
	if (ret)
		return ret;
	remember(f, EVENTQ, id);
	if (read(qfd, ev, rng_below(&f->rng, sizeof(ev) + 1)) < 0 &&
	    errno != EAGAIN && errno != EINVAL)
		ret = -ERANGE;	/* an errno read() must not give */
	close(qfd);
	return ret;
}

/*
 * A fault queue; its file answered with a random response now and then
 * (no fault is pending: EINVAL), and closed at once or kept open
 */
static int op_fault(struct fuzz *f)
{
	struct iommu_hwpt_page_response resp = {
		.cookie = pick_value(f, 32),
		.code = pick_value(f, 2),
	};
	uint32_t id;
	int ffd, ret;

	ret = iofd_fault_alloc(f->fd, &id, &ffd);
	if (ret)
		return ret;
	remember(f, FAULT, id);
	if (rng_one_in(&f->rng, 4) &&
	    write(ffd, &resp, sizeof(resp)) >= 0)
		ret = -ERANGE;	/* it answered a fault nobody had */
	close(ffd);
	return ret;
}

static int op_switch(struct fuzz *f)
{
	f->nesting_on = !f->nesting_on;
	return nesting_switch(f->nesting_on);
}

static int (*const ops[OP_COUNT])(struct fuzz *f) = {
	op_ioas_alloc, op_map, op_unmap, op_parent, op_nested, op_attach,
	op_detach, op_invalidate, op_destroy, op_eventq, op_fault, op_switch,
};

/*
 * How often each runs, of 1000. The off-switch's weight is the chance to
 * switch nesting off; pick_op() switches it back on soon after.
 */
static const unsigned int op_weight[OP_COUNT] = {
	30, 100, 80, 100, 200, 130, 40, 210, 70, 20, 15, 5,
};

static enum fuzz_op pick_op(struct fuzz *f)
{
	unsigned int r = rng_below(&f->rng, 1000), op;

	/* Off for about 16 operations at a time */
	if (!f->nesting_on && rng_one_in(&f->rng, 16))
		return OP_SWITCH;

	for (op = 0; op < OP_COUNT - 1; op++) {
		if (r < op_weight[op])
			break;
		r -= op_weight[op];
	}
	return op;
}

static int errno_allowed(int ret)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(allowed_errnos); i++)
		if (-ret == allowed_errnos[i])
			return 1;
	return !ret;
}

/* Destroy everything we were given, until nothing more goes */
static void destroy_all(struct fuzz *f)
{
	int i, kind, progress = 1;

	while (progress) {
		progress = 0;
		for (kind = 0; kind < KINDS; kind++)
			for (i = 0; i < f->nids[kind]; i++)
				if (!iofd_destroy(f->fd, f->ids[kind][i]))
					progress = 1;
	}
}

/* A fixture for its time limit, and to switch nesting back on whatever */
FIXTURE(fuzz) {};
FIXTURE_SETUP(fuzz) {}
FIXTURE_TEARDOWN(fuzz)
{
	nesting_switch(1);
}

TEST_F_TIMEOUT(fuzz, uapi, 500)
{
	static struct fuzz f;
	unsigned int seconds = robust_seconds("fuzz_seconds", 20);
	const char *max_ops = testbed_param("fuzz_ops");
	unsigned long n = 0, limit = max_ops ? strtoul(max_ops, NULL, 0) : ~0UL;
	uint64_t seed = robust_seed();
	long vmids_before, vmids_after;
	double end;
	int i, ret;

	f.ndev = edu_open_all(f.edu, 2, &f.fd);
	if (f.ndev == 0) {
		ASSERT_EQ(0, edu_promised()) TH_LOG("the test bed lost its edu devices");
		SKIP(return, "no edu device");
	}
	ASSERT_LT(0, f.ndev);
	/* Where the test hooks can, the devices may take fault queues */
	for (i = 0; i < f.ndev; i++)
		f.stalls += !fake_stall(f.edu[i].bdf, 1);
	vmids_before = vmids_allocated();
	f.ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, f.ram);
	f.nesting_on = 1;
	f.rng = seed;
	for (i = 0; i < OP_COUNT; i++)
		f.hist[i].op = op_names[i];
	printf("# seed %#llx, %u s (replay: testbed.seed=%#llx)\n",
	       (unsigned long long)seed, seconds, (unsigned long long)seed);

	end = robust_now() + seconds;
	while (n < limit && robust_now() < end) {
		enum fuzz_op op = pick_op(&f);

		ret = ops[op](&f);
		errno_hist_add(&f.hist[op], ret);
		n++;
		ASSERT_TRUE(errno_allowed(ret))
			TH_LOG("operation %lu, %s: %d (%s)", n, op_names[op],
			       ret, strerror(-ret));
	}

	ASSERT_EQ(0, nesting_switch(1));
	for (i = 0; i < f.ndev; i++)
		edu_detach(&f.edu[i]);
	destroy_all(&f);
	/* Unmarked before the unbind, whose default domain stays clean */
	for (i = 0; f.stalls && i < f.ndev; i++)
		EXPECT_EQ(0, fake_stall(f.edu[i].bdf, 0));
	for (i = 0; i < f.ndev; i++)
		edu_close(&f.edu[i]);
	close(f.fd);

	printf("# %lu operations in %u s; outcomes:\n", n, seconds);
	for (i = 0; i < OP_COUNT; i++)
		errno_hist_print(&f.hist[i]);
	/* Each kind of operation got through validation at least once */
	for (i = 0; i < OP_COUNT; i++) {
		const char *name = f.hist[i].op ?: "?";

		if (i != OP_SWITCH && i != OP_DETACH && i != OP_DESTROY)
			EXPECT_LT(0, f.hist[i].count[0])
				TH_LOG("%s never succeeded", name);
	}

	vmids_after = vmids_allocated();
	printf("# VMIDs in use: %ld before, %ld after\n", vmids_before,
	       vmids_after);
	if (vmids_before < 0)
		SKIP(return, "no nesting test hooks: VMIDs not counted");
	ASSERT_EQ(vmids_before, vmids_after);
}

TEST_HARNESS_MAIN
