"""Associations on Apache Spark: Spark partitions of whole pools, DuckDB inside each task.

Pools are independent, so Spark only moves them: the pool rows are
repartitioned by their pool key into N partitions (a pool is never split),
sorted by (pool, row) within each, and every task hands its whole partition
to :func:`asnsql.core.associate`, which runs the same SQL rules on DuckDB as
a local run, with one DuckDB thread (Spark runs one task per core). The
result is one row per association, the document text byte-identical to the
file ``asnsql generate`` writes. ``docs/spark.md`` says why the rules are not
translated to Spark SQL instead, and what it costs.

Only this module imports pyspark (when called); nothing else in asnsql does.
"""

from __future__ import annotations

import atexit
import math
import os
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

import pyarrow as pa

from asnsql import core
from asnsql.errors import AsnsqlError

__all__ = ["RESULT_DDL", "RESULT_SCHEMA", "active_session", "generate", "pool_files", "session"]

# The rows core.associate returns, all text (see notes/core-interface.md).
RESULT_SCHEMA = pa.schema([(name, pa.string()) for name in (
    "asn_pool", "file_name", "asn_type", "asn_rule", "product_name", "document", "error")])
RESULT_DDL = ", ".join(f"{field.name} string" for field in RESULT_SCHEMA)

# How many tasks when the caller does not say (docs/spark.md, "Pools per
# task"): at least this many pools a task, so that Spark's ~0.1 s a task stays
# under 5 % of the one-pass core's ~30 ms a pool; at most TASKS_PER_CORE
# tasks a core (to even out pools of unequal size), and at least one a core.
MIN_POOLS_PER_TASK = 120
TASKS_PER_CORE = 4

# Spark settings asnsql depends on: adaptive execution must not merge the
# partitions (it coalesced 8 into one task when tried).
REQUIRED_CONF = {"spark.sql.adaptive.coalescePartitions.enabled": "false"}


class SparkError(AsnsqlError):
    """Spark cannot run here, or was asked something it cannot do."""


def _pyspark():
    """Import pyspark, or stop with one line that says how to get it."""
    # pyspark warns about any pandas newer than it knows; asnsql uses no pandas.
    warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas", FutureWarning)
    try:
        import pyspark.sql
    except ImportError:
        raise SparkError("--engine spark: pyspark is not installed "
                         "(pip install 'asnsql[spark]')") from None
    return pyspark.sql


def _quiet_log_conf() -> dict:
    """Driver settings that keep Spark's log to errors from the very start."""
    fd, path = tempfile.mkstemp(prefix="asnsql-log4j2-", suffix=".properties")
    with os.fdopen(fd, "w") as f:
        f.write("rootLogger.level = error\nrootLogger.appenderRef.stderr.ref = console\n"
                "appender.console.type = Console\nappender.console.name = console\n"
                "appender.console.target = SYSTEM_ERR\nappender.console.layout.type = PatternLayout\n"
                "appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n\n")
    atexit.register(os.unlink, path)
    return {"spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile=file:{path}"}


def active_session():
    """The SparkSession already running in this process, or None."""
    return _pyspark().SparkSession.getActiveSession()


def session(master: str | None = None, conf: dict | None = None):
    """Start (or reuse) a SparkSession set up for asnsql.

    Parameters
    ----------
    master : str, optional
        Spark master URL: ``local[2]``, ``spark://host:7077``...; default
        ``local[*]`` (every core of this machine).
    conf : dict, optional
        Further Spark settings (``{"spark.executor.memory": "4g"}``).

    Returns
    -------
    pyspark.sql.SparkSession

    Raises
    ------
    SparkError
        pyspark or a Java runtime is missing.
    """
    sql = _pyspark()
    java_home = os.environ.get("JAVA_HOME")
    if not shutil.which("java") and not (java_home and Path(java_home, "bin", "java").exists()):
        raise SparkError("--engine spark: no Java runtime found (install Java 17, e.g. "
                         "apt-get install openjdk-17-jre-headless, or set JAVA_HOME)")
    # Python workers run this interpreter unless told otherwise (a cluster
    # whose machines keep Python elsewhere sets PYSPARK_PYTHON itself).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    master = master or "local[*]"
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = sql.SparkSession.builder.appName("asnsql").master(master)
    settings = {"spark.ui.showConsoleProgress": "false", "spark.log.level": "ERROR",
                **_quiet_log_conf(), **REQUIRED_CONF, **(conf or {})}
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def pool_files(paths) -> list[Path]:
    """Pool files from files and folders (a folder gives its ``*.csv``, sorted).

    Raises
    ------
    SparkError
        A path that does not exist, or two pools of the same file name (the
        pool key is the file name, as the documents record it).
    """
    files, seen = [], {}
    for path in map(Path, paths):
        if not path.exists():
            raise SparkError(f"{path}: no such file")
        found = sorted(path.glob("*.csv")) if path.is_dir() else [path]
        for file in found:
            if file.name in seen:
                raise SparkError(f"{file}: a pool named {file.name} is already given "
                                 f"({seen[file.name]})")
            seen[file.name] = file
            files.append(file)
    return files


def generate(df_or_paths, spark=None, *, partitions: int | None = None,
             pools_per_task: int | None = None, delimiter: str = "|", **options):
    """Generate the associations of many pools on Spark.

    Parameters
    ----------
    df_or_paths : pyspark DataFrame, or iterable of paths
        Pool rows (columns ``asn_pool``, ``pool_row`` and the raw cells, as
        :func:`asnsql.core.read_pools` gives them), or pool files and
        folders, read on the driver with :func:`asnsql.core.read_pools`.
    spark : pyspark.sql.SparkSession, optional
        Default: :func:`session` (local mode, every core).
    partitions : int, optional
        Number of tasks; default one per ``MIN_POOLS_PER_TASK`` pools, at
        least one and at most ``TASKS_PER_CORE`` per core of the cluster, at
        most one per pool.
    pools_per_task : int, optional
        Instead of ``partitions``: about this many pools per task.
    delimiter : str
        Of the pool files.
    **options
        Those of :func:`asnsql.generate`: ``discover``, ``all_candidates``,
        ``ids``, ``version_id``, ``rules``, ``ignore_default``, ``finalize_``,
        ``merge``, ``debug``, ``dms``.

    Returns
    -------
    pyspark.sql.DataFrame
        One row per association (``RESULT_DDL``): asn_pool, file_name,
        asn_type, asn_rule, product_name, document (the file's text) and
        error (NULL, or for a pool that failed, its one line in a row of its
        own). Lazy, as Spark DataFrames are.
    """
    from pyspark.sql import DataFrame
    from pyspark.sql import functions as F

    spark = spark if spark is not None else session()
    for key, value in REQUIRED_CONF.items():
        spark.conf.set(key, value)
    if isinstance(df_or_paths, DataFrame):
        df = df_or_paths
        missing = {core.POOL_COLUMN, core.ROW_COLUMN} - set(df.columns)
        if missing:
            raise SparkError(f"DataFrame: no column(s) {', '.join(sorted(missing))}")
        n_pools = None
    else:
        batch = core.read_pools(pool_files([df_or_paths] if isinstance(df_or_paths, (str, os.PathLike))
                                           else df_or_paths), delimiter=delimiter)
        n_pools = len(set(batch.column(core.POOL_COLUMN).to_pylist()))
        df = spark.createDataFrame(batch)
    if partitions is None:
        if n_pools is None:
            n_pools = df.select(core.POOL_COLUMN).distinct().count()
        cores = spark.sparkContext.defaultParallelism
        wanted = (math.ceil(n_pools / pools_per_task) if pools_per_task else
                  max(cores, min(TASKS_PER_CORE * cores, math.ceil(n_pools / MIN_POOLS_PER_TASK))))
        partitions = max(1, min(n_pools, wanted))
    pool, row = F.col(core.POOL_COLUMN), F.col(core.ROW_COLUMN)
    return (df.repartition(partitions, pool)
              .sortWithinPartitions(pool, row)
              .mapInArrow(_TaskRunner(_driver_options(options)), RESULT_DDL))


def _driver_options(options: dict) -> dict:
    """Options settled once on the driver, so that every task reads the same."""
    from asnsql.api import timestamp

    options = dict(options)
    if options.get("version_id") is True:
        options["version_id"] = timestamp()
    # Executors run elsewhere (a worker's folder): rule paths must be absolute.
    options["rules"] = [str(Path(p).resolve()) for p in options.get("rules", ())]
    # Bad rule files and missing parameters are said once, here, not in every task.
    from asnsql.engine import rule_params
    from asnsql.registry import load_rules

    rule_params(load_rules(options["rules"], include_default=not options.get("ignore_default")),
                options.get("params"))
    return options


class _TaskRunner:
    """The task: one whole partition of pools through :func:`asnsql.core.associate`."""

    def __init__(self, options: dict):
        self.options = options

    def __call__(self, batches):
        batches = list(batches)
        table = pa.Table.from_batches(batches) if batches else None
        if table is None or table.num_rows == 0:
            return
        # Spark runs one task per core: DuckDB takes one thread, not all.
        result = core.associate(table, threads=1, **self.options)
        yield from result.select(RESULT_SCHEMA.names).cast(RESULT_SCHEMA).to_batches()
