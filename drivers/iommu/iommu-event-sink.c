// SPDX-License-Identifier: GPL-2.0
/*
 * Event sinks: a device's IOMMU events delivered to its owner (iommufd's
 * device event queue) instead of the kernel log, while the device is
 * behind a nested domain. The IOMMU driver decides which events qualify
 * and calls iommu_report_device_event(); the owner registers one sink per
 * device.
 */
#include <linux/device.h>
#include <linux/iommu.h>
#include <linux/mutex.h>

/*
 * Serialises setting, clearing and calling sinks, so a sink is never
 * called once iommu_clear_event_sink() has returned. Reporting may sleep.
 */
static DEFINE_MUTEX(iommu_event_sink_lock);

/**
 * iommu_set_event_sink() - send @dev's nested events to @sink
 * @dev: the device
 * @sink: the sink, valid until iommu_clear_event_sink()
 *
 * Return: 0, -EOPNOTSUPP when the device's IOMMU driver does not report
 * events this way (IOMMU_CAP_NESTED_EVENTS), -EBUSY when the device has a
 * sink already.
 */
int iommu_set_event_sink(struct device *dev, struct iommu_event_sink *sink)
{
	int ret = 0;

	if (!device_iommu_capable(dev, IOMMU_CAP_NESTED_EVENTS))
		return -EOPNOTSUPP;
	mutex_lock(&iommu_event_sink_lock);
	if (dev->iommu->event_sink)
		ret = -EBUSY;
	else
		dev->iommu->event_sink = sink;
	mutex_unlock(&iommu_event_sink_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(iommu_set_event_sink);

/**
 * iommu_clear_event_sink() - stop sending @dev's events to @sink
 * @dev: the device
 * @sink: the sink set before; nothing happens if it is not @dev's
 *
 * Once this returns, @sink is not called again and may be freed.
 */
void iommu_clear_event_sink(struct device *dev, struct iommu_event_sink *sink)
{
	mutex_lock(&iommu_event_sink_lock);
	if (dev->iommu && dev->iommu->event_sink == sink)
		dev->iommu->event_sink = NULL;
	mutex_unlock(&iommu_event_sink_lock);
}
EXPORT_SYMBOL_GPL(iommu_clear_event_sink);

/**
 * iommu_report_device_event() - hand one event of @dev to its sink
 * @dev: the device, kept alive by the caller
 * @event: the event, in the form userspace reads it
 *
 * For IOMMU drivers, from a context that may sleep.
 *
 * Return: 0 when a sink took the event, -ENOENT when there is none (the
 * driver then logs it as before).
 */
int iommu_report_device_event(struct device *dev,
			      const struct iommu_device_event *event)
{
	struct iommu_event_sink *sink;
	int ret = -ENOENT;

	mutex_lock(&iommu_event_sink_lock);
	sink = dev->iommu ? dev->iommu->event_sink : NULL;
	if (sink) {
		sink->report(sink, event);
		ret = 0;
	}
	mutex_unlock(&iommu_event_sink_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(iommu_report_device_event);
