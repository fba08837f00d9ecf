/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace has no modules to export to. */
#ifndef __SHIM_KUNIT_VISIBILITY_H
#define __SHIM_KUNIT_VISIBILITY_H

#define EXPORT_SYMBOL_IF_KUNIT(...)

#endif
