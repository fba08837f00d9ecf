/* SPDX-License-Identifier: GPL-2.0 */
/* fake_kvm.c's one call for adapter_test.c */
#ifndef FAKE_KVM_H
#define FAKE_KVM_H

/* Wait until a thread sits in the fake KVM_RUN */
void fake_kvm_wait_running(void);

#endif
