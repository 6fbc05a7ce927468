"""Rankers for the answer's opening sentence compared on validation (issue 11,
`assistant ranker compare`): the hand-set score, the learned feature ranker, a cross-encoder and
a bi-encoder fine-tuned from the bundled MiniLM (`ranking_encoders`), each also re-ordering the
learned ranker's first candidates, and the learned ranker with either one's score as an extra
feature. Same candidates, labels and top-1 as `training.ranking`; nothing is saved.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.answering.data import load_split
from assistant.answering.ranking import Memory, Ranker
from assistant.training import ranking as rt
from assistant.training.ranking_encoders import HAND, USABLE, Bi, Cross, Model, picks

if TYPE_CHECKING:
    from assistant.assistant import Assistant

FOLDS = 2  # encoder models whose out-of-fold scores train the blends
TOP_K = 5  # the learned ranker's first candidates an encoder re-orders (cheaper)
TIMED = 40  # validation questions timed again with two threads
Scores = list[np.ndarray]


def reranked(base: np.ndarray, extra: np.ndarray, usable: np.ndarray, k: int) -> np.ndarray:
    """Scores that keep the `k` usable candidates `base` ranks first, in the order of `extra`."""
    order = [int(i) for i in np.argsort(-base, kind="stable") if usable[i]][:k]
    found = np.full(len(base), -np.inf)
    found[order] = extra[order]
    return found


def scored(
    model: Model, groups: Sequence[rt.Group], queries: Sequence[str], rows: Sequence[np.ndarray]
) -> tuple[Scores, list[float]]:
    """Each group's scores on its given rows (0 elsewhere), and the seconds each took."""
    model.prepare(sorted({t for g in groups for t in g.texts}))
    found, took = [], []
    for g, q, chosen in zip(groups, queries, rows, strict=True):
        s, started = np.zeros(len(g.texts)), time.perf_counter()
        if len(chosen):
            s[chosen] = model.score(q, [g.texts[i] for i in chosen])
        took.append(time.perf_counter() - started)
        found.append(s)
    return found, took


def out_of_fold(kind: type[Model], groups: Sequence[rt.Group], queries: Sequence[str]) -> Scores:
    """Each training group's scores from a model fitted on the other folds' batches (so that
    the blend learns how far to trust the score on questions the model has not seen), on the
    rows `differences` pairs up: the answering ones and the best-scored others."""
    fold = {b: i % FOLDS for i, b in enumerate(sorted({g.batch for g in groups}))}
    found: Scores = [np.zeros(len(g.texts)) for g in groups]
    for f in range(FOLDS):
        ins = [i for i, g in enumerate(groups) if fold[g.batch] != f]
        outs = [i for i, g in enumerate(groups) if fold[g.batch] == f and g.labels.any()]
        if not ins or not outs:
            continue  # a fold too small to hold out (only in a trial on a few questions)
        model = kind().fit([groups[i] for i in ins], [queries[i] for i in ins])
        rows = [picks(groups[i].labels, groups[i].features[:, HAND], rt.NEGATIVES) for i in outs]
        scores = scored(model, [groups[i] for i in outs], [queries[i] for i in outs], rows)[0]
        for i, s in zip(outs, scores, strict=True):
            found[i] = s
    return found


def learned(memory: Memory, groups: Sequence[rt.Group], rows: Sequence[np.ndarray],
            checks: Sequence[rt.Group], held: Sequence[np.ndarray],
            extra: tuple[Scores, Scores] | None = None) -> tuple[Ranker, float]:  # fmt: skip
    """The ranker trained as `training.ranking.train` does, on the features and maybe one
    `extra` column (training, validation scores), and its validation top-1."""
    from sklearn.linear_model import LogisticRegression

    if extra is not None:
        rows = [np.hstack([x, s[:, None]]) for x, s in zip(rows, extra[0], strict=True)]
        held = [np.hstack([x, s[:, None]]) for x, s in zip(held, extra[1], strict=True)]
    x, y = rt.differences(groups, rows)
    model = LogisticRegression(C=rt.C, fit_intercept=False, max_iter=5000, random_state=rt.SEED)
    ranker = Ranker(tuple(round(float(w), 6) for w in model.fit(x, y).coef_[0]), 0.0, memory, {})
    return ranker, rt.top_one(checks, held, lambda m: ranker.score(list(map(tuple, m))))


def compare(
    assistant: Assistant, log: Callable[[str], object] = print, every: int = 1
) -> dict[str, Any]:
    """Train every ranker on the training batches (one thread, fixed seeds) and measure each on
    the validation batches: top-1, the extra p50 ms a question costs (one thread; two threads
    on the first TIMED questions), training seconds (`every`: every n-th question only, to try)."""
    import torch

    from assistant.indexing.corpus import load_corpus

    threads, table = torch.get_num_threads(), []
    torch.set_num_threads(1)
    settings = assistant.settings
    split = load_split(
        settings.answers_dir, {d.doc_id: d.text for d in load_corpus(settings.corpus_dir)}
    )
    train = [q for q in split.train if q.in_scope][::every]
    validation = [q for q in split.validation if q.in_scope][::every]
    log(f"compare: reading {len(train)} training and {len(validation)} validation questions")
    groups, checks = rt.gather(assistant, train), rt.gather(assistant, validation)
    read = assistant.conversation.contextualize
    queries, asks = ([read(q.question, q.history).query for q in part]
                     for part in (train, validation))  # fmt: skip
    memory = Memory(np.array([g.vector for g in groups]), tuple(g.sentences for g in groups))
    rows = rt.with_support(groups, memory, out_of_fold=True)
    held = rt.with_support(checks, memory, out_of_fold=False)
    usable = [np.flatnonzero(x[:, USABLE]) for x in held]  # only these can open the answer

    def add(method: str, top1: float, took: Sequence[float] = (), seconds: float = 0.0,
            took2: Sequence[float] = ()) -> None:  # fmt: skip
        p50 = [round(float(np.median(t)) * 1000, 1) if len(t) else 0.0 for t in (took, took2)]
        table.append({"method": method, "top1": round(top1, 4), "p50_ms": p50[0],
                      "p50_ms_2_threads": p50[1], "train_s": round(seconds)})  # fmt: skip
        log(f"| {method} | {top1:.1%} | {p50[0]:.1f} / {p50[1]:.1f} | {seconds:.0f} s |")

    def timed(model: Model, rows: Sequence[np.ndarray]) -> tuple[Scores, list[float], list[float]]:
        scores, took = scored(model, checks, asks, rows)
        torch.set_num_threads(2)  # timed only: another process may be using the cores
        took2 = scored(model, checks[:TIMED], asks[:TIMED], rows[:TIMED])[1]
        torch.set_num_threads(1)
        return scores, took, took2

    def top1(scores: Scores) -> float:
        extended = [np.hstack([x, s[:, None]]) for x, s in zip(held, scores, strict=True)]
        return rt.top_one(checks, extended, lambda m: m[:, -1])

    try:
        log("| method | validation top-1 | extra p50 ms (1 / 2 threads) | training |")
        add("hand-set score", rt.top_one(checks, held, lambda m: m[:, HAND]))
        started = time.perf_counter()
        ranker, base = learned(memory, groups, rows, checks, held)
        add("learned (features)", base, seconds=time.perf_counter() - started)
        firsts = [np.array(ranker.score(list(map(tuple, x)))) for x in held]
        for name, kind in (("bi-encoder", Bi), ("cross-encoder", Cross)):
            started = time.perf_counter()
            model = kind().fit(groups, queries)
            seconds = time.perf_counter() - started
            scores, took, took2 = timed(model, usable)
            add(name, top1(scores), took, seconds, took2)
            # Cheaper: the model orders only the learned ranker's first TOP_K candidates.
            rerank = [reranked(f, s, x[:, USABLE], TOP_K)
                      for f, s, x in zip(firsts, scores, held, strict=True)]  # fmt: skip
            _, short, short2 = timed(model, [np.flatnonzero(np.isfinite(r)) for r in rerank])
            add(f"learned first {TOP_K}, {name} orders", top1(rerank), short, seconds, short2)
            started = time.perf_counter()
            train_scores = out_of_fold(kind, groups, queries)
            seconds += time.perf_counter() - started
            blended = learned(memory, groups, rows, checks, held, (train_scores, scores))[1]
            add(f"learned + {name} score", blended, took, seconds, took2)
    finally:
        torch.set_num_threads(threads)
    return {"train_questions": len(groups), "questions": len(checks), "rows": table}
