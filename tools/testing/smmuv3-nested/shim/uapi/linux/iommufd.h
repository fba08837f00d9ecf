/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel includes <uapi/linux/...>; userspace has it as <linux/...>. */
#include <linux/iommufd.h>
