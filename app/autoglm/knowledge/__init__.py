"""Projects' documents: extract text, chunk it, embed it, and find the passages a question needs.

Qt-free. The index lives in the app's SQLite database (``sqlite-vec`` for vectors, FTS5
for keywords); the embedding model is the runtime's, loaded on the first document.
"""
