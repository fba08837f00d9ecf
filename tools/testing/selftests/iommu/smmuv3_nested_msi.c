// SPDX-License-Identifier: GPL-2.0
/*
 * MSIs of a device behind a nested HWPT. The kernel maps the ITS doorbell
 * in the nest parent's stage 2 at the IOMMU group's software MSI window,
 * and the MSI message carries the window's address; the guest's stage 1
 * has to map that window 1:1 (what IORT RMR nodes tell an ACPI guest).
 *
 * The test acts as the VMM: edu's MSI goes to an eventfd through VFIO,
 * and a DMA with edu's raise-interrupt flag must signal it, whichever
 * was first, MSI or the nested attach, and across replace between
 * parent and nested. Without the 1:1 map the MSI is lost, the SMMU
 * records the fault, and the device keeps working.
 */
#include <pthread.h>
#include <sys/eventfd.h>

#include "../kselftest_harness.h"
#include "smmuv3_robust.h"

#define VA_SRC		0x20000000ULL	/* -> data page 0 */
#define VA_DST		0x10000000ULL	/* -> data page 1 */
#define CD0_R		(1ULL << 45)	/* record stage-1 faults */
#define FIRES_MS	10000		/* a delivered MSI: wall time, TCG */
#define LOST_MS		1000		/* how long a lost one is waited for */

FIXTURE(nested_msi)
{
	int fd, efd;
	struct edu edu;
	struct robust_vm vm;
	uint64_t msi_start, msi_end;
	uint32_t nested;	/* its stage 1 maps the MSI window 1:1 */
	uint32_t nested_bare;	/* no MSI window, stage-1 faults recorded */
	uint64_t cd;		/* @nested's guest CD */
};

/* A guest context mapping the two DMA pages and, if @msi, the window */
static uint64_t guest_context(struct __test_metadata *_metadata,
			      FIXTURE_DATA(nested_msi) *self, uint16_t asid,
			      bool msi)
{
	uint64_t root, va, cd = robust_vm_context(&self->vm, asid, &root);

	ASSERT_EQ(0, guest_map(&self->vm.g, root, VA_SRC, DATA_IPA));
	ASSERT_EQ(0, guest_map(&self->vm.g, root, VA_DST, DATA_IPA + PAGE));
	for (va = self->msi_start; msi && va < self->msi_end; va += PAGE)
		ASSERT_EQ(0, guest_map(&self->vm.g, root, va, va));
	if (!msi)
		guest_ptr(&self->vm.g, cd)[0] |= CD0_R;
	return cd;
}

FIXTURE_SETUP(nested_msi)
{
	int ret = edu_open_bound(&self->edu, &self->fd);

	self->efd = -1;
	if (ret == -ENODEV) {
		ASSERT_EQ(0, edu_promised()) TH_LOG("the test bed lost its edu device");
		SKIP(return, "no edu device");
	}
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, robust_vm_map(self->fd, &self->vm, 0x60,
				   self->edu.dev_id));
	ret = edu_msi_window(&self->edu, &self->msi_start, &self->msi_end);
	if (ret == -ENOENT)
		SKIP(return, "no software MSI window: MSIs are not translated");
	ASSERT_EQ(0, ret);
	ASSERT_LT(self->msi_start, self->msi_end);

	self->cd = guest_context(_metadata, self, 1, true);
	ASSERT_EQ(0, robust_vm_nested(self->fd, &self->vm, self->edu.dev_id,
				      self->cd, &self->nested));
	ASSERT_EQ(0, robust_vm_nested(self->fd, &self->vm, self->edu.dev_id,
				      guest_context(_metadata, self, 2, false),
				      &self->nested_bare));
	ASSERT_EQ(0, edu_enable(&self->edu));
	self->efd = eventfd(0, EFD_NONBLOCK);
	ASSERT_LE(0, self->efd);
}

FIXTURE_TEARDOWN(nested_msi)
{
	edu_close(&self->edu);
	if (self->efd >= 0)
		close(self->efd);
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * A page copy from @src to @dst whose end raises edu's interrupt: the
 * copy must land on data page 1, and the interrupt is counted if it
 * reaches the eventfd within @ms. edu's status is acknowledged either
 * way, so each copy starts clean.
 */
static uint64_t copy_with_irq(struct __test_metadata *_metadata,
			      FIXTURE_DATA(nested_msi) *self, uint64_t src,
			      uint64_t dst, int ms)
{
	uint64_t irqs;

	ASSERT_EQ(1, robust_dma_lands_cmd(&self->edu, &self->vm, src, dst,
					  EDU_DMA_IRQ));
	irqs = edu_irqs_within(self->efd, ms);
	ASSERT_EQ(EDU_IRQ_DMA_DONE, edu_irq_ack(&self->edu));
	return irqs;
}

/* Through stage 1 and 2, one MSI per interrupt */
static void nested_irq_fires(struct __test_metadata *_metadata,
			     FIXTURE_DATA(nested_msi) *self)
{
	ASSERT_EQ(1, copy_with_irq(_metadata, self, VA_SRC, VA_DST,
				   FIRES_MS));
}

/* Stage 2 only: the addresses are IPAs */
static void parent_irq_fires(struct __test_metadata *_metadata,
			     FIXTURE_DATA(nested_msi) *self)
{
	ASSERT_EQ(1, copy_with_irq(_metadata, self, DATA_IPA, DATA_IPA + PAGE,
				   FIRES_MS));
}

/*
 * The copy's MSI is lost: its one 4-byte write faults in a stage that
 * records faults, so exactly one event, and no interrupt.
 */
static void nested_irq_is_lost(struct __test_metadata *_metadata,
			       FIXTURE_DATA(nested_msi) *self)
{
	uint64_t irqs;

	smmu_events_begin();
	irqs = copy_with_irq(_metadata, self, VA_SRC, VA_DST, LOST_MS);
	smmu_events_end(1);
	ASSERT_EQ(0, irqs);
}

/* MSI allocated while nested: the doorbell goes in the parent's stage 2 */
TEST_F(nested_msi, enabled_after_nested_attach)
{
	ASSERT_EQ(0, edu_attach(&self->edu, self->nested));
	ASSERT_EQ(0, edu_msi_eventfd(&self->edu, self->efd));
	nested_irq_fires(_metadata, self);
	nested_irq_fires(_metadata, self);
}

/* MSI allocated on the parent, then the guest's stage 1 is put on top */
TEST_F(nested_msi, enabled_before_nested_attach)
{
	ASSERT_EQ(0, edu_attach(&self->edu, self->vm.parent));
	ASSERT_EQ(0, edu_msi_eventfd(&self->edu, self->efd));
	ASSERT_EQ(0, edu_attach(&self->edu, self->nested));
	nested_irq_fires(_metadata, self);
}

/* Both translate the window through the same stage 2 */
TEST_F(nested_msi, replace_nested_parent_nested)
{
	ASSERT_EQ(0, edu_attach(&self->edu, self->nested));
	ASSERT_EQ(0, edu_msi_eventfd(&self->edu, self->efd));
	nested_irq_fires(_metadata, self);
	ASSERT_EQ(0, edu_attach(&self->edu, self->vm.parent));
	parent_irq_fires(_metadata, self);
	ASSERT_EQ(0, edu_attach(&self->edu, self->nested));
	nested_irq_fires(_metadata, self);
}

/*
 * A guest that does not map the window loses the MSI: the write faults
 * in stage 1, which that CD asks to record. The DMA itself is unharmed,
 * and once the guest's context maps the window, the same MSI (nothing
 * enabled again) gets through.
 */
TEST_F(nested_msi, unmapped_window_loses_the_msi)
{
	ASSERT_EQ(0, edu_attach(&self->edu, self->nested_bare));
	ASSERT_EQ(0, edu_msi_eventfd(&self->edu, self->efd));
	nested_irq_is_lost(_metadata, self);
	ASSERT_EQ(0, edu_attach(&self->edu, self->nested));
	nested_irq_fires(_metadata, self);
}

/*
 * MSIs enabled while the device is bound but attached nowhere: no
 * translation maps the doorbell then, so the message holds its physical
 * address. On QEMU's virt machine that is inside the window (the ITS is
 * at 0x8080000), which stage 1 maps 1:1 but stage 2 does not: one
 * stage-2 fault, no interrupt. Enabling MSIs again after the attach maps
 * the doorbell, as the guide tells VMMs to do.
 */
TEST_F(nested_msi, enabled_before_any_attach_needs_enabling_again)
{
	ASSERT_EQ(0, edu_msi_eventfd(&self->edu, self->efd));
	ASSERT_EQ(0, edu_attach(&self->edu, self->nested));
	nested_irq_is_lost(_metadata, self);
	ASSERT_EQ(0, edu_msi_eventfd(&self->edu, -1));
	ASSERT_EQ(0, edu_msi_eventfd(&self->edu, self->efd));
	nested_irq_fires(_metadata, self);
}

/*
 * The window holds the doorbell and nothing else: a DMA write to the
 * window's other pages, 1:1 through stage 1, faults in stage 2 (one
 * event per 4-byte access) and no data lands anywhere.
 */
TEST_F(nested_msi, window_reaches_only_the_doorbell)
{
	ASSERT_EQ(0, edu_attach(&self->edu, self->nested));
	ASSERT_EQ(0, edu_msi_eventfd(&self->edu, self->efd));
	nested_irq_fires(_metadata, self);
	smmu_events_begin();
	ASSERT_EQ(-1, robust_dma_lands(&self->edu, &self->vm, VA_SRC,
				       self->msi_end + 1 - PAGE));
	smmu_events_end(EDU_FAULT_EVENTS(PAGE));
}

struct msi_toggler {
	struct edu *edu;
	int efd;
	volatile bool stop;
	unsigned int rounds;
	int err;
};

/* MSIs enabled and disabled again and again, as a guest's driver might */
static void *toggle_msi(void *arg)
{
	struct msi_toggler *t = arg;

	while (!t->stop && !t->err) {
		t->err = edu_msi_eventfd(t->edu, t->efd);
		if (!t->err)
			t->err = edu_msi_eventfd(t->edu, -1);
		t->rounds++;
	}
	return NULL;
}

/*
 * Enabling MSIs maps the doorbell into the stage 2 under the device's
 * nested HWPT. Meanwhile the VMM replaces that HWPT and destroys it:
 * the kernel must look the domain up under the lock that replace takes,
 * or it maps into a freed domain (KASAN on the debug kernel says so).
 * Afterwards the device and its MSIs work as before.
 */
TEST_F(nested_msi, enable_races_replace_and_destroy)
{
	unsigned int seconds = robust_seconds("msi_race_seconds", 3), moves = 0;
	struct msi_toggler t = { .edu = &self->edu, .efd = self->efd };
	double end = robust_now() + seconds;
	pthread_t thread;
	uint32_t id;

	ASSERT_EQ(0, edu_attach(&self->edu, self->nested));
	ASSERT_EQ(0, pthread_create(&thread, NULL, toggle_msi, &t));
	while (robust_now() < end && !t.err) {
		ASSERT_EQ(0, robust_vm_nested(self->fd, &self->vm,
					      self->edu.dev_id, self->cd, &id));
		ASSERT_EQ(0, edu_attach(&self->edu, id));
		ASSERT_EQ(0, edu_attach(&self->edu, self->vm.parent));
		ASSERT_EQ(0, iofd_destroy(self->fd, id));
		moves++;
	}
	t.stop = true;
	pthread_join(thread, NULL);
	ASSERT_EQ(0, t.err);
	TH_LOG("%u replace+destroy rounds against %u MSI enable+disable rounds",
	       moves, t.rounds);
	ASSERT_LT(0, moves);
	ASSERT_LT(0, t.rounds);

	ASSERT_EQ(0, edu_attach(&self->edu, self->nested));
	ASSERT_EQ(0, edu_msi_eventfd(&self->edu, self->efd));
	nested_irq_fires(_metadata, self);
}

TEST_HARNESS_MAIN
