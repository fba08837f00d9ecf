// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for the kernel under the adapter, for adapter_test: the
 * ioctl() and close() the adapter finds next (dlsym RTLD_NEXT).
 *
 * KVM_RUN blocks, as a running or parked vCPU does, until another KVM
 * request arrives; other KVM requests return at once. iommufd and VFIO
 * requests get the answers of a kernel with one SMMUv3 that does what it
 * is asked. As iommufd does, each iommufd file numbers its own devices
 * and objects from 1 and hands out the lowest free ID again; closing a
 * VFIO file unbinds its device. A device event queue is a pipe that the
 * test writes records into. The test can see what reached it, make the
 * next request for a device fail, and hold a request in the kernel.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "fake_kvm.h"

#define KVMIO		0xAE
#define KVM_RUN_NR	0x80
#define MAX_REQS	32
#define MAX_DEVS	128
#define ARG_BYTES	64
#define MAX_CTX		8	/* iommufd files */
#define MAX_IDS		512	/* IDs of one iommufd file */
#define MAX_BOUND	256	/* VFIO files bound */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static bool running, kicked;

/* A request that waits in the kernel until released, and whether one does */
static unsigned long held;
static bool holding;

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

static uint32_t hw_type[MAX_DEVS];

enum id_kind { ID_FREE, ID_DEV, ID_OBJ, ID_QUEUE };

/* An iommufd file: what its IDs name; a queue's pipe and device */
static struct ctx {
	bool used;
	int fd;
	unsigned char kind[MAX_IDS];
	int pipe[MAX_IDS][2];
	uint32_t qdev[MAX_IDS];
} ctx[MAX_CTX];

/* VFIO files bound to an iommufd file; dev_id 0: a free entry */
static struct {
	int fd, iommufd;
	uint32_t dev_id;
} bound[MAX_BOUND];

void fake_kvm_wait_running(void)
{
	pthread_mutex_lock(&lock);
	while (!running)
		pthread_cond_wait(&changed, &lock);
	pthread_mutex_unlock(&lock);
}

void fake_kernel_hold(unsigned long req)
{
	pthread_mutex_lock(&lock);
	held = req;
	pthread_mutex_unlock(&lock);
}

void fake_kernel_wait_held(void)
{
	pthread_mutex_lock(&lock);
	while (!holding)
		pthread_cond_wait(&changed, &lock);
	pthread_mutex_unlock(&lock);
}

void fake_kernel_release(void)
{
	pthread_mutex_lock(&lock);
	held = 0;
	pthread_cond_broadcast(&changed);
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

static int (*next_close)(int);

__attribute__((constructor)) static void find_close(void)
{
	next_close = dlsym(RTLD_NEXT, "close");
}

/* libc's close(), for the fake's own files */
static int real_close(int fd)
{
	return next_close(fd);
}

/* iommufd file @fd's IDs (new ones if @make), or NULL */
static struct ctx *ctx_of(int fd, bool make)
{
	struct ctx *free = NULL;
	unsigned int i;

	for (i = 0; i < MAX_CTX; i++) {
		if (ctx[i].used && ctx[i].fd == fd)
			return &ctx[i];
		if (!ctx[i].used && !free)
			free = &ctx[i];
	}
	if (!make || !free)
		return NULL;
	free->used = true;
	free->fd = fd;
	return free;
}

/* The lowest free ID of @c, now naming a @kind, or 0 */
static uint32_t id_alloc(struct ctx *c, enum id_kind kind)
{
	uint32_t id;

	for (id = 1; id < MAX_IDS; id++) {
		if (c->kind[id] == ID_FREE) {
			c->kind[id] = kind;
			return id;
		}
	}
	errno = ENOSPC;
	return 0;
}

/* The index in bound[] of VFIO file @fd, or -1 */
static int bound_of(int fd)
{
	unsigned int i;

	for (i = 0; i < MAX_BOUND; i++)
		if (bound[i].dev_id && bound[i].fd == fd)
			return i;
	return -1;
}

/* Unbind the device of bound entry @i: its ID is free again */
static void unbind(int i)
{
	struct ctx *c = ctx_of(bound[i].iommufd, false);

	if (c)
		c->kind[bound[i].dev_id] = ID_FREE;
	bound[i].dev_id = 0;
}

/* Unbind the device bound through @vfio_fd; was there one? */
static bool unbind_fd(int vfio_fd)
{
	int i;

	pthread_mutex_lock(&lock);
	i = bound_of(vfio_fd);
	if (i >= 0)
		unbind(i);
	pthread_mutex_unlock(&lock);
	return i >= 0;
}

void fake_kernel_unbind(int vfio_fd)
{
	unbind_fd(vfio_fd);
}

void fake_kernel_forget(int iommufd, uint32_t id)
{
	struct ctx *c;

	pthread_mutex_lock(&lock);
	c = ctx_of(iommufd, false);
	if (c && id < MAX_IDS && c->kind[id] == ID_OBJ)
		c->kind[id] = ID_FREE;
	pthread_mutex_unlock(&lock);
}

/* The event queue ID of device @dev_id in @c (or none), or 0 */
static uint32_t queue_of(struct ctx *c, uint32_t dev_id)
{
	uint32_t id;

	for (id = 1; c && id < MAX_IDS; id++)
		if (c->kind[id] == ID_QUEUE && c->qdev[id] == dev_id)
			return id;
	return 0;
}

int fake_kernel_event(int iommufd, uint32_t dev_id,
		      const struct iommu_device_event *ev)
{
	struct ctx *c;
	uint32_t id;
	int ret = -1;

	pthread_mutex_lock(&lock);
	c = ctx_of(iommufd, false);
	id = queue_of(c, dev_id);
	if (id)
		ret = write(c->pipe[id][1], ev, sizeof(*ev)) == sizeof(*ev) ?
		      0 : -1;
	pthread_mutex_unlock(&lock);
	return ret;
}

int fake_kernel_queue_flags(int iommufd, uint32_t dev_id)
{
	struct ctx *c;
	uint32_t id;
	int ret = -1;

	pthread_mutex_lock(&lock);
	c = ctx_of(iommufd, false);
	id = queue_of(c, dev_id);
	if (id)
		ret = fcntl(c->pipe[id][0], F_GETFL);
	pthread_mutex_unlock(&lock);
	return ret;
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

static int fail(int err)
{
	errno = err;
	return -1;
}

static int hw_info(struct ctx *c, struct iommu_hw_info *info)
{
	struct iommu_hw_info_arm_smmuv3 hw = {
		/* ASID16, two-level CD tables; 48-bit OAS, 4K granule */
		.idr = { [0] = 1u << 12 | 1u << 19, [5] = 5 | 1u << 4 },
	};

	if (info->dev_id >= MAX_IDS || c->kind[info->dev_id] != ID_DEV)
		return fail(ENOENT);
	info->out_data_type = info->dev_id < MAX_DEVS && hw_type[info->dev_id] ?
			      hw_type[info->dev_id] :
			      IOMMU_HW_INFO_TYPE_ARM_SMMUV3;
	memcpy((void *)(uintptr_t)info->data_uptr, &hw,
	       info->data_len < sizeof(hw) ? info->data_len : sizeof(hw));
	return 0;
}

static int eventq_alloc(struct ctx *c, struct iommu_device_eventq_alloc *a)
{
	uint32_t id;
	int p[2];

	if (refused(IOMMU_DEVICE_EVENTQ_ALLOC, a->dev_id))
		return -1;
	if (pipe2(p, O_CLOEXEC))
		return -1;
	id = id_alloc(c, ID_QUEUE);
	if (!id) {
		real_close(p[0]);
		real_close(p[1]);
		return -1;
	}
	memcpy(c->pipe[id], p, sizeof(p));
	c->qdev[id] = a->dev_id;
	a->out_eventq_fd = p[0];
	a->out_eventq_id = id;
	return 0;
}

static int destroy(struct ctx *c, uint32_t id)
{
	if (id >= MAX_IDS || c->kind[id] == ID_FREE || c->kind[id] == ID_DEV)
		return fail(ENOENT);
	/* The reader closed its end first, as the kernel asks */
	if (c->kind[id] == ID_QUEUE)
		real_close(c->pipe[id][1]);
	c->kind[id] = ID_FREE;
	return 0;
}

static int bind(int fd, struct vfio_device_bind_iommufd *b)
{
	struct ctx *c = ctx_of(b->iommufd, true);
	unsigned int i;

	if (!c)
		return fail(ENOMEM);
	if (bound_of(fd) >= 0)
		return fail(EINVAL);
	for (i = 0; i < MAX_BOUND; i++) {
		if (bound[i].dev_id)
			continue;
		bound[i].dev_id = id_alloc(c, ID_DEV);
		if (!bound[i].dev_id)
			return -1;
		bound[i].fd = fd;
		bound[i].iommufd = b->iommufd;
		b->out_devid = bound[i].dev_id;
		return 0;
	}
	return fail(ENOMEM);
}

/* @fd: an iommufd file, or for VFIO's requests a VFIO device file */
static int iommufd(int fd, unsigned long req, void *arg)
{
	struct ctx *c;
	uint32_t id;

	switch (req) {
	case VFIO_DEVICE_BIND_IOMMUFD:
		return bind(fd, arg);
	case VFIO_DEVICE_ATTACH_IOMMUFD_PT:
	case VFIO_DEVICE_DETACH_IOMMUFD_PT:
		return 0;
	}
	c = ctx_of(fd, true);
	if (!c)
		return fail(ENOMEM);
	switch (req) {
	case IOMMU_IOAS_ALLOC:
		id = id_alloc(c, ID_OBJ);
		((struct iommu_ioas_alloc *)arg)->out_ioas_id = id;
		return id ? 0 : -1;
	case IOMMU_GET_HW_INFO:
		return hw_info(c, arg);
	case IOMMU_HWPT_ALLOC: {
		struct iommu_hwpt_alloc *a = arg;

		if (refused(req, a->dev_id))
			return -1;
		a->out_hwpt_id = id_alloc(c, ID_OBJ);
		return a->out_hwpt_id ? 0 : -1;
	}
	case IOMMU_HWPT_INVALIDATE:
		return refused(req, 0);
	case IOMMU_DEVICE_EVENTQ_ALLOC:
		return eventq_alloc(c, arg);
	case IOMMU_DESTROY:
		return destroy(c, ((struct iommu_destroy *)arg)->id);
	default:
		return fail(ENOTTY);
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
	pthread_mutex_lock(&lock);
	/* iommufd and VFIO share their type */
	if (_IOC_TYPE(req) == IOMMUFD_TYPE) {
		book(req, arg);
		if (held && held == req) {
			holding = true;
			pthread_cond_broadcast(&changed);
			while (held == req)
				pthread_cond_wait(&changed, &lock);
			holding = false;
		}
		ret = iommufd(fd, req, arg);
		pthread_mutex_unlock(&lock);
		return ret;
	}
	if (_IOC_TYPE(req) != KVMIO) {
		pthread_mutex_unlock(&lock);
		return fail(ENOTTY);
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

/* Closing a bound VFIO file (a number of the test's) unbinds its device */
int close(int fd)
{
	return unbind_fd(fd) ? 0 : real_close(fd);
}
