// SPDX-License-Identifier: GPL-2.0
/*
 * The L1 host of the three-level test bed (testbed.mode=vmm): run Debian's
 * unmodified qemu-system-aarch64 11 with KVM, an accelerated virtual
 * SMMUv3 and the first edu device passed through, the adapter library
 * preloaded, L2 booted by UEFI (QEMU describes that SMMU in ACPI only).
 * L2, an unmodified guest kernel, runs its KUnit suites at boot, among them
 * arm-smmu-v3-edu-dma: the DMA API with the edu device through L2's own
 * SMMU driver, so through a nested HWPT here; its /init prints them. Then
 * say, as section "vmm_host", what reached this kernel: nested HWPTs the
 * adapter made of guest STEs and generic invalidations made of guest
 * commands; and what went back: the nested events (the one fault L2's
 * suite provokes) the adapter passed from this kernel's device event
 * queue to QEMU's virtual event queue, none lost.
 *
 * Then the NVMe runs ("testbed.nvme=test", the default, or "bench"): the
 * NVMe drive L0 emulates, passed through to L2 = Debian 13's stock kernel
 * with testbed/guest/nvme_guest.c as /init, which frames its own section
 * (data written and verified; throughput as "# bench:" lines). Test runs:
 * the nested vSMMU in strict and in lazy mode. Bench runs add the same
 * workload with no virtual IOMMU and with QEMU's virtio-iommu. After
 * each, section "vmm_host-<run>" says what QEMU and the adapter reported
 * and how many invalidation entries this kernel carried out; a nested
 * run's drive raises no event.
 */
#include <signal.h>
#include <sys/wait.h>

#include "smmuv3_inv_stats.h"
#include "vfio_edu.h"
#include "guest_param.h"

#define QEMU		"/usr/bin/qemu-system-aarch64"
#define ADAPTER		"/usr/lib/libvsmmu-adapter.so"
#define QEMU_ERR	"/tmp/qemu.err"
#define UEFI		"/usr/share/qemu-efi-aarch64/QEMU_EFI.fd"
#define NVME_CLASS	0x010802
/* The start of the adapter's line at exit */
#define ADAPTER_COUNTERS \
	"vsmmu-adapter: nested HWPTs %lu, STEs refused %lu, generic entries %lu"
#define ADAPTER_EVENTS \
	"vsmmu-adapter: nested events to the guest %lu, lost %lu"

static unsigned int tests, failed;
/* make selfcheck: " testbed.inject=..." for the stock L2, or "" */
static char inject[64];

static void check(bool ok, const char *what, unsigned long n)
{
	printf("%s %u - %s: %lu\n", ok ? "ok" : "not ok", ++tests, what, n);
	failed += !ok;
}

/* One run of QEMU: which L2, which virtual IOMMU */
struct run {
	const char *label;	/* L2's section; L1's is "vmm_host-<label>" */
	const char *iommu;	/* "smmu3" (nested), "virtio" or "none" */
	const char *domain;	/* the group type L2 must see */
	/* L2's iommu.strict=, or "" for Debian's default (strict) */
	const char *strict;
};

/* What QEMU's stderr (the adapter's lines among it) said */
struct said {
	unsigned long nested, refused, entries, events, lost;
};

/*
 * Run QEMU with the device at bdf passed through (edu: our own kernel's
 * KUnit run; otherwise the NVMe drive to the stock kernel); its stderr to
 * QEMU_ERR.
 */
static int run_qemu(const char *bdf, const struct run *run, const char *mib,
		    bool bench)
{
	char host[64], append[512], strict[32] = "";
	const char *argv[48] = {
		QEMU, "-accel", "kvm", "-M", "virt,gic-version=3", "-cpu", "host",
		"-smp", "2", "-m", "512M", "-nographic", "-monitor", "none",
		"-serial", "stdio", "-nic", "none", "-no-reboot",
		"-object", "iommufd,id=ifd0", "-bios", UEFI,
	};
	int argc = 23, status = 0, fd;
	bool nested = !run || !strcmp(run->iommu, "smmu3");
	pid_t pid;

	snprintf(host, sizeof(host), "vfio-pci,host=%s,iommufd=ifd0", bdf);
	if (nested) {
		argv[argc++] = "-device";
		argv[argc++] = "arm-smmuv3,primary-bus=pcie.0,id=vsmmu0,accel=on";
	} else if (!strcmp(run->iommu, "virtio")) {
		argv[argc++] = "-device";
		argv[argc++] = "virtio-iommu-pci";
	}
	argv[argc++] = "-device";
	argv[argc++] = host;
	argv[argc++] = "-kernel";
	argv[argc++] = run ? "/l2/stock-Image" : "/l2/Image";
	argv[argc++] = "-initrd";
	argv[argc++] = run ? "/l2/stock-initramfs.cpio" : "/l2/initramfs.cpio";
	if (run && run->strict[0])
		snprintf(strict, sizeof(strict), "iommu.strict=%s ",
			 run->strict);
	if (run)
		snprintf(append, sizeof(append),
			 "console=ttyAMA0 panic=-1 %stestbed.label=%s testbed.iommu=%s testbed.domain=%s testbed.mib=%s testbed.bench=%d%s",
			 strict, run->label, run->iommu, run->domain, mib,
			 bench, inject);
	else
		snprintf(append, sizeof(append),
			 "console=ttyAMA0 panic=-1 testbed.mode=kunit");
	argv[argc++] = "-append";
	argv[argc++] = append;
	argv[argc] = NULL;

	pid = fork();
	if (pid == 0) {
		fd = open(QEMU_ERR, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0)
			dup2(fd, STDERR_FILENO);
		/* The comparison runs are what VMMs do today: no adapter */
		if (nested)
			setenv("LD_PRELOAD", ADAPTER, 1);
		execv(QEMU, (char *const *)argv);
		perror("exec " QEMU);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Print QEMU's stderr as comments and take the adapter's counters */
static struct said read_qemu_err(void)
{
	struct said s = { .refused = ~0UL };
	char line[512];
	FILE *err = fopen(QEMU_ERR, "r");

	while (err && fgets(line, sizeof(line), err)) {
		printf("# qemu: %s", line);
		if (sscanf(line, ADAPTER_COUNTERS, &s.nested, &s.refused,
			   &s.entries) != 3)
			sscanf(line, ADAPTER_EVENTS, &s.events, &s.lost);
	}
	if (err)
		fclose(err);
	return s;
}

/* The first PCI device of this class, at bdf */
static bool find_pci(unsigned int class, char *bdf, size_t size)
{
	const char *pci = "/sys/bus/pci/devices";
	char path[512], value[32];
	struct dirent *de;
	DIR *dir = opendir(pci);
	bool found = false;
	FILE *f;

	while (dir && !found && (de = readdir(dir))) {
		snprintf(path, sizeof(path), "%s/%s/class", pci, de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(value, sizeof(value), f) &&
		    strtoul(value, NULL, 16) == class) {
			snprintf(bdf, size, "%.31s", de->d_name);
			found = true;
		}
		fclose(f);
	}
	if (dir)
		closedir(dir);
	return found;
}

/* The edu run: our kernel as L2, its KUnit suites through the vSMMU */
static void edu_run(void)
{
	char bdfs[EDU_MAX_DEVICES][16];
	uint64_t ioctls0 = smmuv3_inv_stat("ioctls");
	uint64_t entries0 = smmuv3_inv_stat("entries");
	struct said s;
	int rc;

	tests = 0;
	failed = 0;
	if (edu_list(bdfs, EDU_MAX_DEVICES) < 1) {
		printf("TESTBED: BEGIN vmm_host\n1..1\n");
		printf("not ok 1 - no edu device in L1\n");
		printf("TESTBED: END vmm_host rc=1\n");
		return;
	}
	rc = run_qemu(bdfs[0], NULL, NULL, false);

	printf("TESTBED: BEGIN vmm_host\n");
	s = read_qemu_err();
	printf("1..6\n");
	check(rc == 0, "QEMU 11 ran L2 and exited with status", rc);
	check(s.nested > 0, "nested HWPTs the adapter made of guest STEs",
	      s.nested);
	/* An unmodified guest's STEs are all valid: none may be refused */
	check(s.refused == 0, "guest STEs the adapter refused (0 expected)",
	      s.refused);
	check(s.entries > 0,
	      "generic entries the adapter made of guest commands", s.entries);
	check(smmuv3_inv_stat("entries") - entries0 >= s.entries &&
	      smmuv3_inv_stat("ioctls") > ioctls0,
	      "entries this kernel carried out (debugfs)",
	      smmuv3_inv_stat("entries") - entries0);
	check(s.events == 1 && !s.lost,
	      "nested events passed to QEMU's virtual event queue (1 expected)",
	      s.events);
	printf("TESTBED: END vmm_host rc=%d\n", failed ? 1 : 0);
}

/* One NVMe run; L2 frames its own section, this is L1's account */
static void nvme_run(const char *bdf, const struct run *run, const char *mib,
		     bool bench)
{
	struct smmuv3_inv_stats k0 = smmuv3_inv_stats_read(), k1;
	bool nested = !strcmp(run->iommu, "smmu3");
	struct said s;
	int rc;

	tests = 0;
	failed = 0;
	rc = run_qemu(bdf, run, mib, bench);
	k1 = smmuv3_inv_stats_read();
	printf("TESTBED: BEGIN vmm_host-%s\n", run->label);
	s = read_qemu_err();
	/* For make bench: what this kernel carried out for the run */
	printf("# kernel: ioctls %llu entries %llu commands %llu syncs %llu\n",
	       (unsigned long long)(k1.ioctls - k0.ioctls),
	       (unsigned long long)(k1.entries - k0.entries),
	       (unsigned long long)(k1.commands - k0.commands),
	       (unsigned long long)(k1.syncs - k0.syncs));
	printf("1..%d\n", nested ? 5 : 1);
	check(rc == 0, "QEMU 11 ran the stock L2 and exited with status", rc);
	if (!nested)
		goto out;
	check(s.nested > 0 && s.refused == 0,
	      "nested HWPTs the adapter made of guest STEs, none refused",
	      s.nested);
	check(s.entries > 0,
	      "generic entries the adapter made of guest commands", s.entries);
	check(k1.entries - k0.entries >= s.entries,
	      "entries this kernel carried out (debugfs)",
	      k1.entries - k0.entries);
	/* The drive does nothing wrong: any event is a failure */
	check(s.events == 0 && s.lost == 0,
	      "nested events (0 expected, lost 0)", s.events + s.lost);
out:
	printf("TESTBED: END vmm_host-%s rc=%d\n", run->label, failed ? 1 : 0);
}

int main(void)
{
	static const struct run test_runs[] = {
		{ "nvme-strict", "smmu3", "DMA", "" },
		{ "nvme-lazy", "smmu3", "DMA-FQ", "0" },
	};
	/* make bench: what VMMs run today, then ours */
	static const struct run bench_runs[] = {
		{ "nvme-none", "none", "none", "" },
		{ "nvme-virtio", "virtio", "DMA", "" },
		{ "nvme-lazy", "smmu3", "DMA-FQ", "0" },
		{ "nvme-strict", "smmu3", "DMA", "" },
	};
	const struct run *runs = test_runs;
	char nvme[16], mib[16], bdf[32];
	unsigned int i, n = 2;
	bool bench;

	setvbuf(stdout, NULL, _IONBF, 0);
	guest_param("nvme_mib", "16", mib, sizeof(mib));
	guest_param("nvme_inject", "", nvme, sizeof(nvme));
	if (nvme[0])
		snprintf(inject, sizeof(inject), " testbed.inject=%s", nvme);
	guest_param("nvme", "test", nvme, sizeof(nvme));
	bench = !strcmp(nvme, "bench");
	if (bench) {
		runs = bench_runs;
		n = 4;
	} else {
		edu_run();
	}
	if (!strcmp(nvme, "off"))
		return 0;
	if (!find_pci(NVME_CLASS, bdf, sizeof(bdf))) {
		printf("TESTBED: BEGIN vmm_host-nvme\n1..1\n");
		printf("not ok 1 - no NVMe drive in L1\n");
		printf("TESTBED: END vmm_host-nvme rc=1\n");
		return 1;
	}
	for (i = 0; i < n; i++)
		nvme_run(bdf, &runs[i], mib, bench);
	return 0;
}
