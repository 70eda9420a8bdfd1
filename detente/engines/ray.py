"""``detente score --engine ray``: the local records, scored by a pool of Ray actors.

The driver (the ``detente`` process) lists and checks the inputs exactly as
local scoring does, then:

1. reads the files still to score in groups of consecutive files (about one
   chunk of text each) and hands each group to a Ray task that segments it
   into the same unscored records as :func:`detente.scoring.source_items`;
2. cuts the statement stream into the chunks local scoring uses
   (:func:`detente.engines.plan.chunk_spans`) as the statement counts come
   back, and sends each chunk to the least busy of a pool of actors, each
   holding one classifier (ONNX or torch, as ``--backend`` says) loaded once;
3. appends each file's scored records, in order, to its part in ``OUT.parts/``
   and records finished files in a manifest (:mod:`detente.engines.parts`), so
   a killed or interrupted run resumes with ``--resume`` where it stopped;
4. when every file is finished, writes ``OUT`` in input order through the
   ordinary writers.

Because the chunks are the local ones, the records equal local scoring with
the same model, backend, precision, ``--chunk-size`` and ``--batch-size``
(int8 included: its activation scales are per batch). The driver keeps a
bounded number of chunks in flight (two per actor, and never more than eight
per actor past the oldest unfinished one), so memory stays flat for any input.

Failures: actors are restarted by Ray when their process or node dies and the
chunks they held are retried (scoring is a pure function of the chunk, and a
chunk's records are written only once, when its result arrives); segmentation
tasks are retried and their outputs rebuilt from lineage if a node is lost.
"""

from __future__ import annotations

import io
import logging
import os
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import ray

from detente.engines.parts import PartStore
from detente.engines.plan import Span, chunk_spans
from detente.errors import DetenteError
from detente.scoring import Inputs, ScoringOptions, progress_bar, score_chunk, source_items
from detente.sources import Source
from detente.writers import open_writer

#: Object store of a local instance. The driver keeps only a few chunks in
#: flight (about 1 MB each), so this is ample; Ray spills to disk beyond it.
LOCAL_OBJECT_STORE_BYTES = 200 * 1024**2
#: Threads per actor when neither --threads nor --ray-actors says otherwise: one-thread
#: actors score the most statements per core (benchmarks/bench_ray.py), at one model copy per core.
DEFAULT_ACTOR_THREADS = 1
#: Bytes of input text per segmentation task, per statement of --chunk-size
#: (news statements average about 150 bytes): roughly one chunk per task.
GROUP_BYTES_PER_STATEMENT = 160
#: How often Ray restarts an actor whose process or node died, before the run fails (resumable).
ACTOR_RESTARTS = 8
#: Records per write when assembling OUT from the parts.
ASSEMBLY_BATCH = 4096


@ray.remote(num_returns=2, num_cpus=0, max_retries=3)
def segment_group(sources: list[Source], contents: list[bytes], input_format: str):
    """Statement counts and unscored records of a group of inputs (bytes read by the driver)."""
    items = []
    for source, data in zip(sources, contents, strict=True):
        text = data.decode("utf-8")
        # The same newline handling as local scoring: files are opened with
        # newline="" (no translation); stdin is read into a plain StringIO.
        stream = io.StringIO(text) if source.is_stdin else io.StringIO(text, newline="")
        items.append(list(source_items(source, input_format, stream)))
    return [len(records) for records in items], items


@ray.remote(max_restarts=ACTOR_RESTARTS, max_task_retries=-1)
class StatementScorer:
    """One classifier, loaded once; scores whole chunks."""

    def __init__(self, options: ScoringOptions, threads: int):
        self.classifier = options.load(threads)

    def describe(self) -> dict[str, Any]:
        context = ray.get_runtime_context()
        return {"model": self.classifier.name, "backend": self.classifier.backend,
                "node": context.get_node_id(), "pid": os.getpid()}  # fmt: skip

    def score(self, spans: list[tuple[int, int, int, int]], batch_size: int, *groups) -> list[dict[str, Any]]:
        """Score the statements ``groups[g][pos][start:stop]`` for each span, as one chunk."""
        chunk = [item for g, pos, start, stop in spans for item in groups[g][pos][start:stop]]
        return score_chunk(self.classifier, chunk, batch_size)


@dataclass
class _FileProgress:
    """A file being written: records expected, records appended, results waiting for earlier ones."""

    count: int
    written: int = 0
    waiting: dict[int, list[dict[str, Any]]] = field(default_factory=dict)


@dataclass(frozen=True)
class RaySettings:
    address: str | None = None  # None: start a local instance
    actors: int | None = None  # None: fill the cluster
    cpus: int | None = None  # CPUs of a local instance; None: this machine's


def score(inputs: Inputs, options: ScoringOptions, fmt: str, output: str | None, resume: bool, quiet: bool,
          settings: RaySettings) -> int:  # fmt: skip
    """Run ``detente score`` on Ray; the inputs have been checked."""
    started = time.monotonic()
    options = _portable(options)
    classifier = options.load()  # validates the model, and makes the ONNX export once on this machine
    model, backend = classifier.name, classifier.backend
    del classifier
    run_key = inputs.run_key(model, backend, "ray", str(options.chunk_size), str(options.batch_size))
    store = PartStore(output, run_key, len(inputs.sources), resume)
    store.check()
    scored = 0
    try:
        _connect(settings)
        try:
            actors, threads = _start_actors(options, settings, model, backend)
            store.open()
            already = sum(store.done.values())
            ready = time.monotonic()
            with progress_bar(quiet, already) as bar:
                scored = _Pipeline(inputs, options, store, actors, bar).run()
            scoring = time.monotonic() - ready
        finally:
            ray.shutdown()
        if store.missing():  # cannot happen unless the pipeline has a bug; never write a short OUT
            raise RuntimeError(f"files {store.missing()[:5]} were not scored")
        _assemble(store, output, fmt, run_key)
    finally:
        if output is None:
            store.remove()  # a stdout run keeps its parts in a temporary folder
    if not quiet:
        seconds = time.monotonic() - started
        total = sum(store.done.values())
        resumed = f" ({total - scored:,} from the interrupted run)" if total > scored else ""
        where = settings.address or "local Ray instance"
        print(f"detente: {len(inputs.sources):,} files, {total:,} statements{resumed}, {len(actors)} actors × "
              f"{threads} thread{'s' if threads > 1 else ''} ({backend}, {where}), {seconds:.1f} s in all, "
              f"{scored / max(scoring, 1e-9):,.0f} statements/s once the actors were up", file=sys.stderr)  # fmt: skip
    return 0


def _portable(options: ScoringOptions) -> ScoringOptions:
    """A model directory given as a relative path, made absolute for actors that run elsewhere."""
    from detente.model.classifier import bundled_model_names

    if options.model not in bundled_model_names() and Path(options.model).expanduser().exists():
        return replace(options, model=str(Path(options.model).expanduser().resolve()))
    return options


def _connect(settings: RaySettings) -> None:
    common = {"logging_level": logging.ERROR, "log_to_driver": True}
    if settings.address:
        try:
            ray.init(address=settings.address, **common)
        except (ConnectionError, ValueError, RuntimeError) as err:
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise DetenteError(None, f"cannot join the Ray cluster at {settings.address}: {first}") from None
        return
    from detente.model.onnx import available_cores

    ray.init(address="local", num_cpus=settings.cpus or available_cores(),
             object_store_memory=LOCAL_OBJECT_STORE_BYTES, include_dashboard=False, **common)  # fmt: skip


def _start_actors(options: ScoringOptions, settings: RaySettings, model: str, backend: str):
    """The actor pool, sized to the cluster unless told, each actor ready and scoring like the driver."""
    node_cpus = [int(n["Resources"].get("CPU", 0)) for n in ray.nodes() if n["Alive"]]
    largest, total = max(node_cpus, default=0), sum(node_cpus)
    threads = options.threads
    if threads is None and settings.actors:
        threads = min(largest, total // settings.actors)
    elif threads is None:
        threads = min(DEFAULT_ACTOR_THREADS, largest)
    threads = max(1, threads)
    room = sum(cpus // threads for cpus in node_cpus)
    count = settings.actors or max(1, room)
    if count > room:
        raise DetenteError(
            None,
            f"the Ray cluster has room for {room} actors of {threads} CPUs ({total} CPUs on {len(node_cpus)} "
            "nodes): ask for fewer --ray-actors or --threads",
        )
    gpus = 1 if backend.startswith("torch-cuda") else 0
    actor_options = replace(options, threads=threads, workers=1)
    if backend == "onnx-fp32":  # this machine chose (or was told) fp32: always acceptable, so no node re-checks int8
        actor_options = replace(actor_options, precision="fp32")
    actors = [
        StatementScorer.options(num_cpus=threads, num_gpus=gpus).remote(actor_options, threads) for _ in range(count)
    ]
    try:
        described = ray.get([actor.describe.remote() for actor in actors])
    except ray.exceptions.RayActorError as err:
        cause = str(err).strip().splitlines()[-1] if str(err).strip() else type(err).__name__
        raise DetenteError(None, f"a scoring actor could not start: {cause}") from None
    for info in described:
        if (info["model"], info["backend"]) != (model, backend):
            raise DetenteError(
                None,
                f"an actor on node {info['node'][:12]} scores with {info['model']} {info['backend']}, this "
                f"machine with {model} {backend}: pass --backend and --precision explicitly so every node "
                "scores alike",
            )
    return actors, threads


class _Pipeline:
    """Segmentation tasks ahead, chunks in flight on the actors, results into the parts."""

    def __init__(self, inputs: Inputs, options: ScoringOptions, store: PartStore, actors: list, bar):
        self.sources = inputs.sources
        self.stdin = inputs.stdin_text()
        self.input_format = inputs.input_format
        self.options = options
        self.store = store
        self.done = dict(store.done)  # finished before this run started: never rescored or rewritten
        self.actors = actors
        self.bar = bar
        self.groups = self._groups(store.missing())
        self.group_of = {file: (g, pos) for g, files in enumerate(self.groups) for pos, file in enumerate(files)}
        self.submitted = 0  # groups handed to segmentation tasks
        self.count_refs: dict[int, Any] = {}
        self.counts: dict[int, list[int]] = {}
        self.item_refs: dict[int, Any] = {}  # group -> records; dropped once no later chunk needs it
        self.done_item_refs: dict[int, Any] = {}  # finished file -> records, when a chunk shares it with new work
        self.files: dict[int, _FileProgress] = {}
        self.inflight: dict[Any, tuple[int, list[Span], int]] = {}  # result -> (chunk number, spans, actor)
        self.load = [0] * len(actors)
        self.scored = 0

    def _groups(self, files: list[int]) -> list[list[int]]:
        """Consecutive files to segment together: about one chunk of text per task, stdin on its own."""
        target = max(64 * 1024, self.options.chunk_size * GROUP_BYTES_PER_STATEMENT)
        groups: list[list[int]] = []
        size = target
        for file in files:
            source = self.sources[file]
            nbytes = len(self.stdin.encode()) if source.is_stdin else os.stat(source.path).st_size
            if size >= target or source.is_stdin or (groups and self.sources[groups[-1][-1]].is_stdin):
                groups.append([])
                size = 0
            groups[-1].append(file)
            size += nbytes
        return groups

    def _read(self, file: int) -> bytes:
        source = self.sources[file]
        return self.stdin.encode("utf-8") if source.is_stdin else Path(source.path).read_bytes()

    def _segment(self, files: list[int]):
        sources = [self.sources[f] for f in files]
        return segment_group.remote(sources, [self._read(f) for f in files], self.input_format)

    def _submit_groups(self, upto: int) -> None:
        while self.submitted < min(upto, len(self.groups)):
            g = self.submitted
            self.count_refs[g], self.item_refs[g] = self._segment(self.groups[g])
            self.submitted += 1

    def _file_counts(self):
        """(file, statement count) in input order; finished files from the manifest, the rest from the tasks."""
        ahead = 2 + 2 * len(self.actors)  # groups segmented ahead of the planner (about a chunk each)
        for file in range(len(self.sources)):
            if file in self.done:
                yield file, self.done[file]
                continue
            g, pos = self.group_of[file]
            self._submit_groups(g + 1 + ahead)
            if g not in self.counts:
                self.counts[g] = ray.get(self.count_refs.pop(g))
            count = self.counts[g][pos]
            if count == 0:
                self.store.finish(file, 0)
            else:
                self.files[file] = _FileProgress(count)
            yield file, count

    def _items(self, file: int) -> tuple[Any, int]:
        if file in self.done:  # a finished file sharing a chunk with new work: segmented again for its chunk-mates
            if file not in self.done_item_refs:
                self.done_item_refs[file] = self._segment([file])[1]
            return self.done_item_refs[file], 0
        g, pos = self.group_of[file]
        return self.item_refs[g], pos

    def _dispatch(self, number: int, spans: list[Span]) -> None:
        refs: list[Any] = []
        where: dict[Any, int] = {}
        args = []
        for span in spans:
            ref, pos = self._items(span.file)
            if ref not in where:
                where[ref] = len(refs)
                refs.append(ref)
            args.append((where[ref], pos, span.start, span.stop))
        actor = min(range(len(self.actors)), key=self.load.__getitem__)
        result = self.actors[actor].score.remote(args, self.options.batch_size, *refs)
        self.inflight[result] = (number, spans, actor)
        self.load[actor] += 1

    def _release(self, before_file: int) -> None:
        """Drop records no later chunk needs (Ray keeps them for chunks in flight and their retries)."""
        for g in [g for g in self.item_refs if self.groups[g][-1] < before_file]:
            del self.item_refs[g]
            self.counts.pop(g, None)
        for file in [f for f in self.done_item_refs if f < before_file]:
            del self.done_item_refs[file]

    def _complete(self, result) -> None:
        number, spans, actor = self.inflight.pop(result)
        self.load[actor] -= 1
        records = ray.get(result)
        offset = 0
        for span in spans:
            part = records[offset : offset + len(span)]
            offset += len(span)
            if span.file not in self.done:
                self._deliver(span.file, span.start, part)

    def _deliver(self, file: int, start: int, records: list[dict[str, Any]]) -> None:
        progress = self.files[file]
        progress.waiting[start] = records
        while progress.written in progress.waiting:
            ready = progress.waiting.pop(progress.written)
            self.store.append(file, ready)
            progress.written += len(ready)
            self.scored += len(ready)
            self.bar.update(len(ready))
        if progress.written == progress.count:
            self.store.finish(file, progress.count)
            del self.files[file]

    def run(self) -> int:
        """Score every missing file; returns the statements scored by this run."""
        chunks = chunk_spans(self._file_counts(), self.options.chunk_size)
        in_flight = 2 * len(self.actors)
        reorder = 8 * len(self.actors)
        number = 0
        exhausted = False
        while True:
            while not exhausted and len(self.inflight) < in_flight:
                oldest = min((n for n, _, _ in self.inflight.values()), default=number)
                if number >= oldest + reorder:
                    break
                spans = next(chunks, None)
                if spans is None:
                    exhausted = True
                    break
                if any(span.file not in self.done for span in spans):
                    self._dispatch(number, spans)
                number += 1
                self._release(spans[-1].file)
            if not self.inflight:
                break
            ready, _ = ray.wait(list(self.inflight), num_returns=1)
            for result in ready:
                self._complete(result)
        return self.scored


def _assemble(store: PartStore, output: str | None, fmt: str, run_key: str) -> None:
    """OUT from the parts, in input order, through the ordinary writer; then the parts go."""
    if output is not None:
        # A partial OUT here can only be an earlier assembly of this run (store.check refused any other).
        store.partial.unlink(missing_ok=True)
        store.partial.with_name(store.partial.name + ".json").unlink(missing_ok=True)
    with open_writer(output, fmt, run_key) as writer:
        batch: list[dict[str, Any]] = []
        for record in store.records():
            batch.append(record)
            if len(batch) >= ASSEMBLY_BATCH:
                writer.write(batch)
                batch = []
        if batch:
            writer.write(batch)
    store.remove()
