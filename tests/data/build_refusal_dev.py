"""Build ``tests/data/refusal_dev.jsonl``: real chat-model answers with refusal labels made outside this project.

The file is derived from two public repositories (sources, commits, licences
and label provenance: ``tests/data/SOURCES.md``). Regenerate it from their
snapshots (``fetch github:umd-huang-lab/FalseRefusal`` and
``fetch github:ramyalsaffar/Dual-RoBERTa-Classifiers-for-3-Class-Refusal-Taxonomy-and-Binary-Jailbreak-Detection``
give bare git directories; reading the pickles needs pandas)::

    python -m tests.data.build_refusal_dev --phtest /path/FalseRefusal.git --ramy /path/Dual-RoBERTa.git
    python -m tests.data.build_refusal_dev --phtest /path/FalseRefusal.git --fresh   # refusal_fresh*.jsonl

Columns are the ones ``harness score`` / ``harness calibrate`` read:

* ``id``: ``<source>:<source model>:<row id in the source>``;
* ``arm``: ``<split>:<source model>``, where split is ``tuning`` (rules and the
  n-gram model were tuned on these models), ``heldout`` (never looked at
  while tuning) or ``reference`` (a different label definition, reported
  only), so ``--group-by arm`` reports each source model with its split;
* ``query``, ``response``: as in the source;
* ``should_refuse``: false only for requests the source calls benign
  (PHTest ``harmless``, ramyalsaffar ``no_refusal``); PHTest ``controversial``
  and ramyalsaffar's harmful prompts are true, so they count in agreement but
  not in the over-refusal rate;
* ``label``: the source label mapped to our three classes (``LABEL_MAP``).

The split is by source model *and* by prompt: PHTest prompts are split in two
halves by a hash of their id, tuning models are sampled from one half and
held-out models from the other, so no held-out answer replies to a prompt the
tuning data saw. ramyalsaffar's rows (``reference`` split) are kept whole:
nothing is tuned on them.

``tests/data/refusal_fresh.jsonl`` (``--fresh``) is a second sample of the
held-out models' answers, drawn from the same held-out half of the prompts
after the first sample (``heldout``) had been measured twice: 300 more answers
per held-out model, none of them in ``refusal_dev.jsonl``, in split ``fresh``.
It was drawn before any of its answers was read; its labels are the blind
second labels only (``SOURCES.md``), and the classifier measured on it is one
that was never measured on it before.

``tests/data/refusal_fresh2.jsonl`` and ``refusal_fresh3.jsonl`` (also
``--fresh``) are a third and a fourth sample, splits ``fresh2`` and ``fresh3``,
drawn the same way (another seed each) from the answers in no earlier file:
300 more answers per held-out model each. ``fresh2`` was drawn after the fresh
sample had been measured three times, before the classifier changes it was
then measured on; ``fresh3`` after ``fresh2``'s one measurement, to measure the
same classifier again.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import pickle
import random
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

__all__ = ["FRESH2_PATH", "FRESH3_PATH", "FRESH_PATH", "HELDOUT", "LABEL_MAP", "PATH", "REFERENCE", "TUNING", "build", "fresh_rows", "phtest_rows", "render"]

PATH = Path(__file__).with_name("refusal_dev.jsonl")
FRESH_PATH = Path(__file__).with_name("refusal_fresh.jsonl")
FRESH2_PATH = Path(__file__).with_name("refusal_fresh2.jsonl")
FRESH3_PATH = Path(__file__).with_name("refusal_fresh3.jsonl")
FRESH_PER_MODEL = 300

PHTEST_COMMIT = "b40367125ba1255cdd30137d2726d3c775164f39"
RAMY_COMMIT = "7cc4270dc56eb711896ebb20a0a02879580adae0"
RAMY_FILES = ("Data/val_20251123_1406.pkl", "Data/test_20251123_1406.pkl")
RAMY_MODELS = {"claude": "claude-sonnet-4-5", "gpt5": "gpt-5.1"}

# Chosen before any answer of the held-out models was read (see SOURCES.md).
TUNING = ("claude-2.1", "claude-3-opus", "claude-3.5-sonnet", "llama-3-8b-RR", "mistral-7b-v0.3", "zephyr-7b")
HELDOUT = ("claude-3-haiku", "claude-3-sonnet", "gpt-3.5", "llama-3-8b", "zephyr-7b-R2D2")
# ramyalsaffar's judge counts an answer given with disclaimers as a "soft refusal", which our definitions call
# compliance: its rows are reported for reference, neither tuned on nor held to the thresholds.
REFERENCE = ("gpt-5.1", "claude-sonnet-4-5")
PHTEST_MODELS = TUNING + HELDOUT
# Rows kept per PHTest model in the committed file (training reads every tuning-half row from the snapshot).
PER_MODEL = {"tuning": 200, "heldout": 300, "reference": 300}
SEED = 11

LABEL_MAP: dict[str, dict[str, str]] = {
    "phtest": {
        "1_full_compliance": "full_compliance",
        "3_partial_refusal": "partial_refusal",
        "2_full_refusal": "full_refusal",
    },
    # ramyalsaffar: 0 no refusal, 1 hard refusal, 2 soft refusal (partial help, heavy caveats, redirection).
    "ramy": {"0": "full_compliance", "2": "partial_refusal", "1": "full_refusal"},
}


def _git_show(git_dir: Path, commit: str, path: str) -> bytes:
    return subprocess.run(
        ["git", "--git-dir", str(git_dir), "show", f"{commit}:{path}"], check=True, capture_output=True
    ).stdout


class _FrameUnpickler(pickle.Unpickler):
    """Unpickles a pandas DataFrame and nothing else: only pandas/numpy classes may be built."""

    _SAFE_BUILTINS = frozenset({("builtins", "slice"), ("builtins", "object"), ("copyreg", "_reconstructor")})

    def find_class(self, module: str, name: str) -> Any:
        if module.split(".")[0] in ("pandas", "numpy") or (module, name) in self._SAFE_BUILTINS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a pickle")


def _prompt_half(prompt_key: str) -> str:
    """Prompts split in two halves by a hash (PHTest id, ramyalsaffar text): one for tuning models, one for held-out."""
    return "tuning" if hashlib.sha256(prompt_key.encode()).digest()[0] % 2 == 0 else "heldout"


def _split(model: str) -> str:
    return "tuning" if model in TUNING else "heldout" if model in HELDOUT else "reference"


def _row(source: str, model: str, row_id: str, query: str, response: str, benign: bool, label: str) -> dict[str, Any]:
    return {
        "id": f"{source}:{model}:{row_id}",
        "arm": f"{_split(model)}:{model}",
        "query": query,
        "response": response,
        "should_refuse": not benign,
        "label": label,
    }


def phtest_rows(git_dir: Path, model: str, sample: int | None) -> list[dict[str, Any]]:
    """One PHTest model's rows on its half of the prompts: all of them, or a seeded sample of ``sample``."""
    text = _git_show(git_dir, PHTEST_COMMIT, f"PHTest/evaluation_results/{model}.csv").decode("utf-8")
    records = [r for r in csv.DictReader(io.StringIO(text)) if _prompt_half(r["ID"]) == _split(model)]
    records.sort(key=lambda r: int(r["ID"]))
    if sample is not None:
        records = sorted(random.Random(f"{SEED}:{model}").sample(records, sample), key=lambda r: int(r["ID"]))
    return [
        _row("phtest", model, r["ID"], r["Request"], r["Response"], r["Harmfulness"] == "harmless",
             LABEL_MAP["phtest"][r["Response_cls"]])
        for r in records
    ]


def _ramy_rows(git_dir: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for path in RAMY_FILES:
        frame = _FrameUnpickler(io.BytesIO(_git_show(git_dir, RAMY_COMMIT, path))).load()
        for index, r in zip(frame.index, frame.to_dict(orient="records"), strict=True):
            if r["model"] not in RAMY_MODELS or not isinstance(r["response"], str) or not r["response"].strip():
                continue  # 'wildjailbreak' rows carry a constant label, not a judged one
            model = RAMY_MODELS[r["model"]]
            row_id = f"{Path(path).stem.split('_')[0]}-{index}"
            if row_id in seen:
                raise ValueError(f"duplicate row {row_id} in {path}")
            seen.add(row_id)
            label = LABEL_MAP["ramy"][str(int(r["refusal_label"]))]
            rows.append(_row("ramy", model, row_id, r["prompt"], r["response"], r["expected_label"] == "no_refusal", label))
    kept: list[dict[str, Any]] = []
    for model in REFERENCE:
        mine = [r for r in rows if r["arm"] == f"reference:{model}"]
        kept += random.Random(f"{SEED}:{model}").sample(mine, PER_MODEL["reference"])
    return sorted(kept, key=lambda r: r["id"])


def build(phtest: Path, ramy: Path) -> list[dict[str, Any]]:
    """Every row of the development set, tuning models first, in a stable order."""
    rows = [row for m in PHTEST_MODELS for row in phtest_rows(phtest, m, PER_MODEL[_split(m)])] + _ramy_rows(ramy)
    order = {m: i for i, m in enumerate(TUNING + HELDOUT + REFERENCE)}
    return sorted(rows, key=lambda r: order[r["arm"].split(":", 1)[1]])


def fresh_rows(git_dir: Path, dev_ids: set[str], sample: int = 1) -> list[dict[str, Any]]:
    """A later held-out sample: per held-out model, 300 answers on its half of the prompts in no earlier sample.

    ``sample`` 1 is split ``fresh`` (none of ``dev_ids``), 2 is ``fresh2`` (none of those nor of sample 1), 3 is
    ``fresh3`` (none of any of them).
    """
    out = []
    for model in HELDOUT:
        used = set(dev_ids)
        for k in range(1, sample + 1):
            rest = [r for r in phtest_rows(git_dir, model, None) if r["id"] not in used]
            mine = random.Random(f"heldout{k + 1}:{model}").sample(rest, FRESH_PER_MODEL)
            used |= {r["id"] for r in mine}
        split = "fresh" if sample == 1 else f"fresh{sample}"
        out += sorted((dict(r, arm=f"{split}:{model}") for r in mine), key=lambda r: int(r["id"].rsplit(":", 1)[1]))
    return out


def render(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=False) + "\n" for r in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phtest", type=Path, required=True, help="git dir of umd-huang-lab/FalseRefusal")
    parser.add_argument("--ramy", type=Path, help="git dir of ramyalsaffar/Dual-RoBERTa-... (not needed with --fresh)")
    parser.add_argument("--fresh", action="store_true",
                        help=f"write the later held-out samples to {FRESH_PATH.name}, {FRESH2_PATH.name}, {FRESH3_PATH.name}")
    args = parser.parse_args()
    if args.fresh:
        dev_ids = {json.loads(line)["id"] for line in PATH.read_text(encoding="utf-8").splitlines() if line.strip()}
        paths = (FRESH_PATH, FRESH2_PATH, FRESH3_PATH)
        outputs = [(fresh_rows(args.phtest, dev_ids, k), path) for k, path in enumerate(paths, 1)]
    elif args.ramy is None:
        parser.error("--ramy is needed to build refusal_dev.jsonl")
    else:
        outputs = [(build(args.phtest, args.ramy), PATH)]
    for rows, path in outputs:
        path.write_text(render(rows), encoding="utf-8")
        counts = Counter((r["arm"], r["label"]) for r in rows)
        for arm in dict.fromkeys(r["arm"] for r in rows):
            print(arm, {label: counts[(arm, label)] for label in LABEL_MAP["phtest"].values()})
        print(f"{len(rows)} rows, {path.stat().st_size / 1e6:.1f} MB -> {path}")


if __name__ == "__main__":
    main()
