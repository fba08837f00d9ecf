// SPDX-License-Identifier: GPL-2.0
/*
 * /init of the test bed's initramfs.
 *
 * Mounts what the tests need, hands every edu device to vfio-pci, then
 * does what "testbed.mode=" on the kernel command line asks:
 *   test  - print the KUnit results kept in debugfs, run every program in
 *           /tests with a time limit, then (debug kernel) list what
 *           kmemleak finds;
 *   run   - run /bin/demo;
 *   bench - run /bin/bench;
 *   vmm   - run /bin/vmm-host, the L1 host of the three-level test bed,
 *           which frames its own sections and L2's;
 *   kunit - only print the KUnit results (the three-level test bed's L2).
 * With "testbed.gcov=1" (make coverage), test mode then prints the gcov
 * data of the kernel (debugfs gcov/) as base64 between "GCOV-FILE" and
 * "GCOV-END" lines, for testbed/coverage.sh to take out of the log.
 * Each section of output is framed by "TESTBED: BEGIN name" and
 * "TESTBED: END name rc=N" lines that testbed/report.py parses. After each
 * section come the kernel messages too quiet for the console, as "kmsg: "
 * lines, so the report sees every SMMU event the driver logged. Last comes
 * "TESTBED: DONE <mode>", then the guest powers off, which ends QEMU.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest_param.h"

#define EDU_VENDOR	0x1234
#define EDU_DEVICE	0x11e8
#define NVME_CLASS	0x010802
#define TEST_TIMEOUT_S	600

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

static void mount_one(const char *src, const char *dst, const char *type)
{
	mkdir(dst, 0755);
	if (mount(src, dst, type, 0, NULL))
		say("init: mount %s on %s: %s\n", type, dst, strerror(errno));
}

static int write_file(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

/* The text of @path, NUL-terminated, at most @len - 1 bytes; its length */
static size_t read_text(const char *path, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd >= 0) {
		while (got < len - 1 &&
		       (n = read(fd, buf + got, len - 1 - got)) > 0)
			got += n;
		close(fd);
	}
	buf[got] = 0;
	return got;
}

static unsigned long read_hex(const char *path)
{
	char buf[32];

	read_text(path, buf, sizeof(buf));
	return strtoul(buf, NULL, 16);
}

/*
 * Load /lib/modules/@name with the "module.param=value" words of the
 * kernel command line for it, as modprobe would pass them.
 */
static void load_module(const char *name)
{
	char path[512], cmdline[1024], args[1024] = "", prefix[64];
	char *word, *save;
	int fd;

	snprintf(prefix, sizeof(prefix), "%.*s.", (int)strcspn(name, "."),
		 name);
	read_text("/proc/cmdline", cmdline, sizeof(cmdline));
	for (word = strtok_r(cmdline, "\n ", &save); word;
	     word = strtok_r(NULL, "\n ", &save)) {
		if (!strncmp(word, prefix, strlen(prefix)))
			snprintf(args + strlen(args), sizeof(args) - strlen(args),
				 "%s ", word + strlen(prefix));
	}
	snprintf(path, sizeof(path), "/lib/modules/%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0 || syscall(SYS_finit_module, fd, args, 0))
		say("init: loading %s: %s\n", name, strerror(errno));
	if (fd >= 0)
		close(fd);
}

/*
 * A modular kernel's modules: the SMMU driver first, then the rest (its
 * KUnit tests, which run as they load).
 */
static void load_modules(void)
{
	struct dirent **names;
	int i, n = scandir("/lib/modules", &names, NULL, alphasort);

	if (n <= 0)
		return;
	load_module("arm_smmu_v3.ko");
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.' &&
		    strcmp(names[i]->d_name, "arm_smmu_v3.ko"))
			load_module(names[i]->d_name);
		free(names[i]);
	}
	free(names);
}

/*
 * Write to test hook @hook of the first SMMU that has it
 * (CONFIG_ARM_SMMU_V3_NESTED_TEST_HOOKS): an illegal command on its queue,
 * or a lock-order inversion for lockdep to see.
 */
static void poke_test_hook(const char *hook)
{
	const char *hooks = "/sys/kernel/debug/arm-smmu-v3-nested";
	struct dirent *de;
	char path[512];
	DIR *dir = opendir(hooks);

	while (dir && (de = readdir(dir))) {
		snprintf(path, sizeof(path), "%s/%s/%s", hooks, de->d_name,
			 hook);
		if (!write_file(path, "1"))
			break;
	}
	if (dir)
		closedir(dir);
}

/*
 * Give every edu device to vfio-pci so tests find it as a VFIO cdev, and
 * the NVMe drive of the three-level bed's L0 (make vmm), which L1 passes
 * through to L2.
 */
static void bind_to_vfio(void)
{
	const char *pci = "/sys/bus/pci/devices";
	unsigned long vendor, device;
	struct dirent *de;
	char path[512];
	DIR *dir = opendir(pci);

	if (!dir)
		return;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/vendor", pci, de->d_name);
		vendor = read_hex(path);
		snprintf(path, sizeof(path), "%s/%s/device", pci, de->d_name);
		device = read_hex(path);
		snprintf(path, sizeof(path), "%s/%s/class", pci, de->d_name);
		if ((vendor != EDU_VENDOR || device != EDU_DEVICE) &&
		    read_hex(path) != NVME_CLASS)
			continue;
		snprintf(path, sizeof(path), "%s/%s/driver_override", pci,
			 de->d_name);
		write_file(path, "vfio-pci");
		if (write_file("/sys/bus/pci/drivers_probe", de->d_name))
			say("init: binding %s to vfio-pci failed\n", de->d_name);
	}
	closedir(dir);
}

static int kmsg_fd = -1;

/*
 * The kernel log records logged since the last call at a level the
 * console hides (notice, info, debug): one "kmsg: " line each. Louder
 * ones are on the console already.
 */
static void print_quiet_kmsg(void)
{
	char rec[4096], *text;
	ssize_t n;

	while (kmsg_fd >= 0) {
		n = read(kmsg_fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE) {
			say("kmsg: records lost before they were read\n");
			continue;
		}
		if (n <= 0)
			break;
		rec[n] = 0;
		/* "prio,seq,usec,flags;text\n", then key=value lines */
		text = strchr(rec, ';');
		if (text && (atoi(rec) & 7) >= 5)
			say("kmsg: %.*s\n", (int)strcspn(text + 1, "\n"),
			    text + 1);
	}
}

/* Print a KUnit suite's results; did the suite fail (or print nothing)? */
static int print_kunit_suite(const char *path)
{
	static char buf[1 << 20];
	size_t len = read_text(path, buf, sizeof(buf));

	fwrite(buf, 1, len, stdout);
	fflush(stdout);
	return !len || !strncmp(buf, "not ok ", 7) || strstr(buf, "\nnot ok ");
}

/*
 * The KUnit results kept in debugfs as section @name; rc = the number of
 * failed suites
 */
static void print_kunit_results(const char *name)
{
	const char *root = "/sys/kernel/debug/kunit";
	struct dirent **names;
	char path[512];
	int i, n, failed = 0;

	say("TESTBED: BEGIN %s\n", name);
	n = scandir(root, &names, NULL, alphasort);
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s/results", root,
				 names[i]->d_name);
			failed += print_kunit_suite(path);
		}
		free(names[i]);
	}
	if (n > 0)
		free(names);
	say("TESTBED: END %s rc=%d\n", name, n > 0 ? failed : 1);
	print_quiet_kmsg();
}

static pid_t child;

static void on_alarm(int sig)
{
	(void)sig;
	if (child > 0)
		kill(-child, SIGKILL);
}

/*
 * Run one program in its own process group, killed after TEST_TIMEOUT_S,
 * framed as section @name (NULL: the program frames its own).
 */
static void run_program(const char *name, const char *path)
{
	int status = 0;

	if (name)
		say("TESTBED: BEGIN %s\n", name);
	child = fork();
	if (child == 0) {
		setpgid(0, 0);
		execl(path, path, (char *)NULL);
		say("init: exec %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	signal(SIGALRM, on_alarm);
	alarm(TEST_TIMEOUT_S);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	alarm(0);
	child = 0;
	if (!name)
		say("init: %s ended with status %#x\n", path, status);
	else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		say("TESTBED: END %s timeout\n", name);
	else if (WIFSIGNALED(status))
		say("TESTBED: END %s signal=%d\n", name, WTERMSIG(status));
	else
		say("TESTBED: END %s rc=%d\n", name, WEXITSTATUS(status));
	print_quiet_kmsg();
}

/*
 * A debug kernel's kmemleak (CONFIG_DEBUG_KMEMLEAK), once every test is
 * done: two scans, after objects are old enough to be reported (5 s), and
 * every object nothing points to, as TAP. No kmemleak: no section.
 */
static void report_leaks(void)
{
	const char *kmemleak = "/sys/kernel/debug/kmemleak";
	static char buf[1 << 20];
	char *line, *save;
	int leaks = 0, ret;

	if (access(kmemleak, F_OK))
		return;
	say("TESTBED: BEGIN kmemleak\n1..1\n");
	sleep(6);
	ret = write_file(kmemleak, "scan");
	if (!ret)
		ret = write_file(kmemleak, "scan");
	if (ret)
		say("# kmemleak scan failed: %s\n", strerror(-ret));
	read_text(kmemleak, buf, sizeof(buf));
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		say("# %s\n", line);
		leaks += !strncmp(line, "unreferenced object", 19);
	}
	/* A kmemleak that could not scan proves nothing: that fails too */
	say("%sok 1 no_leaks # %d unreferenced objects%s\n",
	    leaks || ret ? "not " : "", leaks, ret ? ", no scan" : "");
	say("TESTBED: END kmemleak rc=%d\n", leaks || ret ? 1 : 0);
	print_quiet_kmsg();
}

static void run_tests(void)
{
	struct dirent **names;
	char path[512];
	int i, n;

	print_kunit_results("kunit");
	n = scandir("/tests", &names, NULL, alphasort);
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), "/tests/%s",
				 names[i]->d_name);
			run_program(names[i]->d_name, path);
		}
		free(names[i]);
	}
	if (n > 0)
		free(names);
	report_leaks();
}

/* Print @len bytes of @data as base64, 64 characters a line */
static void print_base64(const unsigned char *data, size_t len)
{
	static const char digits[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char line[68];
	size_t i, n = 0;
	unsigned int v;

	for (i = 0; i < len; i += 3) {
		v = data[i] << 16;
		if (i + 1 < len)
			v |= data[i + 1] << 8;
		if (i + 2 < len)
			v |= data[i + 2];
		line[n++] = digits[v >> 18];
		line[n++] = digits[(v >> 12) & 63];
		line[n++] = i + 1 < len ? digits[(v >> 6) & 63] : '=';
		line[n++] = i + 2 < len ? digits[v & 63] : '=';
		if (n == 64 || i + 3 >= len) {
			line[n] = 0;
			say("%s\n", line);
			n = 0;
		}
	}
}

/* One .gcda file of debugfs gcov/ onto the console */
static int print_gcda(const char *path, const struct stat *st, int type,
		      struct FTW *ftw)
{
	static unsigned char buf[1 << 20];
	const char *root = "/sys/kernel/debug/gcov";
	size_t len = strlen(path);
	ssize_t n, got = 0;
	int fd;

	(void)st;
	(void)ftw;
	if (type != FTW_F || len < 5 || strcmp(path + len - 5, ".gcda"))
		return 0;
	fd = open(path, O_RDONLY);
	while (fd >= 0 && got < (ssize_t)sizeof(buf) &&
	       (n = read(fd, buf + got, sizeof(buf) - got)) > 0)
		got += n;
	if (fd >= 0)
		close(fd);
	say("GCOV-FILE %s %zd\n", path + strlen(root), got);
	print_base64(buf, got);
	say("GCOV-END %s\n", path + strlen(root));
	return 0;
}

/* Value of "testbed.<key>=" on the kernel command line, or @def. */
int main(void)
{
	char mode[16], inject[32], gcov[4], taint[24];

	mount_one("proc", "/proc", "proc");
	mount_one("sysfs", "/sys", "sysfs");
	mount_one("devtmpfs", "/dev", "devtmpfs");
	mount_one("debugfs", "/sys/kernel/debug", "debugfs");
	mount_one("tmpfs", "/tmp", "tmpfs");
	setenv("PATH", "/bin", 1);

	/*
	 * Warnings and worse still reach the console; chatter does not, but
	 * print_quiet_kmsg() shows it after each section.
	 */
	write_file("/proc/sys/kernel/printk", "5");
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg_fd < 0)
		say("init: /dev/kmsg: %s\n", strerror(errno));
	else
		lseek(kmsg_fd, 0, SEEK_END);
	/* Fault injection: no stack dump for every injected failure. */
	write_file("/sys/kernel/debug/failslab/verbose", "0");
	write_file("/sys/kernel/debug/fail_page_alloc/verbose", "0");

	/* The iommufd selftests' huge page variants map up to 128 MiB. */
	write_file("/proc/sys/vm/nr_hugepages", "80");

	load_modules();
	bind_to_vfio();
	guest_param("mode", "test", mode, sizeof(mode));
	/*
	 * `make selfcheck` proves that a kernel WARNING, an SMMU command
	 * queue error and (on the debug kernel) a lock-order inversion fail
	 * the run.
	 */
	guest_param("inject", "", inject, sizeof(inject));
	if (!strcmp(inject, "warn"))
		write_file("/sys/kernel/debug/provoke-crash/DIRECT", "WARNING");
	if (!strcmp(inject, "illegal-command"))
		poke_test_hook("illegal_command");
	if (!strcmp(inject, "lock-inversion"))
		poke_test_hook("lock_inversion");
	if (!strcmp(mode, "run")) {
		run_program("demo", "/bin/demo");
	} else if (!strcmp(mode, "bench")) {
		run_program("bench", "/bin/bench");
	} else if (!strcmp(mode, "vmm")) {
		/* L1's own suites; L2's come as "kunit" through vmm-host */
		print_kunit_results("L1:kunit");
		run_program(NULL, "/bin/vmm-host");
	} else if (!strcmp(mode, "kunit")) {
		print_kunit_results("kunit");
	} else {
		run_tests();
	}
	guest_param("gcov", "0", gcov, sizeof(gcov));
	if (!strcmp(gcov, "1") &&
	    nftw("/sys/kernel/debug/gcov", print_gcda, 16, FTW_PHYS))
		say("init: gcov data: %s\n", strerror(errno));

	print_quiet_kmsg();
	/*
	 * What the kernel noted about itself (a WARN, an oops, a bad page,
	 * a lockup...), even where its message was lost: the report allows
	 * only the opt-in's and KUnit's taints
	 */
	read_text("/proc/sys/kernel/tainted", taint, sizeof(taint));
	say("TESTBED: TAINTED %lu\n", strtoul(taint, NULL, 10));
	/* Each level's own end mark: a vmm log holds L2's and L1's */
	say("TESTBED: DONE %s\n", mode);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
