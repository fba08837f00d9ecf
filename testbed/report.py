#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the guest's serial log into a per-suite table and a verdict.

The guest's /init frames each part of its output with
"TESTBED: BEGIN name" / "TESTBED: END name rc=N". Inside a frame is KTAP
(KUnit, from debugfs) or TAP (kselftest harness). Only leaf results count:
in KTAP a parent's line follows its children at a smaller indent.

The run fails on: a failed test, a skip not listed in testbed/expected-skips
(and any "not ok ... # SKIP"), a test program that did not finish or exited
non-zero without saying why, a section that began twice, a plan (KTAP or
TAP, at any level) whose results do not add up, a suite whose test names
are not the ones testbed/expected-tests lists, an expected suite that never
ran or printed no result, a boot that did not reach its own
"TESTBED: DONE <level>" or a build or boot step that exited non-zero, and
any kernel warning, BUG, INFO, oops or panic, lockdep report, module load
failure, sanitizer report, or SMMU command queue or global error, anywhere
in the logs. Every event QEMU's SMMU
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
    r'((WARNING|BUG|INFO): |------------\[ cut here \]|kernel BUG at|'
    r'Internal error: |Unable to handle kernel|Kernel panic|'
    r'printk messages dropped|'
    r'UBSAN: |KASAN: |rcu: INFO: |'
    r'possible recursive locking|circular locking dependency|'
    r'sleeping function called from invalid|still has locks held!|'
    r'list_(add|del) corruption|BUG \S+ \(.*\): |'
    # a module that did not load (modular kernel), as the kernel and
    # /init's load_module() say it
    r'Unknown symbol|disagrees about version of symbol|init: loading |'
    # host tests and fuzzers: every sanitizer report
    r'runtime error: |ERROR: (Address|Leak|Memory|Thread)Sanitizer|'
    r'SUMMARY: UndefinedBehaviorSanitizer|'
    # The SMMU itself: command queue errors and timeouts, global errors,
    # lost events. None is expected in any run.
    r'CMDQ error \(cons|skipping command in error state|CMDQ timeout|'
    r'CMD_SYNC timeout|unexpected global error reported|'
    r'Service Failure Mode|write aborted|overflow detected|'
    # QEMU's trace of a command its SMMU refused
    r'smmuv3_cmdq_consume_error|'
    # the guest's /init could not show the kernel's quiet messages
    r'kmsg: records lost|init: /dev/kmsg|'
    # /init could not set up what the tests rely on
    r'init: (mount|exec|binding) )')
TRACE_BEGIN = re.compile(r'SMMU-TRACE begin')
TRACE_END = re.compile(r'SMMU-TRACE end (\S+) (?:commands=(\d+) syncs=(\d+)|'
                       r'uncounted)')
TRACE_CMD = re.compile(r'smmuv3_cmdq_opcode.*<--- (\S+)')
EVENTS_BEGIN = re.compile(r'SMMU-EVENTS begin')
EVENTS_END = re.compile(r'SMMU-EVENTS end expected=(\d+)')
EVENT_RECORDED = re.compile(r'smmuv3_record_event (\S+ sid=\S+)')
EVENT_LOGGED = re.compile(r'arm-smmu-v3 \S+: event 0x[0-9a-f]+ received')
DONE = re.compile(r'TESTBED: DONE ?(\S*)')
TAINTED = re.compile(r'TESTBED: TAINTED (\d+)')
# /proc/sys/kernel/tainted: the test machine's opt-in taints U (6), KUnit
# and the test hooks N (18); any other flag is trouble even if its message
# was lost
TAINT_FLAGS = 'PFSRMBUDAWCIOELKXTNJ'
TAINT_ALLOWED = (1 << 6) | (1 << 18)


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
    """name -> (body lines, end status or None), and the problems: a
    section that begins again keeps its first run (the second is counted
    as "name#2") and fails the report."""
    sections, current, problems = {}, None, []
    for line in lines:
        m = END.search(line)
        if m and current and m.group(1) == current.split('#')[0]:
            sections[current] = (sections[current][0], m.group(2))
            current = None
            continue
        m = BEGIN.search(line)
        if m:
            current = m.group(1)
            again = 1
            while current in sections:
                again += 1
                current = '%s#%d' % (m.group(1), again)
            if again > 1:
                problems.append('%s: began %d times' % (m.group(1), again))
            sections[current] = ([], None)
            continue
        if current:
            sections[current][0].append(line)
    return sections, problems


def plan_problems(section, body):
    """Every plan ("1..N", KTAP or TAP, at any indent) must match the
    results at its own indent in its document: the results after it until
    a new plan at that indent or less, a result at a smaller indent (the
    parent's) or the end of the section; or, for a plan that comes last
    (TAP allows it), the results before it. A cut-off results file, a
    dropped case or a crashed program shows here."""
    problems = []
    docs = {}       # indent -> [planned or None, results seen]

    def check(indent, planned, seen):
        if planned is not None and seen != planned:
            problems.append('%s: a plan of %d at indent %d got %d results'
                            % (section, planned, indent, seen))

    def close(down_to):
        for indent in sorted(docs, reverse=True):
            if indent >= down_to:
                check(indent, *docs.pop(indent))
    for line in body:
        m = PLAN.match(line)
        if m:
            indent, planned = len(m.group(1)), int(m.group(2))
            close(indent + 1)
            doc = docs.get(indent)
            if doc and doc[0] is None and doc[1]:
                check(indent, planned, doc[1])      # a trailing plan
                docs.pop(indent)
                continue
            close(indent)
            docs[indent] = [planned, 0]
            continue
        m = RESULT.match(line)
        if m:
            indent = len(m.group(1))
            close(indent + 1)
            docs.setdefault(indent, [None, 0])[1] += 1
    close(0)
    return problems


def test_key(name):
    """A test's name as testbed/expected-tests keeps it: numbers that a
    run measures ("1635 sent", "ret -22") become N, so the list holds
    each suite's names as a multiset."""
    return re.sub(r'\d+', 'N', name.lstrip('- ').strip())


def parse_tap(section, body, known, skips, kunit):
    """Leaf results of one section, grouped into suites."""
    prefix = section[:-len('kunit')] if kunit else ''
    suites, order = {}, []
    suite_indent = None
    current = section
    prev_indent = -1
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
        name, directive = m.group(4), m.group(5)
        s = suite(current)
        full = '%s:%s' % (current, name)
        if directive == 'SKIP' and m.group(2) == 'not ok':
            s.failed.append(name + ' (not ok, and a SKIP)')
        elif directive:
            # SKIP, XFAIL and TODO: none is a pass, only a listed one is
            # let through
            reason = skips.get(full)
            if reason and reason.search(line):
                s.skipped.append(name)
            else:
                s.failed.append('%s (%s; testbed/expected-skips %s)'
                                % (name, directive, 'wants /%s/'
                                   % reason.pattern if reason else
                                   'does not list it'))
        elif m.group(2) == 'ok':
            s.passed.append(name)
        elif full in known:
            reason = known[full]
            if any(reason.search(l) for l in printed):
                s.known.append(name)
            else:
                s.failed.append('%s (a known failure, but not for the '
                                'listed reason /%s/)' % (name, reason.pattern))
        else:
            s.failed.append(name)
    return [suites[n] for n in order]


def read_reasons(path):
    """A "suite:test reason-regex" file -> {suite:test: regex}"""
    reasons = {}
    if path:
        with open(path) as f:
            for l in f:
                if l.strip() and not l.startswith('#'):
                    name, reason = l.strip().split(None, 1)
                    reasons[name] = re.compile(reason)
    return reasons


def unprefixed(suite):
    """A suite's name without the boot it ran in: "debug:kunit:x" and
    "kunit:x" are one suite, "debug:edu_dma" and "edu_dma" too."""
    parts = suite.split(':')
    if 'kunit' in parts:
        return ':'.join(parts[parts.index('kunit'):])
    return parts[-1]


def names_of(s):
    return s.passed + s.failed + s.skipped + s.known


def read_test_list(path):
    """testbed/expected-tests: "suite count name" lines -> {suite: {name:
    count}}"""
    lists = {}
    with open(path) as f:
        for l in f:
            if l.strip() and not l.startswith('#'):
                suite, count, name = l.rstrip('\n').split(' ', 2)
                lists.setdefault(suite, {})[name] = int(count)
    return lists


def test_names(s):
    counts = {}
    for t in names_of(s):
        key = test_key(re.sub(r' \((skipped|not ok|a known).*$', '', t))
        counts[key] = counts.get(key, 0) + 1
    return counts


def list_problems(suites, lists):
    """Each suite's test names against its checked-in list."""
    problems = []
    for s in suites:
        want = lists.get(unprefixed(s.name))
        if want is None:
            problems.append('%s: testbed/expected-tests has no list for it'
                            % s.name)
            continue
        got = test_names(s)
        for name in sorted(set(want) | set(got)):
            if want.get(name, 0) != got.get(name, 0):
                problems.append('%s: "%s" ran %d times, testbed/expected-'
                                'tests says %d' % (s.name, name,
                                                   got.get(name, 0),
                                                   want.get(name, 0)))
    return problems


def write_test_list(path, suites):
    """Make testbed/expected-tests from a full run; a suite that ran in
    several boots must have the same names in each."""
    lists = {}
    for s in suites:
        got = test_names(s)
        key = unprefixed(s.name)
        if key in lists and lists[key] != got:
            sys.exit('%s: other test names than in another boot' % s.name)
        lists[key] = got
    with open(path, 'w') as f:
        f.write('# The test names each suite must print, as "suite count '
                'name" lines\n# (numbers in names are N). Made by '
                '`make test-list` from a full run;\n# report.py fails a '
                'suite whose names differ: a test that silently\n'
                '# disappears, or a new one not listed yet.\n')
        for suite in sorted(lists):
            for name, count in sorted(lists[suite].items()):
                f.write('%s %d %s\n' % (suite, count, name))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('logs', nargs='*', help='serial logs, one per boot')
    ap.add_argument('--host', action='append', default=[],
                    help='a log of tests run on this machine (not a boot)')
    ap.add_argument('--expect', action='append', default=[],
                    help='a section that must be present')
    ap.add_argument('--kunit-suite', action='append', default=[],
                    help='a KUnit suite that must have run: NAME in the '
                    'main boot, BOOT:NAME in another')
    ap.add_argument('--known-failures',
                    help='file of "suite:test reason-regex" lines')
    ap.add_argument('--expected-skips',
                    help='file of "suite:test reason-regex" lines: the only '
                    'skips allowed, each only for its reason')
    ap.add_argument('--expected-tests',
                    help='file of "suite count name" lines (see '
                    'write_test_list)')
    ap.add_argument('--write-tests', metavar='FILE',
                    help='write the test names of these logs to FILE')
    ap.add_argument('--done', action='append', default=[],
                    help='a level that must print its "TESTBED: DONE '
                    'LEVEL" once (default: every log, one plain DONE)')
    ap.add_argument('--boot-rc', type=int, default=0,
                    help='the exit status of the builds and boots; not 0 '
                    'fails the report')
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
    known = read_reasons(args.known_failures)
    skips = read_reasons(args.expected_skips)

    sections, problems = split_sections(lines)
    suites = []
    for name, (body, status) in sections.items():
        parsed = parse_tap(name, body, known, skips,
                           kunit=(name.split('#')[0].split(':')[-1] ==
                                  'kunit'))
        suites += parsed
        problems += plan_problems(name, body)
        if status is None:
            problems.append('%s: did not finish' % name)
        elif status == 'rc=4' and not any(s.skipped for s in parsed):
            # kselftest's exit status for skips: without a listed skip
            problems.append('%s: ended with rc=4 (skip) but nothing '
                            'skipped as listed' % name)
        elif status not in ('rc=0', 'rc=4') and not any(
                s.failed or s.known for s in parsed):
            problems.append('%s: ended with %s' % (name, status))
        if not any(names_of(s) for s in parsed):
            problems.append('%s: no test results' % name)
    if args.write_tests:
        write_test_list(args.write_tests, suites)
        return 0
    if args.expected_tests:
        problems += list_problems(suites, read_test_list(args.expected_tests))
    for name in args.expect:
        if name not in sections:
            problems.append('%s: never ran' % name)
    for name in args.kunit_suite:
        boot, _, suite = name.rpartition(':')
        full = (boot + ':' if boot else '') + 'kunit:' + suite
        if not any(s.name == full for s in suites):
            problems.append('%s: never ran' % full)
    if args.boot_rc:
        problems.append('a build or boot step exited %d (see the log above '
                        'the report)' % args.boot_rc)
    for log in args.logs:
        done = [m.group(1) for m in map(DONE.search, log_lines[log]) if m]
        if not done:
            problems.append('%s: the guest never reached the end of its run '
                            '(hang, panic or timeout)' % log)
    for m in filter(None, map(TAINTED.search, lines)):
        bad = int(m.group(1)) & ~TAINT_ALLOWED
        if bad:
            problems.append('kernel tainted %s (%s)' % (m.group(1), ''.join(
                f for i, f in enumerate(TAINT_FLAGS) if bad >> i & 1)))
    done = [m.group(1) for m in map(DONE.search, lines) if m]
    for level in args.done:
        if done.count(level) != 1:
            problems.append('%s: "TESTBED: DONE %s" printed %d times, want '
                            'once' % (level, level, done.count(level)))
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
