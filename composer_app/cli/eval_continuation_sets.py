"""``composer-cli eval continuation --held-out`` / ``--cross-source``: the continuation judged on music it never saw.

``--held-out`` takes the test split of the lead-sheet sources the models train on (Nottingham, POP909, OpenEWLD),
``--cross-source`` the folk collections no model trains on (Aird's airs, Essen, music21's miscFolk). Each piece is
moved to another key and its key signatures removed, so the engine works from the key it detects. The sets are
written once into the user cache (``export_leadsheets.eval_set``). Every source is judged over ``--seeds`` seeds
by one ``eval_continuation.evaluate``, one row per source and one for them all: NLL against the n-gram, and one card
(the first, the consensus a musician hears first; the mean of the four; the best of the four) against the real
next bars, beside the n-gram's candidates and the prompt's last bars played again; and how often the key the
window's Detected shows where a file starts is the key its piece starts in (moved with it).
"""

from __future__ import annotations

import argparse
import json
import sys

from composer_app.cli import eval_continuation as ec

PIECES = 30
"""Pieces per source when ``--limit`` is not given."""
COLUMNS = (("pc 1st", "model", "pitch_class_overlap_first"), ("rhythm 1st", "model", "rhythm_overlap_first"),
           ("pc mean", "model", "pitch_class_overlap"), ("rhythm mean", "model", "rhythm_overlap"),
           ("pc best", "model", "pitch_class_overlap_best"), ("rhythm best", "model", "rhythm_overlap_best"),
           ("ngram pc", "ngram", "pitch_class_overlap"), ("ngram rhy", "ngram", "rhythm_overlap"),
           ("replay pc", "repeat_prompt", "pitch_class_overlap"), ("replay rhy", "repeat_prompt", "rhythm_overlap"),
           ("copy", "model", "copy"), ("real copy", "real", "copy"), ("in key", "model", "in_key"))
"""The table's sampled columns: (heading, engine, figure)."""
VERDICTS = ("right", "relative", "fifth", "parallel", "other")
"""How a detected key stands to the key to find (``key_eval.verdict``)."""


def run(kind: str, args: argparse.Namespace, log=print) -> dict:
    """Every source of the set ``kind``: its figures (NLL; sampled figures, means over the seeds), or why not."""
    from composer_app.training.continuation.export_leadsheets import EVAL_SETS, eval_set

    out: dict = {"set": kind, "seeds": list(range(args.seed, args.seed + args.seeds)),
                 "settings": {"bars": args.bars, "prompt_bars": args.prompt_bars, "candidates": args.candidates},
                 "sources": {}}
    for source in EVAL_SETS[kind]:
        folder, skips = eval_set(kind, source, args.limit or PIECES, log=log)
        if not any(folder.glob("*.mid")):
            reasons = "; ".join(f"{name}: {why}" for _, name, why in skips.entries[:3]) or "no piece"
            out["sources"][source] = {"missing": reasons}
            continue
        keys = found_keys(folder)
        figures = ec.evaluate(argparse.Namespace(**{**vars(args), "folder": str(folder), "limit": None}), log=log)
        out["sources"][source] = {**{k: figures[k] for k in ("folder", "evaluated", "sampled", "nll", "nll_ratio",
                                                            "sampling")}, "keys": keys}
    judged = {s: r for s, r in out["sources"].items() if "missing" not in r}
    if judged:
        out["all"] = pooled(list(judged.values()))
    return out


def found_keys(folder) -> dict:
    """The key the window's Detected shows where each file starts (its first section), against the key its piece
    starts in (moved with it): counts of right, relative, a fifth away, parallel and other."""
    from composer_app.model.keys import key_index
    from composer_app.model.song_adapter import detected_sections
    from composer_app.training.continuation.export_leadsheets import KEYS_FILE
    from composer_app.training.key_eval import verdict

    path = folder / KEYS_FILE
    truth = json.loads(path.read_text()) if path.is_file() else {}
    counts = dict.fromkeys(VERDICTS, 0)
    for name, (tonic, mode) in sorted(truth.items()):
        sections = detected_sections(ec.open_as_played(folder / name).song)
        if sections:
            counts[verdict(key_index(sections[0]), tonic + (12 if mode == "minor" else 0))] += 1
    return counts


def pooled(rows: list[dict]) -> dict:
    """Sources together: NLL weighted by notes, the sampled figures by the pieces sampled."""
    notes = {m: sum(r["nll"][m]["notes"] for r in rows) for m in ("model", "ngram")}
    nll = {m: {"nll": round(sum(r["nll"][m]["nll"] * r["nll"][m]["notes"] for r in rows) / max(notes[m], 1), 4),
               "notes": notes[m]} for m in ("model", "ngram")}
    sampled = sum(r["sampled"] for r in rows)
    sampling = {}
    for engine in rows[0]["sampling"]:
        sampling[engine] = {}
        for k in rows[0]["sampling"][engine]:
            have = [(r["sampling"][engine][k], r["sampled"]) for r in rows
                    if r["sampling"][engine].get(k) is not None]
            weight = sum(w for _, w in have)
            sampling[engine][k] = round(sum(v * w for v, w in have) / weight, 4) if weight else None
    ratio = nll["model"]["nll"] / nll["ngram"]["nll"] if nll["ngram"]["nll"] else None
    keys = {v: sum(r["keys"][v] for r in rows) for v in VERDICTS}
    return {"evaluated": sum(r["evaluated"] for r in rows), "sampled": sampled, "nll": nll, "keys": keys,
            "nll_ratio": None if ratio is None else round(ratio, 4), "sampling": sampling}


def table(result: dict) -> str:
    """The set's figures as a text table, one row per source and one for them all."""
    seeds = result["seeds"]
    said = f"means over seeds {seeds[0]}-{seeds[-1]}" if len(seeds) > 1 else f"seed {seeds[0]}"
    st = result["settings"]
    lines = [f"{result['set']}: pieces moved to other keys, key signatures removed; {st['bars']} bars after "
             f"{st['prompt_bars']}, {st['candidates']} candidates; sampled figures: {said}",
             "  pc / rhythm: overlap of a card's pitch-class / onset histogram with the real next bars'; 1st: the "
             "card shown first; replay: the prompt's last bars played again",
             "  key / tonic: the Detected key where each file starts is the key its piece starts in / has its tonic; "
             "rel.: the relative key",
             f"  {'source':<12}{'pieces':>7}{'NLL':>8}{'n-gram':>8}{'ratio':>7}{'key':>7}{'tonic':>7}{'rel.':>7}"
             + "".join(f"{h:>12}" for h, _, _ in COLUMNS)]
    rows = list(result["sources"].items()) + ([("all", result["all"])] if "all" in result else [])
    for source, r in rows:
        if "missing" in r:
            lines.append(f"  {source:<12} not judged: {r['missing']}")
            continue
        n, s = r["nll"], r["sampling"]
        vals = [s.get(engine, {}).get(key) for _, engine, key in COLUMNS]
        lines.append(f"  {source:<12}{r['evaluated']:>7}{n['model']['nll']:>8.3f}{n['ngram']['nll']:>8.3f}"
                     f"{r['nll_ratio'] or 0:>7.3f}{key_shares(r['keys'])}"
                     + "".join(f"{'-' if v is None else f'{v:.3f}':>12}" for v in vals))
    return "\n".join(lines)


def key_shares(counts: dict) -> str:
    """Shares of the pieces whose Detected key is right, has the right tonic (right or parallel), is the relative."""
    total = sum(counts.values())
    if not total:
        return f"{'-':>7}" * 3
    shares = (counts["right"], counts["right"] + counts["parallel"], counts["relative"])
    return "".join(f"{n / total:>7.2f}" for n in shares)


def cmd(kind: str, args: argparse.Namespace) -> int:
    result = run(kind, args, log=lambda m: print(m, file=sys.stderr))
    if "all" not in result:
        why = "; ".join(f"{s}: {r['missing']}" for s, r in result["sources"].items())
        print(f"composer-cli: error: no piece of the {kind} set could be read ({why})", file=sys.stderr)
        return 1
    print(json.dumps(result, indent=2) if args.json else table(result))
    return 0
