"""asnsql on Apache Spark (local mode): the same documents, byte for byte, as a local run.

One SparkSession (local[2]) serves the whole test session. Each mode is one
Spark job over every fixture pool; its documents are compared with the
reference's goldens (field by field, as the conformance suite does) and, on a
spread of pools, with the local engine's text byte for byte. Under CI=true a
missing pyspark or Java fails these tests instead of skipping them.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import asnsql
from asnsql import core
from asnsql.conformance import reference_cases, reference_failures, reference_root, repo_root
from asnsql.diff import compare_documents
from asnsql.documents import serialize

if os.environ.get("CI") != "true":
    pytest.importorskip("pyspark")
    if not shutil.which("java") and not os.environ.get("JAVA_HOME"):
        pytest.skip("no Java runtime", allow_module_level=True)

from asnsql import spark as asnspark  # noqa: E402
from asnsql.cli import main as cli  # noqa: E402
from asnsql.cli_spark import run_spark  # noqa: E402

POOLS = repo_root() / "fixtures" / "pools"
FAILURES = reference_failures()
pytestmark = pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas")

BAD_POOL = "jw93060_20150312T160130_pool"  # no asn_candidate column: the reference fails too
# Pools compared byte for byte with the local engine: one per shape, and mega_pool.
SPREAD = ["mega_pool", "pool_007_spec_miri", "pool_019_niriss_wfss",
          "pool_023_nirspec_msa_3nod", "pool_933_miri_lrs_nod", "pool_934_nirspec_ifu_imprints"]
# Mode -> generate options, for every reference mode whose options are the same on every pool.
MODES = {
    "default": {},
    "discover": {"discover": True},
    "all-candidates": {"all_candidates": True},
    "merge": {"merge": True},
    "no-finalize": {"finalize_": False},
    "debug": {"debug": True},
    "version-id": {"version_id": "v20261125"},
}


@pytest.fixture(scope="session")
def spark():
    session = asnspark.session("local[2]", {
        "spark.ui.enabled": "false",
        "spark.sql.shuffle.partitions": "4",
        "spark.default.parallelism": "2",
        "spark.driver.memory": "1g",
    })
    yield session
    session.stop()


@pytest.fixture(scope="session")
def pool_rows():
    """Every fixture pool, as read_pools gives them."""
    return core.read_pools(sorted(POOLS.glob("*.csv")))


@pytest.fixture(scope="session")
def pool_df(spark, pool_rows):
    return spark.createDataFrame(pool_rows).cache()


def _stems(mode):
    return sorted(pool for m, pool in reference_cases() if m == mode)


def _by_pool(table):
    """{pool stem: {file name: row}} of a result table."""
    out = {}
    for row in table.to_pylist():
        out.setdefault(Path(row["asn_pool"]).stem, {})[row["file_name"]] = row
    return out


def _subset(df, stems):
    from pyspark.sql import functions as F

    return df.where(F.col(core.POOL_COLUMN).isin([f"{s}.csv" for s in stems]))


@pytest.fixture(scope="session")
def spark_results(spark, pool_df):
    """Mode -> result table, one Spark job per mode over the mode's pools."""
    cache = {}

    def run(mode):
        if mode not in cache:
            df = _subset(pool_df, _stems(mode))
            cache[mode] = _by_pool(asnspark.generate(df, spark, **MODES[mode]).toArrow())
        return cache[mode]
    return run


@pytest.mark.conformance
@pytest.mark.parametrize("mode", list(MODES))
def test_every_pool_matches_the_goldens(spark_results, mode):
    results = spark_results(mode)
    for stem in _stems(mode):
        rows = results.get(stem, {})
        if (mode, stem) in FAILURES:
            assert list(rows) == [None] and rows[None]["error"], stem
            continue
        golden = reference_root() / mode / stem
        assert sorted(rows) == sorted(p.name for p in golden.glob("*.json")), stem
        for name, row in rows.items():
            assert row["error"] is None
            ours = json.loads(row["document"])
            assert compare_documents(json.loads((golden / name).read_text()), ours) == [], name
            assert ours["asn_pool"] == f"{stem}.csv"
            assert (row["asn_type"], row["asn_rule"]) == (ours["asn_type"], ours["asn_rule"])
            assert row["product_name"] == ours["products"][0]["name"]


@pytest.mark.parametrize("mode", ["default", "discover", "all-candidates"])
def test_documents_are_the_local_engines_bytes(spark_results, mode):
    results = spark_results(mode)
    for stem in SPREAD:
        local = asnsql.generate(POOLS / f"{stem}.csv", **MODES[mode]).documents
        assert sorted(results[stem]) == sorted(local), stem
        for name, doc in local.items():
            assert results[stem][name]["document"] == serialize(doc), name


def test_shuffled_and_repartitioned_input_gives_the_same_bytes(spark, pool_df, spark_results):
    from pyspark.sql import functions as F

    stems = ["pool_007_spec_miri", "pool_024_nirspec_fss_nods", "pool_934_nirspec_ifu_imprints",
             "pool_019_niriss_wfss", "pool_002_image_miri"]
    shuffled = _subset(pool_df, stems).orderBy(F.rand(seed=12)).repartition(7)
    assert shuffled.rdd.getNumPartitions() == 7
    again = _by_pool(asnspark.generate(shuffled, spark, partitions=3).toArrow())
    first = spark_results("default")
    for stem in stems:
        assert {n: r["document"] for n, r in again[stem].items()} == \
               {n: r["document"] for n, r in first[stem].items()}, stem


def test_a_pool_is_never_split_across_tasks(spark):
    from pyspark.sql import functions as F

    # 40 small pools that each fail fast (no asn_candidate): one row each, unless split.
    n = 40
    rows = pa.table({core.POOL_COLUMN: [f"p{i % n:02d}.csv" for i in range(8 * n)],
                     core.ROW_COLUMN: [i // n for i in range(8 * n)],
                     "exp_type": ["mir_image"] * (8 * n)})
    df = spark.createDataFrame(rows).repartition(5)
    out = asnspark.generate(df, spark, partitions=3)
    tasks = out.select(core.POOL_COLUMN, F.spark_partition_id().alias("task")).collect()
    assert sorted(row[core.POOL_COLUMN] for row in tasks) == sorted(f"p{i:02d}.csv" for i in range(n))
    assert len({row["task"] for row in tasks}) == 3  # all three tasks had pools


def test_a_bad_pool_fails_alone_with_its_one_line_error(spark, pool_df):
    broken = pa.table({core.POOL_COLUMN: ["broken.csv"] * 2, core.ROW_COLUMN: [0, 1],
                       "exp_type": ["mir_image", "mir_image"]})
    df = _subset(pool_df, [BAD_POOL, "pool_002_image_miri"]).unionByName(
        spark.createDataFrame(broken), allowMissingColumns=True)
    results = _by_pool(asnspark.generate(df, spark).toArrow())
    assert results[BAD_POOL][None]["error"] == (
        f"{BAD_POOL}.csv: pool has no column(s) 'asn_candidate' needed by the rules")
    assert results["broken"][None]["error"].startswith("broken.csv: pool has no column(s) ")
    assert "\n" not in results["broken"][None]["error"]
    assert len(results["pool_002_image_miri"]) == 9
    assert all(r["error"] is None for r in results["pool_002_image_miri"].values())


def test_cli_writes_what_a_local_run_writes(spark, tmp_path):
    pool = POOLS / "pool_002_image_miri.csv"
    result = CliRunner().invoke(cli, ["generate", "--engine", "spark", str(pool),
                                      "-p", str(tmp_path / "spark"), "--discover"])
    assert result.exit_code == 0, result.output
    CliRunner().invoke(cli, ["generate", str(pool), "-p", str(tmp_path / "local"), "--discover"])
    local = sorted((tmp_path / "local").iterdir())
    assert [p.name for p in sorted((tmp_path / "spark").iterdir())] == [p.name for p in local]
    for path in local:
        assert (tmp_path / "spark" / path.name).read_bytes() == path.read_bytes()
    assert spark.sparkContext._jsc is not None  # the caller's session is left running


def test_cli_folder_writes_a_folder_per_pool_and_reports_the_bad_one(spark, tmp_path):
    pools = tmp_path / "pools"
    pools.mkdir()
    for stem in ("pool_002_image_miri", BAD_POOL):
        shutil.copy(POOLS / f"{stem}.csv", pools)
    result = CliRunner().invoke(cli, ["generate", "--engine", "spark", str(pools),
                                      "-p", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {BAD_POOL}.csv: pool has no column(s) 'asn_candidate' "
                             "needed by the rules\n")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["pool_002_image_miri"]
    assert len(list((tmp_path / "out" / "pool_002_image_miri").glob("*.json"))) == 9


def test_into_parquet_holds_one_row_per_association(spark, tmp_path):
    target = tmp_path / "asns.parquet"
    run_spark([POOLS / "pool_002_image_miri.csv"], tmp_path, target, None)
    table = pq.read_table(target)
    assert table.schema == asnspark.RESULT_SCHEMA
    local = asnsql.generate(POOLS / "pool_002_image_miri.csv").documents
    assert table.column("file_name").to_pylist() == sorted(local)
    assert table.column("document").to_pylist() == [serialize(local[n]) for n in sorted(local)]
    assert [p.name for p in tmp_path.iterdir()] == ["asns.parquet"]  # nothing else written


def test_the_local_engine_does_not_import_pyspark(tmp_path):
    code = ("import sys; from click.testing import CliRunner; from asnsql.cli import main; "
            f"r = CliRunner().invoke(main, ['generate', {str(POOLS / 'pool_002_image_miri.csv')!r}, "
            f"'-p', {str(tmp_path)!r}]); assert r.exit_code == 0, r.output; "
            "assert 'pyspark' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_pyspark_is_one_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(asnspark.SparkError, match=r"^--engine spark: pyspark is not installed "
                                                   r"\(pip install 'asnsql\[spark\]'\)$"):
        asnspark.session()


def test_missing_java_is_one_line(monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    result = CliRunner().invoke(cli, ["generate", "--engine", "spark",
                                      str(POOLS / "pool_002_image_miri.csv"), "-p", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: --engine spark: no Java runtime found")
    assert result.output.count("\n") == 1


def test_master_needs_the_spark_engine(tmp_path):
    result = CliRunner().invoke(cli, ["generate", "--master", "local[2]",
                                      str(POOLS / "pool_002_image_miri.csv"), "-p", str(tmp_path)])
    assert result.exit_code == 2
    assert "--master goes with --engine spark" in result.output


def test_pools_of_the_same_name_are_refused(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        shutil.copy(POOLS / "pool_002_image_miri.csv", tmp_path / folder)
    with pytest.raises(asnspark.SparkError, match="a pool named pool_002_image_miri.csv is already given"):
        asnspark.pool_files([tmp_path / "a", tmp_path / "b"])
