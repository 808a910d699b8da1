"""The index folder: build it from the corpus, open it for questions, and the models it holds.

Owns `index/` (vectors, BM25, language tables, query models, manifest) and the encoders, one
file per model in `encoders/`. Does not rank or answer: see `assistant.retrieval`.
"""
