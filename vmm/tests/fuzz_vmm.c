// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: any guest STE and any guest command, under any vSMMU
 * capabilities, gets an answer the kernel accepts and that drops what the
 * guest asked (vmm_check.h); any script of stall faults, guest
 * CMD_RESUMEs and CMD_STALL_TERMs and teardowns keeps the stall property
 * (stall_check.h): every resume answers the pending fault it names or,
 * naming none, nothing, and the map never exceeds its bound. Input: STE
 * words 0-1, a command, caps bits, SSIDSIZE, then the stall script.
 */
#include <stdlib.h>
#include <string.h>

#include "stall_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vsmmu_caps caps = { .ias = 44, .granules = 0x1000 };
	struct iommu_hwpt_arm_smmuv3_s1ctx ctx;
	struct vsmmu_ste ste = { { 0 } };
	uint64_t cmd[2];
	struct stall_tally tally = { 0 };
	struct vsmmu_cmd act;
	uint8_t c;

	if (size < 33)
		return 0;
	memcpy(ste.w, data, 16);
	memcpy(cmd, data + 16, 16);
	c = data[32];
	caps.cd2l = c & 1;
	caps.ats = c & 2;
	caps.stalls = c & 4;
	caps.asid_bits = c & 8 ? 16 : 8;
	caps.granules |= c & 16 ? 0x4000 : 0;
	caps.granules |= c & 32 ? 0x10000 : 0;
	caps.ssid_bits = size > 33 ? data[33] % 21 : 0;

	vsmmu_ste_decode(&ste, &caps, &ctx);
	if (!ste_answer_sound(&ctx, &caps))
		abort();
	vsmmu_cmd_decode(cmd, &caps, &act);
	if (!cmd_answer_sound(cmd, &caps, c & 64, &act))
		abort();
	if (size > 34 && !stall_script_sound(data + 34, size - 34, &tally))
		abort();
	return 0;
}
