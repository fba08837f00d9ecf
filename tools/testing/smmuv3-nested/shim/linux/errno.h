/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __SHIM_LINUX_ERRNO_H
#define __SHIM_LINUX_ERRNO_H

#include_next <linux/errno.h>

#endif
