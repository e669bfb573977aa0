"""The report of a scored transcript file, built from its ``results.jsonl``."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from harness.reports import Provenance, Report
from harness.scores.judges import judge_prompt_hash

if TYPE_CHECKING:
    from harness.report_sums import ReportSums
    from harness.scores.batch import BatchScorer

__all__ = ["file_hash", "report_from_results"]


def file_hash(path: Path, length: int = 12) -> str:
    """sha256 prefix of a file's bytes, read in blocks (the file may be far larger than memory)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:length]


def report_from_results(
    name: str, results: Path, scorer: BatchScorer, group_by: str | None = None, sums: ReportSums | None = None
) -> Report:
    """Summarise a results file into the report ``harness score`` writes, in constant memory.

    ``sums``: every record of ``results`` already added to them (pass 1, made
    while the file was written); None reads the file for it.
    """
    from harness.report_sums import comparisons_from_file, second_pass, sums_from_file

    sums = sums_from_file(results, group_by=group_by) if sums is None else second_pass(sums, results)
    client = scorer.judge
    source = Path(scorer.settings.source)
    used = sorted(sums.traits & set(scorer.traits))
    provenance = Provenance(
        candidate_models=sorted(sums.arms),
        judge_model=client.model if client else None,
        adherence_prompt_hash=judge_prompt_hash("adherence") if client else None,
        refusal_prompt_hash=judge_prompt_hash("refusal") if client and scorer.project.config.judge.refusal else None,
        prompts={},
        traits={t: scorer.traits[t].spec_hash() for t in used},
        query_files={source.name: file_hash(source)},
        smoke_test=bool(client and client.provider.smoke_test_only),
    )
    comparisons, warning = comparisons_from_file(results, sums)
    if warning:
        provenance.warnings.append(warning)
    return sums.report(name, provenance, comparisons)
