/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stall property, shared by the host tests and the fuzzer: a script
 * of faults, guest commands and teardowns, run against the library and
 * against a model of the pending stalls kept here. It holds when
 *
 * - a fault the library takes becomes a record with the fault's fields at
 *   the test's own positions (guest_encode.h), Stall 1, and a STAG that
 *   no other pending stall holds; one it does not take is answered at
 *   once (INVALID, its cookie), and only for the model's reasons: not a
 *   stall of this uAPI, a device not behind the vSMMU, a full map;
 * - every guest CMD_RESUME answers the pending stall its StreamID and
 *   STAG name (SUCCESS for Retry, INVALID for Abort and Term) or, naming
 *   none (unknown, answered already, another StreamID's), nothing at all,
 *   as IHI 0070 4.7.1 has it; CMD_STALL_TERM answers exactly the stalls
 *   of its StreamID, oldest first; both are CERROR_ILL without stalls or
 *   with SSec set;
 * - the map holds what the model holds, in order, never more than its
 *   bound.
 *
 * Commands are written and read with guest_encode.h, never the library's
 * macros.
 */
#ifndef VMM_TESTS_STALL_CHECK_H
#define VMM_TESTS_STALL_CHECK_H

#include <string.h>

#include "vmm_check.h"

/* The devices: 7 at StreamIDs 0x10 and 0x20 (an alias), 8 at 0x18 */
#define STALL_DEV_A	7
#define STALL_DEV_B	8
#define STALL_DEV_NONE	9
#define STALL_MAX	16	/* the largest bound a script asks for */

struct stall_model {
	struct vsmmu_stall s[STALL_MAX];
	unsigned int n, max;
	uint16_t answered[8];	/* STAGs answered lately: stale ones */
	unsigned int n_answered;
};

/* What a script did: each kind must happen for a run to have teeth */
struct stall_tally {
	unsigned long faults, refused, full, matched, unmatched, termed,
		      illegal, forgotten;
};

struct stall_script {
	const uint8_t *p;
	size_t left;
};

static inline unsigned int stall_byte(struct stall_script *sc)
{
	if (!sc->left)
		return 0;
	sc->left--;
	return *sc->p++;
}

static inline uint64_t stall_bytes(struct stall_script *sc, unsigned int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | stall_byte(sc);
	return v;
}

/* The guest StreamID of the record of a fault of @dev_id */
static inline uint32_t stall_vsid(uint32_t dev_id)
{
	return dev_id == STALL_DEV_A ? 0x10 : 0x18;
}

static inline void stall_model_drop(struct stall_model *m, unsigned int i,
				    bool answered)
{
	if (answered)
		m->answered[m->n_answered++ % ARRAY_SIZE(m->answered)] =
			m->s[i].stag;
	memmove(&m->s[i], &m->s[i + 1], (m->n - i - 1) * sizeof(m->s[0]));
	m->n--;
}

/* The record the test expects for fault @f given @stag and @vsid */
static inline void stall_expected(const struct iommu_hwpt_pgfault *f,
				  uint32_t vsid, uint16_t stag, uint64_t w[4])
{
	bool write = f->perm & IOMMU_PGFAULT_PERM_WRITE;
	bool pasid = f->flags & IOMMU_PGFAULT_FLAGS_PASID_VALID;

	memset(w, 0, 4 * sizeof(*w));
	put(w, EVT_ID, GUEST_F_TRANSLATION);
	put(w, EVT_SSV, pasid);
	put(w, EVT_SSID, pasid ? f->pasid : 0);
	put(w, EVT_SID, vsid);
	put(w, EVT_STAG, stag);
	put(w, EVT_STALL, 1);
	put(w, EVT_PNU, !!(f->perm & IOMMU_PGFAULT_PERM_PRIV));
	put(w, EVT_IND, !write && (f->perm & IOMMU_PGFAULT_PERM_EXEC));
	put(w, EVT_RNW, !write);
	put(w, EVT_S2, 0);
	put(w, EVT_CLASS, GUEST_CLASS_IN);
	put(w, EVT_INPUTADDR, f->addr);
}

/* Is @f a stall of the 6.12 uAPI, as the test reads iommufd.h? */
static inline bool stall_fault_valid(const struct iommu_hwpt_pgfault *f)
{
	uint32_t flags = IOMMU_PGFAULT_FLAGS_PASID_VALID |
			 IOMMU_PGFAULT_FLAGS_LAST_PAGE;
	uint32_t rw = IOMMU_PGFAULT_PERM_READ | IOMMU_PGFAULT_PERM_WRITE;
	uint32_t perms = rw | IOMMU_PGFAULT_PERM_EXEC |
			 IOMMU_PGFAULT_PERM_PRIV;

	return !(f->flags & ~flags) &&
	       (f->flags & IOMMU_PGFAULT_FLAGS_LAST_PAGE) &&
	       !((f->flags & IOMMU_PGFAULT_FLAGS_PASID_VALID) &&
		 f->pasid >= 1u << 20) &&
	       !(f->perm & ~perms) && (f->perm & rw) && !f->__reserved;
}

/* One fault of the script through vsmmu_fault_encode() */
static inline bool stall_fault(struct stall_script *sc,
			       struct vsmmu_stalls *st,
			       struct vsmmu_devices *d, struct stall_model *m,
			       struct stall_tally *t)
{
	static const uint32_t devs[] = {
		STALL_DEV_A, STALL_DEV_B, STALL_DEV_NONE, STALL_DEV_A,
	};
	unsigned int how = stall_byte(sc), odd = stall_byte(sc), i;
	struct iommu_hwpt_pgfault f = {
		.dev_id = devs[how % ARRAY_SIZE(devs)],
		.flags = IOMMU_PGFAULT_FLAGS_LAST_PAGE,
		.perm = stall_byte(sc) % 16,
		.cookie = 1 + stall_byte(sc) % 24,
		.grpid = stall_byte(sc),
		.addr = stall_bytes(sc, 8),
	};
	struct iommu_hwpt_page_response resp = { 0, 99 };
	uint64_t evt[4], want[4];
	int ret, expect;

	/* A PASID that is not valid is not read */
	f.pasid = stall_bytes(sc, 3) & 0xfffff;
	if (how & 4)
		f.flags |= IOMMU_PGFAULT_FLAGS_PASID_VALID;
	/* Now and then something that is no stall of this uAPI */
	switch (odd % 32) {
	case 0:
		f.flags &= ~IOMMU_PGFAULT_FLAGS_LAST_PAGE;
		break;
	case 1:
		f.flags |= 1u << (2 + odd / 32);
		break;
	case 2:
		f.pasid |= 1u << (20 + odd / 32);
		break;
	case 3:
		f.perm |= 1u << (4 + odd / 32);
		break;
	case 4:
		f.__reserved = 1u << (odd / 8);
		break;
	}
	if (!stall_fault_valid(&f))
		expect = -EINVAL;
	else if (f.dev_id == STALL_DEV_NONE)
		expect = -ENOENT;
	else
		expect = 0;
	if (!expect) {
		/* A cookie seen again: the kernel answered its stall itself */
		for (i = 0; i < m->n; i++)
			if (m->s[i].cookie == f.cookie)
				stall_model_drop(m, i, false);
		if (m->n == m->max)
			expect = -ENOSPC;
	}
	ret = vsmmu_fault_encode(st, d, &f, evt, &resp);
	if (!HOLDS(ret == expect,
		   "fault (dev %u, flags %#x, PASID %#x, perm %#x, reserved %#x, cookie %u): %d, the test expects %d",
		   f.dev_id, f.flags, f.pasid, f.perm, f.__reserved, f.cookie,
		   ret, expect))
		return false;
	if (ret) {
		t->refused++;
		t->full += ret == -ENOSPC;
		return HOLDS(resp.cookie == f.cookie &&
			     resp.code == IOMMUFD_PAGE_RESP_INVALID &&
			     !evt[0] && !evt[1] && !evt[2] && !evt[3],
			     "refused fault %u: answered cookie %u code %u, record %#llx",
			     f.cookie, resp.cookie, resp.code,
			     (unsigned long long)evt[0]);
	}
	t->faults++;
	for (i = 0; i < m->n; i++)
		if (!HOLDS(m->s[i].stag != get(evt, EVT_STAG),
			   "STAG %#llx handed out twice",
			   (unsigned long long)get(evt, EVT_STAG)))
			return false;
	stall_expected(&f, stall_vsid(f.dev_id), get(evt, EVT_STAG), want);
	if (!HOLDS(!memcmp(evt, want, sizeof(want)),
		   "fault %u: record %#llx %#llx %#llx %#llx, the test expects %#llx %#llx %#llx %#llx",
		   f.cookie, (unsigned long long)evt[0],
		   (unsigned long long)evt[1], (unsigned long long)evt[2],
		   (unsigned long long)evt[3], (unsigned long long)want[0],
		   (unsigned long long)want[1], (unsigned long long)want[2],
		   (unsigned long long)want[3]))
		return false;
	m->s[m->n++] = (struct vsmmu_stall){
		.cookie = f.cookie, .dev_id = f.dev_id,
		.vsid = stall_vsid(f.dev_id), .stag = get(evt, EVT_STAG),
	};
	return true;
}

/* A guest command of the script: a CMD_RESUME aimed at a stall, or not */
static inline void stall_resume_cmd(struct stall_script *sc,
				    const struct stall_model *m,
				    uint64_t cmd[2])
{
	static const uint32_t sids[] = { 0x10, 0x18, 0x20, 0x30 };
	unsigned int how = stall_byte(sc), pick = stall_byte(sc);
	uint32_t sid = sids[pick % ARRAY_SIZE(sids)];
	uint32_t stag = stall_bytes(sc, 2);
	unsigned int k;

	if (how % 4 == 0 && m->n) {
		/* A pending stall's, mostly with its own StreamID */
		stag = m->s[pick % m->n].stag;
		if ((how & 48) != 48)
			sid = m->s[pick % m->n].vsid;
	} else if (how % 4 == 1 && m->n_answered) {
		/* A stale one: answered already */
		k = m->n_answered < ARRAY_SIZE(m->answered) ?
		    m->n_answered : ARRAY_SIZE(m->answered);
		stag = m->answered[pick % k];
	}
	cmd[0] = 0;
	cmd[1] = 0;
	put(cmd, CMD_OPCODE, GUEST_RESUME);
	put(cmd, CMD_SID, sid);
	put(cmd, CMD_STAG, stag);
	put(cmd, CMD_RESUME_AC, how >> 5 & 1);
	put(cmd, CMD_RESUME_AB, how >> 6 & 1);
	put(cmd, CMD_SSEC, how % 64 == 2);
}

/* A guest command of the script through the library */
static inline bool stall_command(struct stall_script *sc, const uint64_t *cmd,
				 struct vsmmu_stalls *st,
				 struct stall_model *m, struct stall_tally *t)
{
	const struct vsmmu_caps caps = { .ias = 44, .granules = 0x1000,
					 .stalls = stall_byte(sc) % 16 };
	unsigned int op = get(cmd, CMD_OPCODE), chunk, got, i, k;
	uint32_t sid = get(cmd, CMD_SID), stag = get(cmd, CMD_STAG);
	struct iommu_hwpt_page_response resp[STALL_MAX + 1];
	struct vsmmu_cmd c;
	bool hit;

	vsmmu_cmd_decode(cmd, &caps, &c);
	if (!caps.stalls || get(cmd, CMD_SSEC)) {
		t->illegal++;
		return HOLDS(c.action == VSMMU_ILLEGAL,
			     "opcode %#x without stalls or with SSec: action %u",
			     op, c.action);
	}
	if (op == GUEST_STALL_TERM) {
		if (!HOLDS(c.action == VSMMU_STALL_TERM && c.first == sid,
			   "STALL_TERM of %#x: action %u, StreamID %#x", sid,
			   c.action, c.first))
			return false;
		chunk = 1 + stall_byte(sc) % 4;
		k = 0;
		do {
			got = vsmmu_stalls_term(st, c.first, resp, chunk);
			for (i = 0; i < got; i++) {
				while (k < m->n && m->s[k].vsid != sid)
					k++;
				if (!HOLDS(k < m->n &&
					   resp[i].cookie == m->s[k].cookie &&
					   resp[i].code ==
					   IOMMUFD_PAGE_RESP_INVALID,
					   "STALL_TERM of %#x answered cookie %u (code %u), not the next stall of it",
					   sid, resp[i].cookie, resp[i].code))
					return false;
				stall_model_drop(m, k, true);
				t->termed++;
			}
		} while (got == chunk);
		for (k = 0; k < m->n; k++)
			if (!HOLDS(m->s[k].vsid != sid,
				   "STALL_TERM of %#x left cookie %u", sid,
				   m->s[k].cookie))
				return false;
		return true;
	}
	if (!HOLDS(c.action == VSMMU_RESUME && c.first == sid &&
		   c.stag == stag,
		   "RESUME of %#x STAG %#x: action %u, StreamID %#x, STAG %#x",
		   sid, stag, c.action, c.first, c.stag))
		return false;
	for (k = 0; k < m->n; k++)
		if (m->s[k].stag == stag)
			break;
	hit = k < m->n && m->s[k].vsid == sid;
	resp[0] = (struct iommu_hwpt_page_response){ 0, 99 };
	if (!hit) {
		t->unmatched++;
		return HOLDS(!vsmmu_stalls_resume(st, &c, resp) &&
			     resp[0].code == 99,
			     "RESUME of %#x STAG %#x names no stall, yet it was answered (cookie %u)",
			     sid, stag, resp[0].cookie);
	}
	if (!HOLDS(vsmmu_stalls_resume(st, &c, resp) &&
		   resp[0].cookie == m->s[k].cookie &&
		   resp[0].code == (get(cmd, CMD_RESUME_AC) ?
				    IOMMUFD_PAGE_RESP_SUCCESS :
				    IOMMUFD_PAGE_RESP_INVALID),
		   "RESUME of %#x STAG %#x (Ac %llu): cookie %u code %u, the stall's is %u",
		   sid, stag, (unsigned long long)get(cmd, CMD_RESUME_AC),
		   resp[0].cookie, resp[0].code, m->s[k].cookie))
		return false;
	stall_model_drop(m, k, true);
	t->matched++;
	return true;
}

/* Does the map hold the model's stalls, in order? */
static inline bool stall_same(const struct vsmmu_stalls *st,
			      const struct stall_model *m)
{
	unsigned int i;

	if (st->n != m->n || st->n > st->max)
		return false;
	for (i = 0; i < m->n; i++)
		if (st->stall[i].cookie != m->s[i].cookie ||
		    st->stall[i].dev_id != m->s[i].dev_id ||
		    st->stall[i].vsid != m->s[i].vsid ||
		    st->stall[i].stag != m->s[i].stag)
			return false;
	return true;
}

/* Run script @data: true if the property held throughout */
static inline bool stall_script_sound(const uint8_t *data, size_t size,
				      struct stall_tally *t)
{
	struct stall_script sc = { data, size };
	struct vsmmu_devices d = { 0 };
	struct vsmmu_stalls st;
	struct stall_model m = { .max = 1 + stall_byte(&sc) % STALL_MAX };
	uint64_t cmd[2];
	bool ok = true;
	unsigned int i, dev, gone;

	if (vsmmu_stalls_init(&st, m.max) ||
	    vsmmu_devices_add(&d, 0x10, STALL_DEV_A, 1) ||
	    vsmmu_devices_add(&d, 0x20, STALL_DEV_A, 1) ||
	    vsmmu_devices_add(&d, 0x18, STALL_DEV_B, 1)) {
		vsmmu_stalls_free(&st);
		vsmmu_devices_free(&d);
		return HOLDS(false, "no room for the maps");
	}
	while (ok && sc.left) {
		switch (stall_byte(&sc) % 8) {
		case 0:
		case 1:
		case 2:
			ok = stall_fault(&sc, &st, &d, &m, t);
			break;
		case 3:
		case 4:
			stall_resume_cmd(&sc, &m, cmd);
			ok = stall_command(&sc, cmd, &st, &m, t);
			break;
		case 5:
			/* Any bits, as a RESUME or a STALL_TERM */
			cmd[0] = stall_bytes(&sc, 8);
			cmd[1] = stall_bytes(&sc, 8);
			put(cmd, CMD_OPCODE, cmd[1] & 1 ? GUEST_STALL_TERM :
							  GUEST_RESUME);
			ok = stall_command(&sc, cmd, &st, &m, t);
			break;
		case 6:
			cmd[0] = 0;
			cmd[1] = 0;
			put(cmd, CMD_OPCODE, GUEST_STALL_TERM);
			put(cmd, CMD_SID, 0x10 + 8 * (stall_byte(&sc) % 4));
			ok = stall_command(&sc, cmd, &st, &m, t);
			break;
		default:
			/* The kernel answered a device's stalls (detach) */
			dev = STALL_DEV_A + stall_byte(&sc) % 3;
			for (i = 0, gone = 0; i < m.n;) {
				if (m.s[i].dev_id != dev) {
					i++;
					continue;
				}
				stall_model_drop(&m, i, true);
				gone++;
			}
			t->forgotten += gone;
			ok = HOLDS(vsmmu_stalls_forget(&st, dev) == gone,
				   "device %u: forgot another number than %u",
				   dev, gone);
		}
		ok = ok && HOLDS(stall_same(&st, &m),
				 "the map holds %u stalls, the model %u (bound %u), or others",
				 st.n, m.n, st.max);
	}
	vsmmu_stalls_free(&st);
	vsmmu_devices_free(&d);
	return ok;
}

#endif
