// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the DMA API through the SMMU, with QEMU's edu PCI device (vendor
 * 0x1234, device 0x11e8), as a kernel driver would use it. On the test
 * bed's host this is one stage; in the three-level test bed's guest (L2)
 * the guest's own SMMU driver builds stage 1 in its virtual SMMU, which
 * the VMM turns into a nested HWPT on the host. Skips without an edu
 * device.
 *
 * Each test binds a free edu device to a driver of its own, as the DMA
 * API needs (the SMMU sets a device up when a driver binds it), and
 * unbinds it at the end.
 *
 * edu: BAR0 0x80 DMA source, 0x88 destination, 0x90 length, 0x98 command
 * (bit 0 run, bit 1 device-to-RAM, bit 2 interrupt 0x100 when done), 0x24
 * interrupt status, 0x64 acknowledge; one MSI vector. Its buffer is at
 * device address 0x40000. A faulting DMA reads zeroes and drops writes.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/pci.h>
#include <linux/slab.h>

#define EDU_VENDOR		0x1234
#define EDU_DEVICE		0x11e8
#define EDU_REG_IRQ_STATUS	0x24
#define EDU_REG_IRQ_ACK		0x64
#define EDU_REG_DMA_SRC		0x80
#define EDU_REG_DMA_DST		0x88
#define EDU_REG_DMA_LEN		0x90
#define EDU_REG_DMA_CMD		0x98
#define EDU_DMA_RUN		BIT(0)
#define EDU_DMA_TO_RAM		BIT(1)
#define EDU_DMA_IRQ		BIT(2)
#define EDU_IRQ_DMA_DONE	0x100U
#define EDU_BUF			0x40000
#define LEN			4	/* bytes of the faulting DMA: 1 event */

struct edu {
	struct pci_dev *pdev;
	void __iomem *bar0;
	bool msi;		/* a vector is allocated */
	int irq;		/* requested, when > 0 */
	u32 irq_status;		/* every status the handler acknowledged */
	struct completion irq_done;
};

static struct pci_dev *edu_bound;

static int edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	if (edu_bound)
		return -EBUSY;
	edu_bound = pci_dev_get(pdev);
	return 0;
}

static void edu_remove(struct pci_dev *pdev)
{
}

static const struct pci_device_id edu_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR, EDU_DEVICE) },
	{}
};

static struct pci_driver edu_driver = {
	.name = "arm-smmu-v3-edu-dma-test",
	.id_table = edu_ids,
	.probe = edu_probe,
	.remove = edu_remove,
};

static void edu_release(void *arg)
{
	struct edu *edu = arg;

	if (edu->irq > 0)
		free_irq(edu->irq, edu);
	if (edu->msi)
		pci_free_irq_vectors(edu->pdev);
	if (edu->bar0)
		pci_iounmap(edu->pdev, edu->bar0);
	pci_clear_master(edu->pdev);
	pci_disable_device(edu->pdev);
	pci_dev_put(edu->pdev);
	pci_unregister_driver(&edu_driver);
}

static struct edu *edu_get(struct kunit *test)
{
	struct edu *edu = kunit_kzalloc(test, sizeof(*edu), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, edu);
	edu_bound = NULL;
	KUNIT_ASSERT_EQ(test, pci_register_driver(&edu_driver), 0);
	if (!edu_bound) {
		pci_unregister_driver(&edu_driver);
		kunit_skip(test, "no edu device free to bind");
	}
	edu->pdev = edu_bound;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, edu_release,
							edu), 0);
	KUNIT_ASSERT_EQ(test, pci_enable_device(edu->pdev), 0);
	pci_set_master(edu->pdev);
	edu->bar0 = pci_iomap(edu->pdev, 0, 0);
	KUNIT_ASSERT_TRUE(test, edu->bar0);
	KUNIT_ASSERT_EQ(test, dma_set_mask_and_coherent(&edu->pdev->dev,
							DMA_BIT_MASK(64)), 0);
	return edu;
}

/*
 * One DMA between @iova and the device's buffer, @flags EDU_DMA_TO_RAM
 * and EDU_DMA_IRQ; edu takes ~100 ms
 */
static int edu_dma_cmd(struct edu *edu, dma_addr_t iova, size_t len,
		       u32 flags)
{
	bool to_ram = flags & EDU_DMA_TO_RAM;
	int i;

	writeq(to_ram ? EDU_BUF : iova, edu->bar0 + EDU_REG_DMA_SRC);
	writeq(to_ram ? iova : EDU_BUF, edu->bar0 + EDU_REG_DMA_DST);
	writeq(len, edu->bar0 + EDU_REG_DMA_LEN);
	writeq(EDU_DMA_RUN | flags, edu->bar0 + EDU_REG_DMA_CMD);
	for (i = 0; i < 10000; i++) {
		if (!(readq(edu->bar0 + EDU_REG_DMA_CMD) & EDU_DMA_RUN))
			return 0;
		usleep_range(1000, 2000);
	}
	return -ETIMEDOUT;
}

static int edu_dma(struct edu *edu, dma_addr_t iova, size_t len, bool to_ram)
{
	return edu_dma_cmd(edu, iova, len, to_ram ? EDU_DMA_TO_RAM : 0);
}

static irqreturn_t edu_irq(int irq, void *arg)
{
	struct edu *edu = arg;
	u32 status = readl(edu->bar0 + EDU_REG_IRQ_STATUS);

	writel(status, edu->bar0 + EDU_REG_IRQ_ACK);
	edu->irq_status |= status;
	complete(&edu->irq_done);
	return IRQ_HANDLED;
}

/* Memory -> device -> other memory, through dma_map_single() */
static void edu_dma_round_trip(struct kunit *test)
{
	struct edu *edu = edu_get(test);
	struct device *dev = &edu->pdev->dev;
	u8 *src = kunit_kmalloc(test, PAGE_SIZE, GFP_KERNEL);
	u8 *dst = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	dma_addr_t s, d;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, src);
	KUNIT_ASSERT_NOT_NULL(test, dst);
	for (i = 0; i < PAGE_SIZE; i++)
		src[i] = i * 7 + 3;
	s = dma_map_single(dev, src, PAGE_SIZE, DMA_TO_DEVICE);
	d = dma_map_single(dev, dst, PAGE_SIZE, DMA_FROM_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, s));
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, d));
	KUNIT_EXPECT_EQ(test, edu_dma(edu, s, PAGE_SIZE, false), 0);
	KUNIT_EXPECT_EQ(test, edu_dma(edu, d, PAGE_SIZE, true), 0);
	dma_unmap_single(dev, s, PAGE_SIZE, DMA_TO_DEVICE);
	dma_unmap_single(dev, d, PAGE_SIZE, DMA_FROM_DEVICE);
	KUNIT_EXPECT_EQ(test, memcmp(src, dst, PAGE_SIZE), 0);
}

/*
 * After dma_unmap_single() (strict invalidation) the device can no longer
 * write to that IOVA: the page keeps its contents. The one faulting DMA
 * records one SMMU event, declared for the test bed's report.
 */
static void edu_dma_unmap_revokes(struct kunit *test)
{
	struct edu *edu = edu_get(test);
	struct device *dev = &edu->pdev->dev;
	u8 *page = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	dma_addr_t d;
	int ret;

	KUNIT_ASSERT_NOT_NULL(test, page);
	d = dma_map_single(dev, page, PAGE_SIZE, DMA_FROM_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, d));
	KUNIT_EXPECT_EQ(test, edu_dma(edu, d, PAGE_SIZE, true), 0);
	dma_unmap_single(dev, d, PAGE_SIZE, DMA_FROM_DEVICE);

	memset(page, 0x5a, PAGE_SIZE);
	/* Warnings, so the console shows the marks as the fault happens */
	pr_warn("SMMU-EVENTS begin (a DMA faults on purpose)\n");
	ret = edu_dma(edu, d, LEN, true);
	pr_warn("SMMU-EVENTS end expected=%d\n", LEN / 4);
	KUNIT_EXPECT_EQ(test, ret, 0);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(page, 0x5a, PAGE_SIZE));
}

/*
 * A DMA that ends with edu's MSI. The MSI write is translated like the
 * DMA: on the host the doorbell is mapped in the device's own domain; in
 * the three-level test bed's guest the host maps it in its stage 2 at the
 * software MSI window, which this guest's domain maps 1:1 because the
 * VMM's IORT RMR nodes say so. Either way the handler must run.
 */
static void edu_dma_raises_msi(struct kunit *test)
{
	struct edu *edu = edu_get(test);
	struct device *dev = &edu->pdev->dev;
	u8 *page = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	dma_addr_t d;
	int irq;

	KUNIT_ASSERT_NOT_NULL(test, page);
	init_completion(&edu->irq_done);
	KUNIT_ASSERT_EQ(test, pci_alloc_irq_vectors(edu->pdev, 1, 1,
						    PCI_IRQ_MSI), 1);
	edu->msi = true;
	irq = pci_irq_vector(edu->pdev, 0);
	KUNIT_ASSERT_GT(test, irq, 0);
	KUNIT_ASSERT_EQ(test, request_irq(irq, edu_irq, 0, edu_driver.name,
					  edu), 0);
	edu->irq = irq;

	d = dma_map_single(dev, page, PAGE_SIZE, DMA_FROM_DEVICE);
	KUNIT_ASSERT_FALSE(test, dma_mapping_error(dev, d));
	KUNIT_EXPECT_EQ(test, edu_dma_cmd(edu, d, PAGE_SIZE,
					  EDU_DMA_TO_RAM | EDU_DMA_IRQ), 0);
	KUNIT_EXPECT_NE(test, wait_for_completion_timeout(&edu->irq_done,
							  10 * HZ), 0);
	dma_unmap_single(dev, d, PAGE_SIZE, DMA_FROM_DEVICE);
	KUNIT_EXPECT_EQ(test, edu->irq_status, EDU_IRQ_DMA_DONE);
}

static struct kunit_case arm_smmu_v3_edu_dma_cases[] = {
	KUNIT_CASE(edu_dma_round_trip),
	KUNIT_CASE(edu_dma_unmap_revokes),
	KUNIT_CASE(edu_dma_raises_msi),
	{},
};

static struct kunit_suite arm_smmu_v3_edu_dma_suite = {
	.name = "arm-smmu-v3-edu-dma",
	.test_cases = arm_smmu_v3_edu_dma_cases,
};

kunit_test_suites(&arm_smmu_v3_edu_dma_suite);

MODULE_DESCRIPTION("KUnit test of the DMA API through the SMMU with QEMU's edu device");
MODULE_LICENSE("GPL");
