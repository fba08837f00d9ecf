/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Nested translation for iommufd: a user (VMM) owned stage 1 over a kernel
 * owned stage 2. The hooks the core arm-smmu-v3 driver calls, and their
 * stubs when CONFIG_ARM_SMMU_V3_NESTED is off.
 */
#ifndef _ARM_SMMU_V3_NESTED_H
#define _ARM_SMMU_V3_NESTED_H

#include <linux/iommu.h>
#include <uapi/linux/iommufd.h>

#include "arm-smmu-v3.h"

/* STE.Config for stage 1 followed by stage 2 */
#define STRTAB_STE_0_CFG_NESTED		7
/* STE.MEV: merge similar events, so a guest cannot flood the event queue */
#define STRTAB_STE_1_MEV		BIT(19)

struct arm_smmu_nested_inv_mem;

/**
 * struct arm_smmu_nested_domain - a guest stage 1 nested on a stage 2
 * @domain: the IOMMU_DOMAIN_NESTED iommu_domain
 * @s2_parent: the kernel-owned stage-2 (nest parent) domain; it supplies
 *             the VMID and the stage-2 half of the STE
 * @ctx: the guest's stage-1 context, validated against the SMMU
 * @masters_lock: protects @masters; held only for list updates and for
 *                an invalidation's snapshot of them, never across
 *                commands, as attach takes it under arm_smmu_asid_lock
 * @masters: the devices attached, whose StreamIDs CFGI and ATC_INV
 *           commands of this domain's invalidations may name
 * @inv_lock: serialises this domain's invalidations, which may run long
 *            (a VMM's whole array); no attach or other domain waits on it
 * @inv_mem: working memory of this domain's invalidations, kept between
 *           calls (arm-smmu-v3-nested-inv.c); under @inv_lock
 */
struct arm_smmu_nested_domain {
	struct iommu_domain domain;
	struct arm_smmu_domain *s2_parent;
	struct iommu_hwpt_arm_smmuv3_s1ctx ctx;
	spinlock_t masters_lock;	/* protects @masters */
	struct list_head masters;
	struct mutex inv_lock;		/* protects @inv_mem */
	struct arm_smmu_nested_inv_mem *inv_mem;
};

static inline struct arm_smmu_nested_domain *
to_nested(struct iommu_domain *domain)
{
	return container_of(domain, struct arm_smmu_nested_domain, domain);
}

/* A device attached to a nested domain */
struct arm_smmu_nested_master {
	struct list_head node;
	struct arm_smmu_master *master;
	/* STE.EATS on: its ATC is invalidated from the moment it is listed */
	bool ats;
};

#if IS_ENABLED(CONFIG_ARM_SMMU_V3_NESTED)
#if IS_ENABLED(CONFIG_KUNIT)
/* The boot-time nesting_noncoherent opt-in, which tests may flip */
extern bool arm_smmu_nesting_noncoherent;
unsigned int arm_smmu_nested_inv_room(struct arm_smmu_nested_domain *nested);
#endif
void arm_smmu_nested_probe(struct arm_smmu_device *smmu);
void arm_smmu_nested_remove(struct arm_smmu_device *smmu);
struct dentry *arm_smmu_nested_debugfs_init(void);
void arm_smmu_nested_debugfs_remove(struct arm_smmu_device *smmu);
int arm_smmu_nested_cache_invalidate(struct iommu_domain *domain,
				     struct iommu_user_data_array *array);
void arm_smmu_nested_inv_free(struct arm_smmu_nested_domain *nested);
void *arm_smmu_hw_info(struct device *dev, u32 *length, u32 *type);
int arm_smmu_nest_parent_supported(struct arm_smmu_master *master, u32 flags);
int arm_smmu_nested_attach(struct arm_smmu_nested_domain *nested,
			   struct arm_smmu_master *master,
			   struct iommu_domain *old_domain);
struct iommu_domain *
arm_smmu_nested_domain_alloc(struct device *dev, u32 flags,
			     struct iommu_domain *parent,
			     const struct iommu_user_data *user_data);
struct arm_smmu_domain *arm_smmu_nested_s2_parent(struct iommu_domain *domain);
void arm_smmu_nested_remove_master(struct iommu_domain *domain,
				   struct arm_smmu_master *master);
void arm_smmu_nested_leaving(struct iommu_domain *domain,
			     struct arm_smmu_master *master);
void arm_smmu_make_nested_ste(struct arm_smmu_ste *target,
			      struct arm_smmu_master *master,
			      struct arm_smmu_nested_domain *nested,
			      bool ats_enabled);
bool arm_smmu_nesting_usable(struct arm_smmu_device *smmu);
bool arm_smmu_nested_events_capable(struct arm_smmu_master *master);
void arm_smmu_nested_events_route(struct arm_smmu_master *master, bool nested);
bool arm_smmu_nested_report_event(struct arm_smmu_device *smmu, u64 *evt);
void arm_smmu_nested_stalls_route(struct arm_smmu_master *master, bool on);
bool arm_smmu_nested_stall(struct arm_smmu_device *smmu, u64 *evt, u64 seq);
void arm_smmu_nested_resume(struct arm_smmu_device *smmu, u32 sid, u16 stag,
			    bool retry);
#else
#define arm_smmu_hw_info NULL

static inline void arm_smmu_nested_probe(struct arm_smmu_device *smmu)
{
}

static inline void arm_smmu_nested_remove(struct arm_smmu_device *smmu)
{
}

static inline int arm_smmu_nest_parent_supported(struct arm_smmu_master *master,
						 u32 flags)
{
	return -EOPNOTSUPP;
}

static inline struct iommu_domain *
arm_smmu_nested_domain_alloc(struct device *dev, u32 flags,
			     struct iommu_domain *parent,
			     const struct iommu_user_data *user_data)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static inline struct arm_smmu_domain *
arm_smmu_nested_s2_parent(struct iommu_domain *domain)
{
	return NULL;
}

static inline void arm_smmu_nested_remove_master(struct iommu_domain *domain,
						 struct arm_smmu_master *master)
{
}

static inline void arm_smmu_nested_leaving(struct iommu_domain *domain,
					   struct arm_smmu_master *master)
{
}

static inline bool
arm_smmu_nested_events_capable(struct arm_smmu_master *master)
{
	return false;
}

static inline bool arm_smmu_nested_report_event(struct arm_smmu_device *smmu,
						u64 *evt)
{
	return false;
}
#endif

#if IS_ENABLED(CONFIG_ARM_SMMU_V3_NESTED_TEST_HOOKS)
void arm_smmu_nested_test_hooks_add(struct arm_smmu_device *smmu,
				    struct dentry *parent);
bool arm_smmu_nested_test_catch_resume(struct arm_smmu_device *smmu, u32 sid,
				       u16 stag, u8 resp);
#else
static inline void arm_smmu_nested_test_hooks_add(struct arm_smmu_device *smmu,
						  struct dentry *parent)
{
}

static inline bool
arm_smmu_nested_test_catch_resume(struct arm_smmu_device *smmu, u32 sid,
				  u16 stag, u8 resp)
{
	return false;
}
#endif

#endif /* _ARM_SMMU_V3_NESTED_H */
