// SPDX-License-Identifier: GPL-2.0
/*
 * The adapter (vmm/adapter, LD_PRELOADed as under QEMU) must not make one
 * of QEMU's threads wait for another's KVM_RUN. Under it sits fake_kvm.c,
 * whose KVM_RUN returns only when another KVM request arrives: a vCPU
 * thread enters KVM_RUN, then the main thread makes an iommufd request
 * and another vCPU's KVM request. An adapter that holds its lock across
 * every ioctl deadlocks here (as QEMU with -smp 2 did, at the first
 * secondary vCPU); a watchdog turns that into "not ok" instead of a hang.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/iommufd.h>

#include "fake_kvm.h"

#define KVMIO		0xAE
#define KVM_RUN		_IO(KVMIO, 0x80)
#define KVM_OTHER	_IO(KVMIO, 0x81)	/* another vCPU's request */
#define WATCHDOG_S	30

static void *vcpu(void *unused)
{
	(void)unused;
	ioctl(-1, KVM_RUN, NULL);
	return NULL;
}

static void watchdog(int sig)
{
	static const char msg[] =
		"not ok 1 - QEMU's threads waited for a vCPU in KVM_RUN (no progress in 30 s)\n";

	(void)sig;
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

int main(void)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	pthread_t thread;

	printf("TAP version 13\n1..1\n");
	fflush(stdout);
	signal(SIGALRM, watchdog);
	alarm(WATCHDOG_S);
	if (pthread_create(&thread, NULL, vcpu, NULL)) {
		printf("not ok 1 - no thread\n");
		return 1;
	}
	fake_kvm_wait_running();
	/* Not the adapter's: straight through, answered by the fake */
	ioctl(-1, IOMMU_IOAS_ALLOC, &alloc);
	/* Another vCPU's request, which lets the first one out */
	ioctl(-1, KVM_OTHER, NULL);
	pthread_join(thread, NULL);
	alarm(0);
	printf("ok 1 - a vCPU in KVM_RUN holds up neither QEMU's other threads nor another vCPU\n");
	return 0;
}
