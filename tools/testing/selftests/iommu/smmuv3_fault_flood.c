// SPDX-License-Identifier: GPL-2.0
/*
 * Fault floods from a nested device: a guest whose device DMAs to a
 * stage-1 VA it never mapped (its CD asks for faults to be recorded), to
 * an IPA the VMM never mapped, or through a context descriptor the SMMU
 * cannot read or finds invalid. Each faulting 4 KiB transfer makes QEMU's
 * SMMU record an event per 4-byte access, about a thousand; a flood is
 * several of them in a row. Meanwhile:
 *  - the other edu device's DMA, through its own nested HWPT, completes
 *    with the right data: the host keeps serving everyone else;
 *  - the driver logs at most what its rate limit lets through (10 events
 *    per 5 s), read back from /dev/kmsg;
 *  - once the guest or the VMM fixes the mapping (and invalidates), the
 *    faulting device works again.
 * Every event is declared to the test bed's report, which counts them in
 * QEMU's trace.
 */
#include <pthread.h>

#include "../kselftest_harness.h"
#include "iommufd_calls.h"
#include "smmuv3_guest.h"
#include "smmuv3_robust.h"

#define HOLE_IPA	0x58000000ULL	/* not mapped until the fix */
#define VA_SRC		0x10000000ULL	/* -> data page 0 */
#define VA_DST		0x20000000ULL	/* B: -> page 2 */
#define VA_HOLE		0x30000000ULL	/* A: the flood's target */
#define FLOOD_DMAS	4
#define GOOD_DMAS	4
#define CD0_R		(1ULL << 45)	/* record stage-1 faults */
/* The driver's event log limit: DEFAULT_RATELIMIT_{BURST,INTERVAL} */
#define LOG_BURST	10
#define LOG_INTERVAL_S	5

enum flood_kind { UNMAPPED_VA, UNMAPPED_IPA, UNREADABLE_CD, INVALID_CD };

FIXTURE(flood)
{
	int fd;
	struct edu a, b;
	struct robust_vm vm;
	uint8_t *fix_page;
	uint32_t ctx_a, ctx_b;
	uint64_t cd_a, root_a;
};

FIXTURE_VARIANT(flood)
{
	enum flood_kind kind;
};

FIXTURE_VARIANT_ADD(flood, unmapped_stage1_va)
{
	.kind = UNMAPPED_VA,
};

FIXTURE_VARIANT_ADD(flood, unmapped_ipa)
{
	.kind = UNMAPPED_IPA,
};

FIXTURE_VARIANT_ADD(flood, unreadable_cd)
{
	.kind = UNREADABLE_CD,
};

FIXTURE_VARIANT_ADD(flood, invalid_cd)
{
	.kind = INVALID_CD,
};

static uint8_t pattern(FIXTURE_DATA(flood) *self, int page)
{
	return self->vm.pattern + page;
}

/* A's CD in guest RAM @g, asking for stage-1 faults to be recorded */
static void write_cd_a(FIXTURE_DATA(flood) *self, struct smmuv3_guest *g,
		       uint64_t cd_ipa)
{
	guest_write_cd(g, cd_ipa, 1, self->root_a);
	guest_ptr(g, cd_ipa)[0] |= CD0_R;
}

FIXTURE_SETUP(flood)
{
	struct edu edus[2];
	uint64_t cd_b, root_b;
	int n = edu_open_all(edus, 2, &self->fd);

	if (n < 2) {
		ASSERT_GT(2, edu_promised()) TH_LOG("the test bed lost an edu device");
		SKIP(return, "two edu devices needed");
	}
	self->a = edus[0];
	self->b = edus[1];
	ASSERT_EQ(0, robust_vm_map(self->fd, &self->vm, 0xe0, self->a.dev_id));
	self->fix_page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->fix_page);

	/* B: a well-behaved guest, VA_SRC -> page 0, VA_DST -> page 2 */
	cd_b = robust_vm_context(&self->vm, 2, &root_b);
	ASSERT_EQ(0, guest_map(&self->vm.g, root_b, VA_SRC, DATA_IPA));
	ASSERT_EQ(0, guest_map(&self->vm.g, root_b, VA_DST, DATA_IPA + 2 * PAGE));
	ASSERT_EQ(0, robust_vm_nested(self->fd, &self->vm, self->b.dev_id,
				      cd_b, &self->ctx_b));

	/* A: VA_SRC -> page 0; VA_HOLE as the variant has it */
	self->root_a = guest_alloc_page(&self->vm.g);
	ASSERT_EQ(0, guest_map(&self->vm.g, self->root_a, VA_SRC, DATA_IPA));
	if (variant->kind != UNMAPPED_VA) {
		ASSERT_EQ(0, guest_map(&self->vm.g, self->root_a, VA_HOLE,
				       variant->kind == UNMAPPED_IPA ?
				       HOLE_IPA : DATA_IPA + PAGE));
	}
	switch (variant->kind) {
	case UNREADABLE_CD:	/* the CD's IPA has no stage-2 mapping */
		self->cd_a = HOLE_IPA;
		break;
	case INVALID_CD:	/* readable, but V is clear */
		self->cd_a = guest_alloc_page(&self->vm.g);
		break;
	default:
		self->cd_a = guest_alloc_page(&self->vm.g);
		write_cd_a(self, &self->vm.g, self->cd_a);
		break;
	}
	ASSERT_EQ(0, robust_vm_nested(self->fd, &self->vm, self->a.dev_id,
				      self->cd_a, &self->ctx_a));
	ASSERT_EQ(0, edu_attach(&self->a, self->ctx_a));
	ASSERT_EQ(0, edu_attach(&self->b, self->ctx_b));
	ASSERT_EQ(0, edu_enable(&self->a));
	ASSERT_EQ(0, edu_enable(&self->b));
}

FIXTURE_TEARDOWN(flood)
{
	edu_close(&self->a);
	edu_close(&self->b);
	if (self->fd >= 0)
		close(self->fd);
}

static void *flood_a(void *arg)
{
	FIXTURE_DATA(flood) *self = arg;
	long failed = 0;
	int i;

	/* The device buffer is page 0's after its first read */
	failed |= edu_dma_from(&self->a, VA_SRC, PAGE);
	for (i = 0; i < FLOOD_DMAS; i++)
		failed |= edu_dma_to(&self->a, VA_HOLE, PAGE);
	return (void *)failed;
}

/* Driver event log lines ("event 0x.. received") in /dev/kmsg since @fd */
static int events_logged(int fd)
{
	char rec[2048];
	int n = 0;
	ssize_t len;

	while ((len = read(fd, rec, sizeof(rec) - 1)) > 0 ||
	       (len < 0 && errno == EPIPE)) {
		if (len <= 0)
			continue;
		rec[len] = 0;
		n += strstr(rec, "arm-smmu-v3") && strstr(rec, " received") &&
		     strstr(rec, "event 0x");
	}
	return n;
}

/* The guest's or the VMM's fix for each kind of fault */
static void fix(struct __test_metadata *_metadata, FIXTURE_DATA(flood) *self,
		enum flood_kind kind)
{
	struct iommu_hwpt_invalidate_generic inv = {
		.cache = IOMMU_INV_CACHE_CONTEXT | IOMMU_INV_CACHE_IOTLB,
		.granularity = IOMMU_INV_GRANU_DOMAIN,
	};
	struct smmuv3_guest cd_page = {
		.mem = self->fix_page, .ipa = HOLE_IPA, .size = PAGE,
	};

	switch (kind) {
	case UNMAPPED_VA:	/* the guest maps VA_HOLE */
		ASSERT_EQ(0, guest_map(&self->vm.g, self->root_a, VA_HOLE,
				       DATA_IPA + PAGE));
		break;
	case UNMAPPED_IPA:	/* the VMM maps the IPA: data page 1 again */
		ASSERT_EQ(0, iofd_map(self->fd, self->vm.ioas,
				      self->vm.data + PAGE, PAGE, HOLE_IPA));
		break;
	case UNREADABLE_CD:	/* the VMM maps the CD's page, with a CD */
		memset(self->fix_page, 0, PAGE);
		write_cd_a(self, &cd_page, HOLE_IPA);
		ASSERT_EQ(0, iofd_map(self->fd, self->vm.ioas, self->fix_page,
				      PAGE, HOLE_IPA));
		break;
	case INVALID_CD:	/* the guest writes its CD */
		write_cd_a(self, &self->vm.g, self->cd_a);
		break;
	}
	ASSERT_EQ(0, iofd_invalidate_one(self->fd, self->ctx_a, &inv));
}

TEST_F_TIMEOUT(flood, other_device_served_logs_limited_then_fixed, 120)
{
	int kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	/* Without a CD, A's first read (of VA_SRC) faults too */
	bool no_cd = variant->kind == UNREADABLE_CD ||
		     variant->kind == INVALID_CD;
	unsigned long events = (FLOOD_DMAS + no_cd) * EDU_FAULT_EVENTS(PAGE);
	long taken = events_taken();
	int i, logged, bound;
	pthread_t flooder;
	void *flood_failed;
	double start, seconds;

	ASSERT_LE(0, kmsg);
	lseek(kmsg, 0, SEEK_END);

	smmu_events_begin();
	start = robust_now();
	ASSERT_EQ(0, pthread_create(&flooder, NULL, flood_a, self));
	for (i = 0; i < GOOD_DMAS; i++) {
		ASSERT_EQ(0, edu_dma_from(&self->b, VA_SRC, PAGE));
		ASSERT_EQ(0, edu_dma_to(&self->b, VA_DST, PAGE));
		ASSERT_EQ(pattern(self, 0), self->vm.data[2 * PAGE + PAGE - 1])
			TH_LOG("B's DMA %d went astray during the flood", i);
		memset(self->vm.data + 2 * PAGE, pattern(self, 2), PAGE);
	}
	pthread_join(flooder, &flood_failed);
	seconds = robust_now() - start;
	smmu_events_end(events);
	ASSERT_EQ(NULL, flood_failed) TH_LOG("A's DMA timed out");
	/* Nothing of the flood landed anywhere */
	for (i = 1; i < DATA_PAGES; i++)
		ASSERT_EQ(pattern(self, i), self->vm.data[i * PAGE]);

	/*
	 * Count the log lines once the event thread has taken every event
	 * of the flood off the queue (the test hooks' count): not before,
	 * or lines still to come would be missed. The thread counts an event
	 * before it logs it, so only the last one's line can still be on
	 * its way, and the rate limit has long silenced that one.
	 */
	ASSERT_LE(0, taken) TH_LOG("no nesting test hooks in this kernel");
	for (i = 0; i < 600 && events_taken() - taken < (long)events; i++)
		usleep(100000);
	ASSERT_LE((long)events, events_taken() - taken)
		TH_LOG("the event thread took %ld of %lu events in 60 s",
		       events_taken() - taken, events);
	logged = events_logged(kmsg);
	bound = LOG_BURST * (2 + (int)(seconds / LOG_INTERVAL_S));
	printf("# %lu events in %.1f s; the driver logged %d of them (at most %d)\n",
	       events, seconds, logged, bound);
	EXPECT_GE(bound, logged);
	close(kmsg);

	/* Fixed: A's DMA to VA_HOLE now lands on data page 1 */
	fix(_metadata, self, variant->kind);
	robust_vm_reset(&self->vm);
	ASSERT_EQ(0, edu_dma_from(&self->a, VA_SRC, PAGE));
	ASSERT_EQ(0, edu_dma_to(&self->a, VA_HOLE, PAGE));
	ASSERT_EQ(pattern(self, 0), self->vm.data[PAGE]);
	ASSERT_EQ(pattern(self, 0), self->vm.data[2 * PAGE - 1]);
}

TEST_HARNESS_MAIN
