// SPDX-License-Identifier: GPL-2.0
/*
 * `make bench`: what generic invalidation costs, compared like with like
 * in one boot. Not a test: it asserts nothing; it prints tables.
 *
 * Ranges: IOMMU_HWPT_INVALIDATE of one range on a nested domain against
 * the kernel's own invalidation of the same range and ASID on a stage-1
 * domain (arm_smmu_tlb_inv_range_asid() through the test-hooks debugfs
 * file s1_invalidate). Both are one system call ending in one CMD_SYNC,
 * timed from here. Commands: the driver's counters, and the fewest the
 * range policy allows (ril_oracle.h, which shares no code with the
 * driver); QEMU's trace of its queue for both sides is printed by
 * show.sh after the tables.
 *
 * Batches: one ioctl carrying N one-page entries against N ioctls of one
 * entry each.
 *
 * Every time is the median and range of REPEAT calls, in microseconds.
 */
#include <stdarg.h>
#include <time.h>
#include "iommufd_calls.h"
#include "ril_oracle.h"
#include "smmu_marks.h"
#include "smmuv3_inv_stats.h"
#include "vfio_edu.h"

#define IOVA		0x100000000ULL
#define ASID		1
#define REPEAT		21
#define MAX_BATCH	256
#define HOOKS		"/sys/kernel/debug/arm-smmu-v3-nested"
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct spread {
	double median, min, max;
};

/* Per call (or batch), from the driver's counters */
struct cost {
	double commands, syncs;
};

static int fd, s1_hook = -1;
static uint32_t nested;

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static struct spread spread_of(double *t)
{
	qsort(t, REPEAT, sizeof(*t), by_value);
	return (struct spread){ t[REPEAT / 2], t[0], t[REPEAT - 1] };
}

static void print_spread(struct spread s)
{
	printf(" %.1f [%.1f-%.1f] |", s.median, s.min, s.max);
}

/* The fewest commands for @n pages under the range policy: the oracle's */
static unsigned int minimal_cmds(uint64_t n, bool ril)
{
	if (!ril)
		return n <= 64 ? n : 1;
	if (n == 1)
		return 1;
	/* Beyond 14 range commands the driver goes wide: one command */
	return ril_fewest(n, 14) ?: 1;
}

static struct iommu_hwpt_invalidate_generic range_entry(uint64_t iova,
							uint64_t pages)
{
	return (struct iommu_hwpt_invalidate_generic){
		.cache = IOMMU_INV_CACHE_IOTLB,
		.granularity = IOMMU_INV_GRANU_ADDR,
		.flags = IOMMU_INV_FLAG_ARCHID | IOMMU_INV_FLAG_LEAF,
		.archid = ASID, .addr = iova, .granule_size = 4096,
		.nb_granules = pages,
	};
}

/* @calls ioctls of @n entries each, one timed sample per round */
static int time_nested(struct iommu_hwpt_invalidate_generic *inv, uint32_t n,
		       uint32_t calls, const char *label, struct spread *s,
		       struct cost *cost)
{
	uint64_t c0, s0;
	double t[REPEAT];
	uint32_t r, c, num = n;

	/* One untimed call first: the emulator translates new code once */
	if (iofd_invalidate(fd, nested, IOMMU_HWPT_INVALIDATE_DATA_GENERIC,
			    inv, sizeof(*inv), &num))
		return -1;
	c0 = smmuv3_inv_stat("commands");
	s0 = smmuv3_inv_stat("syncs");

	smmu_trace_begin();
	for (r = 0; r < REPEAT; r++) {
		t[r] = now_us();
		for (c = 0; c < calls; c++) {
			uint32_t num = n;

			if (iofd_invalidate(fd, nested,
					    IOMMU_HWPT_INVALIDATE_DATA_GENERIC,
					    inv + c, sizeof(*inv), &num) ||
			    num != n)
				return -1;
		}
		t[r] = now_us() - t[r];
	}
	c0 = smmuv3_inv_stat("commands") - c0;
	s0 = smmuv3_inv_stat("syncs") - s0;
	smmu_trace_end(label, c0, s0);
	*cost = (struct cost){ (double)c0 / REPEAT, (double)s0 / REPEAT };
	*s = spread_of(t);
	return 0;
}

/* The kernel's own stage-1 invalidation of the same range and ASID */
static int time_kernel(uint64_t iova, uint64_t len, const char *label,
		       struct spread *s)
{
	char cmd[64];
	double t[REPEAT];
	int r, n = snprintf(cmd, sizeof(cmd), "%d %llx %llx", ASID,
			    (unsigned long long)iova, (unsigned long long)len);

	if (pwrite(s1_hook, cmd, n, 0) != n)	/* untimed, as above */
		return -1;
	smmu_trace_begin();
	for (r = 0; r < REPEAT; r++) {
		t[r] = now_us();
		if (pwrite(s1_hook, cmd, n, 0) != n)
			return -1;
		t[r] = now_us() - t[r];
	}
	smmu_trace_end_uncounted(label);
	*s = spread_of(t);
	return 0;
}

/* The test-hooks file of the (first) SMMU, or -1 without the hooks */
static int open_s1_hook(void)
{
	struct dirent *de;
	char path[512];
	DIR *dir = opendir(HOOKS);
	int hook = -1;

	while (dir && hook < 0 && (de = readdir(dir))) {
		snprintf(path, sizeof(path), HOOKS "/%s/s1_invalidate",
			 de->d_name);
		hook = open(path, O_WRONLY);
	}
	if (dir)
		closedir(dir);
	return hook;
}

/*
 * What iommufd costs before the driver does anything: an ioctl with no
 * entries (the driver only checks the type), and a hook write with a
 * malformed line (parsed and refused, nothing queued).
 */
static void bench_floor(void)
{
	struct iommu_hwpt_invalidate_generic inv = range_entry(IOVA, 1);
	double t[REPEAT];
	int r;

	for (r = -1; r < REPEAT; r++) {	/* round -1: untimed, as above */
		uint32_t num = 0;

		double t0 = now_us();

		iofd_invalidate(fd, nested, IOMMU_HWPT_INVALIDATE_DATA_GENERIC,
				&inv, sizeof(inv), &num);
		if (r >= 0)
			t[r] = now_us() - t0;
	}
	printf("BENCH: the floor: nothing queued\n| call | us |\n| --- | --- |\n");
	printf("| IOMMU_HWPT_INVALIDATE, no entries |");
	print_spread(spread_of(t));
	if (s1_hook >= 0) {
		for (r = -1; r < REPEAT; r++) {
			double t0 = now_us();

			if (pwrite(s1_hook, "x", 1, 0) >= 0)
				return;
			if (r >= 0)
				t[r] = now_us() - t0;
		}
		printf("\n| s1_invalidate, refused line |");
		print_spread(spread_of(t));
	}
	printf("\n\n");
}

static void bench_ranges(bool ril)
{
	/* Powers of two, and page counts of several 5-bit groups */
	static const uint64_t pages[] = {
		1, 3, 16, 33, 63, 512, 1000, 16384, 262144,
	};
	struct iommu_hwpt_invalidate_generic inv;
	unsigned int i;

	printf("BENCH: one range: nested ioctl, kernel's stage-1 path (RIL %s)\n",
	       ril ? "yes" : "no");
	printf("| range | commands | minimal | syncs/call | nested us | kernel us | ratio |\n");
	printf("| --- | --- | --- | --- | --- | --- | --- |\n");
	for (i = 0; i < ARRAY_SIZE(pages); i++) {
		struct spread tn, tk;
		struct cost cost;
		bool kernel;
		char label[32];

		inv = range_entry(IOVA, pages[i]);
		snprintf(label, sizeof(label), "nested-%llup",
			 (unsigned long long)pages[i]);
		if (time_nested(&inv, 1, 1, label, &tn, &cost))
			return;
		/* Without RIL the kernel would issue one command a page */
		snprintf(label, sizeof(label), "kernel-%llup",
			 (unsigned long long)pages[i]);
		kernel = s1_hook >= 0 && (ril || pages[i] <= 64) &&
			 !time_kernel(IOVA, pages[i] * 4096, label, &tk);

		/* Marks go to stdout too: print whole rows only */
		printf("| %llu KiB | %.1f | %u | %.2f |",
		       (unsigned long long)pages[i] * 4, cost.commands,
		       minimal_cmds(pages[i], ril), cost.syncs);
		print_spread(tn);
		if (kernel) {
			print_spread(tk);
			printf(" %.2f |\n", tn.median / tk.median);
		} else {
			printf(" - | - |\n");
		}
	}
}

static void bench_batches(void)
{
	static const uint32_t batches[] = { 1, 8, 64, MAX_BATCH };
	static struct iommu_hwpt_invalidate_generic inv[MAX_BATCH];
	unsigned int i, e;

	for (e = 0; e < MAX_BATCH; e++)
		inv[e] = range_entry(IOVA + e * 8192ULL, 1);
	printf("\nBENCH: N one-page entries, in one ioctl against N ioctls\n");
	printf("| N | commands | syncs | batch us | N ioctls us | syncs N ioctls | ratio |\n");
	printf("| --- | --- | --- | --- | --- | --- | --- |\n");
	for (i = 0; i < ARRAY_SIZE(batches); i++) {
		uint32_t n = batches[i];
		struct cost batch, singles;
		struct spread tb, ts;
		char label[32];

		snprintf(label, sizeof(label), "batch-%u", n);
		if (time_nested(inv, n, 1, label, &tb, &batch))
			return;
		snprintf(label, sizeof(label), "singles-%u", n);
		if (time_nested(inv, 1, n, label, &ts, &singles))
			return;

		printf("| %u | %.1f | %.2f |", n, batch.commands, batch.syncs);
		print_spread(tb);
		print_spread(ts);
		printf(" %.2f | %.2f |\n", singles.syncs, tb.median / ts.median);
	}
}

int main(void)
{
	struct iommu_hwpt_arm_smmuv3_s1ctx ctx = {
		.mode = IOMMU_SMMUV3_S1CTX_TRANSLATE, .s1ctxptr = 0x40000000,
	};
	struct iommu_hw_info_arm_smmuv3 info;
	char bdfs[EDU_MAX_DEVICES][16];
	uint32_t len = sizeof(info), type, ioas, parent;
	struct edu edu;

	ril_terms_init();
	if (edu_list(bdfs, EDU_MAX_DEVICES) < 1)
		return 1;
	fd = open("/dev/iommu", O_RDWR);
	if (edu_open(&edu, bdfs[0]) || edu_bind(&edu, fd) ||
	    iofd_hw_info(fd, edu.dev_id, &info, &len, &type, NULL) ||
	    iofd_ioas_alloc(fd, &ioas) ||
	    iofd_hwpt_alloc(fd, edu.dev_id, ioas,
			    IOMMU_HWPT_ALLOC_NEST_PARENT, IOMMU_HWPT_DATA_NONE,
			    NULL, 0, &parent) ||
	    iofd_hwpt_alloc(fd, edu.dev_id, parent, 0,
			    IOMMU_HWPT_DATA_ARM_SMMUV3_S1CTX, &ctx, sizeof(ctx),
			    &nested) ||
	    edu_attach(&edu, nested))
		return 1;
	s1_hook = open_s1_hook();
	if (s1_hook < 0)
		printf("no s1_invalidate test hook: kernel columns left empty\n");

	printf("Times: median [min-max] of %d, microseconds per call or batch\n\n",
	       REPEAT);
	bench_floor();
	bench_ranges(info.idr[3] & (1 << 10));
	bench_batches();
	return 0;
}
