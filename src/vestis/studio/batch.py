"""Run a recipe over files and folders: one output per input, in parallel, resumable, atomic.

:func:`run_recipe` plans the batch (:func:`plan_batch`: which inputs, which output each gets,
which are already done), then processes the rest on a process pool with a progress bar.
Each output is written to a hidden temporary file in the output folder and renamed into
place with ``os.replace`` (:mod:`vestis.files`), so an output either exists complete or not at all: a crash or
Ctrl-C halfway loses only the images in flight, and a rerun skips every finished output
(and sweeps the temporary files a killed run left behind). An image that fails (not an
image, too small, a step that cannot handle it) is reported and the batch goes on.

Folder inputs are searched recursively and their sub-folders are mirrored under the output
folder; each output keeps its input's stem and takes the recipe's format
(``shirt.jpeg`` → ``OUT/shirt.png``).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from vestis.files import atomic_write, sweep_partials
from vestis.progress import progress_bar
from vestis.studio.errors import StudioError
from vestis.studio.recipes import Recipe
from vestis.vision.io import is_image_path, load_image

__all__ = [
    "MIN_SIDE",
    "BatchReport",
    "Job",
    "check_size",
    "plan_batch",
    "process_image",
    "run_recipe",
]

MIN_SIDE = 16
"""Inputs with a side shorter than this are refused: no step can do anything useful with them."""


@dataclass(frozen=True)
class Job:
    """One input image and the output it becomes."""

    source: Path
    target: Path


@dataclass
class BatchReport:
    """What a batch did: inputs processed, inputs whose output already existed, and failures."""

    done: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every input has its output."""
        return not self.failed


def run_recipe(
    recipe: Recipe,
    inputs: Sequence[Path | str],
    out_dir: Path | str,
    *,
    workers: int | None = None,
    progress: bool = True,
    overwrite: bool = False,
) -> BatchReport:
    """Apply ``recipe`` to every image in ``inputs`` (files or folders), writing into ``out_dir``.

    Parameters
    ----------
    recipe : Recipe
        The checked recipe, e.g. ``load_recipe("marketplace-white")``.
    inputs : sequence of paths
        Image files and folders (searched recursively for image files).
    out_dir : path
        Created if missing. Outputs already there are skipped unless ``overwrite``.
    workers : int, optional
        Processes to use (default: every core); 1 runs in this process.
    progress : bool
        Show a progress bar.
    overwrite : bool
        Redo inputs whose output exists.

    Returns
    -------
    BatchReport
        ``done``, ``skipped`` and ``failed`` (each failure with its message) input paths.
    """
    jobs, report = plan_batch(recipe, inputs, out_dir, overwrite=overwrite)
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs) or 1))
    with progress_bar(disable=not progress) as bar:
        task = bar.add_task(f"{recipe.name}", total=len(jobs))
        for job, error in _results(recipe, jobs, workers):
            if error is None:
                report.done.append(job.source)
            else:
                report.failed.append((job.source, error))
            bar.advance(task)
    return report


def plan_batch(
    recipe: Recipe, inputs: Sequence[Path | str], out_dir: Path | str, *, overwrite: bool = False
) -> tuple[list[Job], BatchReport]:
    """The jobs still to do, and a report already holding the inputs whose output exists.

    Creates ``out_dir`` and removes the temporary files an interrupted run left there.
    Raises :class:`StudioError` for a missing input or two inputs that would share an output.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sweep_partials(out)
    report = BatchReport()
    jobs: list[Job] = []
    claimed: dict[Path, Path] = {}
    for source, relative in _sources(inputs, out):
        target = out / relative.with_suffix(recipe.suffix)
        if target in claimed:
            raise StudioError(
                f"{claimed[target]} and {source} would both be written to {target}; rename one of them"
            )
        claimed[target] = source
        if target.exists() and not overwrite:
            report.skipped.append(source)
        else:
            jobs.append(Job(source, target))
    return jobs, report


def check_size(image: Image.Image, label: str) -> None:
    """Raise :class:`StudioError` when ``image`` has a side under :data:`MIN_SIDE` (for images not read by a batch)."""
    width, height = image.size
    if min(width, height) < MIN_SIDE:
        raise StudioError(
            f"{label}: image is {width}x{height} pixels, too small; each side must be at least {MIN_SIDE} pixels"
        )


def process_image(recipe: Recipe, job: Job) -> str | None:
    """Load, apply, encode and atomically write one image; the failure message, or ``None``."""
    try:
        image = load_image(job.source, min_side=MIN_SIDE)
        data = recipe.encode(recipe.apply(image))
    except ValueError as error:  # ImageError, StudioError: messages written for people
        return str(error)
    except Exception as error:  # a step that breaks on one odd image must not stop the batch
        return f"{job.source}: {type(error).__name__}: {error}"
    atomic_write(job.target, data)
    return None


def _results(recipe: Recipe, jobs: list[Job], workers: int) -> Iterator[tuple[Job, str | None]]:
    if workers == 1:
        for job in jobs:
            yield job, process_image(recipe, job)
        return
    # "spawn": forking a process that runs the progress bar's refresh thread is unsafe.
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_set_worker_recipe, initargs=(recipe,)
    )
    try:
        futures: dict[Future[str | None], Job] = {pool.submit(_worker_process, job): job for job in jobs}
        for future in as_completed(futures):
            try:
                yield futures[future], future.result()
            except BrokenProcessPool:
                yield futures[future], f"{futures[future].source}: the worker process died on this batch"
    finally:  # on Ctrl-C, finish only the images in flight
        pool.shutdown(wait=True, cancel_futures=True)


_worker_recipe: Recipe | None = None


def _set_worker_recipe(recipe: Recipe) -> None:
    """Pool initializer: each worker unpickles the recipe once, and uses one thread (the pool is the parallelism)."""
    global _worker_recipe
    _worker_recipe = recipe
    os.environ["OMP_NUM_THREADS"] = "1"  # read by torch when a step first imports it
    import cv2

    cv2.setNumThreads(1)


def _worker_process(job: Job) -> str | None:
    assert _worker_recipe is not None
    return process_image(_worker_recipe, job)


def _sources(inputs: Sequence[Path | str], out: Path) -> Iterable[tuple[Path, Path]]:
    """Each input image with the path its output takes relative to the output folder."""
    out = out.resolve()
    for entry in map(Path, inputs):
        if entry.is_dir():
            for path in sorted(entry.rglob("*")):
                if path.is_file() and is_image_path(path) and out not in path.resolve().parents:
                    yield path, path.relative_to(entry)
        elif entry.is_file():
            yield entry, Path(entry.name)
        else:
            raise StudioError(f"{entry}: no such file or folder")
