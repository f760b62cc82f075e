"""A long fuzzing run of the whole GraphQL schema, as every role (see tests/api/test_fuzz.py).

    python scripts/fuzz.py [--examples N]

The suite runs 30 examples per role and mode; this runs N (default 2,000) of each, with
the same checks, against a real embedded store, and prints pytest's report.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    """Run the fuzz tests with more examples; the exit status is pytest's."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000, help="examples per role and mode")
    args = parser.parse_args()
    env = {**os.environ, "SKILLWEAVE_FUZZ_EXAMPLES": str(args.examples)}
    command = [sys.executable, "-m", "pytest", "tests/api/test_fuzz.py", "-q", "--timeout", "0"]
    command += ["-p", "no:cacheprovider", "--hypothesis-show-statistics"]
    return subprocess.call(command, cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main())
