// SPDX-License-Identifier: GPL-2.0
/*
 * `make bench`: what generic invalidation costs on the command queue and
 * in time. For ranges of 1 page to 1 GiB and batches of 1 to 512 entries
 * it reports commands issued against the fewest possible, CMD_SYNCs per
 * ioctl, and ioctl time per entry against the kernel's own invalidation of
 * the same range on a plain stage-1 domain (an IOAS unmap). Not a test:
 * it asserts nothing; it prints a table.
 */
#include <stdarg.h>
#include <time.h>
#include "iommufd_calls.h"
#include "ril_oracle.h"
#include "smmu_marks.h"
#include "smmuv3_inv_stats.h"
#include "vfio_edu.h"

#define CHUNK	(2ULL << 20)	/* the unmap side maps this buffer again and again */
#define IOVA	0x100000000ULL
#define REPEAT	20
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* The fewest commands for @n pages: the oracle's, not the driver's */
static unsigned int minimal_cmds(uint64_t n, bool ril)
{
	if (!ril)
		return n <= 64 ? n : 1;
	if (n == 1)
		return 1;
	/* Beyond 14 range commands the driver goes wide: one command */
	return ril_fewest(n, 14) ?: 1;
}

static int fd;
static uint32_t nested, ioas_s1;
static uint8_t *chunk;

static double time_invalidate(struct iommu_hwpt_invalidate_generic *inv,
			      uint32_t n)
{
	uint64_t c0 = smmuv3_inv_stat("commands"), s0 = smmuv3_inv_stat("syncs");
	double best = 1e18;
	int r;

	/* show.sh holds the counters against QEMU's trace of its queue */
	smmu_trace_begin();
	for (r = 0; r < REPEAT; r++) {
		uint32_t num = n;
		double t = now_us();

		if (iofd_invalidate(fd, nested,
				    IOMMU_HWPT_INVALIDATE_DATA_GENERIC, inv,
				    sizeof(*inv), &num) || num != n)
			return -1;
		t = now_us() - t;
		if (t < best)
			best = t;
	}
	smmu_trace_end(smmuv3_inv_stat("commands") - c0,
		       smmuv3_inv_stat("syncs") - s0);
	return best;
}

/* The kernel's own path: map @len at IOVA on a plain S1 domain, unmap it */
static double time_unmap(uint64_t len)
{
	double best = 1e18;
	uint64_t off;
	int r, reps = len > (64ULL << 20) ? 3 : REPEAT;

	for (r = 0; r < reps; r++) {
		double t;

		for (off = 0; off < len; off += CHUNK)
			if (iofd_map(fd, ioas_s1, chunk,
				     len - off < CHUNK ? len - off : CHUNK,
				     IOVA + off))
				return -1;
		t = now_us();
		if (iofd_unmap(fd, ioas_s1, IOVA, len))
			return -1;
		t = now_us() - t;
		if (t < best)
			best = t;
	}
	return best;
}

int main(void)
{
	/* Powers of two, and page counts of several 5-bit groups */
	static const uint64_t sizes[] = {
		4096, 3 * 4096, 64 << 10, 33 * 4096, 2 << 20, 1000 * 4096,
		64 << 20, 1ULL << 30,
	};
	static const uint32_t batches[] = { 1, 8, 64, 512 };
	struct iommu_hwpt_arm_smmuv3_s1ctx ctx = {
		.mode = IOMMU_SMMUV3_S1CTX_TRANSLATE, .s1ctxptr = 0x40000000,
	};
	static struct iommu_hwpt_invalidate_generic inv[512];
	struct iommu_hw_info_arm_smmuv3 info;
	char bdfs[EDU_MAX_DEVICES][16];
	uint32_t len = sizeof(info), type, ioas, parent, s1;
	struct edu edu[2];
	bool ril;
	unsigned int i;

	ril_terms_init();
	if (edu_list(bdfs, EDU_MAX_DEVICES) < 2)
		return 1;
	fd = open("/dev/iommu", O_RDWR);
	for (i = 0; i < 2; i++)
		if (edu_open(&edu[i], bdfs[i]) || edu_bind(&edu[i], fd))
			return 1;
	chunk = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (chunk == MAP_FAILED ||
	    iofd_hw_info(fd, edu[0].dev_id, &info, &len, &type, NULL) ||
	    iofd_ioas_alloc(fd, &ioas) || iofd_ioas_alloc(fd, &ioas_s1) ||
	    iofd_hwpt_alloc(fd, edu[0].dev_id, ioas,
			    IOMMU_HWPT_ALLOC_NEST_PARENT, IOMMU_HWPT_DATA_NONE,
			    NULL, 0, &parent) ||
	    iofd_hwpt_alloc(fd, edu[0].dev_id, parent, 0,
			    IOMMU_HWPT_DATA_ARM_SMMUV3_S1CTX, &ctx, sizeof(ctx),
			    &nested) ||
	    edu_attach(&edu[0], nested) ||
	    iofd_hwpt_alloc(fd, edu[1].dev_id, ioas_s1, 0, IOMMU_HWPT_DATA_NONE,
			    NULL, 0, &s1) ||
	    edu_attach(&edu[1], s1))
		return 1;
	ril = info.idr[3] & (1 << 10);

	printf("BENCH: ranges, one entry each (RIL %s); best of %d\n",
	       ril ? "yes" : "no", REPEAT);
	printf("| range | commands | minimal | syncs/ioctl | invalidate us | unmap us | ratio |\n");
	printf("| --- | --- | --- | --- | --- | --- | --- |\n");
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		uint64_t c0 = smmuv3_inv_stat("commands"), s0 = smmuv3_inv_stat("syncs");
		double t_inv, t_unmap;

		inv[0] = (struct iommu_hwpt_invalidate_generic){
			.cache = IOMMU_INV_CACHE_IOTLB,
			.granularity = IOMMU_INV_GRANU_ADDR,
			.flags = IOMMU_INV_FLAG_ARCHID | IOMMU_INV_FLAG_LEAF,
			.archid = 1, .addr = IOVA, .granule_size = 4096,
			.nb_granules = sizes[i] / 4096,
		};
		t_inv = time_invalidate(inv, 1);
		t_unmap = time_unmap(sizes[i]);
		printf("| %llu KiB | %.1f | %u | %.2f | %.1f | %.1f | %.3f |\n",
		       (unsigned long long)sizes[i] >> 10,
		       (double)(smmuv3_inv_stat("commands") - c0) / REPEAT,
		       minimal_cmds(sizes[i] / 4096, ril),
		       (double)(smmuv3_inv_stat("syncs") - s0) / REPEAT, t_inv,
		       t_unmap, t_inv / t_unmap);
	}

	printf("\nBENCH: batches of one-page entries\n");
	printf("| entries | cmds/ioctl | syncs/ioctl | inval us/entry | unmap us/page | ratio |\n");
	printf("| --- | --- | --- | --- | --- | --- |\n");
	for (i = 0; i < ARRAY_SIZE(batches); i++) {
		uint32_t n = batches[i], e;
		uint64_t c0 = smmuv3_inv_stat("commands"), s0 = smmuv3_inv_stat("syncs");
		double t_inv, t_unmap;

		for (e = 0; e < n; e++)
			inv[e] = (struct iommu_hwpt_invalidate_generic){
				.cache = IOMMU_INV_CACHE_IOTLB,
				.granularity = IOMMU_INV_GRANU_ADDR,
				.flags = IOMMU_INV_FLAG_ARCHID |
					 IOMMU_INV_FLAG_LEAF,
				.archid = 1, .addr = IOVA + e * 8192ULL,
				.granule_size = 4096, .nb_granules = 1,
			};
		t_inv = time_invalidate(inv, n) / n;
		t_unmap = time_unmap(4096);
		printf("| %u | %.1f | %.2f | %.2f | %.1f | %.3f |\n", n,
		       (double)(smmuv3_inv_stat("commands") - c0) / REPEAT,
		       (double)(smmuv3_inv_stat("syncs") - s0) / REPEAT, t_inv,
		       t_unmap, t_inv / t_unmap);
	}
	return 0;
}
