/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace has no symbol exports. */
#ifndef __SHIM_LINUX_EXPORT_H
#define __SHIM_LINUX_EXPORT_H
#endif
