"""The test session's memory of document vectors returns what the model gave, in order, and
asks the model only for texts it has not seen."""

from __future__ import annotations

from tests.helpers import CountingEmbeddings, HashEmbeddings, RememberedEmbeddings


def test_each_text_is_embedded_once_and_returned_in_the_order_asked() -> None:
    model = CountingEmbeddings(HashEmbeddings())
    remembered = RememberedEmbeddings(model)
    first = remembered.embed_documents(["a b", "c", "a b"])
    assert model.embedded == 2  # the repeated text once
    assert first == HashEmbeddings().embed_documents(["a b", "c", "a b"])
    again = remembered.embed_documents(["c", "d", "a b"])
    assert model.embedded == 3  # only "d" is new
    assert again == HashEmbeddings().embed_documents(["c", "d", "a b"])


def test_a_returned_vector_can_be_changed_without_changing_what_is_remembered() -> None:
    remembered = RememberedEmbeddings(HashEmbeddings())
    remembered.embed_documents(["a"])[0][0] = 99.0
    assert remembered.embed_documents(["a"])[0][0] != 99.0
