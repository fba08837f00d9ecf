#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make coverage, second half: take the gcov data out of a serial log,
run gcov on our kernel files, print line and branch coverage per file,
and hold every function with lines the tests never ran against
testbed/coverage-gaps ("file function reason" lines).

Fails when a function has uncovered lines and no reason, when a reason
names a function that is now fully covered (or gone), when the log's
data is incomplete, or when the lines covered are below --goal percent.
"""
import argparse
import base64
import json
import os
import re
import subprocess
import sys

FILE = re.compile(r'^GCOV-FILE (\S+) (\d+)$')
END = re.compile(r'^GCOV-END (\S+)$')


def extract(log):
    """The .gcda files in the log: {absolute path: bytes}"""
    files, current, chunks = {}, None, []
    with open(log, errors='replace') as f:
        for line in f:
            line = line.strip()
            m = FILE.match(line)
            if m:
                current, size, chunks = m.group(1), int(m.group(2)), []
                continue
            m = END.match(line)
            if m and current == m.group(1):
                data = base64.b64decode(''.join(chunks))
                if len(data) != size:
                    sys.exit('%s: %d bytes in the log, %d said' %
                             (current, len(data), size))
                files[current] = data
                current = None
                continue
            if current:
                chunks.append(line)
    return files


def gcov_json(gcov, objdir, stem):
    out = subprocess.run([gcov, '--json-format', '--stdout', '-b',
                          '-o', objdir, stem + '.c'], cwd=objdir,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         check=True).stdout
    # one JSON document per line with --stdout
    return [json.loads(doc) for doc in out.splitlines() if doc.strip()]


def read_gaps(path):
    gaps = {}
    with open(path) as f:
        for line in f:
            if line.strip() and not line.startswith('#'):
                name, func, reason = line.split(None, 2)
                gaps[(name, func)] = reason.strip()
    return gaps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('log')
    ap.add_argument('--kbuild', required=True)
    ap.add_argument('--gcov', default='aarch64-linux-gnu-gcov')
    ap.add_argument('--gaps', required=True)
    ap.add_argument('--goal', type=float, default=90.0)
    ap.add_argument('files', nargs='+',
                    help='our kernel C files, as paths in the tree')
    args = ap.parse_args()

    data = extract(args.log)
    problems = []
    for path, blob in data.items():
        if not path.startswith(args.kbuild + '/'):
            continue
        with open(path, 'wb') as f:
            f.write(blob)

    gaps = read_gaps(args.gaps)
    used_gaps = set()
    total_lines = total_hit = 0
    print('| file | lines | covered | % | branches | taken | % |')
    print('| --- | --- | --- | --- | --- | --- | --- |')
    for src in args.files:
        stem = os.path.basename(src)[:-2]
        objdir = os.path.join(args.kbuild, os.path.dirname(src))
        if not os.path.exists(os.path.join(objdir, stem + '.gcda')):
            problems.append('%s: no gcov data from the guest' % src)
            continue
        lines = hit = branches = taken = 0
        uncovered = {}      # function -> [line numbers]
        for doc in gcov_json(args.gcov, objdir, stem):
            for f in doc['files']:
                if not f['file'].endswith('/' + src):
                    continue
                for ln in f['lines']:
                    lines += 1
                    hit += ln['count'] > 0
                    for br in ln.get('branches', []):
                        branches += 1
                        taken += br['count'] > 0
                    if ln['count'] == 0:
                        uncovered.setdefault(ln.get('function_name', '?'),
                                             []).append(ln['line_number'])
        total_lines += lines
        total_hit += hit
        print('| %s | %d | %d | %.1f | %d | %d | %.1f |'
              % (src, lines, hit, 100.0 * hit / max(lines, 1), branches,
                 taken, 100.0 * taken / max(branches, 1)))
        name = os.path.basename(src)
        for func, nums in sorted(uncovered.items()):
            if (name, func) in gaps:
                used_gaps.add((name, func))
                continue
            problems.append('%s: %s: lines %s never ran, and %s gives no '
                            'reason' % (name, func,
                                        ','.join(map(str, nums)),
                                        os.path.basename(args.gaps)))
    for key in sorted(set(gaps) - used_gaps):
        problems.append('%s: %s: listed in %s, but fully covered (or gone)'
                        % (key[0], key[1], os.path.basename(args.gaps)))
    percent = 100.0 * total_hit / max(total_lines, 1)
    print('| all | %d | %d | %.1f | | | |' % (total_lines, total_hit,
                                               percent))
    if percent < args.goal:
        problems.append('%.1f%% of the lines covered, the goal is %.0f%%'
                        % (percent, args.goal))
    print('\nfunctions with lines not covered, and why:')
    for key in sorted(used_gaps):
        print('  %s %s: %s' % (key[0], key[1], gaps[key]))
    for p in problems:
        print('FAILED: ' + p)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
