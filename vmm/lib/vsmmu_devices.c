// SPDX-License-Identifier: GPL-2.0
/*
 * The devices behind one virtual SMMU, found by the StreamID the guest
 * uses for them. A handful per VM: a sorted array.
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

/* Return: 0, -EEXIST (@vsid is taken) or -ENOMEM */
int vsmmu_devices_add(struct vsmmu_devices *d, uint32_t vsid,
		      uint32_t dev_id, uint32_t hwpt_id)
{
	unsigned int i = slot(d, vsid);

	if (i < d->n && d->dev[i].vsid == vsid)
		return -EEXIST;
	if (d->n == d->max) {
		unsigned int max = d->max ? 2 * d->max : 8;
		struct vsmmu_device *dev = realloc(d->dev, max * sizeof(*dev));

		if (!dev)
			return -ENOMEM;
		d->dev = dev;
		d->max = max;
	}
	memmove(&d->dev[i + 1], &d->dev[i], (d->n - i) * sizeof(*d->dev));
	d->dev[i] = (struct vsmmu_device){ vsid, dev_id, hwpt_id };
	d->n++;
	return 0;
}

/* The device the guest calls @vsid, or NULL */
struct vsmmu_device *vsmmu_devices_find(struct vsmmu_devices *d,
					uint32_t vsid)
{
	unsigned int i = slot(d, vsid);

	return i < d->n && d->dev[i].vsid == vsid ? &d->dev[i] : NULL;
}

void vsmmu_devices_remove(struct vsmmu_devices *d, uint32_t vsid)
{
	unsigned int i = slot(d, vsid);

	if (i < d->n && d->dev[i].vsid == vsid) {
		memmove(&d->dev[i], &d->dev[i + 1],
			(d->n - i - 1) * sizeof(*d->dev));
		d->n--;
	}
}

void vsmmu_devices_free(struct vsmmu_devices *d)
{
	free(d->dev);
	memset(d, 0, sizeof(*d));
}
