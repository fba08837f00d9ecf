// SPDX-License-Identifier: GPL-2.0
/*
 * Every hardware field position of this project against one table, the
 * architecture's (arm-smmu-v3-nested-test-arch.h), so that a field put at
 * the wrong place cannot pass because its writer and its reader agree:
 *
 *  - each "+#define" the patches add under drivers/iommu/ and each field
 *    macro of our driver headers: a hardware-looking name the table does
 *    not know fails;
 *  - each field macro of our plain-C driver files, of the kselftests, of
 *    the host tests' headers and of the VMM library: macros are evaluated
 *    (decoders probed bit by bit) and the bits they touch compared;
 *  - the table itself: ranges inside their structure, fields disjoint,
 *    RES0 and IMPLEMENTATION DEFINED ranges disjoint from fields.
 *
 * gen_fields.sh lists the macros (generated files in -I$(OUT)/gen); a
 * listed macro this file does not check fails too.
 */
#include <string.h>

#include "tap.h"
#include "arm-smmu-v3-nested-test-arch.h"

/* The files whose macros are checked as they are */
#include "arm-smmu-v3-inv.c"
#include "arm-smmu-v3-event.c"
#include "arm-smmu-v3-uapi.c"
#include "../selftests/iommu/smmuv3_guest.h"
#include "../../../vmm/tests/guest_encode.h"

/* The VMM library's reader (vmm/lib/vsmmu_{ste,cmd}.c): hi..lo of a word */
static u64 field(u64 w, unsigned int hi, unsigned int lo)
{
	return arch_bits(w, hi, lo);
}

/*
 * Its writer (vmm/lib/vsmmu_stall.c): absolute hi..lo, in place in their
 * word, which is noted: it must be the word the encoder's name says
 */
static unsigned int placed_word;

static u64 place(u64 v, unsigned int hi, unsigned int lo)
{
	placed_word = lo / 64;
	return (v & (~0ULL >> (63 - hi + lo))) << (lo % 64);
}

/* A guest STE as vmm/include/smmuv3_vmm.h holds it */
struct words {
	u64 w[8];
};

#include "decoders.h"

/* What the kernel macros the generator copied need on the host */
#ifndef BIT
#define BIT(n)			(1UL << (n))
#endif
#define BIT_ULL(n)		(1ULL << (n))
#define GENMASK(h, l)		((~0UL >> (63 - (h))) & (~0UL << (l)))
#define GENMASK_ULL(h, l)	((~0ULL >> (63 - (h))) & (~0ULL << (l)))
typedef u64 arm_lpae_iopte;

struct kernel_define {
	const char *where, *name;
	u64 value;
	bool hw;
};

static const struct kernel_define kernel_defines[] = {
#include "kernel_defines.inc"
};

struct seen {
	const char *file, *tag, *name;
};

static const struct seen seen[] = {
#include "seen.inc"
};

/* Macros checked, by file tag and name: every seen one must be here */
static struct {
	char tag[48], name[48];
} checked[512];
static unsigned int nchecked;

static const char *cur_tag;	/* the included file being checked */
static char cur_where[48];	/* the file of the macro being checked */

/* Record "tag__NAME" (copied macro) or NAME of cur_tag; return NAME */
static const char *note(const char *token)
{
	const char *sep = strstr(token, "__");
	const char *name = sep ? sep + 2 : token;
	unsigned int n = sep ? (unsigned int)(sep - token) : strlen(cur_tag);

	snprintf(cur_where, sizeof(cur_where), "%.*s", (int)n,
		 sep ? token : cur_tag);
	if (nchecked < ARRAY_SIZE(checked)) {
		snprintf(checked[nchecked].tag, sizeof(checked[0].tag), "%s",
			 cur_where);
		snprintf(checked[nchecked].name, sizeof(checked[0].name), "%s",
			 name);
		nchecked++;
	}
	return name;
}

static const struct arch_field_desc *find_field(unsigned int st,
						const char *form,
						const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(arch_fields); i++) {
		const struct arch_field_desc *f = &arch_fields[i];

		if (f->st == st && !strcmp(f->name, name) &&
		    (!form || !f->form || !strcmp(form, f->form)))
			return f;
	}
	return NULL;
}

static const struct arch_value_desc *find_value(unsigned int st,
						const char *field,
						const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(arch_values); i++)
		if (arch_values[i].st == st &&
		    !strcmp(arch_values[i].field, field) &&
		    !strcmp(arch_values[i].name, name))
			return &arch_values[i];
	return NULL;
}

/* "STE[89]" or "STE[63:59]" */
static const char *bits_str(char *buf, size_t n, unsigned int st,
			    unsigned int hi, unsigned int lo)
{
	if (hi == lo)
		snprintf(buf, n, "%s[%u]", arch_structs[st].name, hi);
	else
		snprintf(buf, n, "%s[%u:%u]", arch_structs[st].name, hi, lo);
	return buf;
}

static bool range_ok(const struct arch_field_desc *f, unsigned int hi,
		     unsigned int lo)
{
	return lo == f->lo && hi <= f->hi && hi >= f->min_hi;
}

/* @what at bits @hi..@lo: is that where the table has @f? */
static void expect_at(const char *what, const char *where, unsigned int st,
		      const char *form, const char *fname, unsigned int hi,
		      unsigned int lo)
{
	const struct arch_field_desc *f = find_field(st, form, fname);
	char got[32], want[32];

	if (!f) {
		result(false, "%s (%s): no %s.%s in the table", what, where,
		       arch_structs[st].name, fname);
		return;
	}
	bits_str(got, sizeof(got), st, hi, lo);
	bits_str(want, sizeof(want), st, f->hi, f->lo);
	if (range_ok(f, hi, lo))
		result(true, "%s (%s): %s.%s at %s", what, where,
		       arch_structs[st].name, f->name, got);
	else
		result(false, "%s (%s): %s but %s says %s.%s is %s", what,
		       where, got, f->ref, arch_structs[st].name, f->name,
		       want);
}

/* Bits of @v as a range, in word @word; false unless contiguous */
static bool mask_range(u64 v, unsigned int word, unsigned int *hi,
		       unsigned int *lo)
{
	if (!v)
		return false;
	*lo = __builtin_ctzll(v);
	*hi = 63 - __builtin_clzll(v);
	if (v != (~0ULL >> (63 - *hi + *lo)) << *lo)
		return false;
	*lo += word * 64;
	*hi += word * 64;
	return true;
}

static void check_mask(const char *token, const char *where, u64 v,
		       unsigned int word, unsigned int st, const char *form,
		       const char *fname)
{
	const char *name = note(token);
	unsigned int hi, lo;

	if (!mask_range(v, word, &hi, &lo))
		result(false, "%s (%s): %#llx is not one field", name, where,
		       (unsigned long long)v);
	else
		expect_at(name, where, st, form, fname, hi, lo);
}

/*
 * An encoder @name(x): fed the field's all-ones value it must fill the
 * field exactly; fed ~0 it fills it too, or is a plain shift to its @lo.
 */
static void check_enc(const char *token, u64 ones, u64 all, unsigned int word,
		      unsigned int st, const char *form, const char *fname)
{
	const struct arch_field_desc *f = find_field(st, form, fname);
	const char *name = note(token);
	unsigned int hi, lo;

	if (!mask_range(ones, word, &hi, &lo)) {
		result(false, "%s (%s): %#llx is not one field", name,
		       cur_where, (unsigned long long)ones);
		return;
	}
	if (f && all != ones && all != ~0ULL << (lo % 64))
		hi = 63 - __builtin_clzll(all) + word * 64;
	expect_at(name, cur_where, st, form, fname, hi, lo);
}

#define ONES(st, form, fname)	field_ones(st, form, fname)

/* An encoder of place(): ENC's check, and the word it names is its own */
static void check_placed(const char *token, u64 ones, u64 all,
			 unsigned int word, unsigned int st, const char *form,
			 const char *fname)
{
	if (placed_word != word) {
		const char *name = note(token);

		result(false, "%s (%s): writes bits of word %u, named for word %u",
		       name, cur_where, placed_word, word);
		return;
	}
	check_enc(token, ones, all, word, st, form, fname);
}

static u64 field_ones(unsigned int st, const char *form, const char *fname)
{
	const struct arch_field_desc *f = find_field(st, form, fname);
	unsigned int width = f ? f->hi - f->lo + 1 : 1;

	return width >= 64 ? ~0ULL : (1ULL << width) - 1;
}

/* Probed decoder: which single bits of a zero structure it sees */
static void check_probe(const char *token, const char *where,
			const u64 *seen_bits, unsigned int st,
			const char *form, const char *fname)
{
	const char *name = note(token);
	unsigned int b, hi = 0, lo = ~0U, n = 0;

	for (b = 0; b < arch_structs[st].bits; b++) {
		if (!(seen_bits[b / 64] >> (b % 64) & 1))
			continue;
		lo = lo < b ? lo : b;
		hi = b;
		n++;
	}
	if (!n || n != hi - lo + 1)
		result(false, "%s (%s): sees %u bits, not one field", name,
		       where, n);
	else
		expect_at(name, where, st, form, fname, hi, lo);
}

/* DEC(m): m(words); DECS(m): m(&struct words); DEC32(m): m(u32) */
#define PROBE(expr, token, where, st, form, fname) do {			\
	u64 w[8], seen_bits[8] = {};					\
	struct words s;							\
	unsigned int b;							\
									\
	for (b = 0; b < arch_structs[st].bits; b++) {			\
		u64 x = 1ULL << (b % 64);				\
									\
		memset(w, 0, sizeof(w));				\
		w[b / 64] = x;						\
		memcpy(s.w, w, sizeof(s.w));				\
		(void)s;						\
		if (expr)						\
			seen_bits[b / 64] |= x;				\
	}								\
	check_probe(token, where, seen_bits, st, form, fname);		\
} while (0)

#define DEC(m, st, form, fname) \
	PROBE((m(w)), #m, cur_where, st, form, fname)
#define DECS(m, st, form, fname) \
	PROBE((m(&s)), #m, cur_where, st, form, fname)
#define DEC32(m, st, fname) \
	PROBE((b < 32 && m((u32)x)), #m, cur_where, st, NULL, fname)
#define MASK(m, word, st, form, fname) \
	check_mask(#m, cur_where, (u64)(m), word, st, form, fname)
#define ENC(m, word, st, form, fname)					\
	check_enc(#m, (u64)m(ONES(st, form, fname)), (u64)m(~0ULL), word, \
		  st, form, fname)
#define PLACED_ENC(m, word, st, form, fname)				\
	check_placed(#m, (u64)m(ONES(st, form, fname)), (u64)m(~0ULL),	\
		     word, st, form, fname)
/* An encoder taking the value already in place (an address) */
#define PLACED(m, word, st, form, fname) \
	check_mask(#m, cur_where, (u64)m(~0ULL), word, st, form, fname)
#define BF(m, st, form, fname)						\
	expect_at(note(#m), cur_where, st, form, fname,			\
		  (m).word * 64 + (m).hi, (m).word * 64 + (m).lo)

/* An encoding: bare (CODE), or in place in word @word (VAL) */
static void check_value(const char *token, u64 v, int word, unsigned int st,
			const char *form, const char *fname, const char *vname)
{
	const struct arch_field_desc *f = find_field(st, form, fname);
	const struct arch_value_desc *e = vname ?
		find_value(st, fname, vname) : NULL;
	const char *name = note(token);
	u64 bare = v;

	if (!f || (vname && !e)) {
		result(false, "%s (%s): no %s.%s%s%s in the table", name,
		       cur_where, arch_structs[st].name, fname,
		       vname ? " = " : "", vname ? vname : "");
		return;
	}
	if (word >= 0) {
		u64 m = arch_word_mask(word, f->hi, f->lo);

		if (!m || v & ~m) {
			result(false, "%s (%s): %#llx lies outside %s.%s",
			       name, cur_where, (unsigned long long)v,
			       arch_structs[st].name, f->name);
			return;
		}
		bare = v >> __builtin_ctzll(m);
	}
	if (e)
		result(bare == e->value,
		       "%s (%s): %s.%s %s is %#llx (table: %#llx)", name,
		       cur_where, arch_structs[st].name, fname, vname,
		       (unsigned long long)bare,
		       (unsigned long long)e->value);
	else
		result(bare >> (f->hi - f->lo) >> 1 == 0,
		       "%s (%s): %#llx fits %s.%s", name, cur_where,
		       (unsigned long long)bare, arch_structs[st].name,
		       fname);
}

#define VAL(m, word, st, form, fname, vname) \
	check_value(#m, (u64)(m), word, st, form, fname, vname)
#define CODE(m, st, form, fname, vname) \
	check_value(#m, (u64)(m), -1, st, form, fname, vname)
/* A shift to the field's lowest bit, in word @word */
static void check_shift(const char *token, unsigned int lo, unsigned int st,
			const char *form, const char *fname)
{
	const struct arch_field_desc *f = find_field(st, form, fname);
	const char *name = note(token);

	result(f && f->lo == lo,
	       "%s (%s): shifts to %s[%u], the lowest bit of %s.%s%s",
	       name, cur_where, arch_structs[st].name, lo,
	       arch_structs[st].name, fname, f && f->lo == lo ? "" :
	       " (it is not)");
}

#define SHIFT(m, word, st, form, fname) \
	check_shift(#m, (word) * 64 + (m), st, form, fname)
#define NOT_A_FIELD(m, why) \
	result(true, "%s (%s): not a field: %s", note(#m), cur_where, why)

#define T(x)	ARCH_##x

/* arm-smmu-v3-inv.c: the invalidation translator's command encoders */
static void check_inv(void)
{
	cur_tag = "arm_smmu_v3_inv_c";
	NOT_A_FIELD(CMD_FIELD, "the encoders' helper");
	ENC(CMD0_OP, 0, T(CMD), NULL, "Opcode");
	MASK(CMD0_ATC_GLOBAL, 0, T(CMD), "ATC_INV", "G");
	MASK(CMD0_SSV, 0, T(CMD), NULL, "SSV");
	ENC(CMD0_NUM, 0, T(CMD), "TLBI", "NUM");
	ENC(CMD0_SCALE, 0, T(CMD), "TLBI", "SCALE");
	ENC(CMD0_SSID, 0, T(CMD), "ATC_INV", "SubstreamID");
	ENC(CMD0_VMID, 0, T(CMD), "TLBI", "VMID");
	ENC(CMD0_SID, 0, T(CMD), "ATC_INV", "StreamID");
	ENC(CMD0_ASID, 0, T(CMD), "TLBI", "ASID");
	ENC(CMD1_LEAF, 1, T(CMD), "TLBI", "Leaf");
	ENC(CMD1_TG, 1, T(CMD), "TLBI", "TG");
	PLACED(CMD1_ADDR, 1, T(CMD), "TLBI", "Address");
	ENC(CMD1_ATC_SIZE, 1, T(CMD), "ATC_INV", "Size");

	cur_tag = "arm_smmu_v3_inv_h";
	CODE(SMMUV3_OP_CFGI_CD, T(CMD), NULL, "Opcode", "CFGI_CD");
	CODE(SMMUV3_OP_CFGI_CD_ALL, T(CMD), NULL, "Opcode", "CFGI_CD_ALL");
	CODE(SMMUV3_OP_TLBI_NH_ALL, T(CMD), NULL, "Opcode", "TLBI_NH_ALL");
	CODE(SMMUV3_OP_TLBI_NH_ASID, T(CMD), NULL, "Opcode", "TLBI_NH_ASID");
	CODE(SMMUV3_OP_TLBI_NH_VA, T(CMD), NULL, "Opcode", "TLBI_NH_VA");
	CODE(SMMUV3_OP_TLBI_NH_VAA, T(CMD), NULL, "Opcode", "TLBI_NH_VAA");
	CODE(SMMUV3_OP_ATC_INV, T(CMD), NULL, "Opcode", "ATC_INV");
}

/* arm-smmu-v3-event.c: what the kernel reads of an event record */
static void check_event(void)
{
	cur_tag = "arm_smmu_v3_event_c";
	DEC(EVT0_ID, T(EVT), NULL, "EventType");
	MASK(EVT0_SSV, 0, T(EVT), NULL, "SSV");
	DEC(EVT0_SSID, T(EVT), NULL, "SubstreamID");
	MASK(EVT0_SID_MASK, 0, T(EVT), NULL, "StreamID");
	DEC(EVT0_SID, T(EVT), NULL, "StreamID");
	MASK(EVT1_STAG_MASK, 1, T(EVT), NULL, "STAG");
	MASK(EVT1_STALL, 1, T(EVT), NULL, "Stall");
	MASK(EVT1_PNU, 1, T(EVT), NULL, "PnU");
	MASK(EVT1_IND, 1, T(EVT), NULL, "InD");
	MASK(EVT1_RNW, 1, T(EVT), NULL, "RnW");
	MASK(EVT1_S2, 1, T(EVT), NULL, "S2");
	MASK(EVT3_IPA_MASK, 3, T(EVT), NULL, "IPA");

	cur_tag = "arm_smmu_v3_event_h";
	CODE(SMMUV3_EVT_C_BAD_SUBSTREAMID, T(EVT), NULL, "EventType",
	     "C_BAD_SUBSTREAMID");
	CODE(SMMUV3_EVT_F_CD_FETCH, T(EVT), NULL, "EventType", "F_CD_FETCH");
	CODE(SMMUV3_EVT_C_BAD_CD, T(EVT), NULL, "EventType", "C_BAD_CD");
	CODE(SMMUV3_EVT_F_WALK_EABT, T(EVT), NULL, "EventType",
	     "F_WALK_EABT");
	CODE(SMMUV3_EVT_F_TRANSLATION, T(EVT), NULL, "EventType",
	     "F_TRANSLATION");
	CODE(SMMUV3_EVT_F_ADDR_SIZE, T(EVT), NULL, "EventType", "F_ADDR_SIZE");
	CODE(SMMUV3_EVT_F_ACCESS, T(EVT), NULL, "EventType", "F_ACCESS");
	CODE(SMMUV3_EVT_F_PERMISSION, T(EVT), NULL, "EventType",
	     "F_PERMISSION");
}

/* arm-smmu-v3-uapi.c: the stage-1 context checks */
static void check_uapi(void)
{
	cur_tag = "arm_smmu_v3_uapi_c";
	result(S1CTXPTR_ALIGN == 1ULL << ARCH_LO(ARCH_STE_S1CONTEXTPTR),
	       "%s (%s): %u-byte alignment is S1ContextPtr's lowest bit",
	       note("S1CTXPTR_ALIGN"), cur_tag, S1CTXPTR_ALIGN);
	CODE(S1FMT_64K_L2, T(STE), NULL, "S1Fmt", "64KB L2");
	CODE(S1DSS_SSID0, T(STE), NULL, "S1DSS", "substream 0");
	CODE(S1CSH_RESERVED, T(STE), NULL, "S1CSH", "reserved");
}

/* smmuv3_guest.h: the CD and page tables the kselftests write */
static void check_guest_h(void)
{
	cur_tag = "smmuv3_guest_h";
	ENC(CD0_T0SZ, 0, T(CD), NULL, "T0SZ");
	VAL(CD0_IR0_WBWA, 0, T(CD), NULL, "IR0", "WBWA");
	VAL(CD0_OR0_WBWA, 0, T(CD), NULL, "OR0", "WBWA");
	VAL(CD0_SH0_ISH, 0, T(CD), NULL, "SH0", "inner");
	MASK(CD0_EPD1, 0, T(CD), NULL, "EPD1");
	MASK(CD0_V, 0, T(CD), NULL, "V");
	VAL(CD0_IPS_44BIT, 0, T(CD), NULL, "IPS", "44 bits");
	MASK(CD0_AA64, 0, T(CD), NULL, "AA64");
	MASK(CD0_A, 0, T(CD), NULL, "A");
	ENC(CD0_ASID, 0, T(CD), NULL, "ASID");
	MASK(CD1_TTB0_MASK, 1, T(CD), NULL, "TTB0");
	ENC(CD3_MAIR0, 3, T(CD), NULL, "MAIR0");
	VAL(CD_MAIR_NORMAL_WB, 3, T(CD), NULL, "MAIR0", NULL);
	MASK(PTE_VALID, 0, T(S1PTE), NULL, "Valid");
	MASK(PTE_TABLE, 0, T(S1PTE), NULL, "Type");
	VAL(PTE_AP_RW_ANY, 0, T(S1PTE), NULL, "AP", "RW at EL0 and EL1");
	VAL(PTE_SH_ISH, 0, T(S1PTE), NULL, "SH", "inner");
	MASK(PTE_AF, 0, T(S1PTE), NULL, "AF");
	MASK(PTE_ADDR_MASK, 0, T(S1PTE), NULL, "OA");
}

/* Kselftest files: their macros, copied by gen_fields.sh */
static void check_kselftests(void)
{
	cur_tag = "kselftests";
	MASK(smmuv3_coherency_c__IDR3_FWB, 0, T(IDR3), NULL, "FWB");
	MASK(smmuv3_fault_flood_c__CD0_R, 0, T(CD), NULL, "R");
	MASK(smmuv3_nested_msi_c__CD0_R, 0, T(CD), NULL, "R");
	MASK(smmuv3_nested_events_c__CD0_R, 0, T(CD), NULL, "R");
	MASK(smmuv3_nested_c__IDR0_S1P, 0, T(IDR0), NULL, "S1P");
	MASK(smmuv3_nested_c__IDR0_S2P, 0, T(IDR0), NULL, "S2P");
	MASK(smmuv3_nested_c__IDR0_VMID16, 0, T(IDR0), NULL, "VMID16");
	MASK(smmuv3_nested_c__IDR0_CD2L, 0, T(IDR0), NULL, "CD2L");
	DEC32(smmuv3_nested_c__IDR0_STALL, T(IDR0), "STALL_MODEL");
	DEC32(smmuv3_nested_c__IDR1_SSIDSIZE, T(IDR1), "SSIDSIZE");
	DEC(smmuv3_nested_events_c__RAW_ID, T(EVT), NULL, "EventType");
	DEC(smmuv3_nested_events_c__RAW_SID, T(EVT), NULL, "StreamID");
	DEC(smmuv3_nested_events_c__RAW_RNW, T(EVT), NULL, "RnW");
	DEC(smmuv3_nested_events_c__RAW_S2, T(EVT), NULL, "S2");
	DEC(smmuv3_nested_events_c__RAW_IPA, T(EVT), NULL, "IPA");
	CODE(smmuv3_nested_events_c__EVT_C_BAD_CD, T(EVT), NULL, "EventType",
	     "C_BAD_CD");
	CODE(smmuv3_nested_events_c__EVT_F_TRANSL, T(EVT), NULL, "EventType",
	     "F_TRANSLATION");
}

/* guest_encode.h: the VMM tests' own field table and opcodes */
static void check_guest_encode(void)
{
	cur_tag = "guest_encode_h";
	BF(STE_V, T(STE), NULL, "V");
	BF(STE_CONFIG, T(STE), NULL, "Config");
	BF(STE_S1FMT, T(STE), NULL, "S1Fmt");
	BF(STE_S1CTXPTR_51_6, T(STE), NULL, "S1ContextPtr");
	BF(STE_S1CDMAX, T(STE), NULL, "S1CDMax");
	BF(STE_S1DSS, T(STE), NULL, "S1DSS");
	BF(STE_S1CIR, T(STE), NULL, "S1CIR");
	BF(STE_S1COR, T(STE), NULL, "S1COR");
	BF(STE_S1CSH, T(STE), NULL, "S1CSH");
	BF(STE_S1STALLD, T(STE), NULL, "S1STALLD");
	BF(STE_EATS, T(STE), NULL, "EATS");
	BF(CMD_OPCODE, T(CMD), NULL, "Opcode");
	BF(CMD_GLOBAL, T(CMD), "ATC_INV", "G");
	BF(CMD_SSV, T(CMD), NULL, "SSV");
	BF(CMD_SSID, T(CMD), "CFGI", "SubstreamID");
	BF(CMD_NUM, T(CMD), "TLBI", "NUM");
	BF(CMD_SCALE, T(CMD), "TLBI", "SCALE");
	BF(CMD_VMID, T(CMD), "TLBI", "VMID");
	BF(CMD_SID, T(CMD), "CFGI", "StreamID");
	BF(CMD_ASID, T(CMD), "TLBI", "ASID");
	BF(CMD_LEAF, T(CMD), "TLBI", "Leaf");
	BF(CMD_RANGE, T(CMD), "CFGI_STE_RANGE", "Range");
	BF(CMD_ATC_SIZE, T(CMD), "ATC_INV", "Size");
	BF(CMD_TTL, T(CMD), "TLBI", "TTL");
	BF(CMD_TG, T(CMD), "TLBI", "TG");
	BF(CMD_ADDR_63_12, T(CMD), "TLBI", "Address");
	BF(CMD_SSEC, T(CMD), NULL, "SSec");
	BF(CMD_RESUME_AC, T(CMD), "RESUME", "Ac");
	BF(CMD_RESUME_AB, T(CMD), "RESUME", "Ab");
	BF(CMD_STAG, T(CMD), "RESUME", "STAG");
	BF(EVT_ID, T(EVT), NULL, "EventType");
	BF(EVT_SSV, T(EVT), NULL, "SSV");
	BF(EVT_SSID, T(EVT), NULL, "SubstreamID");
	BF(EVT_SID, T(EVT), NULL, "StreamID");
	BF(EVT_STAG, T(EVT), NULL, "STAG");
	BF(EVT_STALL, T(EVT), NULL, "Stall");
	BF(EVT_PNU, T(EVT), NULL, "PnU");
	BF(EVT_IND, T(EVT), NULL, "InD");
	BF(EVT_RNW, T(EVT), NULL, "RnW");
	BF(EVT_S2, T(EVT), NULL, "S2");
	BF(EVT_CLASS, T(EVT), NULL, "Class");
	BF(EVT_INPUTADDR, T(EVT), NULL, "InputAddr");
	CODE(GUEST_PREFETCH_CONFIG, T(CMD), NULL, "Opcode",
	     "PREFETCH_CONFIG");
	CODE(GUEST_PREFETCH_ADDR, T(CMD), NULL, "Opcode", "PREFETCH_ADDR");
	CODE(GUEST_CFGI_STE, T(CMD), NULL, "Opcode", "CFGI_STE");
	CODE(GUEST_CFGI_STE_RANGE, T(CMD), NULL, "Opcode", "CFGI_STE_RANGE");
	CODE(GUEST_CFGI_CD, T(CMD), NULL, "Opcode", "CFGI_CD");
	CODE(GUEST_CFGI_CD_ALL, T(CMD), NULL, "Opcode", "CFGI_CD_ALL");
	CODE(GUEST_TLBI_NH_ALL, T(CMD), NULL, "Opcode", "TLBI_NH_ALL");
	CODE(GUEST_TLBI_NH_ASID, T(CMD), NULL, "Opcode", "TLBI_NH_ASID");
	CODE(GUEST_TLBI_NH_VA, T(CMD), NULL, "Opcode", "TLBI_NH_VA");
	CODE(GUEST_TLBI_NH_VAA, T(CMD), NULL, "Opcode", "TLBI_NH_VAA");
	CODE(GUEST_TLBI_EL2_ALL, T(CMD), NULL, "Opcode", "TLBI_EL2_ALL");
	CODE(GUEST_TLBI_S12_VMALL, T(CMD), NULL, "Opcode", "TLBI_S12_VMALL");
	CODE(GUEST_TLBI_S2_IPA, T(CMD), NULL, "Opcode", "TLBI_S2_IPA");
	CODE(GUEST_TLBI_NSNH_ALL, T(CMD), NULL, "Opcode", "TLBI_NSNH_ALL");
	CODE(GUEST_ATC_INV, T(CMD), NULL, "Opcode", "ATC_INV");
	CODE(GUEST_PRI_RESP, T(CMD), NULL, "Opcode", "PRI_RESP");
	CODE(GUEST_RESUME, T(CMD), NULL, "Opcode", "RESUME");
	CODE(GUEST_STALL_TERM, T(CMD), NULL, "Opcode", "STALL_TERM");
	CODE(GUEST_CMD_SYNC, T(CMD), NULL, "Opcode", "CMD_SYNC");
	CODE(GUEST_F_TRANSLATION, T(EVT), NULL, "EventType", "F_TRANSLATION");
	CODE(GUEST_CLASS_IN, T(EVT), NULL, "Class", "IN");
}

/* vmm/lib: the VMM library's readers and writers of guest structures */
static void check_vmm_lib(void)
{
	cur_tag = "vmm";
	DECS(vsmmu_ste_c__STE_V, T(STE), NULL, "V");
	DECS(vsmmu_ste_c__STE_CONFIG, T(STE), NULL, "Config");
	DECS(vsmmu_ste_c__STE_S1FMT, T(STE), NULL, "S1Fmt");
	DECS(vsmmu_ste_c__STE_S1CTXPTR, T(STE), NULL, "S1ContextPtr");
	DECS(vsmmu_ste_c__STE_S1CDMAX, T(STE), NULL, "S1CDMax");
	DECS(vsmmu_ste_c__STE_S1DSS, T(STE), NULL, "S1DSS");
	DECS(vsmmu_ste_c__STE_S1CIR, T(STE), NULL, "S1CIR");
	DECS(vsmmu_ste_c__STE_S1COR, T(STE), NULL, "S1COR");
	DECS(vsmmu_ste_c__STE_S1CSH, T(STE), NULL, "S1CSH");
	DECS(vsmmu_ste_c__STE_S1STALLD, T(STE), NULL, "S1STALLD");
	DECS(vsmmu_ste_c__STE_EATS, T(STE), NULL, "EATS");
	CODE(vsmmu_ste_c__CONFIG_ABORT, T(STE), NULL, "Config", "abort");
	CODE(vsmmu_ste_c__CONFIG_BYPASS, T(STE), NULL, "Config", "bypass");
	CODE(vsmmu_ste_c__CONFIG_S1, T(STE), NULL, "Config", "stage 1");
	CODE(vsmmu_ste_c__S1FMT_RESERVED, T(STE), NULL, "S1Fmt", "reserved");
	CODE(vsmmu_ste_c__S1DSS_RESERVED, T(STE), NULL, "S1DSS", "reserved");
	CODE(vsmmu_ste_c__EATS_FULL, T(STE), NULL, "EATS", "full ATS");

	DEC(vsmmu_cmd_c__CMD_OP, T(CMD), NULL, "Opcode");
	DEC(vsmmu_cmd_c__CMD_GLOBAL, T(CMD), "ATC_INV", "G");
	DEC(vsmmu_cmd_c__CMD_SSV, T(CMD), NULL, "SSV");
	DEC(vsmmu_cmd_c__CMD_SSID, T(CMD), "CFGI", "SubstreamID");
	DEC(vsmmu_cmd_c__CMD_SID, T(CMD), "CFGI", "StreamID");
	DEC(vsmmu_cmd_c__CMD_NUM, T(CMD), "TLBI", "NUM");
	DEC(vsmmu_cmd_c__CMD_SCALE, T(CMD), "TLBI", "SCALE");
	DEC(vsmmu_cmd_c__CMD_ASID, T(CMD), "TLBI", "ASID");
	DEC(vsmmu_cmd_c__CMD_LEAF, T(CMD), "TLBI", "Leaf");
	DEC(vsmmu_cmd_c__CMD_STE_RANGE, T(CMD), "CFGI_STE_RANGE", "Range");
	DEC(vsmmu_cmd_c__CMD_TG, T(CMD), "TLBI", "TG");
	DEC(vsmmu_cmd_c__CMD_ATC_SIZE, T(CMD), "ATC_INV", "Size");
	DEC(vsmmu_cmd_c__CMD_ADDR, T(CMD), "TLBI", "Address");
	DEC(vsmmu_cmd_c__CMD_SSEC, T(CMD), NULL, "SSec");
	DEC(vsmmu_cmd_c__CMD_RESUME_AC, T(CMD), "RESUME", "Ac");
	DEC(vsmmu_cmd_c__CMD_RESUME_AB, T(CMD), "RESUME", "Ab");
	DEC(vsmmu_cmd_c__CMD_STAG, T(CMD), "RESUME", "STAG");
	CODE(vsmmu_cmd_c__OP_PREFETCH_CONFIG, T(CMD), NULL, "Opcode",
	     "PREFETCH_CONFIG");
	CODE(vsmmu_cmd_c__OP_PREFETCH_ADDR, T(CMD), NULL, "Opcode",
	     "PREFETCH_ADDR");
	CODE(vsmmu_cmd_c__OP_CFGI_STE, T(CMD), NULL, "Opcode", "CFGI_STE");
	CODE(vsmmu_cmd_c__OP_CFGI_STE_RANGE, T(CMD), NULL, "Opcode",
	     "CFGI_STE_RANGE");
	CODE(vsmmu_cmd_c__OP_CFGI_CD, T(CMD), NULL, "Opcode", "CFGI_CD");
	CODE(vsmmu_cmd_c__OP_CFGI_CD_ALL, T(CMD), NULL, "Opcode",
	     "CFGI_CD_ALL");
	CODE(vsmmu_cmd_c__OP_TLBI_NH_ALL, T(CMD), NULL, "Opcode",
	     "TLBI_NH_ALL");
	CODE(vsmmu_cmd_c__OP_TLBI_NH_ASID, T(CMD), NULL, "Opcode",
	     "TLBI_NH_ASID");
	CODE(vsmmu_cmd_c__OP_TLBI_NH_VA, T(CMD), NULL, "Opcode", "TLBI_NH_VA");
	CODE(vsmmu_cmd_c__OP_TLBI_NH_VAA, T(CMD), NULL, "Opcode",
	     "TLBI_NH_VAA");
	CODE(vsmmu_cmd_c__OP_TLBI_NSNH_ALL, T(CMD), NULL, "Opcode",
	     "TLBI_NSNH_ALL");
	CODE(vsmmu_cmd_c__OP_ATC_INV, T(CMD), NULL, "Opcode", "ATC_INV");
	CODE(vsmmu_cmd_c__OP_CMD_SYNC, T(CMD), NULL, "Opcode", "CMD_SYNC");
	CODE(vsmmu_cmd_c__OP_RESUME, T(CMD), NULL, "Opcode", "RESUME");
	CODE(vsmmu_cmd_c__OP_STALL_TERM, T(CMD), NULL, "Opcode",
	     "STALL_TERM");

	MASK(vsmmu_event_c__EVT0_SID_MASK, 0, T(EVT), NULL, "StreamID");
	SHIFT(vsmmu_event_c__EVT0_SID_SHIFT, 0, T(EVT), NULL, "StreamID");

	PLACED_ENC(vsmmu_stall_c__EVT0_ID, 0, T(EVT), NULL, "EventType");
	PLACED_ENC(vsmmu_stall_c__EVT0_SSV, 0, T(EVT), NULL, "SSV");
	PLACED_ENC(vsmmu_stall_c__EVT0_SSID, 0, T(EVT), NULL, "SubstreamID");
	PLACED_ENC(vsmmu_stall_c__EVT0_SID, 0, T(EVT), NULL, "StreamID");
	PLACED_ENC(vsmmu_stall_c__EVT1_STAG, 1, T(EVT), NULL, "STAG");
	PLACED_ENC(vsmmu_stall_c__EVT1_STALL, 1, T(EVT), NULL, "Stall");
	PLACED_ENC(vsmmu_stall_c__EVT1_PNU, 1, T(EVT), NULL, "PnU");
	PLACED_ENC(vsmmu_stall_c__EVT1_IND, 1, T(EVT), NULL, "InD");
	PLACED_ENC(vsmmu_stall_c__EVT1_RNW, 1, T(EVT), NULL, "RnW");
	PLACED_ENC(vsmmu_stall_c__EVT1_CLASS, 1, T(EVT), NULL, "Class");
	PLACED_ENC(vsmmu_stall_c__EVT2_INPUTADDR, 2, T(EVT), NULL, "InputAddr");
	CODE(vsmmu_stall_c__EVT_F_TRANSLATION, T(EVT), NULL, "EventType",
	     "F_TRANSLATION");
	CODE(vsmmu_stall_c__EVT_CLASS_IN, T(EVT), NULL, "Class", "IN");
}

/* "STRTAB_STE_2_S2FWB" -> "STRTAB_STE_#_S2FWB", qword 2 in @qword */
static void strip_qword(const char *name, char *out, size_t n, int *qword)
{
	const char *p;

	snprintf(out, n, "%s", name);
	*qword = 0;
	for (p = name; *p; p++) {
		if (p > name && p[-1] == '_' && *p >= '0' && *p <= '9' &&
		    p[1] == '_') {
			*qword = *p - '0';
			out[p - name] = '#';
			return;
		}
	}
}

static const char *const software_prefixes[] = {
	"ARM_SMMU_FEAT_", "ARM_SMMU_OPT_", "IO_PGTABLE_QUIRK_", "IOMMU_",
};

static bool hw_name(const char *name)
{
	static const char *const prefixes[] = {
		"STRTAB_", "CTXDESC_", "CMDQ_", "EVTQ_", "PRIQ_", "IDR",
		"ARM_LPAE_PTE_",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

/* One kernel macro: a field (its mask) or an encoding the table names */
static void check_kernel_define(const struct kernel_define *d)
{
	char key[64], k2[64], got[32], want[32];
	int qword, q2;
	unsigned int i, hi, lo;

	for (i = 0; i < ARRAY_SIZE(software_prefixes); i++) {
		if (!strncmp(d->name, software_prefixes[i],
			     strlen(software_prefixes[i]))) {
			result(true, "%s (%s): a driver flag, no hardware bits",
			       d->name, d->where);
			return;
		}
	}
	if (!d->hw || !hw_name(d->name)) {
		result(false,
		       "%s (%s): neither a field the table knows nor a driver flag",
		       d->name, d->where);
		return;
	}
	strip_qword(d->name, key, sizeof(key), &qword);
	for (i = 0; i < ARRAY_SIZE(arch_values); i++) {
		const struct arch_value_desc *e = &arch_values[i];
		const struct arch_field_desc *f;
		u64 v = d->value;

		if (!e->mainline)
			continue;
		strip_qword(e->mainline, k2, sizeof(k2), &q2);
		if (strcmp(key, k2))
			continue;
		f = find_field(e->st, NULL, e->field);
		if (e->placed)
			v >>= f->lo % 64;
		result(v == e->value && qword == q2,
		       "%s (%s): %s.%s %s is %#llx in qword %d (table: %#llx in qword %d)",
		       d->name, d->where, arch_structs[e->st].name, e->field,
		       e->name, (unsigned long long)v, qword,
		       (unsigned long long)e->value, q2);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(arch_fields); i++) {
		const struct arch_field_desc *f = &arch_fields[i];

		if (!f->mainline)
			continue;
		strip_qword(f->mainline, k2, sizeof(k2), &q2);
		if (strcmp(key, k2))
			continue;
		if (!mask_range(d->value, qword, &hi, &lo)) {
			result(false, "%s (%s): %#llx is not one field",
			       d->name, d->where,
			       (unsigned long long)d->value);
			return;
		}
		bits_str(got, sizeof(got), f->st, hi, lo);
		bits_str(want, sizeof(want), f->st, f->hi, f->lo);
		result(range_ok(f, hi, lo),
		       "%s (%s): %s %s %s says %s.%s is %s", d->name, d->where, got,
		       range_ok(f, hi, lo) ? "and" : "but", f->ref,
		       arch_structs[f->st].name, f->name, want);
		return;
	}
	result(false,
	       "%s (%s): a hardware field the table does not know: add it to the table",
	       d->name, d->where);
}

/* The table itself */
static bool overlap(unsigned int h1, unsigned int l1, unsigned int h2,
		    unsigned int l2)
{
	return l1 <= h2 && l2 <= h1;
}

static unsigned int table_overlaps(void)
{
	unsigned int i, j, bad = 0;

	for (i = 0; i < ARRAY_SIZE(arch_fields); i++) {
		const struct arch_field_desc *a = &arch_fields[i];

		for (j = i + 1; j < ARRAY_SIZE(arch_fields); j++) {
			const struct arch_field_desc *b = &arch_fields[j];

			/* Fields of different commands share bits */
			if (a->st != b->st ||
			    !overlap(a->hi, a->lo, b->hi, b->lo))
				continue;
			if (a->form && b->form && strcmp(a->form, b->form))
				continue;
			printf("# %s.%s and %s.%s overlap\n",
			       arch_structs[a->st].name, a->name,
			       arch_structs[b->st].name, b->name);
			bad++;
		}
	}
	return bad;
}

static unsigned int reserved_overlaps(unsigned int st,
				      const struct arch_range *r,
				      unsigned int n)
{
	unsigned int i, j, bad = 0;

	for (i = 0; i < n; i++) {
		if (r[i].lo > r[i].hi || r[i].hi >= arch_structs[st].bits)
			bad++;
		for (j = 0; j < ARRAY_SIZE(arch_fields); j++) {
			const struct arch_field_desc *f = &arch_fields[j];

			if (f->st == st &&
			    overlap(f->hi, f->lo, r[i].hi, r[i].lo)) {
				printf("# %s[%u:%u] holds %s.%s\n",
				       arch_structs[st].name, r[i].hi, r[i].lo,
				       arch_structs[st].name, f->name);
				bad++;
			}
		}
	}
	return bad;
}

static void check_table(void)
{
	unsigned int i, bad = 0;

	for (i = 0; i < ARRAY_SIZE(arch_fields); i++) {
		const struct arch_field_desc *f = &arch_fields[i];

		if (f->st >= ARCH_NR_STRUCTS || f->lo > f->min_hi ||
		    f->min_hi > f->hi || f->hi - f->lo >= 64 ||
		    f->hi >= arch_structs[f->st].bits) {
			printf("# %s.%s: bad range\n",
			       arch_structs[f->st].name, f->name);
			bad++;
		}
	}
	result(!bad, "table: %zu fields inside their structures, at most 64 bits each",
	       ARRAY_SIZE(arch_fields));
	result(!table_overlaps(),
	       "table: no two fields of a structure overlap");
	bad = reserved_overlaps(ARCH_STE, arch_ste_res0,
				ARRAY_SIZE(arch_ste_res0)) +
	      reserved_overlaps(ARCH_STE, arch_ste_impdef,
				ARRAY_SIZE(arch_ste_impdef)) +
	      reserved_overlaps(ARCH_CD, arch_cd_res0,
				ARRAY_SIZE(arch_cd_res0)) +
	      reserved_overlaps(ARCH_CD, arch_cd_impdef,
				ARRAY_SIZE(arch_cd_impdef));
	result(!bad, "table: STE and CD RES0 and IMPLEMENTATION DEFINED ranges hold no field");
	for (i = 0, bad = 0; i < ARRAY_SIZE(arch_values); i++) {
		const struct arch_value_desc *e = &arch_values[i];
		const struct arch_field_desc *f = find_field(e->st, NULL,
							     e->field);

		if (!f || e->value >> (f->hi - f->lo) >> 1) {
			printf("# %s.%s %s does not fit\n",
			       arch_structs[e->st].name, e->field, e->name);
			bad++;
		}
	}
	result(!bad, "table: %zu encodings fit their fields",
	       ARRAY_SIZE(arch_values));
	/* The readers themselves, across a word boundary too */
	{
		u64 w[4] = {};

		arch_field_set(w, 123, 60, 0xabcdef0123456789ULL);
		result(arch_field(w, 123, 60) == 0xabcdef0123456789ULL &&
		       arch_field(w, 67, 64) == 0x8 && !w[2] && !w[3] &&
		       arch_word_mask(1, 123, 60) == ~0ULL >> 4 &&
		       arch_word_mask(0, 123, 60) == 0xfULL << 60,
		       "table: arch_field() and arch_field_set() across words");
	}
}

/* Every listed macro of a checked file was checked */
static void check_all_seen(void)
{
	unsigned int i, j, missing = 0;

	for (i = 0; i < ARRAY_SIZE(seen); i++) {
		for (j = 0; j < nchecked; j++)
			if (!strcmp(checked[j].tag, seen[i].tag) &&
			    !strcmp(checked[j].name, seen[i].name))
				break;
		if (j == nchecked) {
			result(false, "%s (%s): a field macro arch_fields_test.c does not check",
			       seen[i].name, seen[i].file);
			missing++;
		}
	}
	result(!missing, "all %zu field macros of the checked files were checked",
	       ARRAY_SIZE(seen));
}

int main(void)
{
	unsigned int i, from_patches = 0;

	printf("TAP version 13\n");
	check_table();
	for (i = 0; i < ARRAY_SIZE(kernel_defines); i++) {
		check_kernel_define(&kernel_defines[i]);
		from_patches += !strncmp(kernel_defines[i].where, "patches/", 8);
	}
	/* No patch read would check nothing the series adds */
	result(from_patches > 0, "%u macros the patch series adds were checked",
	       from_patches);
	check_inv();
	check_event();
	check_uapi();
	check_guest_h();
	check_kselftests();
	check_guest_encode();
	check_vmm_lib();
	check_all_seen();
	printf("1..%u\n", tests);
	printf("%u passed, %u failed\n", tests - failures, failures);
	return failures ? 1 : 0;
}
