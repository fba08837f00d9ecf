#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make mutate: put each bug of testbed/mutations into the tree, one at a
time, run what the entry says (the host tests, or a rebuilt kernel's KUnit
boot with some kselftests), and see whether the test the entry names
fails. Prints a table and the score; exits non-zero when a mutation was
not caught, did not apply or did not build.

Environment: TOP, TREE, CACHE, GUEST, KUNIT_SUITES (testbed/mutate.sh);
MUTATIONS=regex runs only the entries whose name matches.
"""
import os
import re
import subprocess
import sys
import time

TOP = os.environ['TOP']
TREE = os.environ['TREE']
OUT = os.path.join(os.environ['CACHE'], 'mutate')
KUNIT_SUITES = os.environ['KUNIT_SUITES'].split()


def read_mutations(path):
    entries, cur = [], {}
    with open(path) as f:
        for line in f:
            line = line.rstrip('\n')
            if line.startswith('#'):
                continue
            if not line.strip():
                if cur:
                    entries.append(cur)
                cur = {}
                continue
            key, _, value = line.partition(': ')
            cur[key] = value
    if cur:
        entries.append(cur)
    for e in entries:
        missing = {'mutation', 'file', 'sed', 'run', 'caught-by'} - set(e)
        if missing:
            sys.exit('testbed/mutations: %s lacks %s'
                     % (e.get('mutation', '?'), ', '.join(sorted(missing))))
    return entries


def step(log, *cmd, env=None):
    """Run a test bed script, its output appended to log; its exit code"""
    with open(log, 'a') as f:
        return subprocess.call(cmd, stdout=f, stderr=subprocess.STDOUT,
                               env=dict(os.environ, **(env or {})))


def report(log, args):
    p = subprocess.run([sys.executable, os.path.join(TOP, 'testbed',
                                                     'report.py')] + args,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
    with open(log, 'a') as f:
        f.write(p.stdout)
    return [l[len('FAILED: '):] for l in p.stdout.splitlines()
            if l.startswith('FAILED: ')]


def run_one(n, e):
    """-> (verdict, the failed tests). No "file": the baseline, unmutated"""
    log = os.path.join(OUT, '%02d.log' % n)
    open(log, 'w').close()
    path = os.path.join(TREE, e.get('file', ''))
    original = None
    try:
        if 'file' in e:
            with open(path, 'rb') as f:
                original = f.read()
            subprocess.check_call(['sed', '-i', '-e', e['sed'], path])
            with open(path, 'rb') as f:
                if f.read() == original:
                    return 'did not apply', []
        what = e['run'].split()
        script = os.path.join(TOP, 'testbed')
        if what == ['host']:
            host = os.path.join(OUT, '%02d.host.log' % n)
            open(host, 'w').close()
            step(host, os.path.join(script, 'host-tests.sh'))
            failed = report(log, ['--host', host])
        else:
            if step(log, os.path.join(script, 'build-kernel.sh')):
                return 'did not build', []
            tests = ' '.join(what[1:]) or ' '
            if step(log, os.path.join(script, 'build-guest.sh'),
                    env={'TESTS': tests}):
                return 'guest did not build', []
            boot = os.path.join(OUT, '%02d.boot.log' % n)
            rc = step(log, os.path.join(script, 'boot.sh'), 'test', boot)
            args = [boot, '--expect', 'kunit', '--done', 'test',
                    '--boot-rc', str(rc), '--expected-skips',
                    os.path.join(TOP, 'testbed', 'expected-skips')]
            for t in what[1:]:
                args += ['--expect', t]
            for s in KUNIT_SUITES:
                args += ['--kunit-suite', s]
            failed = report(log, args)
        want = re.compile(e['caught-by'])
        if any(want.search(f) for f in failed):
            return 'caught', failed
        return 'NOT CAUGHT', failed
    finally:
        if original is not None:
            with open(path, 'wb') as f:
                f.write(original)


def main():
    entries = read_mutations(os.path.join(TOP, 'testbed', 'mutations'))
    pick = re.compile(os.environ.get('MUTATIONS', ''))
    os.makedirs(OUT, exist_ok=True)
    start = time.time()
    rows, caught = [], 0
    chosen = [e for e in entries if pick.search(e['mutation'])]
    # Without the bugs, what the mutations run must pass, or a "caught"
    # would mean nothing
    kselftests = sorted({t for e in chosen for t in e['run'].split()[1:]})
    for what in ('host', ' '.join(['kunit'] + kselftests)):
        verdict, failed = run_one(0, {'mutation': 'baseline', 'run': what,
                                      'caught-by': '^$'})
        if failed:
            print('mutate: the unmutated tree fails (%s): %s'
                  % (what, '; '.join(failed[:5])))
            return 1
        print('mutate: baseline %s passes' % what, flush=True)
    for n, e in enumerate(chosen, 1):
        t = time.time()
        verdict, failed = run_one(n, e)
        caught += verdict == 'caught'
        first = [f for f in failed if re.search(e['caught-by'], f)] or failed
        rows.append((e['mutation'], e['run'], verdict,
                     '; '.join(first[:2]) + (' (+%d)' % (len(failed) - 2)
                                             if len(failed) > 2 else ''),
                     time.time() - t))
        print('mutate: %d/%d %s: %s (%.0f s)' % (n, len(chosen),
                                                e['mutation'], verdict,
                                                time.time() - t), flush=True)
    print('\n| mutation | run | verdict | failed tests |')
    print('| --- | --- | --- | --- |')
    for name, what, verdict, failed, _ in rows:
        print('| %s | %s | %s | %s |' % (name.replace('|', '\\|'), what,
                                         verdict, failed.replace('|', '\\|')))
    print('\nmutation score: %d of %d caught; wall time %.0f min'
          % (caught, len(chosen), (time.time() - start) / 60))
    return 0 if caught == len(chosen) else 1


if __name__ == '__main__':
    sys.exit(main())
