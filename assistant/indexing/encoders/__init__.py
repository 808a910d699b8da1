"""The embedding models: MiniLM (English) and e5 (multilingual), one file each, behind `base`.

Does not store vectors: see `assistant.indexing.folder`.
"""
