"""Summarize the JUnit XML reports that ansible-test writes under tests/output/junit.

Prints one line per skipped test case with its reason, then a closing line
"LABEL: N passed, N failed, N skipped". Exits 1 if any test case failed or
raised an error, or if --require-tests is given and no test case ran.

Usage: python junit-summary.py [--require-tests] LABEL REPORT...
"""

import argparse
import sys
from xml.etree import ElementTree


def summarize(paths):
    """Return (passed, failed, skipped) where skipped lists (test name, reason) pairs."""
    passed = 0
    failed = 0
    skipped = []
    for path in paths:
        for case in ElementTree.parse(path).getroot().iter("testcase"):
            name = "%s.%s" % (case.get("classname"), case.get("name"))
            skip = case.find("skipped")
            if case.find("failure") is not None or case.find("error") is not None:
                failed += 1
            elif skip is not None:
                reason = skip.get("message") or (skip.text or "").strip() or "no reason given"
                skipped.append((name, reason))
            else:
                passed += 1
    return passed, failed, skipped


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--require-tests", action="store_true", help="fail when no test case passed or failed")
    parser.add_argument("label", help="word printed before the counts, for example sanity")
    parser.add_argument("reports", nargs="*", help="JUnit XML files")
    args = parser.parse_args()

    passed, failed, skipped = summarize(args.reports)
    for name, reason in skipped:
        print("skipped %s: %s" % (name, reason))
    print("%s: %d passed, %d failed, %d skipped" % (args.label, passed, failed, len(skipped)))

    if failed:
        sys.exit(1)
    if args.require_tests and passed == 0:
        sys.exit("ERROR: no test case ran (%d JUnit reports read)" % len(args.reports))


if __name__ == "__main__":
    main()
