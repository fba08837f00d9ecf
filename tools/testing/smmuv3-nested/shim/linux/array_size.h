/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's ARRAY_SIZE(), for building driver code in userspace. */
#ifndef __SHIM_LINUX_ARRAY_SIZE_H
#define __SHIM_LINUX_ARRAY_SIZE_H

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#endif
