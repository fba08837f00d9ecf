/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a guest's SMMUv3 driver writes, built from field positions read
 * off the architecture (IHI 0070: STE 5.2, commands 4.3 to 4.7), and the
 * event records it reads (7.3), kept apart from the library's decoder
 * and encoder so each checks the other.
 */
#ifndef VMM_TESTS_GUEST_ENCODE_H
#define VMM_TESTS_GUEST_ENCODE_H

#include <stdint.h>

struct bitfield {
	unsigned int word, hi, lo;
};

/* STE, words 0 and 1 */
static const struct bitfield STE_V = { 0, 0, 0 };
static const struct bitfield STE_CONFIG = { 0, 3, 1 };
static const struct bitfield STE_S1FMT = { 0, 5, 4 };
static const struct bitfield STE_S1CTXPTR_51_6 = { 0, 51, 6 };
static const struct bitfield STE_S1CDMAX = { 0, 63, 59 };
static const struct bitfield STE_S1DSS = { 1, 1, 0 };
static const struct bitfield STE_S1CIR = { 1, 3, 2 };
static const struct bitfield STE_S1COR = { 1, 5, 4 };
static const struct bitfield STE_S1CSH = { 1, 7, 6 };
static const struct bitfield STE_S1STALLD = { 1, 27, 27 };
static const struct bitfield STE_EATS = { 1, 29, 28 };

/* Commands */
static const struct bitfield CMD_OPCODE = { 0, 7, 0 };
static const struct bitfield CMD_GLOBAL = { 0, 9, 9 };
static const struct bitfield CMD_SSV = { 0, 11, 11 };
static const struct bitfield CMD_SSID = { 0, 31, 12 };
static const struct bitfield CMD_NUM = { 0, 16, 12 };
static const struct bitfield CMD_SCALE = { 0, 24, 20 };
static const struct bitfield CMD_VMID = { 0, 47, 32 };
static const struct bitfield CMD_SID = { 0, 63, 32 };
static const struct bitfield CMD_ASID = { 0, 63, 48 };
static const struct bitfield CMD_LEAF = { 1, 0, 0 };
static const struct bitfield CMD_RANGE = { 1, 4, 0 };
static const struct bitfield CMD_ATC_SIZE = { 1, 5, 0 };
static const struct bitfield CMD_TTL = { 1, 9, 8 };
static const struct bitfield CMD_TG = { 1, 11, 10 };
static const struct bitfield CMD_ADDR_63_12 = { 1, 63, 12 };
/* CMD[10] SSec (4.1.6); CMD_RESUME (4.7.1): CMD[12] Ac, CMD[13] Ab, STAG */
static const struct bitfield CMD_SSEC = { 0, 10, 10 };
static const struct bitfield CMD_RESUME_AC = { 0, 12, 12 };
static const struct bitfield CMD_RESUME_AB = { 0, 13, 13 };
static const struct bitfield CMD_STAG = { 1, 15, 0 };	/* CMD[79:64] */

/* Event records (IHI 0070, 7.3; the stall fields 7.3.13) */
static const struct bitfield EVT_ID = { 0, 7, 0 };
static const struct bitfield EVT_SSV = { 0, 11, 11 };
static const struct bitfield EVT_SSID = { 0, 31, 12 };
static const struct bitfield EVT_SID = { 0, 63, 32 };
static const struct bitfield EVT_STAG = { 1, 15, 0 };	/* EVT[79:64] */
static const struct bitfield EVT_STALL = { 1, 31, 31 };	/* EVT[95] */
static const struct bitfield EVT_PNU = { 1, 33, 33 };	/* EVT[97] */
static const struct bitfield EVT_IND = { 1, 34, 34 };	/* EVT[98] */
static const struct bitfield EVT_RNW = { 1, 35, 35 };	/* EVT[99] */
static const struct bitfield EVT_S2 = { 1, 39, 39 };	/* EVT[103] */
static const struct bitfield EVT_CLASS = { 1, 41, 40 };	/* EVT[105:104] */
static const struct bitfield EVT_INPUTADDR = { 2, 63, 0 };	/* [191:128] */

/* Opcodes (IHI 0070, 4.1.2) */
enum {
	GUEST_PREFETCH_CONFIG = 0x01,
	GUEST_PREFETCH_ADDR = 0x02,
	GUEST_CFGI_STE = 0x03,
	GUEST_CFGI_STE_RANGE = 0x04,
	GUEST_CFGI_CD = 0x05,
	GUEST_CFGI_CD_ALL = 0x06,
	GUEST_TLBI_NH_ALL = 0x10,
	GUEST_TLBI_NH_ASID = 0x11,
	GUEST_TLBI_NH_VA = 0x12,
	GUEST_TLBI_NH_VAA = 0x13,
	GUEST_TLBI_EL2_ALL = 0x20,
	GUEST_TLBI_S12_VMALL = 0x28,
	GUEST_TLBI_S2_IPA = 0x2a,
	GUEST_TLBI_NSNH_ALL = 0x30,
	GUEST_ATC_INV = 0x40,
	GUEST_PRI_RESP = 0x41,
	GUEST_RESUME = 0x44,
	GUEST_STALL_TERM = 0x45,
	GUEST_CMD_SYNC = 0x46,
};

/* Event IDs and encodings (IHI 0070, 7.3, 7.3.13) */
enum {
	GUEST_F_TRANSLATION = 0x10,
	GUEST_CLASS_IN = 0x2,
};

/* Write @val into field @f of @w (words); bits of @val beyond it dropped */
static inline void put(uint64_t *w, struct bitfield f, uint64_t val)
{
	unsigned int width = f.hi - f.lo + 1;
	uint64_t mask = width == 64 ? ~0ULL : ((1ULL << width) - 1);

	w[f.word] &= ~(mask << f.lo);
	w[f.word] |= (val & mask) << f.lo;
}

static inline uint64_t get(const uint64_t *w, struct bitfield f)
{
	unsigned int width = f.hi - f.lo + 1;
	uint64_t mask = width == 64 ? ~0ULL : ((1ULL << width) - 1);

	return (w[f.word] >> f.lo) & mask;
}

#endif
