// SPDX-License-Identifier: GPL-2.0
/*
 * LD_PRELOAD adapter: an unmodified VMM built for mainline's iommufd
 * vIOMMU uAPI (QEMU 11's accelerated virtual SMMUv3) runs on this kernel.
 *
 * The mainline calls this kernel lacks are carried out here with the
 * library (vsmmu_*(), linked as the installed libsmmuv3vmm) and this
 * kernel's own calls; everything else goes to the kernel untouched:
 *   IOMMU_VIOMMU_ALLOC       an object of this adapter: the nest parent,
 *                            the device, the vSMMU's limits (hw_info), and
 *                            the library's device map (struct
 *                            vsmmu_devices) of its devices and nested HWPTs
 *   IOMMU_VDEVICE_ALLOC      guest StreamID -> iommufd device, in the map
 *   IOMMU_HWPT_ALLOC         on a vIOMMU with a guest STE: the STE is
 *                            decoded and a nested HWPT allocated on the
 *                            parent with IOMMU_HWPT_DATA_ARM_SMMUV3_S1CTX
 *   IOMMU_HWPT_INVALIDATE    on a vIOMMU with raw guest commands: each
 *                            becomes a generic entry on the nested HWPT
 *                            the map names (IOMMU_HWPT_INVALIDATE_DATA_GENERIC)
 *   IOMMU_VEVENTQ_ALLOC      a socket QEMU reads mainline's event records
 *                            from; each guest device gets this kernel's
 *                            device event queue (IOMMU_DEVICE_EVENTQ_ALLOC),
 *                            and a thread turns its records into the
 *                            guest's (vsmmu_event_encode()) on the socket
 *   IOMMU_HW_QUEUE_ALLOC     refused: no hardware queues here
 *   IOMMU_DESTROY            of the objects above
 *   IOMMU_GET_HW_INFO        without the input-type flag 6.12 lacks
 * VFIO's bind and attach calls are watched to know which HWPT each device
 * is attached to: VFIO names the device by its file, not by its ID; and
 * close() to forget a VFIO file's device when the file goes.
 *
 * Object and device IDs are those of one iommufd file: each of the
 * adapter's objects, and each VFIO file's record, holds the iommufd file
 * it belongs to, and a request on another iommufd file does not see it
 * (QEMU may open one iommufd per vfio-pci device).
 *
 * What it does not carry out it refuses, with mainline's errno where
 * mainline has one and a line "vsmmu-adapter: <request> ...: <why>" on
 * stderr, so that QEMU's own message ("...: Operation not supported")
 * is not all a user sees. Refusals a guest can repeat are said once.
 *
 * At exit, counters go to stderr: a line of totals, then a line per guest
 * command class (entries passed on, the host commands and syncs they cost
 * by the kernel's debugfs counters, and the time of the kernel call per
 * entry).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
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
#define ML_CMD_HW_QUEUE_ALLOC		0x94
#define ML_VIOMMU_TYPE_ARM_SMMUV3	1
#define ML_HWPT_DATA_ARM_SMMUV3		2
#define ML_INVALIDATE_DATA_ARM_SMMUV3	1
#define ML_HW_INFO_FLAG_INPUT_TYPE	1
#define ML_VEVENTQ_TYPE_ARM_SMMUV3	1
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

/* The start of mainline's struct, as far as a refusal needs it */
struct ml_hw_queue_alloc {
	__u32 size, flags, viommu_id, type;
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
/* VFIO device files bound to iommufd that the adapter keeps track of */
#define MAX_VFIO	64

enum obj_kind { OBJ_FREE, OBJ_VIOMMU, OBJ_VDEVICE, OBJ_VEVENTQ };

static const char *const kind_name[] = {
	[OBJ_FREE] = "destroyed object", [OBJ_VIOMMU] = "vIOMMU",
	[OBJ_VDEVICE] = "vDEVICE", [OBJ_VEVENTQ] = "vEVENTQ",
};

struct obj {
	enum obj_kind kind;
	int ictx;		/* the iommufd file it was made on */
	uint32_t viommu;	/* VDEVICE, VEVENTQ: its vIOMMU */
	uint32_t parent;	/* VIOMMU: the nest parent HWPT */
	uint32_t dev_id;	/* VIOMMU: the device it was made with */
	struct vsmmu_caps caps;	/* VIOMMU */
	/* VIOMMU: its devices by guest StreamID, and its nested HWPTs */
	struct vsmmu_devices devs;
	uint32_t vsid;		/* VDEVICE: its StreamID in the vIOMMU's map */
	int qfd;		/* VDEVICE: its kernel event queue, or -1 */
	uint32_t qid;		/* VDEVICE: that queue's object */
	int sock;		/* VEVENTQ: the end this adapter writes */
	uint32_t sequence;	/* VEVENTQ: its next record's number */
};

/*
 * A VFIO device file bound to iommufd: VFIO's attach names the file, the
 * vIOMMU calls name the iommufd device. @hwpt_id is what it is attached
 * to, for a vDEVICE made after the attach (QEMU attaches a device to its
 * abort or bypass HWPT before the guest's first STE makes its vDEVICE).
 * @fd is written under the lock but read without it too (close()).
 */
struct vfio_dev {
	int fd;			/* -1 once dropped */
	int ictx;		/* the iommufd file it is bound to */
	uint32_t dev_id;	/* its device ID there; 0: a free entry */
	uint32_t hwpt_id;
};

static struct {
	pthread_mutex_t lock;
	struct obj obj[MAX_OBJS];
	struct vfio_dev vfio[MAX_VFIO];
	unsigned long guest_cmds[256], nested_allocs, refused;
	/* nested events: the forwarder's epoll set, what it passed on */
	int epfd;
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
static int (*real_close)(int);
static pthread_once_t real_once = PTHREAD_ONCE_INIT;

static void find_real(void)
{
	real_ioctl = dlsym(RTLD_NEXT, "ioctl");
	real_close = dlsym(RTLD_NEXT, "close");
}

/* The next ioctl() (libc's): any thread may get here, locked or not */
static int kernel(int fd, unsigned long req, void *arg)
{
	pthread_once(&real_once, find_real);
	return real_ioctl(fd, req, arg);
}

/* The next close(): the adapter's own files, never a VFIO file's record */
static int kclose(int fd)
{
	pthread_once(&real_once, find_real);
	return real_close(fd);
}

static int fail(int err)
{
	errno = err;
	return -1;
}

/*
 * Refuse QEMU's request with @err, and say on one line of stderr which
 * request, object or device, and why. With @said, only the first time:
 * for what a guest can make QEMU ask again and again.
 */
static int __attribute__((format(printf, 3, 4)))
refuse_once(bool *said, int err, const char *fmt, ...)
{
	const char *name = strerrorname_np(err);
	va_list ap;

	if (said && *said)
		return fail(err);
	flockfile(stderr);
	fputs("vsmmu-adapter: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (%s%s)\n", name ? name : "an unknown errno",
		said ? "; further ones are not reported" : "");
	funlockfile(stderr);
	if (said)
		*said = true;
	return fail(err);
}

#define refuse(err, ...)	refuse_once(NULL, err, __VA_ARGS__)

/* Object @id of @kind made on iommufd file @ictx, or NULL */
static struct obj *obj_get(int ictx, uint32_t id, enum obj_kind kind)
{
	struct obj *o;

	if (id < FAKE_ID_BASE || id >= FAKE_ID_BASE + MAX_OBJS)
		return NULL;
	o = &st.obj[id - FAKE_ID_BASE];
	return o->kind == kind && o->ictx == ictx ? o : NULL;
}

static uint32_t obj_id(const struct obj *o)
{
	return FAKE_ID_BASE + (o - st.obj);
}

/* A free slot made an object of @kind on iommufd file @ictx, or NULL */
static struct obj *obj_new(int ictx, enum obj_kind kind)
{
	unsigned int i;

	for (i = 0; i < MAX_OBJS; i++) {
		if (st.obj[i].kind == OBJ_FREE) {
			memset(&st.obj[i], 0, sizeof(st.obj[i]));
			st.obj[i].kind = kind;
			st.obj[i].ictx = ictx;
			return &st.obj[i];
		}
	}
	return NULL;
}

/*
 * @id, which @req on iommufd file @ictx hands to the kernel as @what, is
 * one of the adapter's IDs: refuse it rather than have the kernel answer
 * for an ID it never made, as mainline's lookup answers: @absent for an
 * ID that names nothing on @ictx (a destroyed object, or one of another
 * iommufd file), @other for an object of another kind. 0: not one of the
 * adapter's.
 */
static int adapter_id_refused(int ictx, const char *req, uint32_t id,
			      const char *what, int absent, int other)
{
	const struct obj *o;

	if (id < FAKE_ID_BASE || id >= FAKE_ID_BASE + MAX_OBJS)
		return 0;
	o = &st.obj[id - FAKE_ID_BASE];
	if (o->kind != OBJ_FREE && o->ictx != ictx)
		return refuse(absent,
			      "%s: %#x is the adapter's %s of another iommufd (file %d, not %d)",
			      req, id, kind_name[o->kind], o->ictx, ictx);
	return refuse(o->kind == OBJ_FREE ? absent : other,
		      "%s: %#x is the adapter's %s, not %s", req, id,
		      kind_name[o->kind], what);
}

/* The VFIO device file @fd's entry, or NULL */
static struct vfio_dev *vfio_of_fd(int fd)
{
	unsigned int i;

	for (i = 0; i < MAX_VFIO; i++)
		if (st.vfio[i].dev_id && st.vfio[i].fd == fd)
			return &st.vfio[i];
	return NULL;
}

/* The VFIO device file bound as device @dev_id of iommufd @ictx, or NULL */
static struct vfio_dev *vfio_of_dev(int ictx, uint32_t dev_id)
{
	unsigned int i;

	for (i = 0; dev_id && i < MAX_VFIO; i++)
		if (st.vfio[i].dev_id == dev_id && st.vfio[i].ictx == ictx)
			return &st.vfio[i];
	return NULL;
}

/* Forget a VFIO file's record */
static void vfio_drop(struct vfio_dev *vf)
{
	vf->dev_id = 0;
	vf->hwpt_id = 0;
	__atomic_store_n(&vf->fd, -1, __ATOMIC_RELAXED);
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
		return refuse(errno,
			      "IOMMU_VIOMMU_ALLOC for device %u: the kernel refused its IOMMU_GET_HW_INFO",
			      dev_id);
	if (info.out_data_type != IOMMU_HW_INFO_TYPE_ARM_SMMUV3)
		return refuse(EOPNOTSUPP,
			      "IOMMU_VIOMMU_ALLOC for device %u: its IOMMU is no SMMUv3 (hw_info type %u)",
			      dev_id, info.out_data_type);
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

	/* NVIDIA's CMDQV, for one, is a vIOMMU type of its own */
	if (a->type != ML_VIOMMU_TYPE_ARM_SMMUV3)
		return refuse(EOPNOTSUPP,
			      "IOMMU_VIOMMU_ALLOC for device %u: vIOMMU type %u is not ARM SMMUv3's (%u), the one the adapter carries out",
			      a->dev_id, a->type, ML_VIOMMU_TYPE_ARM_SMMUV3);
	if (a->flags)
		return refuse(EOPNOTSUPP,
			      "IOMMU_VIOMMU_ALLOC for device %u: flags %#x (none are known)",
			      a->dev_id, a->flags);
	if (a->data_len)
		return refuse(EOPNOTSUPP,
			      "IOMMU_VIOMMU_ALLOC for device %u: %u bytes of driver data, which an SMMUv3 vIOMMU does not take",
			      a->dev_id, a->data_len);
	if (read_caps(fd, a->dev_id, &caps))
		return -1;
	/* A kernel ID is the kernel's to look up, with the nested HWPTs */
	if (adapter_id_refused(fd, "IOMMU_VIOMMU_ALLOC", a->hwpt_id,
			       "a nest parent HWPT", ENOENT, ENOENT))
		return -1;
	vi = obj_new(fd, OBJ_VIOMMU);
	if (!vi)
		return refuse(ENOMEM,
			      "IOMMU_VIOMMU_ALLOC for device %u: the adapter holds %u objects already",
			      a->dev_id, MAX_OBJS);
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

/* The device of vDEVICE @vd, from its vIOMMU's map */
static struct vsmmu_device *vdevice_dev(const struct obj *vd)
{
	return vsmmu_devices_find(&obj_get(vd->ictx, vd->viommu,
					   OBJ_VIOMMU)->devs, vd->vsid);
}

/* Close guest device @vd's kernel event queue: its file, then the queue */
static void vdevice_unwatch(struct obj *vd)
{
	struct iommu_destroy q = { .size = sizeof(q), .id = vd->qid };

	if (vd->qfd < 0)
		return;
	/* The file first: the kernel keeps a queue it has open */
	epoll_ctl(st.epfd, EPOLL_CTL_DEL, vd->qfd, NULL);
	kclose(vd->qfd);
	vd->qfd = -1;
	kernel(vd->ictx, IOMMU_DESTROY, &q);
}

/*
 * Give guest device @vd a kernel event queue the forwarder watches, or
 * refuse @req with the kernel's errno
 */
static int vdevice_watch(struct obj *vd, const char *req)
{
	uint32_t dev_id = vdevice_dev(vd)->dev_id;
	struct iommu_device_eventq_alloc a = {
		.size = sizeof(a), .dev_id = dev_id,
		.depth = DEVICE_EVENTQ_DEPTH,
	};
	struct epoll_event e = { .events = EPOLLIN, .data.u32 = vd - st.obj };
	int err, flags;

	if (vd->qfd >= 0)
		return 0;
	if (kernel(vd->ictx, IOMMU_DEVICE_EVENTQ_ALLOC, &a))
		return refuse(errno,
			      "%s on vIOMMU %#x: the kernel refused device %u (StreamID %#x) an event queue (IOMMU_DEVICE_EVENTQ_ALLOC)",
			      req, vd->viommu, dev_id, vd->vsid);
	vd->qfd = a.out_eventq_fd;
	vd->qid = a.out_eventq_id;
	/* The forwarder reads it holding the lock: a read must never wait */
	flags = fcntl(vd->qfd, F_GETFL);
	if (flags >= 0 && !fcntl(vd->qfd, F_SETFL, flags | O_NONBLOCK) &&
	    !epoll_ctl(st.epfd, EPOLL_CTL_ADD, vd->qfd, &e))
		return 0;
	err = errno;
	vdevice_unwatch(vd);
	return refuse(err,
		      "%s on vIOMMU %#x: device %u's event queue cannot be watched (fcntl, epoll)",
		      req, vd->viommu, dev_id);
}

/*
 * The last of @n numbers that events take on vEVENTQ @q, numbered as
 * mainline numbers them: each event, passed on or lost, takes one, from
 * 0 on, back to 0 after INT_MAX; a lost-events record has the last lost
 * one's, so that the next event's number tells how many were lost
 */
static uint32_t sequence(struct obj *q, uint32_t n)
{
	uint32_t last = (q->sequence + n - 1) & INT32_MAX;

	q->sequence = (last + 1) & INT32_MAX;
	return last;
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
		out = (struct ml_vevent){ 0 };
		if (vsmmu_event_encode(&ev[i], vd->vsid, out.evt)) {
			/* QEMU reports the loss */
			out.flags = ML_VEVENTQ_FLAG_LOST_EVENTS;
			if (q)
				out.sequence = sequence(q, ev[i].lost ?: 1);
			st.events_lost += ev[i].lost;
		} else {
			if (q)
				out.sequence = sequence(q, 1);
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

/*
 * The device joins its vIOMMU's map, attached to what VFIO last attached
 * it to: a device the adapter saw no VFIO bind of would have attachments
 * it never learns of, and commands for it would miss its nested HWPT.
 */
static int vdevice_alloc(int fd, struct ml_vdevice_alloc *a)
{
	static const char req[] = "IOMMU_VDEVICE_ALLOC";
	struct obj *vi = obj_get(fd, a->viommu_id, OBJ_VIOMMU), *vd;
	struct vsmmu_device *dev;
	struct vfio_dev *vf;
	unsigned int i;
	int ret;

	if (!vi)
		return refuse(ENOENT,
			      "%s for device %u: %#x is no vIOMMU of the adapter's on iommufd %d",
			      req, a->dev_id, a->viommu_id, fd);
	if (a->virt_id > UINT32_MAX)
		return refuse(EINVAL,
			      "%s on vIOMMU %#x for device %u: virtual ID %#llx is wider than a StreamID (32 bits)",
			      req, a->viommu_id, a->dev_id,
			      (unsigned long long)a->virt_id);
	vf = vfio_of_dev(fd, a->dev_id);
	if (!vf)
		return refuse(ENOENT,
			      "%s on vIOMMU %#x: device %u was not bound through VFIO in this process, so the adapter cannot know its HWPT",
			      req, a->viommu_id, a->dev_id);
	/* A device has one vDEVICE, on whichever vIOMMU (mainline's too) */
	for (i = 0; i < MAX_OBJS; i++) {
		if (st.obj[i].kind != OBJ_VIOMMU || st.obj[i].ictx != fd)
			continue;
		dev = vsmmu_devices_find_dev(&st.obj[i].devs, a->dev_id);
		if (dev)
			return refuse(EEXIST,
				      "%s on vIOMMU %#x: device %u has StreamID %#x on vIOMMU %#x already",
				      req, a->viommu_id, a->dev_id, dev->vsid,
				      obj_id(&st.obj[i]));
	}
	dev = vsmmu_devices_find(&vi->devs, a->virt_id);
	if (dev)
		return refuse(EEXIST,
			      "%s on vIOMMU %#x for device %u: StreamID %#x is device %u's",
			      req, a->viommu_id, a->dev_id,
			      (uint32_t)a->virt_id, dev->dev_id);
	vd = obj_new(fd, OBJ_VDEVICE);
	if (!vd)
		return refuse(ENOMEM,
			      "%s on vIOMMU %#x for device %u: the adapter holds %u objects already",
			      req, a->viommu_id, a->dev_id, MAX_OBJS);
	ret = vsmmu_devices_add(&vi->devs, a->virt_id, a->dev_id,
				vf->hwpt_id);
	if (ret) {
		vd->kind = OBJ_FREE;
		return refuse(-ret,
			      "%s on vIOMMU %#x for device %u: the device map refused it",
			      req, a->viommu_id, a->dev_id);
	}
	vd->viommu = a->viommu_id;
	vd->vsid = a->virt_id;
	vd->qfd = -1;
	if (veventq_of(a->viommu_id) && vdevice_watch(vd, req)) {
		vsmmu_devices_remove(&vi->devs, vd->vsid);
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
	static const char req[] = "IOMMU_VEVENTQ_ALLOC";
	static pthread_t thread;
	unsigned int i;
	struct obj *q;
	int sv[2], err = 0;

	if (a->flags)
		return refuse(EOPNOTSUPP,
			      "%s on vIOMMU %#x: flags %#x (none are known)",
			      req, a->viommu_id, a->flags);
	if (a->__reserved)
		return refuse(EOPNOTSUPP,
			      "%s on vIOMMU %#x: reserved field %#x is not 0",
			      req, a->viommu_id, a->__reserved);
	if (a->type != ML_VEVENTQ_TYPE_ARM_SMMUV3)
		return refuse(EOPNOTSUPP,
			      "%s on vIOMMU %#x: event type %u is not ARM SMMUv3's (%u), the one the adapter carries out",
			      req, a->viommu_id, a->type,
			      ML_VEVENTQ_TYPE_ARM_SMMUV3);
	if (!a->veventq_depth)
		return refuse(EINVAL, "%s on vIOMMU %#x: a depth of 0",
			      req, a->viommu_id);
	if (!obj_get(fd, a->viommu_id, OBJ_VIOMMU))
		return refuse(ENOENT,
			      "%s: %#x is no vIOMMU of the adapter's on iommufd %d",
			      req, a->viommu_id, fd);
	q = veventq_of(a->viommu_id);
	if (q)
		return refuse(EEXIST, "%s on vIOMMU %#x: it has vEVENTQ %#x",
			      req, a->viommu_id, obj_id(q));
	if (st.epfd < 0) {
		st.epfd = epoll_create1(EPOLL_CLOEXEC);
		if (st.epfd < 0)
			return refuse(errno,
				      "%s on vIOMMU %#x: no epoll set for the event thread",
				      req, a->viommu_id);
		if (pthread_create(&thread, NULL, forwarder, NULL)) {
			kclose(st.epfd);
			st.epfd = -1;
			return refuse(ENOMEM,
				      "%s on vIOMMU %#x: no event thread",
				      req, a->viommu_id);
		}
		pthread_detach(thread);
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return refuse(errno, "%s on vIOMMU %#x: no socket for QEMU",
			      req, a->viommu_id);
	q = obj_new(fd, OBJ_VEVENTQ);
	if (!q) {
		kclose(sv[0]);
		kclose(sv[1]);
		return refuse(ENOMEM,
			      "%s on vIOMMU %#x: the adapter holds %u objects already",
			      req, a->viommu_id, MAX_OBJS);
	}
	q->viommu = a->viommu_id;
	q->sock = sv[1];
	for (i = 0; i < MAX_OBJS && !err; i++)
		if (st.obj[i].kind == OBJ_VDEVICE &&
		    st.obj[i].viommu == a->viommu_id &&
		    vdevice_watch(&st.obj[i], req))
			err = errno;
	if (err) {
		/* A refused queue: leave nothing of this call behind */
		for (i = 0; i < MAX_OBJS; i++)
			if (st.obj[i].kind == OBJ_VDEVICE &&
			    st.obj[i].viommu == a->viommu_id)
				vdevice_unwatch(&st.obj[i]);
		q->kind = OBJ_FREE;
		kclose(sv[0]);
		kclose(sv[1]);
		return fail(err);
	}
	a->out_veventq_id = obj_id(q);
	a->out_veventq_fd = sv[0];
	return 0;
}

/* A guest STE on a vIOMMU -> a nested HWPT on its parent */
static int nested_alloc(int fd, struct iommu_hwpt_alloc *a, struct obj *vi)
{
	static const char req[] = "IOMMU_HWPT_ALLOC";
	static bool said_ste, said_kernel;
	struct iommu_hwpt_arm_smmuv3_s1ctx ctx;
	struct vsmmu_ste ste = { { 0 } };
	struct iommu_hwpt_alloc k = *a;
	struct iommu_destroy d = { .size = sizeof(d) };
	int ret;

	/* Mainline's: no data at all is not supported on a vIOMMU */
	if (a->data_type == IOMMU_HWPT_DATA_NONE && !a->data_len)
		return refuse(EOPNOTSUPP,
			      "%s on vIOMMU %#x for device %u: no data, where an SMMUv3 STE (data type %u) goes",
			      req, a->pt_id, a->dev_id,
			      ML_HWPT_DATA_ARM_SMMUV3);
	/* Mainline's driver copies the STE with a check of its type */
	if (a->data_type != ML_HWPT_DATA_ARM_SMMUV3)
		return refuse(EINVAL,
			      "%s on vIOMMU %#x for device %u: data type %u is not an SMMUv3 STE (%u)",
			      req, a->pt_id, a->dev_id, a->data_type,
			      ML_HWPT_DATA_ARM_SMMUV3);
	if (a->data_len < 2 * sizeof(uint64_t))
		return refuse(EINVAL,
			      "%s on vIOMMU %#x for device %u: %u bytes of STE, fewer than its two words",
			      req, a->pt_id, a->dev_id, a->data_len);
	memcpy(ste.w, (void *)(uintptr_t)a->data_uptr, 2 * sizeof(uint64_t));
	if (vsmmu_ste_decode(&ste, &vi->caps, &ctx)) {
		st.refused++;
		/* mainline's errno for an illegal STE */
		return refuse_once(&said_ste, EIO,
				   "%s on vIOMMU %#x for device %u: the guest's STE %#018llx %#018llx is illegal (C_BAD_STE)",
				   req, a->pt_id, a->dev_id,
				   (unsigned long long)ste.w[0],
				   (unsigned long long)ste.w[1]);
	}
	k.pt_id = vi->parent;
	k.data_type = IOMMU_HWPT_DATA_ARM_SMMUV3_S1CTX;
	k.data_len = sizeof(ctx);
	k.data_uptr = (uintptr_t)&ctx;
	if (kernel(fd, IOMMU_HWPT_ALLOC, &k))
		return refuse_once(&said_kernel, errno,
				   "%s on vIOMMU %#x for device %u: the kernel refused a nested HWPT on parent %u",
				   req, a->pt_id, a->dev_id, vi->parent);
	ret = vsmmu_devices_add_nested(&vi->devs, k.out_hwpt_id);
	if (ret) {
		d.id = k.out_hwpt_id;
		kernel(fd, IOMMU_DESTROY, &d);
		return refuse(-ret,
			      "%s on vIOMMU %#x for device %u: the device map cannot note nested HWPT %u",
			      req, a->pt_id, a->dev_id, k.out_hwpt_id);
	}
	a->out_hwpt_id = k.out_hwpt_id;
	st.nested_allocs++;
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

/*
 * Raw guest commands on a vIOMMU -> generic entries, each on the HWPT
 * the vIOMMU's map names. A refused command stops the batch: entry_num
 * says how many were done, as mainline's does.
 */
static int invalidate(int fd, struct iommu_hwpt_invalidate *inv,
		      struct obj *vi)
{
	static const char req[] = "IOMMU_HWPT_INVALIDATE";
	static bool said_illegal, said_no_device, said_nowhere, said_kernel;
	const uint8_t *cmds = (const uint8_t *)(uintptr_t)inv->data_uptr;
	uint32_t done, n = inv->entry_num, viommu = inv->hwpt_id;

	inv->entry_num = 0;
	/* Mainline's driver copies the commands with a check of their type */
	if (inv->data_type != ML_INVALIDATE_DATA_ARM_SMMUV3)
		return refuse(EINVAL,
			      "%s on vIOMMU %#x: data type %u is not SMMUv3 commands (%u)",
			      req, viommu, inv->data_type,
			      ML_INVALIDATE_DATA_ARM_SMMUV3);
	if (inv->entry_len < 2 * sizeof(uint64_t))
		return refuse(EINVAL,
			      "%s on vIOMMU %#x: entries of %u bytes, shorter than a command",
			      req, viommu, inv->entry_len);
	for (done = 0; done < n; done++) {
		unsigned int op;
		uint64_t cmd[2];
		struct vsmmu_cmd c;
		uint32_t hwpt;

		inv->entry_num = done;
		memcpy(cmd, cmds + (size_t)done * inv->entry_len, sizeof(cmd));
		op = cmd[0] & 0xff;
		vsmmu_cmd_decode(cmd, &vi->caps, &c);
		st.guest_cmds[op]++;
		/*
		 * Mainline's vIOMMU takes invalidations only: a sync or a
		 * prefetch is refused as an illegal command is (QEMU keeps
		 * them, and STE reloads, to itself)
		 */
		if (c.action != VSMMU_INVALIDATE)
			return refuse_once(&said_illegal, EIO,
					   "%s on vIOMMU %#x: guest command %u (opcode %#04x) is %s",
					   req, viommu, done, op,
					   c.action == VSMMU_ILLEGAL ?
					   "illegal for this vSMMU" :
					   "no invalidation (QEMU's to do)");
		/* QEMU sends a device's commands only once it has a vDEVICE */
		if (c.scope == VSMMU_ONE_DEVICE &&
		    !vsmmu_devices_find(&vi->devs, c.first))
			return refuse_once(&said_no_device, EIO,
					   "%s on vIOMMU %#x: guest command %u (opcode %#04x) names StreamID %#x, which has no vDEVICE",
					   req, viommu, done, op, c.first);
		hwpt = vsmmu_devices_target(&vi->devs, &c);
		/*
		 * A TLBI with no nested HWPT left: the TLB may still hold what
		 * the last one cached under the parent's VMID, and nothing
		 * carries the TLBI there (QEMU keeps two for the vIOMMU's life)
		 */
		if (!hwpt && c.scope == VSMMU_ANY_DEVICE)
			return refuse_once(&said_nowhere, EIO,
					   "%s on vIOMMU %#x: guest command %u (opcode %#04x) is a TLBI, and the vIOMMU has no nested HWPT to carry it; the TLB may keep stale entries",
					   req, viommu, done, op);
		/* A device on the parent or on none uses none of the guest's */
		if (hwpt && pass_on(fd, hwpt, &c.entry, op))
			return refuse_once(&said_kernel, errno,
					   "%s on vIOMMU %#x: the kernel refused guest command %u (opcode %#04x) on nested HWPT %u",
					   req, viommu, done, op, hwpt);
	}
	inv->entry_num = n;
	return 0;
}

/* What a vIOMMU still holds: mainline does not destroy it then either */
static const char *viommu_busy(struct obj *vi)
{
	if (vi->devs.n)
		return "vDEVICEs";
	if (veventq_of(obj_id(vi)))
		return "a vEVENTQ";
	if (vi->devs.n_nested)
		return "nested HWPTs";
	return NULL;
}

static int destroy(int fd, struct iommu_destroy *d)
{
	static const char req[] = "IOMMU_DESTROY";
	struct obj *o, *vi;
	const char *busy;
	unsigned int i;

	if (d->id >= FAKE_ID_BASE && d->id < FAKE_ID_BASE + MAX_OBJS) {
		o = &st.obj[d->id - FAKE_ID_BASE];
		if (o->kind == OBJ_FREE || o->ictx != fd)
			return refuse(ENOENT,
				      "%s: %#x is none of the adapter's objects on iommufd %d (destroyed already?)",
				      req, d->id, fd);
		if (o->kind == OBJ_VIOMMU) {
			busy = viommu_busy(o);
			if (busy)
				return refuse(EBUSY,
					      "%s: vIOMMU %#x still has %s",
					      req, d->id, busy);
			vsmmu_devices_free(&o->devs);
		}
		if (o->kind == OBJ_VDEVICE) {
			vi = obj_get(fd, o->viommu, OBJ_VIOMMU);
			vdevice_unwatch(o);
			vsmmu_devices_remove(&vi->devs, o->vsid);
		}
		if (o->kind == OBJ_VEVENTQ)
			kclose(o->sock);
		o->kind = OBJ_FREE;
		return 0;
	}
	/* A vIOMMU holds its parent, as mainline's does */
	for (i = 0; i < MAX_OBJS; i++) {
		vi = &st.obj[i];
		if (vi->kind == OBJ_VIOMMU && vi->ictx == fd &&
		    vi->parent == d->id)
			return refuse(EBUSY,
				      "%s: HWPT %u is the nest parent of vIOMMU %#x",
				      req, d->id, obj_id(vi));
	}
	if (kernel(fd, IOMMU_DESTROY, d))
		return -1;
	/* IDs are per iommufd file, and the kernel hands them out again */
	for (i = 0; i < MAX_OBJS; i++)
		if (st.obj[i].kind == OBJ_VIOMMU && st.obj[i].ictx == fd)
			vsmmu_devices_remove_nested(&st.obj[i].devs, d->id);
	for (i = 0; i < MAX_VFIO; i++)
		if (st.vfio[i].dev_id && st.vfio[i].ictx == fd &&
		    st.vfio[i].hwpt_id == d->id)
			st.vfio[i].hwpt_id = 0;
	return 0;
}

/* A bind the kernel may refuse: room for its record is made first */
static int vfio_bind(int fd, struct vfio_device_bind_iommufd *b)
{
	/* A record of this file number is of a file closed unseen */
	struct vfio_dev *vf = vfio_of_fd(fd);
	unsigned int i;

	for (i = 0; !vf && i < MAX_VFIO; i++)
		if (!st.vfio[i].dev_id)
			vf = &st.vfio[i];
	if (!vf)
		return refuse(ENOMEM,
			      "VFIO_DEVICE_BIND_IOMMUFD of VFIO device file %d: the adapter keeps track of %u devices already",
			      fd, MAX_VFIO);
	if (kernel(fd, VFIO_DEVICE_BIND_IOMMUFD, b))
		return -1;
	/* iommufd reuses an unbound device's ID: a record of it is stale */
	for (i = 0; i < MAX_VFIO; i++)
		if (&st.vfio[i] != vf && st.vfio[i].dev_id == b->out_devid &&
		    st.vfio[i].ictx == b->iommufd)
			vfio_drop(&st.vfio[i]);
	vf->ictx = b->iommufd;
	vf->dev_id = b->out_devid;
	vf->hwpt_id = 0;
	__atomic_store_n(&vf->fd, fd, __ATOMIC_RELAXED);
	return 0;
}

/* VFIO attached the device of file @fd to @hwpt_id (0: detached) */
static void vfio_attached(int fd, uint32_t hwpt_id)
{
	struct vfio_dev *vf = vfio_of_fd(fd);
	unsigned int i;

	/* Not bound through the adapter: no vDEVICE can name it */
	if (!vf)
		return;
	vf->hwpt_id = hwpt_id;
	for (i = 0; i < MAX_OBJS; i++)
		if (st.obj[i].kind == OBJ_VIOMMU && st.obj[i].ictx == vf->ictx)
			vsmmu_devices_attach(&st.obj[i].devs, vf->dev_id,
					     hwpt_id);
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
	case _IO(IOMMUFD_TYPE, ML_CMD_HW_QUEUE_ALLOC): {
		struct ml_hw_queue_alloc *h = arg;

		/* Mainline's answer for a vIOMMU without hardware queues */
		return refuse(EOPNOTSUPP,
			      "IOMMU_HW_QUEUE_ALLOC on vIOMMU %#x: hardware queues (type %u) are not carried out on this kernel",
			      h->viommu_id, h->type);
	}
	case IOMMU_HWPT_ALLOC: {
		struct iommu_hwpt_alloc *a = arg;
		struct obj *vi = obj_get(fd, a->pt_id, OBJ_VIOMMU);

		if (vi)
			return nested_alloc(fd, a, vi);
		/* Mainline's: EINVAL for a pt_id of any kind it cannot use */
		return adapter_id_refused(fd, "IOMMU_HWPT_ALLOC", a->pt_id,
					  "an IOAS, a HWPT or a vIOMMU",
					  EINVAL, EINVAL) ?:
		       kernel(fd, req, arg);
	}
	case IOMMU_HWPT_INVALIDATE: {
		struct iommu_hwpt_invalidate *inv = arg;
		struct obj *vi = obj_get(fd, inv->hwpt_id, OBJ_VIOMMU);

		if (vi)
			return invalidate(fd, inv, vi);
		return adapter_id_refused(fd, "IOMMU_HWPT_INVALIDATE",
					  inv->hwpt_id, "a HWPT or a vIOMMU",
					  ENOENT, EINVAL) ?:
		       kernel(fd, req, arg);
	}
	case IOMMU_DESTROY:
		return destroy(fd, arg);
	case IOMMU_GET_HW_INFO: {
		struct iommu_hw_info *info = arg;

		/* 6.12 answers with its one type; the flag asks for it */
		if (info->flags & ML_HW_INFO_FLAG_INPUT_TYPE) {
			if (info->out_data_type &&
			    info->out_data_type != IOMMU_HW_INFO_TYPE_ARM_SMMUV3)
				return refuse(EOPNOTSUPP,
					      "IOMMU_GET_HW_INFO for device %u: hw_info type %u asked for; this kernel reports SMMUv3's (%u) only",
					      info->dev_id, info->out_data_type,
					      IOMMU_HW_INFO_TYPE_ARM_SMMUV3);
			info->flags &= ~ML_HW_INFO_FLAG_INPUT_TYPE;
			info->out_data_type = 0;
		}
		return kernel(fd, req, arg);
	}
	case VFIO_DEVICE_BIND_IOMMUFD:
		return vfio_bind(fd, arg);
	case VFIO_DEVICE_ATTACH_IOMMUFD_PT: {
		struct vfio_device_attach_iommufd_pt *at = arg;
		struct vfio_dev *vf = vfio_of_fd(fd);

		/* The IDs are those of the iommufd the file is bound to */
		ret = adapter_id_refused(vf ? vf->ictx : -1,
					 "VFIO_DEVICE_ATTACH_IOMMUFD_PT",
					 at->pt_id, "an IOAS or a HWPT",
					 ENOENT, EINVAL) ?:
		      kernel(fd, req, arg);
		if (!ret)
			vfio_attached(fd, at->pt_id);
		return ret;
	}
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
 * The requests dispatch() carries out, records or refuses. Only these
 * take the lock: everything else QEMU asks goes straight to the kernel,
 * above all KVM_RUN, in which each vCPU thread sits for as long as its
 * vCPU runs (a parked secondary vCPU for ever) and which must not hold up
 * another vCPU or QEMU's main thread.
 */
static bool adapter_request(unsigned long req)
{
	switch (req) {
	case _IO(IOMMUFD_TYPE, ML_CMD_VIOMMU_ALLOC):
	case _IO(IOMMUFD_TYPE, ML_CMD_VDEVICE_ALLOC):
	case _IO(IOMMUFD_TYPE, ML_CMD_VEVENTQ_ALLOC):
	case _IO(IOMMUFD_TYPE, ML_CMD_HW_QUEUE_ALLOC):
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

/*
 * A forked child (one of QEMU's helpers, about to exec) leaves the records
 * alone: another thread may have held the lock at the fork
 */
static bool forked;

static void in_child(void)
{
	forked = true;
}

__attribute__((constructor)) static void setup(void)
{
	pthread_atfork(NULL, NULL, in_child);
}

/*
 * A VFIO file's record goes with the file, before its number can be used
 * again: else hotplug would use up the records. close() is hot, so only
 * a file that has a record takes the lock.
 */
int close(int fd)
{
	unsigned int i = MAX_VFIO;

	if (fd >= 0 && !forked)
		for (i = 0; i < MAX_VFIO; i++)
			if (__atomic_load_n(&st.vfio[i].fd,
					    __ATOMIC_RELAXED) == fd)
				break;
	if (i < MAX_VFIO) {
		struct vfio_dev *vf;

		pthread_mutex_lock(&st.lock);
		vf = vfio_of_fd(fd);
		if (vf)
			vfio_drop(vf);
		pthread_mutex_unlock(&st.lock);
	}
	return kclose(fd);
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
	fprintf(stderr,
		"vsmmu-adapter: nested events to the guest %lu, lost %lu\n",
		st.events, st.events_lost);
	for (i = 0; i < ARRAY_SIZE(classes); i++) {
		unsigned int op = classes[i].op;

		if (!st.guest_cmds[op])
			continue;
		fprintf(stderr,
			"vsmmu-adapter: class %s guest %lu entries %lu ",
			classes[i].name, st.guest_cmds[op], st.cost[op].entries);
		fprintf(stderr, "host-commands %lu syncs %lu us/entry %.1f\n",
			st.cost[op].host_cmds, st.cost[op].syncs,
			st.cost[op].entries ?
			st.cost[op].us / st.cost[op].entries : 0);
	}
}
