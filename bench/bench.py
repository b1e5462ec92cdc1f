# -*- coding: utf-8 -*-
# Copyright (c) portsip.pbx contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Run the portsip.pbx benchmark against a running emulator and write the figures as JSON.

bench/run.sh prepares everything this script needs: a venv with ansible-core,
the collection installed from its tarball into COLLECTIONS_PATH, and an
emulator started with a seed from bench/make_seed.py. This script then runs
the playbooks in bench/playbooks with the venv's ansible-playbook, reads the
emulator's request log after each run, checks the member lists that the run
left on the emulator, and times the reconcile function in-process.

Every playbook run is checked: a failed run, an unexpected PLAY RECAP or a
member list other than the declared one stops the benchmark with an error,
so no figure comes from a run that did not do its work.

Usage: python bench/bench.py --emulator-info STATE_DIR/emulator.json --seed SEED.json
           --collections-path PATH --work-dir DIR --output RESULTS.json [--repeats N]
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import argparse
import http.client
import json
import os
import platform
import re
import resource
import ssl
import statistics
import subprocess
import sys
import time
from urllib.parse import urlsplit

import make_seed
import reconcile_bench

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(BENCH_DIR)
PLAYBOOK_DIR = os.path.join(BENCH_DIR, 'playbooks')

LOOP_PHONES = 20
INVENTORY_PHONES = 100
INVENTORY_FORKS = (1, 10)
MAX_REPEATS = 20
# Upper bounds that keep every step of the benchmark finite.
PLAYBOOK_TIMEOUT_SECONDS = 900
CONTROL_TIMEOUT_SECONDS = 30
LATENCY_PROBES = 20

# Loop playbooks: name, playbook, extra ansible-playbook arguments.
LOOP_SCENARIOS = (
    ('controller', 'members_loop.yml', ()),
    ('module', 'members_loop.yml', ('-e', 'portsip_pbx_run_in_controller=false')),
    ('uri', 'uri_loop.yml', ()),
)
# Variant name and the member lists it declares (see make_seed.member_list).
VARIANTS = (('unchanged', 'seed'), ('changed', 'changed'))
STARTUP_SCENARIOS = (
    ('empty', 'empty.yml'),
    ('ping', 'ping_loop.yml'),
    ('debug', 'debug_loop.yml'),
)
INVENTORY_PLUGIN = 'plugins/inventory/dect_phones.py'
# File names tried for the inventory source, because an inventory plugin
# accepts only the names that its verify_file() allows.
INVENTORY_FILE_NAMES = ('portsip.dect_phones.yml', 'dect_phones.yml', 'portsip_pbx.yml', 'portsip.yml')
RECAP_RE = re.compile(r'^(\S+)\s+:\s+((?:\w+=\d+\s*)+)$')


class BenchError(Exception):
    """A step of the benchmark failed. The message names the step and the file with its output."""


def log(message):
    print(f'[{time.strftime("%H:%M:%S")}] {message}', file=sys.stderr, flush=True)


class Emulator:
    """Control API of the emulator that bench/run.sh started on 127.0.0.1.

    Each call opens its own TLS connection, so a call adds exactly one
    connection and one handshake to the emulator's counters.
    """

    def __init__(self, info_path):
        with open(info_path, encoding='utf-8') as info_file:
            info = json.load(info_file)
        address = urlsplit(info['url'])
        if address.hostname != '127.0.0.1':
            raise BenchError(f"emulator URL {info['url']} is not on 127.0.0.1. The benchmark only targets "
                             'an emulator that bench/run.sh started on this machine.')
        self.url = info['url']
        self.port = address.port
        self.ca_path = info['ca_path']
        self.token = info['token']
        self.context = ssl.create_default_context(cafile=self.ca_path)

    def call(self, method, path):
        connection = http.client.HTTPSConnection('127.0.0.1', self.port, context=self.context,
                                                 timeout=CONTROL_TIMEOUT_SECONDS)
        try:
            connection.request(method, path, headers={'Connection': 'close'})
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        if response.status != 200:
            raise BenchError(f'{method} {path} on the emulator returned HTTP {response.status}: {body[:200]!r}')
        return json.loads(body)

    def reset(self):
        self.call('POST', '/_emulator/reset')

    def request_log(self):
        """Return the request log, with the connection and handshake of this call itself taken off."""
        entry = self.call('GET', '/_emulator/requests')
        entry['connections'] -= 1
        entry['tls_handshakes'] -= 1
        return entry

    def members(self):
        return self.call('GET', '/_emulator/state')['members']

    def reply_times(self, phone_id, members, count=LATENCY_PROBES):
        """Return the median seconds of requests for one member list, ``count`` of each kind.

        'GET' and 'POST' are sent on one kept-alive connection, as the
        controller path sends them. 'GET_close' is a GET with
        ``Connection: close`` on a new connection, as ansible.builtin.uri sends
        it, timed from the request to the end of the reply (without the
        handshake). The POST writes the list that the phone already has, so
        the probe changes nothing.
        """
        path = f'/api/dect_phones/{phone_id}/members'
        headers = {'Authorization': f'Bearer {self.token}', 'Content-Type': 'application/json'}
        body = json.dumps({'items': members})
        times = {'GET': [], 'POST': [], 'GET_close': []}
        kept_alive = http.client.HTTPSConnection('127.0.0.1', self.port, context=self.context,
                                                 timeout=CONTROL_TIMEOUT_SECONDS)
        try:
            for _probe in range(count):
                for method in ('GET', 'POST'):
                    times[method].append(self._timed_request(kept_alive, method, path, headers,
                                                             body if method == 'POST' else None))
        finally:
            kept_alive.close()
        for _probe in range(count):
            connection = http.client.HTTPSConnection('127.0.0.1', self.port, context=self.context,
                                                     timeout=CONTROL_TIMEOUT_SECONDS)
            try:
                connection.connect()
                times['GET_close'].append(self._timed_request(connection, 'GET', path,
                                                              dict(headers, Connection='close'), None))
            finally:
                connection.close()
        return {kind: statistics.median(values) for kind, values in times.items()}

    @staticmethod
    def _timed_request(connection, method, path, headers, body):
        started = time.perf_counter()
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        if response.status != 200:
            raise BenchError(f'{method} {path} on the emulator returned HTTP {response.status}')
        return elapsed


class PlaybookRunner:
    """Run ansible-playbook from the benchmark venv and check its PLAY RECAP."""

    def __init__(self, work_dir, env):
        self.work_dir = work_dir
        self.log_dir = os.path.join(work_dir, 'logs')
        os.makedirs(self.log_dir, exist_ok=True)
        self.env = env
        self.ansible_playbook = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')

    def run(self, label, playbook, arguments):
        """Run one playbook and return (wall seconds, CPU seconds, summed PLAY RECAP counters).

        CPU seconds are the user and system time of ansible-playbook and every
        process it started and waited for (workers, modules), not the emulator's.
        """
        log_path = os.path.join(self.log_dir, label + '.log')
        command = [self.ansible_playbook, *arguments, os.path.join(PLAYBOOK_DIR, playbook)]
        with open(log_path, 'w', encoding='utf-8') as output:
            usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            try:
                completed = subprocess.run(command, env=self.env, stdout=output, stderr=subprocess.STDOUT,
                                           stdin=subprocess.DEVNULL, timeout=PLAYBOOK_TIMEOUT_SECONDS,
                                           check=False)
            except subprocess.TimeoutExpired:
                raise BenchError(f'{label}: ansible-playbook timed out after {PLAYBOOK_TIMEOUT_SECONDS} s. '
                                 f'Output: {log_path}') from None
            elapsed = time.perf_counter() - started
            usage_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (usage_after.ru_utime - usage_before.ru_utime) + (usage_after.ru_stime - usage_before.ru_stime)
        if completed.returncode != 0:
            raise BenchError(f'{label}: ansible-playbook exited with code {completed.returncode}. Output: {log_path}')
        with open(log_path, encoding='utf-8') as output:
            recap = parse_recap(output.read())
        if recap is None:
            raise BenchError(f'{label}: no PLAY RECAP in {log_path}')
        if recap.get('failed') or recap.get('unreachable'):
            raise BenchError(f'{label}: PLAY RECAP reports failed or unreachable hosts. Output: {log_path}')
        return elapsed, cpu, recap


def parse_recap(text):
    """Return the PLAY RECAP counters summed over all hosts, or None without a PLAY RECAP line."""
    totals = None
    in_recap = False
    for line in text.splitlines():
        if line.startswith('PLAY RECAP'):
            in_recap = True
            totals = {}
            continue
        match = RECAP_RE.match(line.strip()) if in_recap else None
        if match:
            for counter in match.group(2).split():
                name, value = counter.split('=')
                totals[name] = totals.get(name, 0) + int(value)
    return totals


def summarize_requests(request_log, phone_ids):
    """Return request counts of one run: total, per phone, and the sequence sent for one phone."""
    requests = request_log['requests']
    first_path = f'/api/dect_phones/{phone_ids[0]}'
    per_phone = [
        sum(1 for entry in requests if entry['path'].startswith(f'/api/dect_phones/{phone_id}/')
            or entry['path'] == f'/api/dect_phones/{phone_id}')
        for phone_id in phone_ids
    ]
    return {
        'total': len(requests),
        'per_phone': len(requests) / len(phone_ids),
        'per_phone_min': min(per_phone),
        'per_phone_max': max(per_phone),
        'first_phone_sequence': [
            f"{entry['method']} {entry['path'].replace(first_path, '/api/dect_phones/{id}')} {entry['status']}"
            for entry in requests
            if entry['path'] == first_path or entry['path'].startswith(first_path + '/')
        ],
        'other_requests': sorted({f"{entry['method']} {entry['path']}" for entry in requests
                                  if not entry['path'].startswith('/api/dect_phones/')}),
        'connections': request_log['connections'],
        'tls_handshakes': request_log['tls_handshakes'],
        'api_connections': request_log['api_connections'],
    }


def check_members(emulator, expected_by_phone, label):
    """Raise BenchError unless each phone contains exactly its expected members (in any order)."""
    stored = emulator.members()
    for phone_id, expected in expected_by_phone.items():
        have = sorted((member['extension_number'], member['handset_index'], member['ipui'])
                      for member in stored.get(phone_id, []))
        want = sorted((member['extension_number'], member['handset_index'], member['ipui'])
                      for member in expected)
        if have != want:
            raise BenchError(f'{label}: DECT phone {phone_id} has the members {have} after the run, '
                             f'expected {want}.')


def add_medians(entry):
    entry['median_seconds'] = statistics.median(entry['seconds'])
    entry['median_cpu_seconds'] = statistics.median(entry['cpu_seconds'])


def write_json(path, data):
    with open(path, 'w', encoding='utf-8') as output:
        json.dump(data, output, indent=1)
        output.write('\n')


class Benchmark:
    """The playbook measurements of one benchmark run."""

    def __init__(self, args, emulator):
        self.args = args
        self.emulator = emulator
        self.repeats = args.repeats
        with open(args.seed, encoding='utf-8') as seed_file:
            self.seed = json.load(seed_file)
        self.phone_ids = [phone['id'] for phone in self.seed['dect_phones']]
        self.loop_phone_ids = self.phone_ids[:LOOP_PHONES]
        self.work_dir = args.work_dir
        self.connection_vars = {
            'bench_pbx_url': emulator.url,
            'bench_pbx_token': emulator.token,
            'bench_ca_path': emulator.ca_path,
        }
        self.runner = PlaybookRunner(self.work_dir, self._ansible_env(args.collections_path))
        self.inventory = self._write_localhost_inventory()
        self.vars_files = {variant: self._write_loop_vars(variant, lists) for variant, lists in VARIANTS}

    # Set-up

    def _ansible_env(self, collections_path):
        env = dict(os.environ)
        env.update({
            'ANSIBLE_COLLECTIONS_PATH': collections_path,
            'ANSIBLE_PYTHON_INTERPRETER': sys.executable,
            'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_RETRY_FILES_ENABLED': 'false',
            'ANSIBLE_LOCALHOST_WARNING': 'false',
            'ANSIBLE_INVENTORY_UNPARSED_WARNING': 'false',
            'ANSIBLE_LOCAL_TEMP': os.path.join(self.work_dir, 'ansible-local'),
            'ANSIBLE_REMOTE_TEMP': os.path.join(self.work_dir, 'ansible-remote'),
        })
        for name in ('ANSIBLE_CONFIG', 'PORTSIP_PBX_URL', 'PORTSIP_PBX_TOKEN', 'PORTSIP_PBX_USERNAME',
                     'PORTSIP_PBX_PASSWORD', 'PORTSIP_PBX_DOMAIN'):
            env.pop(name, None)
        return env

    def _write_localhost_inventory(self):
        path = os.path.join(self.work_dir, 'localhost.ini')
        with open(path, 'w', encoding='utf-8') as output:
            output.write(f'localhost ansible_connection=local ansible_python_interpreter={sys.executable}\n')
        return path

    def _write_loop_vars(self, variant, lists):
        phones = [{'id': phone_id, 'members': make_seed.member_list(index, lists)}
                  for index, phone_id in enumerate(self.loop_phone_ids)]
        path = os.path.join(self.work_dir, f'vars-{variant}.json')
        write_json(path, dict(self.connection_vars, bench_phones=phones))
        return path

    def _expected_members(self, lists, count):
        return {phone_id: make_seed.member_list(index, lists) for index, phone_id in enumerate(self.phone_ids[:count])}

    # One checked run

    def run_checked(self, label, playbook, arguments, expected_changed, expected_members, phone_ids):
        """Reset the emulator, run a playbook and check its outcome; return wall time, CPU time and requests."""
        self.emulator.reset()
        elapsed, cpu, recap = self.runner.run(label, playbook, arguments)
        request_log = self.emulator.request_log()
        if expected_changed is not None and recap.get('changed', 0) != expected_changed:
            raise BenchError(f"{label}: PLAY RECAP reports changed={recap.get('changed', 0)}, expected "
                             f'{expected_changed}. Output: {self.runner.log_dir}/{label}.log')
        if expected_members is not None:
            check_members(self.emulator, expected_members, label)
        requests = summarize_requests(request_log, phone_ids) if phone_ids else None
        return elapsed, cpu, requests

    # Scenarios

    def loop_runs(self):
        """Yield (key, label prefix, playbook, arguments, expected changed, expected members) of the loop playbooks."""
        for scenario, playbook, extra in LOOP_SCENARIOS:
            for variant, lists in VARIANTS:
                arguments = ['-i', self.inventory, '-e', '@' + self.vars_files[variant], *extra]
                expected_changed = 0 if variant == 'unchanged' else 1
                yield (f'{scenario}/{variant}', playbook, arguments, expected_changed,
                       self._expected_members(lists, LOOP_PHONES))
        for scenario, playbook in STARTUP_SCENARIOS:
            arguments = ['-i', self.inventory, '-e', '@' + self.vars_files['unchanged']]
            yield f'startup/{scenario}', playbook, arguments, 0, None

    def measure_loops(self):
        """Run every loop and start-up playbook once untimed, then ``repeats`` timed rounds, interleaved."""
        runs = list(self.loop_runs())
        results = {key: {'seconds': [], 'cpu_seconds': [], 'requests': []} for key, *_rest in runs}
        for round_number in range(self.repeats + 1):
            timed = round_number > 0
            log(f"loop playbooks, {'round %d of %d' % (round_number, self.repeats) if timed else 'warm-up round'}")
            for key, playbook, arguments, expected_changed, expected_members in runs:
                label = f"{key.replace('/', '-')}-{'round%d' % round_number if timed else 'warmup'}"
                phone_ids = self.loop_phone_ids if not key.startswith('startup/') else None
                elapsed, cpu, requests = self.run_checked(
                    label, playbook, arguments, expected_changed, expected_members, phone_ids)
                log(f'  {label}: {elapsed:.2f} s, CPU {cpu:.2f} s')
                if requests is not None:
                    results[key]['requests'].append(requests)
                if timed:
                    results[key]['seconds'].append(elapsed)
                    results[key]['cpu_seconds'].append(cpu)
        for entry in results.values():
            add_medians(entry)
        return results

    def measure_inventory(self):
        """Run one dect_members task per host of the portsip.pbx.dect_phones inventory, forks 1 and 10."""
        plugin_path = os.path.join(self.args.collections_path, 'ansible_collections', 'portsip', 'pbx',
                                   INVENTORY_PLUGIN)
        if not os.path.exists(plugin_path):
            log('inventory: skipped, inventory plugin not present')
            return {'status': 'skipped', 'reason': f'inventory plugin not present ({INVENTORY_PLUGIN} is missing)'}
        try:
            source, phone_id_var = self._inventory_source()
        except BenchError as exc:
            log(f'inventory: failed: {exc}')
            return {'status': 'failed', 'reason': str(exc)}

        vars_path = os.path.join(self.work_dir, 'vars-inventory.json')
        write_json(vars_path, dict(
            self.connection_vars, bench_phone_id_var=phone_id_var,
            bench_members_by_phone_id={
                phone_id: make_seed.member_list(index, 'seed') for index, phone_id in enumerate(self.phone_ids)
            }))
        results = {'status': 'measured', 'source_file': os.path.basename(source), 'phone_id_var': phone_id_var,
                   'forks': {}}
        expected = self._expected_members('seed', INVENTORY_PHONES)
        for forks in INVENTORY_FORKS:
            results['forks'][str(forks)] = {'seconds': [], 'cpu_seconds': [], 'requests': []}
        for round_number in range(self.repeats + 1):
            timed = round_number > 0
            log(f"inventory playbook, {'round %d of %d' % (round_number, self.repeats) if timed else 'warm-up round'}")
            for forks in INVENTORY_FORKS:
                label = f"inventory-forks{forks}-{'round%d' % round_number if timed else 'warmup'}"
                arguments = ['-i', source, '-f', str(forks), '-e', '@' + vars_path]
                elapsed, cpu, requests = self.run_checked(
                    label, 'inventory_members.yml', arguments, 0, expected, self.phone_ids[:INVENTORY_PHONES])
                log(f'  {label}: {elapsed:.2f} s, CPU {cpu:.2f} s')
                entry = results['forks'][str(forks)]
                entry['requests'].append(requests)
                if timed:
                    entry['seconds'].append(elapsed)
                    entry['cpu_seconds'].append(cpu)
        for entry in results['forks'].values():
            add_medians(entry)
        return results

    def _inventory_source(self):
        """Write an inventory source for the plugin and return its path and the host variable with the phone id.

        The plugin's option names are read from its documentation, so the
        source sets only options that the plugin declares.
        """
        ansible_doc = os.path.join(os.path.dirname(sys.executable), 'ansible-doc')
        completed = subprocess.run([ansible_doc, '-t', 'inventory', '--json', 'portsip.pbx.dect_phones'],
                                   env=self.runner.env, capture_output=True, text=True, check=False,
                                   timeout=PLAYBOOK_TIMEOUT_SECONDS)
        if completed.returncode != 0:
            raise BenchError(f'ansible-doc -t inventory portsip.pbx.dect_phones failed: {completed.stderr.strip()}')
        documentation = json.loads(completed.stdout)['portsip.pbx.dect_phones']['doc']
        options = documentation.get('options', {})
        config = {'plugin': 'portsip.pbx.dect_phones'}
        for candidates, value in ((('pbx_url', 'url'), self.emulator.url),
                                  (('pbx_token', 'token'), self.emulator.token),
                                  (('ca_path',), self.emulator.ca_path)):
            name = next((candidate for candidate in candidates if candidate in options), None)
            if name is not None:
                config[name] = value

        errors = []
        ansible_inventory = os.path.join(os.path.dirname(sys.executable), 'ansible-inventory')
        for file_name in INVENTORY_FILE_NAMES:
            source = os.path.join(self.work_dir, file_name)
            write_json(source, config)
            completed = subprocess.run([ansible_inventory, '-i', source, '--list'], env=self.runner.env,
                                       capture_output=True, text=True, check=False, timeout=PLAYBOOK_TIMEOUT_SECONDS)
            os.unlink(source)
            try:
                hostvars = json.loads(completed.stdout)['_meta']['hostvars'] if completed.returncode == 0 else {}
            except (ValueError, KeyError):
                hostvars = {}
            if len(hostvars) == INVENTORY_PHONES:
                write_json(source, config)
                return source, self._phone_id_variable(hostvars)
            errors.append(f'{file_name}: {len(hostvars)} hosts ({completed.stderr.strip()[-300:]})')
        raise BenchError(f'the inventory plugin did not return {INVENTORY_PHONES} hosts: ' + '; '.join(errors))

    def _phone_id_variable(self, hostvars):
        known = set(self.phone_ids)
        common = None
        for variables in hostvars.values():
            names = {name for name, value in variables.items() if isinstance(value, str) and value in known}
            common = names if common is None else common & names
        if not common:
            raise BenchError('no host variable of the inventory contains the DECT phone id on every host')
        return sorted(common)[0]


# Imports that each module process of the loop playbooks pays: name and Python code.
IMPORT_CASES = (
    ('python_startup', 'pass'),
    ('ping', 'import ansible.module_utils.basic'),
    ('uri', 'import ansible.module_utils.basic, ansible.module_utils.urls'),
    ('dect_members', 'import ansible.module_utils.basic, '
                     'ansible_collections.portsip.pbx.plugins.module_utils.client'),
)
IMPORT_RUNS = 10


def measure_imports(collections_path):
    """Return the least CPU time (seconds) of a Python process that only does each import in IMPORT_CASES.

    CPU time rather than wall time, and the least of IMPORT_RUNS runs,
    because other load on the machine inflates both wall time and the slower runs.
    """
    env = dict(os.environ, PYTHONPATH=collections_path)
    results = {}
    for name, code in IMPORT_CASES:
        times = []
        for _run in range(IMPORT_RUNS):
            usage_before = resource.getrusage(resource.RUSAGE_CHILDREN)
            try:
                subprocess.run([sys.executable, '-c', code], env=env, check=True, timeout=PLAYBOOK_TIMEOUT_SECONDS)
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
                raise BenchError(f'import cost: python -c "{code}" failed: {exc}') from None
            usage_after = resource.getrusage(resource.RUSAGE_CHILDREN)
            times.append((usage_after.ru_utime - usage_before.ru_utime)
                         + (usage_after.ru_stime - usage_before.ru_stime))
        results[name] = {'code': code, 'cpu_seconds': min(times)}
    return results


def machine_info():
    """Return the CPU model, core count, memory, load average and software versions."""
    cpu_model = 'unknown'
    try:
        with open('/proc/cpuinfo', encoding='utf-8') as cpuinfo:
            for line in cpuinfo:
                if line.startswith('model name'):
                    cpu_model = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    memory = None
    try:
        with open('/proc/meminfo', encoding='utf-8') as meminfo:
            for line in meminfo:
                if line.startswith('MemTotal:'):
                    memory = int(line.split()[1]) * 1024
                    break
    except OSError:
        pass
    from ansible.release import __version__ as ansible_core_version  # pylint: disable=import-outside-toplevel
    return {
        'cpu_model': cpu_model,
        'cpu_count': os.cpu_count(),
        'memory_bytes': memory,
        'os': platform.platform(),
        'python': platform.python_version(),
        'ansible_core': ansible_core_version,
        'load_average_start': os.getloadavg(),
    }


def git_revision():
    def git(*arguments):
        return subprocess.run(['git', '-C', REPO_ROOT, *arguments], capture_output=True, text=True,
                              check=False, timeout=60).stdout.strip()
    return {'commit': git('rev-parse', '--short', 'HEAD'),
            'plugins_modified': bool(git('status', '--porcelain', '--', 'plugins'))}


def parse_args():
    parser = argparse.ArgumentParser(description='Run the portsip.pbx benchmark against a running emulator.')
    parser.add_argument('--emulator-info', required=True, help='emulator.json of the running emulator')
    parser.add_argument('--seed', required=True, help='seed file that the emulator was started with')
    parser.add_argument('--collections-path', required=True,
                        help='directory that contains ansible_collections/portsip/pbx, installed from the tarball')
    parser.add_argument('--work-dir', required=True, help='directory for vars files and playbook output')
    parser.add_argument('--output', required=True, help='JSON file for the results')
    parser.add_argument('--repeats', type=int, default=3,
                        help='number of timed runs of each playbook, whose median is reported (default: %(default)s)')
    parser.add_argument('--command', default='make bench', help='command line to show in the report')
    args = parser.parse_args()
    if not 1 <= args.repeats <= MAX_REPEATS:
        parser.error(f'--repeats {args.repeats} is out of range: use 1 to {MAX_REPEATS}.')
    return args


def main():
    args = parse_args()
    os.makedirs(args.work_dir, exist_ok=True)
    started = time.time()
    try:
        emulator = Emulator(args.emulator_info)
        benchmark = Benchmark(args, emulator)
        if len(benchmark.phone_ids) < INVENTORY_PHONES:
            raise BenchError(f'the seed has {len(benchmark.phone_ids)} DECT phones, but the benchmark needs '
                             f'{INVENTORY_PHONES}. Write it with bench/make_seed.py --phones {INVENTORY_PHONES}.')
        results = {
            'machine': machine_info(),
            'revision': git_revision(),
            'command': args.command,
            'repeats': args.repeats,
            'loop_phones': LOOP_PHONES,
            'inventory_phones': INVENTORY_PHONES,
            'loops': benchmark.measure_loops(),
            'inventory': benchmark.measure_inventory(),
        }
        log('emulator reply times')
        results['emulator_reply_seconds'] = emulator.reply_times(
            benchmark.phone_ids[0], make_seed.member_list(0, 'seed'))
        emulator.reset()
        log('module import cost')
        results['imports'] = measure_imports(args.collections_path)
        log('reconcile timing')
        results['reconcile'] = reconcile_bench.time_reconcile(args.collections_path)
    except BenchError as exc:
        sys.exit(f'benchmark failed: {exc}')
    results['machine']['load_average_end'] = os.getloadavg()
    results['duration_seconds'] = time.time() - started
    results['finished'] = time.strftime('%Y-%m-%d %H:%M %Z')
    write_json(args.output, results)
    log(f'results written to {args.output}')


if __name__ == '__main__':
    main()
