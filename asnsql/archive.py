"""Many pools in one set-based run: an archive's worth of associations.

:func:`generate_many` reads pools in chunks of whole pools (bounded memory),
runs each chunk through one engine pass (rules loaded and checked once for
the run), and yields it; :func:`write_files` and :class:`TableSink` write a
chunk's documents as files or as rows of one table (Parquet or DuckDB), the
text of each document byte-identical to its file.

Example::

    from asnsql.archive import generate_many, write_files

    for chunk in generate_many(sorted(Path("pools").glob("*.csv"))):
        write_files(chunk, "out")          # out/<pool stem>/*.json
        for outcome in chunk.outcomes:
            if outcome.error:
                print(outcome.error)
"""

from __future__ import annotations

import collections
import itertools
import os
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import duckdb

from asnsql.api import generate_loaded, timestamp
from asnsql.documents import write_texts
from asnsql.engine import rule_params
from asnsql.errors import AsnsqlError, PoolError
from asnsql.pool import load_pools, pool_name
from asnsql.registry import load_rules

# A chunk holds whole pools up to about this much pool text (a pool larger
# than that is a chunk of its own). ~350 bytes a row: ~150,000 rows.
CHUNK_BYTES = 48 * 1024 * 1024
# Below this much pool text for each, a pass's own cost (planning its
# statements) outweighs what passes at once save. On 2 cores, the fixture
# pools (0.8 MB) took 0.86 s in one pass and 1.11 s in two; 1.1 MB of the
# synthetic archive 0.96 s and 0.85 s; 1.7 MB 1.21 s and 1.10 s.
MIN_PASS_BYTES = 512 * 1024
# Threads writing files: writing is system calls, which release the GIL.
# Measured on 2 cores (11k files): 1 thread 6.5 s, 2 threads 3.7 s, 4 threads 4.5 s.
WRITERS = os.cpu_count() or 2


class OutputError(AsnsqlError):
    """The output cannot be written where it was asked for."""


@dataclass
class Outcome:
    """What became of one pool of the run."""

    index: int
    asn_pool: str
    path: str | None
    n_rows: int = 0
    n_associations: int = 0
    error: str | None = None
    unknown_ids: list = field(default_factory=list)


@dataclass
class Chunk:
    """One pass over some whole pools; its tables stay on ``con`` until the next chunk."""

    con: duckdb.DuckDBPyConnection
    outcomes: list[Outcome]

    def documents(self) -> list[tuple[str, str, str]]:
        """``(asn_pool, file_name, JSON text)`` of every document, pool by pool."""
        return self.con.execute(
            "SELECT p.asn_pool, d.file_name, d.document FROM documents AS d"
            " JOIN pools AS p USING (_pool) ORDER BY d._pool, d.name_order"
        ).fetchall()


def expand_sources(paths: Iterable) -> list:
    """Pool files from files and folders: a folder means every ``*.csv`` in it, sorted.

    Raises
    ------
    PoolError
        A folder holds no ``*.csv`` file.
    """
    found = []
    for source in paths:
        if isinstance(source, (str, os.PathLike)) and os.path.isdir(source):
            inside = sorted(str(p) for p in Path(source).glob("*.csv") if p.is_file())
            if not inside:
                raise PoolError(f"{source}: directory holds no *.csv pool files")
            found.extend(inside)
        else:
            found.append(source)
    return found


def _size(source) -> int:
    if isinstance(source, (str, os.PathLike)):
        try:
            return os.path.getsize(source)
        except OSError:
            return 0
    return 350 * (len(source) if hasattr(source, "__len__") else 1)


def chunks_of(sources: list, chunk_bytes: int = CHUNK_BYTES, passes: int = 1) -> Iterator[list[int]]:
    """Indexes of ``sources`` in runs of whole pools of about ``chunk_bytes`` each.

    With ``passes`` > 1 and at least :data:`MIN_PASS_BYTES` of pool text for
    each, the runs are as many as a multiple of ``passes`` allows (at least
    ``passes``), cut where the text is shared most evenly among them, so
    that the passes that run at once each have a like share to the end.
    """
    weights = [_size(source) for source in sources]
    total = sum(weights)
    if passes > 1 and total >= passes * MIN_PASS_BYTES:
        # A pool goes to the run its middle falls in: runs of about
        # total / count each, in order, none of them split.
        count = passes * -(-total // (max(1, chunk_bytes) * passes))
        run, last, before = [], 0, 0
        for index, weight in enumerate(weights):
            at = min(count - 1, (2 * before + weight) * count // (2 * total))
            if run and at != last:
                yield run
                run = []
            run.append(index)
            last, before = at, before + weight
        if run:
            yield run
        return
    run, size = [], 0
    for index, weight in enumerate(weights):
        if run and size + weight > chunk_bytes:
            yield run
            run, size = [], 0
        run.append(index)
        size += weight
    if run:
        yield run


def generate_many(
    sources: Iterable,
    *,
    names: list[str] | None = None,
    rules=(),
    ignore_default: bool = False,
    delimiter: str = "|",
    pool_format: str = "ascii",
    version_id: str | bool | None = None,
    chunk_bytes: int = CHUNK_BYTES,
    fail_fast: bool = False,
    threads: int | None = None,
    passes: int = 1,
    **options,
) -> Iterator[Chunk]:
    """Generate the associations of many pools, one engine pass per chunk of whole pools.

    Parameters
    ----------
    sources : iterable
        Pool files, folders (every ``*.csv`` in them, sorted) or in-memory tables.
    names : list of str, optional
        ``asn_pool`` of each source (after folders are expanded); by default a
        file's name.
    rules, ignore_default, delimiter, pool_format, version_id
        As :func:`asnsql.generate`; ``version_id=True`` stamps the run's start.
    chunk_bytes : int
        About how much pool text one pass holds (memory stays bounded).
    fail_fast : bool
        Stop after the first chunk holding a pool that failed.
    threads : int, optional
        DuckDB threads per pass (e.g. 1 inside a cluster task). By default
        the cores are shared among the passes that run at once (one each on
        two cores with two passes), or all of them when there is one chunk.
    passes : int
        How many chunks are generated at once, each on a connection and a
        thread of its own (the CLI's ``--jobs``). One pass leaves a core idle
        for part of its time (DuckDB scans a table of fewer rows than a row
        group on one thread); two keep both busy. With more than one, the
        pools are cut into a multiple of ``passes`` chunks of like size
        (:func:`chunks_of`), so that no pass is left alone at the end. On
        two cores, 1 M exposures took 67-68 s with two passes of one DuckDB
        thread each, and 77-81 s with two of two threads each. Chunks still
        come in order, and at most ``passes`` chunks' tables are in memory.
    **options
        The other options of :func:`asnsql.generate` (``discover``, ``ids``,
        ``merge``, ``params``...), applied to every pool; ``publish=False``
        skips the ``associations``, ``members`` and ``orphans`` tables and
        ``keep_steps=False`` drops each step's tables once spent (for a
        caller that only writes the documents).

    Each chunk runs on a connection of its own, sandboxed once its pools are
    loaded (:func:`asnsql.engine.sandbox`): rule SQL can reach no file,
    network or setting. Write a chunk with :func:`write_files` or
    :class:`TableSink`, which write from Python or another connection.

    Yields
    ------
    Chunk
        A pass's connection (its ``documents`` table and every view, keyed
        by ``_pool``) and one :class:`Outcome` per pool of the chunk. The
        connection is closed when the next chunk is asked for, so that (with
        one pass) one chunk is in memory at a time: use each chunk inside
        the loop.
    """
    sources = expand_sources(sources)
    rule_list = load_rules(rules, include_default=not ignore_default)
    # A parameter a rule needs and the run lacks: said before any pool runs.
    rule_params(rule_list, options.get("params"))
    if version_id is True:
        version_id = timestamp()
    chunks = list(chunks_of(sources, chunk_bytes, passes))
    if threads is None and passes > 1 and len(chunks) > 1:
        # Passes at once share the cores: with DuckDB's threads as well (one
        # each on two cores) they contend for them and spend more CPU in all.
        threads = max(1, (os.cpu_count() or 1) // min(passes, len(chunks)))

    def start(indexes):
        # The connection is made here, so that a pass left running can be interrupted.
        con = duckdb.connect()
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        run = partial(run_chunk, con, sources, indexes, rule_list, names=names,
                      delimiter=delimiter, pool_format=pool_format, version_id=version_id,
                      sandbox=True, **options)
        if passes > 1:
            return con, workers.submit(run)
        # One pass at a time: in the caller's thread, when the chunk is asked for.
        done: Future = Future()
        try:
            done.set_result(run())
        except BaseException as err:  # noqa: BLE001 - raised again by done.result()
            done.set_exception(err)
        return con, done

    pending = iter(chunks)
    running: collections.deque = collections.deque()  # (connection, future), in chunk order
    with ThreadPoolExecutor(max(1, passes), thread_name_prefix="asnsql-pass") as workers:
        try:
            running.extend(start(indexes) for indexes in itertools.islice(pending, passes))
            while running:
                con, future = running[0]
                chunk = future.result()
                try:
                    yield chunk
                finally:
                    # No more than `passes` chunks' tables in memory, whatever the caller keeps.
                    running.popleft()
                    con.close()
                if fail_fast and any(o.error for o in chunk.outcomes):
                    return
                running.extend(start(indexes) for indexes in itertools.islice(pending, 1))
        finally:
            # Stopped early (failed, fail-fast or left by the caller): the passes
            # still running are interrupted, and their chunks never come out.
            for con, future in running:
                con.interrupt()
                try:
                    future.result()
                except BaseException:  # noqa: BLE001 - interrupted, failed or Ctrl-C: discarded
                    pass
                con.close()


def run_chunk(con, sources: list, indexes: list[int], rule_list, *, names=None,
              delimiter: str = "|", pool_format: str = "ascii", **options) -> Chunk:
    """One engine pass on ``con`` over ``sources[i] for i in indexes``.

    ``options`` are :func:`asnsql.api.generate_loaded`'s; ``sandbox=True``
    locks ``con`` after the pools are read.
    """
    chosen = [sources[i] for i in indexes]
    infos, errors = load_pools(
        con, chosen, names=[names[i] for i in indexes] if names else None,
        delimiter=delimiter, fmt=pool_format)
    done = generate_loaded(con, infos, errors, rule_list, **options)
    counts = dict(con.execute("SELECT _pool, count(*) FROM documents GROUP BY _pool").fetchall())
    outcomes = []
    for local, index in enumerate(indexes):
        info = done.infos[local]
        source = sources[index]
        is_file = isinstance(source, (str, os.PathLike))
        outcomes.append(Outcome(
            index=index,
            asn_pool=(names[index] if names else
                      pool_name(os.fspath(source)) if is_file else "in-memory"),
            # A pool read from a stream: its private copy, which orphans re-read.
            path=(info.path if info and info.path else os.fspath(source)) if is_file else None,
            n_rows=info.n_rows if info else 0,
            n_associations=counts.get(local, 0),
            error=done.errors.get(local),
            unknown_ids=done.unknown_ids.get(local, []),
        ))
    return Chunk(con=con, outcomes=outcomes)


# The longest file name the usual file systems hold, in bytes.
NAME_MAX = 255


def unsafe_name(name: str) -> str | None:
    """Why ``name`` cannot be one file's name in the output folder, or None if it can."""
    if "/" in name or "\\" in name or "\0" in name:
        return "holds a path separator or NUL"
    if ".." in name:
        return "holds '..'"
    if len(name.encode()) > NAME_MAX:
        return f"is longer than {NAME_MAX} bytes"
    return None


def refuse_unsafe_names(chunk: Chunk) -> None:
    """Fail each pool whose values (PROGRAM, candidate ids) make a file name unsafe.

    The names are built from pool values; one that holds a path separator,
    ``..`` or is too long for a file system fails its pool (all of it: no
    file of that pool is written), with one line naming the pool and the name.
    """
    bad: dict[str, str] = {}
    for asn_pool, name, _text in chunk.con.execute(
        "SELECT p.asn_pool, d.file_name, NULL FROM documents AS d JOIN pools AS p USING (_pool)"
        " WHERE d.file_name LIKE '%/%' OR d.file_name LIKE '%\\%' OR d.file_name LIKE '%..%'"
        " OR strlen(d.file_name) > $max OR contains(d.file_name, chr(0))"
        " ORDER BY d._pool, d.name_order", {"max": NAME_MAX}
    ).fetchall():
        bad.setdefault(asn_pool, f"{asn_pool}: association file name {name[:80]!r} "
                                 f"{unsafe_name(name)}: a PROGRAM value or candidate id of the "
                                 "pool cannot be part of a file name")
    for outcome in chunk.outcomes:
        if outcome.error is None and outcome.asn_pool in bad:
            outcome.error = bad[outcome.asn_pool]


def pool_folder(out: Path, asn_pool: str) -> Path:
    """Where a pool's files go in a run of many pools: ``out/<pool file stem>``."""
    return Path(out) / Path(asn_pool).stem


def write_files(chunk: Chunk, out, *, flat: bool = False, on_pool=None,
                extra: dict | None = None) -> int:
    """Write a chunk's documents: into ``out/<pool stem>/``, or into ``out`` itself when ``flat``.

    Each pool's files (its documents, and ``extra[asn_pool]``: more
    ``(name, text)`` pairs, e.g. its orphans) are first written to a scratch
    folder and moved in once all of them are written, so a pool's folder
    gets all of them or none. Returns the number of association files.
    ``on_pool(outcome)`` is called as each pool's files are in place.
    """
    return write_documents(chunk.documents(), chunk.outcomes, out, flat=flat, on_pool=on_pool,
                           extra=extra)


def write_documents(documents, outcomes, out, *, flat: bool = False, on_pool=None,
                    extra: dict | None = None) -> int:
    """:func:`write_files` of documents already fetched (``Chunk.documents()``).

    Needs no connection, so it can run while the next chunk is generated.
    """
    by_pool: dict[str, list[tuple[str, str]]] = {}
    for asn_pool, name, text in documents:
        by_pool.setdefault(asn_pool, []).append((name, text))
    out = Path(out)
    extra = extra or {}

    def one(outcome: Outcome) -> int:
        files = by_pool.get(outcome.asn_pool, [])
        if outcome.error is None:
            folder = out if flat else pool_folder(out, outcome.asn_pool)
            _write_folder(folder, files + list(extra.get(outcome.asn_pool, ())))
        if on_pool is not None:
            on_pool(outcome)
        return len(files)

    outcomes = [o for o in outcomes if o.error is None or on_pool is not None]
    if len(outcomes) <= 1:
        return sum(one(o) for o in outcomes)
    with ThreadPoolExecutor(WRITERS) as pool:
        return sum(pool.map(one, outcomes))


def _write_folder(folder: Path, files: list[tuple[str, str]]) -> None:
    try:
        write_texts(dict(files), folder)
    except OSError as err:
        raise OutputError(f"{folder}: cannot write ({err.strerror or err})") from None


class TableSink:
    """Every document of a run as one row of one table: a Parquet file or a DuckDB database.

    Rows: ``asn_pool, file_name, asn_type, asn_rule, product_name, document``
    (the JSON text, byte-identical to the file). The file appears whole when
    :meth:`close` is called, never half-written.
    """

    COLUMNS = "asn_pool, file_name, asn_type, asn_rule, product_name, document"
    # Rows of one Parquet row group (the last holds what is left).
    ROW_GROUP_ROWS = 16_384

    def __init__(self, target):
        self.target = Path(target)
        suffix = self.target.suffix.lower()
        if suffix not in (".parquet", ".duckdb", ".db"):
            raise OutputError(f"{target}: --into takes a .parquet or .duckdb file")
        if not self.target.parent.is_dir():
            raise OutputError(f"{target}: no such folder {self.target.parent}")
        self.parquet = suffix == ".parquet"
        fd, self.scratch = tempfile.mkstemp(dir=self.target.parent, prefix=".asnsql-",
                                            suffix=suffix)
        os.close(fd)
        if self.parquet:
            # Arrow writes each chunk's rows as row groups of one file.
            import pyarrow as pa
            import pyarrow.parquet as pq

            self.schema = pa.schema([(name, pa.string()) for name in self.COLUMNS.split(", ")])
            self.writer = pq.ParquetWriter(self.scratch, self.schema)
            self.pending = self.schema.empty_table()  # rows short of a row group
            return
        os.unlink(self.scratch)
        with duckdb.connect(self.scratch) as db:
            db.execute(
                "CREATE TABLE associations (asn_pool VARCHAR, file_name VARCHAR,"
                " asn_type VARCHAR, asn_rule VARCHAR, product_name VARCHAR, document VARCHAR)"
            )

    def add(self, chunk: Chunk) -> int:
        """Append a chunk's documents; return how many."""
        return self.add_rows(self.rows(chunk))

    @staticmethod
    def rows(chunk: Chunk):
        """A chunk's rows of the table, as Arrow (for :meth:`add_rows`)."""
        # The chunk's connection is sandboxed (no ATTACH, no files): the rows
        # come out as Arrow and go in on a connection of our own.
        return chunk.con.sql(
            "SELECT p.asn_pool, d.file_name, d.asn_type, d.asn_rule, d.product_name,"
            " d.document FROM documents AS d JOIN pools AS p USING (_pool)"
            " ORDER BY d._pool, d.name_order"
        ).to_arrow_table()

    def add_rows(self, rows) -> int:
        """Append rows from :meth:`rows` (no chunk connection needed); return how many."""
        if self.parquet:
            # Row groups of ROW_GROUP_ROWS whatever the chunks (--jobs,
            # --chunk-mb): the same documents make the same bytes.
            import pyarrow as pa

            self.pending = pa.concat_tables([self.pending, rows.cast(self.schema)])
            while self.pending.num_rows >= self.ROW_GROUP_ROWS:
                self.writer.write_table(self.pending.slice(0, self.ROW_GROUP_ROWS))
                self.pending = self.pending.slice(self.ROW_GROUP_ROWS)
            # A copy of what is left, so that the chunk's rows can go.
            self.pending = self.pending.combine_chunks()
            return rows.num_rows
        with duckdb.connect(self.scratch) as db:
            db.register("chunk_rows", rows)
            db.execute("INSERT INTO associations SELECT * FROM chunk_rows")
        return rows.num_rows

    def close(self) -> None:
        """Put the table in place."""
        try:
            if self.parquet:
                if self.pending.num_rows:
                    self.writer.write_table(self.pending)
                self.writer.close()
            os.replace(self.scratch, self.target)
        finally:
            self.abort()

    def abort(self) -> None:
        """Remove the scratch file (after close, or when the run failed)."""
        if self.parquet and self.writer.is_open:
            self.writer.close()
        for leftover in (self.scratch, self.scratch + ".wal"):
            if os.path.exists(leftover):
                os.unlink(leftover)


def failed(outcomes: Iterable[Outcome]) -> list[Outcome]:
    return [o for o in outcomes if o.error is not None]


__all__ = ["Chunk", "Outcome", "OutputError", "PoolError", "TableSink", "chunks_of",
           "expand_sources", "generate_many", "pool_folder", "write_documents", "write_files"]
