"""Fixtures for lacquer's end-to-end tests.

    origin          the scripted test origin, one process per test
    start_lacquer   factory: start_lacquer(origin_port, extra_args=(), config_text=None,
                    state_dir=None) -> lacq.Lacquer; every instance is stopped at teardown
    lacquer         one lacquer in front of `origin`, default settings
    prefix          a path prefix unique to the test: /t/<test name>

When a test fails, the output of every lacquer it started (and of the origin) is added to the
report. A sanitizer report in lacquer's output (LACQUER_BIN=build-asan/edge/lacquer) fails the test.
"""
import os
import re
import signal
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lacq  # noqa: E402

SANITIZER_RE = re.compile(r"(ERROR|WARNING): (Address|Leak|Thread|Memory)Sanitizer|runtime error: ")


def pytest_sessionstart(session):
    # A missing binary fails the run: a suite that skips everything would pass while testing nothing.
    if not os.access(lacq.LACQUER_BIN, os.X_OK):
        raise pytest.UsageError("no lacquer binary at %s (set LACQUER_BIN)" % lacq.LACQUER_BIN)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        for i, proc in enumerate(getattr(item, "_lacquer_procs", [])):
            report.sections.append(("lacquer #%d output (%s)" % (i, " ".join(proc.args[1:])),
                                    proc.text() or "(nothing)"))
        origin = getattr(item, "_origin_proc", None)
        if origin is not None and origin.output.text():
            report.sections.append(("origin output", origin.output.text()))


@pytest.fixture
def origin(request):
    o = lacq.Origin()
    request.node._origin_proc = o
    yield o
    o.stop()


@pytest.fixture
def start_lacquer(request, tmp_path):
    started = []
    request.node._lacquer_procs = started

    def start(origin_port, extra_args=(), config_text=None, state_dir=None, threads=2, listen=True):
        n = len(started)
        config_path = None
        if config_text is not None:
            config_path = tmp_path / ("lacquer%d.toml" % n)
            config_path.write_text(config_text)
        l = lacq.Lacquer(origin_port, state_dir or tmp_path / "state", extra_args, config_path,
                         threads, listen)
        started.append(l)
        return l

    yield start
    # A lacquer that died of a signal the test did not send (SIGSEGV, SIGABRT, ...) crashed.
    crashed = [(l, l.proc.poll()) for l in started]
    crashed = ["lacquer %s exited with %s" % (" ".join(l.args[1:]), rc) for l, rc in crashed
               if rc is not None and rc < 0 and -rc not in (signal.SIGKILL, signal.SIGTERM)]
    for l in started:
        l.stop()
    if crashed:
        pytest.fail("\n".join(crashed), pytrace=False)
    # Sanitizer builds (LACQUER_BIN=build-asan/edge/lacquer) report to stderr and may not abort.
    reports = [line for l in started for line in l.lines if SANITIZER_RE.search(line)]
    if reports:
        pytest.fail("sanitizer report from lacquer:\n" + "\n".join(reports[:20]), pytrace=False)


@pytest.fixture
def lacquer(origin, start_lacquer):
    return start_lacquer(origin.port)


@pytest.fixture
def prefix(request):
    return "/t/" + re.sub(r"[^A-Za-z0-9_.-]", "_", request.node.name)


# ---------------------------------------------------------------------------------------------
# One origin and one lacquer shared by a module of independent table cases (the hostile-input
# tables run dozens of cases; starting a stack per case would dominate their time). Each case
# gets the origin reset (records, scripts, barriers) and its own paths.

@pytest.fixture(scope="module")
def module_stack(tmp_path_factory):
    o = lacq.Origin()
    try:
        l = lacq.Lacquer(o.port, tmp_path_factory.mktemp("module-state"))
    except BaseException:
        o.stop()
        raise
    yield o, l
    l.stop()
    o.stop()
    reports = [line for line in l.lines if SANITIZER_RE.search(line)]
    if reports:
        pytest.fail("sanitizer report from lacquer:\n" + "\n".join(reports[:20]), pytrace=False)


@pytest.fixture
def stack(request, module_stack):
    """(origin, lacquer) from module_stack, the origin reset for this case; lacquer's and the
    origin's output are added to the report when the case fails."""
    o, l = module_stack
    assert l.proc.poll() is None, "lacquer died in an earlier case:\n" + l.text()
    o.reset()
    request.node._lacquer_procs = [l]
    request.node._origin_proc = o
    return o, l
