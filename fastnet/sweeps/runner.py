"""A sweep from start to finish: check everything, skip the runs a results file already
holds, run the rest (``engine``), append each finished run to the file at once.

Nothing is lost: the results file is read and checked before any work (a bad line is an
error naming it, the file left as it is), locked against a second sweep writing it at
the same time, and each finished run is appended as one JSON line, flushed and fsynced
before the next result is taken. Rerunning the same sweep resumes it: runs already in
the file (same configuration, seed and data) are skipped.
"""
import fcntl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, List, Optional

from ..io.jsonl import RecordAppender, read_records
from .data import Dataset, Limits, data_file, dataset_for
from .engine import Executor
from .grid import Grid, flag, run_cost, run_key, train_configuration

#: progress(runs finished, runs to run, the finished run's record)
Progress = Callable[[int, int, dict], None]


@dataclass
class SweepOutcome:
    """What a sweep did: ``records`` holds every run of the grid now in the results file
    (earlier ones and this sweep's), ``skipped`` how many were there before, ``ran``
    how many this sweep added; ``interrupted`` after Ctrl-C."""
    grid: Grid
    records: List[dict] = field(default_factory=list)
    skipped: int = 0
    ran: int = 0
    total: int = 0
    interrupted: bool = False


def run_sweep(grid: Grid, out, *, data=None, dataset: Optional[Dataset] = None,
              limits: Limits = (None, None), jobs: int = 1, scheduler: Optional[str] = None,
              progress: Optional[Progress] = None, before: Optional[Callable[[int, int], None]] = None,
              names=flag, out_name: Optional[str] = None, data_name: str = "data=") -> SweepOutcome:
    """Train every configuration of ``grid`` from each of its seeds and append each
    run's record to the JSON-lines file ``out`` (``out_name`` names it in errors).

    The data: ``dataset``, else the data at ``data`` (``data_name`` names it in
    errors) cut to ``limits``. ``jobs`` and ``scheduler`` as in ``engine.Executor`` (a
    cluster starts while the data loads). ``before(skipped, to_run)`` is called once the
    runs to do are known, ``progress`` after each run. ``names`` gives an option's name
    in errors (default ``--eta``)."""
    out = Path(out).absolute()  # the same file if the working directory changes
    out_name = out_name or str(out)
    read_records(out, out_name)  # a bad line stops here, before any work
    source = data_file(data, limits, data_name) if dataset is None else dataset
    runs_at_most = len(grid.configurations()) * len(grid.seeds)
    created = not out.exists()
    finished: dict = {}
    with Executor(jobs, scheduler, runs_at_most, source if dataset is None else None) as executor:
        loaded = dataset_for(source)  # while a cluster starts and its workers load theirs
        configurations = grid.resolve(loaded, names)
        fingerprint = loaded.fingerprint()
        runs = [(config, seed) for config in configurations for seed in grid.seeds]
        outcome = SweepOutcome(grid, total=len(runs))
        keys = [run_key(config, seed, fingerprint) for config, seed in runs]
        try:
            with RecordAppender(out, out_name) as appender:
                _lock(appender, out_name)
                found = {_key_of(record): record for record in read_records(out, out_name)
                         if isinstance(record.get("config"), dict)}
                todo = [i for i, key in enumerate(keys) if key not in found]
                outcome.skipped = len(runs) - len(todo)
                if before is not None:
                    before(outcome.skipped, len(todo))

                def done(index: int, record: dict) -> None:
                    record["data"] = fingerprint
                    appender.append(record)
                    finished[todo[index]] = record
                    if progress is not None:
                        progress(len(finished), len(todo), record)
                configs = [dict(config=runs[i][0], seed=runs[i][1]) for i in todo]
                if configs:
                    _, outcome.interrupted = executor.run(train_configuration, configs, source,
                                                          done, cost=run_cost)
        except BaseException:
            if created and out.exists() and out.stat().st_size == 0:
                out.unlink()  # a sweep that stopped before its first run leaves no file
            raise
    outcome.ran = len(finished)
    outcome.records = [found.get(key) or finished.get(i) for i, key in enumerate(keys)]
    outcome.records = [record for record in outcome.records if record is not None]
    return outcome


def _key_of(record: dict) -> str:
    return run_key(record.get("config"), record.get("seed"), record.get("data"))


def _lock(appender: RecordAppender, name: str) -> None:
    """Hold the results file for this sweep: a second sweep on it would run the same
    runs twice."""
    try:
        fcntl.flock(appender.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise RuntimeError(f"{name} is being written by another sweep; "
                           "wait for it or name another file") from None

