"""Every curl example in README.md and docs/*.md, run against a running demo, answers the
status its ``# expect: NNN`` marker documents (the convention: docs/demo.md).

The marked blocks of one file run in order in one shell, as a reader follows them in one
terminal: a walkthrough's later step may use a variable (an id) an earlier step set.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from dotenv import dotenv_values

from tests.support.demo_process import DemoProcess, running_demo
from tests.support.doc_examples import Example, documented_examples, examples_in

REPO = Path(__file__).resolve().parents[1]
DOCUMENTED_URL = "http://127.0.0.1:8000"
EXAMPLES = documented_examples(REPO)

# Every curl prints its answer as written (a block may take an id from it) and appends its
# HTTP status to $KCC_DOC_STATUSES; a "== N" line there starts the statuses of block N.
CURL_RECORDING = """curl() {
  local body code rc
  body=$(mktemp)
  code=$(command curl -sS -o "$body" -w '%{http_code}' "$@")
  rc=$?
  cat "$body"
  rm -f "$body"
  printf '%s\\n' "${code:-000}" >>"$KCC_DOC_STATUSES"
  return $rc
}"""


@dataclass
class FileRun:
    statuses: list[list[str]]
    stderr: str


def run_file(demo: DemoProcess, examples: list[Example], workdir: Path) -> FileRun:
    """Run one file's marked blocks in order in one bash; the statuses of each block."""
    status_file = workdir / "statuses"
    status_file.write_text("")
    parts = [CURL_RECORDING]
    for index, example in enumerate(examples):
        parts.append(f"printf '== {index}\\n' >>\"$KCC_DOC_STATUSES\"")
        parts.append(example.script.replace(DOCUMENTED_URL, demo.base))
    env = {
        **os.environ,
        **{k: v for k, v in dotenv_values(demo.env_file).items() if v is not None},
        "KCC_DOC_STATUSES": str(status_file),
        # `kcc-hub` as after `make env` with the virtual environment on PATH.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    result = subprocess.run(
        ["bash", "-c", "\n".join(parts)],
        capture_output=True,
        text=True,
        cwd=demo.workdir,
        env=env,
        timeout=60 * len(examples),
        check=False,
    )
    statuses: list[list[str]] = [[] for _ in examples]
    current: list[str] | None = None
    for line in status_file.read_text().splitlines():
        if line.startswith("== "):
            current = statuses[int(line.removeprefix("== "))]
        elif current is not None:
            current.append(line.strip())
    return FileRun(statuses=statuses, stderr=result.stderr)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoProcess]:
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    with running_demo(tmp_path_factory.mktemp("doc-examples")) as process:
        yield process


@pytest.fixture(scope="module")
def file_runs(
    demo: DemoProcess, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], FileRun]:
    """Each file's blocks, run once (on the first of its examples that is tested)."""
    runs: dict[str, FileRun] = {}

    def run(file: str) -> FileRun:
        if file not in runs:
            examples = [e for e in EXAMPLES if e.file == file]
            runs[file] = run_file(demo, examples, tmp_path_factory.mktemp("statuses"))
        return runs[file]

    return run


def test_the_docs_hold_runnable_examples() -> None:
    assert len(EXAMPLES) >= 8
    assert {e.file for e in EXAMPLES} >= {"README.md", "docs/demo.md", "docs/klantcontacten.md"}


def test_the_marker_must_be_the_first_line_of_a_shell_block(tmp_path: Path) -> None:
    doc = tmp_path / "x.md"
    doc.write_text(
        "```sh\n# expect: 201\ncurl -X POST x\n```\n"
        "```json\n# expect: 200\n```\n"
        "```sh\ncurl y\n# expect: 200\n```\n",
        encoding="utf-8",
    )
    [example] = examples_in(doc, tmp_path)
    assert (example.line, example.expected, example.script) == (
        1,
        201,
        "# expect: 201\ncurl -X POST x",
    )


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.name)
def test_documented_example_answers_the_documented_status(
    file_runs: Callable[[str], FileRun], example: Example
) -> None:
    run = file_runs(example.file)
    statuses = run.statuses[[e for e in EXAMPLES if e.file == example.file].index(example)]
    # The last request answers the documented status; earlier ones only looked something up.
    assert statuses and statuses[-1] == str(example.expected), (
        f"{example.name}: expected HTTP {example.expected}, got {statuses or 'nothing'}; "
        f"stderr: {run.stderr[-500:]}"
    )
    assert all(s.startswith("2") for s in statuses[:-1]), (
        f"{example.name}: a look-up before the documented request failed: {statuses}"
    )
