"""``harness score … --engine ray``: the scoring step on a Ray cluster.

Ray Data reads the file (``read_csv`` / ``read_json`` / ``read_parquet``) on
the cluster, runs :class:`~harness.scores.batch.BatchScorer` on each block
with ``map_batches`` (a pool of actors, each with its own judge client, so
judge calls are rate-limited per worker by ``[run].concurrency``), and writes
the per-answer results with ``write_parquet``. The driver then streams the
Parquet files back, in the file's order, into ``results.jsonl`` and the
report, so the output is the same as the local engine's.

The cluster is the one ``ray.init(address=...)`` joins (``--ray-address``, or
the ``RAY_ADDRESS`` environment variable); with neither, a local instance is
started. Workers must see the project folder and the input file at the same
paths as the driver (a shared filesystem, or a single machine), and they
share the project's response cache file there (SQLite; writers take turns).
Ray and pyarrow come with the ``[ray]`` extra.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.errors import HarnessError
from harness.scores.batch import BatchScorer, ScoreSettings
from harness.transcripts import check_columns, file_kind

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["score_batches_on_ray"]

PARQUET_DIR = "results.parquet"


def _ray() -> Any:
    try:
        import ray
        import ray.data
    except ImportError:
        raise HarnessError(
            "--engine ray needs Ray", fix='pip install "character-harness[ray]" (Ray Data and pyarrow)'
        ) from None
    return ray


def _read(ray: Any, path: Path, kind: str) -> Any:
    """The file as a Ray dataset, with the local engine's column types."""
    if kind == "parquet":
        return ray.data.read_parquet(str(path))
    if kind == "jsonl":
        return ray.data.read_json(str(path), lines=True, file_extensions=None)
    import pyarrow as pa
    from pyarrow import csv as pa_csv

    # Every cell as text, as the local engine reads it ("007" stays "007", an empty cell stays "").
    with path.open(encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh), [])
    check_columns(path, header)
    convert = pa_csv.ConvertOptions(column_types={name: pa.string() for name in header}, strings_can_be_null=False)
    return ray.data.read_csv(str(path), convert_options=convert, file_extensions=None)


class _InOrder:
    """Output files named by write task, zero-padded first: sorted names are the input's order."""

    def get_filename_for_task(self, write_uuid: str, task_index: int) -> str:
        return f"part-{task_index:06d}-{write_uuid}.parquet"

    def get_filename_for_block(self, block: Any, write_uuid: str, task_index: int, block_index: int) -> str:
        return f"part-{task_index:06d}-{block_index:06d}-{write_uuid}.parquet"


def score_batches_on_ray(
    path: Path, settings: ScoreSettings, out_dir: Path, batch_rows: int, address: str | None = None
) -> Iterator[pd.DataFrame]:
    """Score ``path`` on a Ray cluster; yields the scored batches (``id``, ``result``) in the file's order.

    The results are also left in ``out_dir/results.parquet/``.
    """
    ray = _ray()
    from ray.data.datasource import FilenameProvider

    kind = file_kind(path)
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
    ray.data.DataContext.get_current().execution_options.preserve_order = True
    dataset = _read(ray, path, kind)
    check_columns(path, dataset.schema().names)
    workers = max(1, int(ray.cluster_resources().get("CPU", 1)))
    scored = dataset.map_batches(
        BatchScorer,
        fn_constructor_args=(settings,),
        batch_format="pandas",
        batch_size=batch_rows,
        concurrency=(1, workers),
        num_cpus=1,
    )
    target = out_dir / PARQUET_DIR
    shutil.rmtree(target, ignore_errors=True)
    provider = type("InOrder", (_InOrder, FilenameProvider), {})()
    scored.write_parquet(str(target), filename_provider=provider)
    yield from _read_back(target, batch_rows)


def _read_back(target: Path, batch_rows: int) -> Iterator[pd.DataFrame]:
    import pyarrow.parquet as pq

    for part in sorted(target.glob("*.parquet")):
        for batch in pq.ParquetFile(part).iter_batches(batch_size=batch_rows, columns=["id", "result"]):
            yield batch.to_pandas()
