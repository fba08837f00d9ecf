/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one reference for every SMMUv3 hardware field this project writes or
 * decodes: positions as the architecture numbers them, never as a driver
 * macro says. Test decoders (KUnit, host tests) read fields with these, and
 * tools/testing/smmuv3-nested/arch_fields_test.c checks every field macro
 * of the driver, the tests and the VMM library against the table below.
 *
 * Bits are absolute within the structure, as IHI 0070 numbers them:
 * STE[89] is bit 25 of the STE's second 64-bit word, a command has bits
 * [127:0], an event record [255:0], an IDR register [31:0]. Positions were
 * read from IHI 0070 H.a (STE 5.2, CD 5.4, IDR0 6.3.1, IDR1 6.3.2, IDR3
 * 6.3.4, TLBI fields 4.4.1.1 and 4.4.2, the event records' common fields
 * in 7.3 and 7.3.2) and compared with mainline Linux
 * (arm-smmu-v3.h, io-pgtable-arm.c) and QEMU (hw/arm/smmuv3-common.h,
 * smmuv3-internal.h, smmu-internal.h); the names of theirs are in the
 * table. "spec text not found" marks the positions taken from the two of
 * them agreeing.
 */
#ifndef _ARM_SMMU_V3_NESTED_TEST_ARCH_H
#define _ARM_SMMU_V3_NESTED_TEST_ARCH_H

#include <linux/array_size.h>
#include <linux/types.h>

/* The kernel has NULL; a host build with only the type shim may not */
#ifndef NULL
#define NULL ((void *)0)
#endif

/* hi, lo of a field macro such as ARCH_STE_S2FWB, named (not expanded) */
#define ARCH_HI(f)	__ARCH_HI(f)
#define __ARCH_HI(hi, lo)	(hi)
#define ARCH_LO(f)	__ARCH_LO(f)
#define __ARCH_LO(hi, lo)	(lo)

/* STE, IHI 0070 5.2 */
#define ARCH_STE_V		0, 0
#define ARCH_STE_CONFIG		3, 1
#define ARCH_STE_S1FMT		5, 4
#define ARCH_STE_S1CONTEXTPTR	55, 6
#define ARCH_STE_S1CDMAX	63, 59
#define ARCH_STE_S1DSS		65, 64
#define ARCH_STE_S1CIR		67, 66
#define ARCH_STE_S1COR		69, 68
#define ARCH_STE_S1CSH		71, 70
#define ARCH_STE_MEV		83, 83
#define ARCH_STE_S2FWB		89, 89
#define ARCH_STE_S1STALLD	91, 91
#define ARCH_STE_EATS		93, 92
#define ARCH_STE_STRW		95, 94
#define ARCH_STE_SHCFG		109, 108
#define ARCH_STE_S2VMID		143, 128
#define ARCH_STE_S2T0SZ		165, 160
#define ARCH_STE_S2SL0		167, 166
#define ARCH_STE_S2IR0		169, 168
#define ARCH_STE_S2OR0		171, 170
#define ARCH_STE_S2SH0		173, 172
#define ARCH_STE_S2TG		175, 174
#define ARCH_STE_S2PS		178, 176
#define ARCH_STE_S2AA64		179, 179
#define ARCH_STE_S2ENDI		180, 180
#define ARCH_STE_S2AFFD		181, 181
#define ARCH_STE_S2PTW		182, 182
#define ARCH_STE_S2HD		183, 183
#define ARCH_STE_S2HA		184, 184
#define ARCH_STE_S2S		185, 185
#define ARCH_STE_S2R		186, 186
#define ARCH_STE_S2TTB		247, 196

#define ARCH_STE_CONFIG_ABORT		0x0
#define ARCH_STE_CONFIG_BYPASS		0x4
#define ARCH_STE_CONFIG_S1		0x5
#define ARCH_STE_CONFIG_S2		0x6
#define ARCH_STE_CONFIG_NESTED		0x7
#define ARCH_STE_S1FMT_LINEAR		0x0
#define ARCH_STE_S1FMT_64K_L2		0x2
#define ARCH_STE_S1FMT_RESERVED		0x3
#define ARCH_STE_S1DSS_TERMINATE	0x0
#define ARCH_STE_S1DSS_BYPASS		0x1
#define ARCH_STE_S1DSS_SSID0		0x2
#define ARCH_STE_S1DSS_RESERVED		0x3
#define ARCH_STE_S1CSH_RESERVED		0x1
#define ARCH_STE_EATS_ABT		0x0
#define ARCH_STE_EATS_FULL		0x1
#define ARCH_STE_EATS_SPLIT		0x2
#define ARCH_STE_STRW_NSEL1		0x0
#define ARCH_STE_STRW_EL2		0x2
#define ARCH_STE_SHCFG_INCOMING		0x1

/* CD, IHI 0070 5.4 */
#define ARCH_CD_T0SZ		5, 0
#define ARCH_CD_TG0		7, 6
#define ARCH_CD_IR0		9, 8
#define ARCH_CD_OR0		11, 10
#define ARCH_CD_SH0		13, 12
#define ARCH_CD_EPD0		14, 14
#define ARCH_CD_ENDI		15, 15
#define ARCH_CD_EPD1		30, 30
#define ARCH_CD_V		31, 31
#define ARCH_CD_IPS		34, 32
#define ARCH_CD_AFFD		35, 35
#define ARCH_CD_WXN		36, 36
#define ARCH_CD_UWXN		37, 37
#define ARCH_CD_TBI0		38, 38
#define ARCH_CD_PAN		40, 40
#define ARCH_CD_AA64		41, 41
#define ARCH_CD_HD		42, 42
#define ARCH_CD_HA		43, 43
#define ARCH_CD_S		44, 44
#define ARCH_CD_R		45, 45
#define ARCH_CD_A		46, 46
#define ARCH_CD_ASET		47, 47
#define ARCH_CD_ASID		63, 48
#define ARCH_CD_NSCFG0		64, 64
#define ARCH_CD_HAD0		65, 65
#define ARCH_CD_TTB0		119, 68
#define ARCH_CD_MAIR0		223, 192
#define ARCH_CD_MAIR1		255, 224

#define ARCH_CD_TG0_4K		0x0
#define ARCH_CD_IRGN_WBWA	0x1
#define ARCH_CD_SH_ISH		0x3
#define ARCH_CD_IPS_44BIT	0x4

/* Commands, IHI 0070 chapter 4: bits of the 128-bit command */
#define ARCH_CMD_OP		7, 0
#define ARCH_CMD_GLOBAL		9, 9	/* ATC_INV */
#define ARCH_CMD_SSV		11, 11
#define ARCH_CMD_SSID		31, 12	/* CFGI_CD, ATC_INV */
#define ARCH_CMD_NUM		16, 12	/* TLBI */
#define ARCH_CMD_SCALE		25, 20	/* TLBI; [24:20] if IDR5.DS == 0 */
#define ARCH_CMD_SSEC		10, 10
#define ARCH_CMD_CS		13, 12	/* CMD_SYNC */
#define ARCH_CMD_RESUME_AC	12, 12	/* RESUME: Action, 1 retry */
#define ARCH_CMD_RESUME_AB	13, 13	/* RESUME: Abort */
#define ARCH_CMD_SID		63, 32	/* CFGI, ATC_INV */
#define ARCH_CMD_VMID		47, 32	/* TLBI */
#define ARCH_CMD_ASID		63, 48	/* TLBI */
#define ARCH_CMD_LEAF		64, 64	/* TLBI, CFGI_CD */
#define ARCH_CMD_RANGE		68, 64	/* CFGI_STE_RANGE */
#define ARCH_CMD_ATC_SIZE	69, 64	/* ATC_INV */
#define ARCH_CMD_STAG		79, 64	/* RESUME */
#define ARCH_CMD_TTL		73, 72	/* TLBI */
#define ARCH_CMD_TG		75, 74	/* TLBI */
#define ARCH_CMD_ADDR		127, 76	/* TLBI, ATC_INV: Addr[63:12] */

#define ARCH_OP_PREFETCH_CFG	0x01
#define ARCH_OP_PREFETCH_ADDR	0x02
#define ARCH_OP_CFGI_STE	0x03
#define ARCH_OP_CFGI_STE_RANGE	0x04	/* CFGI_ALL is Range 31 */
#define ARCH_OP_CFGI_CD		0x05
#define ARCH_OP_CFGI_CD_ALL	0x06
#define ARCH_OP_TLBI_NH_ALL	0x10
#define ARCH_OP_TLBI_NH_ASID	0x11
#define ARCH_OP_TLBI_NH_VA	0x12
#define ARCH_OP_TLBI_NH_VAA	0x13
#define ARCH_OP_TLBI_EL2_ALL	0x20
#define ARCH_OP_TLBI_S12_VMALL	0x28
#define ARCH_OP_TLBI_S2_IPA	0x2a
#define ARCH_OP_TLBI_NSNH_ALL	0x30
#define ARCH_OP_ATC_INV		0x40
#define ARCH_OP_PRI_RESP	0x41
#define ARCH_OP_RESUME		0x44
#define ARCH_OP_STALL_TERM	0x45
#define ARCH_OP_SYNC		0x46
#define ARCH_CMD_CS_NONE	0x0
#define ARCH_CMD_CS_IRQ		0x1
#define ARCH_CMD_CS_SEV		0x2

/* Event records, IHI 0070 7.3: bits of the 256-bit record */
#define ARCH_EVT_ID		7, 0
#define ARCH_EVT_SSV		11, 11
#define ARCH_EVT_SSID		31, 12
#define ARCH_EVT_SID		63, 32
#define ARCH_EVT_STAG		79, 64
#define ARCH_EVT_STALL		95, 95
#define ARCH_EVT_PNU		97, 97
#define ARCH_EVT_IND		98, 98
#define ARCH_EVT_RNW		99, 99
#define ARCH_EVT_S2		103, 103
#define ARCH_EVT_CLASS		105, 104
#define ARCH_EVT_INPUTADDR	191, 128
#define ARCH_EVT_IPA		243, 204	/* IPA[51:12] */

#define ARCH_EVT_C_BAD_SUBSTREAMID	0x08
#define ARCH_EVT_F_CD_FETCH		0x09
#define ARCH_EVT_C_BAD_CD		0x0a
#define ARCH_EVT_F_WALK_EABT		0x0b
#define ARCH_EVT_F_TRANSLATION		0x10
#define ARCH_EVT_F_ADDR_SIZE		0x11
#define ARCH_EVT_F_ACCESS		0x12
#define ARCH_EVT_F_PERMISSION		0x13
#define ARCH_EVT_CLASS_IN		0x2

/* ID registers, IHI 0070 6.3: bits of the 32-bit register */
#define ARCH_IDR0_S2P		0, 0
#define ARCH_IDR0_S1P		1, 1
#define ARCH_IDR0_TTF		3, 2
#define ARCH_IDR0_COHACC	4, 4
#define ARCH_IDR0_HTTU		7, 6
#define ARCH_IDR0_ATS		10, 10
#define ARCH_IDR0_ASID16	12, 12
#define ARCH_IDR0_PRI		16, 16
#define ARCH_IDR0_VMID16	18, 18
#define ARCH_IDR0_CD2L		19, 19
#define ARCH_IDR0_TTENDIAN	22, 21
#define ARCH_IDR0_STALL_MODEL	25, 24
#define ARCH_IDR0_ST_LEVEL	28, 27
#define ARCH_IDR1_SIDSIZE	5, 0
#define ARCH_IDR1_SSIDSIZE	10, 6
#define ARCH_IDR3_FWB		8, 8
#define ARCH_IDR3_RIL		10, 10
#define ARCH_IDR5_OAS		2, 0
#define ARCH_IDR5_GRAN4K	4, 4
#define ARCH_IDR5_GRAN16K	5, 5
#define ARCH_IDR5_GRAN64K	6, 6
#define ARCH_IDR5_VAX		11, 10

#define ARCH_IDR0_STALL_MODEL_STALL	0x0
#define ARCH_IDR0_STALL_MODEL_FORCE	0x2
#define ARCH_IDR0_TTF_AARCH64		0x2

/*
 * VMSAv8-64 translation table descriptors, 4KB granule, 48-bit OA (Arm
 * ARM DDI 0487 D8.3); stage-2 MemAttr with FEAT_S2FWB in D8.6.6
 * ("Stage 2 memory type and Cacheability attributes when FEAT_S2FWB is
 * enabled"): MemAttr[2] = 1, MemAttr[1:0] = 0b10 forces Normal Write-Back.
 */
#define ARCH_S1PTE_VALID	0, 0
#define ARCH_S1PTE_TYPE		1, 1	/* table (L1, L2), page (L3) */
#define ARCH_S1PTE_ATTRINDX	4, 2
#define ARCH_S1PTE_AP		7, 6	/* AP[2:1] */
#define ARCH_S1PTE_SH		9, 8
#define ARCH_S1PTE_AF		10, 10
#define ARCH_S1PTE_NG		11, 11
#define ARCH_S1PTE_OA		47, 12
#define ARCH_S2PTE_VALID	0, 0
#define ARCH_S2PTE_TYPE		1, 1	/* table (L0-L2), page (L3) */
#define ARCH_S2PTE_MEMATTR	5, 2
#define ARCH_S2PTE_S2AP		7, 6
#define ARCH_S2PTE_SH		9, 8
#define ARCH_S2PTE_AF		10, 10
#define ARCH_S2PTE_OA		47, 12

#define ARCH_S1PTE_AP_RW_ANY		0x1	/* AP[2:1] = 0b01 */
#define ARCH_S1PTE_SH_ISH		0x3
#define ARCH_S2PTE_MEMATTR_DEV		0x1	/* Device-nGnRE */
#define ARCH_S2PTE_MEMATTR_NC		0x5
#define ARCH_S2PTE_MEMATTR_FWB_WB	0x6	/* with S2FWB: Normal WB */
#define ARCH_S2PTE_MEMATTR_OIWB		0xf

/* @hi..@lo of a 64-bit word */
static inline u64 arch_bits(u64 w, unsigned int hi, unsigned int lo)
{
	return (w >> lo) & (~0ULL >> (63 - hi + lo));
}

/* Absolute bits @hi..@lo (at most 64) of a structure held in words @w */
static inline u64 arch_field(const u64 *w, unsigned int hi, unsigned int lo)
{
	unsigned int first = lo / 64, shift = lo % 64;
	u64 v = w[first] >> shift;

	/* A field that crosses a word boundary never starts at bit 0 */
	if (hi / 64 != first)
		v |= w[hi / 64] << (64 - shift);
	return v & (~0ULL >> (63 - hi + lo));
}

/* Write @val into absolute bits @hi..@lo of @w; higher bits of @val dropped */
static inline void arch_field_set(u64 *w, unsigned int hi, unsigned int lo,
				  u64 val)
{
	unsigned int b;

	for (b = lo; b <= hi; b++) {
		u64 bit = 1ULL << (b % 64);

		if ((val >> (b - lo)) & 1)
			w[b / 64] |= bit;
		else
			w[b / 64] &= ~bit;
	}
}

/* The bits of field @hi..@lo that lie in 64-bit word @word, in place */
static inline u64 arch_word_mask(unsigned int word, unsigned int hi,
				 unsigned int lo)
{
	unsigned int base = word * 64;

	if (hi < base || lo >= base + 64)
		return 0;
	lo = lo > base ? lo - base : 0;
	hi = hi - base > 63 ? 63 : hi - base;
	return (~0ULL >> (63 - hi + lo)) << lo;
}

enum arch_struct {
	ARCH_STE,
	ARCH_CD,
	ARCH_CMD,
	ARCH_EVT,
	ARCH_IDR0,
	ARCH_IDR1,
	ARCH_IDR3,
	ARCH_IDR5,
	ARCH_S1PTE,
	ARCH_S2PTE,
	ARCH_NR_STRUCTS
};

static const struct {
	const char *name;
	unsigned int bits;
} arch_structs[ARCH_NR_STRUCTS] __maybe_unused = {
	[ARCH_STE] = { "STE", 512 },
	[ARCH_CD] = { "CD", 512 },
	[ARCH_CMD] = { "CMD", 128 },
	[ARCH_EVT] = { "EVT", 256 },
	[ARCH_IDR0] = { "IDR0", 32 },
	[ARCH_IDR1] = { "IDR1", 32 },
	[ARCH_IDR3] = { "IDR3", 32 },
	[ARCH_IDR5] = { "IDR5", 32 },
	[ARCH_S1PTE] = { "S1PTE", 64 },
	[ARCH_S2PTE] = { "S2PTE", 64 },
};

/**
 * struct arch_field_desc - one hardware field
 * @st: the structure (enum arch_struct)
 * @name: the architecture's name of the field
 * @hi: highest bit, absolute
 * @lo: lowest bit, absolute
 * @min_hi: a user may stop at any bit from here to @hi: fields that grew
 *          with the architecture (52- and 56-bit addresses, SCALE with
 *          IDR5.DS); @hi otherwise
 * @form: for commands, the commands that have the field ("TLBI", ...), or
 *        NULL for all; fields of different forms may overlap
 * @ref: where the architecture defines it
 * @mainline: mainline Linux's macro for it, or NULL
 * @qemu: QEMU's macro for it, or NULL
 */
struct arch_field_desc {
	unsigned char st;
	const char *name;
	unsigned short hi, lo, min_hi;
	const char *form;
	const char *ref;
	const char *mainline;
	const char *qemu;
};

/* @f is "hi, lo" once expanded, so the helpers take hi and lo apart */
#define __ARCH_FIELD(st, name, hi, lo, min_hi, form, ref, ml, qemu) \
	{ st, name, hi, lo, min_hi, form, ref, ml, qemu }
#define __ARCH_FIELD_EXACT(st, name, hi, lo, hi2, lo2, form, ref, ml, qemu) \
	{ st, name, hi, lo, hi, form, ref, ml, qemu }
#define ARCH_FIELD(st, name, f, form, ref, ml, qemu) \
	__ARCH_FIELD_EXACT(st, name, f, f, form, ref, ml, qemu)
#define ARCH_FIELD_GROWN(st, name, f, min_hi, form, ref, ml, qemu) \
	__ARCH_FIELD(st, name, f, min_hi, form, ref, ml, qemu)

/*
 * QEMU holds structures as 32-bit words: its STE_S2VMID reads word[4]
 * bits [15:0], which is STE[143:128].
 */
static const struct arch_field_desc arch_fields[] __maybe_unused = {
	ARCH_FIELD(ARCH_STE, "V", ARCH_STE_V, NULL, "IHI 0070 5.2",
		   "STRTAB_STE_0_V", "STE_VALID"),
	ARCH_FIELD(ARCH_STE, "Config", ARCH_STE_CONFIG, NULL, "IHI 0070 5.2",
		   "STRTAB_STE_0_CFG", "STE_CONFIG"),
	ARCH_FIELD(ARCH_STE, "S1Fmt", ARCH_STE_S1FMT, NULL, "IHI 0070 5.2",
		   "STRTAB_STE_0_S1FMT", "STE_S1FMT"),
	/* [51:6] before SMMUv3.4; mainline stops at 51, QEMU at 47 */
	ARCH_FIELD_GROWN(ARCH_STE, "S1ContextPtr", ARCH_STE_S1CONTEXTPTR, 51,
			 NULL, "IHI 0070 5.2", "STRTAB_STE_0_S1CTXPTR_MASK",
			 "STE_CTXPTR"),
	ARCH_FIELD(ARCH_STE, "S1CDMax", ARCH_STE_S1CDMAX, NULL, "IHI 0070 5.2",
		   "STRTAB_STE_0_S1CDMAX", "STE_S1CDMAX"),
	/* QEMU's STE_S1DSS comes with its accelerated-SMMU series */
	ARCH_FIELD(ARCH_STE, "S1DSS", ARCH_STE_S1DSS, NULL, "IHI 0070 5.2",
		   "STRTAB_STE_1_S1DSS", "STE_S1DSS"),
	ARCH_FIELD(ARCH_STE, "S1CIR", ARCH_STE_S1CIR, NULL, "IHI 0070 5.2",
		   "STRTAB_STE_1_S1CIR", NULL),
	ARCH_FIELD(ARCH_STE, "S1COR", ARCH_STE_S1COR, NULL, "IHI 0070 5.2",
		   "STRTAB_STE_1_S1COR", NULL),
	ARCH_FIELD(ARCH_STE, "S1CSH", ARCH_STE_S1CSH, NULL, "IHI 0070 5.2",
		   "STRTAB_STE_1_S1CSH", NULL),
	ARCH_FIELD(ARCH_STE, "MEV", ARCH_STE_MEV, NULL, "IHI 0070 5.2",
		   "STRTAB_STE_1_MEV", NULL),
	ARCH_FIELD(ARCH_STE, "S2FWB", ARCH_STE_S2FWB, NULL, "IHI 0070 5.2",
		   "STRTAB_STE_1_S2FWB", NULL),
	ARCH_FIELD(ARCH_STE, "S1STALLD", ARCH_STE_S1STALLD, NULL,
		   "IHI 0070 5.2", "STRTAB_STE_1_S1STALLD", "STE_S1STALLD"),
	ARCH_FIELD(ARCH_STE, "EATS", ARCH_STE_EATS, NULL, "IHI 0070 5.2",
		   "STRTAB_STE_1_EATS", "STE_EATS"),
	ARCH_FIELD(ARCH_STE, "STRW", ARCH_STE_STRW, NULL, "IHI 0070 5.2",
		   "STRTAB_STE_1_STRW", "STE_STRW"),
	ARCH_FIELD(ARCH_STE, "SHCFG", ARCH_STE_SHCFG, NULL, "IHI 0070 5.2",
		   "STRTAB_STE_1_SHCFG", NULL),
	ARCH_FIELD(ARCH_STE, "S2VMID", ARCH_STE_S2VMID, NULL, "IHI 0070 5.2",
		   "STRTAB_STE_2_S2VMID", "STE_S2VMID"),
	/* Mainline: STRTAB_STE_2_VTCR_* are relative to STRTAB_STE_2_VTCR */
	ARCH_FIELD(ARCH_STE, "S2T0SZ", ARCH_STE_S2T0SZ, NULL, "IHI 0070 5.2",
		   NULL, "STE_S2T0SZ"),
	ARCH_FIELD(ARCH_STE, "S2SL0", ARCH_STE_S2SL0, NULL, "IHI 0070 5.2",
		   NULL, "STE_S2SL0"),
	ARCH_FIELD(ARCH_STE, "S2IR0", ARCH_STE_S2IR0, NULL, "IHI 0070 5.2",
		   NULL, NULL),
	ARCH_FIELD(ARCH_STE, "S2OR0", ARCH_STE_S2OR0, NULL, "IHI 0070 5.2",
		   NULL, NULL),
	ARCH_FIELD(ARCH_STE, "S2SH0", ARCH_STE_S2SH0, NULL, "IHI 0070 5.2",
		   NULL, NULL),
	ARCH_FIELD(ARCH_STE, "S2TG", ARCH_STE_S2TG, NULL, "IHI 0070 5.2",
		   NULL, "STE_S2TG"),
	ARCH_FIELD(ARCH_STE, "S2PS", ARCH_STE_S2PS, NULL, "IHI 0070 5.2",
		   NULL, "STE_S2PS"),
	ARCH_FIELD(ARCH_STE, "S2AA64", ARCH_STE_S2AA64, NULL, "IHI 0070 5.2",
		   "STRTAB_STE_2_S2AA64", "STE_S2AA64"),
	ARCH_FIELD(ARCH_STE, "S2ENDI", ARCH_STE_S2ENDI, NULL, "IHI 0070 5.2",
		   "STRTAB_STE_2_S2ENDI", "STE_S2ENDI"),
	ARCH_FIELD(ARCH_STE, "S2AFFD", ARCH_STE_S2AFFD, NULL, "IHI 0070 5.2",
		   NULL, "STE_S2AFFD"),
	ARCH_FIELD(ARCH_STE, "S2PTW", ARCH_STE_S2PTW, NULL, "IHI 0070 5.2",
		   "STRTAB_STE_2_S2PTW", NULL),
	ARCH_FIELD(ARCH_STE, "S2HD", ARCH_STE_S2HD, NULL, "IHI 0070 5.2",
		   NULL, "STE_S2HD"),
	ARCH_FIELD(ARCH_STE, "S2HA", ARCH_STE_S2HA, NULL, "IHI 0070 5.2",
		   NULL, "STE_S2HA"),
	ARCH_FIELD(ARCH_STE, "S2S", ARCH_STE_S2S, NULL, "IHI 0070 5.2",
		   "STRTAB_STE_2_S2S", "STE_S2S"),
	ARCH_FIELD(ARCH_STE, "S2R", ARCH_STE_S2R, NULL, "IHI 0070 5.2",
		   "STRTAB_STE_2_S2R", "STE_S2R"),
	/* [243:196] for VMSAv8-64 (52-bit), which mainline uses */
	ARCH_FIELD_GROWN(ARCH_STE, "S2TTB", ARCH_STE_S2TTB, 243, NULL,
			 "IHI 0070 5.2", "STRTAB_STE_3_S2TTB_MASK",
			 "STE_S2TTB"),

	ARCH_FIELD(ARCH_CD, "T0SZ", ARCH_CD_T0SZ, NULL, "IHI 0070 5.4",
		   "CTXDESC_CD_0_TCR_T0SZ", "CD_TSZ"),
	ARCH_FIELD(ARCH_CD, "TG0", ARCH_CD_TG0, NULL, "IHI 0070 5.4",
		   "CTXDESC_CD_0_TCR_TG0", "CD_TG"),
	ARCH_FIELD(ARCH_CD, "IR0", ARCH_CD_IR0, NULL, "IHI 0070 5.4",
		   "CTXDESC_CD_0_TCR_IRGN0", NULL),
	ARCH_FIELD(ARCH_CD, "OR0", ARCH_CD_OR0, NULL, "IHI 0070 5.4",
		   "CTXDESC_CD_0_TCR_ORGN0", NULL),
	ARCH_FIELD(ARCH_CD, "SH0", ARCH_CD_SH0, NULL, "IHI 0070 5.4",
		   "CTXDESC_CD_0_TCR_SH0", NULL),
	ARCH_FIELD(ARCH_CD, "EPD0", ARCH_CD_EPD0, NULL, "IHI 0070 5.4",
		   "CTXDESC_CD_0_TCR_EPD0", "CD_EPD"),
	ARCH_FIELD(ARCH_CD, "ENDI", ARCH_CD_ENDI, NULL, "IHI 0070 5.4",
		   "CTXDESC_CD_0_ENDI", "CD_ENDI"),
	ARCH_FIELD(ARCH_CD, "EPD1", ARCH_CD_EPD1, NULL, "IHI 0070 5.4",
		   "CTXDESC_CD_0_TCR_EPD1", "CD_EPD"),
	ARCH_FIELD(ARCH_CD, "V", ARCH_CD_V, NULL, "IHI 0070 5.4",
		   "CTXDESC_CD_0_V", "CD_VALID"),
	ARCH_FIELD(ARCH_CD, "IPS", ARCH_CD_IPS, NULL, "IHI 0070 5.4",
		   "CTXDESC_CD_0_TCR_IPS", "CD_IPS"),
	ARCH_FIELD(ARCH_CD, "AFFD", ARCH_CD_AFFD, NULL, "IHI 0070 5.4",
		   NULL, "CD_AFFD"),
	ARCH_FIELD(ARCH_CD, "WXN", ARCH_CD_WXN, NULL, "IHI 0070 5.4",
		   NULL, NULL),
	ARCH_FIELD(ARCH_CD, "UWXN", ARCH_CD_UWXN, NULL, "IHI 0070 5.4",
		   NULL, NULL),
	ARCH_FIELD(ARCH_CD, "TBI0", ARCH_CD_TBI0, NULL, "IHI 0070 5.4",
		   "CTXDESC_CD_0_TCR_TBI0", "CD_TBI"),
	ARCH_FIELD(ARCH_CD, "PAN", ARCH_CD_PAN, NULL, "IHI 0070 5.4",
		   NULL, NULL),
	ARCH_FIELD(ARCH_CD, "AA64", ARCH_CD_AA64, NULL, "IHI 0070 5.4",
		   "CTXDESC_CD_0_AA64", "CD_AARCH64"),
	ARCH_FIELD(ARCH_CD, "HD", ARCH_CD_HD, NULL, "IHI 0070 5.4",
		   "CTXDESC_CD_0_TCR_HD", "CD_HD"),
	ARCH_FIELD(ARCH_CD, "HA", ARCH_CD_HA, NULL, "IHI 0070 5.4",
		   "CTXDESC_CD_0_TCR_HA", "CD_HA"),
	ARCH_FIELD(ARCH_CD, "S", ARCH_CD_S, NULL, "IHI 0070 5.4",
		   "CTXDESC_CD_0_S", "CD_S"),
	ARCH_FIELD(ARCH_CD, "R", ARCH_CD_R, NULL, "IHI 0070 5.4",
		   "CTXDESC_CD_0_R", "CD_R"),
	ARCH_FIELD(ARCH_CD, "A", ARCH_CD_A, NULL, "IHI 0070 5.4",
		   "CTXDESC_CD_0_A", "CD_A"),
	ARCH_FIELD(ARCH_CD, "ASET", ARCH_CD_ASET, NULL, "IHI 0070 5.4",
		   "CTXDESC_CD_0_ASET", NULL),
	ARCH_FIELD(ARCH_CD, "ASID", ARCH_CD_ASID, NULL, "IHI 0070 5.4",
		   "CTXDESC_CD_0_ASID", "CD_ASID"),
	ARCH_FIELD(ARCH_CD, "NSCFG0", ARCH_CD_NSCFG0, NULL, "IHI 0070 5.4",
		   NULL, NULL),
	ARCH_FIELD(ARCH_CD, "HAD0", ARCH_CD_HAD0, NULL, "IHI 0070 5.4",
		   NULL, "CD_HAD"),
	/* [115:68] for VMSAv8-64 (52-bit), which mainline uses */
	ARCH_FIELD_GROWN(ARCH_CD, "TTB0", ARCH_CD_TTB0, 115, NULL,
			 "IHI 0070 5.4", "CTXDESC_CD_1_TTB0_MASK", "CD_TTB"),
	ARCH_FIELD(ARCH_CD, "MAIR0", ARCH_CD_MAIR0, NULL, "IHI 0070 5.4",
		   NULL, NULL),
	ARCH_FIELD(ARCH_CD, "MAIR1", ARCH_CD_MAIR1, NULL, "IHI 0070 5.4",
		   NULL, NULL),

	ARCH_FIELD(ARCH_CMD, "Opcode", ARCH_CMD_OP, NULL, "IHI 0070 4.1",
		   "CMDQ_0_OP", "CMD_TYPE"),
	ARCH_FIELD(ARCH_CMD, "SSV", ARCH_CMD_SSV, NULL, "IHI 0070 4.5",
		   "CMDQ_0_SSV", "CMD_SSV"),
	ARCH_FIELD(ARCH_CMD, "SubstreamID", ARCH_CMD_SSID, "CFGI",
		   "IHI 0070 4.3", "CMDQ_CFGI_0_SSID", "CMD_SSID"),
	ARCH_FIELD(ARCH_CMD, "StreamID", ARCH_CMD_SID, "CFGI",
		   "IHI 0070 4.3", "CMDQ_CFGI_0_SID", "CMD_SID"),
	ARCH_FIELD(ARCH_CMD, "Leaf", ARCH_CMD_LEAF, "CFGI", "IHI 0070 4.3",
		   "CMDQ_CFGI_1_LEAF", "CMD_LEAF"),
	ARCH_FIELD(ARCH_CMD, "Range", ARCH_CMD_RANGE, "CFGI_STE_RANGE",
		   "IHI 0070 4.3", "CMDQ_CFGI_1_RANGE", "CMD_STE_RANGE"),
	ARCH_FIELD(ARCH_CMD, "NUM", ARCH_CMD_NUM, "TLBI", "IHI 0070 4.4.1.1",
		   "CMDQ_TLBI_0_NUM", "CMD_NUM"),
	ARCH_FIELD_GROWN(ARCH_CMD, "SCALE", ARCH_CMD_SCALE, 24, "TLBI",
			 "IHI 0070 4.4.1.1", "CMDQ_TLBI_0_SCALE", "CMD_SCALE"),
	ARCH_FIELD(ARCH_CMD, "VMID", ARCH_CMD_VMID, "TLBI", "IHI 0070 4.4.2",
		   "CMDQ_TLBI_0_VMID", "CMD_VMID"),
	ARCH_FIELD(ARCH_CMD, "ASID", ARCH_CMD_ASID, "TLBI", "IHI 0070 4.4.2",
		   "CMDQ_TLBI_0_ASID", "CMD_ASID"),
	ARCH_FIELD(ARCH_CMD, "Leaf", ARCH_CMD_LEAF, "TLBI", "IHI 0070 4.4.2",
		   "CMDQ_TLBI_1_LEAF", "CMD_LEAF"),
	ARCH_FIELD(ARCH_CMD, "TTL", ARCH_CMD_TTL, "TLBI", "IHI 0070 4.4.1.1",
		   "CMDQ_TLBI_1_TTL", "CMD_TTL"),
	ARCH_FIELD(ARCH_CMD, "TG", ARCH_CMD_TG, "TLBI", "IHI 0070 4.4.1.1",
		   "CMDQ_TLBI_1_TG", "CMD_TG"),
	ARCH_FIELD(ARCH_CMD, "Address", ARCH_CMD_ADDR, "TLBI",
		   "IHI 0070 4.4.2", "CMDQ_TLBI_1_VA_MASK", "CMD_ADDR"),
	/* ATC_INV and CMD_SYNC: spec text not found, mainline and QEMU */
	ARCH_FIELD(ARCH_CMD, "G", ARCH_CMD_GLOBAL, "ATC_INV", "IHI 0070 4.5",
		   "CMDQ_ATC_0_GLOBAL", NULL),
	ARCH_FIELD(ARCH_CMD, "SubstreamID", ARCH_CMD_SSID, "ATC_INV",
		   "IHI 0070 4.5", "CMDQ_ATC_0_SSID", "CMD_SSID"),
	ARCH_FIELD(ARCH_CMD, "StreamID", ARCH_CMD_SID, "ATC_INV",
		   "IHI 0070 4.5", "CMDQ_ATC_0_SID", "CMD_SID"),
	ARCH_FIELD(ARCH_CMD, "Size", ARCH_CMD_ATC_SIZE, "ATC_INV",
		   "IHI 0070 4.5", "CMDQ_ATC_1_SIZE", NULL),
	ARCH_FIELD(ARCH_CMD, "Address", ARCH_CMD_ADDR, "ATC_INV",
		   "IHI 0070 4.5", "CMDQ_ATC_1_ADDR_MASK", "CMD_ADDR"),
	ARCH_FIELD(ARCH_CMD, "CS", ARCH_CMD_CS, "SYNC", "IHI 0070 4.7",
		   "CMDQ_SYNC_0_CS", "CMD_SYNC_CS"),
	/*
	 * SSec, CMD_RESUME and CMD_STALL_TERM: the text (4.1.6, 4.7.1,
	 * 4.7.2) names the fields, the layouts are images it lacks; mainline
	 * and QEMU agree. Mainline reads Ac and Ab as one field,
	 * CMDQ_RESUME_0_RESP [13:12]: TERM 0, RETRY 1 (Ac), ABORT 2 (Ab).
	 */
	ARCH_FIELD(ARCH_CMD, "SSec", ARCH_CMD_SSEC, NULL, "IHI 0070 4.1.6",
		   NULL, "CMD_SSEC"),
	ARCH_FIELD(ARCH_CMD, "Ac", ARCH_CMD_RESUME_AC, "RESUME",
		   "IHI 0070 4.7.1", NULL, "CMD_RESUME_AC"),
	ARCH_FIELD(ARCH_CMD, "Ab", ARCH_CMD_RESUME_AB, "RESUME",
		   "IHI 0070 4.7.1", NULL, "CMD_RESUME_AB"),
	ARCH_FIELD(ARCH_CMD, "StreamID", ARCH_CMD_SID, "RESUME",
		   "IHI 0070 4.7.1", "CMDQ_RESUME_0_SID", "CMD_SID"),
	ARCH_FIELD(ARCH_CMD, "STAG", ARCH_CMD_STAG, "RESUME",
		   "IHI 0070 4.7.1", "CMDQ_RESUME_1_STAG", "CMD_RESUME_STAG"),
	ARCH_FIELD(ARCH_CMD, "StreamID", ARCH_CMD_SID, "STALL_TERM",
		   "IHI 0070 4.7.2", NULL, "CMD_SID"),

	/*
	 * Event records: 7.3.2's layout (F_UUT) has EventType, SSV,
	 * SubstreamID, StreamID, PnU, InD, RnW and InputAddr at these bits;
	 * the layouts of the stall events (7.3.12 to 7.3.16, with STAG,
	 * Stall, S2, Class, IPA) are images the text lacks: mainline and
	 * QEMU agree
	 */
	ARCH_FIELD(ARCH_EVT, "EventType", ARCH_EVT_ID, NULL, "IHI 0070 7.3",
		   "EVTQ_0_ID", "EVT_SET_TYPE"),
	ARCH_FIELD(ARCH_EVT, "SSV", ARCH_EVT_SSV, NULL, "IHI 0070 7.3",
		   "EVTQ_0_SSV", "EVT_SET_SSV"),
	ARCH_FIELD(ARCH_EVT, "SubstreamID", ARCH_EVT_SSID, NULL,
		   "IHI 0070 7.3", "EVTQ_0_SSID", "EVT_SET_SSID"),
	ARCH_FIELD(ARCH_EVT, "StreamID", ARCH_EVT_SID, NULL, "IHI 0070 7.3",
		   "EVTQ_0_SID", "EVT_SET_SID"),
	ARCH_FIELD(ARCH_EVT, "STAG", ARCH_EVT_STAG, NULL, "IHI 0070 7.3",
		   "EVTQ_1_STAG", "EVT_SET_STAG"),
	ARCH_FIELD(ARCH_EVT, "Stall", ARCH_EVT_STALL, NULL, "IHI 0070 7.3",
		   "EVTQ_1_STALL", "EVT_SET_STALL"),
	ARCH_FIELD(ARCH_EVT, "PnU", ARCH_EVT_PNU, NULL, "IHI 0070 7.3",
		   "EVTQ_1_PnU", "EVT_SET_PNU"),
	ARCH_FIELD(ARCH_EVT, "InD", ARCH_EVT_IND, NULL, "IHI 0070 7.3",
		   "EVTQ_1_InD", "EVT_SET_IND"),
	ARCH_FIELD(ARCH_EVT, "RnW", ARCH_EVT_RNW, NULL, "IHI 0070 7.3",
		   "EVTQ_1_RnW", "EVT_SET_RNW"),
	ARCH_FIELD(ARCH_EVT, "S2", ARCH_EVT_S2, NULL, "IHI 0070 7.3",
		   "EVTQ_1_S2", "EVT_SET_S2"),
	ARCH_FIELD(ARCH_EVT, "Class", ARCH_EVT_CLASS, NULL, "IHI 0070 7.3",
		   "EVTQ_1_CLASS", "EVT_SET_CLASS"),
	ARCH_FIELD(ARCH_EVT, "InputAddr", ARCH_EVT_INPUTADDR, NULL,
		   "IHI 0070 7.3", "EVTQ_2_ADDR", "EVT_SET_ADDR"),
	/* QEMU's EVT_SET_ADDR2 writes all of qword 3 */
	ARCH_FIELD(ARCH_EVT, "IPA", ARCH_EVT_IPA, NULL, "IHI 0070 7.3",
		   "EVTQ_3_IPA", "EVT_SET_ADDR2"),

	ARCH_FIELD(ARCH_IDR0, "S2P", ARCH_IDR0_S2P, NULL, "IHI 0070 6.3.1",
		   "IDR0_S2P", "FIELD(IDR0, S2P)"),
	ARCH_FIELD(ARCH_IDR0, "S1P", ARCH_IDR0_S1P, NULL, "IHI 0070 6.3.1",
		   "IDR0_S1P", "FIELD(IDR0, S1P)"),
	ARCH_FIELD(ARCH_IDR0, "TTF", ARCH_IDR0_TTF, NULL, "IHI 0070 6.3.1",
		   "IDR0_TTF", "FIELD(IDR0, TTF)"),
	ARCH_FIELD(ARCH_IDR0, "COHACC", ARCH_IDR0_COHACC, NULL,
		   "IHI 0070 6.3.1", "IDR0_COHACC", "FIELD(IDR0, COHACC)"),
	ARCH_FIELD(ARCH_IDR0, "HTTU", ARCH_IDR0_HTTU, NULL, "IHI 0070 6.3.1",
		   "IDR0_HTTU", "FIELD(IDR0, HTTU)"),
	ARCH_FIELD(ARCH_IDR0, "ATS", ARCH_IDR0_ATS, NULL, "IHI 0070 6.3.1",
		   "IDR0_ATS", "FIELD(IDR0, ATS)"),
	ARCH_FIELD(ARCH_IDR0, "ASID16", ARCH_IDR0_ASID16, NULL,
		   "IHI 0070 6.3.1", "IDR0_ASID16", "FIELD(IDR0, ASID16)"),
	ARCH_FIELD(ARCH_IDR0, "PRI", ARCH_IDR0_PRI, NULL, "IHI 0070 6.3.1",
		   "IDR0_PRI", "FIELD(IDR0, PRI)"),
	ARCH_FIELD(ARCH_IDR0, "VMID16", ARCH_IDR0_VMID16, NULL,
		   "IHI 0070 6.3.1", "IDR0_VMID16", "FIELD(IDR0, VMID16)"),
	ARCH_FIELD(ARCH_IDR0, "CD2L", ARCH_IDR0_CD2L, NULL, "IHI 0070 6.3.1",
		   "IDR0_CD2L", "FIELD(IDR0, CD2L)"),
	ARCH_FIELD(ARCH_IDR0, "TTENDIAN", ARCH_IDR0_TTENDIAN, NULL,
		   "IHI 0070 6.3.1", "IDR0_TTENDIAN", "FIELD(IDR0, TTENDIAN)"),
	ARCH_FIELD(ARCH_IDR0, "STALL_MODEL", ARCH_IDR0_STALL_MODEL, NULL,
		   "IHI 0070 6.3.1", "IDR0_STALL_MODEL",
		   "FIELD(IDR0, STALL_MODEL)"),
	ARCH_FIELD(ARCH_IDR0, "ST_LEVEL", ARCH_IDR0_ST_LEVEL, NULL,
		   "IHI 0070 6.3.1", "IDR0_ST_LVL", "FIELD(IDR0, STLEVEL)"),
	ARCH_FIELD(ARCH_IDR1, "SIDSIZE", ARCH_IDR1_SIDSIZE, NULL,
		   "IHI 0070 6.3.2", "IDR1_SIDSIZE", "FIELD(IDR1, SIDSIZE)"),
	ARCH_FIELD(ARCH_IDR1, "SSIDSIZE", ARCH_IDR1_SSIDSIZE, NULL,
		   "IHI 0070 6.3.2", "IDR1_SSIDSIZE", "FIELD(IDR1, SSIDSIZE)"),
	ARCH_FIELD(ARCH_IDR3, "FWB", ARCH_IDR3_FWB, NULL, "IHI 0070 6.3.4",
		   "IDR3_FWB", "FIELD(IDR3, FWB)"),
	ARCH_FIELD(ARCH_IDR3, "RIL", ARCH_IDR3_RIL, NULL, "IHI 0070 6.3.4",
		   "IDR3_RIL", "FIELD(IDR3, RIL)"),
	/* IDR5: spec text not found, mainline and QEMU agree */
	ARCH_FIELD(ARCH_IDR5, "OAS", ARCH_IDR5_OAS, NULL, "IHI 0070 6.3.6",
		   "IDR5_OAS", "FIELD(IDR5, OAS)"),
	ARCH_FIELD(ARCH_IDR5, "GRAN4K", ARCH_IDR5_GRAN4K, NULL,
		   "IHI 0070 6.3.6", "IDR5_GRAN4K", "FIELD(IDR5, GRAN4K)"),
	ARCH_FIELD(ARCH_IDR5, "GRAN16K", ARCH_IDR5_GRAN16K, NULL,
		   "IHI 0070 6.3.6", "IDR5_GRAN16K", "FIELD(IDR5, GRAN16K)"),
	ARCH_FIELD(ARCH_IDR5, "GRAN64K", ARCH_IDR5_GRAN64K, NULL,
		   "IHI 0070 6.3.6", "IDR5_GRAN64K", "FIELD(IDR5, GRAN64K)"),
	ARCH_FIELD(ARCH_IDR5, "VAX", ARCH_IDR5_VAX, NULL, "IHI 0070 6.3.6",
		   "IDR5_VAX", "FIELD(IDR5, VAX)"),

	/* Descriptors: mainline io-pgtable-arm.c, QEMU smmu-internal.h */
	ARCH_FIELD(ARCH_S1PTE, "Valid", ARCH_S1PTE_VALID, NULL,
		   "DDI 0487 D8.3", "ARM_LPAE_PTE_VALID", "ARM_LPAE_PTE_VALID"),
	ARCH_FIELD(ARCH_S1PTE, "Type", ARCH_S1PTE_TYPE, NULL, "DDI 0487 D8.3",
		   NULL, "ARM_LPAE_PTE_TYPE_MASK"),
	ARCH_FIELD(ARCH_S1PTE, "AttrIndx", ARCH_S1PTE_ATTRINDX, NULL,
		   "DDI 0487 D8.3", "ARM_LPAE_PTE_ATTRINDX_SHIFT", NULL),
	ARCH_FIELD(ARCH_S1PTE, "AP", ARCH_S1PTE_AP, NULL, "DDI 0487 D8.3",
		   "ARM_LPAE_PTE_AP_UNPRIV", "PTE_AP"),
	ARCH_FIELD(ARCH_S1PTE, "SH", ARCH_S1PTE_SH, NULL, "DDI 0487 D8.3",
		   "ARM_LPAE_PTE_SH_IS", NULL),
	ARCH_FIELD(ARCH_S1PTE, "AF", ARCH_S1PTE_AF, NULL, "DDI 0487 D8.3",
		   "ARM_LPAE_PTE_AF", "PTE_AF"),
	ARCH_FIELD(ARCH_S1PTE, "nG", ARCH_S1PTE_NG, NULL, "DDI 0487 D8.3",
		   "ARM_LPAE_PTE_nG", NULL),
	ARCH_FIELD(ARCH_S1PTE, "OA", ARCH_S1PTE_OA, NULL, "DDI 0487 D8.3",
		   NULL, "PTE_ADDRESS"),
	ARCH_FIELD(ARCH_S2PTE, "Valid", ARCH_S2PTE_VALID, NULL,
		   "DDI 0487 D8.3", "ARM_LPAE_PTE_VALID", "ARM_LPAE_PTE_VALID"),
	ARCH_FIELD(ARCH_S2PTE, "Type", ARCH_S2PTE_TYPE, NULL, "DDI 0487 D8.3",
		   NULL, "ARM_LPAE_PTE_TYPE_MASK"),
	ARCH_FIELD(ARCH_S2PTE, "OA", ARCH_S2PTE_OA, NULL, "DDI 0487 D8.3",
		   NULL, "PTE_ADDRESS"),
	ARCH_FIELD(ARCH_S2PTE, "MemAttr", ARCH_S2PTE_MEMATTR, NULL,
		   "DDI 0487 D8.3, D8.6.6", NULL, NULL),
	ARCH_FIELD(ARCH_S2PTE, "S2AP", ARCH_S2PTE_S2AP, NULL, "DDI 0487 D8.3",
		   NULL, NULL),
	ARCH_FIELD(ARCH_S2PTE, "SH", ARCH_S2PTE_SH, NULL, "DDI 0487 D8.3",
		   NULL, NULL),
	ARCH_FIELD(ARCH_S2PTE, "AF", ARCH_S2PTE_AF, NULL, "DDI 0487 D8.3",
		   NULL, NULL),
};

/**
 * struct arch_value_desc - one encoding of a field
 * @st: the structure
 * @field: the field's name in arch_fields[]
 * @name: what the encoding means
 * @value: the encoding
 * @placed: @mainline holds the encoding in place (shifted), not bare
 * @mainline: mainline Linux's macro for it, or NULL
 */
struct arch_value_desc {
	unsigned char st;
	const char *field;
	const char *name;
	u64 value;
	bool placed;
	const char *mainline;
};

#define ARCH_VALUE(st, field, name, value, ml) \
	{ st, field, name, value, false, ml }

static const struct arch_value_desc arch_values[] __maybe_unused = {
	ARCH_VALUE(ARCH_STE, "Config", "abort", ARCH_STE_CONFIG_ABORT,
		   "STRTAB_STE_0_CFG_ABORT"),
	ARCH_VALUE(ARCH_STE, "Config", "bypass", ARCH_STE_CONFIG_BYPASS,
		   "STRTAB_STE_0_CFG_BYPASS"),
	ARCH_VALUE(ARCH_STE, "Config", "stage 1", ARCH_STE_CONFIG_S1,
		   "STRTAB_STE_0_CFG_S1_TRANS"),
	ARCH_VALUE(ARCH_STE, "Config", "stage 2", ARCH_STE_CONFIG_S2,
		   "STRTAB_STE_0_CFG_S2_TRANS"),
	ARCH_VALUE(ARCH_STE, "Config", "stage 1 and 2",
		   ARCH_STE_CONFIG_NESTED, "STRTAB_STE_0_CFG_NESTED"),
	ARCH_VALUE(ARCH_STE, "S1Fmt", "linear", ARCH_STE_S1FMT_LINEAR,
		   "STRTAB_STE_0_S1FMT_LINEAR"),
	ARCH_VALUE(ARCH_STE, "S1Fmt", "64KB L2", ARCH_STE_S1FMT_64K_L2,
		   "STRTAB_STE_0_S1FMT_64K_L2"),
	ARCH_VALUE(ARCH_STE, "S1Fmt", "reserved", ARCH_STE_S1FMT_RESERVED,
		   NULL),
	ARCH_VALUE(ARCH_STE, "S1DSS", "terminate", ARCH_STE_S1DSS_TERMINATE,
		   "STRTAB_STE_1_S1DSS_TERMINATE"),
	ARCH_VALUE(ARCH_STE, "S1DSS", "bypass", ARCH_STE_S1DSS_BYPASS,
		   "STRTAB_STE_1_S1DSS_BYPASS"),
	ARCH_VALUE(ARCH_STE, "S1DSS", "substream 0", ARCH_STE_S1DSS_SSID0,
		   "STRTAB_STE_1_S1DSS_SSID0"),
	ARCH_VALUE(ARCH_STE, "S1DSS", "reserved", ARCH_STE_S1DSS_RESERVED,
		   NULL),
	ARCH_VALUE(ARCH_STE, "S1CSH", "reserved", ARCH_STE_S1CSH_RESERVED,
		   NULL),
	ARCH_VALUE(ARCH_STE, "EATS", "abort", ARCH_STE_EATS_ABT,
		   "STRTAB_STE_1_EATS_ABT"),
	ARCH_VALUE(ARCH_STE, "EATS", "full ATS", ARCH_STE_EATS_FULL,
		   "STRTAB_STE_1_EATS_TRANS"),
	ARCH_VALUE(ARCH_STE, "EATS", "split-stage ATS", ARCH_STE_EATS_SPLIT,
		   "STRTAB_STE_1_EATS_S1CHK"),
	ARCH_VALUE(ARCH_STE, "STRW", "NS-EL1", ARCH_STE_STRW_NSEL1,
		   "STRTAB_STE_1_STRW_NSEL1"),
	ARCH_VALUE(ARCH_STE, "STRW", "EL2", ARCH_STE_STRW_EL2,
		   "STRTAB_STE_1_STRW_EL2"),
	ARCH_VALUE(ARCH_STE, "SHCFG", "incoming", ARCH_STE_SHCFG_INCOMING,
		   "STRTAB_STE_1_SHCFG_INCOMING"),
	ARCH_VALUE(ARCH_CD, "TG0", "4KB", ARCH_CD_TG0_4K, NULL),
	ARCH_VALUE(ARCH_CD, "IR0", "WBWA", ARCH_CD_IRGN_WBWA, NULL),
	ARCH_VALUE(ARCH_CD, "OR0", "WBWA", ARCH_CD_IRGN_WBWA, NULL),
	ARCH_VALUE(ARCH_CD, "SH0", "inner", ARCH_CD_SH_ISH, NULL),
	ARCH_VALUE(ARCH_CD, "IPS", "44 bits", ARCH_CD_IPS_44BIT, NULL),
	ARCH_VALUE(ARCH_CMD, "Opcode", "PREFETCH_CONFIG", ARCH_OP_PREFETCH_CFG,
		   "CMDQ_OP_PREFETCH_CFG"),
	ARCH_VALUE(ARCH_CMD, "Opcode", "PREFETCH_ADDR", ARCH_OP_PREFETCH_ADDR,
		   NULL),
	ARCH_VALUE(ARCH_CMD, "Opcode", "CFGI_STE", ARCH_OP_CFGI_STE,
		   "CMDQ_OP_CFGI_STE"),
	ARCH_VALUE(ARCH_CMD, "Opcode", "CFGI_STE_RANGE",
		   ARCH_OP_CFGI_STE_RANGE, "CMDQ_OP_CFGI_ALL"),
	ARCH_VALUE(ARCH_CMD, "Opcode", "CFGI_CD", ARCH_OP_CFGI_CD,
		   "CMDQ_OP_CFGI_CD"),
	ARCH_VALUE(ARCH_CMD, "Opcode", "CFGI_CD_ALL", ARCH_OP_CFGI_CD_ALL,
		   "CMDQ_OP_CFGI_CD_ALL"),
	ARCH_VALUE(ARCH_CMD, "Opcode", "TLBI_NH_ALL", ARCH_OP_TLBI_NH_ALL,
		   NULL),
	ARCH_VALUE(ARCH_CMD, "Opcode", "TLBI_NH_ASID", ARCH_OP_TLBI_NH_ASID,
		   "CMDQ_OP_TLBI_NH_ASID"),
	ARCH_VALUE(ARCH_CMD, "Opcode", "TLBI_NH_VA", ARCH_OP_TLBI_NH_VA,
		   "CMDQ_OP_TLBI_NH_VA"),
	ARCH_VALUE(ARCH_CMD, "Opcode", "TLBI_NH_VAA", ARCH_OP_TLBI_NH_VAA,
		   NULL),
	ARCH_VALUE(ARCH_CMD, "Opcode", "TLBI_EL2_ALL", ARCH_OP_TLBI_EL2_ALL,
		   "CMDQ_OP_TLBI_EL2_ALL"),
	ARCH_VALUE(ARCH_CMD, "Opcode", "TLBI_S12_VMALL",
		   ARCH_OP_TLBI_S12_VMALL, "CMDQ_OP_TLBI_S12_VMALL"),
	ARCH_VALUE(ARCH_CMD, "Opcode", "TLBI_S2_IPA", ARCH_OP_TLBI_S2_IPA,
		   "CMDQ_OP_TLBI_S2_IPA"),
	ARCH_VALUE(ARCH_CMD, "Opcode", "TLBI_NSNH_ALL", ARCH_OP_TLBI_NSNH_ALL,
		   "CMDQ_OP_TLBI_NSNH_ALL"),
	ARCH_VALUE(ARCH_CMD, "Opcode", "ATC_INV", ARCH_OP_ATC_INV,
		   "CMDQ_OP_ATC_INV"),
	ARCH_VALUE(ARCH_CMD, "Opcode", "PRI_RESP", ARCH_OP_PRI_RESP,
		   "CMDQ_OP_PRI_RESP"),
	ARCH_VALUE(ARCH_CMD, "Opcode", "RESUME", ARCH_OP_RESUME,
		   "CMDQ_OP_RESUME"),
	ARCH_VALUE(ARCH_CMD, "Opcode", "STALL_TERM", ARCH_OP_STALL_TERM,
		   NULL),
	ARCH_VALUE(ARCH_CMD, "Opcode", "CMD_SYNC", ARCH_OP_SYNC,
		   "CMDQ_OP_CMD_SYNC"),
	ARCH_VALUE(ARCH_CMD, "CS", "none", ARCH_CMD_CS_NONE,
		   "CMDQ_SYNC_0_CS_NONE"),
	ARCH_VALUE(ARCH_CMD, "CS", "IRQ", ARCH_CMD_CS_IRQ,
		   "CMDQ_SYNC_0_CS_IRQ"),
	ARCH_VALUE(ARCH_CMD, "CS", "SEV", ARCH_CMD_CS_SEV,
		   "CMDQ_SYNC_0_CS_SEV"),
	ARCH_VALUE(ARCH_EVT, "EventType", "C_BAD_SUBSTREAMID",
		   ARCH_EVT_C_BAD_SUBSTREAMID, NULL),
	ARCH_VALUE(ARCH_EVT, "EventType", "F_CD_FETCH", ARCH_EVT_F_CD_FETCH,
		   NULL),
	ARCH_VALUE(ARCH_EVT, "EventType", "C_BAD_CD", ARCH_EVT_C_BAD_CD, NULL),
	ARCH_VALUE(ARCH_EVT, "EventType", "F_WALK_EABT",
		   ARCH_EVT_F_WALK_EABT, NULL),
	ARCH_VALUE(ARCH_EVT, "EventType", "F_TRANSLATION",
		   ARCH_EVT_F_TRANSLATION, "EVT_ID_TRANSLATION_FAULT"),
	ARCH_VALUE(ARCH_EVT, "EventType", "F_ADDR_SIZE", ARCH_EVT_F_ADDR_SIZE,
		   "EVT_ID_ADDR_SIZE_FAULT"),
	ARCH_VALUE(ARCH_EVT, "EventType", "F_ACCESS", ARCH_EVT_F_ACCESS,
		   "EVT_ID_ACCESS_FAULT"),
	ARCH_VALUE(ARCH_EVT, "EventType", "F_PERMISSION",
		   ARCH_EVT_F_PERMISSION, "EVT_ID_PERMISSION_FAULT"),
	/* 7.3: CLASS 0b10, the input address caused the fault */
	ARCH_VALUE(ARCH_EVT, "Class", "IN", ARCH_EVT_CLASS_IN, NULL),
	ARCH_VALUE(ARCH_IDR0, "STALL_MODEL", "stall",
		   ARCH_IDR0_STALL_MODEL_STALL, "IDR0_STALL_MODEL_STALL"),
	ARCH_VALUE(ARCH_IDR0, "STALL_MODEL", "force",
		   ARCH_IDR0_STALL_MODEL_FORCE, "IDR0_STALL_MODEL_FORCE"),
	ARCH_VALUE(ARCH_IDR0, "TTF", "AArch64", ARCH_IDR0_TTF_AARCH64,
		   "IDR0_TTF_AARCH64"),
	ARCH_VALUE(ARCH_S1PTE, "AP", "RW at EL0 and EL1",
		   ARCH_S1PTE_AP_RW_ANY, NULL),
	ARCH_VALUE(ARCH_S1PTE, "SH", "inner", ARCH_S1PTE_SH_ISH, NULL),
	{ ARCH_S2PTE, "MemAttr", "Device-nGnRE", ARCH_S2PTE_MEMATTR_DEV, true,
	  "ARM_LPAE_PTE_MEMATTR_DEV" },
	{ ARCH_S2PTE, "MemAttr", "Normal NC", ARCH_S2PTE_MEMATTR_NC, true,
	  "ARM_LPAE_PTE_MEMATTR_NC" },
	{ ARCH_S2PTE, "MemAttr", "forced Normal WB (S2FWB)",
	  ARCH_S2PTE_MEMATTR_FWB_WB, true, "ARM_LPAE_PTE_MEMATTR_FWB_WB" },
	{ ARCH_S2PTE, "MemAttr", "Normal WB, stage 1 may override",
	  ARCH_S2PTE_MEMATTR_OIWB, true, "ARM_LPAE_PTE_MEMATTR_OIWB" },
};

/* Absolute @hi..@lo of a structure: RES0 and IMPLEMENTATION DEFINED bits */
struct arch_range {
	unsigned short hi, lo;
};

/* IHI 0070 H.a 5.2: a 64-byte STE's RES0 and IMPLEMENTATION DEFINED bits */
static const struct arch_range arch_ste_res0[] __maybe_unused = {
	{ 58, 56 }, { 107, 105 }, { 252, 248 }, { 255, 255 }, { 301, 296 },
	{ 383, 376 }, { 387, 387 }, { 444, 440 }, { 447, 447 },
};

static const struct arch_range arch_ste_impdef[] __maybe_unused = {
	{ 127, 116 }, { 159, 144 }, { 271, 256 },
};

/* IHI 0070 H.a 5.4: a 64-byte CD's */
static const struct arch_range arch_cd_res0[] __maybe_unused = {
	{ 121, 120 }, { 185, 184 }, { 383, 376 }, { 447, 432 }, { 511, 496 },
};

static const struct arch_range arch_cd_impdef[] __maybe_unused = {
	{ 351, 320 },
};

/* The first of the @n ranges @r in which the words @w have a bit set, or NULL */
static inline const struct arch_range *
arch_first_set(const u64 *w, const struct arch_range *r, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (arch_field(w, r[i].hi, r[i].lo))
			return &r[i];
	return NULL;
}

/*
 * The first range of a 64-byte STE @w that must read as zero and does
 * not, or NULL; *@kind says whether it is RES0 or IMPLEMENTATION DEFINED
 */
static inline const struct arch_range *
arch_ste_reserved_set(const u64 *w, const char **kind)
{
	const struct arch_range *r;

	*kind = "RES0";
	r = arch_first_set(w, arch_ste_res0, ARRAY_SIZE(arch_ste_res0));
	if (r)
		return r;
	*kind = "IMPLEMENTATION DEFINED";
	return arch_first_set(w, arch_ste_impdef, ARRAY_SIZE(arch_ste_impdef));
}

#endif /* _ARM_SMMU_V3_NESTED_TEST_ARCH_H */
