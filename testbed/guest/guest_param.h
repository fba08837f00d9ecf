/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The test bed's guest programs (/init, L1's vmm-host, the stock L2's
 * /init) take their settings from the kernel command line as
 * "testbed.NAME=value" words. (The kselftests have testbed_param() in
 * vfio_edu.h, an overlay file the pristine base's /init cannot include.)
 */
#ifndef TESTBED_GUEST_PARAM_H
#define TESTBED_GUEST_PARAM_H

#include <stdio.h>
#include <string.h>

/* The value of "testbed.@name=" into @out, or @def if the word is absent */
static inline void guest_param(const char *name, const char *def, char *out,
			       size_t size)
{
	char cmdline[1024] = "", key[64], *p;
	FILE *f = fopen("/proc/cmdline", "r");

	if (f) {
		if (!fgets(cmdline, sizeof(cmdline), f))
			cmdline[0] = 0;
		fclose(f);
	}
	snprintf(key, sizeof(key), "testbed.%s=", name);
	p = strstr(cmdline, key);
	snprintf(out, size, "%s", def);
	if (p)
		snprintf(out, size, "%.*s", (int)strcspn(p + strlen(key), "\n "),
			 p + strlen(key));
}

#endif
