// SPDX-License-Identifier: GPL-2.0
/*
 * The adapter (vmm/adapter), LD_PRELOADed as under QEMU, over fake_kvm.c,
 * a stand-in for the kernel.
 *
 * First, it must not make one of QEMU's threads wait for another's
 * KVM_RUN. The fake's KVM_RUN returns only when another KVM request
 * arrives: a vCPU thread enters KVM_RUN, then another thread makes a
 * request the adapter carries out (under its lock), which must finish
 * within seconds, and another vCPU's KVM request lets the first one out.
 * An adapter that holds its lock across KVM_RUN fails that (as QEMU with
 * -smp 2 hung at the first secondary vCPU); a watchdog turns any other
 * hang into "not ok".
 *
 * Then QEMU's calls for the devices it meets, in QEMU 11's order: a
 * device's commands reach the nested HWPT the library's device map names
 * for it, a second vfio-pci device's too; calls that are not the
 * adapter's reach the kernel unchanged; device events reach the vEVENTQ
 * with the guest's StreamID; each call the adapter does not carry out
 * fails with mainline's errno (or the kernel's) and one line
 * "vsmmu-adapter: <request> ..." on stderr that says why, without
 * reaching the kernel when the adapter decides; a second iommufd file's
 * IDs are its own; and VFIO files come and go (hotplug).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "fake_kvm.h"

#define KVMIO		0xAE
#define KVM_RUN		_IO(KVMIO, 0x80)
#define KVM_OTHER	_IO(KVMIO, 0x81)	/* another vCPU's request */
#define WATCHDOG_S	60
#define REQUEST_S	5	/* the most an adapter request may take */

/* Mainline's calls, as QEMU 11 makes them (this test's own copy) */
#define ML_VIOMMU_ALLOC		_IO(IOMMUFD_TYPE, 0x90)
#define ML_VDEVICE_ALLOC	_IO(IOMMUFD_TYPE, 0x91)
#define ML_VEVENTQ_ALLOC	_IO(IOMMUFD_TYPE, 0x93)
#define ML_HW_QUEUE_ALLOC	_IO(IOMMUFD_TYPE, 0x94)
#define ML_VIOMMU_SMMUV3	1
#define ML_VIOMMU_CMDQV		2	/* NVIDIA's Tegra241 CMDQV */
#define ML_HWPT_SMMUV3		2
#define ML_INVALIDATE_SMMUV3	1
#define ML_HW_INFO_INPUT_TYPE	1
#define ML_VEVENTQ_SMMUV3	1
#define ML_VEVENTQ_LOST		1	/* a record's flag: events lost */

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

struct ml_hw_queue_alloc {
	__u32 size, flags, viommu_id, type, index, out_hw_queue_id;
	__aligned_u64 nesting_parent_iova, length;
};

/* A record of a vEVENTQ of SMMUv3 type: its header, then the event */
struct ml_vevent {
	__u32 flags, sequence;
	__u64 evt[4];
};

/* Guest STEs (word 0), commands and events (IHI 0070: 5.2, 4.1.2, 7.3) */
#define STE_ABORT	0x1ULL		/* V, Config abort */
#define STE_BYPASS	0x9ULL		/* V, Config bypass */
#define STE_INVALID	0x0ULL		/* V = 0 */
#define CMD(op, sid)	((uint64_t)(op) | (uint64_t)(sid) << 32)
#define PREFETCH_CONFIG	0x01
#define CFGI_STE	0x03
#define CFGI_CD_ALL	0x06
#define TLBI_NH_ALL	0x10
#define CMD_SYNC	0x46
#define F_TRANSLATION	0x10
#define EVT_SID(evt0)	((uint32_t)((evt0) >> 32))

/* The fake kernel looks at file numbers: iommufd's, and VFIO files' */
#define IOMMUFD		100
#define IOMMUFD_B	110	/* a second iommufd file (QEMU may open one) */
#define MAX_OBJS	64	/* the adapter's limits */
#define MAX_VFIO	64

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define TESTS		60	/* the results the test_*() below print */

static unsigned int tests, failed;

static void result(bool ok, const char *what)
{
	printf("%sok %u - %s\n", ok ? "" : "not ", ++tests, what);
	fflush(stdout);
	failed += !ok;
}

/* The state QEMU's calls built up, test after test */
static uint32_t ioas, parent, viommu, dev_a, dev_b, dev_c, abort_hwpt,
	bypass_hwpt, vdev_a;
static int veventq_fd = -1;

/* The iommufd file the requests below go to */
static int ifd = IOMMUFD;

/* One request through the adapter, with what it said on stderr */
struct outcome {
	int ret, err;
	char said[1024];
};

static struct outcome call(unsigned long req, void *arg, int fd)
{
	struct outcome o = { 0 };
	int saved = dup(STDERR_FILENO);
	FILE *f = tmpfile();
	size_t n;

	fflush(stderr);
	dup2(fileno(f), STDERR_FILENO);
	errno = 0;
	o.ret = ioctl(fd, req, arg);
	o.err = errno;
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(f);
	n = fread(o.said, 1, sizeof(o.said) - 1, f);
	o.said[n] = 0;
	fclose(f);
	return o;
}

/*
 * @o failed with @err and said one line: "vsmmu-adapter: @req", then
 * @why somewhere, and the errno's name
 */
static bool refused(const struct outcome *o, int err, const char *req,
		    const char *why)
{
	const char *nl = strchr(o->said, '\n');
	char head[64];
	bool ok;

	snprintf(head, sizeof(head), "vsmmu-adapter: %s", req);
	ok = o->ret == -1 && o->err == err &&
	     !strncmp(o->said, head, strlen(head)) && nl && !nl[1] &&
	     strstr(o->said, why) && strstr(o->said, strerrorname_np(err));
	if (!ok)
		printf("# wanted -1 (%s) and \"%s...%s...\"; got %d (%s), said: %s%s",
		       strerrorname_np(err), head, why, o->ret,
		       o->err ? strerrorname_np(o->err) : "0", o->said,
		       nl ? "" : "\n");
	return ok;
}

/* @o failed with @err and said nothing: a refusal said once already */
static bool refused_quietly(const struct outcome *o, int err)
{
	bool ok = o->ret == -1 && o->err == err && !o->said[0];

	if (!ok)
		printf("# wanted -1 (%s), nothing said; got %d (%s), said: %s\n",
		       strerrorname_np(err), o->ret,
		       o->err ? strerrorname_np(o->err) : "0", o->said);
	return ok;
}

/* The request succeeded and said nothing */
static bool done(struct outcome o)
{
	if (o.ret || o.said[0])
		printf("# wanted 0; got %d (%s), said: %s\n", o.ret,
		       o.err ? strerrorname_np(o.err) : "0", o.said);
	return !o.ret && !o.said[0];
}

/* VFIO file @fd bound to iommufd file ifd: its device ID, or 0 */
static uint32_t bind(int fd)
{
	struct vfio_device_bind_iommufd b = {
		.argsz = sizeof(b), .iommufd = ifd,
	};

	return ioctl(fd, VFIO_DEVICE_BIND_IOMMUFD, &b) ? 0 : b.out_devid;
}

static struct outcome attach(int fd, uint32_t pt_id)
{
	struct vfio_device_attach_iommufd_pt a = {
		.argsz = sizeof(a), .pt_id = pt_id,
	};

	return call(VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a, fd);
}

/* A new IOAS, straight from the kernel: its ID, or 0 */
static uint32_t ioas_alloc(void)
{
	struct iommu_ioas_alloc a = { .size = sizeof(a) };

	return ioctl(ifd, IOMMU_IOAS_ALLOC, &a) ? 0 : a.out_ioas_id;
}

/* A nest parent for @dev_id on @pt_id, straight from the kernel, or 0 */
static uint32_t parent_alloc(uint32_t dev_id, uint32_t pt_id)
{
	struct iommu_hwpt_alloc a = {
		.size = sizeof(a), .flags = IOMMU_HWPT_ALLOC_NEST_PARENT,
		.dev_id = dev_id, .pt_id = pt_id,
	};

	return ioctl(ifd, IOMMU_HWPT_ALLOC, &a) ? 0 : a.out_hwpt_id;
}

static struct outcome viommu_on(uint32_t type, uint32_t flags,
				uint32_t data_len, uint32_t dev_id,
				uint32_t hwpt_id, uint32_t *id)
{
	uint64_t data[2] = { 0, 0 };
	struct ml_viommu_alloc a = {
		.size = sizeof(a), .flags = flags, .type = type,
		.dev_id = dev_id, .hwpt_id = hwpt_id, .data_len = data_len,
		.data_uptr = (uintptr_t)data,
	};
	struct outcome o = call(ML_VIOMMU_ALLOC, &a, ifd);

	if (id)
		*id = a.out_viommu_id;
	return o;
}

static struct outcome viommu_alloc(uint32_t type, uint32_t flags,
				   uint32_t data_len, uint32_t dev_id,
				   uint32_t *id)
{
	return viommu_on(type, flags, data_len, dev_id, parent, id);
}

static struct outcome vdevice_alloc(uint32_t vi, uint32_t dev_id,
				    uint64_t vsid, uint32_t *id)
{
	struct ml_vdevice_alloc a = {
		.size = sizeof(a), .viommu_id = vi, .dev_id = dev_id,
		.virt_id = vsid,
	};
	struct outcome o = call(ML_VDEVICE_ALLOC, &a, ifd);

	if (id)
		*id = a.out_vdevice_id;
	return o;
}

/* IOMMU_HWPT_ALLOC on @pt_id of @len bytes of STE @ste0 of @type */
static struct outcome hwpt_alloc(uint32_t pt_id, uint32_t dev_id,
				 uint32_t type, uint32_t len, uint64_t ste0,
				 uint32_t *id)
{
	uint64_t ste[2] = { ste0, 0 };
	struct iommu_hwpt_alloc a = {
		.size = sizeof(a), .dev_id = dev_id, .pt_id = pt_id,
		.data_type = type, .data_len = len,
		.data_uptr = (uintptr_t)ste,
	};
	struct outcome o = call(IOMMU_HWPT_ALLOC, &a, ifd);

	if (id)
		*id = a.out_hwpt_id;
	return o;
}

static struct outcome nested_on(uint32_t vi, uint32_t dev_id, uint64_t ste0,
				uint32_t *id)
{
	return hwpt_alloc(vi, dev_id, ML_HWPT_SMMUV3, 16, ste0, id);
}

static struct outcome nested_alloc(uint32_t dev_id, uint64_t ste0,
				   uint32_t *id)
{
	return nested_on(viommu, dev_id, ste0, id);
}

/* Guest commands (@n of them) on @hwpt_id; *@num: entry_num after */
static struct outcome commands(uint32_t hwpt_id, uint32_t type,
			       uint32_t len, const uint64_t (*cmd)[2],
			       uint32_t n, uint32_t *num)
{
	struct iommu_hwpt_invalidate inv = {
		.size = sizeof(inv), .hwpt_id = hwpt_id,
		.data_uptr = (uintptr_t)cmd, .data_type = type,
		.entry_len = len, .entry_num = n,
	};
	struct outcome o = call(IOMMU_HWPT_INVALIDATE, &inv, ifd);

	if (num)
		*num = inv.entry_num;
	return o;
}

static struct outcome guest_on(uint32_t vi, const uint64_t (*cmd)[2],
			       uint32_t n, uint32_t *num)
{
	return commands(vi, ML_INVALIDATE_SMMUV3, 16, cmd, n, num);
}

static struct outcome guest(const uint64_t (*cmd)[2], uint32_t n,
			    uint32_t *num)
{
	return guest_on(viommu, cmd, n, num);
}

/* IOMMU_VEVENTQ_ALLOC; *@fd: the file to read its records from */
static struct outcome veventq_alloc(uint32_t vi, uint32_t type,
				    uint32_t flags, uint32_t *id, int *fd)
{
	struct ml_veventq_alloc a = {
		.size = sizeof(a), .flags = flags, .viommu_id = vi,
		.type = type, .veventq_depth = 64,
	};
	struct outcome o = call(ML_VEVENTQ_ALLOC, &a, ifd);

	if (id)
		*id = a.out_veventq_id;
	if (fd)
		*fd = o.ret ? -1 : (int)a.out_veventq_fd;
	return o;
}

static struct outcome destroy(uint32_t id)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = id };

	return call(IOMMU_DESTROY, &d, ifd);
}

/* The last entry the kernel got went to @hwpt, and it was generic */
static bool kernel_invalidated(unsigned int before, uint32_t hwpt)
{
	const struct iommu_hwpt_invalidate *k =
		fake_kernel_last(IOMMU_HWPT_INVALIDATE);
	bool ok = fake_kernel_calls(IOMMU_HWPT_INVALIDATE) == before + 1 &&
		  k->hwpt_id == hwpt &&
		  k->data_type == IOMMU_HWPT_INVALIDATE_DATA_GENERIC &&
		  k->entry_num == 1;

	if (!ok)
		printf("# wanted one entry on HWPT %u; got %u, the last on %u\n",
		       hwpt, fake_kernel_calls(IOMMU_HWPT_INVALIDATE) - before,
		       k ? k->hwpt_id : 0);
	return ok;
}

/* No entry reached the kernel since @before */
static bool kernel_left_alone(unsigned int before)
{
	unsigned int n = fake_kernel_calls(IOMMU_HWPT_INVALIDATE) - before;

	if (n)
		printf("# wanted no entry; the kernel got %u\n", n);
	return !n;
}

/* Two IDs that the test needs equal (or not) for what it shows */
static bool same_id(uint32_t a, uint32_t b, bool want, const char *what)
{
	bool same = a == b;

	if (same != want)
		printf("# %s: IDs %u and %u, wanted them %s\n", what, a, b,
		       want ? "equal" : "different");
	return same == want;
}

static void *vcpu(void *unused)
{
	(void)unused;
	ioctl(-1, KVM_RUN, NULL);
	return NULL;
}

/* A request the adapter carries out, under its lock, from a thread */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t done;
	bool finished;
} req = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false };

static void *adapter_request(void *unused)
{
	/* Device 0 is none: the kernel says so, the adapter passes it on */
	struct iommu_hw_info info = { .size = sizeof(info) };

	(void)unused;
	ioctl(IOMMUFD, IOMMU_GET_HW_INFO, &info);
	pthread_mutex_lock(&req.lock);
	req.finished = true;
	pthread_cond_signal(&req.done);
	pthread_mutex_unlock(&req.lock);
	return NULL;
}

/* Whether adapter_request() finished within REQUEST_S seconds */
static bool request_finished(void)
{
	struct timespec until;
	bool finished;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += REQUEST_S;
	pthread_mutex_lock(&req.lock);
	while (!req.finished &&
	       !pthread_cond_timedwait(&req.done, &req.lock, &until))
		;
	finished = req.finished;
	pthread_mutex_unlock(&req.lock);
	return finished;
}

/* In a signal handler: the next test's number by hand, then why */
static void watchdog(int sig)
{
	static const char msg[] =
		" - QEMU's threads waited for a vCPU in KVM_RUN, or a request hung\n";
	char num[16] = "not ok ";
	unsigned int n = tests + 1, len = 7, d;

	(void)sig;
	for (d = 1; d * 10 <= n; d *= 10)
		;
	for (; d; d /= 10)
		num[len++] = '0' + n / d % 10;
	if (write(STDOUT_FILENO, num, len) < 0 ||
	    write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

static void test_kvm_run(void)
{
	pthread_t thread, other;
	bool ok, started;

	if (pthread_create(&thread, NULL, vcpu, NULL)) {
		result(false, "no thread for a vCPU");
		return;
	}
	fake_kvm_wait_running();
	/* Not the adapter's: straight through, answered by the fake */
	ioas = ioas_alloc();
	/* The adapter's: it takes the lock, which KVM_RUN must not hold */
	started = !pthread_create(&other, NULL, adapter_request, NULL);
	ok = started && request_finished();
	if (!ok)
		printf("# an adapter request waited %d s for a vCPU in KVM_RUN\n",
		       REQUEST_S);
	/* Another vCPU's request, which lets the first one out */
	ioctl(-1, KVM_OTHER, NULL);
	pthread_join(thread, NULL);
	if (started && request_finished())
		pthread_join(other, NULL);
	result(ok && ioas,
	       "a vCPU in KVM_RUN holds up neither QEMU's other threads nor another vCPU");
}

/*
 * QEMU 11: the nest parent, the vIOMMU with the first device, its abort
 * HWPT (the device attached to it), then the guest's first STE makes the
 * vDEVICE; a CFGI_CD_ALL then goes to the HWPT attached before.
 */
static void test_first_device(void)
{
	const uint64_t cmd[][2] = { { CMD(CFGI_CD_ALL, 0x8), 0 } };
	const struct iommu_hwpt_alloc *k;
	unsigned int before;
	bool ok;

	dev_a = bind(101);
	parent = parent_alloc(dev_a, ioas);
	ok = dev_a && parent;
	ok &= done(viommu_alloc(ML_VIOMMU_SMMUV3, 0, 0, dev_a, &viommu)) &&
	      done(nested_alloc(dev_a, STE_ABORT, &abort_hwpt));
	k = fake_kernel_last(IOMMU_HWPT_ALLOC);
	ok &= k && k->pt_id == parent && k->dev_id == dev_a &&
	      k->data_type == IOMMU_HWPT_DATA_ARM_SMMUV3_S1CTX;
	ok &= done(attach(101, abort_hwpt)) &&
	      done(vdevice_alloc(viommu, dev_a, 0x8, &vdev_a));
	before = fake_kernel_calls(IOMMU_HWPT_INVALIDATE);
	ok &= done(guest(cmd, 1, NULL)) &&
	      kernel_invalidated(before, abort_hwpt);
	result(ok,
	       "a device attached to a nested HWPT before its vDEVICE (QEMU's order): its CFGI_CD_ALL reaches that HWPT");
}

static void test_second_device(void)
{
	const uint64_t cd[][2] = { { CMD(CFGI_CD_ALL, 0x10), 0 } };
	const uint64_t tlbi[][2] = { { CMD(TLBI_NH_ALL, 0), 0 } };
	unsigned int before;
	bool ok;

	dev_b = bind(102);
	ok = dev_b &&
	     done(nested_alloc(dev_b, STE_BYPASS, &bypass_hwpt)) &&
	     done(attach(102, bypass_hwpt)) &&
	     done(vdevice_alloc(viommu, dev_b, 0x10, NULL));
	before = fake_kernel_calls(IOMMU_HWPT_INVALIDATE);
	ok &= done(guest(cd, 1, NULL)) &&
	      kernel_invalidated(before, bypass_hwpt);
	ok &= done(guest(tlbi, 1, NULL)) &&
	      kernel_invalidated(before + 1, abort_hwpt);
	result(ok,
	       "a second vfio-pci device: its commands reach its own nested HWPT, TLBIs the vIOMMU's oldest");
}

static void test_detached(void)
{
	const uint64_t cd[][2] = { { CMD(CFGI_CD_ALL, 0x10), 0 } };
	struct vfio_device_detach_iommufd_pt d = { .argsz = sizeof(d) };
	unsigned int before = fake_kernel_calls(IOMMU_HWPT_INVALIDATE);
	bool ok;

	ok = done(call(VFIO_DEVICE_DETACH_IOMMUFD_PT, &d, 102)) &&
	     done(guest(cd, 1, NULL)) && kernel_left_alone(before);
	ok &= done(attach(102, bypass_hwpt));
	result(ok,
	       "a detached device: its commands reach no HWPT (nothing of the guest's is cached) and are not refused");
}

/* Requests on the kernel's own objects: byte for byte to the kernel */
static void test_pass_through(void)
{
	struct iommu_hwpt_invalidate_generic e = {
		.cache = IOMMU_INV_CACHE_IOTLB,
		.granularity = IOMMU_INV_GRANU_DOMAIN,
	};
	struct iommu_hwpt_alloc pa = {
		.size = sizeof(pa), .flags = IOMMU_HWPT_ALLOC_NEST_PARENT,
		.dev_id = dev_b, .pt_id = ioas,
	}, pa0 = pa;
	struct iommu_hwpt_invalidate inv = {
		.size = sizeof(inv), .hwpt_id = bypass_hwpt,
		.data_uptr = (uintptr_t)&e,
		.data_type = IOMMU_HWPT_INVALIDATE_DATA_GENERIC,
		.entry_len = sizeof(e), .entry_num = 1,
	}, inv0 = inv;
	struct iommu_hw_info info = { .size = sizeof(info), .dev_id = dev_b },
		info0 = info;
	bool ok;

	ok = done(call(IOMMU_HWPT_ALLOC, &pa, IOMMUFD)) &&
	     !memcmp(fake_kernel_last(IOMMU_HWPT_ALLOC), &pa0, sizeof(pa0));
	ok &= done(call(IOMMU_HWPT_INVALIDATE, &inv, IOMMUFD)) &&
	      !memcmp(fake_kernel_last(IOMMU_HWPT_INVALIDATE), &inv0,
		      sizeof(inv0));
	ok &= done(call(IOMMU_GET_HW_INFO, &info, IOMMUFD)) &&
	      !memcmp(fake_kernel_last(IOMMU_GET_HW_INFO), &info0,
		      sizeof(info0));
	result(ok,
	       "requests on the kernel's own IOAS and HWPTs (another device's, too) reach the kernel unchanged");
}

static void test_viommu_refusals(void)
{
	unsigned int hw = fake_kernel_calls(IOMMU_GET_HW_INFO);
	struct outcome o;
	uint32_t vdev;
	bool ok;

	o = viommu_alloc(ML_VIOMMU_CMDQV, 0, 0, dev_a, NULL);
	result(refused(&o, EOPNOTSUPP, "IOMMU_VIOMMU_ALLOC", "type 2") &&
	       fake_kernel_calls(IOMMU_GET_HW_INFO) == hw,
	       "IOMMU_VIOMMU_ALLOC of another type (NVIDIA's CMDQV): refused, said why");
	o = viommu_alloc(ML_VIOMMU_SMMUV3, 1, 0, dev_a, NULL);
	result(refused(&o, EOPNOTSUPP, "IOMMU_VIOMMU_ALLOC", "flags 0x1"),
	       "IOMMU_VIOMMU_ALLOC with flags: refused, said why");
	o = viommu_alloc(ML_VIOMMU_SMMUV3, 0, 16, dev_a, NULL);
	result(refused(&o, EOPNOTSUPP,
		       "IOMMU_VIOMMU_ALLOC", "16 bytes of driver data"),
	       "IOMMU_VIOMMU_ALLOC with driver data: refused, said why");
	dev_c = bind(103);
	fake_kernel_hw_type(dev_c, IOMMU_HW_INFO_TYPE_INTEL_VTD);
	o = viommu_alloc(ML_VIOMMU_SMMUV3, 0, 0, dev_c, NULL);
	fake_kernel_hw_type(dev_c, 0);
	result(refused(&o, EOPNOTSUPP, "IOMMU_VIOMMU_ALLOC", "no SMMUv3"),
	       "IOMMU_VIOMMU_ALLOC for a device behind another IOMMU: refused, said why");
	o = viommu_alloc(ML_VIOMMU_SMMUV3, 0, 0, 9999, NULL);
	result(refused(&o, ENOENT,
		       "IOMMU_VIOMMU_ALLOC", "refused its IOMMU_GET_HW_INFO"),
	       "IOMMU_VIOMMU_ALLOC for a device the kernel does not know: the kernel's errno, said why");
	/* Mainline's lookup of a paging HWPT answers ENOENT for the rest */
	o = viommu_on(ML_VIOMMU_SMMUV3, 0, 0, dev_a, viommu, NULL);
	ok = refused(&o, ENOENT, "IOMMU_VIOMMU_ALLOC", "the adapter's vIOMMU");
	ok &= done(vdevice_alloc(viommu, dev_c, 0x18, &vdev)) &&
	      done(destroy(vdev));
	o = viommu_on(ML_VIOMMU_SMMUV3, 0, 0, dev_a, vdev, NULL);
	ok &= refused(&o, ENOENT, "IOMMU_VIOMMU_ALLOC", "destroyed object");
	result(ok,
	       "IOMMU_VIOMMU_ALLOC on a vIOMMU or a destroyed vDEVICE as its parent: ENOENT (mainline's), said why");
}

static void test_vdevice_refusals(void)
{
	struct outcome o;
	uint32_t vi;
	bool ok;

	o = vdevice_alloc(0x1234, dev_c, 0x18, NULL);
	result(refused(&o, ENOENT, "IOMMU_VDEVICE_ALLOC", "no vIOMMU"),
	       "IOMMU_VDEVICE_ALLOC on no vIOMMU of the adapter's: refused, said why");
	o = vdevice_alloc(viommu, dev_c, 1ULL << 32, NULL);
	result(refused(&o, EINVAL,
		       "IOMMU_VDEVICE_ALLOC", "wider than a StreamID"),
	       "IOMMU_VDEVICE_ALLOC of a virtual ID beyond 32 bits: refused, said why");
	o = vdevice_alloc(viommu, 9999, 0x18, NULL);
	result(refused(&o, ENOENT,
		       "IOMMU_VDEVICE_ALLOC", "not bound through VFIO"),
	       "IOMMU_VDEVICE_ALLOC for a device the adapter has no record of: refused, said why");
	o = vdevice_alloc(viommu, dev_c, 0x8, NULL);
	result(refused(&o, EEXIST,
		       "IOMMU_VDEVICE_ALLOC", "StreamID 0x8 is device"),
	       "IOMMU_VDEVICE_ALLOC at another device's StreamID: refused, said why");
	o = vdevice_alloc(viommu, dev_a, 0x20, NULL);
	result(refused(&o, EEXIST,
		       "IOMMU_VDEVICE_ALLOC", "has StreamID 0x8 on vIOMMU"),
	       "IOMMU_VDEVICE_ALLOC of a device a second time: refused, said why");
	/* Mainline: one vDEVICE per device, whichever its vIOMMU */
	ok = done(viommu_alloc(ML_VIOMMU_SMMUV3, 0, 0, dev_a, &vi));
	o = vdevice_alloc(vi, dev_a, 0x8, NULL);
	ok &= refused(&o, EEXIST,
		      "IOMMU_VDEVICE_ALLOC", "has StreamID 0x8 on vIOMMU");
	ok &= done(destroy(vi));
	result(ok,
	       "IOMMU_VDEVICE_ALLOC of a device that has a vDEVICE on another vIOMMU: EEXIST (mainline's), said why");
}

static void test_hwpt_refusals(void)
{
	unsigned int before = fake_kernel_calls(IOMMU_HWPT_ALLOC);
	unsigned int destroyed;
	struct outcome o;
	uint32_t hwpt;
	bool ok;

	/* Mainline's copy of the STE checks its type: EINVAL */
	o = hwpt_alloc(viommu, dev_a, IOMMU_HWPT_DATA_VTD_S1, 16, STE_ABORT,
		       NULL);
	ok = refused(&o, EINVAL, "IOMMU_HWPT_ALLOC", "data type 1");
	o = hwpt_alloc(viommu, dev_a, IOMMU_HWPT_DATA_NONE, 0, 0, NULL);
	ok &= refused(&o, EOPNOTSUPP, "IOMMU_HWPT_ALLOC", "no data");
	result(ok && fake_kernel_calls(IOMMU_HWPT_ALLOC) == before,
	       "IOMMU_HWPT_ALLOC on the vIOMMU of another data type, or none: EINVAL, EOPNOTSUPP with no data (mainline's), said why");
	o = hwpt_alloc(viommu, dev_a, ML_HWPT_SMMUV3, 8, STE_ABORT, NULL);
	result(refused(&o, EINVAL, "IOMMU_HWPT_ALLOC", "8 bytes of STE"),
	       "IOMMU_HWPT_ALLOC on the vIOMMU with half an STE: refused, said why");
	o = nested_alloc(dev_a, STE_INVALID, NULL);
	result(refused(&o, EIO, "IOMMU_HWPT_ALLOC", "is illegal") &&
	       fake_kernel_calls(IOMMU_HWPT_ALLOC) == before,
	       "IOMMU_HWPT_ALLOC of an illegal guest STE: EIO (mainline's), said why");
	o = nested_alloc(dev_a, STE_INVALID, NULL);
	result(refused_quietly(&o, EIO),
	       "IOMMU_HWPT_ALLOC of an illegal guest STE again: EIO, not said again");
	/* As for a device behind another SMMU than the parent's */
	fake_kernel_refuse(IOMMU_HWPT_ALLOC, dev_c, EINVAL);
	o = nested_alloc(dev_c, STE_ABORT, NULL);
	result(refused(&o, EINVAL,
		       "IOMMU_HWPT_ALLOC", "the kernel refused a nested HWPT"),
	       "IOMMU_HWPT_ALLOC the kernel refuses for a device: the kernel's errno, said why");
	before = fake_kernel_calls(IOMMU_HWPT_ALLOC);
	o = hwpt_alloc(vdev_a, dev_a, ML_HWPT_SMMUV3, 16, STE_ABORT, NULL);
	result(refused(&o, EINVAL,
		       "IOMMU_HWPT_ALLOC", "the adapter's vDEVICE") &&
	       fake_kernel_calls(IOMMU_HWPT_ALLOC) == before,
	       "IOMMU_HWPT_ALLOC on a vDEVICE: refused, said why");
	/* Mainline: EINVAL for a pt_id that names nothing, too */
	o = hwpt_alloc(0x40000000 + MAX_OBJS - 1, dev_a, ML_HWPT_SMMUV3, 16,
		       STE_ABORT, NULL);
	result(refused(&o, EINVAL, "IOMMU_HWPT_ALLOC", "destroyed object") &&
	       fake_kernel_calls(IOMMU_HWPT_ALLOC) == before,
	       "IOMMU_HWPT_ALLOC on a free adapter ID: EINVAL (mainline's), said why");
	/*
	 * The kernel hands out an ID the map holds already, as when a
	 * nested HWPT went where the adapter did not see it: the map's
	 * errno, and the new HWPT destroyed
	 */
	ok = done(nested_alloc(dev_a, STE_ABORT, &hwpt));
	fake_kernel_forget(IOMMUFD, hwpt);
	destroyed = fake_kernel_calls(IOMMU_DESTROY);
	o = nested_alloc(dev_a, STE_ABORT, NULL);
	ok &= refused(&o, EEXIST, "IOMMU_HWPT_ALLOC", "cannot note nested") &&
	      fake_kernel_calls(IOMMU_DESTROY) == destroyed + 1;
	/* The ID made again and destroyed: the map forgets it too */
	ok &= same_id(ioas_alloc(), hwpt, true, "a forgotten HWPT's ID") &&
	      done(destroy(hwpt));
	result(ok,
	       "IOMMU_HWPT_ALLOC whose nested HWPT the device map refuses: the map's errno, the HWPT destroyed, said why");
}

static void test_invalidate_refusals(void)
{
	const uint64_t sync[][2] = {
		{ CMD(CFGI_CD_ALL, 0x8), 0 }, { CMD(CMD_SYNC, 0), 0 },
	};
	const uint64_t prefetch[][2] = { { CMD(PREFETCH_CONFIG, 0x8), 0 } };
	const uint64_t ste[][2] = { { CMD(CFGI_STE, 0x8), 0 } };
	const uint64_t stray[][2] = { { CMD(CFGI_CD_ALL, 0x30), 0 } };
	const uint64_t cd[][2] = { { CMD(CFGI_CD_ALL, 0x8), 0 } };
	unsigned int before = fake_kernel_calls(IOMMU_HWPT_INVALIDATE);
	uint32_t num, vdev;
	struct outcome o;
	bool ok;

	/* Mainline's copy of the commands checks their type: EINVAL */
	o = commands(viommu, 2, 16, cd, 1, &num);
	result(refused(&o, EINVAL, "IOMMU_HWPT_INVALIDATE", "data type 2") &&
	       num == 0 && kernel_left_alone(before),
	       "IOMMU_HWPT_INVALIDATE on the vIOMMU of another data type: EINVAL (mainline's), said why");
	o = commands(viommu, ML_INVALIDATE_SMMUV3, 8, cd, 1, NULL);
	result(refused(&o, EINVAL,
		       "IOMMU_HWPT_INVALIDATE", "entries of 8 bytes"),
	       "IOMMU_HWPT_INVALIDATE on the vIOMMU with short entries: refused, said why");
	/* Mainline's vIOMMU refuses what is no invalidation: EIO at it */
	o = guest(sync, 2, &num);
	result(refused(&o, EIO,
		       "IOMMU_HWPT_INVALIDATE", "command 1 (opcode 0x46) is no invalidation") &&
	       num == 1 &&
	       fake_kernel_calls(IOMMU_HWPT_INVALIDATE) == before + 1,
	       "IOMMU_HWPT_INVALIDATE with a CMD_SYNC (QEMU's own): EIO at it (mainline's), said why");
	o = guest(prefetch, 1, &num);
	ok = refused_quietly(&o, EIO) && num == 0;
	o = guest(ste, 1, &num);
	ok &= refused_quietly(&o, EIO) && num == 0;
	result(ok,
	       "IOMMU_HWPT_INVALIDATE with a PREFETCH_CONFIG or a CFGI_STE (QEMU's own): EIO at it, not said again");
	o = guest(stray, 1, &num);
	result(refused(&o, EIO,
		       "IOMMU_HWPT_INVALIDATE", "StreamID 0x30, which has no vDEVICE") &&
	       num == 0,
	       "IOMMU_HWPT_INVALIDATE for a StreamID without a vDEVICE: EIO, said why");
	before = fake_kernel_calls(IOMMU_HWPT_INVALIDATE);
	fake_kernel_refuse(IOMMU_HWPT_INVALIDATE, 0, EINVAL);
	o = guest(cd, 1, &num);
	result(refused(&o, EINVAL,
		       "IOMMU_HWPT_INVALIDATE", "the kernel refused guest command 0") &&
	       num == 0 &&
	       fake_kernel_calls(IOMMU_HWPT_INVALIDATE) == before + 1,
	       "IOMMU_HWPT_INVALIDATE whose entry the kernel refuses: the kernel's errno, said why");
	/* A vDEVICE made and destroyed: its ID names nothing now */
	ok = done(vdevice_alloc(viommu, dev_c, 0x18, &vdev)) &&
	     done(destroy(vdev));
	before = fake_kernel_calls(IOMMU_HWPT_INVALIDATE);
	o = commands(vdev, ML_INVALIDATE_SMMUV3, 16,
		     (const uint64_t[][2]){ { CMD(TLBI_NH_ALL, 0), 0 } }, 1,
		     NULL);
	result(ok && refused(&o, ENOENT,
			     "IOMMU_HWPT_INVALIDATE", "destroyed object") &&
	       kernel_left_alone(before),
	       "IOMMU_HWPT_INVALIDATE on a destroyed vDEVICE: refused, said why");
}

static void test_veventq_refusals(void)
{
	struct ml_veventq_alloc a = {
		.size = sizeof(a), .viommu_id = viommu,
		.type = ML_VEVENTQ_SMMUV3, .veventq_depth = 64,
	};
	unsigned int queues, destroys;
	struct outcome o;
	uint32_t vdev;
	bool ok;

	o = veventq_alloc(viommu, ML_VEVENTQ_SMMUV3, 1, NULL, NULL);
	result(refused(&o, EOPNOTSUPP, "IOMMU_VEVENTQ_ALLOC", "flags 0x1"),
	       "IOMMU_VEVENTQ_ALLOC with flags: refused, said why");
	a.__reserved = 1;
	o = call(ML_VEVENTQ_ALLOC, &a, IOMMUFD);
	ok = refused(&o, EOPNOTSUPP, "IOMMU_VEVENTQ_ALLOC", "reserved");
	a.__reserved = 0;
	a.veventq_depth = 0;
	o = call(ML_VEVENTQ_ALLOC, &a, IOMMUFD);
	ok &= refused(&o, EINVAL, "IOMMU_VEVENTQ_ALLOC", "a depth of 0");
	result(ok,
	       "IOMMU_VEVENTQ_ALLOC with a reserved field set, or of depth 0: EOPNOTSUPP, EINVAL (mainline's), said why");
	o = veventq_alloc(viommu, 2, 0, NULL, NULL);
	result(refused(&o, EOPNOTSUPP, "IOMMU_VEVENTQ_ALLOC", "event type 2"),
	       "IOMMU_VEVENTQ_ALLOC of another type (CMDQV's): refused, said why");
	o = veventq_alloc(0x1234, ML_VEVENTQ_SMMUV3, 0, NULL, NULL);
	result(refused(&o, ENOENT, "IOMMU_VEVENTQ_ALLOC", "no vIOMMU"),
	       "IOMMU_VEVENTQ_ALLOC on no vIOMMU of the adapter's: refused, said why");
	/* dev_a's queue is made, dev_b's refused: dev_a's is destroyed */
	queues = fake_kernel_calls(IOMMU_DEVICE_EVENTQ_ALLOC);
	destroys = fake_kernel_calls(IOMMU_DESTROY);
	fake_kernel_refuse(IOMMU_DEVICE_EVENTQ_ALLOC, dev_b, ENODEV);
	o = veventq_alloc(viommu, ML_VEVENTQ_SMMUV3, 0, NULL, NULL);
	ok = refused(&o, ENODEV, "IOMMU_VEVENTQ_ALLOC", "refused device") &&
	     fake_kernel_calls(IOMMU_DEVICE_EVENTQ_ALLOC) == queues + 2 &&
	     fake_kernel_calls(IOMMU_DESTROY) == destroys + 1;
	/* Nothing of it left behind: the next one makes both queues anew */
	ok &= done(veventq_alloc(viommu, ML_VEVENTQ_SMMUV3, 0, NULL,
				 &veventq_fd)) &&
	      fake_kernel_calls(IOMMU_DEVICE_EVENTQ_ALLOC) == queues + 4 &&
	      fake_kernel_calls(IOMMU_DESTROY) == destroys + 1;
	if (!ok)
		printf("# device queues made %u, destroyed %u; wanted 4, 1\n",
		       fake_kernel_calls(IOMMU_DEVICE_EVENTQ_ALLOC) - queues,
		       fake_kernel_calls(IOMMU_DESTROY) - destroys);
	result(ok,
	       "IOMMU_VEVENTQ_ALLOC whose device queue the kernel refuses: the kernel's errno, said why, nothing left");
	o = veventq_alloc(viommu, ML_VEVENTQ_SMMUV3, 0, NULL, NULL);
	result(refused(&o, EEXIST, "IOMMU_VEVENTQ_ALLOC", "it has vEVENTQ"),
	       "IOMMU_VEVENTQ_ALLOC a second time on a vIOMMU: refused, said why");
	/* With the vEVENTQ there, a new vDEVICE gets a queue too */
	fake_kernel_refuse(IOMMU_DEVICE_EVENTQ_ALLOC, dev_c, ENODEV);
	o = vdevice_alloc(viommu, dev_c, 0x18, NULL);
	ok = refused(&o, ENODEV, "IOMMU_VDEVICE_ALLOC", "refused device");
	ok &= done(vdevice_alloc(viommu, dev_c, 0x18, &vdev)) &&
	      done(destroy(vdev));
	result(ok,
	       "IOMMU_VDEVICE_ALLOC whose event queue the kernel refuses: the kernel's errno, said why, nothing left");
}

/* The next record on the vEVENTQ, waiting for it at most REQUEST_S */
static bool vevent(struct ml_vevent *rec)
{
	struct pollfd p = { .fd = veventq_fd, .events = POLLIN };

	if (poll(&p, 1, REQUEST_S * 1000) != 1 ||
	    read(veventq_fd, rec, sizeof(*rec)) != sizeof(*rec)) {
		printf("# no record on the vEVENTQ within %d s\n", REQUEST_S);
		return false;
	}
	return true;
}

/* @rec is an event of StreamID @vsid, numbered @seq, with @raw's words */
static bool vevent_is(const struct ml_vevent *rec, uint32_t vsid,
		      uint32_t seq, const __u64 *raw)
{
	bool ok = !rec->flags && rec->sequence == seq &&
		  EVT_SID(rec->evt[0]) == vsid &&
		  (uint32_t)rec->evt[0] == (uint32_t)raw[0] &&
		  !memcmp(&rec->evt[1], &raw[1], 3 * sizeof(raw[1]));

	if (!ok)
		printf("# wanted %#llx of StreamID %#x, number %u; got %#llx, flags %#x, %u\n",
		       (unsigned long long)raw[0], vsid, seq,
		       (unsigned long long)rec->evt[0], rec->flags,
		       rec->sequence);
	return ok;
}

/*
 * Device events -> the guest's vEVENTQ records: the guest's StreamID in
 * the event, numbered as mainline numbers them, an overflow a record
 * with the lost-events flag whose number is the last lost event's
 */
static void test_events(void)
{
	struct iommu_device_event ev = {
		.dev_id = dev_a, .type = F_TRANSLATION,
		.raw = { F_TRANSLATION, 0x1234, 0x8000, 0 },
	}, lost = {
		.dev_id = dev_b, .flags = IOMMU_DEVICE_EVENT_OVERFLOW,
		.lost = 3,
	};
	int flags = fake_kernel_queue_flags(IOMMUFD, dev_a);
	struct ml_vevent rec;
	bool ok;

	/* The forwarder reads holding the adapter's lock: never blocking */
	ok = flags >= 0 && (flags & O_NONBLOCK);
	if (!ok)
		printf("# the device event queue is read blocking (flags %#x)\n",
		       flags);
	ok &= veventq_fd >= 0 && !fake_kernel_event(IOMMUFD, dev_a, &ev) &&
	      vevent(&rec) && vevent_is(&rec, 0x8, 0, ev.raw);
	ev.dev_id = dev_b;
	ev.raw[1] = 0x5678;
	ok &= !fake_kernel_event(IOMMUFD, dev_b, &lost) &&
	      !fake_kernel_event(IOMMUFD, dev_b, &ev) && vevent(&rec);
	ok &= rec.flags == ML_VEVENTQ_LOST && rec.sequence == 3;
	if (rec.flags != ML_VEVENTQ_LOST || rec.sequence != 3)
		printf("# wanted lost events up to number 3; got flags %#x, number %u\n",
		       rec.flags, rec.sequence);
	ok &= vevent(&rec) && vevent_is(&rec, 0x10, 4, ev.raw);
	result(ok,
	       "device events reach the vEVENTQ: the guest's StreamID, numbered as mainline's, lost events flagged");
}

/* What a vIOMMU still holds keeps it, as in mainline */
static void test_viommu_busy(void)
{
	const uint64_t tlbi[][2] = { { CMD(TLBI_NH_ALL, 0), 0 } };
	unsigned int before;
	uint32_t vi = 0, q = 0, hwpt = 0, num;
	struct outcome o;
	int fd = -1;
	bool ok;

	ok = done(viommu_alloc(ML_VIOMMU_SMMUV3, 0, 0, dev_a, &vi)) &&
	     done(veventq_alloc(vi, ML_VEVENTQ_SMMUV3, 0, &q, &fd));
	o = destroy(vi);
	ok &= refused(&o, EBUSY, "IOMMU_DESTROY", "still has a vEVENTQ");
	ok &= done(destroy(q));
	if (fd >= 0)
		close(fd);
	result(ok,
	       "IOMMU_DESTROY of a vIOMMU with a vEVENTQ (and nothing else): refused, said why");
	ok = done(nested_on(vi, dev_a, STE_ABORT, &hwpt));
	o = destroy(vi);
	ok &= refused(&o, EBUSY, "IOMMU_DESTROY", "still has nested HWPTs");
	ok &= done(destroy(hwpt));
	result(ok,
	       "IOMMU_DESTROY of a vIOMMU with a nested HWPT (and nothing else): refused, said why");
	/* Its TLB entries outlive the last nested HWPT: not dropped */
	before = fake_kernel_calls(IOMMU_HWPT_INVALIDATE);
	o = guest_on(vi, tlbi, 1, &num);
	ok = refused(&o, EIO,
		     "IOMMU_HWPT_INVALIDATE", "no nested HWPT to carry it") &&
	     num == 0 && kernel_left_alone(before);
	o = guest_on(vi, tlbi, 1, &num);
	ok &= refused_quietly(&o, EIO);
	ok &= done(destroy(vi));
	result(ok,
	       "IOMMU_HWPT_INVALIDATE of a TLBI on a vIOMMU with no nested HWPT left: EIO, said once");
}

static void test_other_refusals(void)
{
	struct ml_hw_queue_alloc q = {
		.size = sizeof(q), .viommu_id = viommu, .type = 1,
	};
	struct iommu_hw_info info = {
		.size = sizeof(info), .flags = ML_HW_INFO_INPUT_TYPE,
		.dev_id = dev_a, .out_data_type = IOMMU_HW_INFO_TYPE_INTEL_VTD,
	};
	unsigned int before;
	struct outcome o;

	o = destroy(0x40000000 + MAX_OBJS - 1);
	result(refused(&o, ENOENT,
		       "IOMMU_DESTROY", "none of the adapter's objects"),
	       "IOMMU_DESTROY of an adapter's ID that is free: refused, said why");
	o = destroy(viommu);
	result(refused(&o, EBUSY, "IOMMU_DESTROY", "still has vDEVICEs"),
	       "IOMMU_DESTROY of a vIOMMU with vDEVICEs: refused, said why");
	before = fake_kernel_calls(IOMMU_DESTROY);
	o = destroy(parent);
	result(refused(&o, EBUSY, "IOMMU_DESTROY", "the nest parent of") &&
	       fake_kernel_calls(IOMMU_DESTROY) == before,
	       "IOMMU_DESTROY of a live vIOMMU's nest parent: EBUSY (mainline's), said why");
	before = fake_kernel_calls(IOMMU_GET_HW_INFO);
	o = call(IOMMU_GET_HW_INFO, &info, IOMMUFD);
	result(refused(&o, EOPNOTSUPP,
		       "IOMMU_GET_HW_INFO", "type 1 asked for") &&
	       fake_kernel_calls(IOMMU_GET_HW_INFO) == before,
	       "IOMMU_GET_HW_INFO asking for another IOMMU's type: refused, said why");
	before = fake_kernel_calls(VFIO_DEVICE_ATTACH_IOMMUFD_PT);
	o = attach(101, viommu);
	result(refused(&o, EINVAL,
		       "VFIO_DEVICE_ATTACH_IOMMUFD_PT", "the adapter's vIOMMU") &&
	       fake_kernel_calls(VFIO_DEVICE_ATTACH_IOMMUFD_PT) == before,
	       "VFIO_DEVICE_ATTACH_IOMMUFD_PT to a vIOMMU: refused, said why");
	o = call(ML_HW_QUEUE_ALLOC, &q, IOMMUFD);
	result(refused(&o, EOPNOTSUPP,
		       "IOMMU_HW_QUEUE_ALLOC", "not carried out") &&
	       !fake_kernel_calls(ML_HW_QUEUE_ALLOC),
	       "IOMMU_HW_QUEUE_ALLOC (mainline's, unknown to this kernel): refused, said why");
}

/*
 * QEMU with an iommufd file per vfio-pci device: the second one's IDs
 * are its own, and made to be the first one's over again (the fake
 * numbers each file's IDs from 1): its device has dev_a's ID, an IOAS
 * of it abort_hwpt's.
 */
static void test_two_iommufds(void)
{
	const uint64_t cd[][2] = { { CMD(CFGI_CD_ALL, 0x8), 0 } };
	const uint64_t tlbi[][2] = { { CMD(TLBI_NH_ALL, 0), 0 } };
	uint32_t ioas_b, dev, parent_b, twin, vi, hwpt, vdev;
	unsigned int before;
	struct outcome o;
	bool ok;

	ifd = IOMMUFD_B;
	/* B's device has dev_a's ID, an IOAS of it abort_hwpt's */
	ioas_b = ioas_alloc();
	dev = bind(111);
	parent_b = parent_alloc(dev, ioas_b);
	twin = ioas_alloc();
	ok = same_id(dev, dev_a, true, "B's device and A's dev_a") &&
	     same_id(twin, abort_hwpt, true, "B's IOAS and A's abort HWPT");

	/* A's objects are no objects of B: mainline's answers for none */
	before = fake_kernel_calls(IOMMU_HWPT_INVALIDATE);
	o = vdevice_alloc(viommu, dev, 0x8, NULL);
	ok &= refused(&o, ENOENT, "IOMMU_VDEVICE_ALLOC", "no vIOMMU");
	o = nested_alloc(dev, STE_ABORT, NULL);
	ok &= refused(&o, EINVAL, "IOMMU_HWPT_ALLOC", "another iommufd");
	o = guest(cd, 1, NULL);
	ok &= refused(&o, ENOENT, "IOMMU_HWPT_INVALIDATE", "another iommufd");
	o = veventq_alloc(viommu, ML_VEVENTQ_SMMUV3, 0, NULL, NULL);
	ok &= refused(&o, ENOENT, "IOMMU_VEVENTQ_ALLOC", "no vIOMMU");
	o = destroy(viommu);
	ok &= refused(&o, ENOENT, "IOMMU_DESTROY", "none of the adapter's");
	o = viommu_on(ML_VIOMMU_SMMUV3, 0, 0, dev, viommu, NULL);
	ok &= refused(&o, ENOENT, "IOMMU_VIOMMU_ALLOC", "another iommufd");
	o = attach(111, viommu);
	ok &= refused(&o, ENOENT,
		      "VFIO_DEVICE_ATTACH_IOMMUFD_PT", "another iommufd");
	ok &= kernel_left_alone(before);
	result(ok,
	       "two iommufd files: the adapter's objects of one are none of the other's (ENOENT, EINVAL for IOMMU_HWPT_ALLOC, as mainline)");

	/* B's device's vDEVICE at dev_a's StreamID */
	ok = done(viommu_on(ML_VIOMMU_SMMUV3, 0, 0, dev, parent_b, &vi)) &&
	      done(nested_on(vi, dev, STE_BYPASS, &hwpt)) &&
	      same_id(hwpt, abort_hwpt, false, "B's nested HWPT and A's") &&
	      done(attach(111, hwpt)) &&
	      done(vdevice_alloc(vi, dev, 0x8, &vdev));
	before = fake_kernel_calls(IOMMU_HWPT_INVALIDATE);
	ok &= done(guest_on(vi, cd, 1, NULL)) &&
	      kernel_invalidated(before, hwpt);
	result(ok,
	       "two iommufd files: a device with another file's device ID gets its own VFIO record and HWPT");

	/* B's attach and destroy of IDs A uses too leave A's map alone */
	ok = done(destroy(twin));
	ifd = IOMMUFD;
	before = fake_kernel_calls(IOMMU_HWPT_INVALIDATE);
	ok &= done(guest(cd, 1, NULL)) &&
	      kernel_invalidated(before, abort_hwpt) &&
	      done(guest(tlbi, 1, NULL)) &&
	      kernel_invalidated(before + 1, abort_hwpt);
	result(ok,
	       "two iommufd files: an attach and a destroy on one leave the other's device map alone");

	ifd = IOMMUFD_B;
	ok = done(destroy(vdev)) && done(destroy(hwpt)) && done(destroy(vi));
	close(111);
	ifd = IOMMUFD;
	if (!ok)
		printf("# the second iommufd file's objects were not destroyed\n");
}

/*
 * The adapter's VFIO records: one goes with its file's close(), one of
 * a file closed unseen goes when its file number or device ID is bound
 * again, and one that names a destroyed HWPT forgets it (iommufd hands
 * out the IDs of destroyed objects and unbound devices again)
 */
static void test_vfio_records(void)
{
	const uint64_t cd40[][2] = { { CMD(CFGI_CD_ALL, 0x40), 0 } };
	const uint64_t cd48[][2] = { { CMD(CFGI_CD_ALL, 0x48), 0 } };
	uint32_t dev, old, h1, h2, vdev, id, fill[32];
	unsigned int before, i, n;
	struct outcome o;
	bool ok;

	/* Closed: no record */
	dev = bind(701);
	close(701);
	o = vdevice_alloc(viommu, dev, 0x40, NULL);
	ok = dev && refused(&o, ENOENT,
			    "IOMMU_VDEVICE_ALLOC", "not bound through VFIO");
	/* Closed unseen, its file number bound again (on another iommufd) */
	old = bind(703);
	fake_kernel_unbind(703);
	ifd = IOMMUFD_B;
	ok &= bind(703) != 0;
	ifd = IOMMUFD;
	o = vdevice_alloc(viommu, old, 0x40, NULL);
	ok &= old && refused(&o, ENOENT,
			     "IOMMU_VDEVICE_ALLOC", "not bound through VFIO");
	close(703);
	result(ok,
	       "a VFIO file's record goes with its close(), or with a new bind of its file number");

	/* Closed unseen, its device ID bound again: the new record counts */
	ok = done(nested_alloc(dev_a, STE_ABORT, &h1)) &&
	     done(nested_alloc(dev_a, STE_BYPASS, &h2));
	old = bind(705);
	ok &= done(attach(705, h1));
	fake_kernel_unbind(705);
	dev = bind(706);
	ok &= same_id(dev, old, true, "a device ID bound again") &&
	      done(attach(706, h2)) &&
	      done(vdevice_alloc(viommu, dev, 0x40, &vdev));
	before = fake_kernel_calls(IOMMU_HWPT_INVALIDATE);
	ok &= done(guest(cd40, 1, NULL)) && kernel_invalidated(before, h2);
	ok &= done(destroy(vdev));
	close(705);
	close(706);
	result(ok,
	       "a VFIO record of a device ID bound again through another file gives way to the new one");

	/* A record's HWPT destroyed, its ID handed out again */
	dev = bind(707);
	ok = done(attach(707, h1)) && done(destroy(h1));
	/* Every free ID below h1's taken, so that h1's is next */
	for (n = 0; n < ARRAY_SIZE(fill); n++) {
		fill[n] = ioas_alloc();
		if (!fill[n] || fill[n] >= h1)
			break;
	}
	ok &= n < ARRAY_SIZE(fill) && fill[n] == h1 && done(destroy(h1));
	ok &= done(nested_alloc(dev_a, STE_ABORT, &id)) &&
	      same_id(id, h1, true, "a destroyed HWPT's ID handed out again") &&
	      done(vdevice_alloc(viommu, dev, 0x48, &vdev));
	before = fake_kernel_calls(IOMMU_HWPT_INVALIDATE);
	ok &= done(guest(cd48, 1, NULL)) && kernel_left_alone(before);
	for (i = 0; i < n; i++)
		ok &= done(destroy(fill[i]));
	ok &= done(destroy(vdev)) && done(destroy(id)) && done(destroy(h2));
	close(707);
	result(ok,
	       "a VFIO record whose HWPT is destroyed forgets it: the HWPT's ID made again is not the device's");

	/* Hotplug: files bound and closed, one after another */
	for (i = 0; i < 3 * MAX_VFIO; i++) {
		if (!bind(800 + i))
			break;
		close(800 + i);
	}
	ok = i == 3 * MAX_VFIO;
	if (!ok)
		printf("# bind %u of a hotplugged device failed\n", i);
	result(ok,
	       "VFIO files bound and closed one after another (hotplug) never use up the adapter's records");
}

/* A guest's TLBI, which takes the adapter's lock, from a thread */
static void *tlbi_request(void *unused)
{
	const uint64_t tlbi[][2] = { { CMD(TLBI_NH_ALL, 0), 0 } };
	struct iommu_hwpt_invalidate inv = {
		.size = sizeof(inv), .hwpt_id = viommu,
		.data_uptr = (uintptr_t)tlbi,
		.data_type = ML_INVALIDATE_SMMUV3,
		.entry_len = sizeof(tlbi[0]), .entry_num = 1,
	};

	(void)unused;
	ioctl(IOMMUFD, IOMMU_HWPT_INVALIDATE, &inv);
	return NULL;
}

/*
 * A child QEMU forks (a helper, about to exec) closes what it inherited,
 * a VFIO file among it, while another thread held the adapter's lock at
 * the fork: in the child, that lock is never released
 */
static void test_fork(void)
{
	int status = -1;
	pthread_t thread;
	unsigned int i;
	pid_t pid = -1;
	bool started;

	fake_kernel_hold(IOMMU_HWPT_INVALIDATE);
	started = !pthread_create(&thread, NULL, tlbi_request, NULL);
	if (started) {
		fake_kernel_wait_held();
		fflush(stdout);
		pid = fork();
	}
	if (!pid) {
		close(101);
		_exit(0);
	}
	for (i = 0; pid > 0 && i < REQUEST_S * 100; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		usleep(10000);
	}
	if (pid > 0 && i == REQUEST_S * 100) {
		printf("# the child's close() waited %d s\n", REQUEST_S);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		status = -1;
	}
	fake_kernel_release();
	if (started)
		pthread_join(thread, NULL);
	result(pid > 0 && status == 0,
	       "a forked child's close() of a VFIO file does not wait for the adapter's lock, held at the fork");
}

/* A nested HWPT destroyed: TLBIs go to the one that is left */
static void test_destroyed_hwpt(void)
{
	const uint64_t tlbi[][2] = { { CMD(TLBI_NH_ALL, 0), 0 } };
	unsigned int before;
	bool ok;

	ok = done(attach(101, bypass_hwpt)) &&
	     done(destroy(abort_hwpt));
	before = fake_kernel_calls(IOMMU_HWPT_INVALIDATE);
	ok &= done(guest(tlbi, 1, NULL)) &&
	      kernel_invalidated(before, bypass_hwpt);
	result(ok,
	       "a nested HWPT destroyed: TLBIs go to the vIOMMU's next oldest");
}

/* Out of room: the adapter's objects, then its VFIO records */
static void test_full(void)
{
	struct vfio_device_bind_iommufd b = {
		.argsz = sizeof(b), .iommufd = IOMMUFD,
	};
	unsigned int n, i, before;
	uint32_t ids[MAX_OBJS];
	struct outcome o;
	bool ok;

	for (n = 0; n < MAX_OBJS; n++) {
		o = viommu_alloc(ML_VIOMMU_SMMUV3, 0, 0, dev_a, &ids[n]);
		if (o.ret)
			break;
	}
	ok = n < MAX_OBJS &&
	     refused(&o, ENOMEM, "IOMMU_VIOMMU_ALLOC", "holds 64 objects");
	for (i = 0; i < n; i++)
		ok &= done(destroy(ids[i]));
	result(ok,
	       "IOMMU_VIOMMU_ALLOC with all the adapter's objects taken: refused, said why");
	/* Binds until one is refused: three devices are bound already */
	for (n = 0; n <= MAX_VFIO; n++) {
		before = fake_kernel_calls(VFIO_DEVICE_BIND_IOMMUFD);
		o = call(VFIO_DEVICE_BIND_IOMMUFD, &b, 200 + n);
		if (o.ret)
			break;
	}
	result(n < MAX_VFIO &&
	       refused(&o, ENOMEM,
		       "VFIO_DEVICE_BIND_IOMMUFD", "keeps track of 64 devices") &&
	       fake_kernel_calls(VFIO_DEVICE_BIND_IOMMUFD) == before,
	       "VFIO_DEVICE_BIND_IOMMUFD with no room to record the device: refused before the kernel binds it, said why");
}

int main(void)
{
	static void (*const all[])(void) = {
		test_kvm_run, test_first_device, test_second_device,
		test_detached, test_pass_through, test_viommu_refusals,
		test_vdevice_refusals, test_hwpt_refusals,
		test_invalidate_refusals, test_veventq_refusals, test_events,
		test_viommu_busy, test_other_refusals, test_two_iommufds,
		test_vfio_records, test_fork, test_destroyed_hwpt, test_full,
	};
	unsigned int i;

	printf("TAP version 13\n1..%u\n", TESTS);
	fflush(stdout);
	signal(SIGALRM, watchdog);
	alarm(WATCHDOG_S);
	for (i = 0; i < ARRAY_SIZE(all); i++)
		all[i]();
	alarm(0);
	if (tests != TESTS)
		printf("# %u results, wanted %u\n", tests, TESTS);
	return failed || tests != TESTS ? 1 : 0;
}
