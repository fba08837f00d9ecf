// SPDX-License-Identifier: GPL-2.0
/*
 * `make run`: tell a newcomer, step by step, what the SMMU in this guest
 * can do, then act as a VMM and show a device's DMA going through a
 * guest-owned stage 1 and a kernel-owned stage 2.
 */
#include <stdarg.h>
#include <sys/klog.h>
#include "iommufd_calls.h"
#include "smmuv3_guest.h"
#include "smmuv3_inv_stats.h"
#include "vfio_edu.h"

#define GUEST_IPA	0x40000000ULL	/* "guest RAM": CD and page tables */
#define DATA_IPA	0x50000000ULL	/* three guest data pages */
#define VA_SRC		0x20000000ULL	/* stage-1 VA -> data page 0 */
#define VA_DST		0x10000000ULL	/* stage-1 VA -> data page 1 */
#define PAGE		GUEST_PAGE

static int step;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	printf("\n[%d] ", ++step);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void detail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void detail(const char *fmt, ...)
{
	va_list ap;

	printf("    ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static char invalidate_cost[96];

/* What a guest's "TLBI by VA" becomes: one architecture-neutral entry */
static int invalidate_va(int fd, uint32_t nested, uint64_t va)
{
	struct iommu_hwpt_invalidate_generic inv = {
		.cache = IOMMU_INV_CACHE_IOTLB,
		.granularity = IOMMU_INV_GRANU_ADDR,
		.flags = IOMMU_INV_FLAG_ARCHID | IOMMU_INV_FLAG_LEAF,
		.archid = 1,
		.addr = va,
		.granule_size = PAGE,
		.nb_granules = 1,
	};
	uint64_t cmds = smmuv3_inv_stat("commands"), syncs = smmuv3_inv_stat("syncs");
	int ret = iofd_invalidate_one(fd, nested, &inv);

	snprintf(invalidate_cost, sizeof(invalidate_cost),
		 "%llu SMMU command(s) and %llu CMD_SYNC on the queue",
		 (unsigned long long)(smmuv3_inv_stat("commands") - cmds),
		 (unsigned long long)(smmuv3_inv_stat("syncs") - syncs));
	return ret;
}

static int fail(const char *what, int err)
{
	printf("\nDEMO FAILED: %s: %s\n", what, strerror(-err));
	return 1;
}

/* The kernel's own summary of the SMMU it probed. */
static void show_smmu_probe(void)
{
	static char log[1 << 18];
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, log, sizeof(log) - 1);
	char *line, *save;

	if (n < 0)
		return;
	log[n] = 0;
	for (line = strtok_r(log, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		if (strstr(line, "arm-smmu-v3") && strstr(line, "features"))
			detail("kernel: %s",
			       strchr(line, '>') ? strchr(line, '>') + 1 : line);
}

static void show_hw_info(const struct iommu_hw_info_arm_smmuv3 *info)
{
	uint32_t idr0 = info->idr[0];

	detail("IDR0 0x%08x: stage 1 %s, stage 2 %s, %u-bit ASIDs, %u-bit VMIDs",
	       idr0, idr0 & 2 ? "yes" : "no", idr0 & 1 ? "yes" : "no",
	       idr0 & (1 << 12) ? 16 : 8, idr0 & (1 << 18) ? 16 : 8);
	detail("IDR1 0x%08x: %u-bit SubstreamIDs", info->idr[1],
	       (info->idr[1] >> 6) & 31);
	detail("IDR3 0x%08x: range invalidation %s", info->idr[3],
	       info->idr[3] & (1 << 10) ? "yes" : "no");
	detail("IDR5 0x%08x, IIDR 0x%08x, AIDR 0x%08x", info->idr[5],
	       info->iidr, info->aidr);
}

int main(void)
{
	struct iommu_hwpt_arm_smmuv3_s1ctx ctx = {
		.mode = IOMMU_SMMUV3_S1CTX_TRANSLATE,
	};
	struct iommu_hw_info_arm_smmuv3 info;
	char bdfs[EDU_MAX_DEVICES][16];
	uint32_t ioas, parent, nested, len = sizeof(info), type = 0, id;
	struct smmuv3_guest g = { .ipa = GUEST_IPA, .size = 0x10000 };
	uint64_t cd, root;
	struct edu edu;
	uint8_t *data;
	int n, fd, ret;

	say("The guest booted on QEMU's virt machine with an SMMUv3 in front of PCI.");
	show_smmu_probe();

	n = edu_list(bdfs, EDU_MAX_DEVICES);
	say("Found %d edu DMA test device(s); using %s, as a VMM would for a VM.",
	    n, n ? bdfs[0] : "none");
	if (!n)
		return fail("no edu device", -ENODEV);
	ret = edu_open_bound(&edu, &fd);
	if (ret)
		return fail("binding the device's VFIO cdev to /dev/iommu", ret);

	ret = iofd_hw_info(fd, edu.dev_id, &info, &len, &type, NULL);
	if (ret || type != IOMMU_HW_INFO_TYPE_ARM_SMMUV3)
		return fail("IOMMU_GET_HW_INFO gave no SMMUv3 data", ret ? ret : -ENODATA);
	say("IOMMU_GET_HW_INFO: the SMMU's ID registers, to model a virtual SMMU on:");
	show_hw_info(&info);

	say("Stage 2 (the host's): map guest RAM at IPA 0x%llx and three data pages at IPA 0x%llx,",
	    (unsigned long long)GUEST_IPA, (unsigned long long)DATA_IPA);
	detail("then IOMMU_HWPT_ALLOC_NEST_PARENT: the kernel picks the VMID; we never see it.");
	g.mem = mmap(NULL, g.size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	data = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g.mem == MAP_FAILED || data == MAP_FAILED)
		return fail("mmap", -errno);
	ret = iofd_ioas_alloc(fd, &ioas);
	if (!ret)
		ret = iofd_map(fd, ioas, g.mem, g.size, GUEST_IPA);
	if (!ret)
		ret = iofd_map(fd, ioas, data, 3 * PAGE, DATA_IPA);
	if (!ret)
		ret = iofd_hwpt_alloc(fd, edu.dev_id, ioas,
				      IOMMU_HWPT_ALLOC_NEST_PARENT,
				      IOMMU_HWPT_DATA_NONE, NULL, 0, &parent);
	if (ret)
		return fail("stage 2 setup", ret);

	say("Stage 1 (the guest's): write a context descriptor (ASID 1) and page tables");
	detail("into guest RAM: VA 0x%llx -> IPA 0x%llx, VA 0x%llx -> IPA 0x%llx.",
	       (unsigned long long)VA_SRC, (unsigned long long)DATA_IPA,
	       (unsigned long long)VA_DST, (unsigned long long)DATA_IPA + PAGE);
	cd = guest_alloc_page(&g);
	root = guest_alloc_page(&g);
	guest_write_cd(&g, cd, 1, root);
	if (guest_map(&g, root, VA_SRC, DATA_IPA) ||
	    guest_map(&g, root, VA_DST, DATA_IPA + PAGE))
		return fail("building stage-1 tables", -ENOMEM);

	ctx.s1ctxptr = cd + 8;
	ret = iofd_hwpt_alloc(fd, edu.dev_id, parent, 0,
			      IOMMU_HWPT_DATA_ARM_SMMUV3_S1CTX, &ctx,
			      sizeof(ctx), &id);
	say("The kernel checks what the VMM hands in: a context pointer that is not");
	detail("64-byte aligned is refused: %s.", ret ? strerror(-ret) : "accepted?!");
	if (ret != -EINVAL)
		return fail("a misaligned context pointer was not refused", -EPROTO);

	ctx.s1ctxptr = cd;
	ret = iofd_hwpt_alloc(fd, edu.dev_id, parent, 0,
			      IOMMU_HWPT_DATA_ARM_SMMUV3_S1CTX, &ctx,
			      sizeof(ctx), &nested);
	if (!ret)
		ret = edu_attach(&edu, nested);
	if (!ret)
		ret = edu_enable(&edu);
	if (ret)
		return fail("nested HWPT", ret);
	say("Nested HWPT allocated (context pointer IPA 0x%llx) and attached: the SMMU",
	    (unsigned long long)cd);
	detail("now walks the guest's stage 1, then the kernel's stage 2, for this device.");

	snprintf((char *)data, PAGE, "hello through two stages");
	memset(data + PAGE, 0, PAGE);
	say("DMA: the device reads VA 0x%llx and writes what it read to VA 0x%llx.",
	    (unsigned long long)VA_SRC, (unsigned long long)VA_DST);
	ret = edu_dma_from(&edu, VA_SRC, PAGE);
	if (!ret)
		ret = edu_dma_to(&edu, VA_DST, PAGE);
	if (ret)
		return fail("edu DMA", ret);
	detail("the host page behind IPA 0x%llx now reads: \"%s\"",
	       (unsigned long long)DATA_IPA + PAGE, (char *)data + PAGE);
	if (memcmp(data, data + PAGE, PAGE))
		return fail("the data did not arrive through both stages", -EIO);

	memset(data + PAGE, 0, PAGE);
	ret = edu_dma_to(&edu, DATA_IPA + PAGE, PAGE);
	say("DMA to 0x%llx, an IPA but no stage-1 VA, reaches nothing: page still %s.",
	    (unsigned long long)DATA_IPA + PAGE,
	    data[PAGE] ? "WRITTEN (wrong!)" : "empty");
	if (ret || data[PAGE])
		return fail("stage 1 was bypassed", -EPROTO);

	say("The guest moves VA 0x%llx to IPA 0x%llx in its page table. The SMMU still",
	    (unsigned long long)VA_DST, (unsigned long long)DATA_IPA + 2 * PAGE);
	guest_remap(&g, root, VA_DST, DATA_IPA + 2 * PAGE);
	memset(data + PAGE, 0, 2 * PAGE);
	ret = edu_dma_to(&edu, VA_DST, PAGE);
	detail("caches the old translation: the next DMA lands in IPA 0x%llx (%s).",
	       (unsigned long long)DATA_IPA + PAGE,
	       data[PAGE] ? "the old page" : "nowhere?!");
	if (ret || !data[PAGE] || data[2 * PAGE])
		return fail("the cached translation was not observed", -EPROTO);

	ret = invalidate_va(fd, nested, VA_DST);
	if (ret)
		return fail("IOMMU_HWPT_INVALIDATE", ret);
	memset(data + PAGE, 0, 2 * PAGE);
	ret = edu_dma_to(&edu, VA_DST, PAGE);
	say("The VMM passes the guest's invalidation on: one generic entry (IOTLB, ASID 1,");
	detail("one page) -> %s.", invalidate_cost);
	detail("The next DMA lands in IPA 0x%llx (%s).",
	       (unsigned long long)DATA_IPA + 2 * PAGE,
	       data[2 * PAGE] ? "the new page" : "not there?!");
	if (ret || !data[2 * PAGE] || data[PAGE])
		return fail("the invalidation did not take effect", -EPROTO);

	say("Done: the guest chose where its device may write; the host kept the VM's bounds.");
	edu_close(&edu);
	close(fd);
	return 0;
}
