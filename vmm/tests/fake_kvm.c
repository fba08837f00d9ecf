// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for the kernel under the adapter, for adapter_test: the
 * ioctl() the adapter finds next (dlsym RTLD_NEXT).
 *
 * KVM_RUN blocks, as a running or parked vCPU does, until another KVM
 * request arrives; other KVM requests return at once. iommufd and VFIO
 * requests get the answers of a kernel with one SMMUv3 that does what it
 * is asked: VFIO binds number the devices, allocations number the
 * objects, a device event queue is an eventfd. The test can see what
 * reached it and make the next request for a device fail.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "fake_kvm.h"

#define KVMIO		0xAE
#define KVM_RUN_NR	0x80
#define MAX_REQS	32
#define MAX_DEVS	128
#define ARG_BYTES	64

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static bool running, kicked;

/* What reached it, per request */
static struct {
	unsigned long req;
	unsigned int calls;
	unsigned char last[ARG_BYTES];
} seen[MAX_REQS];

/* The one next request to fail */
static struct {
	unsigned long req;
	uint32_t dev_id;
	int err;
} refusal;

/* Device IDs are VFIO binds in order, from 1; other objects from 1000 */
static uint32_t devs, next_id = 1000;
static uint32_t hw_type[MAX_DEVS];

void fake_kvm_wait_running(void)
{
	pthread_mutex_lock(&lock);
	while (!running)
		pthread_cond_wait(&changed, &lock);
	pthread_mutex_unlock(&lock);
}

unsigned int fake_kernel_calls(unsigned long req)
{
	unsigned int i, n = 0;

	pthread_mutex_lock(&lock);
	for (i = 0; i < MAX_REQS; i++)
		if (seen[i].calls && seen[i].req == req)
			n = seen[i].calls;
	pthread_mutex_unlock(&lock);
	return n;
}

const void *fake_kernel_last(unsigned long req)
{
	unsigned int i;

	for (i = 0; i < MAX_REQS; i++)
		if (seen[i].calls && seen[i].req == req)
			return seen[i].last;
	return NULL;
}

void fake_kernel_refuse(unsigned long req, uint32_t dev_id, int err)
{
	pthread_mutex_lock(&lock);
	refusal.req = req;
	refusal.dev_id = dev_id;
	refusal.err = err;
	pthread_mutex_unlock(&lock);
}

void fake_kernel_hw_type(uint32_t dev_id, uint32_t type)
{
	if (dev_id < MAX_DEVS)
		hw_type[dev_id] = type;
}

/* Book @req with its argument; iommufd's and VFIO's start with a size */
static void book(unsigned long req, const void *arg)
{
	uint32_t size;
	unsigned int i;

	for (i = 0; i < MAX_REQS; i++)
		if (!seen[i].calls || seen[i].req == req)
			break;
	if (i == MAX_REQS)
		return;
	seen[i].req = req;
	seen[i].calls++;
	memset(seen[i].last, 0, ARG_BYTES);
	memcpy(&size, arg, sizeof(size));
	memcpy(seen[i].last, arg, size < ARG_BYTES ? size : ARG_BYTES);
}

/* Whether this @req for device @dev_id is the one to fail */
static int refused(unsigned long req, uint32_t dev_id)
{
	int err = refusal.err;

	if (!err || refusal.req != req ||
	    (refusal.dev_id && refusal.dev_id != dev_id))
		return 0;
	refusal.err = 0;
	errno = err;
	return -1;
}

static int hw_info(struct iommu_hw_info *info)
{
	struct iommu_hw_info_arm_smmuv3 hw = {
		/* ASID16, two-level CD tables; 48-bit OAS, 4K granule */
		.idr = { [0] = 1u << 12 | 1u << 19, [5] = 5 | 1u << 4 },
	};

	if (!info->dev_id || info->dev_id > devs) {
		errno = ENOENT;
		return -1;
	}
	info->out_data_type = info->dev_id < MAX_DEVS && hw_type[info->dev_id] ?
			      hw_type[info->dev_id] :
			      IOMMU_HW_INFO_TYPE_ARM_SMMUV3;
	memcpy((void *)(uintptr_t)info->data_uptr, &hw,
	       info->data_len < sizeof(hw) ? info->data_len : sizeof(hw));
	return 0;
}

static int iommufd(unsigned long req, void *arg)
{
	switch (req) {
	case IOMMU_IOAS_ALLOC:
		((struct iommu_ioas_alloc *)arg)->out_ioas_id = next_id++;
		return 0;
	case IOMMU_GET_HW_INFO:
		return hw_info(arg);
	case IOMMU_HWPT_ALLOC: {
		struct iommu_hwpt_alloc *a = arg;

		if (refused(req, a->dev_id))
			return -1;
		a->out_hwpt_id = next_id++;
		return 0;
	}
	case IOMMU_HWPT_INVALIDATE:
		return refused(req, 0);
	case IOMMU_DEVICE_EVENTQ_ALLOC: {
		struct iommu_device_eventq_alloc *a = arg;
		int fd;

		if (refused(req, a->dev_id))
			return -1;
		fd = eventfd(0, EFD_CLOEXEC);
		if (fd < 0)
			return -1;
		a->out_eventq_fd = fd;
		a->out_eventq_id = next_id++;
		return 0;
	}
	case IOMMU_DESTROY:
		return 0;
	case VFIO_DEVICE_BIND_IOMMUFD:
		((struct vfio_device_bind_iommufd *)arg)->out_devid = ++devs;
		return 0;
	case VFIO_DEVICE_ATTACH_IOMMUFD_PT:
	case VFIO_DEVICE_DETACH_IOMMUFD_PT:
		return 0;
	default:
		errno = ENOTTY;
		return -1;
	}
}

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	int ret;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	(void)fd;
	pthread_mutex_lock(&lock);
	/* iommufd and VFIO share their type */
	if (_IOC_TYPE(req) == IOMMUFD_TYPE) {
		book(req, arg);
		ret = iommufd(req, arg);
		pthread_mutex_unlock(&lock);
		return ret;
	}
	if (_IOC_TYPE(req) != KVMIO) {
		pthread_mutex_unlock(&lock);
		errno = ENOTTY;
		return -1;
	}
	if (_IOC_NR(req) == KVM_RUN_NR) {
		running = true;
		pthread_cond_broadcast(&changed);
		while (!kicked)
			pthread_cond_wait(&changed, &lock);
		running = false;
	} else {
		kicked = true;
		pthread_cond_broadcast(&changed);
	}
	pthread_mutex_unlock(&lock);
	return 0;
}
