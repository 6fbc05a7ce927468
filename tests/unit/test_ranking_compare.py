"""The ranker comparison's bookkeeping: which candidates the encoders train on, the cheap
re-ordering of the learned ranker's first candidates, and the in-batch negatives that are not."""

from __future__ import annotations

import numpy as np

from assistant.training.ranking_compare import reranked
from assistant.training.ranking_encoders import picks, shared


def test_training_rows_are_the_answers_then_the_best_scored_others() -> None:
    labels = np.array([False, True, False, False, True])
    hand = np.array([0.1, 0.0, 0.9, 0.5, 0.2])
    assert picks(labels, hand, negatives=2).tolist() == [1, 4, 2, 3]


def test_only_the_first_k_usable_candidates_are_reordered() -> None:
    base = np.array([0.9, 0.8, 0.7, 0.1])
    extra = np.array([0.0, 1.0, 5.0, 9.0])  # the last is the encoder's best, but ranked last
    usable = np.array([1.0, 0.0, 1.0, 1.0])  # the second can never open an answer
    found = reranked(base, extra, usable, k=2)
    assert int(np.argmax(found)) == 2
    assert np.isneginf(found[[1, 3]]).all()


def test_a_sentence_answering_another_question_in_the_batch_is_not_its_negative() -> None:
    owners = [{"a", "b"}, {"b"}]
    columns = ["a", "b", "c", "a"]  # the two questions' answers, then their hard negatives
    assert shared(owners, columns).tolist() == [
        [False, True, False, True],
        [False, False, False, False],
    ]
