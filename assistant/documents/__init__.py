"""Policy documents: read `corpus/`, clean PDF-extracted text, cut documents into chunks.

Owns the corpus files and the span-exact `Document`, `Block` and `Chunk` values. Does not embed
or index anything: see `assistant.indexing`.
"""
