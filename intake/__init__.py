"""Tiếp nhận: one dossier from files to verdict, records and objects (the consume task).

The same function runs in-process for `dossier process` (embedded mode) and,
later, behind the workers; it holds the order of the steps, nothing else.
"""
