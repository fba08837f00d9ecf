// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: arbitrary invalidation entries against arbitrary SMMU
 * targets. Whatever comes in, a refused entry writes no command and an
 * accepted one only sound commands (cmd_check.h): allowed opcodes, the
 * target's VMID and StreamIDs, every page of a range covered and nothing
 * more than one page past it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_check.h"

static const u32 sids[] = { 1, 0x10008, 0xffffffff, 42 };
static struct smmuv3_cmd cmds[SMMUV3_INV_MAX_TLBI_OPS + 4 + 1];
static struct smmuv3_cmd atc[4];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iommu_hwpt_invalidate_generic inv;
	static const bool pasid[4] = { true, false, true, false };
	struct smmuv3_inv_target t = { .sids = sids, .ats_sids = sids };
	struct smmuv3_inv_cmds out = { .cmds = cmds, .atc = atc };
	uint8_t knobs[4];
	int ret;

	if (size < sizeof(knobs) + sizeof(inv))
		return 0;
	memcpy(knobs, data, sizeof(knobs));
	memcpy(&inv, data + sizeof(knobs), sizeof(inv));

	t.vmid = knobs[0] | knobs[1] << 8;
	t.ril = knobs[2] & 1;
	t.asid_bits = knobs[2] & 2 ? 16 : 8;
	t.ssid_bits = (knobs[2] >> 2) % 21;
	t.granules = (knobs[2] & 0x40 ? 0x1000 : 0) | 0x4000 |
		     (knobs[2] & 0x80 ? 0x10000 : 0);
	t.nsids = knobs[3] % 5;
	t.nats = (knobs[3] >> 4) % (t.nsids + 1);
	t.ats_pasid = knobs[3] & 8 ? pasid : NULL;
	/* Canary just past the room the translator may use */
	cmds[smmuv3_inv_max_cmds(&t)].w[0] = 0xdead;

	ret = smmuv3_inv_translate(&inv, &t, &out);
	if (ret && (out.ncmds || out.natc))
		abort();
	if (ret && ret != -EINVAL && ret != -EOPNOTSUPP)
		abort();
	if (!ret && !commands_sound(&inv, &t, &out))
		abort();
	if (cmds[smmuv3_inv_max_cmds(&t)].w[0] != 0xdead)
		abort();
	return 0;
}
