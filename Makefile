# SPDX-License-Identifier: GPL-2.0
# ARM SMMUv3 nested translation for iommufd on Linux 6.12: the front door.
# Caches live in $(CACHE) (default /var/cache/smmuv3-nested). Needs root.

export CACHE ?= /var/cache/smmuv3-nested

.PHONY: test test-debug test-base test-list run build check series bench fuzz \
	selfcheck clean-cache vmm coverage mutate

test:
	@testbed/test.sh

# The debug kernel's boot alone (make test boots it too)
test-debug:
	@ONLY=debug testbed/test.sh

# After adding or removing tests on purpose: testbed/expected-tests from
# the last full make test
test-list:
	@testbed/test-list.sh

run:
	@testbed/show.sh run demo

# The base's iommufd selftests on the pristine base (known-failures check)
test-base:
	@testbed/test-base.sh

build:
	@testbed/build.sh

clean-cache:
	rm -rf $(CACHE)/tree $(CACHE)/kbuild $(CACHE)/guest

check:
	@testbed/check.sh

series:
	@testbed/series.sh

selfcheck:
	@testbed/selfcheck.sh

# Fuzz the invalidation translation and the VMM library longer than
# make test does
FUZZ_SECONDS ?= 600
fuzz:
	@testbed/build.sh
	@FUZZ_SECONDS=$(FUZZ_SECONDS) testbed/host-tests.sh | \
		grep -E '^(not )?ok 1 fuzz_'

bench:
	@testbed/show.sh bench bench
	@testbed/vmm.sh bench

# Line and branch coverage of our kernel files under the main boot's tests
coverage:
	@testbed/coverage.sh

# Realistic bugs put into our kernel code one at a time (testbed/mutations):
# which tests catch each. Slow; not part of make test.
mutate:
	@testbed/mutate.sh

# Three levels: QEMU 10 -> our kernel with KVM running QEMU 11's
# accelerated vSMMU through the adapter -> an unmodified guest doing DMA
vmm:
	@testbed/vmm.sh
