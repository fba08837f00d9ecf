/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Thin wrappers of the iommufd ioctls the device tests use. Each returns
 * 0 or -errno, so a test can assert either success or an exact errno.
 */
#ifndef __SELFTEST_IOMMU_IOMMUFD_CALLS_H
#define __SELFTEST_IOMMU_IOMMUFD_CALLS_H

#include <errno.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <linux/iommufd.h>

static inline int iofd_ioctl(int fd, unsigned long op, void *arg)
{
	return ioctl(fd, op, arg) ? -errno : 0;
}

static inline int iofd_destroy(int fd, uint32_t id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return iofd_ioctl(fd, IOMMU_DESTROY, &cmd);
}

static inline int iofd_ioas_alloc(int fd, uint32_t *ioas_id)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	int ret = iofd_ioctl(fd, IOMMU_IOAS_ALLOC, &cmd);

	if (!ret)
		*ioas_id = cmd.out_ioas_id;
	return ret;
}

/* Map @len bytes of user memory @va at exactly @iova, read and write. */
static inline int iofd_map(int fd, uint32_t ioas_id, void *va, uint64_t len,
			   uint64_t iova)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas_id,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = iova,
	};

	return iofd_ioctl(fd, IOMMU_IOAS_MAP, &cmd);
}

static inline int iofd_unmap(int fd, uint32_t ioas_id, uint64_t iova,
			     uint64_t len)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.iova = iova,
		.length = len,
	};

	return iofd_ioctl(fd, IOMMU_IOAS_UNMAP, &cmd);
}

/*
 * IOMMU_HWPT_ALLOC; @data may be NULL with @data_type NONE. @fault_id is
 * used with IOMMU_HWPT_FAULT_ID_VALID in @flags.
 */
static inline int iofd_hwpt_alloc_fault(int fd, uint32_t dev_id,
					uint32_t pt_id, uint32_t flags,
					uint32_t fault_id, uint32_t data_type,
					void *data, uint32_t data_len,
					uint32_t *hwpt_id)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.pt_id = pt_id,
		.data_type = data_type,
		.data_len = data_len,
		.data_uptr = (uintptr_t)data,
		.fault_id = fault_id,
	};
	int ret = iofd_ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);

	if (!ret)
		*hwpt_id = cmd.out_hwpt_id;
	return ret;
}

static inline int iofd_hwpt_alloc(int fd, uint32_t dev_id, uint32_t pt_id,
				  uint32_t flags, uint32_t data_type,
				  void *data, uint32_t data_len,
				  uint32_t *hwpt_id)
{
	return iofd_hwpt_alloc_fault(fd, dev_id, pt_id, flags, 0, data_type,
				     data, data_len, hwpt_id);
}

/* IOMMU_FAULT_QUEUE_ALLOC: the fault object and its file */
static inline int iofd_fault_alloc(int fd, uint32_t *fault_id, int *fault_fd)
{
	struct iommu_fault_alloc cmd = { .size = sizeof(cmd) };
	int ret = iofd_ioctl(fd, IOMMU_FAULT_QUEUE_ALLOC, &cmd);

	if (!ret) {
		*fault_id = cmd.out_fault_id;
		*fault_fd = cmd.out_fault_fd;
	}
	return ret;
}

/* IOMMU_GET_HW_INFO; returns the type in *type and the length used. */
static inline int iofd_hw_info(int fd, uint32_t dev_id, void *data,
			       uint32_t *data_len, uint32_t *type,
			       uint64_t *caps)
{
	struct iommu_hw_info cmd = {
		.size = sizeof(cmd),
		.dev_id = dev_id,
		.data_len = *data_len,
		.data_uptr = (uintptr_t)data,
	};
	int ret = iofd_ioctl(fd, IOMMU_GET_HW_INFO, &cmd);

	if (!ret) {
		*data_len = cmd.data_len;
		*type = cmd.out_data_type;
		if (caps)
			*caps = cmd.out_capabilities;
	}
	return ret;
}

/*
 * IOMMU_HWPT_INVALIDATE of *entry_num entries of @entry_len bytes; on
 * return *entry_num holds how many the kernel carried out.
 */
static inline int iofd_invalidate(int fd, uint32_t hwpt_id, uint32_t type,
				  void *entries, uint32_t entry_len,
				  uint32_t *entry_num)
{
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd),
		.hwpt_id = hwpt_id,
		.data_uptr = (uintptr_t)entries,
		.data_type = type,
		.entry_len = entry_len,
		.entry_num = *entry_num,
	};
	int ret = iofd_ioctl(fd, IOMMU_HWPT_INVALIDATE, &cmd);

	*entry_num = cmd.entry_num;
	return ret;
}

/* One generic invalidation entry */
static inline int iofd_invalidate_one(int fd, uint32_t hwpt_id,
				      struct iommu_hwpt_invalidate_generic *inv)
{
	uint32_t n = 1;

	return iofd_invalidate(fd, hwpt_id, IOMMU_HWPT_INVALIDATE_DATA_GENERIC,
			       inv, sizeof(*inv), &n);
}

/*
 * IOMMU_DEVICE_EVENTQ_ALLOC with @flags: a queue of @depth records for
 * device @dev_id, its object ID in *@id and its file in *@qfd
 */
static inline int iofd_eventq_alloc(int fd, uint32_t dev_id, uint32_t flags,
				    uint32_t depth, uint32_t *id, int *qfd)
{
	struct iommu_device_eventq_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.depth = depth,
	};
	int ret = iofd_ioctl(fd, IOMMU_DEVICE_EVENTQ_ALLOC, &cmd);

	if (!ret) {
		*id = cmd.out_eventq_id;
		*qfd = cmd.out_eventq_fd;
	}
	return ret;
}

#endif
