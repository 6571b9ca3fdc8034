"""Data models of hoso (catalogue, dossiers, ...); each lives in its own module."""
