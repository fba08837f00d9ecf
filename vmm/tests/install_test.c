// SPDX-License-Identifier: GPL-2.0
/*
 * Built against the installed library alone, as a VMM would build (the
 * flags pkg-config gives for smmuv3vmm), and run against its shared
 * object: the header, the uAPI copy beside it and the library agree.
 */
#include <stdio.h>
#include <smmuv3_vmm.h>

int main(void)
{
	/* CFGI_CD_ALL (opcode 0x06) of guest StreamID 0x42: IHI 0070 4.3 */
	const uint64_t cmd[2] = { 0x06ULL | 0x42ULL << 32, 0 };
	const struct vsmmu_caps caps = { 0 };
	struct vsmmu_devices devs = { 0 };
	struct vsmmu_cmd out;
	int ok, failed;

	/* The third result is the soname's, from the Makefile */
	printf("TAP version 13\n1..3\n");
	vsmmu_cmd_decode(cmd, &caps, &out);
	ok = out.action == VSMMU_INVALIDATE && out.scope == VSMMU_ONE_DEVICE &&
	     out.first == 0x42;
	printf("%sok 1 - installed library: CFGI_CD_ALL of StreamID 0x42 invalidates that device\n",
	       ok ? "" : "not ");
	failed = !ok;
	ok = !vsmmu_devices_add(&devs, 0x42, 7, 9) &&
	     vsmmu_devices_find(&devs, 0x42) &&
	     vsmmu_devices_find(&devs, 0x42)->dev_id == 7;
	vsmmu_devices_free(&devs);
	printf("%sok 2 - installed library: the device map finds what was added\n",
	       ok ? "" : "not ");
	/* A "not ok" fails make, as the Makefile's own checks do */
	return failed || !ok;
}
