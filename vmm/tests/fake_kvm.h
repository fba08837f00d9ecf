/* SPDX-License-Identifier: GPL-2.0 */
/* fake_kvm.c's calls for adapter_test.c */
#ifndef FAKE_KVM_H
#define FAKE_KVM_H

#include <stdint.h>

/* Wait until a thread sits in the fake KVM_RUN */
void fake_kvm_wait_running(void);

/* How many requests @req reached the fake kernel */
unsigned int fake_kernel_calls(unsigned long req);

/*
 * The argument of the last @req that reached it, as it came (its size
 * field's bytes, at most 64), or NULL if none did
 */
const void *fake_kernel_last(unsigned long req);

/*
 * The next @req for iommufd device @dev_id (0: for any device) fails
 * with @err. IOMMU_HWPT_ALLOC, IOMMU_HWPT_INVALIDATE (any device only)
 * and IOMMU_DEVICE_EVENTQ_ALLOC.
 */
void fake_kernel_refuse(unsigned long req, uint32_t dev_id, int err);

/* IOMMU_GET_HW_INFO says the IOMMU of device @dev_id is of @type */
void fake_kernel_hw_type(uint32_t dev_id, uint32_t type);

#endif
