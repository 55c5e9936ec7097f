"""Benchmarks: ``autoglm bench text|ui|vision|voice|server``.

Each benchmark measures the app and a peer in the same run on the same machine and
reports ratios, because absolute seconds on shared machines are noise. Each prints a
table and, with ``--json FILE``, writes its figures.
"""
