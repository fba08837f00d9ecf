#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the guest's serial log into a per-suite table and a verdict.

The guest's /init frames each part of its output with
"TESTBED: BEGIN name" / "TESTBED: END name rc=N". Inside a frame is KTAP
(KUnit, from debugfs) or TAP (kselftest harness). Only leaf results count:
in KTAP a parent's line follows its children at a smaller indent.

The run fails on: a failed test, a test program that did not finish or
exited non-zero without saying why, a declared plan with results missing,
an expected suite that never ran or printed no result, a guest that never
reached its end, and any kernel warning, BUG, oops or panic, or SMMU
command queue or global error, anywhere in the log. Every event QEMU's SMMU
records must fall inside an "SMMU-EVENTS" window a test declared, in the
number it declared (see event_problems()).

Tests listed in testbed/known-failures (failing on the pristine base too)
are reported as such, apart from the passes, and do not fail the run, but
only when they fail for the listed reason: a regular expression that one
of the lines the test printed before its result must match.
"""
import argparse
import re
import sys

RESULT = re.compile(r'^(\s*)(not ok|ok) (\d+)\s*(?:- )?(.*?)\s*'
                    r'(?:#\s*(SKIP|XFAIL|TODO)\b.*)?$')
PLAN = re.compile(r'^(\s*)1\.\.(\d+)')
SUBTEST = re.compile(r'^(\s*)# Subtest: (\S+)')
BEGIN = re.compile(r'TESTBED: BEGIN (\S+)')
END = re.compile(r'TESTBED: END (\S+) (\S+)')
# The debug kernel's checkers (KASAN, SLUB debugging, lockdep, DEBUG_LIST,
# hung tasks, soft lockups) report in these words too; make selfcheck
# proves the lockdep one on the debug kernel. kmemleak has its own section.
KERNEL_TROUBLE = re.compile(
    r'(WARNING: CPU: |------------\[ cut here \]|BUG: |kernel BUG at|'
    r'Internal error: Oops|Unable to handle kernel|Kernel panic|'
    r'UBSAN: |KASAN: |INFO: task .* blocked|rcu: INFO: |'
    r'possible recursive locking|circular locking dependency|'
    r'sleeping function called from invalid|'
    r'WARNING: (possible|inconsistent|suspicious|bad unlock|held lock|'
    r'lock held)|list_(add|del) corruption|BUG \S+ \(.*\): |'
    # The SMMU itself: command queue errors and timeouts, global errors,
    # lost events. None is expected in any run.
    r'CMDQ error \(cons|skipping command in error state|CMDQ timeout|'
    r'CMD_SYNC timeout|unexpected global error reported|'
    r'Service Failure Mode|write aborted|overflow detected|'
    # QEMU's trace of a command its SMMU refused
    r'smmuv3_cmdq_consume_error|'
    # the guest's /init could not show the kernel's quiet messages
    r'kmsg: records lost|init: /dev/kmsg)')
TRACE_BEGIN = re.compile(r'SMMU-TRACE begin')
TRACE_END = re.compile(r'SMMU-TRACE end (\S+) (?:commands=(\d+) syncs=(\d+)|'
                       r'uncounted)')
TRACE_CMD = re.compile(r'smmuv3_cmdq_opcode.*<--- (\S+)')
EVENTS_BEGIN = re.compile(r'SMMU-EVENTS begin')
EVENTS_END = re.compile(r'SMMU-EVENTS end expected=(\d+)')
EVENT_RECORDED = re.compile(r'smmuv3_record_event (\S+ sid=\S+)')
EVENT_LOGGED = re.compile(r'arm-smmu-v3 \S+: event 0x[0-9a-f]+ received')


class Suite:
    def __init__(self, name):
        self.name = name
        self.passed, self.failed, self.skipped, self.known = [], [], [], []


def trace_windows(lines):
    """Between a test's SMMU-TRACE marks, what QEMU's SMMU consumed (its
    smmuv3_cmdq_opcode trace) must equal what the driver counted, where it
    counted. Returns the problems and each window as (label, driver's
    commands and syncs or None, QEMU's commands and syncs)."""
    problems, windows, counting = [], [], None
    for line in lines:
        if TRACE_BEGIN.search(line):
            counting = [0, 0]
            continue
        m = TRACE_CMD.search(line)
        if m and counting is not None:
            counting[m.group(1).endswith('CMD_SYNC')] += 1
            continue
        m = TRACE_END.search(line)
        if m and counting is not None:
            driver = None
            if m.group(2) is not None:
                driver = [int(m.group(2)), int(m.group(3))]
                if counting != driver:
                    problems.append(
                        'SMMU trace: %s: the driver counted %d commands and '
                        '%d syncs, QEMU consumed %d and %d'
                        % (m.group(1), driver[0], driver[1], counting[0],
                           counting[1]))
            windows.append((m.group(1), driver, counting))
            counting = None
    if counting is not None:
        problems.append('SMMU trace: a begin mark without an end')
    return problems, windows


def event_problems(lines):
    """Every event QEMU's SMMU recorded (its smmuv3_record_event trace) must
    lie between a test's "SMMU-EVENTS begin" and "SMMU-EVENTS end
    expected=N" marks, N of them in each window. The driver logs events at
    info level, rate-limited ("kmsg: " lines from /init): it must not log
    more than the tests declared."""
    problems, counting, windows, declared, logged = [], None, 0, 0, 0
    stray = {}
    for line in lines:
        if EVENTS_BEGIN.search(line):
            if counting is not None:
                problems.append('SMMU events: a begin mark without an end')
            counting = 0
            continue
        m = EVENTS_END.search(line)
        if m and counting is not None:
            want = int(m.group(1))
            windows += 1
            declared += want
            if counting != want:
                problems.append('SMMU events: a test declared %d, QEMU\'s '
                                'SMMU recorded %d' % (want, counting))
            counting = None
            continue
        m = EVENT_RECORDED.search(line)
        if m:
            if counting is None:
                stray[m.group(1)] = stray.get(m.group(1), 0) + 1
            else:
                counting += 1
        elif EVENT_LOGGED.search(line):
            logged += 1
    if counting is not None:
        problems.append('SMMU events: a begin mark without an end')
    for what, n in sorted(stray.items()):
        problems.append('SMMU event nobody expected: %d x %s' % (n, what))
    if logged > declared:
        problems.append('SMMU events: the driver logged %d, tests declared '
                        '%d' % (logged, declared))
    return problems, windows, declared, logged


def split_sections(lines):
    """name -> (body lines, end status or None)"""
    sections, current = {}, None
    for line in lines:
        m = END.search(line)
        if m and current and m.group(1) == current:
            sections[current] = (sections[current][0], m.group(2))
            current = None
            continue
        m = BEGIN.search(line)
        if m:
            current = m.group(1)
            sections[current] = ([], None)
            continue
        if current:
            sections[current][0].append(line)
    return sections


def parse_tap(section, body, known, kunit):
    """Leaf results of one section, grouped into suites."""
    prefix = section[:-len('kunit')] if kunit else ''
    suites, order = {}, []
    suite_indent = None
    current = section
    prev_indent = -1
    top_plan, leaves = None, 0
    said = []       # what the next result's test printed before it

    def suite(name):
        if name not in suites:
            suites[name] = Suite(name)
            order.append(name)
        return suites[name]

    for line in body:
        m = SUBTEST.match(line)
        if m and kunit:
            indent = len(m.group(1))
            if suite_indent is None or indent <= suite_indent:
                suite_indent = indent
                current = prefix + 'kunit:' + m.group(2)
            continue
        m = PLAN.match(line)
        if m and not kunit and len(m.group(1)) == 0 and top_plan is None:
            top_plan = int(m.group(2))
            continue
        m = RESULT.match(line)
        if not m:
            said.append(line)
            continue
        printed, said = said, []
        indent = len(m.group(1))
        is_parent = prev_indent > indent
        prev_indent = indent
        if is_parent:
            continue
        leaves += 1
        name, directive = m.group(4), m.group(5)
        s = suite(current)
        if directive == 'SKIP':
            s.skipped.append(name)
        elif m.group(2) == 'ok' or directive in ('XFAIL', 'TODO'):
            s.passed.append(name)
        elif '%s:%s' % (current, name) in known:
            reason = known['%s:%s' % (current, name)]
            if any(reason.search(l) for l in printed):
                s.known.append(name)
            else:
                s.failed.append('%s (a known failure, but not for the '
                                'listed reason /%s/)' % (name, reason.pattern))
        else:
            s.failed.append(name)
    if top_plan is not None and leaves < top_plan:
        suite(section).failed.append(
            '%d of %d planned results missing' % (top_plan - leaves, top_plan))
    return [suites[n] for n in order]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('logs', nargs='+', help='serial logs, one per boot')
    ap.add_argument('--host', action='append', default=[],
                    help='a log of tests run on this machine (not a boot)')
    ap.add_argument('--expect', action='append', default=[],
                    help='a section that must be present')
    ap.add_argument('--kunit-suite', action='append', default=[],
                    help='a KUnit suite that must have run')
    ap.add_argument('--kunit-boot', default='',
                    help='the boot whose KUnit suites --kunit-suite names '
                    '(default: the main boot)')
    ap.add_argument('--known-failures',
                    help='file of "suite:test reason-regex" lines')
    ap.add_argument('--boot-rc', type=int, default=0)
    ap.add_argument('--trace-only', action='store_true',
                    help='only hold the SMMU-TRACE windows against QEMU, '
                    'and print each window\'s numbers')
    args = ap.parse_args()

    log_lines = {}      # each log read once
    for log in args.logs + args.host:
        with open(log, errors='replace') as f:
            log_lines[log] = [l.rstrip('\r\n') for l in f]

    if args.trace_only:
        failed = 0
        print('| window | driver commands | driver syncs | QEMU commands | '
              'QEMU syncs |\n| --- | --- | --- | --- | --- |')
        for log in args.logs:
            found, windows = trace_windows(log_lines[log])
            for label, driver, qemu in windows:
                print('| %s | %s | %s | %d | %d |'
                      % (label, driver[0] if driver else '-',
                         driver[1] if driver else '-', qemu[0], qemu[1]))
            for p in found:
                print('FAILED: ' + p)
            print('SMMU trace: %d window(s) in %s, %d disagree with QEMU'
                  % (len(windows), log, len(found)))
            failed += len(found) + (not windows)
        return 1 if failed else 0

    lines = [l for log in args.logs + args.host for l in log_lines[log]]
    known = {}      # suite:test -> the reason it must fail for
    if args.known_failures:
        with open(args.known_failures) as f:
            for l in f:
                if l.strip() and not l.startswith('#'):
                    name, reason = l.strip().split(None, 1)
                    known[name] = re.compile(reason)

    sections = split_sections(lines)
    suites, problems = [], []
    for name, (body, status) in sections.items():
        parsed = parse_tap(name, body, known,
                           kunit=(name.split(':')[-1] == 'kunit'))
        suites += parsed
        if status is None:
            problems.append('%s: did not finish' % name)
        elif status not in ('rc=0', 'rc=4') and not any(
                s.failed or s.known for s in parsed):
            problems.append('%s: ended with %s' % (name, status))
        if not any(s.passed or s.failed or s.skipped or s.known
                   for s in parsed):
            problems.append('%s: no test results' % name)
    for name in args.expect:
        if name not in sections:
            problems.append('%s: never ran' % name)
    prefix = args.kunit_boot + ':' if args.kunit_boot else ''
    for name in args.kunit_suite:
        if not any(s.name == prefix + 'kunit:' + name for s in suites):
            problems.append('%skunit:%s: never ran' % (prefix, name))
    finished = sum('TESTBED: DONE' in l for l in lines)
    if finished < len(args.logs):
        problems.append('guest: %d of %d boots never reached the end of their '
                        'run (hang, panic or timeout; boot exit %d)'
                        % (len(args.logs) - finished, len(args.logs),
                           args.boot_rc))
    for l in lines:
        if KERNEL_TROUBLE.search(l):
            problems.append('kernel log: ' + l.strip())
    for log in args.logs:
        found, windows = trace_windows(log_lines[log])
        problems += found
        if windows:
            print('SMMU trace: %d window(s) in %s held against QEMU\'s trace'
                  % (len(windows), log))
        found, marks, declared, logged = event_problems(log_lines[log])
        problems += found
        if marks:
            print('SMMU events: %d window(s) declaring %d in %s held against '
                  'QEMU\'s trace (the driver logged %d)'
                  % (marks, declared, log, logged))

    width = max([len(s.name) for s in suites] + [20])
    print('%-*s %6s %6s %6s %6s' % (width, 'suite', 'pass', 'fail', 'skip',
                                    'known'))
    for s in suites:
        print('%-*s %6d %6d %6d %6d' % (width, s.name, len(s.passed),
                                        len(s.failed), len(s.skipped),
                                        len(s.known)))
    for s in suites:
        for t in s.known:
            print('known failure (fails on the pristine base too): %s:%s'
                  % (s.name, t))
    for s in suites:
        for t in s.failed:
            print('FAILED: %s:%s' % (s.name, t))
    for p in problems:
        print('FAILED: ' + p)

    passed = sum(len(s.passed) for s in suites)
    failed = sum(len(s.failed) for s in suites) + len(problems)
    skipped = sum(len(s.skipped) + len(s.known) for s in suites)
    if failed:
        print('serial logs: ' + ' '.join(args.logs))
    print('%d passed, %d failed, %d skipped' % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
