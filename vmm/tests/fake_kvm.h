/* SPDX-License-Identifier: GPL-2.0 */
/* fake_kvm.c's calls for adapter_test.c */
#ifndef FAKE_KVM_H
#define FAKE_KVM_H

#include <stdint.h>
#include <linux/iommufd.h>

/* Wait until a thread sits in the fake KVM_RUN */
void fake_kvm_wait_running(void);

/*
 * The next @req waits in the fake kernel until fake_kernel_release();
 * fake_kernel_wait_held() waits until one does
 */
void fake_kernel_hold(unsigned long req);
void fake_kernel_wait_held(void);
void fake_kernel_release(void);

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

/*
 * The device of VFIO file @vfio_fd is unbound, its ID free again, as if
 * the file were closed where the adapter does not see it (close_range())
 */
void fake_kernel_unbind(int vfio_fd);

/*
 * Object @id (an IOAS or a HWPT) of iommufd file @iommufd is gone, its ID
 * free again, where the adapter did not see it go
 */
void fake_kernel_forget(int iommufd, uint32_t id);

/*
 * Device @dev_id of iommufd file @iommufd gets @ev in its event queue
 * (IOMMU_DEVICE_EVENTQ_ALLOC). Returns 0, or -1 if it has no queue.
 */
int fake_kernel_event(int iommufd, uint32_t dev_id,
		      const struct iommu_device_event *ev);

/*
 * The file status flags (F_GETFL) of the event queue file the kernel
 * gave device @dev_id of iommufd file @iommufd, or -1 if it has none
 */
int fake_kernel_queue_flags(int iommufd, uint32_t dev_id);

#endif
