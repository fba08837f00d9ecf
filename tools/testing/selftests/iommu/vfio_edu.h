/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Drive QEMU's "edu" PCI device through a VFIO cdev bound to iommufd, so
 * tests can make a real device DMA through the SMMU.
 *
 * edu: BAR0 register 0x80 DMA source, 0x88 destination, 0x90 length,
 * 0x98 command (bit 0 run, bit 1 device-to-RAM, bit 2 raise interrupt
 * 0x100 when done), 0x24 interrupt status, 0x64 interrupt acknowledge.
 * It has one MSI vector. Its 4 KiB buffer sits at device address
 * 0x40000. It reports no DMA errors: a faulting read yields zeroes and a
 * faulting write is dropped, so tests fill buffers with distinct patterns.
 */
#ifndef __SELFTEST_IOMMU_VFIO_EDU_H
#define __SELFTEST_IOMMU_VFIO_EDU_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/iommufd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "smmu_marks.h"

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8
#define EDU_REG_ID		0x00
#define EDU_REG_IRQ_STATUS	0x24
#define EDU_REG_IRQ_ACK		0x64
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_LEN		0x90
#define EDU_REG_DMA_CMD		0x98
#define EDU_DMA_RUN		0x1
#define EDU_DMA_TO_RAM		0x2
#define EDU_DMA_IRQ		0x4
#define EDU_IRQ_DMA_DONE	0x100	/* interrupt status after EDU_DMA_IRQ */
#define EDU_BUF_ADDR		0x40000ULL
#define EDU_BUF_SIZE		4096
#define EDU_MAX_DEVICES		4

struct edu {
	char bdf[16];
	int fd;			/* VFIO device cdev */
	volatile uint8_t *bar0;
	size_t bar0_size;
	uint64_t cfg_offset;	/* of the PCI config region in fd */
	uint32_t dev_id;	/* iommufd's id once bound */
};

static inline uint32_t edu_read_hex_file(const char *path)
{
	char buf[32] = "";
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return strtoul(buf, NULL, 16);
}

/* Fill @bdfs with the PCI addresses of edu devices; returns how many. */
static inline int edu_list(char bdfs[][16], int max)
{
	const char *pci = "/sys/bus/pci/devices";
	struct dirent **names;
	char path[300];
	int i, n, found = 0;

	n = scandir(pci, &names, NULL, alphasort);
	for (i = 0; i < n; i++) {
		const char *d = names[i]->d_name;

		snprintf(path, sizeof(path), "%s/%s/vendor", pci, d);
		if (d[0] != '.' && found < max &&
		    edu_read_hex_file(path) == EDU_VENDOR) {
			snprintf(path, sizeof(path), "%s/%s/device", pci, d);
			if (edu_read_hex_file(path) == EDU_DEVICE)
				snprintf(bdfs[found++], 16, "%.15s", d);
		}
		free(names[i]);
	}
	if (n > 0)
		free(names);
	return found;
}

/*
 * What the test bed says about the guest on its kernel command line:
 * the text after "testbed.<key>=", or NULL outside the test bed.
 */
static inline const char *testbed_param(const char *key)
{
	static char cmdline[1024];
	char pat[64];
	char *p;
	FILE *f = fopen("/proc/cmdline", "r");

	if (!f)
		return NULL;
	if (!fgets(cmdline, sizeof(cmdline), f))
		cmdline[0] = 0;
	fclose(f);
	snprintf(pat, sizeof(pat), "testbed.%s=", key);
	p = strstr(cmdline, pat);
	return p ? p + strlen(pat) : NULL;
}

/* Write @val to the sysfs or procfs file @path; 0 or -errno */
static inline int testbed_write(const char *path, const char *val)
{
	int ret = 0, fd = open(path, O_WRONLY);

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		ret = -errno;
	close(fd);
	return ret;
}

/*
 * How many edu devices the test bed promises (testbed.edu=N). Outside the
 * test bed this is 0, and a test with no device skips; inside it a
 * missing device is a failure.
 */
static inline int edu_promised(void)
{
	const char *n = testbed_param("edu");

	return n ? atoi(n) : 0;
}

/* Open the VFIO cdev of @bdf (it must already be bound to vfio-pci). */
static inline int edu_open(struct edu *edu, const char *bdf)
{
	char path[300];
	struct dirent *de;
	DIR *dir;

	memset(edu, 0, sizeof(*edu));
	edu->fd = -1;
	snprintf(edu->bdf, sizeof(edu->bdf), "%.15s", bdf);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	dir = opendir(path);
	if (!dir)
		return -ENODEV;
	while ((de = readdir(dir))) {
		if (!strncmp(de->d_name, "vfio", 4)) {
			snprintf(path, sizeof(path), "/dev/vfio/devices/%s",
				 de->d_name);
			edu->fd = open(path, O_RDWR);
			break;
		}
	}
	closedir(dir);
	return edu->fd < 0 ? -ENODEV : 0;
}

static inline int edu_bind(struct edu *edu, int iommufd)
{
	struct vfio_device_bind_iommufd bind = {
		.argsz = sizeof(bind),
		.iommufd = iommufd,
	};

	if (ioctl(edu->fd, VFIO_DEVICE_BIND_IOMMUFD, &bind))
		return -errno;
	edu->dev_id = bind.out_devid;
	return 0;
}

/* Attach (or replace) the device's translation with HWPT or IOAS @pt_id. */
static inline int edu_attach(struct edu *edu, uint32_t pt_id)
{
	struct vfio_device_attach_iommufd_pt attach = {
		.argsz = sizeof(attach),
		.pt_id = pt_id,
	};

	return ioctl(edu->fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach) ?
		-errno : 0;
}

static inline int edu_detach(struct edu *edu)
{
	struct vfio_device_detach_iommufd_pt detach = {
		.argsz = sizeof(detach),
	};

	return ioctl(edu->fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &detach) ?
		-errno : 0;
}

/*
 * Open and bind up to @max edu devices to one new iommufd, in *@iommufd.
 * Returns how many (0: none here), or a negative errno. Devices not
 * opened are left closed (fd -1), for edu_close().
 */
static inline int edu_open_all(struct edu *edus, int max, int *iommufd)
{
	char bdfs[EDU_MAX_DEVICES][16];
	int i, ret, n;

	if (max > EDU_MAX_DEVICES)
		max = EDU_MAX_DEVICES;
	for (i = 0; i < max; i++) {
		memset(&edus[i], 0, sizeof(edus[i]));
		edus[i].fd = -1;
	}
	*iommufd = -1;
	n = edu_list(bdfs, max);
	if (n < 1)
		return 0;
	*iommufd = open("/dev/iommu", O_RDWR);
	if (*iommufd < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		ret = edu_open(&edus[i], bdfs[i]);
		if (!ret)
			ret = edu_bind(&edus[i], *iommufd);
		if (ret)
			return ret;
	}
	return n;
}

/*
 * Open the first edu device, bind it to a new iommufd and return that in
 * @iommufd. -ENODEV: no edu device here (see edu_promised()).
 */
static inline int edu_open_bound(struct edu *edu, int *iommufd)
{
	int n = edu_open_all(edu, 1, iommufd);

	return n < 0 ? n : n ? 0 : -ENODEV;
}

/* Map BAR0 and let the device master the bus. */
static inline int edu_enable(struct edu *edu)
{
	struct vfio_region_info bar = {
		.argsz = sizeof(bar),
		.index = VFIO_PCI_BAR0_REGION_INDEX,
	};
	struct vfio_region_info cfg = {
		.argsz = sizeof(cfg),
		.index = VFIO_PCI_CONFIG_REGION_INDEX,
	};
	uint16_t cmd;
	void *p;

	if (ioctl(edu->fd, VFIO_DEVICE_GET_REGION_INFO, &bar) ||
	    ioctl(edu->fd, VFIO_DEVICE_GET_REGION_INFO, &cfg))
		return -errno;
	p = mmap(NULL, bar.size, PROT_READ | PROT_WRITE, MAP_SHARED, edu->fd,
		 bar.offset);
	if (p == MAP_FAILED)
		return -errno;
	edu->bar0 = p;
	edu->bar0_size = bar.size;
	edu->cfg_offset = cfg.offset;

	if (pread(edu->fd, &cmd, sizeof(cmd), cfg.offset + PCI_COMMAND) !=
	    sizeof(cmd))
		return -EIO;
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	if (pwrite(edu->fd, &cmd, sizeof(cmd), cfg.offset + PCI_COMMAND) !=
	    sizeof(cmd))
		return -EIO;
	return 0;
}

static inline void edu_close(struct edu *edu)
{
	if (edu->bar0)
		munmap((void *)edu->bar0, edu->bar0_size);
	if (edu->fd >= 0)
		close(edu->fd);
	edu->bar0 = NULL;
	edu->fd = -1;
}

static inline uint32_t edu_id(struct edu *edu)
{
	return *(volatile uint32_t *)(edu->bar0 + EDU_REG_ID);
}

static inline void edu_write64(struct edu *edu, unsigned int reg,
			       uint64_t val)
{
	*(volatile uint64_t *)(edu->bar0 + reg) = val;
}

/*
 * One DMA of @len bytes between IOVA @iova and offset @off of the device
 * buffer; @flags: EDU_DMA_TO_RAM for the direction, EDU_DMA_IRQ for an
 * interrupt at the end. edu finishes a transfer 100 ms of virtual time
 * after the command; give up after 10 s of wall time.
 */
static inline int edu_dma_cmd(struct edu *edu, uint64_t iova, uint32_t off,
			      uint32_t len, uint32_t flags)
{
	bool to_ram = flags & EDU_DMA_TO_RAM;
	uint64_t dev = EDU_BUF_ADDR + off;
	volatile uint32_t *cmd = (volatile uint32_t *)(edu->bar0 +
						       EDU_REG_DMA_CMD);
	struct timespec pause = { .tv_nsec = 1000000 };
	int i;

	edu_write64(edu, EDU_REG_DMA_SRC, to_ram ? dev : iova);
	edu_write64(edu, EDU_REG_DMA_DST, to_ram ? iova : dev);
	edu_write64(edu, EDU_REG_DMA_LEN, len);
	edu_write64(edu, EDU_REG_DMA_CMD, EDU_DMA_RUN | flags);
	for (i = 0; i < 10000; i++) {
		if (!(*cmd & EDU_DMA_RUN))
			return 0;
		nanosleep(&pause, NULL);
	}
	return -ETIMEDOUT;
}

static inline int edu_dma(struct edu *edu, uint64_t iova, uint32_t off,
			  uint32_t len, bool to_ram)
{
	return edu_dma_cmd(edu, iova, off, len, to_ram ? EDU_DMA_TO_RAM : 0);
}

/* Device buffer <- memory at @iova, then memory at @iova <- device buffer */
static inline int edu_dma_from(struct edu *edu, uint64_t iova, uint32_t len)
{
	return edu_dma(edu, iova, 0, len, false);
}

static inline int edu_dma_to(struct edu *edu, uint64_t iova, uint32_t len)
{
	return edu_dma(edu, iova, 0, len, true);
}

/*
 * Deliver edu's MSI to eventfd @efd (-1: disable MSI again), as a VMM
 * does for a passed-through device. vfio-pci allocates the host interrupt
 * here, which is when the kernel maps the MSI doorbell for the device's
 * translation.
 */
static inline int edu_msi_eventfd(struct edu *edu, int efd)
{
	uint8_t buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;
	int32_t fd = efd;

	memset(buf, 0, sizeof(buf));
	set->argsz = sizeof(buf);
	set->flags = VFIO_IRQ_SET_ACTION_TRIGGER |
		     (efd < 0 ? VFIO_IRQ_SET_DATA_NONE :
				VFIO_IRQ_SET_DATA_EVENTFD);
	set->index = VFIO_PCI_MSI_IRQ_INDEX;
	set->count = efd < 0 ? 0 : 1;
	memcpy(set->data, &fd, sizeof(fd));
	return ioctl(edu->fd, VFIO_DEVICE_SET_IRQS, set) ? -errno : 0;
}

/* Interrupts signalled on eventfd @efd within @ms milliseconds (0: none) */
static inline uint64_t edu_irqs_within(int efd, int ms)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };
	uint64_t n = 0;

	if (poll(&p, 1, ms) == 1 && read(efd, &n, sizeof(n)) != sizeof(n))
		n = 0;
	return n;
}

/* Read and acknowledge edu's interrupt status */
static inline uint32_t edu_irq_ack(struct edu *edu)
{
	uint32_t status = *(volatile uint32_t *)(edu->bar0 +
						 EDU_REG_IRQ_STATUS);

	*(volatile uint32_t *)(edu->bar0 + EDU_REG_IRQ_ACK) = status;
	return status;
}

/*
 * The software MSI window of the device's IOMMU group (the "msi" line of
 * its reserved_regions): where the kernel maps MSI doorbells in stage 2,
 * and what a guest's stage 1 must map 1:1. 0, or -ENOENT without one.
 */
static inline int edu_msi_window(struct edu *edu, uint64_t *start,
				 uint64_t *end)
{
	unsigned long long s, e;
	char path[300], type[32];
	int ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path),
		 "/sys/bus/pci/devices/%s/iommu_group/reserved_regions",
		 edu->bdf);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	while (ret && fscanf(f, "%llx %llx %31s", &s, &e, type) == 3) {
		if (!strcmp(type, "msi")) {
			*start = s;
			*end = e;
			ret = 0;
		}
	}
	fclose(f);
	return ret;
}

/*
 * The SMMU events one DMA of @len bytes records when all of it faults at
 * a stage that records faults: QEMU translates a failed transfer again
 * for each 4-byte access and records an event each time (QEMU 10.0: a
 * 4 KiB write gives 1024 F_TRANSLATION events, addresses 4 bytes apart).
 */
#define EDU_FAULT_EVENTS(len)	((len) / 4)

#endif
