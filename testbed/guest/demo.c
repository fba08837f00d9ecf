// SPDX-License-Identifier: GPL-2.0
/*
 * `make run`: tell a newcomer, step by step, what the SMMU in this guest
 * can do and show a device doing DMA through it, acting as a VMM would.
 */
#include <stdarg.h>
#include <sys/klog.h>
#include "iommufd_calls.h"
#include "vfio_edu.h"

#define IOVA	0x10000000ULL
#define LEN	4096

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
		if (strstr(line, "arm-smmu-v3") &&
		    (strstr(line, "features") || strstr(line, "ias")))
			detail("kernel: %s", strchr(line, '>') ? strchr(line, '>') + 1 : line);
}

int main(void)
{
	char bdfs[EDU_MAX_DEVICES][16];
	uint32_t ioas, len = 0, type = 0;
	uint64_t caps = 0;
	struct edu edu;
	uint8_t *mem;
	int n, i, fd, ret;

	say("The guest booted on QEMU's virt machine with an SMMUv3 in front of PCI.");
	show_smmu_probe();

	n = edu_list(bdfs, EDU_MAX_DEVICES);
	say("Found %d edu DMA test device(s) behind the SMMU:", n);
	for (i = 0; i < n; i++)
		detail("%s (StreamID = its PCI requester ID)", bdfs[i]);
	if (!n)
		return fail("no edu device", -ENODEV);

	say("Acting as a VMM: open the device's VFIO cdev and bind it to /dev/iommu.");
	ret = edu_open(&edu, bdfs[0]);
	if (ret)
		return fail("open VFIO cdev", ret);
	fd = open("/dev/iommu", O_RDWR);
	if (fd < 0)
		return fail("open /dev/iommu", -errno);
	ret = edu_bind(&edu, fd);
	if (ret)
		return fail("VFIO_DEVICE_BIND_IOMMUFD", ret);
	detail("bound as iommufd device %u", edu.dev_id);

	ret = iofd_hw_info(fd, edu.dev_id, NULL, &len, &type, &caps);
	say("IOMMU_GET_HW_INFO: type %u, %u bytes of data, capabilities 0x%llx",
	    type, len, (unsigned long long)caps);

	say("Allocate an IOAS, attach the device to it, map one page at IOVA 0x%llx.",
	    (unsigned long long)IOVA);
	mem = mmap(NULL, 2 * LEN, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return fail("mmap", -errno);
	ret = iofd_ioas_alloc(fd, &ioas);
	if (!ret)
		ret = edu_attach(&edu, ioas);
	if (!ret)
		ret = iofd_map(fd, ioas, mem, 2 * LEN, IOVA);
	if (!ret)
		ret = edu_enable(&edu);
	if (ret)
		return fail("setting up the IOAS", ret);

	snprintf((char *)mem, LEN, "hello through the SMMU");
	memset(mem + LEN, 0, LEN);
	say("DMA: device reads IOVA 0x%llx, then writes it back to IOVA 0x%llx.",
	    (unsigned long long)IOVA, (unsigned long long)IOVA + LEN);
	ret = edu_dma_from(&edu, IOVA, LEN);
	if (!ret)
		ret = edu_dma_to(&edu, IOVA + LEN, LEN);
	if (ret)
		return fail("edu DMA", ret);
	detail("second page now reads: \"%s\"", (char *)mem + LEN);
	if (memcmp(mem, mem + LEN, LEN))
		return fail("DMA data mismatch", -EIO);

	say("Done: one device, one stage of translation, owned by the kernel.");
	edu_close(&edu);
	close(fd);
	return 0;
}
