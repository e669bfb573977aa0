"""Existing transcripts (production logs, another tool's outputs) as answers.

``harness score FILE`` reads a CSV, JSONL or Parquet file with columns ``id``,
``query``, ``response`` and optionally ``arm``, ``trait``, ``should_refuse``
and ``label`` (any other column is carried through as metadata), and scores
it exactly as a run's answers are scored. A row with a ``messages`` column (a
multi-turn chat in the OpenAI format; a JSON string in CSV) is a conversation:
its first assistant turn is scored as the row's answer, and every assistant
turn is scored by :mod:`harness.conversations` (``conversations.jsonl``).

The file is read in chunks and each chunk's results are written before the
next is read, so scoring a file of any length takes the memory of one chunk:
the per-answer results stream to ``results.jsonl``, ids already seen are kept
on disk (a duplicate is an error), and the report is built from running sums:
the local engine adds each result to them as it writes it, the Ray engine
reads the results file afterwards. The scoring of a chunk is one function from a pandas batch to
a pandas batch (:class:`harness.scores.batch.BatchScorer`), which the Ray
engine (:mod:`harness.ray_engine`) runs on a cluster instead.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.answers import Answer
from harness.config import Project
from harness.errors import HarnessError
from harness.formats import json_error
from harness.models.base import Provider
from harness.models.cache import ResponseCache
from harness.models.client import CallStats, ModelClient
from harness.traits import TraitSpec, load_traits

if TYPE_CHECKING:
    import pandas as pd

    from harness.conversations.records import Conversation, ScoredConversation
    from harness.report_sums import ReportSums
    from harness.reports import Provenance, Report
    from harness.scores.records import ScoredAnswer

__all__ = [
    "CHUNK_ROWS",
    "ScoreFileOutcome",
    "answers_from_frame",
    "ascore_transcripts",
    "iter_frames",
    "load_transcript_conversations",
    "load_transcripts",
    "score_file",
    "score_transcripts",
    "transcript_provenance",
]

REQUIRED = ("id", "query", "response")
OPTIONAL = ("arm", "trait", "should_refuse", "label", "messages", "reference")
DEFAULT_ARM = "default"
#: Rows read, scored and written at a time.
CHUNK_ROWS = 10_000
#: The column a chunk carries with each row's number in the file (as an editor shows it).
ROW = "_row"
SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f", ""}


def file_kind(path: Path) -> str:
    """``csv``, ``jsonl`` or ``parquet``, from the file name; a clear error for anything else."""
    if not path.is_file():
        raise HarnessError(f"{path} does not exist")
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise HarnessError(f"{path}: unsupported file type {path.suffix!r}", fix="use a .csv, .jsonl or .parquet file")
    return kind


def check_columns(path: Path | str, columns: Iterable[object]) -> None:
    """Raise a clear error when required columns are missing (other columns become metadata)."""
    names = [str(c) for c in columns]
    # With a messages column, query and response may be absent: those rows are conversations.
    missing = [c for c in REQUIRED if c not in names and (c == "id" or "messages" not in names)]
    if missing:
        raise HarnessError(
            f"{path} lacks required column(s): {', '.join(missing)}",
            fix=f"columns are {', '.join(REQUIRED)} (required unless messages is given) and {', '.join(OPTIONAL)} "
            "(optional); any other column is carried through as metadata",
        )


def iter_frames(path: Path | str, chunk_rows: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
    """The file as pandas frames of at most ``chunk_rows`` rows, each with a ``_row`` column.

    CSV cells are read as text, exactly as written (no type guessing: id
    ``007`` stays ``007``).
    """
    import pandas as pd  # only `harness score` pays for importing pandas

    path = Path(path)
    kind = file_kind(path)
    first_row = 2 if kind == "csv" else 1  # a CSV's line 1 is its header
    checked = False
    try:
        for frame in _raw_frames(path, kind, chunk_rows):
            if not checked:
                check_columns(path, frame.columns)
                checked = True
            frame = frame.reset_index(drop=True)
            frame[ROW] = range(first_row, first_row + len(frame))
            first_row += len(frame)
            yield frame
        if not checked and kind == "csv":  # a header and no rows
            check_columns(path, pd.read_csv(path, dtype=str, nrows=0).columns)
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError, OSError) as exc:
        raise HarnessError(f"{path} could not be parsed: {exc}") from None


def _raw_frames(path: Path, kind: str, chunk_rows: int) -> Iterator[pd.DataFrame]:
    import pandas as pd

    if kind == "csv":
        yield from pd.read_csv(path, dtype=str, keep_default_na=False, chunksize=chunk_rows)
    elif kind == "jsonl":
        yield from _jsonl_frames(path, chunk_rows)
    else:
        try:
            import pyarrow.parquet as pq
        except ImportError:
            raise HarnessError(
                f"{path}: reading Parquet needs pyarrow", fix='pip install pyarrow (or "character-harness[ray]")'
            ) from None
        parquet = pq.ParquetFile(path)
        empty = True
        for batch in parquet.iter_batches(batch_size=chunk_rows):
            empty = False
            yield batch.to_pandas()
        if empty:
            yield parquet.schema_arrow.empty_table().to_pandas()


def _jsonl_frames(path: Path, chunk_rows: int) -> Iterator[pd.DataFrame]:
    """JSONL in frames of ``chunk_rows`` objects; a broken line is named with its line and column."""
    import pandas as pd

    rows: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as lines:
        for lineno, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line.rstrip("\r\n"))  # a newline inside a broken string would hide the real error
            except json.JSONDecodeError as exc:
                raise json_error(f"{path}, line {lineno}", exc) from None
            if not isinstance(row, dict):
                raise HarnessError(f"{path}, line {lineno}: expected a JSON object, not {type(row).__name__}")
            rows.append(row)
            if len(rows) == chunk_rows:
                yield pd.DataFrame.from_records(rows)
                rows = []
    if rows:
        yield pd.DataFrame.from_records(rows)


def _as_bool(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if value is None or (isinstance(value, float) and value != value):
        return False
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise HarnessError(f"{where}: should_refuse must be true or false, not {value!r}")


def _as_text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return str(value)


def answers_from_frame(frame: pd.DataFrame, path: Path | str) -> list[Answer]:
    """A chunk's rows as :class:`Answer` records (duplicates are caught by the caller).

    Errors name the file and the row (from the ``_row`` column) or, when rows
    are not numbered (a Ray block), the id.
    """
    return list(iter_answers(frame, path))


def _metadata(frame: pd.DataFrame) -> list[dict[str, Any]] | None:
    """The extra columns of each row, or None when there are none."""
    extras = [c for c in frame.columns if c not in (*REQUIRED, *OPTIONAL, ROW)]
    if not extras:
        return None
    # Through JSON: numpy scalars and timestamps become plain, serialisable values.
    rows = json.loads(frame[extras].to_json(orient="records", date_format="iso", force_ascii=False))
    return [{str(k): v for k, v in row.items()} for row in rows]


def iter_answers(frame: pd.DataFrame, path: Path | str, make: Callable[..., Any] = Answer) -> Iterator[Answer]:
    """A chunk's rows as :class:`Answer` records, one at a time (see :func:`answers_from_frame`).

    Column by column: each column is converted once, as a list, and a row's
    place in the file is spelt out only for an error message (both would
    otherwise cost more than the record itself on a file of short answers).
    ``make`` builds each one from :class:`Answer`'s fields, already validated
    here (see :class:`harness.scores.batch.ImportedAnswer`).
    """
    n = len(frame)

    def column(name: str, convert: Callable[[Any], Any] | None = None) -> list[Any]:
        if name not in frame.columns:
            return [None] * n
        values = frame[name].tolist()
        return values if convert is None else [v if type(v) is str else convert(v) for v in values]

    ids, queries, responses = column("id", _as_text), column("query", _as_text), column("response", _as_text)
    arms, traits, labels = column("arm", _as_text), column("trait", _as_text), column("label", _as_text)
    refuse, rows = column("should_refuse"), column(ROW)
    messages = column("messages") if "messages" in frame.columns else None
    metadata = _metadata(frame)
    bools: dict[str, bool] = {}  # each distinct should_refuse text is read once

    def where(i: int) -> str:
        return f"{path}, row {rows[i]}" if rows[i] is not None else f"{path}, id {ids[i]!r}"

    for i in range(n):
        row_id, query, response = ids[i], queries[i], responses[i]
        if messages is not None and has_messages(messages[i]):
            # A conversation: its first assistant turn is the row's answer.
            query, response = _first_exchange(messages[i], where(i))
        if not row_id or query is None:
            raise HarnessError(f"{where(i)}: id and query must not be empty")
        arm = arms[i] or DEFAULT_ARM
        cell = refuse[i]
        if type(cell) is str:
            should_refuse = bools.get(cell)
            if should_refuse is None:
                should_refuse = bools[cell] = _as_bool(cell, where(i))
        else:
            should_refuse = _as_bool(cell, where(i))
        yield make(
            id=f"{arm}|{row_id}",
            arm=arm,
            query_id=row_id,
            trait=traits[i] or None,
            should_refuse=should_refuse,
            model="imported",
            query=query,
            text=response,
            label=labels[i],
            metadata=metadata[i] if metadata is not None else {},
        )


def has_messages(value: Any) -> bool:
    """Whether a ``messages`` cell holds a chat (a non-empty list, or a non-empty JSON string)."""
    if isinstance(value, list):
        return bool(value)
    if value is not None and hasattr(value, "__len__") and not isinstance(value, str):
        return len(value) > 0  # an array from Parquet
    return _as_text(value) not in (None, "")


def _first_exchange(value: Any, where: str) -> tuple[str, str]:
    """The user turn before the first assistant turn, and that turn, of a ``messages`` cell."""
    from harness.conversations.records import parse_chat_messages

    turns = parse_chat_messages(_as_list(value), where)
    first = next(i for i, t in enumerate(turns) if t.role == "assistant")
    query = next((t.content for t in reversed(turns[:first]) if t.role == "user"), "")
    return query, turns[first].content


def _as_list(value: Any) -> Any:
    return value.tolist() if hasattr(value, "tolist") else value


def load_transcript_conversations(path: Path | str, chunk_rows: int = CHUNK_ROWS) -> list[Conversation]:
    """The rows of a transcript file that carry a ``messages`` chat, as conversations (in memory)."""
    from harness.conversations.stage import conversations_from_rows

    path = Path(path)
    rows: list[tuple[str, dict[str, Any]]] = []
    for frame in iter_frames(path, chunk_rows):
        if "messages" not in frame.columns:
            return []
        for record in frame.to_dict(orient="records"):
            if has_messages(record.get("messages")):
                record["messages"] = _as_list(record["messages"])
                rows.append((f"{path}, row {record[ROW]}", record))
    return conversations_from_rows(rows)


class SeenIds:
    """The ``arm|id`` keys met so far, kept in a temporary SQLite file: memory stays flat however many rows.

    Keys are stored as 16-byte hashes; a collision between two different ids
    is a 1-in-2^128 event.
    """

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="harness-ids-")
        self._db = sqlite3.connect(Path(self._dir.name) / "ids.sqlite", isolation_level=None)
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute("PRAGMA cache_size=-8000")  # 8 MB of pages at most
        self._db.execute("CREATE TABLE seen (key BLOB PRIMARY KEY) WITHOUT ROWID")

    def add(self, keys: list[str]) -> str | None:
        """Add ``keys``; returns the first one seen before (in this batch or an earlier one), else None."""
        digests = [hashlib.blake2b(k.encode("utf-8"), digest_size=16).digest() for k in keys]
        self._db.execute("BEGIN")
        try:
            self._db.executemany("INSERT INTO seen (key) VALUES (?)", ((d,) for d in digests))
        except sqlite3.IntegrityError:
            self._db.execute("ROLLBACK")
            return self._first_duplicate(keys, digests)
        self._db.execute("COMMIT")
        return None

    def _first_duplicate(self, keys: list[str], digests: list[bytes]) -> str:
        batch: set[bytes] = set()
        for key, digest in zip(keys, digests, strict=True):
            if digest in batch or self._db.execute("SELECT 1 FROM seen WHERE key = ?", (digest,)).fetchone():
                return key
            batch.add(digest)
        raise AssertionError("an insert failed on a key that is not a duplicate")

    def close(self) -> None:
        """Delete the store."""
        self._db.close()
        self._dir.cleanup()


def _duplicate_error(path: Path, key: str) -> HarnessError:
    arm, _, row_id = key.partition("|")
    return HarnessError(f"{path}: duplicate id {row_id!r} in arm {arm!r}", fix="ids must be unique per arm")


def load_transcripts(data: Path | str | Any) -> list[Answer]:
    """Read a CSV/JSONL/Parquet file of responses, or a pandas DataFrame with the same columns, as :class:`Answer` records.

    All in memory (``harness score`` streams instead). Columns other than
    ``id``, ``query``, ``response``, ``arm``, ``trait``, ``should_refuse`` and
    ``label`` (a ``timestamp``, a ``user_tier``) are kept in each answer's ``metadata``.
    """
    if isinstance(data, str | Path):
        source: Path | str = Path(data)
        frames: Iterable[pd.DataFrame] = iter_frames(source)
    else:
        source = "the DataFrame"
        check_columns(source, data.columns)
        frames = [data.reset_index(drop=True).assign(**{ROW: range(len(data))})]
    answers: list[Answer] = []
    seen: set[str] = set()
    for frame in frames:
        for answer, row in zip(answers_from_frame(frame, source), frame[ROW].tolist(), strict=True):
            if answer.id in seen:
                raise HarnessError(
                    f"{source}, row {row}: duplicate id {answer.query_id!r} in arm {answer.arm!r}",
                    fix="ids must be unique per arm",
                )
            seen.add(answer.id)
            answers.append(answer)
    return answers


def score_transcripts(
    project: Project,
    path: Path | Any,
    *,
    judge: str | None = None,
    judge_provider: Provider | None = None,
    **overrides: object,
) -> tuple[list[Answer], dict[str, TraitSpec], list[ScoredAnswer], ModelClient | None]:
    """Sync form of :func:`ascore_transcripts` (works inside a running event loop too)."""
    from harness._sync import run_sync

    return run_sync(ascore_transcripts(project, path, judge=judge, judge_provider=judge_provider, **overrides))


async def ascore_transcripts(
    project: Project,
    data: Path | Any,
    *,
    judge: str | None = None,
    judge_provider: Provider | None = None,
    **overrides: object,
) -> tuple[list[Answer], dict[str, TraitSpec], list[ScoredAnswer], ModelClient | None]:
    """Load a transcript file (or DataFrame) and score it with the project's scorer (``overrides`` as in ``make_scorer``).

    Holds every answer in memory: for labelled sets (``harness calibrate``) and
    the Python API. ``harness score`` streams instead (:func:`score_file`).
    """
    from harness.runs import make_judge_client, make_scorer
    from harness.scores.score import score_answers

    answers = load_transcripts(data)
    traits = load_traits(project.traits_dir) if project.traits_dir.is_dir() else {}
    cache = ResponseCache(project.cache_path)
    client = None
    try:
        client = make_judge_client(project, judge, judge_provider, cache)
        scores = await score_answers(make_scorer(project, client, traits, **overrides), answers)
    finally:
        if client is not None and judge_provider is None:
            await client.aclose()
        cache.close()
    return answers, traits, scores, client


def transcript_provenance(
    project: Project, answers: list[Answer], traits: dict[str, TraitSpec], client: ModelClient | None,
    sources: dict[str, str],
) -> Provenance:
    """What produced the scores of imported transcripts (``sources``: name → content hash)."""
    from harness.reports import Provenance
    from harness.scores.judges import judge_prompt_hash

    used = sorted({a.trait for a in answers if a.trait in traits})
    return Provenance(
        candidate_models=sorted({a.arm for a in answers}),
        judge_model=client.model if client else None,
        adherence_prompt_hash=judge_prompt_hash("adherence", client) if client else None,
        refusal_prompt_hash=judge_prompt_hash("refusal", client) if client and project.config.judge.refusal else None,
        prompts={},
        traits={t: traits[t].spec_hash() for t in used},
        query_files=sources,
        smoke_test=bool(client and client.provider.smoke_test_only),
    )


@dataclass
class ScoreFileOutcome:
    """What scoring a transcript file produced.

    The per-answer results are in ``results_path``; :attr:`scores` reads them
    back (all into memory) for callers that want them as records.
    """

    report: Report
    results_path: Path
    report_paths: tuple[Path, Path]
    judge_stats: CallStats | None
    smoke_test: bool
    rows: int = 0
    conversations: list[ScoredConversation] = field(default_factory=list)

    @property
    def scores(self) -> list[ScoredAnswer]:
        """Every per-answer result, read from ``results.jsonl``."""
        return list(iter_results(self.results_path))


def iter_results(path: Path) -> Iterator[ScoredAnswer]:
    """The records of a ``results.jsonl``, one at a time."""
    from harness.scores.records import ScoredAnswer

    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield ScoredAnswer.model_validate_json(line)


def write_results(path: Path, source: Path, batches: Iterable[pd.DataFrame]) -> int:
    """Write scored batches (``id`` and ``result`` columns) to ``results.jsonl`` as they come.

    Ids are checked for duplicates across the whole file with constant
    memory. Returns the number of rows written.
    """
    seen = SeenIds()
    rows = 0
    try:
        with path.open("w", encoding="utf-8") as out:
            for batch in batches:
                keys = batch["id"].tolist()
                if (dup := seen.add(keys)) is not None:
                    raise _duplicate_error(source, dup)
                results = batch["result"].tolist()
                out.write("\n".join(results) + "\n" if results else "")
                rows += len(results)
    finally:
        seen.close()
    return rows


def write_records(
    path: Path, source: Path, batches: Iterable[Iterable[ScoredAnswer]], sums: ReportSums | None = None
) -> int:
    """Write scored batches to ``results.jsonl`` as they come, and give each record to ``sums`` (pass 1 of the report).

    The local engine's :func:`write_results`: it has the records themselves, so
    the report's first pass is made from them here rather than by reading the
    file back. Each record is turned into its line and counted as it comes, and
    only the lines and ids (plain strings) wait for the batch's end, when the ids
    are checked for duplicates and the lines written. Returns the number of rows written.
    """
    from harness.report_sums import same_as_read_back
    from harness.scores.batch import ScoredRow
    from harness.scores.records import ScoredAnswer

    seen = SeenIds()
    rows = 0
    try:
        # Bytes: a ScoredRow's line is UTF-8 already, and is not decoded only to be encoded again.
        with path.open("wb") as out:
            for records in batches:
                ids: list[str] = []
                lines: list[bytes] = []
                for s in records:
                    line = s.json_bytes() if type(s) is ScoredRow else s.model_dump_json().encode("utf-8")
                    ids.append(s.id)
                    lines.append(line)
                    if sums is not None:
                        sums.add(s if same_as_read_back(s) else ScoredAnswer.model_validate_json(line))
                if (dup := seen.add(ids)) is not None:
                    raise _duplicate_error(source, dup)
                out.write(b"\n".join(lines) + b"\n" if lines else b"")
                rows += len(lines)
                del ids, lines  # before the next batch is read
    finally:
        seen.close()
    return rows


def score_file(
    project: Project,
    path: Path | str,
    out_dir: Path,
    *,
    judge: str | None = None,
    judge_provider: Provider | None = None,
    name: str | None = None,
    group_by: str | None = None,
    engine: str = "local",
    chunk_rows: int = CHUNK_ROWS,
    ray_address: str | None = None,
) -> ScoreFileOutcome:
    """Score a transcript file and write ``results.jsonl`` plus the report into ``out_dir``.

    Args:
        group_by: an extra column of the file to group report rows by instead of trait.
        engine: ``local`` (this process, chunk by chunk) or ``ray`` (a Ray
            cluster: see :mod:`harness.ray_engine`); the results are the same.
        chunk_rows: rows per chunk (local) or per batch (Ray).
        ray_address: the cluster to join (``ray.init(address=...)``); None
            starts or joins a local instance.
    """
    from harness.scores.batch import BatchScorer, ScoreSettings

    path = Path(path)
    file_kind(path)
    out_dir.mkdir(parents=True, exist_ok=True)
    results = out_dir / "results.jsonl"
    settings = ScoreSettings(project_root=str(project.root), judge=judge, source=str(path))
    sums: ReportSums | None = None  # the report's first pass, when made while writing
    if engine == "ray":
        if judge_provider is not None:
            raise HarnessError("a judge given as a provider object cannot be sent to Ray workers", fix="name the judge model")
        from harness.ray_engine import score_batches_on_ray

        rows = write_results(results, path, score_batches_on_ray(path, settings, out_dir, chunk_rows, ray_address))
        scorer = BatchScorer(settings)  # for the report's provenance; makes no call
        stats = None  # the workers' calls are counted on the workers
    elif engine == "local":
        from harness.report_sums import ReportSums

        scorer = BatchScorer(settings, judge_provider=judge_provider)
        sums = ReportSums(group_by=group_by)
        try:
            rows = write_records(results, path, (scorer.iter_records(frame) for frame in iter_frames(path, chunk_rows)), sums)
        except BaseException:
            scorer.close()
            raise
        stats = scorer.judge_stats
    else:
        raise HarnessError(f"unknown engine {engine!r}", fix="use --engine local or --engine ray")
    try:
        talks = _score_conversations(scorer, path, results, out_dir, chunk_rows)
        if talks:
            sums = None  # conversation outcomes were added to results.jsonl since: read it again
        report = scorer.report(name or path.stem, results, group_by=group_by, sums=sums)
    finally:
        scorer.close()
    from harness.conversations.stage import with_conversations
    from harness.reports import write_report

    report = with_conversations(report, talks)
    paths = write_report(report, out_dir)
    return ScoreFileOutcome(
        report=report, results_path=results, report_paths=paths, judge_stats=stats,
        smoke_test=report.provenance.smoke_test, rows=rows, conversations=talks,
    )


def _score_conversations(
    scorer: Any, path: Path, results: Path, out_dir: Path, chunk_rows: int
) -> list[ScoredConversation]:
    """Score the file's multi-turn rows turn by turn (``conversations.jsonl``), and add their outcomes to the
    results of their first turns. Conversations are held in memory; single-turn rows stream as before."""
    from harness.conversations.scoring import ConversationScorer
    from harness.conversations.stage import attach_outcomes
    from harness.formats import dump_jsonl

    talks = load_transcript_conversations(path, chunk_rows)
    if not talks:
        return []
    cfg = scorer.project.config.judge
    talk_scorer = ConversationScorer(
        scorer.judge, scorer.traits, scorer.scorer.lexicon, temperature=cfg.temperature, seed=cfg.seed,
        max_tokens=cfg.max_tokens,
    )
    scored = scorer._loop.run_until_complete(talk_scorer.score_all(talks))
    dump_jsonl(scored, out_dir / "conversations.jsonl")
    by_id = {t.id: t for t in scored}
    tmp = results.with_suffix(".jsonl.tmp")
    with results.open(encoding="utf-8") as lines, tmp.open("w", encoding="utf-8") as out:
        for record in iter_results_lines(lines):
            if record.id in by_id:
                record = attach_outcomes([record], [by_id[record.id]])[0]
            out.write(record.model_dump_json() + "\n")
    tmp.replace(results)
    return scored


def iter_results_lines(lines: Iterable[str]) -> Iterator[ScoredAnswer]:
    """Scored answers from the lines of a ``results.jsonl``."""
    from harness.scores.records import ScoredAnswer

    for line in lines:
        if line.strip():
            yield ScoredAnswer.model_validate_json(line)
