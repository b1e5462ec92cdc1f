"""Scan captured Ansible output for secrets.

Reads the static token and password from integration_config.yml and the
run's own secrets from a JSON file, then reports each file under the given
directories that contains one of them. It also reports every string shaped
like the access and refresh tokens that the emulator issues at sign-in (43
URL-safe base64 characters, the output of Python's secrets.token_urlsafe(32)),
because the emulator does not expose the tokens it issued. Matches are shown
shortened, so the report does not repeat a secret.

Exit status: 0 when nothing is found, 1 when something is found. With
--expect-leak the meaning is reversed, for the self-check.
"""

import argparse
import json
import os
import re
import sys

import yaml

# secrets.token_urlsafe(32) returns 43 characters from [A-Za-z0-9_-].
TOKEN_SHAPE = re.compile(r'(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])')

CANARY = 'self-check canary'
TOKEN_FINDING = 'token-shaped string'
# The self-check needs the canary in each kind of capture: playbook output,
# ANSIBLE_LOG_PATH log and JUnit report.
CAPTURE_KINDS = ('.out', '.log', '.xml')


def load_secrets(config_path, run_secrets_path):
    """Return the secrets to look for, by description."""
    with open(config_path, encoding='utf-8') as config_file:
        config = yaml.safe_load(config_file)
    with open(run_secrets_path, encoding='utf-8') as run_file:
        run_secrets = json.load(run_file)
    named = {
        'static token (pbx_token)': config['pbx_token'],
        'password (pbx_password)': config['pbx_password'],
        'two-factor account password': run_secrets['audit_twofactor_password'],
        'rejected token': run_secrets['audit_wrong_token'],
        'rejected password': run_secrets['audit_wrong_password'],
        CANARY: run_secrets['audit_canary'],
    }
    return {name: value for name, value in named.items() if value}


def shorten(value):
    return f'{value[:4]}...({len(value)} characters)'


def scan_file(path, secrets):
    """Return (path, description) pairs for each secret and token-shaped string in the file."""
    with open(path, 'rb') as capture:
        text = capture.read().decode('utf-8', errors='replace')
    findings = []
    for name, value in secrets.items():
        count = text.count(value)
        if count:
            findings.append((path, f'{name} {shorten(value)} appears {count} times'))
    for match in sorted(set(TOKEN_SHAPE.findall(text))):
        findings.append((path, f'{TOKEN_FINDING} {shorten(match)}'))
    return findings


def self_check_passed(findings):
    """Tell whether the canary was found in every capture kind and a token-shaped string anywhere."""
    canary_kinds = {os.path.splitext(path)[1] for path, text in findings if text.startswith(CANARY)}
    missing = [kind for kind in CAPTURE_KINDS if kind not in canary_kinds]
    found_token = any(text.startswith(TOKEN_FINDING) for _path, text in findings)
    print(f"Self-check: canary missing from {', '.join(missing) or 'no'} files; "
          f'token-shaped string found: {found_token}.')
    return not missing and found_token


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config', required=True, help='integration_config.yml')
    parser.add_argument('--run-secrets', required=True, help='JSON file with the secrets of this run')
    parser.add_argument('--expect-leak', action='store_true',
                        help='self-check: succeed only if the canary and a token-shaped string are found')
    parser.add_argument('directories', nargs='+')
    args = parser.parse_args()

    secrets = load_secrets(args.config, args.run_secrets)
    files = []
    for directory in args.directories:
        for root, _dirs, names in os.walk(directory):
            files.extend(os.path.join(root, name) for name in sorted(names))
    if not files:
        print(f"ERROR: no captured output under {', '.join(args.directories)}", file=sys.stderr)
        return 1

    findings = []
    for path in sorted(files):
        findings.extend(scan_file(path, secrets))
    print(f'Scanned {len(files)} files for {len(secrets)} secrets and token-shaped strings.')

    if args.expect_leak:
        return 0 if self_check_passed(findings) else 1

    for path, text in findings:
        print(f'LEAK: {path}: {text}')
    if findings:
        print(f'ERROR: {len(findings)} findings: a secret or token-shaped string appears in the output.',
              file=sys.stderr)
        return 1
    print('No secret found in the output.')
    return 0


if __name__ == '__main__':
    sys.exit(main())
