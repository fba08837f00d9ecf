// SPDX-License-Identifier: GPL-2.0
/*
 * The adapter (vmm/adapter), LD_PRELOADed as under QEMU, over fake_kvm.c,
 * a stand-in for the kernel.
 *
 * First, it must not make one of QEMU's threads wait for another's
 * KVM_RUN. The fake's KVM_RUN returns only when another KVM request
 * arrives: a vCPU thread enters KVM_RUN, then the main thread makes an
 * iommufd request and another vCPU's KVM request. An adapter that holds
 * its lock across every ioctl deadlocks here (as QEMU with -smp 2 did, at
 * the first secondary vCPU); a watchdog turns that into "not ok" instead
 * of a hang.
 *
 * Then QEMU's calls for the devices it meets, in QEMU 11's order: a
 * device's commands reach the nested HWPT the library's device map names
 * for it, a second vfio-pci device's too; calls that are not the
 * adapter's reach the kernel unchanged; and each call the adapter does
 * not carry out fails with mainline's errno (or the kernel's) and one
 * line "vsmmu-adapter: <request> ..." on stderr that says why, without
 * reaching the kernel when the adapter decides.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "fake_kvm.h"

#define KVMIO		0xAE
#define KVM_RUN		_IO(KVMIO, 0x80)
#define KVM_OTHER	_IO(KVMIO, 0x81)	/* another vCPU's request */
#define WATCHDOG_S	60

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

/* Guest STEs (word 0) and commands (IHI 0070: 5.2, 4.1.2) */
#define STE_ABORT	0x1ULL		/* V, Config abort */
#define STE_BYPASS	0x9ULL		/* V, Config bypass */
#define STE_INVALID	0x0ULL		/* V = 0 */
#define CMD(op, sid)	((uint64_t)(op) | (uint64_t)(sid) << 32)
#define CFGI_STE	0x03
#define CFGI_CD_ALL	0x06
#define TLBI_NH_ALL	0x10
#define CMD_SYNC	0x46

/* The fake kernel does not look at file numbers; VFIO device files do */
#define IOMMUFD		100
#define MAX_OBJS	64	/* the adapter's limits */
#define MAX_VFIO	64

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define TESTS		41	/* the results the test_*() below print */

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
		printf(
		       "# wanted -1 (%s) and \"%s...%s...\"; got %d (%s), said: %s%s",
		       strerrorname_np(err), head, why, o->ret,
		       o->err ? strerrorname_np(o->err) : "0", o->said,
		       nl ? "" : "\n");
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

static uint32_t bind(int fd)
{
	struct vfio_device_bind_iommufd b = {
		.argsz = sizeof(b), .iommufd = IOMMUFD,
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

static struct outcome viommu_alloc(uint32_t type, uint32_t flags,
				   uint32_t data_len, uint32_t dev_id,
				   uint32_t *id)
{
	uint64_t data[2] = { 0, 0 };
	struct ml_viommu_alloc a = {
		.size = sizeof(a), .flags = flags, .type = type,
		.dev_id = dev_id, .hwpt_id = parent, .data_len = data_len,
		.data_uptr = (uintptr_t)data,
	};
	struct outcome o = call(ML_VIOMMU_ALLOC, &a, IOMMUFD);

	if (id)
		*id = a.out_viommu_id;
	return o;
}

static struct outcome vdevice_alloc(uint32_t vi, uint32_t dev_id,
				    uint64_t vsid, uint32_t *id)
{
	struct ml_vdevice_alloc a = {
		.size = sizeof(a), .viommu_id = vi, .dev_id = dev_id,
		.virt_id = vsid,
	};
	struct outcome o = call(ML_VDEVICE_ALLOC, &a, IOMMUFD);

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
	struct outcome o = call(IOMMU_HWPT_ALLOC, &a, IOMMUFD);

	if (id)
		*id = a.out_hwpt_id;
	return o;
}

static struct outcome nested_alloc(uint32_t dev_id, uint64_t ste0,
				   uint32_t *id)
{
	return hwpt_alloc(viommu, dev_id, ML_HWPT_SMMUV3, 16, ste0, id);
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
	struct outcome o = call(IOMMU_HWPT_INVALIDATE, &inv, IOMMUFD);

	if (num)
		*num = inv.entry_num;
	return o;
}

static struct outcome guest(const uint64_t (*cmd)[2], uint32_t n,
			    uint32_t *num)
{
	return commands(viommu, ML_INVALIDATE_SMMUV3, 16, cmd, n, num);
}

static struct outcome veventq_alloc(uint32_t vi, uint32_t type,
				    uint32_t flags, uint32_t *id)
{
	struct ml_veventq_alloc a = {
		.size = sizeof(a), .flags = flags, .viommu_id = vi,
		.type = type, .veventq_depth = 64,
	};
	struct outcome o = call(ML_VEVENTQ_ALLOC, &a, IOMMUFD);

	if (id)
		*id = a.out_veventq_id;
	return o;
}

static struct outcome destroy(uint32_t id)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = id };

	return call(IOMMU_DESTROY, &d, IOMMUFD);
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
		printf(
		       "# wanted one entry on HWPT %u; got %u, the last on %u\n",
		       hwpt, fake_kernel_calls(IOMMU_HWPT_INVALIDATE) - before,
		       k ? k->hwpt_id : 0);
	return ok;
}

static void *vcpu(void *unused)
{
	(void)unused;
	ioctl(-1, KVM_RUN, NULL);
	return NULL;
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
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	pthread_t thread;

	if (pthread_create(&thread, NULL, vcpu, NULL)) {
		result(false, "no thread for a vCPU");
		return;
	}
	fake_kvm_wait_running();
	/* Not the adapter's: straight through, answered by the fake */
	ioctl(-1, IOMMU_IOAS_ALLOC, &alloc);
	ioas = alloc.out_ioas_id;
	/* Another vCPU's request, which lets the first one out */
	ioctl(-1, KVM_OTHER, NULL);
	pthread_join(thread, NULL);
	result(true,
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
	struct iommu_hwpt_alloc pa = {
		.size = sizeof(pa), .flags = IOMMU_HWPT_ALLOC_NEST_PARENT,
		.pt_id = ioas,
	};
	const struct iommu_hwpt_alloc *k;
	unsigned int before;
	bool ok;

	dev_a = bind(101);
	pa.dev_id = dev_a;
	ok = dev_a && !ioctl(IOMMUFD, IOMMU_HWPT_ALLOC, &pa);
	parent = pa.out_hwpt_id;
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
	     done(guest(cd, 1, NULL)) &&
	     fake_kernel_calls(IOMMU_HWPT_INVALIDATE) == before;
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
}

static void test_vdevice_refusals(void)
{
	struct outcome o;

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
		       "IOMMU_VDEVICE_ALLOC", "has StreamID 0x8 already"),
	       "IOMMU_VDEVICE_ALLOC of a device a second time: refused, said why");
}

static void test_hwpt_refusals(void)
{
	unsigned int before = fake_kernel_calls(IOMMU_HWPT_ALLOC);
	struct outcome o;

	o = hwpt_alloc(viommu, dev_a, IOMMU_HWPT_DATA_VTD_S1, 16, STE_ABORT,
		       NULL);
	result(refused(&o, EOPNOTSUPP, "IOMMU_HWPT_ALLOC", "data type 1") &&
	       fake_kernel_calls(IOMMU_HWPT_ALLOC) == before,
	       "IOMMU_HWPT_ALLOC on the vIOMMU of another data type: refused, said why");
	o = hwpt_alloc(viommu, dev_a, ML_HWPT_SMMUV3, 8, STE_ABORT, NULL);
	result(refused(&o, EINVAL, "IOMMU_HWPT_ALLOC", "8 bytes of STE"),
	       "IOMMU_HWPT_ALLOC on the vIOMMU with half an STE: refused, said why");
	o = nested_alloc(dev_a, STE_INVALID, NULL);
	result(refused(&o, EIO, "IOMMU_HWPT_ALLOC", "is illegal") &&
	       fake_kernel_calls(IOMMU_HWPT_ALLOC) == before,
	       "IOMMU_HWPT_ALLOC of an illegal guest STE: EIO (mainline's), said why");
	o = nested_alloc(dev_a, STE_INVALID, NULL);
	result(o.ret == -1 && o.err == EIO && !o.said[0],
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
}

static void test_invalidate_refusals(void)
{
	const uint64_t sync_ste[][2] = {
		{ CMD(CMD_SYNC, 0), 0 }, { CMD(CFGI_STE, 0x8), 0 },
	};
	const uint64_t stray[][2] = { { CMD(CFGI_CD_ALL, 0x30), 0 } };
	const uint64_t cd[][2] = { { CMD(CFGI_CD_ALL, 0x8), 0 } };
	unsigned int before = fake_kernel_calls(IOMMU_HWPT_INVALIDATE);
	uint32_t num, vdev;
	struct outcome o;
	bool ok;

	o = commands(viommu, 2, 16, cd, 1, NULL);
	result(refused(&o, EOPNOTSUPP, "IOMMU_HWPT_INVALIDATE", "data type 2"),
	       "IOMMU_HWPT_INVALIDATE on the vIOMMU of another data type: refused, said why");
	o = commands(viommu, ML_INVALIDATE_SMMUV3, 8, cd, 1, NULL);
	result(refused(&o, EINVAL,
		       "IOMMU_HWPT_INVALIDATE", "entries of 8 bytes"),
	       "IOMMU_HWPT_INVALIDATE on the vIOMMU with short entries: refused, said why");
	o = guest(sync_ste, 2, &num);
	result(refused(&o, EIO,
		       "IOMMU_HWPT_INVALIDATE", "command 1 (opcode 0x03) is no invalidation") &&
	       num == 1,
	       "IOMMU_HWPT_INVALIDATE with a CFGI_STE (QEMU's own): EIO at it, said why");
	o = guest(stray, 1, &num);
	result(refused(&o, EIO,
		       "IOMMU_HWPT_INVALIDATE", "StreamID 0x30, which has no vDEVICE") &&
	       num == 0,
	       "IOMMU_HWPT_INVALIDATE for a StreamID without a vDEVICE: EIO, said why");
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
	       fake_kernel_calls(IOMMU_HWPT_INVALIDATE) == before,
	       "IOMMU_HWPT_INVALIDATE on a destroyed vDEVICE: refused, said why");
}

static void test_veventq_refusals(void)
{
	uint32_t vdev;
	struct outcome o;
	bool ok;

	o = veventq_alloc(viommu, ML_VEVENTQ_SMMUV3, 1, NULL);
	result(refused(&o, EOPNOTSUPP, "IOMMU_VEVENTQ_ALLOC", "flags 0x1"),
	       "IOMMU_VEVENTQ_ALLOC with flags: refused, said why");
	o = veventq_alloc(viommu, 2, 0, NULL);
	result(refused(&o, EOPNOTSUPP, "IOMMU_VEVENTQ_ALLOC", "event type 2"),
	       "IOMMU_VEVENTQ_ALLOC of another type (CMDQV's): refused, said why");
	o = veventq_alloc(0x1234, ML_VEVENTQ_SMMUV3, 0, NULL);
	result(refused(&o, ENOENT, "IOMMU_VEVENTQ_ALLOC", "no vIOMMU"),
	       "IOMMU_VEVENTQ_ALLOC on no vIOMMU of the adapter's: refused, said why");
	fake_kernel_refuse(IOMMU_DEVICE_EVENTQ_ALLOC, dev_b, ENODEV);
	o = veventq_alloc(viommu, ML_VEVENTQ_SMMUV3, 0, NULL);
	ok = refused(&o, ENODEV, "IOMMU_VEVENTQ_ALLOC", "refused device");
	/* Nothing of it left behind: the next one is made */
	ok &= done(veventq_alloc(viommu, ML_VEVENTQ_SMMUV3, 0, NULL));
	result(ok,
	       "IOMMU_VEVENTQ_ALLOC whose device queue the kernel refuses: the kernel's errno, said why, nothing left");
	o = veventq_alloc(viommu, ML_VEVENTQ_SMMUV3, 0, NULL);
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
		test_invalidate_refusals, test_veventq_refusals,
		test_other_refusals, test_destroyed_hwpt, test_full,
	};
	unsigned int i;

	printf("TAP version 13\n1..%u\n", TESTS);
	fflush(stdout);
	signal(SIGALRM, watchdog);
	alarm(WATCHDOG_S);
	for (i = 0; i < ARRAY_SIZE(all); i++)
		all[i]();
	alarm(0);
	return failed ? 1 : 0;
}
