/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the robustness tests (smmuv3_fuzz, smmuv3_fail_nth, smmuv3_race,
 * smmuv3_fault_flood) share: the VMM's memory and nested HWPTs, where a
 * DMA landed, a seeded random number generator, errno histograms, and the
 * VMID count of the nesting test hooks.
 */
#ifndef __SELFTEST_IOMMU_SMMUV3_ROBUST_H
#define __SELFTEST_IOMMU_SMMUV3_ROBUST_H

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "iommufd_calls.h"
#include "smmuv3_guest.h"
#include "vfio_edu.h"

/* The VMM's memory: guest RAM for CDs and page tables, then data pages */
#define GUEST_IPA	0x40000000ULL
#define GUEST_SIZE	0x100000ULL
#define DATA_IPA	0x50000000ULL
#define DATA_PAGES	4
#define PAGE		GUEST_PAGE

#define SMMUV3_HOOKS	"/sys/kernel/debug/arm-smmu-v3-nested"
#define NESTING_SWITCH	"/sys/module/arm_smmu_v3/parameters/nesting"

/**
 * struct robust_vm - what a VMM maps into the nest parent's IOAS
 * @ioas: the IOAS
 * @g: guest RAM (GUEST_SIZE at GUEST_IPA), for CDs and page tables
 * @data: DATA_PAGES pages at DATA_IPA, page i filled with @pattern + i
 * @pattern: the first page's byte
 * @parent: the nest parent over @ioas
 */
struct robust_vm {
	uint32_t ioas, parent;
	struct smmuv3_guest g;
	uint8_t *data;
	uint8_t pattern;
};

/* Every data page holds its own pattern again */
static inline void robust_vm_reset(struct robust_vm *vm)
{
	int i;

	for (i = 0; i < DATA_PAGES; i++)
		memset(vm->data + i * PAGE, vm->pattern + i, PAGE);
}

/*
 * A new IOAS on @fd with guest RAM and the data pages, and a nest parent
 * over it for device @dev_id; 0 or -errno
 */
static inline int robust_vm_map(int fd, struct robust_vm *vm,
				uint8_t pattern, uint32_t dev_id)
{
	int i, ret = iofd_ioas_alloc(fd, &vm->ioas);

	if (ret)
		return ret;
	vm->g.mem = mmap(NULL, GUEST_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	vm->data = mmap(NULL, DATA_PAGES * PAGE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->g.mem == MAP_FAILED || vm->data == MAP_FAILED)
		return -ENOMEM;
	vm->g.ipa = GUEST_IPA;
	vm->g.size = GUEST_SIZE;
	vm->pattern = pattern;
	robust_vm_reset(vm);
	ret = iofd_map(fd, vm->ioas, vm->g.mem, GUEST_SIZE, GUEST_IPA);
	for (i = 0; !ret && i < DATA_PAGES; i++)
		ret = iofd_map(fd, vm->ioas, vm->data + i * PAGE, PAGE,
			       DATA_IPA + i * PAGE);
	return ret ? ret : iofd_hwpt_alloc(fd, dev_id, vm->ioas,
					   IOMMU_HWPT_ALLOC_NEST_PARENT,
					   IOMMU_HWPT_DATA_NONE, NULL, 0,
					   &vm->parent);
}

/* A nested HWPT under @vm's parent: the guest CD at IPA @cd translates */
static inline int robust_vm_nested(int fd, struct robust_vm *vm,
				   uint32_t dev_id, uint64_t cd, uint32_t *id)
{
	struct iommu_hwpt_arm_smmuv3_s1ctx ctx = {
		.mode = IOMMU_SMMUV3_S1CTX_TRANSLATE,
		.s1ctxptr = cd,
	};

	return iofd_hwpt_alloc(fd, dev_id, vm->parent, 0,
			       IOMMU_HWPT_DATA_ARM_SMMUV3_S1CTX, &ctx,
			       sizeof(ctx), id);
}

/*
 * A guest context in @vm's guest RAM: a CD for @asid whose stage-1 root
 * table, empty yet, is in *@root. Returns the CD's IPA.
 */
static inline uint64_t robust_vm_context(struct robust_vm *vm, uint16_t asid,
					 uint64_t *root)
{
	uint64_t cd = guest_alloc_page(&vm->g);

	*root = guest_alloc_page(&vm->g);
	guest_write_cd(&vm->g, cd, asid, *root);
	return cd;
}

/*
 * Copy a page through @edu from @src to @dst, the second DMA with edu
 * command @flags as well, and say which data page it reached: the one
 * (not page 0) now holding page 0's pattern, -1 for none, -2 when the
 * device timed out. The data pages are reset afterwards.
 */
static inline int robust_dma_lands_cmd(struct edu *edu, struct robust_vm *vm,
				       uint64_t src, uint64_t dst,
				       uint32_t flags)
{
	int i, page = -2;

	if (!edu_dma_from(edu, src, PAGE) &&
	    !edu_dma_cmd(edu, dst, 0, PAGE, EDU_DMA_TO_RAM | flags)) {
		page = -1;
		for (i = 1; i < DATA_PAGES && page < 0; i++)
			if (vm->data[i * PAGE] == vm->pattern &&
			    vm->data[i * PAGE + PAGE - 1] == vm->pattern)
				page = i;
	}
	robust_vm_reset(vm);
	return page;
}

static inline int robust_dma_lands(struct edu *edu, struct robust_vm *vm,
				   uint64_t src, uint64_t dst)
{
	return robust_dma_lands_cmd(edu, vm, src, dst, 0);
}

/* xorshift64*: small, and the same sequence for a seed on every machine */
static inline uint64_t rng_next(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* 0 .. @n - 1 */
static inline uint64_t rng_below(uint64_t *state, uint64_t n)
{
	return n ? rng_next(state) % n : 0;
}

/* true with probability 1 / @n */
static inline int rng_one_in(uint64_t *state, uint64_t n)
{
	return rng_below(state, n) == 0;
}

/*
 * The seed: "testbed.seed=N" on the kernel command line (to replay a run),
 * else the clock. Never 0, which xorshift cannot leave.
 */
static inline uint64_t robust_seed(void)
{
	const char *p = testbed_param("seed");
	struct timespec ts;
	uint64_t seed;

	clock_gettime(CLOCK_REALTIME, &ts);
	seed = p ? strtoull(p, NULL, 0) :
		   (uint64_t)ts.tv_sec * 1000000007ULL + ts.tv_nsec;
	return seed ? seed : 1;
}

/* "testbed.<key>=N" seconds, else @def */
static inline unsigned int robust_seconds(const char *key, unsigned int def)
{
	const char *p = testbed_param(key);

	return p ? (unsigned int)atoi(p) : def;
}

static inline double robust_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#define ERRNO_SLOTS	134

/* How often each outcome (0 or an errno) of one operation came back */
struct errno_hist {
	const char *op;
	unsigned long count[ERRNO_SLOTS];
};

static inline void errno_hist_add(struct errno_hist *h, int ret)
{
	int e = ret < 0 ? -ret : ret;

	h->count[e < ERRNO_SLOTS ? e : ERRNO_SLOTS - 1]++;
}

static inline unsigned long errno_hist_total(const struct errno_hist *h)
{
	unsigned long sum = 0;
	int e;

	for (e = 0; e < ERRNO_SLOTS; e++)
		sum += h->count[e];
	return sum;
}

/* "# op: ok 12, EINVAL 40, ..." */
static inline void errno_hist_print(const struct errno_hist *h)
{
	char line[1024];
	size_t len = 0;
	int e;

	len += snprintf(line, sizeof(line), "# %-12s", h->op);
	for (e = 0; e < ERRNO_SLOTS && len < sizeof(line); e++) {
		if (!h->count[e])
			continue;
		len += snprintf(line + len, sizeof(line) - len, " %s %lu,",
				e ? strerrorname_np(e) ?: "E?" : "ok",
				h->count[e]);
	}
	/* snprintf() says what it would have written: stay in the line */
	if (len >= sizeof(line))
		len = sizeof(line) - 1;
	if (line[len - 1] == ',')
		line[len - 1] = 0;
	printf("%s\n", line);
}

/*
 * The sum over all SMMUs of one number the nesting test hooks show
 * (CONFIG_ARM_SMMU_V3_NESTED_TEST_HOOKS); -1 without them.
 */
static inline long hooks_sum(const char *file)
{
	struct dirent *de;
	char path[512];
	long total = -1;
	DIR *dir = opendir(SMMUV3_HOOKS);
	FILE *f;
	long n;

	while (dir && (de = readdir(dir))) {
		snprintf(path, sizeof(path), "%s/%s/%s", SMMUV3_HOOKS,
			 de->d_name, file);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fscanf(f, "%ld", &n) == 1)
			total = (total < 0 ? 0 : total) + n;
		fclose(f);
	}
	if (dir)
		closedir(dir);
	return total;
}

/* VMIDs allocated on all SMMUs */
static inline long vmids_allocated(void)
{
	return hooks_sum("vmids_in_use");
}

/* Events the SMMUs' event threads have taken off their queues */
static inline long events_taken(void)
{
	return hooks_sum("events_taken");
}

/*
 * Write @text to the nesting test hook @file of whichever SMMU accepts it
 * (a device's own SMMU, when @text names a device); 0 or -errno
 */
static inline int hooks_write(const char *file, const char *text)
{
	struct dirent *de;
	char path[512];
	int ret = -ENOENT;
	DIR *dir = opendir(SMMUV3_HOOKS);

	while (dir && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s", SMMUV3_HOOKS,
			 de->d_name, file);
		ret = testbed_write(path, text);
		if (!ret)
			break;
	}
	if (dir)
		closedir(dir);
	return ret;
}

/*
 * Mark the edu device @bdf as able to stall, or not (the fake_stall hook,
 * for an SMMU that cannot stall); 0 or -errno
 */
static inline int fake_stall(const char *bdf, int on)
{
	char text[32];

	snprintf(text, sizeof(text), "%s %d", bdf, on);
	return hooks_write("fake_stall", text);
}

/* The runtime off-switch: 1 on, 0 off; returns 0 or -errno */
static inline int nesting_switch(int on)
{
	return testbed_write(NESTING_SWITCH, on ? "1" : "0");
}

#endif
