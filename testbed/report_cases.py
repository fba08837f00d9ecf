#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Made-up logs that report.py must fail, each for its own reason, and
the good log each one is a change of, which must pass. TAP on stdout.

Each case is a way `make test` could once pass while something was wrong
(issue 19): an unlisted skip, a boot that timed out after its DONE, a
level that never finished, kernel messages the report did not match, a
plan with results missing, a test that disappeared, a sanitizer report in
the host tests, a section run twice, a taint, an unlisted XFAIL. REPORT=path runs another report.py
(an older one, to show the case failing there).
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPORT = os.environ.get('REPORT', os.path.join(HERE, 'report.py'))

KUNIT = ['TESTBED: BEGIN kunit', 'KTAP version 1', '1..1',
         '    KTAP version 1', '    # Subtest: s', '    1..2',
         '    ok 1 a', '    ok 2 b', 'ok 1 s', 'TESTBED: END kunit rc=0']
PROG = ['TESTBED: BEGIN p', 'TAP version 13', '1..2', 'ok 1 p.x',
        'ok 2 p.y', 'TESTBED: END p rc=0']
GOOD = KUNIT + PROG + ['TESTBED: DONE test']
HOST = ['TESTBED: BEGIN h', 'ok 1 - shifts', 'ok 2 - ranges', '1..2',
        'TESTBED: END h rc=0']
LIST = ['kunit:s 1 a', 'kunit:s 1 b', 'p 1 p.x', 'p 1 p.y', 'h 1 shifts',
        'h 1 ranges']
ARGS = ['--expect', 'kunit', '--expect', 'p', '--expect', 'h',
        '--kunit-suite', 's', '--done', 'test']


def replace(lines, old, new):
    """lines with the line equal to old replaced by new (a list)"""
    assert old in lines, old
    i = lines.index(old)
    return lines[:i] + new + lines[i + 1:]


# name, the log, the host log, extra arguments, expected-skips lines,
# expected-tests lines, what the report must say
CASES = [
    ('an unlisted skip', replace(GOOD, 'ok 2 p.y', ['ok 2 p.y # SKIP no'])
     , HOST, [], [], LIST, 'p:p.y (SKIP; testbed/expected-skips does '
     'not list it)'),
    ('a listed skip for another reason',
     replace(GOOD, 'ok 2 p.y', ['ok 2 p.y # SKIP no device']), HOST, [],
     ['p:p.y # SKIP no PASIDs$'], LIST, 'wants /# SKIP no PASIDs$/'),
    ('"not ok" with a SKIP', replace(GOOD, 'ok 2 p.y',
                                     ['not ok 2 p.y # SKIP']),
     HOST, [], ['p:p.y SKIP'], LIST, 'p.y (not ok, and a SKIP)'),
    ('a boot that timed out after its DONE', GOOD, HOST,
     ['--boot-rc', '124'], [], LIST, 'a build or boot step exited 124'),
    ('a level without its own DONE (two levels, one log)',
     KUNIT + ['TESTBED: DONE kunit'] + PROG + ['TESTBED: DONE kunit'],
     HOST, ['--done', 'kunit', '--done', 'vmm'], [], LIST,
     '"TESTBED: DONE vmm" printed 0 times'),
    ('lockdep: a non-static key',
     replace(GOOD, 'ok 1 p.x', ['INFO: trying to register non-static key.',
                                'ok 1 p.x']), HOST, [], [], LIST,
     'kernel log: INFO: trying to register non-static key'),
    ('lockdep: locks held on return',
     replace(GOOD, 'ok 1 p.x', ['p/77 still has locks held!', 'ok 1 p.x']),
     HOST, [], [], LIST, 'kernel log: p/77 still has locks held!'),
    ('lockdep: a lock order report',
     replace(GOOD, 'ok 1 p.x', ['WARNING: possible irq lock inversion '
                                'dependency detected', 'ok 1 p.x']),
     HOST, [], [], LIST, 'kernel log: WARNING: possible irq lock'),
    ('a module that did not load',
     replace(GOOD, 'ok 1 p.x', ['arm_smmu_v3: Unknown symbol x (err -2)',
                                'init: loading a.ko: Unknown symbol in '
                                'module', 'ok 1 p.x']), HOST, [], [], LIST,
     'kernel log: init: loading a.ko'),
    ('a KUnit suite missing from another boot', GOOD, HOST,
     ['--kunit-suite', 'modular:s'], [], LIST,
     'modular:kunit:s: never ran'),
    ('a KUnit plan with a result missing',
     replace(GOOD, '    ok 2 b', []), HOST, [], [], LIST,
     'kunit: a plan of 2 at indent 4 got 1 results'),
    ('a KUnit results file cut short', GOOD[:GOOD.index('ok 1 s')] +
     GOOD[GOOD.index('ok 1 s') + 1:], HOST, [], [], LIST,
     'kunit: a plan of 1 at indent 0 got 0 results'),
    ('a trailing TAP plan with a result missing', GOOD,
     replace(HOST, 'ok 2 - ranges', []), [], [], LIST,
     'h: a plan of 2 at indent 0 got 1 results'),
    ('a test that disappeared with its plan',
     replace(replace(GOOD, 'ok 2 p.y', []), '1..2', ['1..1']), HOST, [],
     [], LIST, '"p.y" ran 0 times, testbed/expected-tests says 1'),
    ('a test not listed yet', GOOD, HOST, [], [], LIST[:-1],
     '"ranges" ran 1 times, testbed/expected-tests says 0'),
    ('UBSAN in a host test',
     GOOD, replace(HOST, 'ok 1 - shifts', ['inv.c:9:5: runtime error: '
                                           'shift exponent 64 is too large',
                                           'ok 1 - shifts']),
     [], [], LIST, 'kernel log: inv.c:9:5: runtime error: shift'),
    ('ASan in a host test',
     GOOD, replace(HOST, 'ok 1 - shifts', ['==9==ERROR: AddressSanitizer: '
                                           'heap-buffer-overflow',
                                           'ok 1 - shifts']),
     [], [], LIST, 'kernel log: ==9==ERROR: AddressSanitizer'),
    ('a section that ran twice', GOOD[:-1] + PROG + GOOD[-1:], HOST, [],
     [], LIST, 'p: began 2 times'),
    ('a taint flag beyond the opt-in\'s and KUnit\'s',
     GOOD[:-1] + ['TESTBED: TAINTED 262720'] + GOOD[-1:], HOST, [], [],
     LIST, 'kernel tainted 262720 (W)'),
    ('an external abort that killed a kernel thread',
     replace(GOOD, 'ok 1 p.x', ['Internal error: synchronous external '
                                'abort: 0000000096000010 [#1] SMP',
                                'ok 1 p.x']), HOST, [], [], LIST,
     'kernel log: Internal error: synchronous external abort'),
    ('kernel messages dropped',
     replace(GOOD, 'ok 1 p.x', ['** 37 printk messages dropped **',
                                'ok 1 p.x']), HOST, [], [], LIST,
     'kernel log: ** 37 printk messages dropped **'),
    ('an unlisted XFAIL', replace(GOOD, 'ok 2 p.y', ['ok 2 p.y # XFAIL']),
     HOST, [], [], LIST, 'p.y (XFAIL; testbed/expected-skips does not'),
    ('a program exiting 4 (skip) with nothing skipped',
     replace(GOOD, 'TESTBED: END p rc=0', ['TESTBED: END p rc=4']), HOST,
     [], [], LIST, 'p: ended with rc=4 (skip) but nothing skipped'),
]


def run(log, host, extra, skips, tests):
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for name, lines in (('log', log), ('host', host), ('skips', skips),
                            ('tests', tests)):
            files[name] = os.path.join(tmp, name)
            with open(files[name], 'w') as f:
                f.write(''.join(line + '\n' for line in lines))
        p = subprocess.run([sys.executable, REPORT, files['log'], '--host',
                            files['host'], '--expected-skips',
                            files['skips'], '--expected-tests',
                            files['tests']] + ARGS + extra,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True)
        return p.returncode, p.stdout


def main():
    print('TAP version 13\n1..%d' % (len(CASES) + 1))
    failed = 0
    rc, out = run(GOOD, HOST, [], [], LIST)
    ok = rc == 0
    print('%sok 1 - the good log passes' % ('' if ok else 'not '))
    if not ok:
        print('# ' + out.replace('\n', '\n# '))
    failed += not ok
    for i, (name, log, host, extra, skips, tests, want) in enumerate(CASES):
        rc, out = run(log, host, extra, skips, tests)
        ok = rc != 0 and want in out
        failed += not ok
        print('%sok %d - %s fails the report' % ('' if ok else 'not ', i + 2,
                                                 name))
        if not ok:
            print('# exit %d, want "%s" in:\n# %s'
                  % (rc, want, out.strip().replace('\n', '\n# ')))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
