/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Play the guest of a VMM: lay out "guest RAM" in a user buffer that the
 * test maps into an IOAS at a fixed IPA, and write into it what a guest's
 * SMMUv3 driver would: a context descriptor (CD) and AArch64 stage-1 page
 * tables with a 4 KiB granule and a 39-bit VA (levels 1 to 3).
 *
 * Every address the SMMU walks (CD, tables, output pages) is an IPA; the
 * nest parent's stage 2 turns it into a host physical address.
 */
#ifndef __SELFTEST_IOMMU_SMMUV3_GUEST_H
#define __SELFTEST_IOMMU_SMMUV3_GUEST_H

#include <stdint.h>
#include <string.h>

#define GUEST_PAGE		4096ULL
#define GUEST_VA_BITS		39

/* Context descriptor, dword 0 */
#define CD0_T0SZ(x)		((uint64_t)(x) << 0)
#define CD0_IR0_WBWA		(1ULL << 8)
#define CD0_OR0_WBWA		(1ULL << 10)
#define CD0_SH0_ISH		(3ULL << 12)
#define CD0_EPD1		(1ULL << 30)
#define CD0_V			(1ULL << 31)
#define CD0_IPS_44BIT		(4ULL << 32)
#define CD0_AA64		(1ULL << 41)
#define CD0_A			(1ULL << 46)
#define CD0_ASID(x)		((uint64_t)(x) << 48)
/* dword 1: TTB0; dword 3: MAIR0 (its Attr0 for all our pages) */
#define CD1_TTB0_MASK		0x000ffffffffffff0ULL
#define CD3_MAIR0(x)		((uint64_t)(x) & 0xffffffffULL)
#define CD_MAIR_NORMAL_WB	0xffULL

/* Stage-1 descriptors */
#define PTE_VALID		(1ULL << 0)
#define PTE_TABLE		(1ULL << 1)	/* table at L1/L2, page at L3 */
#define PTE_AP_RW_ANY		(1ULL << 6)
#define PTE_SH_ISH		(3ULL << 8)
#define PTE_AF			(1ULL << 10)
#define PTE_ADDR_MASK		0x0000fffffffff000ULL

/**
 * struct smmuv3_guest - guest RAM with a bump allocator for its pages
 * @mem: the user buffer backing guest RAM
 * @ipa: the IPA at which @mem is mapped into the nest parent's IOAS
 * @size: bytes of guest RAM
 * @next: offset of the next free page
 */
struct smmuv3_guest {
	uint8_t *mem;
	uint64_t ipa;
	uint64_t size;
	uint64_t next;
};

static inline uint64_t *guest_ptr(struct smmuv3_guest *g, uint64_t ipa)
{
	return (uint64_t *)(g->mem + (ipa - g->ipa));
}

/* A zeroed guest page; returns its IPA (0 when guest RAM is full). */
static inline uint64_t guest_alloc_page(struct smmuv3_guest *g)
{
	uint64_t off = g->next;

	if (off + GUEST_PAGE > g->size)
		return 0;
	g->next += GUEST_PAGE;
	memset(g->mem + off, 0, GUEST_PAGE);
	return g->ipa + off;
}

/* Write a valid AArch64 CD for @asid with stage-1 root table @ttb0. */
static inline void guest_write_cd(struct smmuv3_guest *g, uint64_t cd_ipa,
				  uint16_t asid, uint64_t ttb0)
{
	uint64_t *cd = guest_ptr(g, cd_ipa);

	memset(cd, 0, 64);
	cd[1] = ttb0 & CD1_TTB0_MASK;
	cd[3] = CD3_MAIR0(CD_MAIR_NORMAL_WB);
	/* Last: the SMMU may fetch the CD at any time once V is set */
	__atomic_store_n(&cd[0],
			 CD0_T0SZ(64 - GUEST_VA_BITS) | CD0_IR0_WBWA |
			 CD0_OR0_WBWA | CD0_SH0_ISH | CD0_EPD1 | CD0_V |
			 CD0_IPS_44BIT | CD0_AA64 | CD0_A | CD0_ASID(asid),
			 __ATOMIC_RELEASE);
}

/* Index of @va in the table at @level (1, 2 or 3). */
static inline unsigned int guest_pt_index(uint64_t va, int level)
{
	return (va >> (12 + 9 * (3 - level))) & 511;
}

/*
 * Map stage-1 VA @va to IPA @out (one 4 KiB page) under root table @root,
 * allocating intermediate tables from guest RAM. Returns 0 or -1.
 */
static inline int guest_map(struct smmuv3_guest *g, uint64_t root,
			    uint64_t va, uint64_t out)
{
	uint64_t table = root;
	int level;

	for (level = 1; level < 3; level++) {
		uint64_t *pte = guest_ptr(g, table) + guest_pt_index(va, level);

		if (!(*pte & PTE_VALID)) {
			uint64_t next = guest_alloc_page(g);

			if (!next)
				return -1;
			*pte = next | PTE_TABLE | PTE_VALID;
		}
		table = *pte & PTE_ADDR_MASK;
	}
	guest_ptr(g, table)[guest_pt_index(va, 3)] =
		(out & PTE_ADDR_MASK) | PTE_AF | PTE_SH_ISH | PTE_AP_RW_ANY |
		PTE_TABLE | PTE_VALID;
	return 0;
}

/* Point the L3 entry of @va at a new IPA (the entry must exist). */
static inline void guest_remap(struct smmuv3_guest *g, uint64_t root,
			       uint64_t va, uint64_t out)
{
	uint64_t table = root;
	int level;

	for (level = 1; level < 3; level++)
		table = guest_ptr(g, table)[guest_pt_index(va, level)] &
			PTE_ADDR_MASK;
	guest_ptr(g, table)[guest_pt_index(va, 3)] =
		(out & PTE_ADDR_MASK) | PTE_AF | PTE_SH_ISH | PTE_AP_RW_ANY |
		PTE_TABLE | PTE_VALID;
}

#endif
