// SPDX-License-Identifier: GPL-2.0
/*
 * LD_PRELOAD adapter: an unmodified VMM built for mainline's iommufd
 * vIOMMU uAPI (QEMU 11's accelerated virtual SMMUv3) runs on this kernel.
 *
 * The mainline calls this kernel lacks are carried out here with the
 * library (vsmmu_*()) and this kernel's own calls; everything else goes
 * to the kernel untouched:
 *   IOMMU_VIOMMU_ALLOC       an object of this adapter: the nest parent,
 *                            the device, the vSMMU's limits (hw_info)
 *   IOMMU_VDEVICE_ALLOC      guest StreamID -> iommufd device
 *   IOMMU_HWPT_ALLOC         on a vIOMMU with a guest STE: the STE is
 *                            decoded and a nested HWPT allocated on the
 *                            parent with IOMMU_HWPT_DATA_ARM_SMMUV3_S1CTX
 *   IOMMU_HWPT_INVALIDATE    on a vIOMMU with raw guest commands: each
 *                            becomes a generic entry on the right nested
 *                            HWPT (IOMMU_HWPT_INVALIDATE_DATA_GENERIC)
 *   IOMMU_VEVENTQ_ALLOC      a socket QEMU reads mainline's event records
 *                            from; each guest device gets this kernel's
 *                            device event queue (IOMMU_DEVICE_EVENTQ_ALLOC),
 *                            and a thread turns its records into the
 *                            guest's (vsmmu_event_encode()) on the socket
 *   IOMMU_DESTROY            of the objects above
 *   IOMMU_GET_HW_INFO        without the input-type flag 6.12 lacks
 * VFIO's bind and attach calls are watched to know which HWPT each device
 * is attached to. At exit, counters go to stderr: a line of totals, then a
 * line per guest command class (entries passed on, the host commands and
 * syncs they cost by the kernel's debugfs counters, and the time of the
 * kernel call per entry).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "smmuv3_inv_stats.h"	/* the kernel's counters (debugfs) */
#include "smmuv3_vmm.h"

/* Mainline's calls, from its documented uAPI (not in 6.12's header) */
#define ML_CMD_VIOMMU_ALLOC		0x90
#define ML_CMD_VDEVICE_ALLOC		0x91
#define ML_CMD_VEVENTQ_ALLOC		0x93
#define ML_VIOMMU_TYPE_ARM_SMMUV3	1
#define ML_HWPT_DATA_ARM_SMMUV3		2
#define ML_INVALIDATE_DATA_ARM_SMMUV3	1
#define ML_HW_INFO_FLAG_INPUT_TYPE	1
#define ML_VEVENTQ_FLAG_LOST_EVENTS	1

struct ml_viommu_alloc {
	__u32 size, flags, type, dev_id, hwpt_id, out_viommu_id;
	__u32 data_len, __reserved;
	__aligned_u64 data_uptr;
};

struct ml_vdevice_alloc {
	__u32 size, viommu_id, dev_id, out_vdevice_id;
	__aligned_u64 virt_id;
};

struct ml_veventq_alloc {
	__u32 size, flags, viommu_id, type, veventq_depth;
	__u32 out_veventq_id, out_veventq_fd, __reserved;
};

/* One record as QEMU reads it: a header, then the SMMUv3 event */
struct ml_vevent {
	uint32_t flags, sequence;
	uint64_t evt[4];
};

/* Records each guest device's kernel event queue holds */
#define DEVICE_EVENTQ_DEPTH	256

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* IDs of this adapter's objects: far above the kernel's small ones */
#define FAKE_ID_BASE	0x40000000u
#define MAX_OBJS	64

enum obj_kind { OBJ_FREE, OBJ_VIOMMU, OBJ_VDEVICE, OBJ_VEVENTQ };

struct obj {
	enum obj_kind kind;
	uint32_t viommu;	/* VDEVICE, VEVENTQ: its vIOMMU */
	uint32_t parent;	/* VIOMMU: the nest parent HWPT */
	uint32_t dev_id;	/* VIOMMU, VDEVICE */
	uint32_t vsid;		/* VDEVICE */
	struct vsmmu_caps caps;	/* VIOMMU */
	int qfd;		/* VDEVICE: its kernel event queue, or -1 */
	uint32_t qid;		/* VDEVICE: that queue's object */
	int sock;		/* VEVENTQ: the end this adapter writes */
};

/* A nested HWPT allocated through a vIOMMU */
struct nested {
	uint32_t hwpt_id, viommu;
};

/* A VFIO device bound to iommufd, and its current HWPT */
struct bound {
	int fd;
	uint32_t dev_id, hwpt_id;
};

static struct {
	pthread_mutex_t lock;
	struct obj obj[MAX_OBJS];
	struct nested nested[MAX_OBJS];
	struct bound bound[MAX_OBJS];
	unsigned long guest_cmds[256], nested_allocs, refused;
	/* nested events: the forwarder's epoll set, what it passed on */
	int epfd;
	uint32_t sequence;
	unsigned long events, events_lost;
	/* per guest opcode: what the entries cost in the kernel */
	struct {
		unsigned long entries, host_cmds, syncs;
		double us;
	} cost[256];
} st = { .lock = PTHREAD_MUTEX_INITIALIZER, .epfd = -1 };

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int (*real_ioctl)(int, unsigned long, ...);
static pthread_once_t real_ioctl_once = PTHREAD_ONCE_INIT;

static void find_real_ioctl(void)
{
	real_ioctl = dlsym(RTLD_NEXT, "ioctl");
}

/* The next ioctl() (libc's): any thread may get here, locked or not */
static int kernel(int fd, unsigned long req, void *arg)
{
	pthread_once(&real_ioctl_once, find_real_ioctl);
	return real_ioctl(fd, req, arg);
}

static int fail(int err)
{
	errno = err;
	return -1;
}

static struct obj *obj_get(uint32_t id, enum obj_kind kind)
{
	if (id < FAKE_ID_BASE || id >= FAKE_ID_BASE + MAX_OBJS ||
	    st.obj[id - FAKE_ID_BASE].kind != kind)
		return NULL;
	return &st.obj[id - FAKE_ID_BASE];
}

static uint32_t obj_id(const struct obj *o)
{
	return FAKE_ID_BASE + (o - st.obj);
}

/* A free slot made an object of @kind, or NULL */
static struct obj *obj_new(enum obj_kind kind)
{
	unsigned int i;

	for (i = 0; i < MAX_OBJS; i++) {
		if (st.obj[i].kind == OBJ_FREE) {
			memset(&st.obj[i], 0, sizeof(st.obj[i]));
			st.obj[i].kind = kind;
			return &st.obj[i];
		}
	}
	return NULL;
}

/* What the vSMMU may offer, from the host SMMU's ID registers */
static int read_caps(int fd, uint32_t dev_id, struct vsmmu_caps *caps)
{
	static const unsigned int oas_bits[] = { 32, 36, 40, 42, 44, 48, 52 };
	struct iommu_hw_info_arm_smmuv3 hw = { 0 };
	struct iommu_hw_info info = {
		.size = sizeof(info), .dev_id = dev_id,
		.data_len = sizeof(hw), .data_uptr = (uintptr_t)&hw,
	};
	unsigned int oas;

	if (kernel(fd, IOMMU_GET_HW_INFO, &info))
		return -1;
	if (info.out_data_type != IOMMU_HW_INFO_TYPE_ARM_SMMUV3)
		return fail(EOPNOTSUPP);
	oas = hw.idr[5] & 7;
	*caps = (struct vsmmu_caps){
		.ssid_bits = (hw.idr[1] >> 6) & 0x1f,
		.asid_bits = hw.idr[0] & (1u << 12) ? 16 : 8,
		.ias = oas < 7 ? oas_bits[oas] : 52,
		.cd2l = hw.idr[0] & (1u << 19),
		.ats = hw.idr[0] & (1u << 10),
		.stalls = !((hw.idr[0] >> 24) & 3),
		.granules = (hw.idr[5] & (1u << 4) ? 0x1000 : 0) |
			    (hw.idr[5] & (1u << 5) ? 0x4000 : 0) |
			    (hw.idr[5] & (1u << 6) ? 0x10000 : 0),
	};
	return 0;
}

static int viommu_alloc(int fd, struct ml_viommu_alloc *a)
{
	struct vsmmu_caps caps;
	struct obj *vi;

	if (a->type != ML_VIOMMU_TYPE_ARM_SMMUV3 || a->flags || a->data_len)
		return fail(EOPNOTSUPP);
	if (read_caps(fd, a->dev_id, &caps))
		return -1;
	vi = obj_new(OBJ_VIOMMU);
	if (!vi)
		return fail(ENOMEM);
	vi->parent = a->hwpt_id;
	vi->dev_id = a->dev_id;
	vi->caps = caps;
	a->out_viommu_id = obj_id(vi);
	return 0;
}

/* The vEVENTQ of vIOMMU @viommu, or NULL */
static struct obj *veventq_of(uint32_t viommu)
{
	unsigned int i;

	for (i = 0; i < MAX_OBJS; i++)
		if (st.obj[i].kind == OBJ_VEVENTQ && st.obj[i].viommu == viommu)
			return &st.obj[i];
	return NULL;
}

/* Close guest device @vd's kernel event queue: its file, then the queue */
static void vdevice_unwatch(int fd, struct obj *vd)
{
	struct iommu_destroy q = { .size = sizeof(q), .id = vd->qid };

	if (vd->qfd < 0)
		return;
	/* The file first: the kernel keeps a queue it has open */
	epoll_ctl(st.epfd, EPOLL_CTL_DEL, vd->qfd, NULL);
	close(vd->qfd);
	vd->qfd = -1;
	kernel(fd, IOMMU_DESTROY, &q);
}

/* Give guest device @vd a kernel event queue the forwarder watches */
static int vdevice_watch(int fd, struct obj *vd)
{
	struct iommu_device_eventq_alloc a = {
		.size = sizeof(a), .dev_id = vd->dev_id,
		.depth = DEVICE_EVENTQ_DEPTH,
	};
	struct epoll_event e = { .events = EPOLLIN, .data.u32 = vd - st.obj };
	int err;

	if (vd->qfd >= 0)
		return 0;
	if (kernel(fd, IOMMU_DEVICE_EVENTQ_ALLOC, &a))
		return -1;
	vd->qfd = a.out_eventq_fd;
	vd->qid = a.out_eventq_id;
	if (!epoll_ctl(st.epfd, EPOLL_CTL_ADD, vd->qfd, &e))
		return 0;
	err = errno;
	vdevice_unwatch(fd, vd);
	return fail(err);
}

/* Guest device @vd's waiting events -> the guest's, on its vIOMMU's socket */
static void forward(struct obj *vd)
{
	struct obj *q = veventq_of(vd->viommu);
	struct iommu_device_event ev[16];
	struct ml_vevent out;
	ssize_t len = read(vd->qfd, ev, sizeof(ev));
	int i;

	for (i = 0; i < len / (ssize_t)sizeof(ev[0]); i++) {
		out = (struct ml_vevent){ .sequence = st.sequence++ };
		if (vsmmu_event_encode(&ev[i], vd->vsid, out.evt)) {
			/* QEMU reports the loss; the gap says how many */
			out.flags = ML_VEVENTQ_FLAG_LOST_EVENTS;
			st.sequence += ev[i].lost;
			st.events_lost += ev[i].lost;
		} else {
			st.events++;
		}
		if (!q || send(q->sock, &out, sizeof(out),
			       MSG_DONTWAIT | MSG_NOSIGNAL) != sizeof(out))
			st.events_lost++;
	}
}

/* The thread that passes nested events on, for as long as QEMU runs */
static void *forwarder(void *unused)
{
	struct epoll_event e[8];
	int i, n;

	for (;;) {
		n = epoll_wait(st.epfd, e, ARRAY_SIZE(e), -1);
		pthread_mutex_lock(&st.lock);
		for (i = 0; i < n; i++) {
			struct obj *vd = &st.obj[e[i].data.u32];

			if (vd->kind == OBJ_VDEVICE && vd->qfd >= 0)
				forward(vd);
		}
		pthread_mutex_unlock(&st.lock);
	}
	return NULL;
}

static int vdevice_alloc(int fd, struct ml_vdevice_alloc *a)
{
	unsigned int i;
	struct obj *vd;

	if (!obj_get(a->viommu_id, OBJ_VIOMMU) || a->virt_id > UINT32_MAX)
		return fail(EINVAL);
	for (i = 0; i < MAX_OBJS; i++)
		if (st.obj[i].kind == OBJ_VDEVICE &&
		    st.obj[i].viommu == a->viommu_id &&
		    (st.obj[i].vsid == a->virt_id ||
		     st.obj[i].dev_id == a->dev_id))
			return fail(EEXIST);
	vd = obj_new(OBJ_VDEVICE);
	if (!vd)
		return fail(ENOMEM);
	vd->viommu = a->viommu_id;
	vd->dev_id = a->dev_id;
	vd->vsid = a->virt_id;
	vd->qfd = -1;
	if (veventq_of(a->viommu_id) && vdevice_watch(fd, vd)) {
		vd->kind = OBJ_FREE;
		return -1;
	}
	a->out_vdevice_id = obj_id(vd);
	return 0;
}

/*
 * QEMU reads one record per read() from a socket of records; the
 * forwarder writes them. Devices of the vIOMMU get their queues now, or
 * when they come.
 */
static int veventq_alloc(int fd, struct ml_veventq_alloc *a)
{
	static pthread_t thread;
	unsigned int i;
	struct obj *q;
	int sv[2], err = 0;

	if (!obj_get(a->viommu_id, OBJ_VIOMMU) || veventq_of(a->viommu_id))
		return fail(EINVAL);
	if (st.epfd < 0) {
		st.epfd = epoll_create1(EPOLL_CLOEXEC);
		if (st.epfd < 0)
			return -1;
		if (pthread_create(&thread, NULL, forwarder, NULL)) {
			close(st.epfd);
			st.epfd = -1;
			return fail(ENOMEM);
		}
		pthread_detach(thread);
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -1;
	q = obj_new(OBJ_VEVENTQ);
	if (!q) {
		close(sv[0]);
		close(sv[1]);
		return fail(ENOMEM);
	}
	q->viommu = a->viommu_id;
	q->sock = sv[1];
	for (i = 0; i < MAX_OBJS && !err; i++)
		if (st.obj[i].kind == OBJ_VDEVICE &&
		    st.obj[i].viommu == a->viommu_id &&
		    vdevice_watch(fd, &st.obj[i]))
			err = errno;
	if (err) {
		/* A refused queue: leave nothing of this call behind */
		for (i = 0; i < MAX_OBJS; i++)
			if (st.obj[i].kind == OBJ_VDEVICE &&
			    st.obj[i].viommu == a->viommu_id)
				vdevice_unwatch(fd, &st.obj[i]);
		q->kind = OBJ_FREE;
		close(sv[0]);
		close(sv[1]);
		return fail(err);
	}
	a->out_veventq_id = obj_id(q);
	a->out_veventq_fd = sv[0];
	return 0;
}

/* A guest STE on a vIOMMU -> a nested HWPT on its parent */
static int nested_alloc(int fd, struct iommu_hwpt_alloc *a, struct obj *vi)
{
	struct iommu_hwpt_arm_smmuv3_s1ctx ctx;
	struct vsmmu_ste ste = { { 0 } };
	struct iommu_hwpt_alloc k = *a;
	unsigned int i;

	if (a->data_type != ML_HWPT_DATA_ARM_SMMUV3 ||
	    a->data_len < 2 * sizeof(uint64_t))
		return fail(EOPNOTSUPP);
	memcpy(ste.w, (void *)(uintptr_t)a->data_uptr, 2 * sizeof(uint64_t));
	if (vsmmu_ste_decode(&ste, &vi->caps, &ctx)) {
		st.refused++;
		return fail(EIO);	/* mainline's errno for an illegal STE */
	}
	k.pt_id = vi->parent;
	k.data_type = IOMMU_HWPT_DATA_ARM_SMMUV3_S1CTX;
	k.data_len = sizeof(ctx);
	k.data_uptr = (uintptr_t)&ctx;
	if (kernel(fd, IOMMU_HWPT_ALLOC, &k))
		return -1;
	a->out_hwpt_id = k.out_hwpt_id;
	st.nested_allocs++;
	for (i = 0; i < MAX_OBJS; i++) {
		if (!st.nested[i].hwpt_id) {
			st.nested[i].hwpt_id = k.out_hwpt_id;
			st.nested[i].viommu = obj_id(vi);
			break;
		}
	}
	return 0;
}

static bool nested_of(uint32_t hwpt, uint32_t viommu)
{
	unsigned int i;

	for (i = 0; hwpt && i < MAX_OBJS; i++)
		if (st.nested[i].hwpt_id == hwpt && st.nested[i].viommu == viommu)
			return true;
	return false;
}

/* The HWPT the device the guest calls @vsid is attached to, or 0 */
static uint32_t device_hwpt(uint32_t viommu, uint32_t vsid)
{
	unsigned int i, j;

	for (i = 0; i < MAX_OBJS; i++) {
		if (st.obj[i].kind != OBJ_VDEVICE ||
		    st.obj[i].viommu != viommu || st.obj[i].vsid != vsid)
			continue;
		for (j = 0; j < MAX_OBJS; j++)
			if (st.bound[j].dev_id == st.obj[i].dev_id)
				return st.bound[j].hwpt_id;
	}
	return 0;
}

/*
 * Where an entry goes: the device's nested HWPT, or for TLBIs any nested
 * HWPT of the vIOMMU (they share the parent's VMID). 0: none, so nothing
 * of the guest's can be cached.
 */
static uint32_t target_hwpt(uint32_t viommu, const struct vsmmu_cmd *c)
{
	unsigned int i;
	uint32_t hwpt;

	if (c->scope == VSMMU_ONE_DEVICE) {
		hwpt = device_hwpt(viommu, c->first);
		return nested_of(hwpt, viommu) ? hwpt : 0;
	}
	for (i = 0; i < MAX_OBJS; i++)
		if (st.nested[i].hwpt_id && st.nested[i].viommu == viommu)
			return st.nested[i].hwpt_id;
	return 0;
}

/* One generic entry to the kernel, its cost booked to guest opcode @op */
static int pass_on(int fd, uint32_t hwpt,
		   struct iommu_hwpt_invalidate_generic *entry, unsigned int op)
{
	struct iommu_hwpt_invalidate k = {
		.size = sizeof(k), .hwpt_id = hwpt,
		.data_uptr = (uintptr_t)entry,
		.data_type = IOMMU_HWPT_INVALIDATE_DATA_GENERIC,
		.entry_len = sizeof(*entry), .entry_num = 1,
	};
	/* ~0 without debugfs: the differences are then 0 */
	uint64_t cmds = smmuv3_inv_stat("commands");
	uint64_t syncs = smmuv3_inv_stat("syncs");
	double t = now_us();
	int ret = kernel(fd, IOMMU_HWPT_INVALIDATE, &k);

	st.cost[op].us += now_us() - t;
	if (ret)
		return ret;
	st.cost[op].entries++;
	st.cost[op].host_cmds += smmuv3_inv_stat("commands") - cmds;
	st.cost[op].syncs += smmuv3_inv_stat("syncs") - syncs;
	return 0;
}

/* Raw guest commands on a vIOMMU -> generic entries */
static int invalidate(int fd, struct iommu_hwpt_invalidate *inv)
{
	uint32_t done, viommu = inv->hwpt_id;
	struct obj *vi = obj_get(viommu, OBJ_VIOMMU);
	const uint8_t *cmds = (const uint8_t *)(uintptr_t)inv->data_uptr;

	if (inv->data_type != ML_INVALIDATE_DATA_ARM_SMMUV3 ||
	    inv->entry_len < 2 * sizeof(uint64_t))
		return fail(EOPNOTSUPP);
	for (done = 0; done < inv->entry_num; done++) {
		uint64_t cmd[2];
		struct vsmmu_cmd c;
		uint32_t hwpt;

		memcpy(cmd, cmds + (size_t)done * inv->entry_len, sizeof(cmd));
		vsmmu_cmd_decode(cmd, &vi->caps, &c);
		st.guest_cmds[cmd[0] & 0xff]++;
		if (c.action == VSMMU_NOTHING || c.action == VSMMU_SYNC)
			continue;
		if (c.action != VSMMU_INVALIDATE)
			break;	/* mainline takes only invalidations here */
		hwpt = target_hwpt(viommu, &c);
		if (hwpt && pass_on(fd, hwpt, &c.entry, cmd[0] & 0xff)) {
			inv->entry_num = done;
			return -1;
		}
	}
	if (done < inv->entry_num) {
		inv->entry_num = done;
		return fail(EIO);
	}
	return 0;
}

static int destroy(int fd, struct iommu_destroy *d)
{
	unsigned int i;

	if (d->id >= FAKE_ID_BASE && d->id < FAKE_ID_BASE + MAX_OBJS) {
		struct obj *o = &st.obj[d->id - FAKE_ID_BASE];

		if (o->kind == OBJ_FREE)
			return fail(ENOENT);
		if (o->kind == OBJ_VDEVICE)
			vdevice_unwatch(fd, o);
		if (o->kind == OBJ_VEVENTQ)
			close(o->sock);
		o->kind = OBJ_FREE;
		return 0;
	}
	if (kernel(fd, IOMMU_DESTROY, d))
		return -1;
	for (i = 0; i < MAX_OBJS; i++)
		if (st.nested[i].hwpt_id == d->id)
			st.nested[i].hwpt_id = 0;
	return 0;
}

static void vfio_bound(int fd, uint32_t dev_id)
{
	unsigned int i;

	for (i = 0; i < MAX_OBJS; i++) {
		if (!st.bound[i].dev_id || st.bound[i].fd == fd) {
			st.bound[i] = (struct bound){ fd, dev_id, 0 };
			return;
		}
	}
}

static void vfio_attached(int fd, uint32_t hwpt_id)
{
	unsigned int i;

	for (i = 0; i < MAX_OBJS; i++)
		if (st.bound[i].dev_id && st.bound[i].fd == fd)
			st.bound[i].hwpt_id = hwpt_id;
}

static int dispatch(int fd, unsigned long req, void *arg)
{
	int ret;

	switch (req) {
	case _IO(IOMMUFD_TYPE, ML_CMD_VIOMMU_ALLOC):
		return viommu_alloc(fd, arg);
	case _IO(IOMMUFD_TYPE, ML_CMD_VDEVICE_ALLOC):
		return vdevice_alloc(fd, arg);
	case _IO(IOMMUFD_TYPE, ML_CMD_VEVENTQ_ALLOC):
		return veventq_alloc(fd, arg);
	case IOMMU_HWPT_ALLOC: {
		struct iommu_hwpt_alloc *a = arg;
		struct obj *vi = obj_get(a->pt_id, OBJ_VIOMMU);

		return vi ? nested_alloc(fd, a, vi) : kernel(fd, req, arg);
	}
	case IOMMU_HWPT_INVALIDATE: {
		struct iommu_hwpt_invalidate *inv = arg;

		return obj_get(inv->hwpt_id, OBJ_VIOMMU) ?
		       invalidate(fd, inv) : kernel(fd, req, arg);
	}
	case IOMMU_DESTROY:
		return destroy(fd, arg);
	case IOMMU_GET_HW_INFO: {
		struct iommu_hw_info *info = arg;

		/* 6.12 answers with its one type; the flag asks for it */
		if (info->flags & ML_HW_INFO_FLAG_INPUT_TYPE) {
			if (info->out_data_type &&
			    info->out_data_type != IOMMU_HW_INFO_TYPE_ARM_SMMUV3)
				return fail(EOPNOTSUPP);
			info->flags &= ~ML_HW_INFO_FLAG_INPUT_TYPE;
			info->out_data_type = 0;
		}
		return kernel(fd, req, arg);
	}
	case VFIO_DEVICE_BIND_IOMMUFD:
		ret = kernel(fd, req, arg);
		if (!ret)
			vfio_bound(fd,
				   ((struct vfio_device_bind_iommufd *)arg)->out_devid);
		return ret;
	case VFIO_DEVICE_ATTACH_IOMMUFD_PT:
		ret = kernel(fd, req, arg);
		if (!ret)
			vfio_attached(fd,
				      ((struct vfio_device_attach_iommufd_pt *)arg)->pt_id);
		return ret;
	case VFIO_DEVICE_DETACH_IOMMUFD_PT:
		ret = kernel(fd, req, arg);
		if (!ret)
			vfio_attached(fd, 0);
		return ret;
	default:
		return kernel(fd, req, arg);
	}
}

/*
 * The requests dispatch() carries out or records. Only these take the
 * lock: everything else QEMU asks goes straight to the kernel, above all
 * KVM_RUN, in which each vCPU thread sits for as long as its vCPU runs (a
 * parked secondary vCPU for ever) and which must not hold up another
 * vCPU or QEMU's main thread.
 */
static bool adapter_request(unsigned long req)
{
	switch (req) {
	case _IO(IOMMUFD_TYPE, ML_CMD_VIOMMU_ALLOC):
	case _IO(IOMMUFD_TYPE, ML_CMD_VDEVICE_ALLOC):
	case _IO(IOMMUFD_TYPE, ML_CMD_VEVENTQ_ALLOC):
	case IOMMU_HWPT_ALLOC:
	case IOMMU_HWPT_INVALIDATE:
	case IOMMU_DESTROY:
	case IOMMU_GET_HW_INFO:
	case VFIO_DEVICE_BIND_IOMMUFD:
	case VFIO_DEVICE_ATTACH_IOMMUFD_PT:
	case VFIO_DEVICE_DETACH_IOMMUFD_PT:
		return true;
	default:
		return false;
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
	if (!adapter_request(req))
		return kernel(fd, req, arg);
	pthread_mutex_lock(&st.lock);
	ret = dispatch(fd, req, arg);
	pthread_mutex_unlock(&st.lock);
	return ret;
}

__attribute__((destructor)) static void report(void)
{
	static const struct {
		unsigned int op;
		const char *name;
	} classes[] = {
		{ 0x05, "CFGI_CD" }, { 0x06, "CFGI_CD_ALL" },
		{ 0x10, "TLBI_NH_ALL" }, { 0x11, "TLBI_NH_ASID" },
		{ 0x12, "TLBI_NH_VA" }, { 0x13, "TLBI_NH_VAA" },
		{ 0x30, "TLBI_NSNH_ALL" }, { 0x40, "ATC_INV" },
	};
	unsigned long entries = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(st.cost); i++)
		entries += st.cost[i].entries;
	fprintf(stderr, "vsmmu-adapter: nested HWPTs %lu, STEs refused %lu, ",
		st.nested_allocs, st.refused);
	fprintf(stderr, "generic entries %lu, guest commands:", entries);
	for (i = 0; i < ARRAY_SIZE(classes); i++)
		fprintf(stderr, " %s %lu", classes[i].name,
			st.guest_cmds[classes[i].op]);
	fprintf(stderr, "\n");
	fprintf(stderr, "vsmmu-adapter: nested events to the guest %lu, lost %lu\n",
		st.events, st.events_lost);
	for (i = 0; i < ARRAY_SIZE(classes); i++) {
		unsigned int op = classes[i].op;

		if (!st.guest_cmds[op])
			continue;
		fprintf(stderr, "vsmmu-adapter: class %s guest %lu entries %lu ",
			classes[i].name, st.guest_cmds[op], st.cost[op].entries);
		fprintf(stderr, "host-commands %lu syncs %lu us/entry %.1f\n",
			st.cost[op].host_cmds, st.cost[op].syncs,
			st.cost[op].entries ?
			st.cost[op].us / st.cost[op].entries : 0);
	}
}
