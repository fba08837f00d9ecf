/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SMMUv3 command opcodes as the architecture defines them (IHI 0070,
 * 4.1), and a bit-field reader: what the nesting KUnit suites decode
 * commands with, instead of the driver's own masks and encoder.
 */
#ifndef _ARM_SMMU_V3_NESTED_TEST_ARCH_H
#define _ARM_SMMU_V3_NESTED_TEST_ARCH_H

#include <linux/types.h>

#define ARCH_OP_PREFETCH_CFG	0x01
#define ARCH_OP_CFGI_STE	0x03
#define ARCH_OP_CFGI_CD		0x05
#define ARCH_OP_CFGI_CD_ALL	0x06
#define ARCH_OP_TLBI_NH_ALL	0x10
#define ARCH_OP_TLBI_NH_VA	0x12
#define ARCH_OP_TLBI_NH_VAA	0x13
#define ARCH_OP_TLBI_S12_VMALL	0x28
#define ARCH_OP_ATC_INV		0x40
#define ARCH_OP_SYNC		0x46

/* @hi..@lo of a 64-bit word */
static inline u64 arch_bits(u64 w, unsigned int hi, unsigned int lo)
{
	return (w >> lo) & (~0ULL >> (63 - hi + lo));
}

#endif /* _ARM_SMMU_V3_NESTED_TEST_ARCH_H */
