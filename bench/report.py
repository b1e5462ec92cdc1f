# -*- coding: utf-8 -*-
# Copyright (c) portsip.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Turn the JSON results of bench/bench.py into docs/benchmarks.md, docs/benchmarks.png and a printed table.

Usage: python bench/report.py RESULTS.json --markdown docs/benchmarks.md --chart docs/benchmarks.png
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import json
import math
import os

# Targets of the benchmark.
REQUESTS_UNCHANGED = 1
REQUESTS_CHANGED = 3
HANDSHAKES_CONTROLLER = 1
CONTROLLER_RATIO = 0.2
MODULE_RATIO = 1.0
RECONCILE_1000_SECONDS = 0.020
# Growth exponent k of t = c * n**k from 100 to 10,000 members. 1.0 is linear,
# n log n gives 1.15 over that range and a quadratic algorithm gives 2.0.
RECONCILE_MAX_EXPONENT = 1.2

SCENARIO_TITLES = {
    'controller': 'dect_members, controller path',
    'module': 'dect_members, module path',
    'uri': 'ansible.builtin.uri by hand',
}
IMPORT_TITLES = {
    'python_startup': 'Python start-up only',
    'ping': 'ansible.builtin.ping module',
    'uri': 'ansible.builtin.uri module',
    'dect_members': 'portsip.pbx.dect_members module',
}
STARTUP_TITLES = {
    'empty': 'empty playbook (one play, no tasks)',
    'debug': '20-item loop of ansible.builtin.debug',
    'ping': '20-item loop of ansible.builtin.ping',
}


def seconds(value):
    return f'{value:.2f}'


def milliseconds(value):
    return f'{value * 1000:.1f}'


def ratio(value):
    return f'{value:.3f}x'


def yes_no(met):
    return 'yes' if met else '**no**'


def table(header, rows):
    lines = ['| ' + ' | '.join(header) + ' |', '|' + ' --- |' * len(header)]
    lines.extend('| ' + ' | '.join(str(cell) for cell in row) + ' |' for row in rows)
    return '\n'.join(lines)


class Figures:
    """Derived figures of one results file, shared by the page, the chart and the printed table."""

    def __init__(self, results):
        self.results = results
        self.loops = results['loops']
        self.phones = results['loop_phones']
        self.empty = self.wall('startup/empty')

    def wall(self, key):
        return self.loops[key]['median_seconds']

    def wall_with_range(self, key):
        """Return the median wall time with the fastest and slowest timed run, for example '2.84 (2.51-3.10)'."""
        runs = self.loops[key]['seconds']
        return f'{self.wall(key):.2f} ({min(runs):.2f}-{max(runs):.2f})'

    def cpu(self, key):
        return self.loops[key]['median_cpu_seconds']

    def ratio(self, scenario, variant):
        return self.wall(f'{scenario}/{variant}') / self.wall(f'uri/{variant}')

    def net_ratio(self, scenario, variant):
        """Return the ratio after taking the empty playbook's time off both playbooks."""
        return (self.wall(f'{scenario}/{variant}') - self.empty) / (self.wall(f'uri/{variant}') - self.empty)

    def per_item(self, key):
        """Return the wall time per loop item above the empty playbook."""
        return (self.wall(key) - self.empty) / self.phones

    def requests(self, key):
        """Return the request figures of every run of ``key`` (warm-up and timed runs)."""
        return self.loops[key]['requests']

    def worst_requests_per_phone(self, key):
        return max(run['per_phone'] for run in self.requests(key))

    def worst_handshakes(self, key):
        return max(run['tls_handshakes'] for run in self.requests(key))

    def gets_per_loop(self, key):
        """Return the number of GET requests that one run of ``key`` sent for the phones of the loop."""
        sequence = self.requests(key)[0]['first_phone_sequence']
        return sum(1 for request in sequence if request.startswith('GET ')) * self.phones

    def emulator_wait(self, key):
        """Return the seconds that one run of ``key`` spends waiting for GET replies, at the probed reply time."""
        return self.gets_per_loop(key) * self.results['emulator_reply_seconds']['GET']

    def reconcile_time(self, members):
        return next(entry['seconds'] for entry in self.results['reconcile'] if entry['members'] == members)

    def reconcile_exponent(self):
        return math.log(self.reconcile_time(10000) / self.reconcile_time(100)) / math.log(100)


def request_targets(figures):
    rows = []
    for scenario in ('controller', 'module'):
        for variant, target in (('unchanged', REQUESTS_UNCHANGED), ('changed', REQUESTS_CHANGED)):
            key = f'{scenario}/{variant}'
            runs = figures.requests(key)
            met = all(run['per_phone'] == target and run['per_phone_max'] == target for run in runs)
            explanation = ''
            if not met:
                worst = max(runs, key=lambda run: run['per_phone'])
                explanation = (
                    f"The worst run sent {worst['total']} requests for {figures.phones} phones. The first phone got "
                    f"{', '.join(worst['first_phone_sequence'])}, and the other requests were "
                    f"{', '.join(worst['other_requests']) or 'none'}.")
            rows.append((f'requests per phone, {variant} run, {scenario} path', f'{target}',
                         f'{figures.worst_requests_per_phone(key):.2f}', met, explanation))
    return rows


def handshake_targets(figures):
    rows = []
    for variant in ('unchanged', 'changed'):
        key = f'controller/{variant}'
        worst = figures.worst_handshakes(key)
        met = worst <= HANDSHAKES_CONTROLLER
        explanation = ''
        if not met:
            explanation = (f'{worst} TLS handshakes for one loop of {figures.phones} phones, so the worker process '
                           'did not reuse its connection for every item.')
        rows.append((f'TLS handshakes per loop of {figures.phones} phones, {variant} run, controller path',
                     f'{HANDSHAKES_CONTROLLER}', f'{worst}', met, explanation))
    return rows


def explain_controller_miss(figures, variant, measured):
    key = f'controller/{variant}'
    text = (
        f'Missed by {measured - CONTROLLER_RATIO:.3f}x. The controller path takes {seconds(figures.wall(key))} s, '
        f'of which {seconds(figures.empty)} s is the fixed cost of ansible-playbook that the empty playbook '
        f'measures. Without it the ratio is {ratio(figures.net_ratio("controller", variant))}. Per item the '
        f'controller path costs {milliseconds(figures.per_item(key))} ms, against '
        f"{milliseconds(figures.per_item('startup/debug'))} ms for ansible.builtin.debug, the least that any task "
        'costs in the controller.')
    if emulator_holds_replies(figures):
        text += (f' Of the loop, about {seconds(figures.emulator_wait(key))} s is waiting for the emulator\'s held '
                 f'replies to {figures.gets_per_loop(key)} GET requests (see Emulator reply time).')
    return text


def explain_module_miss(figures, variant, measured):
    key = f'module/{variant}'
    if variant == 'unchanged':
        uri_processes = '20 for uri in the unchanged run, whose second loop skips every item'
    else:
        uri_processes = '40 for uri in the changed run'
    text = (
        f'Missed by {measured - MODULE_RATIO:.3f}x. Both playbooks start a module process for each loop item that '
        f'runs (20 for the module path, {uri_processes}). The module path costs '
        f"{milliseconds(figures.per_item(key))} ms per item, against "
        f"{milliseconds(figures.per_item('startup/ping'))} ms for ansible.builtin.ping.")
    if emulator_holds_replies(figures):
        text += (f" Its {figures.gets_per_loop(key)} GET requests wait about {seconds(figures.emulator_wait(key))} s "
                 "in total for the emulator's held replies, which the uri playbook's requests with "
                 '`Connection: close` do not (see Emulator reply time).')
    imports = figures.results.get('imports')
    if imports:
        text += (' The imports of its module process (ansible.module_utils.basic and requests) take '
                 f"{milliseconds(imports['dect_members']['cpu_seconds'])} ms of CPU, those of uri "
                 '(ansible.module_utils.basic and ansible.module_utils.urls) '
                 f"{milliseconds(imports['uri']['cpu_seconds'])} ms.")
    return text


def time_targets(figures):
    rows = []
    for scenario, limit, explain in (('controller', CONTROLLER_RATIO, explain_controller_miss),
                                     ('module', MODULE_RATIO, explain_module_miss)):
        for variant in ('unchanged', 'changed'):
            measured = figures.ratio(scenario, variant)
            met = measured <= limit
            explanation = '' if met else explain(figures, variant, measured)
            rows.append((f'wall time vs uri playbook, {variant} run, {scenario} path', f'<= {limit:.1f}x',
                         ratio(measured), met, explanation))
    return rows


def reconcile_targets(figures):
    time_1000 = figures.reconcile_time(1000)
    exponent = figures.reconcile_exponent()
    rows = [(
        'normalize_desired + reconcile, 1,000 members', f'< {milliseconds(RECONCILE_1000_SECONDS)} ms',
        f'{milliseconds(time_1000)} ms', time_1000 < RECONCILE_1000_SECONDS,
        '' if time_1000 < RECONCILE_1000_SECONDS else
        f'Missed by {milliseconds(time_1000 - RECONCILE_1000_SECONDS)} ms.',
    ), (
        'growth exponent of normalize_desired + reconcile, 100 to 10,000 members', f'<= {RECONCILE_MAX_EXPONENT}',
        f'{exponent:.2f}', exponent <= RECONCILE_MAX_EXPONENT,
        '' if exponent <= RECONCILE_MAX_EXPONENT else
        f'The time grows faster than n log n: {milliseconds(figures.reconcile_time(100))} ms for 100 members, '
        f'{milliseconds(figures.reconcile_time(10000))} ms for 10,000.',
    )]
    return rows


def all_targets(figures):
    return (request_targets(figures) + handshake_targets(figures) + time_targets(figures)
            + reconcile_targets(figures))


def machine_section(results):
    machine = results['machine']
    memory = machine.get('memory_bytes')
    load_start = ', '.join(f'{value:.2f}' for value in machine['load_average_start'])
    load_end = ', '.join(f'{value:.2f}' for value in machine['load_average_end'])
    revision = results['revision']
    rows = [
        ('CPU', machine['cpu_model']),
        ('cores', machine['cpu_count']),
        ('memory', f'{memory / 2 ** 30:.1f} GiB' if memory else 'unknown'),
        ('OS', machine['os']),
        ('Python', machine['python']),
        ('ansible-core', machine['ansible_core']),
        ('load average (1, 5, 15 min) at start', load_start),
        ('load average (1, 5, 15 min) at end', load_end),
        ('collection commit', revision['commit'] + (' with uncommitted changes in plugins/'
                                                    if revision['plugins_modified'] else '')),
        ('finished', results['finished']),
        ('duration of the benchmark', f"{results['duration_seconds'] / 60:.1f} min"),
    ]
    text = table(('what', 'value'), rows)
    if max(machine['load_average_start'][0], machine['load_average_end'][0]) > machine['cpu_count']:
        text += ('\n\nOther processes kept the load average above the number of cores during this run, so wall '
                 'times are longer and vary more than on an idle machine. CPU time counts only the work that the '
                 'processes did, not the time they waited for a core.')
    return text


def requests_section(figures):
    rows = []
    for scenario in ('controller', 'module', 'uri'):
        for variant in ('unchanged', 'changed'):
            key = f'{scenario}/{variant}'
            runs = figures.requests(key)
            first = runs[0]
            rows.append((
                SCENARIO_TITLES[scenario], variant, f"{first['per_phone']:.2f}",
                '<br>'.join(first['first_phone_sequence']),
                first['tls_handshakes'],
                'yes' if all(run['total'] == first['total'] and run['tls_handshakes'] == first['tls_handshakes']
                             for run in runs) else 'no',
            ))
    header = ('playbook', 'run', 'requests per phone', 'requests for one phone',
              f'TLS handshakes per loop of {figures.phones}',
              f'same in all {len(figures.requests("controller/unchanged"))} runs')
    return table(header, rows)


def wall_section(figures):
    rows = []
    for scenario in ('controller', 'module', 'uri'):
        row = [SCENARIO_TITLES[scenario]]
        for variant in ('unchanged', 'changed'):
            key = f'{scenario}/{variant}'
            row += [figures.wall_with_range(key), ratio(figures.ratio(scenario, variant)),
                    ratio(figures.net_ratio(scenario, variant)), seconds(figures.cpu(key))]
        rows.append(row)
    header = ['playbook']
    for variant in ('unchanged', 'changed'):
        header += [f'{variant}: wall s (range)', 'vs uri', 'vs uri without start-up', 'CPU s']
    return table(header, rows)


def startup_section(figures):
    rows = []
    for name in ('empty', 'debug', 'ping'):
        key = f'startup/{name}'
        per_item = '' if name == 'empty' else milliseconds(figures.per_item(key))
        rows.append((STARTUP_TITLES[name], figures.wall_with_range(key), per_item, seconds(figures.cpu(key))))
    for scenario in ('controller', 'module'):
        key = f'{scenario}/unchanged'
        rows.append((f'20-item loop of {SCENARIO_TITLES[scenario]}, unchanged', figures.wall_with_range(key),
                     milliseconds(figures.per_item(key)), seconds(figures.cpu(key))))
    return table(('playbook', 'wall s (range)', 'ms per item above the empty playbook', 'CPU s'), rows)


def imports_section(results):
    imports = results.get('imports')
    if not imports:
        return 'Not measured.'
    rows = [(IMPORT_TITLES.get(name, name), f"`{entry['code']}`", milliseconds(entry['cpu_seconds']))
            for name, entry in imports.items()]
    return table(('process', 'Python code', 'CPU ms'), rows)


def emulator_holds_replies(figures):
    """Tell whether a GET on a kept-alive connection waited far longer than one with Connection: close."""
    replies = figures.results['emulator_reply_seconds']
    return replies['GET'] > 0.02 and replies['GET'] > 5 * replies['GET_close']


def emulator_section(figures):
    replies = figures.results['emulator_reply_seconds']
    text = table(('request', 'median ms'), (
        ('GET of a member list on a kept-alive connection', milliseconds(replies['GET'])),
        ('POST of the same list on that connection (empty reply body)', milliseconds(replies['POST'])),
        ('GET with `Connection: close` on a new connection, handshake excluded', milliseconds(replies['GET_close'])),
    ))
    text += ('\n\nMedian of 20 requests each, sent by the benchmark itself. portsip.pbx keeps its connection alive '
             'with requests, and ansible.builtin.uri sends `Connection: close`.')
    if emulator_holds_replies(figures):
        text += (
            ' A GET reply on a kept-alive connection waits for the delayed ACK of Linux, up to 40 ms. The '
            'emulator writes the reply headers and the body separately and does not set TCP_NODELAY, so '
            "Nagle's algorithm holds the body until the client acknowledges the headers. A reply to a request "
            'with `Connection: close` goes out at once, as the emulator closes the connection right after it. Both '
            'paths of dect_members pay the wait on every GET, about '
            f"{seconds(figures.emulator_wait('controller/unchanged'))} s of an unchanged run and "
            f"{seconds(figures.emulator_wait('controller/changed'))} s of a changed run, and the uri playbook does "
            'not. A server that sends each reply in one write, or sets TCP_NODELAY, does not cause this wait.')
    return text


def inventory_section(results):
    inventory = results['inventory']
    if inventory['status'] == 'skipped':
        return f"Skipped: {inventory['reason']}. No figures were measured."
    if inventory['status'] == 'failed':
        return f"Failed: {inventory['reason']}. No figures were measured."
    rows = []
    forks = inventory['forks']
    for count, entry in forks.items():
        first = entry['requests'][0]
        per_host = entry['median_seconds'] / results['inventory_phones']
        rows.append((count, seconds(entry['median_seconds']), milliseconds(per_host),
                     seconds(entry['median_cpu_seconds']), first['total'], first['tls_handshakes']))
    text = table(('forks', 'wall s', 'ms per host', 'CPU s', 'requests (inventory included)', 'TLS handshakes'), rows)
    speedup = forks['1']['median_seconds'] / forks['10']['median_seconds']
    text += (f"\n\nWith forks 10 the playbook runs {speedup:.2f} times as fast as with forks 1, on "
             f"{results['machine']['cpu_count']} cores. The inventory source is a file "
             f"named `{inventory['source_file']}`, and each task reads the phone id from the host variable "
             f"`{inventory['phone_id_var']}`.")
    return text


def reconcile_section(results):
    rows = [(f"{entry['members']:,}", f"{entry['seconds'] * 1000:.3f}",
             f"{entry['seconds'] / entry['members'] * 1e6:.2f}", entry['calls_per_repeat'])
            for entry in results['reconcile']]
    return table(('members', 'best time ms', 'µs per member', 'calls per repeat'), rows)


def targets_table(targets):
    return table(('target', 'goal', 'measured', 'met'),
                 [(name, target, measured, yes_no(met)) for name, target, measured, met, _explanation in targets])


def targets_section(targets):
    text = targets_table(targets)
    misses = [(name, explanation) for name, _target, _measured, met, explanation in targets if not met]
    if misses:
        text += '\n\n### Missed targets\n\n' + '\n'.join(f'- **{name}**: {explanation}' for name, explanation in misses)
    return text


def markdown(results, chart_name):
    figures = Figures(results)
    targets = all_targets(figures)
    repeats = results['repeats']
    sections = [
        '# Benchmarks',
        'What `portsip.pbx.dect_members` costs in requests and in time, measured against the bundled PBX '
        'emulator (`tests/emulator/pbx_emulator.py`) on one machine. `make bench` regenerates this page and its '
        'chart; it is not part of `make test`. The figures of another machine, or of the same machine under '
        'other load, differ.',
        '## Command\n\n```console\n' + results['command'] + '\n```\n\n'
        '`make bench` runs `bench/run.sh`. It creates the venv `build/venv-bench` with `hack/venv.sh` and '
        'matplotlib, then builds the collection tarball and installs it into a temporary collections path. It '
        f'writes a seed of {results["inventory_phones"]} DECT phones with six extensions each '
        '(`bench/make_seed.py`) and starts the emulator on 127.0.0.1 with it. `bench/bench.py` then runs the '
        'playbooks of `bench/playbooks` and writes the results, and `bench/report.py` writes this page. '
        f'`BENCH_REPEATS=5 make bench` sets the number of timed runs (this page: {repeats}).',
        'Each playbook runs once untimed to warm the caches, then in '
        f"{repeats} timed round{'s' if repeats != 1 else ''} that run every playbook in turn, so that a change in "
        'machine load affects all of them alike. The tables show the median wall time. Before each run the '
        'emulator is reset to the seed. '
        'After each run the benchmark checks the PLAY RECAP, the request log and the member list of every phone, '
        'so every figure comes from a run that did its work. Wall times include the start of ansible-playbook. '
        'CPU time is the user and system time of ansible-playbook and all the processes it started, not the '
        "emulator's.",
        '## Machine\n\n' + machine_section(results),
        '## Targets\n\n' + targets_section(targets),
        f'## Requests and TLS handshakes ({results["loop_phones"]} phones in one loop)\n\n'
        + requests_section(figures) + '\n\n'
        'Counts come from the request log of the emulator. The unchanged run declares the members that the seed '
        'has, and the changed run gives each phone two other extensions on slots 3 and 4. The uri playbook '
        'compares extension numbers only and does not read the list back after a write.',
        f'## Wall time of one playbook over {results["loop_phones"]} phones\n\n' + wall_section(figures) + '\n\n'
        'Each playbook loops over a list of phone ids with their members (`loop:`), with connection `local`. '
        'The controller path is the default for such a task, and the module path is the same playbook with '
        '`portsip_pbx_run_in_controller: false`. "Without start-up" takes the median of the empty playbook off '
        'both times.\n\n'
        f'![Median wall times of the benchmark playbooks]({chart_name})',
        '## Start-up cost per task\n\n' + startup_section(figures) + '\n\n'
        'The same playbook shape as above: one play on localhost and a 20-item loop. ansible.builtin.debug runs '
        'in the controller only. ansible.builtin.ping starts a module process for each item.',
        '## Emulator reply time\n\n' + emulator_section(figures),
        '## Module import cost\n\n' + imports_section(results) + '\n\n'
        'CPU time of a Python process that only runs the imports of each module, the least of 10 runs. The '
        'module processes of the loops pay this for every item.',
        f'## {results["inventory_phones"]} phones through the inventory plugin\n\n' + inventory_section(results)
        + '\n\nOne `portsip.pbx.dect_members` task per host of the `portsip.pbx.dect_phones` inventory, with '
        'connection `local` and an unchanged member list. Every host runs in its own worker process, so each '
        'host opens its own connection.',
        '## Reconcile\n\n' + reconcile_section(results) + '\n\n'
        '`normalize_desired` and `reconcile` of `plugins/module_utils/members.py` on n current members and a '
        'desired list of the same extensions in which every tenth member gets another IPUI (exclusive). Best '
        "of 7 repeats with timeit, which turns off Python's garbage collector while it measures. The growth "
        'exponent k fits t = c * n^k from 100 to 10,000 members: 1.0 is linear and 1.15 is n log n.',
    ]
    return '\n\n'.join(sections) + '\n', targets


def write_chart(results, path):
    """Draw the median wall times as bar charts: the loop playbooks, then start-up and inventory."""
    import matplotlib  # pylint: disable=import-outside-toplevel
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel

    figures = Figures(results)
    figure, (loops_axis, other_axis) = plt.subplots(1, 2, figsize=(13, 5.2), gridspec_kw={'width_ratios': [3, 2]})

    scenarios = ('controller', 'module', 'uri')
    width = 0.38
    for offset, variant, color in ((-width / 2, 'unchanged', '#4c78a8'), (width / 2, 'changed', '#f58518')):
        values = [figures.wall(f'{scenario}/{variant}') for scenario in scenarios]
        bars = loops_axis.bar([index + offset for index in range(len(scenarios))], values, width,
                              label=f'{variant} run', color=color)
        loops_axis.bar_label(bars, labels=[f'{value:.1f} s' for value in values], padding=2, fontsize=9)
    loops_axis.set_xticks(range(len(scenarios)))
    loops_axis.set_xticklabels(['dect_members\ncontroller path', 'dect_members\nmodule path',
                                'ansible.builtin.uri\nby hand'])
    loops_axis.set_ylabel('median wall time (s)')
    loops_axis.set_title(f"One playbook, loop over {results['loop_phones']} DECT phones")
    loops_axis.legend(loc='upper left')
    loops_axis.margins(y=0.15)

    labels = ['empty\nplaybook', '20 x\ndebug', '20 x\nping']
    values = [figures.wall('startup/empty'), figures.wall('startup/debug'), figures.wall('startup/ping')]
    colors = ['#9d9d9d'] * 3
    inventory = results['inventory']
    if inventory['status'] == 'measured':
        for count, entry in inventory['forks'].items():
            labels.append(f"{results['inventory_phones']} hosts\nforks {count}")
            values.append(entry['median_seconds'])
            colors.append('#54a24b')
    bars = other_axis.bar(range(len(values)), values, 0.6, color=colors)
    other_axis.bar_label(bars, labels=[f'{value:.1f} s' for value in values], padding=2, fontsize=9)
    other_axis.set_xticks(range(len(values)))
    other_axis.set_xticklabels(labels)
    other_axis.set_ylabel('median wall time (s)')
    title = 'Start-up cost and inventory plugin'
    if inventory['status'] != 'measured':
        title += f" ({inventory['status']})"
    other_axis.set_title(title)
    other_axis.margins(y=0.15)

    machine = results['machine']
    figure.suptitle(f"portsip.pbx benchmark, {machine['cpu_model']}, {machine['cpu_count']} cores, "
                    f"ansible-core {machine['ansible_core']}, "
                    f"median of {results['repeats']} run{'s' if results['repeats'] != 1 else ''}", fontsize=11)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def printed_summary(results, targets):
    figures = Figures(results)
    lines = ['', wall_section(figures), '', targets_table(targets), '']
    return '\n'.join(lines)


def main():
    parser = argparse.ArgumentParser(description='Write the benchmark page and chart from bench/bench.py results.')
    parser.add_argument('results', help='JSON file written by bench/bench.py')
    parser.add_argument('--markdown', required=True, help='Markdown page to write, for example docs/benchmarks.md')
    parser.add_argument('--chart', required=True, help='PNG chart to write, for example docs/benchmarks.png')
    args = parser.parse_args()

    with open(args.results, encoding='utf-8') as results_file:
        results = json.load(results_file)
    chart_name = os.path.relpath(args.chart, os.path.dirname(os.path.abspath(args.markdown)))
    page, targets = markdown(results, chart_name)
    with open(args.markdown, 'w', encoding='utf-8') as output:
        output.write(page)
    write_chart(results, args.chart)
    print(printed_summary(results, targets))
    print(f'Wrote {args.markdown} and {args.chart}.')


if __name__ == '__main__':
    main()
