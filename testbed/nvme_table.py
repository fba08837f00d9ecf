#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make bench's side-by-side table of the three-level NVMe runs.

Reads the serial log of `testbed/vmm.sh bench`: the stock L2's "# bench:"
lines (throughput per block size, the parallel phase, random-read IOPS, MiB
moved) and L1's section of each run (the adapter's guest command counts,
this kernel's invalidation counters). Prints throughput under each L2 IOMMU,
the nested vSMMU's ratios to the alternatives, and the guest commands per
MiB moved with what this kernel carried out for them. Emulated times: a
comparison between runs of one boot, not a hardware figure.
"""
import math
import re
import sys

RUNS = [('nvme-none', 'none (stage 2 only)'),
        ('nvme-virtio', 'virtio-iommu, strict'),
        ('nvme-lazy', 'nested vSMMU, lazy'),
        ('nvme-strict', 'nested vSMMU, strict')]
COLUMNS = ['4K write', '4K read', '64K write', '64K read', '1M write',
           '1M read', '2+2 parallel', '4K random IOPS']


def parse(lines):
    """{run: {column: value}}, {run: moved MiB}, {run: counters}"""
    speed, moved, counters = {}, {}, {}
    section = None
    for line in lines:
        m = re.search(r'# bench: (\S+) (\d+)K write ([\d.]+) MiB/s '
                      r'read ([\d.]+) MiB/s', line)
        if m:
            run = speed.setdefault(m[1], {})
            size = '1M' if m[2] == '1024' else m[2] + 'K'
            run[size + ' write'] = float(m[3])
            run[size + ' read'] = float(m[4])
            continue
        m = re.search(r'# bench: (\S+) parallel ([\d.]+) MiB/s', line)
        if m:
            speed.setdefault(m[1], {})['2+2 parallel'] = float(m[2])
            continue
        m = re.search(r'# bench: (\S+) randread4K ([\d.]+) IOPS', line)
        if m:
            speed.setdefault(m[1], {})['4K random IOPS'] = float(m[2])
            continue
        m = re.search(r'# bench: (\S+) moved (\d+) MiB', line)
        if m:
            moved[m[1]] = int(m[2])
            continue
        m = re.search(r'TESTBED: BEGIN vmm_host-(\S+)', line)
        if m:
            section = m[1]
            continue
        if section is None:
            continue
        c = counters.setdefault(section, {})
        m = re.search(r'vsmmu-adapter: nested HWPTs \d+, STEs refused \d+, '
                      r'generic entries (\d+), guest commands:(.*)', line)
        if m:
            c['entries'] = int(m[1])
            c['guest'] = sum(int(n) for n in m[2].split()[1::2])
        m = re.search(r'# kernel: ioctls (\d+) entries (\d+) commands (\d+) '
                      r'syncs (\d+)', line)
        if m:
            c['ioctls'], c['kentries'], c['commands'], c['syncs'] = \
                map(int, m.groups())
        if 'TESTBED: END vmm_host-' in line:
            section = None
    return speed, moved, counters


def cell(v):
    return '-' if v is None else ('%.0f' % v if v >= 100 else '%.1f' % v)


def main():
    with open(sys.argv[1], errors='replace') as f:
        speed, moved, counters = parse(f)
    missing = [r for r, _ in RUNS if r not in speed]
    if missing:
        sys.exit('nvme_table: no figures for ' + ', '.join(missing))

    print('\nNVMe drive in L2 (Debian 13 stock kernel), MiB/s (IOPS in the '
          'last column),\none boot, the same workload under each L2 IOMMU:')
    print('| L2 IOMMU | ' + ' | '.join(COLUMNS) + ' |')
    print('| --- ' * (len(COLUMNS) + 1) + '|')
    for run, name in RUNS:
        print('| %s | %s |' % (name, ' | '.join(
            cell(speed[run].get(c)) for c in COLUMNS)))

    print('\nThe nested vSMMU over the alternatives (geometric mean last; '
          'goal: lazy >= 0.8x none, >= 2x virtio-iommu):')
    print('| ratio | ' + ' | '.join(COLUMNS) + ' | geo. mean |')
    print('| --- ' * (len(COLUMNS) + 2) + '|')
    for ours in ('nvme-lazy', 'nvme-strict'):
        for other in ('nvme-none', 'nvme-virtio'):
            ratios = [speed[ours][c] / speed[other][c]
                      if speed[ours].get(c) and speed[other].get(c) else None
                      for c in COLUMNS]
            have = [r for r in ratios if r]
            geo = math.exp(sum(map(math.log, have)) / len(have)) \
                if have else None
            print('| %s / %s | %s | %s |' % (
                ours[5:], other[5:],
                ' | '.join('-' if r is None else '%.2f' % r for r in ratios),
                '-' if geo is None else '%.2f' % geo))

    print('\nGuest invalidation commands per MiB moved (the adapter\'s '
          'counts) and what\nthis kernel carried out for them (its debugfs '
          'counters):')
    print('| run | MiB moved | guest commands | per MiB | generic entries '
          '| kernel entries | host commands | syncs |')
    print('| --- ' * 8 + '|')
    for run in ('nvme-lazy', 'nvme-strict'):
        c, mib = counters.get(run, {}), moved.get(run, 0)
        print('| %s | %d | %s | %s | %s | %s | %s | %s |' % (
            run[5:], mib, c.get('guest', '-'),
            '%.1f' % (c['guest'] / mib) if 'guest' in c and mib else '-',
            c.get('entries', '-'), c.get('kentries', '-'),
            c.get('commands', '-'), c.get('syncs', '-')))
    print()


if __name__ == '__main__':
    main()
