// SPDX-License-Identifier: GPL-2.0
/*
 * The devices behind one virtual SMMU, found by the StreamID the guest
 * uses for them, and the nested HWPTs allocated for it. A handful of
 * each per VM: a sorted array of devices, a list of HWPTs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "smmuv3_vmm.h"

/* Index of @vsid, or where it would go */
static unsigned int slot(const struct vsmmu_devices *d, uint32_t vsid)
{
	unsigned int lo = 0, hi = d->n;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (d->dev[mid].vsid < vsid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct vsmmu_device *find(const struct vsmmu_devices *d,
				       uint32_t vsid)
{
	unsigned int i = slot(d, vsid);

	return i < d->n && d->dev[i].vsid == vsid ? &d->dev[i] : NULL;
}

/*
 * @array (of @n elements of @size bytes, room for *@max) with room for
 * one more: the same or a bigger one, or NULL (@array is left as it was)
 */
static void *grow(void *array, unsigned int n, unsigned int *max,
		  size_t size)
{
	unsigned int more = *max ? 2 * *max : 8;
	void *p;

	if (n < *max)
		return array;
	p = realloc(array, more * size);
	if (p)
		*max = more;
	return p;
}

int vsmmu_devices_add(struct vsmmu_devices *d, uint32_t vsid,
		      uint32_t dev_id, uint32_t hwpt_id)
{
	unsigned int i = slot(d, vsid);
	struct vsmmu_device *dev;

	/* 0 is no iommufd ID: find_dev() and attach() could not tell it */
	if (!dev_id)
		return -EINVAL;
	if (i < d->n && d->dev[i].vsid == vsid)
		return -EEXIST;
	dev = grow(d->dev, d->n, &d->max, sizeof(*d->dev));
	if (!dev)
		return -ENOMEM;
	d->dev = dev;
	memmove(&d->dev[i + 1], &d->dev[i], (d->n - i) * sizeof(*d->dev));
	d->dev[i] = (struct vsmmu_device){ vsid, dev_id, hwpt_id };
	d->n++;
	return 0;
}

struct vsmmu_device *vsmmu_devices_find(struct vsmmu_devices *d,
					uint32_t vsid)
{
	return (struct vsmmu_device *)find(d, vsid);
}

struct vsmmu_device *vsmmu_devices_find_dev(struct vsmmu_devices *d,
					    uint32_t dev_id)
{
	unsigned int i;

	for (i = 0; i < d->n; i++)
		if (d->dev[i].dev_id == dev_id)
			return &d->dev[i];
	return NULL;
}

unsigned int vsmmu_devices_attach(struct vsmmu_devices *d, uint32_t dev_id,
				  uint32_t hwpt_id)
{
	unsigned int i, found = 0;

	for (i = 0; i < d->n; i++) {
		if (d->dev[i].dev_id == dev_id) {
			d->dev[i].hwpt_id = hwpt_id;
			found++;
		}
	}
	return found;
}

int vsmmu_devices_remove(struct vsmmu_devices *d, uint32_t vsid)
{
	unsigned int i = slot(d, vsid);

	if (i >= d->n || d->dev[i].vsid != vsid)
		return -ENOENT;
	memmove(&d->dev[i], &d->dev[i + 1], (d->n - i - 1) * sizeof(*d->dev));
	d->n--;
	return 0;
}

/* Index of nested HWPT @hwpt_id, or d->n_nested */
static unsigned int nested_slot(const struct vsmmu_devices *d,
				uint32_t hwpt_id)
{
	unsigned int i;

	for (i = 0; i < d->n_nested; i++)
		if (d->nested[i] == hwpt_id)
			break;
	return i;
}

int vsmmu_devices_add_nested(struct vsmmu_devices *d, uint32_t hwpt_id)
{
	uint32_t *nested;

	if (!hwpt_id)
		return -EINVAL;
	if (nested_slot(d, hwpt_id) < d->n_nested)
		return -EEXIST;
	nested = grow(d->nested, d->n_nested, &d->max_nested,
		      sizeof(*d->nested));
	if (!nested)
		return -ENOMEM;
	d->nested = nested;
	d->nested[d->n_nested++] = hwpt_id;
	return 0;
}

int vsmmu_devices_remove_nested(struct vsmmu_devices *d, uint32_t hwpt_id)
{
	unsigned int i = nested_slot(d, hwpt_id);

	if (!hwpt_id || i == d->n_nested)
		return -ENOENT;
	/* Keep the order: the oldest one serves TLBIs */
	memmove(&d->nested[i], &d->nested[i + 1],
		(d->n_nested - i - 1) * sizeof(*d->nested));
	d->n_nested--;
	for (i = 0; i < d->n; i++)
		if (d->dev[i].hwpt_id == hwpt_id)
			d->dev[i].hwpt_id = 0;
	return 0;
}

bool vsmmu_devices_is_nested(const struct vsmmu_devices *d,
			     uint32_t hwpt_id)
{
	return hwpt_id && nested_slot(d, hwpt_id) < d->n_nested;
}

uint32_t vsmmu_devices_target(const struct vsmmu_devices *d,
			      const struct vsmmu_cmd *cmd)
{
	const struct vsmmu_device *dev;

	if (cmd->action != VSMMU_INVALIDATE)
		return 0;
	if (cmd->scope == VSMMU_ANY_DEVICE)
		return d->n_nested ? d->nested[0] : 0;
	dev = find(d, cmd->first);
	/* On the parent or on nothing, it uses no context of the guest's */
	return dev && vsmmu_devices_is_nested(d, dev->hwpt_id) ?
	       dev->hwpt_id : 0;
}

void vsmmu_devices_free(struct vsmmu_devices *d)
{
	free(d->dev);
	free(d->nested);
	memset(d, 0, sizeof(*d));
}
