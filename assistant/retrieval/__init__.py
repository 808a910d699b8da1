"""From a question to ranked passages: the question's language, the search, and the scope check.

Reads an opened index; does not write one (see `assistant.indexing`) and does not shape the
public answer (see `assistant.answer`).
"""
