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
 */
#include <signal.h>
#include <sys/wait.h>

#include "smmuv3_inv_stats.h"
#include "vfio_edu.h"

#define QEMU		"/usr/bin/qemu-system-aarch64"
#define ADAPTER		"/usr/lib/libvsmmu-adapter.so"
#define QEMU_ERR	"/tmp/qemu.err"
#define UEFI		"/usr/share/qemu-efi-aarch64/QEMU_EFI.fd"
/* The start of the adapter's line at exit */
#define ADAPTER_COUNTERS \
	"vsmmu-adapter: nested HWPTs %lu, STEs refused %lu, generic entries %lu"
#define ADAPTER_EVENTS \
	"vsmmu-adapter: nested events to the guest %lu, lost %lu"

static unsigned int tests, failed;

static void check(bool ok, const char *what, unsigned long n)
{
	printf("%s %u - %s: %lu\n", ok ? "ok" : "not ok", ++tests, what, n);
	failed += !ok;
}

/* Run QEMU; its stderr (the adapter's counters among it) to QEMU_ERR */
static int run_qemu(const char *bdf)
{
	static char host[64];
	static char *const argv[] = {
		QEMU, "-accel", "kvm", "-M", "virt,gic-version=3", "-cpu", "host",
		"-smp", "2", "-m", "512M", "-nographic", "-monitor", "none",
		"-serial", "stdio", "-nic", "none",
		"-object", "iommufd,id=ifd0",
		"-device", "arm-smmuv3,primary-bus=pcie.0,id=vsmmu0,accel=on",
		"-device", host,
		"-bios", UEFI, "-kernel", "/l2/Image",
		"-initrd", "/l2/initramfs.cpio",
		"-append", "console=ttyAMA0 panic=-1 testbed.mode=kunit",
		NULL,
	};
	int status = 0, fd;
	pid_t pid;

	snprintf(host, sizeof(host), "vfio-pci,host=%s,iommufd=ifd0", bdf);
	pid = fork();
	if (pid == 0) {
		fd = open(QEMU_ERR, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0)
			dup2(fd, STDERR_FILENO);
		setenv("LD_PRELOAD", ADAPTER, 1);
		execv(QEMU, argv);
		perror("exec " QEMU);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(void)
{
	char bdfs[EDU_MAX_DEVICES][16], line[512];
	unsigned long nested = 0, refused = ~0UL, entries = 0, events = 0;
	unsigned long lost = 0;
	uint64_t ioctls0 = smmuv3_inv_stat("ioctls");
	uint64_t entries0 = smmuv3_inv_stat("entries");
	FILE *err;
	int rc;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (edu_list(bdfs, EDU_MAX_DEVICES) < 1) {
		printf("TESTBED: BEGIN vmm_host\n1..1\n");
		printf("not ok 1 - no edu device in L1\n");
		printf("TESTBED: END vmm_host rc=1\n");
		return 1;
	}
	rc = run_qemu(bdfs[0]);

	printf("TESTBED: BEGIN vmm_host\n");
	err = fopen(QEMU_ERR, "r");
	while (err && fgets(line, sizeof(line), err)) {
		printf("# qemu: %s", line);
		if (sscanf(line, ADAPTER_COUNTERS, &nested, &refused,
			   &entries) != 3 &&
		    sscanf(line, ADAPTER_EVENTS, &events, &lost) != 2)
			continue;
	}
	if (err)
		fclose(err);
	printf("1..6\n");
	check(rc == 0, "QEMU 11 ran L2 and exited with status", rc);
	check(nested > 0, "nested HWPTs the adapter made of guest STEs",
	      nested);
	/* An unmodified guest's STEs are all valid: none may be refused */
	check(refused == 0, "guest STEs the adapter refused (0 expected)",
	      refused);
	check(entries > 0, "generic entries the adapter made of guest commands",
	      entries);
	check(smmuv3_inv_stat("entries") - entries0 >= entries &&
	      smmuv3_inv_stat("ioctls") > ioctls0,
	      "entries this kernel carried out (debugfs)",
	      smmuv3_inv_stat("entries") - entries0);
	check(events == 1 && !lost,
	      "nested events passed to QEMU's virtual event queue (1 expected)",
	      events);
	printf("TESTBED: END vmm_host rc=%d\n", failed ? 1 : 0);
	return failed ? 1 : 0;
}
