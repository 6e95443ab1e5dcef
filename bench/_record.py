"""Every benchmark keeps what it printed: `record('name')` at its start copies stdout to bench/results/NAME.txt (QUICK runs
to NAME.quick.txt), after a header with the command, date, CPU model, threads and torch version. The file is written
atomically when the benchmark ends, so a run that fails leaves the last good result in place."""
import atexit, datetime, io, os, platform, shlex, sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / 'results'


def cpu_model() -> str:
    "The CPU's model name (Linux /proc/cpuinfo; elsewhere platform.processor())."
    try:
        for line in Path('/proc/cpuinfo').read_text().splitlines():
            if line.startswith('model name'): return line.split(':', 1)[1].strip()
    except OSError: pass
    return platform.processor() or platform.machine()


def _script() -> str:
    "The benchmark as a user types it from the repository's root: bench/NAME.py."
    p = Path(sys.argv[0]).resolve()
    try: return str(p.relative_to(RESULTS.parent.parent))
    except ValueError: return str(p)


def header() -> str:
    import torch
    return (f"$ python {shlex.join([_script(), *sys.argv[1:]])}\n# date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}\n"
            f"# cpu: {cpu_model()}, {os.cpu_count()} cores, torch's kernels {torch.backends.cpu.get_cpu_capability()}; torch threads: {torch.get_num_threads()}; "
            f"torch {torch.__version__}; python {platform.python_version()}\n"
            f"# cuda: {torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'none'}\n\n")


class _Tee(io.TextIOBase):
    def __init__(self, *streams): self.streams = streams
    def write(self, s):
        for st in self.streams: st.write(s)
        return len(s)
    def flush(self):
        for st in self.streams: st.flush()


def record(name: str, quick: bool = False) -> None:
    "Copy everything printed from now on to bench/results/NAME.txt, written when the process exits without an error."
    buf = io.StringIO()
    buf.write(header())
    sys.stdout = _Tee(sys.__stdout__, buf)
    path = RESULTS / f"{name}{'.quick' if quick else ''}.txt"
    failed = []
    hook = sys.excepthook
    sys.excepthook = lambda *exc: (failed.append(1), hook(*exc))
    def save():
        sys.stdout = sys.__stdout__
        if failed: return
        RESULTS.mkdir(exist_ok=True)
        tmp = path.with_suffix('.tmp')
        tmp.write_text(buf.getvalue())
        os.replace(tmp, path)
    atexit.register(save)
