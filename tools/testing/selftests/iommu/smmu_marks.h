/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Marks in the serial log for the test bed's report (testbed/report.py),
 * which holds what a test says against QEMU's trace of its SMMU. Outside
 * the test bed they are TAP comments and change nothing.
 */
#ifndef __SELFTEST_IOMMU_SMMU_MARKS_H
#define __SELFTEST_IOMMU_SMMU_MARKS_H

#include <stdarg.h>
#include <stdio.h>
#include <termios.h>
#include <unistd.h>

/*
 * One "# <text>" line. The console is drained first, so the mark lands in
 * the log before anything the SMMU does next is traced.
 */
static inline void smmu_mark(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static inline void smmu_mark(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	tcdrain(STDOUT_FILENO);
}

/*
 * Around invalidations: the report counts the commands and CMD_SYNCs
 * QEMU's SMMU consumed (its smmuv3_cmdq_opcode trace) between the marks
 * and wants what the driver's own counters say. @label names the window
 * in the report's table.
 */
static inline void smmu_trace_begin(void)
{
	smmu_mark("SMMU-TRACE begin");
}

static inline void smmu_trace_end(const char *label,
				  unsigned long long commands,
				  unsigned long long syncs)
{
	smmu_mark("SMMU-TRACE end %s commands=%llu syncs=%llu", label,
		  commands, syncs);
}

/* A window of commands the driver does not count: QEMU's numbers only */
static inline void smmu_trace_end_uncounted(const char *label)
{
	smmu_mark("SMMU-TRACE end %s uncounted", label);
}

/*
 * Around DMA that faults on purpose. The report counts the events QEMU's
 * SMMU records (its smmuv3_record_event trace) between the two marks and
 * wants exactly @expected; an event outside every such window fails the
 * run.
 */
static inline void smmu_events_begin(void)
{
	smmu_mark("SMMU-EVENTS begin");
}

static inline void smmu_events_end(unsigned int expected)
{
	smmu_mark("SMMU-EVENTS end expected=%u", expected);
}

#endif
