// SPDX-License-Identifier: GPL-2.0
/*
 * /init of the three-level test bed's stock guest (L2): Debian 13's
 * unmodified arm64 kernel with its own nvme modules, an NVMe drive passed
 * through from L0 by L1's QEMU 11. One TAP section, named by
 * "testbed.label=", says:
 *  - the drive sits behind the IOMMU the run promises ("testbed.iommu=":
 *    smmu3 for the accelerated virtual SMMUv3, virtio for virtio-iommu,
 *    none) in the domain type it promises ("testbed.domain=": DMA is
 *    strict, DMA-FQ lazy);
 *  - a seeded pattern written with direct I/O at 4 KiB, 64 KiB and 1 MiB
 *    blocks ("testbed.mib=" MiB each) reads back unchanged, then two
 *    writers and two readers on the two vCPUs at once;
 *  - the drive's MSI-X vectors fired (no polling fallback), and the
 *    kernel logged no SMMU event, command queue error or I/O timeout.
 * Throughput (and with "testbed.bench=1" 4 KiB random-read IOPS) go out
 * as "# bench:" lines for make bench; tests never judge them.
 * "testbed.inject=corrupt" (make selfcheck) changes a block on the drive
 * behind the writer's back, which the 64 KiB check must catch.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <linux/fs.h>

#include "guest_param.h"

#define DISK		"nvme0n1"
#define MIB		(1UL << 20)
#define PROBE_WAIT_S	60
#define IOPS_SECONDS	5
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static char label[64], iommu[16], domain[16];
static unsigned long mib;
static unsigned int tests, failed;
static int disk = -1;
/* Bytes the data phases moved, for the commands-per-MiB figure */
static uint64_t moved;

static void check(bool ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %u - ", ok ? "ok" : "not ok", ++tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failed += !ok;
}

static size_t read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	return n > 0 ? n : 0;
}

/* A one-line sysfs value, without its newline */
static void read_value(const char *path, char *buf, size_t size)
{
	read_text(path, buf, size);
	buf[strcspn(buf, "\n")] = 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The modules in /modules, in the order /modules/order gives */
static bool load_modules(char *names, size_t size)
{
	char order[1024], path[256], *name, *save = NULL;
	bool ok = true;
	int fd;

	read_value("/modules/order", order, sizeof(order));
	names[0] = 0;
	for (name = strtok_r(order, " ", &save); name;
	     name = strtok_r(NULL, " ", &save)) {
		snprintf(path, sizeof(path), "/modules/%s.ko", name);
		fd = open(path, O_RDONLY);
		if (fd < 0 || syscall(SYS_finit_module, fd, "", 0)) {
			printf("# %s: %s\n", path, strerror(errno));
			ok = false;
		}
		if (fd >= 0)
			close(fd);
		snprintf(names + strlen(names), size - strlen(names), " %s",
			 name);
	}
	return ok;
}

/* Word i of the pattern of seed: where it sits is part of its value */
static inline uint64_t pattern(uint64_t seed, uint64_t i)
{
	uint64_t z = seed + i * 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* FNV-1a over 64-bit words: the checksum both sides compare */
static uint64_t checksum(uint64_t sum, const uint64_t *w, size_t words)
{
	while (words--)
		sum = (sum ^ *w++) * 0x100000001b3ULL;
	return sum;
}

struct region {
	uint64_t offset, bytes, seed;
	size_t block;
	bool write;
	int cpu;
	/* results */
	uint64_t sum_expected, sum_read;
	unsigned long bad_blocks;
	int error;
	double seconds;
};

/*
 * Write the region's pattern, or read the region and count the blocks
 * that differ from it; one block at a time with O_DIRECT, so every block
 * is a DMA of its own through the (virtual) IOMMU.
 */
static void *do_region(void *arg)
{
	struct region *r = arg;
	uint64_t *buf, off, i, words = r->block / 8;
	uint64_t sum_e = 0xcbf29ce484222325ULL, sum_r = sum_e;
	double t0 = now();
	cpu_set_t set;

	if (r->cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(r->cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	if (posix_memalign((void **)&buf, 4096, r->block)) {
		r->error = ENOMEM;
		return NULL;
	}
	for (off = 0; off < r->bytes && !r->error; off += r->block) {
		uint64_t first = (r->offset + off) / 8;
		ssize_t n;

		if (r->write) {
			for (i = 0; i < words; i++)
				buf[i] = pattern(r->seed, first + i);
			sum_e = checksum(sum_e, buf, words);
			n = pwrite(disk, buf, r->block, r->offset + off);
		} else {
			n = pread(disk, buf, r->block, r->offset + off);
			sum_r = checksum(sum_r, buf, words);
			for (i = 0; i < words; i++)
				if (buf[i] != pattern(r->seed, first + i))
					break;
			r->bad_blocks += i < words;
			for (i = 0; i < words; i++)
				buf[i] = pattern(r->seed, first + i);
			sum_e = checksum(sum_e, buf, words);
		}
		if (n != (ssize_t)r->block)
			r->error = n < 0 ? errno : EIO;
	}
	if (r->write && !r->error && fdatasync(disk))
		r->error = errno;
	__atomic_add_fetch(&moved, off, __ATOMIC_RELAXED);
	free(buf);
	r->sum_expected = sum_e;
	r->sum_read = sum_r;
	r->seconds = now() - t0;
	return NULL;
}

static void run_regions(struct region *r, int n)
{
	pthread_t t[4];
	int i;

	for (i = 0; i < n; i++)
		pthread_create(&t[i], NULL, do_region, &r[i]);
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
}

static struct region region(int slot, size_t block, uint64_t seed,
			    bool write, int cpu)
{
	return (struct region){
		.offset = slot * mib * MIB, .bytes = mib * MIB,
		.seed = seed, .block = block, .write = write, .cpu = cpu,
	};
}

static double mibps(const struct region *r)
{
	return r->seconds > 0 ? r->bytes / MIB / r->seconds : 0;
}

static bool corrupt;
static char zeros[4096] __attribute__((aligned(4096)));

/* Write slot with blocks of block bytes, read it back, compare */
static void write_and_verify(int slot, size_t block)
{
	struct region w = region(slot, block, 1000 + slot, true, -1);
	struct region r = region(slot, block, 1000 + slot, false, -1);

	do_region(&w);
	/* make selfcheck: one 4 KiB block of the 64 KiB slot changed */
	if (corrupt && block == 64 << 10)
		pwrite(disk, zeros, sizeof(zeros), w.offset + 7 * sizeof(zeros));
	if (!w.error)
		do_region(&r);
	printf("# %zu KiB: %lu MiB, checksums %016llx %016llx, %lu blocks differ, error %d\n",
	       block >> 10, mib,
	       (unsigned long long)w.sum_expected,
	       (unsigned long long)r.sum_read, r.bad_blocks,
	       w.error ? w.error : r.error);
	check(!w.error && !r.error && !r.bad_blocks &&
	      r.sum_read == w.sum_expected,
	      "%zu KiB blocks: the pattern written with direct I/O reads back, checksums equal",
	      block >> 10);
	printf("# bench: %s %zuK write %.1f MiB/s read %.1f MiB/s\n", label,
	       block >> 10, mibps(&w), mibps(&r));
}

/*
 * Two writers fill two new slots while two readers verify two slots the
 * sequential phase wrote, each pinned to a vCPU; then the new slots are
 * read back.
 */
static void parallel_phase(void)
{
	struct region r[4] = {
		region(3, 64 << 10, 2003, true, 0),
		region(4, 64 << 10, 2004, true, 1),
		region(0, 64 << 10, 1000, false, 0),
		region(1, 64 << 10, 1001, false, 1),
	};
	struct region back[2] = {
		region(3, 1 << 20, 2003, false, 0),
		region(4, 1 << 20, 2004, false, 1),
	};
	unsigned long bad = 0;
	int i, err = 0;
	double t0 = now(), t;

	run_regions(r, 4);
	t = now() - t0;
	run_regions(back, 2);
	for (i = 0; i < 4; i++) {
		bad += r[i].bad_blocks;
		err = err ? err : r[i].error;
	}
	for (i = 0; i < 2; i++) {
		bad += back[i].bad_blocks;
		err = err ? err : back[i].error;
		bad += back[i].sum_read != r[i].sum_expected;
	}
	printf("# parallel: 64 KiB blocks, %lu MiB each, %lu blocks differ, error %d\n",
	       mib, bad, err);
	check(!bad && !err,
	      "2 writers and 2 readers at once on 2 vCPUs: every block reads back");
	printf("# bench: %s parallel %.1f MiB/s\n", label,
	       t > 0 ? 4.0 * mib / t : 0);
}

/* 4 KiB random reads over the written slots, one per thread per vCPU */
struct iops {
	int cpu;
	unsigned long ops;
	int error;
};

static void *random_reads(void *arg)
{
	struct iops *o = arg;
	uint64_t x = 88172645463325252ULL + o->cpu, blocks = 3 * mib * 256;
	double end = now() + IOPS_SECONDS;
	cpu_set_t set;
	void *buf;

	CPU_ZERO(&set);
	CPU_SET(o->cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	if (posix_memalign(&buf, 4096, 4096)) {
		o->error = ENOMEM;
		return NULL;
	}
	while (now() < end) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (pread(disk, buf, 4096, (x % blocks) * 4096) != 4096) {
			o->error = errno;
			break;
		}
		o->ops++;
	}
	free(buf);
	return NULL;
}

static void iops_phase(void)
{
	struct iops o[2] = { { .cpu = 0 }, { .cpu = 1 } };
	pthread_t t[2];
	int i;

	for (i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, random_reads, &o[i]);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	printf("# random reads: error %d\n",
	       o[0].error ? o[0].error : o[1].error);
	check(!o[0].error && !o[1].error,
	      "4 KiB random reads on 2 vCPUs for %d s", IOPS_SECONDS);
	printf("# bench: %s randread4K %.0f IOPS\n", label,
	       (double)(o[0].ops + o[1].ops) / IOPS_SECONDS);
}

/* The per-CPU counts of irq on this line of /proc/interrupts, summed */
static unsigned long irq_count(const char *line, unsigned long irq)
{
	unsigned long sum = 0, v;
	char *p, *end;

	if (strtoul(line, &p, 10) != irq || *p != ':' || p == line)
		return 0;
	for (p++;; p = end) {
		v = strtoul(p, &end, 10);
		if (end == p)
			return sum;
		sum += v;
	}
}

/* Interrupts the drive's MSI-X vectors took, summed over CPUs */
static unsigned long msix_interrupts(const char *bdf, unsigned int *vectors)
{
	static char text[1 << 16];
	char path[512], kind[16];
	unsigned long sum = 0;
	struct dirent *de;
	DIR *dir;
	char *line;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/msi_irqs", bdf);
	dir = opendir(path);
	*vectors = 0;
	read_text("/proc/interrupts", text, sizeof(text));
	while (dir && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path),
			 "/sys/bus/pci/devices/%s/msi_irqs/%s", bdf,
			 de->d_name);
		read_value(path, kind, sizeof(kind));
		if (strcmp(kind, "msix"))
			continue;
		++*vectors;
		for (line = text; line; line = strchr(line + 1, '\n'))
			sum += irq_count(line, strtoul(de->d_name, NULL, 10));
	}
	if (dir)
		closedir(dir);
	return sum;
}

/*
 * Is the IOMMU of this sysfs name the one the run promises? The SMMUv3
 * driver names its IOMMU "smmu3.<base address>"; virtio-iommu takes the
 * name of its PCI function (virtio vendor 0x1af4, device 0x1057).
 */
static bool is_iommu(const char *name)
{
	char path[256], id[16];

	if (!strcmp(iommu, "smmu3"))
		return !strncmp(name, "smmu3.", 6);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor", name);
	read_value(path, id, sizeof(id));
	if (strcmp(id, "0x1af4"))
		return false;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device", name);
	read_value(path, id, sizeof(id));
	return !strcmp(iommu, "virtio") && !strcmp(id, "0x1057");
}

/* The PCI address of the disk and the IOMMU it sits behind */
static void describe_disk(char *bdf, size_t size)
{
	char path[256], link[256], group[32];
	ssize_t n;
	char *p;

	n = readlink("/sys/block/" DISK "/device/device", link,
		     sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	p = strrchr(link, '/');
	snprintf(bdf, size, "%.31s", p ? p + 1 : link);

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	link[n > 0 ? n : 0] = 0;
	p = strrchr(link, '/');
	snprintf(path, sizeof(path),
		 "/sys/bus/pci/devices/%s/iommu_group/type", bdf);
	read_value(path, group, sizeof(group));
	printf("# %s at %s: IOMMU %s, group type \"%s\" (%s)\n", DISK, bdf,
	       n > 0 && p ? p + 1 : "(none)", group,
	       !strcmp(group, "DMA") ? "translated, strict" :
	       !strcmp(group, "DMA-FQ") ? "translated, lazy" : "untranslated");
	if (!strcmp(iommu, "none"))
		check(n <= 0 && !group[0], "the drive sits behind no IOMMU");
	else
		check(n > 0 && p && is_iommu(p + 1) && !strcmp(group, domain),
		      "the drive sits behind the %s IOMMU in a %s domain",
		      iommu, domain);
}

/*
 * The kernel's own log: no SMMU event, command queue error, IOMMU fault
 * or NVMe timeout (which would also mean polled completions).
 */
static void check_kernel_log(void)
{
	static const char *const bad[] = {
		"event 0x", "CMDQ error", "CMD_SYNC timeout", "Unhandled",
		"timeout", "completion polled", " fault", "reset controller",
		"I/O error",
	};
	char rec[2048];
	unsigned int i, hits = 0;
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	ssize_t n;

	while (fd >= 0 && (n = read(fd, rec, sizeof(rec) - 1)) != 0) {
		if (n < 0) {
			if (errno == EPIPE)
				continue;
			break;
		}
		rec[n] = 0;
		if (!strstr(rec, "nvme") && !strstr(rec, "smmu") &&
		    !strstr(rec, "iommu"))
			continue;
		for (i = 0; i < ARRAY_SIZE(bad); i++)
			if (strstr(rec, bad[i])) {
				printf("# kernel: %s", strchr(rec, ';') + 1);
				hits++;
				break;
			}
	}
	if (fd >= 0)
		close(fd);
	check(fd >= 0 && !hits,
	      "the kernel logged no SMMU event, command error, IOMMU fault or NVMe timeout");
}

int main(void)
{
	char value[32], modules[256], bdf[32], size_text[32], cmdline[1024];
	unsigned int vectors;
	unsigned long irqs0, irqs1, bytes;
	struct utsname u;
	bool bench, loaded;
	double t0;
	int i;

	setvbuf(stdout, NULL, _IONBF, 0);
	mkdir("/proc", 0755);
	mkdir("/sys", 0755);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	read_value("/proc/cmdline", cmdline, sizeof(cmdline));
	guest_param("label", "nvme", label, sizeof(label));
	guest_param("iommu", "smmu3", iommu, sizeof(iommu));
	guest_param("domain", "DMA", domain, sizeof(domain));
	guest_param("mib", "32", value, sizeof(value));
	mib = strtoul(value, NULL, 0);
	guest_param("bench", "0", value, sizeof(value));
	bench = !strcmp(value, "1");
	guest_param("inject", "", value, sizeof(value));
	corrupt = !strcmp(value, "corrupt");
	uname(&u);

	printf("TESTBED: BEGIN %s\n", label);
	printf("# L2: Linux %s %s\n# cmdline: %s\n", u.release, u.version,
	       cmdline);
	printf("1..%d\n", bench ? 9 : 8);
	loaded = load_modules(modules, sizeof(modules));
	for (i = 0; i < PROBE_WAIT_S * 10 && access("/dev/" DISK, F_OK); i++)
		usleep(100000);
	disk = open("/dev/" DISK, O_RDWR | O_DIRECT);
	read_value("/sys/block/" DISK "/size", size_text, sizeof(size_text));
	bytes = strtoul(size_text, NULL, 10) * 512;
	printf("# modules:%s; /dev/%s: %lu MiB, %lu needed\n", modules, DISK,
	       bytes / MIB, 5 * mib);
	check(loaded && disk >= 0 && bytes >= 5 * mib * MIB,
	      "the stock nvme modules load and the namespace opens");
	if (disk < 0 || bytes < 5 * mib * MIB) {
		printf("TESTBED: END %s rc=1\n", label);
		goto out;
	}
	describe_disk(bdf, sizeof(bdf));
	irqs0 = msix_interrupts(bdf, &vectors);
	t0 = now();
	write_and_verify(0, 4 << 10);
	write_and_verify(1, 64 << 10);
	write_and_verify(2, 1 << 20);
	parallel_phase();
	if (bench)
		iops_phase();
	irqs1 = msix_interrupts(bdf, &vectors);
	printf("# MSI-X: %u vectors took %lu interrupts during the run\n",
	       vectors, irqs1 - irqs0);
	check(vectors > 0 && irqs1 > irqs0,
	      "the drive's MSI-X interrupts arrived (no polling)");
	check_kernel_log();
	printf("# bench: %s moved %llu MiB in %.1f s\n", label,
	       (unsigned long long)(moved / MIB), now() - t0);
	printf("TESTBED: END %s rc=%d\n", label, failed ? 1 : 0);
out:
	printf("TESTBED: DONE %s\n", label);
	close(disk);
	sync();
	reboot(RB_POWER_OFF);
	return 0;
}
