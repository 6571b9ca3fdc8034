"""Move a dossier between installations: one ZIP per dossier, an XML with Decree 30/2020 metadata.

    path = export_dossier(session, store, code, Path("out"))
    imported = import_package(session, store, path)

Layout, schema and the one-stop API: exchange/README.md.
"""

from exchange.errors import (
    DossierNotFound,
    ExchangeError,
    ExportFailed,
    ImportConflict,
    PackageInvalid,
)
from exchange.export import export_dossier, package_name
from exchange.importer import Imported, import_package, verify_package

__all__ = [
    "DossierNotFound",
    "ExchangeError",
    "ExportFailed",
    "ImportConflict",
    "Imported",
    "PackageInvalid",
    "export_dossier",
    "import_package",
    "package_name",
    "verify_package",
]
