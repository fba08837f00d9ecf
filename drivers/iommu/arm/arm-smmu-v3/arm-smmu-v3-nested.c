// SPDX-License-Identifier: GPL-2.0
/*
 * Nested translation for iommufd on SMMUv3: a VMM hands in a guest's own
 * stage-1 context (context descriptors and page tables, addressed by IPA)
 * and the SMMU walks it, then the kernel-owned stage 2 of a nest parent.
 *
 * The kernel keeps everything that could reach beyond the VM: the VMID
 * (allocated with the parent), the StreamIDs (the attached device's) and
 * the stage-2 half of the STE. The user's fields are checked against the
 * SMMU by smmuv3_s1ctx_check() before any STE is built.
 */
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <kunit/visibility.h>

#include "arm-smmu-v3-nested.h"
#include "arm-smmu-v3-uapi.h"

#define ARM_SMMU_AIDR	0x1c

/*
 * The runtime off-switch: with nesting=0 new nest parents and nested
 * domains are refused with -EOPNOTSUPP. Domains that exist keep working.
 */
static bool nesting = true;
module_param(nesting, bool, 0644);
MODULE_PARM_DESC(nesting,
		 "Allow iommufd nest parent and nested domains (default: Y)");

bool arm_smmu_nesting_usable(struct arm_smmu_device *smmu)
{
	return READ_ONCE(nesting) && (smmu->features & ARM_SMMU_FEAT_NESTING);
}

/*
 * The guest's stage 1 picks memory types the host never sees. Only S2FWB
 * (stage 2 forces write-back) or a root complex that is coherent and
 * write-back whatever it is asked (IORT CANWBS) stops a device reading
 * stale DRAM through a non-cacheable alias. Emulators have neither; this
 * boot-time opt-in lets test machines nest anyway, and taints the kernel.
 */
VISIBLE_IF_KUNIT bool arm_smmu_nesting_noncoherent;
EXPORT_SYMBOL_IF_KUNIT(arm_smmu_nesting_noncoherent);

static int nesting_noncoherent_set(const char *val,
				   const struct kernel_param *kp)
{
	int ret = param_set_bool(val, kp);

	if (!ret && arm_smmu_nesting_noncoherent) {
		pr_warn("arm-smmu-v3: nesting_noncoherent=1: guests may choose non-cacheable DMA that reads stale memory; for test machines only\n");
		add_taint(TAINT_USER, LOCKDEP_STILL_OK);
	}
	return ret;
}

static const struct kernel_param_ops nesting_noncoherent_ops = {
	.set = nesting_noncoherent_set,
	.get = param_get_bool,
};
module_param_cb(nesting_noncoherent, &nesting_noncoherent_ops,
		&arm_smmu_nesting_noncoherent, 0444);
MODULE_PARM_DESC(nesting_noncoherent,
		 "Allow nest parents without S2FWB or CANWBS (unsafe, test machines only; taints)");

static bool arm_smmu_master_coherent_s2(struct arm_smmu_master *master)
{
	struct iommu_fwspec *fwspec;

	if (master->smmu->features & ARM_SMMU_FEAT_S2FWB)
		return true;
	fwspec = dev_iommu_fwspec_get(master->dev);
	if (fwspec && fwspec->flags & IOMMU_FWSPEC_PCI_RC_CANWBS)
		return true;
	return arm_smmu_nesting_noncoherent;
}

void arm_smmu_nested_probe(struct arm_smmu_device *smmu)
{
	arm_smmu_nested_test_hooks_add(smmu, arm_smmu_nested_debugfs_init());
	if (arm_smmu_nesting_noncoherent &&
	    !(smmu->features & ARM_SMMU_FEAT_S2FWB))
		dev_warn(smmu->dev,
			 "no S2FWB: nest parents allowed by nesting_noncoherent=1\n");
}

void arm_smmu_nested_remove(struct arm_smmu_device *smmu)
{
	arm_smmu_nested_debugfs_remove(smmu);
}

void *arm_smmu_hw_info(struct device *dev, u32 *length, u32 *type)
{
	struct arm_smmu_master *master = dev_iommu_priv_get(dev);
	void __iomem *base = master->smmu->base;
	struct iommu_hw_info_arm_smmuv3 *info;
	int i;

	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return ERR_PTR(-ENOMEM);

	for (i = 0; i < ARRAY_SIZE(info->idr); i++)
		info->idr[i] = readl_relaxed(base + ARM_SMMU_IDR0 + i * 4);
	info->iidr = readl_relaxed(base + ARM_SMMU_IIDR);
	info->aidr = readl_relaxed(base + ARM_SMMU_AIDR);

	*length = sizeof(*info);
	*type = IOMMU_HW_INFO_TYPE_ARM_SMMUV3;
	return info;
}

int arm_smmu_nest_parent_supported(struct arm_smmu_master *master, u32 flags)
{
	if (!arm_smmu_nesting_usable(master->smmu))
		return -EOPNOTSUPP;
	/* This driver tracks dirty pages at stage 1 only */
	if (flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING)
		return -EOPNOTSUPP;
	if (!arm_smmu_master_coherent_s2(master))
		return -EOPNOTSUPP;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(arm_smmu_nest_parent_supported);

static const struct iommu_domain_ops arm_smmu_nested_ops;

struct arm_smmu_domain *arm_smmu_nested_s2_parent(struct iommu_domain *domain)
{
	if (domain->ops != &arm_smmu_nested_ops)
		return NULL;
	return to_nested(domain)->s2_parent;
}

/*
 * Called once the attach that takes @master away from @domain is
 * prepared, before its STE changes: from here on, the events of the
 * device are the host's until a nested domain takes it again.
 */
void arm_smmu_nested_leaving(struct iommu_domain *domain,
			     struct arm_smmu_master *master)
{
	/*
	 * By the master's own state, not @domain: when the core puts a
	 * group back after a failed attach, it names the domain the group
	 * had, not the one this device went to.
	 */
	if ((domain && domain->ops == &arm_smmu_nested_ops) ||
	    master->nested_events || master->nested_stalls) {
		arm_smmu_nested_events_route(master, false);
		arm_smmu_nested_stalls_route(master, false);
	}
}
EXPORT_SYMBOL_IF_KUNIT(arm_smmu_nested_leaving);

/* Called as @master leaves @domain, whatever it moves to */
void arm_smmu_nested_remove_master(struct iommu_domain *domain,
				   struct arm_smmu_master *master)
{
	struct arm_smmu_nested_master *entry, *found = NULL;
	struct arm_smmu_nested_domain *nested;

	if (!domain || domain->ops != &arm_smmu_nested_ops)
		return;
	nested = to_nested(domain);
	spin_lock(&nested->masters_lock);
	list_for_each_entry(entry, &nested->masters, node) {
		if (entry->master == master) {
			list_del(&entry->node);
			found = entry;
			break;
		}
	}
	spin_unlock(&nested->masters_lock);
	kfree(found);
}
EXPORT_SYMBOL_IF_KUNIT(arm_smmu_nested_remove_master);

/**
 * arm_smmu_make_nested_ste() - the STE of a device in a nested domain
 * @target: the STE to fill
 * @master: the device
 * @nested: the nested domain
 * @ats_enabled: whether STE.EATS lets the device use ATS
 *
 * Abort mode gives an abort STE, bypass mode the parent's stage-2 STE, and
 * translate mode the parent's stage-2 STE with the guest's stage-1 half
 * and Config = S1 then S2.
 *
 * S1STALLD is the kernel's where it matters: a device that cannot stall
 * gets 1 whatever the guest asked, or a stall the host cannot resume
 * would hang its transaction; where stalls are forced it is RES0. A
 * device that can stall gets the guest's choice: its stage-1 stalls go
 * to the domain's fault queue, or without one are terminated at once.
 */
void arm_smmu_make_nested_ste(struct arm_smmu_ste *target,
			      struct arm_smmu_master *master,
			      struct arm_smmu_nested_domain *nested,
			      bool ats_enabled)
{
	const struct iommu_hwpt_arm_smmuv3_s1ctx *ctx = &nested->ctx;
	u32 features = master->smmu->features;
	bool stalld = false;
	u64 s1_0, s1_1;

	if (ctx->mode == IOMMU_SMMUV3_S1CTX_ABORT) {
		arm_smmu_make_abort_ste(target);
		return;
	}

	/*
	 * The parent's stage-2 half never stalls (S2S clear) unless the
	 * SMMU forces stalls; those stage-2 stalls the event thread aborts
	 * (arm_smmu_nested_stall()): the guest cannot resolve them.
	 */
	arm_smmu_make_s2_domain_ste(target, master, nested->s2_parent,
				    ats_enabled);
	if (ctx->mode == IOMMU_SMMUV3_S1CTX_BYPASS)
		return;

	if (features & ARM_SMMU_FEAT_STALLS &&
	    !(features & ARM_SMMU_FEAT_STALL_FORCE))
		stalld = master->stall_enabled ? ctx->s1stalld : true;

	s1_0 = STRTAB_STE_0_V |
	       FIELD_PREP(STRTAB_STE_0_CFG, STRTAB_STE_0_CFG_NESTED) |
	       FIELD_PREP(STRTAB_STE_0_S1FMT, ctx->s1fmt) |
	       (ctx->s1ctxptr & STRTAB_STE_0_S1CTXPTR_MASK) |
	       FIELD_PREP(STRTAB_STE_0_S1CDMAX, ctx->s1cdmax);
	s1_1 = FIELD_PREP(STRTAB_STE_1_S1DSS, ctx->s1dss) |
	       FIELD_PREP(STRTAB_STE_1_S1CIR, ctx->s1cir) |
	       FIELD_PREP(STRTAB_STE_1_S1COR, ctx->s1cor) |
	       FIELD_PREP(STRTAB_STE_1_S1CSH, ctx->s1csh) |
	       (stalld ? STRTAB_STE_1_S1STALLD : 0) |
	       STRTAB_STE_1_MEV;
	target->data[0] = cpu_to_le64(s1_0);
	target->data[1] |= cpu_to_le64(s1_1);
}
EXPORT_SYMBOL_IF_KUNIT(arm_smmu_make_nested_ste);

/*
 * A fault queue serves the stalls of a guest's stage 1: a nested domain in
 * bypass or abort mode has none. A stall is reported only for a device in
 * the SMMU's IOPF queue, where enabling IOPF puts a device that can
 * stall; iommufd enables it before it attaches a domain with a fault
 * queue, and a device that cannot stall fails there (-EINVAL).
 *
 * A device goes onto a domain with a fault handler only from the blocked
 * domain (iommufd: attach, not replace). iommufd gives every HWPT an
 * attach handle and the IOMMU core swaps it after the driver's attach,
 * so a stall reported in between would read the old handle while
 * iommufd frees it; a blocked device has none.
 */
static int
arm_smmu_nested_fault_queue_check(struct arm_smmu_nested_domain *nested,
				  struct arm_smmu_master *master,
				  struct iommu_domain *old_domain)
{
	struct dev_iommu *param = master->dev->iommu;

	/* The core puts a device back on its domain when a move fails */
	if (old_domain && old_domain != &nested->domain &&
	    old_domain->type != IOMMU_DOMAIN_BLOCKED) {
		dev_err_ratelimited(master->dev,
				    "fault queue by replace: detach first\n");
		return -EBUSY;
	}
	if (nested->ctx.mode != IOMMU_SMMUV3_S1CTX_TRANSLATE) {
		dev_err_ratelimited(master->dev,
				    "fault queue on a nested domain without stage 1\n");
		return -EINVAL;
	}
	if (!param || !rcu_access_pointer(param->fault_param)) {
		dev_err_ratelimited(master->dev,
				    "fault queue for a device in no IOPF queue\n");
		return -EOPNOTSUPP;
	}
	return 0;
}

/**
 * arm_smmu_nested_attach() - put @master behind @nested
 * @nested: the nested domain
 * @master: the device
 * @old_domain: the domain @master leaves (NULL if none)
 *
 * The device joins @nested's list before its STE goes live, so that an
 * invalidation running meanwhile already names its StreamIDs.
 *
 * A domain with a fault handler (iommufd's IOMMU_HWPT_FAULT_ID_VALID)
 * must be able to stall and its device be in the SMMU's IOPF queue: see
 * arm_smmu_nested_fault_queue_check().
 *
 * Return: 0, or -EINVAL for a device this domain cannot serve or a fault
 * handler on a domain without stage 1, -EBUSY if the device's PASIDs are
 * in use or a fault handler's domain replaces another (not blocked),
 * -EOPNOTSUPP for a fault handler of a device in no IOPF queue, -ENOMEM.
 */
int arm_smmu_nested_attach(struct arm_smmu_nested_domain *nested,
			   struct arm_smmu_master *master,
			   struct iommu_domain *old_domain)
{
	struct arm_smmu_attach_state state = {
		.master = master,
		.old_domain = old_domain,
		.ssid = IOMMU_NO_PASID,
		.disable_ats = !nested->ctx.eats,
	};
	struct arm_smmu_nested_master *entry;
	struct arm_smmu_ste ste;
	int ret;

	if (nested->s2_parent->smmu != master->smmu) {
		dev_err_ratelimited(master->dev,
				    "nested domain is for another SMMU\n");
		return -EINVAL;
	}
	if (nested->domain.iopf_handler) {
		ret = arm_smmu_nested_fault_queue_check(nested, master,
							old_domain);
		if (ret)
			return ret;
	}
	if (nested->ctx.eats && !arm_smmu_ats_supported(master)) {
		dev_err_ratelimited(master->dev, "nested domain asks for ATS\n");
		return -EINVAL;
	}
	if (!arm_smmu_master_coherent_s2(master)) {
		dev_err_ratelimited(master->dev,
				    "no S2FWB or CANWBS for a guest stage 1\n");
		return -EINVAL;
	}
	/* The guest's CD table replaces the kernel's: no PASID may use it */
	if (arm_smmu_ssids_in_use(&master->cd_table))
		return -EBUSY;
	entry = kzalloc(sizeof(*entry), GFP_KERNEL_ACCOUNT);
	if (!entry)
		return -ENOMEM;
	entry->master = master;

	mutex_lock(&arm_smmu_asid_lock);
	ret = arm_smmu_attach_prepare(&state, &nested->domain);
	if (ret) {
		mutex_unlock(&arm_smmu_asid_lock);
		kfree(entry);
		return ret;
	}
	entry->ats = state.ats_enabled;
	spin_lock(&nested->masters_lock);
	list_add(&entry->node, &nested->masters);
	spin_unlock(&nested->masters_lock);

	arm_smmu_make_nested_ste(&ste, master, nested, state.ats_enabled);
	arm_smmu_install_ste_for_dev(master, &ste);
	arm_smmu_clear_cd(master, IOMMU_NO_PASID);
	/* Leaves the old domain's lists, even when it is this one */
	arm_smmu_attach_commit(&state);
	arm_smmu_nested_events_route(master, true);
	if (nested->domain.iopf_handler)
		arm_smmu_nested_stalls_route(master, true);
	mutex_unlock(&arm_smmu_asid_lock);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(arm_smmu_nested_attach);

static int arm_smmu_nested_attach_dev(struct iommu_domain *domain,
				      struct device *dev)
{
	return arm_smmu_nested_attach(to_nested(domain),
				      dev_iommu_priv_get(dev),
				      iommu_get_domain_for_dev(dev));
}

static void arm_smmu_nested_domain_free(struct iommu_domain *domain)
{
	struct arm_smmu_nested_domain *nested = to_nested(domain);

	/* iommufd frees a domain only once no device is attached */
	WARN_ON(!list_empty(&nested->masters));
	arm_smmu_nested_inv_free(nested);
	mutex_destroy(&nested->inv_lock);
	kfree(nested);
}

static const struct iommu_domain_ops arm_smmu_nested_ops = {
	.attach_dev		= arm_smmu_nested_attach_dev,
	.cache_invalidate_user	= arm_smmu_nested_cache_invalidate,
	.free			= arm_smmu_nested_domain_free,
};

static void arm_smmu_nest_caps(struct arm_smmu_master *master,
			       struct smmuv3_nest_caps *caps)
{
	struct arm_smmu_device *smmu = master->smmu;

	caps->ias = smmu->ias;
	caps->ssid_bits = smmu->ssid_bits;
	caps->cd2l = smmu->features & ARM_SMMU_FEAT_2_LVL_CDTAB;
	caps->ats = arm_smmu_ats_supported(master);
	caps->stall_ok = (smmu->features & ARM_SMMU_FEAT_STALLS) &&
			 !(smmu->features & ARM_SMMU_FEAT_STALL_FORCE);
}

struct iommu_domain *
arm_smmu_nested_domain_alloc(struct device *dev, u32 flags,
			     struct iommu_domain *parent,
			     const struct iommu_user_data *user_data)
{
	struct arm_smmu_master *master = dev_iommu_priv_get(dev);
	struct iommu_hwpt_arm_smmuv3_s1ctx ctx;
	struct arm_smmu_nested_domain *nested;
	struct smmuv3_nest_caps caps;
	struct arm_smmu_domain *s2;
	int ret;

	/* User data without a parent would be a paging domain: none here */
	if (!parent || !user_data || flags)
		return ERR_PTR(-EOPNOTSUPP);
	if (!arm_smmu_nesting_usable(master->smmu) ||
	    user_data->type != IOMMU_HWPT_DATA_ARM_SMMUV3_S1CTX)
		return ERR_PTR(-EOPNOTSUPP);

	s2 = to_smmu_domain(parent);
	if (parent->type != IOMMU_DOMAIN_UNMANAGED || !s2->nest_parent ||
	    s2->smmu != master->smmu)
		return ERR_PTR(-EINVAL);

	ret = iommu_copy_struct_from_user(&ctx, user_data,
					  IOMMU_HWPT_DATA_ARM_SMMUV3_S1CTX,
					  __reserved);
	if (ret)
		return ERR_PTR(ret);
	arm_smmu_nest_caps(master, &caps);
	ret = smmuv3_s1ctx_check(&ctx, &caps);
	if (ret)
		return ERR_PTR(ret);

	nested = kzalloc(sizeof(*nested), GFP_KERNEL_ACCOUNT);
	if (!nested)
		return ERR_PTR(-ENOMEM);
	nested->domain.type = IOMMU_DOMAIN_NESTED;
	nested->domain.ops = &arm_smmu_nested_ops;
	nested->s2_parent = s2;
	nested->ctx = ctx;
	spin_lock_init(&nested->masters_lock);
	INIT_LIST_HEAD(&nested->masters);
	mutex_init(&nested->inv_lock);
	return &nested->domain;
}
