"""Text handling shared by the stages: normalisation (and, later, sentences and spelling)."""
