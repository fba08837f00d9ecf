// SPDX-License-Identifier: GPL-2.0
/*
 * IOMMU_DEVICE_EVENTQ_ALLOC: a bounded queue of one device's IOMMU events
 * while it is behind a nested HWPT, read by the VMM through a file
 * descriptor. The IOMMU driver reports through the core's event sink; the
 * queue's memory is fixed when it is made, and a flood only raises a
 * counter, reported as one overflow record.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/iommu.h>
#include <linux/iommufd.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <uapi/linux/iommufd.h>

#include "iommufd_private.h"

/* Links eventq->idev and idev->eventq, whichever goes first */
static DEFINE_MUTEX(iommufd_eventq_link_lock);

static struct iommufd_eventq *to_eventq(struct iommu_event_sink *sink)
{
	return container_of(sink, struct iommufd_eventq, sink);
}

/*
 * The sink: queue @event, or count it as lost. Once one is lost, all are
 * until the reader has taken the overflow record, so that record sits
 * exactly where the gap is.
 */
static void iommufd_eventq_report(struct iommu_event_sink *sink,
				  const struct iommu_device_event *event)
{
	struct iommufd_eventq *eventq = to_eventq(sink);
	u32 tail;

	spin_lock(&eventq->lock);
	if (eventq->lost || eventq->count == eventq->depth) {
		if (eventq->lost != U32_MAX)
			eventq->lost++;
	} else {
		tail = (eventq->head + eventq->count) % eventq->depth;
		eventq->ring[tail] = *event;
		eventq->ring[tail].dev_id = eventq->dev_id;
		eventq->count++;
	}
	spin_unlock(&eventq->lock);
	wake_up_interruptible_poll(&eventq->wait, EPOLLIN | EPOLLRDNORM);
}

/* The next record into @rec; false when there is none */
static bool iommufd_eventq_peek(struct iommufd_eventq *eventq,
				struct iommu_device_event *rec)
{
	bool found = true;

	spin_lock(&eventq->lock);
	if (eventq->count) {
		*rec = eventq->ring[eventq->head];
	} else if (eventq->lost) {
		*rec = (struct iommu_device_event) {
			.dev_id = eventq->dev_id,
			.flags = IOMMU_DEVICE_EVENT_OVERFLOW,
			.lost = eventq->lost,
		};
	} else {
		found = false;
	}
	spin_unlock(&eventq->lock);
	return found;
}

/* Drop the record @rec that iommufd_eventq_peek() gave */
static void iommufd_eventq_pop(struct iommufd_eventq *eventq,
			       const struct iommu_device_event *rec)
{
	spin_lock(&eventq->lock);
	if (rec->flags & IOMMU_DEVICE_EVENT_OVERFLOW) {
		/* Events lost meanwhile stay counted for the next one */
		eventq->lost -= rec->lost;
	} else {
		eventq->head = (eventq->head + 1) % eventq->depth;
		eventq->count--;
	}
	spin_unlock(&eventq->lock);
}

static ssize_t iommufd_eventq_fops_read(struct file *filep, char __user *buf,
					size_t count, loff_t *ppos)
{
	struct iommufd_eventq *eventq = filep->private_data;
	struct iommu_device_event rec;
	size_t done = 0;
	int rc = 0;

	if (*ppos || count < sizeof(rec))
		return -EINVAL;

	/* One reader at a time: a record is taken only once it is copied */
	mutex_lock(&eventq->read_mutex);
	while (count - done >= sizeof(rec) && iommufd_eventq_peek(eventq, &rec)) {
		if (copy_to_user(buf + done, &rec, sizeof(rec))) {
			rc = -EFAULT;
			break;
		}
		iommufd_eventq_pop(eventq, &rec);
		done += sizeof(rec);
	}
	mutex_unlock(&eventq->read_mutex);
	if (done)
		return done;
	return rc ?: -EAGAIN;
}

static __poll_t iommufd_eventq_fops_poll(struct file *filep,
					 struct poll_table_struct *wait)
{
	struct iommufd_eventq *eventq = filep->private_data;
	__poll_t mask = 0;

	poll_wait(filep, &eventq->wait, wait);
	spin_lock(&eventq->lock);
	if (eventq->count || eventq->lost)
		mask = EPOLLIN | EPOLLRDNORM;
	spin_unlock(&eventq->lock);
	return mask;
}

static int iommufd_eventq_fops_release(struct inode *inode, struct file *filep)
{
	struct iommufd_eventq *eventq = filep->private_data;
	/* The queue may be freed once the file's reference is dropped */
	struct iommufd_ctx *ictx = eventq->ictx;

	refcount_dec(&eventq->obj.users);
	iommufd_ctx_put(ictx);
	return 0;
}

static const struct file_operations iommufd_eventq_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.read = iommufd_eventq_fops_read,
	.poll = iommufd_eventq_fops_poll,
	.release = iommufd_eventq_fops_release,
};

/* Unlink the queue and its device; the sink is not called afterwards */
static void iommufd_eventq_unlink(struct iommufd_eventq *eventq)
{
	lockdep_assert_held(&iommufd_eventq_link_lock);
	if (!eventq->idev)
		return;
	iommu_clear_event_sink(eventq->idev->dev, &eventq->sink);
	eventq->idev->eventq = NULL;
	eventq->idev = NULL;
}

/* The device is being unbound: its queue stays, and gets nothing more */
void iommufd_eventq_device_gone(struct iommufd_device *idev)
{
	mutex_lock(&iommufd_eventq_link_lock);
	if (idev->eventq)
		iommufd_eventq_unlink(idev->eventq);
	mutex_unlock(&iommufd_eventq_link_lock);
}

void iommufd_eventq_destroy(struct iommufd_object *obj)
{
	struct iommufd_eventq *eventq =
		container_of(obj, struct iommufd_eventq, obj);

	mutex_lock(&iommufd_eventq_link_lock);
	iommufd_eventq_unlink(eventq);
	mutex_unlock(&iommufd_eventq_link_lock);
	kvfree(eventq->ring);
	mutex_destroy(&eventq->read_mutex);
}

/* Link @eventq and @idev, and send the device's events to the queue */
static int iommufd_eventq_link(struct iommufd_eventq *eventq,
			       struct iommufd_device *idev)
{
	int rc;

	mutex_lock(&iommufd_eventq_link_lock);
	rc = iommu_set_event_sink(idev->dev, &eventq->sink);
	if (!rc) {
		eventq->idev = idev;
		idev->eventq = eventq;
	}
	mutex_unlock(&iommufd_eventq_link_lock);
	return rc;
}

int iommufd_device_eventq_alloc(struct iommufd_ucmd *ucmd)
{
	struct iommu_device_eventq_alloc *cmd = ucmd->cmd;
	struct iommufd_eventq *eventq;
	struct iommufd_device *idev;
	struct file *filep;
	int fdno, rc;

	if (cmd->flags)
		return -EOPNOTSUPP;
	if (!cmd->depth || cmd->depth > IOMMU_DEVICE_EVENTQ_MAX_DEPTH)
		return -EINVAL;
	idev = iommufd_get_device(ucmd, cmd->dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);

	eventq = iommufd_object_alloc(ucmd->ictx, eventq, IOMMUFD_OBJ_EVENTQ);
	if (IS_ERR(eventq)) {
		rc = PTR_ERR(eventq);
		goto out_put_idev;
	}
	eventq->ictx = ucmd->ictx;
	eventq->dev_id = idev->obj.id;
	eventq->depth = cmd->depth;
	spin_lock_init(&eventq->lock);
	mutex_init(&eventq->read_mutex);
	init_waitqueue_head(&eventq->wait);
	eventq->sink.report = iommufd_eventq_report;
	eventq->ring = kvcalloc(cmd->depth, sizeof(*eventq->ring),
				GFP_KERNEL_ACCOUNT);
	if (!eventq->ring) {
		rc = -ENOMEM;
		goto out_abort;
	}
	rc = iommufd_eventq_link(eventq, idev);
	if (rc)
		goto out_abort;

	fdno = get_unused_fd_flags(O_CLOEXEC);
	if (fdno < 0) {
		rc = fdno;
		goto out_abort;
	}
	cmd->out_eventq_id = eventq->obj.id;
	cmd->out_eventq_fd = fdno;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_put_fdno;
	/* Last, so that no error path has a file to undo */
	filep = anon_inode_getfile("[iommufd-eventq]", &iommufd_eventq_fops,
				   eventq, O_RDONLY);
	if (IS_ERR(filep)) {
		rc = PTR_ERR(filep);
		goto out_put_fdno;
	}
	refcount_inc(&eventq->obj.users);
	iommufd_ctx_get(eventq->ictx);
	iommufd_object_finalize(ucmd->ictx, &eventq->obj);
	fd_install(fdno, filep);
	iommufd_put_object(ucmd->ictx, &idev->obj);
	return 0;

out_put_fdno:
	put_unused_fd(fdno);
out_abort:
	iommufd_object_abort_and_destroy(ucmd->ictx, &eventq->obj);
out_put_idev:
	iommufd_put_object(ucmd->ictx, &idev->obj);
	return rc;
}
