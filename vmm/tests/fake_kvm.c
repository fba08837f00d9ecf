// SPDX-License-Identifier: GPL-2.0
/*
 * A stand-in for the kernel under the adapter, for adapter_test: the
 * ioctl() the adapter finds next (dlsym RTLD_NEXT). KVM_RUN blocks, as a
 * running or parked vCPU does, until another KVM request arrives; every
 * other request returns at once.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/ioctl.h>

#include "fake_kvm.h"

#define KVMIO		0xAE
#define KVM_RUN_NR	0x80

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static bool running, kicked;

void fake_kvm_wait_running(void)
{
	pthread_mutex_lock(&lock);
	while (!running)
		pthread_cond_wait(&changed, &lock);
	pthread_mutex_unlock(&lock);
}

int ioctl(int fd, unsigned long req, ...)
{
	(void)fd;
	if (_IOC_TYPE(req) != KVMIO) {
		errno = ENOTTY;
		return -1;
	}
	pthread_mutex_lock(&lock);
	if (_IOC_NR(req) == KVM_RUN_NR) {
		running = true;
		pthread_cond_broadcast(&changed);
		while (!kicked)
			pthread_cond_wait(&changed, &lock);
		running = false;
	} else {
		kicked = true;
		pthread_cond_broadcast(&changed);
	}
	pthread_mutex_unlock(&lock);
	return 0;
}
