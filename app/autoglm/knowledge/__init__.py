"""Projects' documents: extract text, chunk it, embed it, and find the passages a question needs.

Qt-free. The index is a SQLite database of its own beside the conversation store (``sqlite-vec``
for vectors, FTS5 for keywords; why its own: ``AppPaths.documents_path``); the embedding model is the runtime's, loaded on the first document.
"""
