// SPDX-License-Identifier: GPL-2.0
/*
 * A nested device's SMMU events reach its VMM (IOMMU_DEVICE_EVENTQ_ALLOC):
 * the test acts as the VMM of one guest, or of two. Each faulting 4-byte
 * DMA makes QEMU's SMMU record exactly one event, declared to the test
 * bed's report; the test then reads the record and decodes its raw words
 * with a field table of its own.
 */
#include <poll.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "../kselftest_harness.h"
#include "smmuv3_robust.h"

#define VA_SRC		0x10000000ULL	/* -> data page 0 */
#define VA_DST		0x20000000ULL	/* -> data page 1 */
#define VA_HOLE		0x30000000ULL	/* mapped nowhere in stage 1 */
#define VA_TO_HOLE	0x40000000ULL	/* -> HOLE_IPA, mapped nowhere */
#define HOLE_IPA	0x58000000ULL
#define CD0_R		(1ULL << 45)	/* record stage-1 faults */
#define DEPTH		64
#define WAIT_MS		5000		/* for the event thread, TCG */

/* SMMUv3 event record fields, for decoding the raw words */
#define RAW_ID(r)	((r)[0] & 0xff)
#define RAW_SID(r)	((r)[0] >> 32)
#define RAW_RNW(r)	(((r)[1] >> 35) & 1)
#define RAW_S2(r)	(((r)[1] >> 39) & 1)
#define RAW_IPA(r)	((r)[3] & 0x000ffffffffff000ULL)
#define EVT_C_BAD_CD	0x0a
#define EVT_F_TRANSL	0x10

/* One guest: its VMM's iommufd, device, memory, context and queue */
struct guest {
	int fd, qfd;
	struct edu edu;
	struct robust_vm vm;
	uint32_t nested, qid;
};

static void guest_open(struct __test_metadata *_metadata, struct guest *g,
		       const char *bdf)
{
	uint64_t root, cd;

	g->qfd = -1;
	g->fd = open("/dev/iommu", O_RDWR);
	ASSERT_LE(0, g->fd);
	ASSERT_EQ(0, edu_open(&g->edu, bdf));
	ASSERT_EQ(0, edu_bind(&g->edu, g->fd));
	ASSERT_EQ(0, robust_vm_map(g->fd, &g->vm, 0x30, g->edu.dev_id));
	cd = robust_vm_context(&g->vm, 1, &root);
	guest_ptr(&g->vm.g, cd)[0] |= CD0_R;
	ASSERT_EQ(0, guest_map(&g->vm.g, root, VA_SRC, DATA_IPA));
	ASSERT_EQ(0, guest_map(&g->vm.g, root, VA_DST, DATA_IPA + PAGE));
	ASSERT_EQ(0, guest_map(&g->vm.g, root, VA_TO_HOLE, HOLE_IPA));
	ASSERT_EQ(0, robust_vm_nested(g->fd, &g->vm, g->edu.dev_id, cd,
				      &g->nested));
	ASSERT_EQ(0, edu_attach(&g->edu, g->nested));
	ASSERT_EQ(0, edu_enable(&g->edu));
	ASSERT_EQ(0, iofd_eventq_alloc(g->fd, g->edu.dev_id, 0, DEPTH,
				       &g->qid, &g->qfd));
}

static void guest_close(struct guest *g)
{
	edu_close(&g->edu);
	if (g->qfd >= 0)
		close(g->qfd);
	if (g->fd >= 0)
		close(g->fd);
}

/* Up to @max records, waiting up to @ms for the first; how many */
static int read_events(int qfd, struct iommu_device_event *ev, int max,
		       int ms)
{
	struct pollfd p = { .fd = qfd, .events = POLLIN };
	ssize_t len;

	if (poll(&p, 1, ms) != 1)
		return 0;
	len = read(qfd, ev, max * sizeof(*ev));
	return len < 0 ? 0 : len / (int)sizeof(*ev);
}

/* A 4-byte DMA write to @va: one event if it faults */
static void poke(struct __test_metadata *_metadata, struct guest *g,
		 uint64_t va, unsigned int events)
{
	smmu_events_begin();
	ASSERT_EQ(0, edu_dma(&g->edu, va, 0, 4, true));
	smmu_events_end(events);
}

FIXTURE(events)
{
	struct guest a, b;
	int n;		/* edu devices here */
};

FIXTURE_SETUP(events)
{
	char bdfs[2][16];
	struct guest *g[2] = { &self->a, &self->b };
	int i;

	for (i = 0; i < 2; i++) {
		g[i]->fd = -1;
		g[i]->qfd = -1;
		g[i]->edu.fd = -1;
	}
	self->n = edu_list(bdfs, 2);
	if (!self->n) {
		ASSERT_EQ(0, edu_promised()) TH_LOG("the test bed lost its edu device");
		SKIP(return, "no edu device");
	}
	guest_open(_metadata, &self->a, bdfs[0]);
	if (self->n > 1)
		guest_open(_metadata, &self->b, bdfs[1]);
}

FIXTURE_TEARDOWN(events)
{
	guest_close(&self->a);
	guest_close(&self->b);
}

/* Every documented errno, and reads of an empty queue */
TEST_F(events, alloc_and_read_errors)
{
	struct guest *a = &self->a;
	struct iommu_device_event ev;
	uint32_t id;
	int qfd;

	ASSERT_EQ(-EOPNOTSUPP, iofd_eventq_alloc(a->fd, a->edu.dev_id, 1,
						 DEPTH, &id, &qfd));
	ASSERT_EQ(-EINVAL, iofd_eventq_alloc(a->fd, a->edu.dev_id, 0, 0,
					     &id, &qfd));
	ASSERT_EQ(-EINVAL, iofd_eventq_alloc(a->fd, a->edu.dev_id, 0,
					     IOMMU_DEVICE_EVENTQ_MAX_DEPTH + 1,
					     &id, &qfd));
	ASSERT_EQ(-ENOENT, iofd_eventq_alloc(a->fd, a->vm.ioas, 0, DEPTH,
					     &id, &qfd));
	ASSERT_EQ(-EBUSY, iofd_eventq_alloc(a->fd, a->edu.dev_id, 0, DEPTH,
					    &id, &qfd));
	ASSERT_EQ(-1, read(a->qfd, &ev, sizeof(ev) - 1));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, read(a->qfd, &ev, sizeof(ev)));
	ASSERT_EQ(EAGAIN, errno);

	/* Its file open, the queue stays; closed, it goes */
	ASSERT_EQ(-EBUSY, iofd_destroy(a->fd, a->qid));
	close(a->qfd);
	ASSERT_EQ(0, iofd_destroy(a->fd, a->qid));
	/* and the device takes a new one */
	ASSERT_EQ(0, iofd_eventq_alloc(a->fd, a->edu.dev_id, 0, DEPTH,
				       &a->qid, &a->qfd));

	/* With nesting switched off there are no queues either */
	ASSERT_EQ(0, nesting_switch(0));
	ASSERT_EQ(-EOPNOTSUPP, iofd_eventq_alloc(a->fd, a->edu.dev_id, 0,
						 DEPTH, &id, &qfd));
	ASSERT_EQ(0, nesting_switch(1));
}

/* The lowest free file descriptor: where the next new file would go */
static int lowest_free_fd(void)
{
	int fd = dup(0);

	close(fd);
	return fd;
}

/*
 * An allocation that fails late leaves nothing behind: with no file
 * descriptor left (EMFILE), or a reply that cannot be written back
 * (EFAULT, the command in read-only memory), no queue stays linked to the
 * device and no file is installed; the next allocation succeeds.
 */
TEST_F(events, alloc_fails_cleanly)
{
	struct guest *a = &self->a;
	struct iommu_device_eventq_alloc *ro;
	struct rlimit was, lim;
	int free_fd;

	close(a->qfd);
	a->qfd = -1;
	ASSERT_EQ(0, iofd_destroy(a->fd, a->qid));
	free_fd = lowest_free_fd();

	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &was));
	lim = was;
	lim.rlim_cur = free_fd;
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &lim));
	ASSERT_EQ(-EMFILE, iofd_eventq_alloc(a->fd, a->edu.dev_id, 0, DEPTH,
					     &a->qid, &a->qfd));
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &was));

	ro = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	*ro = (struct iommu_device_eventq_alloc) {
		.size = sizeof(*ro), .dev_id = a->edu.dev_id, .depth = DEPTH,
	};
	ASSERT_EQ(0, mprotect(ro, PAGE, PROT_READ));
	ASSERT_EQ(-EFAULT, iofd_ioctl(a->fd, IOMMU_DEVICE_EVENTQ_ALLOC, ro));
	munmap(ro, PAGE);
	ASSERT_EQ(free_fd, lowest_free_fd()) TH_LOG("a file was left open");

	ASSERT_EQ(0, iofd_eventq_alloc(a->fd, a->edu.dev_id, 0, DEPTH,
				       &a->qid, &a->qfd));
	ASSERT_EQ(free_fd, a->qfd);
}

/* An unmapped stage-1 VA: one translation fault of stage 1, a write */
TEST_F(events, stage1_fault_record)
{
	struct iommu_device_event ev[2];

	poke(_metadata, &self->a, VA_HOLE, 1);
	ASSERT_EQ(1, read_events(self->a.qfd, ev, 2, WAIT_MS));
	ASSERT_EQ(self->a.edu.dev_id, ev[0].dev_id);
	ASSERT_EQ(EVT_F_TRANSL, ev[0].type);
	ASSERT_EQ(IOMMU_DEVICE_EVENT_WRITE, ev[0].flags);
	ASSERT_EQ(VA_HOLE, ev[0].addr);
	ASSERT_EQ(EVT_F_TRANSL, RAW_ID(ev[0].raw));
	ASSERT_EQ(0, RAW_SID(ev[0].raw)) TH_LOG("the host StreamID leaked");
	ASSERT_EQ(0, RAW_RNW(ev[0].raw));
	ASSERT_EQ(0, RAW_S2(ev[0].raw));
	ASSERT_EQ(VA_HOLE, ev[0].raw[2]);
	ASSERT_EQ(0, read_events(self->a.qfd, ev, 2, 100));
}

/* A stage-1 VA whose IPA the VMM never mapped: a stage-2 fault */
TEST_F(events, stage2_fault_record)
{
	struct iommu_device_event ev[2];

	poke(_metadata, &self->a, VA_TO_HOLE, 1);
	ASSERT_EQ(1, read_events(self->a.qfd, ev, 2, WAIT_MS));
	ASSERT_EQ(EVT_F_TRANSL, ev[0].type);
	ASSERT_EQ(IOMMU_DEVICE_EVENT_WRITE | IOMMU_DEVICE_EVENT_STAGE2 |
		  IOMMU_DEVICE_EVENT_IPA_VALID, ev[0].flags);
	ASSERT_EQ(VA_TO_HOLE, ev[0].addr);
	ASSERT_EQ(HOLE_IPA, ev[0].ipa);
	ASSERT_EQ(1, RAW_S2(ev[0].raw));
	ASSERT_EQ(HOLE_IPA, RAW_IPA(ev[0].raw));
	ASSERT_EQ(0, RAW_SID(ev[0].raw));
}

/* A CD the guest left invalid (V clear): C_BAD_CD */
TEST_F(events, bad_cd_record)
{
	struct guest *a = &self->a;
	struct iommu_device_event ev[2];
	uint64_t cd = guest_alloc_page(&a->vm.g);
	uint32_t bad;

	ASSERT_EQ(0, robust_vm_nested(a->fd, &a->vm, a->edu.dev_id, cd, &bad));
	ASSERT_EQ(0, edu_attach(&a->edu, bad));
	poke(_metadata, a, VA_SRC, 1);
	ASSERT_EQ(1, read_events(a->qfd, ev, 2, WAIT_MS));
	ASSERT_EQ(EVT_C_BAD_CD, ev[0].type);
	ASSERT_EQ(EVT_C_BAD_CD, RAW_ID(ev[0].raw));
	ASSERT_EQ(0, RAW_SID(ev[0].raw));
}

/*
 * A flood: 1024 events into a 64-record queue. The queue keeps the first
 * 64, counts the rest, and says so in one overflow record once read: the
 * records and the count add up to what the SMMU recorded. The host keeps
 * going: the same device's next DMA works.
 *
 * The queue is read only once the host has handled the whole flood: its
 * event thread takes events in order, so once guest B's one fault (made
 * after A's flood ended) is in B's queue, all of A's are in A's.
 */
TEST_F(events, flood_reports_overflow)
{
	struct guest *a = &self->a;
	struct iommu_device_event ev[DEPTH + 1];
	unsigned long records = 0, lost = 0, overflows = 0;
	int i, n;

	if (self->n < 2) {
		ASSERT_GT(2, edu_promised()) TH_LOG("the test bed lost an edu device");
		SKIP(return, "two edu devices needed");
	}
	smmu_events_begin();
	ASSERT_EQ(0, edu_dma_to(&a->edu, VA_HOLE, PAGE));
	ASSERT_EQ(0, edu_dma(&self->b.edu, VA_HOLE, 0, 4, true));
	smmu_events_end(EDU_FAULT_EVENTS(PAGE) + 1);
	ASSERT_EQ(1, read_events(self->b.qfd, ev, 1, WAIT_MS));

	while ((n = read_events(a->qfd, ev, DEPTH + 1, 0))) {
		for (i = 0; i < n; i++) {
			if (ev[i].flags & IOMMU_DEVICE_EVENT_OVERFLOW) {
				overflows++;
				lost += ev[i].lost;
			} else {
				ASSERT_EQ(EVT_F_TRANSL, ev[i].type);
				records++;
			}
		}
	}
	printf("# %lu records, %lu overflow records counting %lu lost\n",
	       records, overflows, lost);
	ASSERT_EQ(DEPTH, records);
	ASSERT_EQ(1, overflows);
	ASSERT_EQ(EDU_FAULT_EVENTS(PAGE) - DEPTH, lost);
	ASSERT_EQ(1, robust_dma_lands(&a->edu, &a->vm, VA_SRC, VA_DST));
}

/* Behind the parent alone the device is not nested: the host keeps it */
TEST_F(events, parent_events_stay_with_the_host)
{
	struct iommu_device_event ev;

	ASSERT_EQ(0, edu_attach(&self->a.edu, self->a.vm.parent));
	poke(_metadata, &self->a, HOLE_IPA, 1);
	ASSERT_EQ(0, read_events(self->a.qfd, &ev, 1, 500));
}

/* Two guests, each with its VMM: neither sees the other's events */
TEST_F(events, a_second_vm_sees_none)
{
	struct iommu_device_event ev[2];

	if (self->n < 2) {
		ASSERT_GT(2, edu_promised()) TH_LOG("the test bed lost an edu device");
		SKIP(return, "two edu devices needed");
	}
	poke(_metadata, &self->a, VA_HOLE, 1);
	ASSERT_EQ(1, read_events(self->a.qfd, ev, 2, WAIT_MS));
	ASSERT_EQ(0, read_events(self->b.qfd, ev, 2, 500));
	poke(_metadata, &self->b, VA_HOLE, 1);
	ASSERT_EQ(1, read_events(self->b.qfd, ev, 2, WAIT_MS));
	ASSERT_EQ(self->b.edu.dev_id, ev[0].dev_id);
	ASSERT_EQ(0, read_events(self->a.qfd, ev, 2, 500));
}

/* The device unbound first: its queue stays readable, then goes */
TEST_F(events, unbind_before_destroy)
{
	struct iommu_device_event ev;

	edu_close(&self->a.edu);
	ASSERT_EQ(-1, read(self->a.qfd, &ev, sizeof(ev)));
	ASSERT_EQ(EAGAIN, errno);
	close(self->a.qfd);
	self->a.qfd = -1;
	ASSERT_EQ(0, iofd_destroy(self->a.fd, self->a.qid));
}

TEST_HARNESS_MAIN
