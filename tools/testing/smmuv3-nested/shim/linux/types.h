/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel type names for building driver code in userspace. */
#ifndef __SHIM_LINUX_TYPES_H
#define __SHIM_LINUX_TYPES_H

#include_next <linux/types.h>
#include <stdbool.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define __maybe_unused	__attribute__((__unused__))

#endif
