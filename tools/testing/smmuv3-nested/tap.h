/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAP results for the host tests (this directory's and vmm/'s): one
 * "ok N - what" or "not ok N - what" line a check, counted.
 */
#ifndef __SMMUV3_NESTED_TAP_H
#define __SMMUV3_NESTED_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

static unsigned int tests, failures;

static void result(bool ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void result(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %u - ", ok ? "" : "not ", ++tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failures += !ok;
}

#endif
