"""Procedure catalogue: which papers each administrative procedure needs.

The reception desk has to know, for a given procedure and a given day, which
documents the citizen must hand in, which ones are only shown, and which are
needed only in some situations. That knowledge lives as YAML data in the
repository's ``catalog/`` folder; this module loads it into strict pydantic
models and refuses a catalogue that is internally inconsistent, so that a
typo in a data file fails loudly at start-up instead of silently marking a
dossier complete.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, time
from pathlib import Path
from typing import Any, Literal, NamedTuple

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

__all__ = [
    "Catalog",
    "CatalogError",
    "Component",
    "DocumentType",
    "Fee",
    "NoVersionError",
    "Procedure",
    "ProcedureVersion",
    "ProcessingTime",
    "Quantity",
    "RequiredType",
    "load_catalog",
]

DEFAULT_FOLDER = Path(__file__).resolve().parent.parent / "catalog"
"""The repository's ``catalog/`` folder, found relative to this file."""

DOCUMENT_TYPES_FILE = "document_types.yaml"
PROCEDURES_DIR = "procedures"

TYPE_ID_PATTERN = r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$"
CODE_PATTERN = r"^[0-9]\.[0-9]{6}$"

Level = Literal["xa", "huyen", "tinh", "trung_uong"]
"""Administrative level that receives the dossier (no ``huyen`` after 2025-07-01)."""

CopyForm = Literal["ban_chinh", "ban_sao", "ban_sao_chung_thuc"]
Mode = Literal["nop", "xuat_trinh"]
TimeUnit = Literal["working_days", "days", "same_day"]


class CatalogError(ValueError):
    """The catalogue data is wrong; the message names the file and the problem."""


class NoVersionError(LookupError):
    """No version of a procedure is in force on the requested date."""


class _Strict(BaseModel):
    """Base for catalogue models: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class DocumentType(_Strict):
    """A kind of paper the desk may receive, and how to recognise its title."""

    id: str = Field(pattern=TYPE_ID_PATTERN)
    name: str = Field(min_length=1)
    title_patterns: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    generic: bool = False
    notes: str | None = None

    @model_validator(mode="after")
    def _patterns_unless_generic(self) -> DocumentType:
        # A type with a fixed printed title must say it; "generic" types (any paper
        # the citizen brings, e.g. the original to be copied) are told apart by context.
        if self.id != "khac" and not self.generic and not self.title_patterns:
            raise ValueError(
                f"document type '{self.id}' has no title_patterns (or mark it generic: true)"
            )
        for field_id in self.fields:
            if not re.match(TYPE_ID_PATTERN, field_id):
                raise ValueError(f"field id '{field_id}' of '{self.id}' is not snake_case ASCII")
        return self


class Quantity(_Strict):
    """How many copies of a paper, and in which form (original, copy, certified copy)."""

    count: int = Field(ge=1)
    form: CopyForm


class Component(_Strict):
    """One paper of a dossier (thành phần hồ sơ)."""

    type: str = Field(pattern=TYPE_ID_PATTERN)
    name: str = Field(min_length=1)
    quantity: Quantity
    mode: Mode
    required: bool = False
    condition: str | None = None
    alternatives: tuple[str, ...] = ()
    source: str = Field(min_length=1)
    notes: str | None = None

    @model_validator(mode="after")
    def _required_xor_condition(self) -> Component:
        # A paper is either always needed or needed "khi ..."; never both.
        if self.required and self.condition:
            raise ValueError(
                f"component '{self.type}' is both required and conditional; "
                "drop 'required' or 'condition'"
            )
        if self.type in self.alternatives:
            raise ValueError(f"component '{self.type}' lists itself as an alternative")
        if self.alternatives and not self.required:
            raise ValueError(
                f"component '{self.type}' has alternatives but is not required; "
                "alternatives only make sense for a required paper"
            )
        return self


class ProcessingTime(_Strict):
    """Legal processing time (thời hạn giải quyết)."""

    unit: TimeUnit
    value: int | None = Field(default=None, ge=1)
    cutoff: time | None = None
    extension_working_days: int | None = Field(default=None, ge=1)
    note: str | None = None

    @field_validator("cutoff", mode="before")
    @classmethod
    def _cutoff_is_text(cls, value: object) -> object:
        # Unquoted 15:00 is the integer 900 in YAML 1.1; insist on the quoted "15:00".
        if value is not None and not isinstance(value, str | time):
            raise ValueError('cutoff must be a quoted time such as "15:00"')
        return value

    @model_validator(mode="after")
    def _value_matches_unit(self) -> ProcessingTime:
        # "same_day" has no count but needs its afternoon cut-off; counted units need a count.
        if self.unit == "same_day":
            if self.value is not None:
                raise ValueError("processing_time: 'same_day' takes no 'value'")
            if self.cutoff is None:
                raise ValueError("processing_time: 'same_day' needs a 'cutoff' such as '15:00'")
        elif self.value is None:
            raise ValueError(f"processing_time: unit '{self.unit}' needs a 'value'")
        return self


class Fee(_Strict):
    """Fee or charge (phí, lệ phí) in VND; ``free`` means miễn phí / miễn lệ phí."""

    free: bool
    amount_vnd: int | None = Field(default=None, ge=0)
    description: str = Field(min_length=1)
    conditions: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _free_has_no_amount(self) -> Fee:
        if self.free and self.amount_vnd not in (None, 0):
            raise ValueError("fee: a free procedure cannot have a non-zero 'amount_vnd'")
        return self


class RequiredType(NamedTuple):
    """A type id that must be submitted, with the type ids that may stand in for it."""

    type: str
    alternatives: tuple[str, ...] = ()

    def accepts(self, type_id: str) -> bool:
        """True when ``type_id`` satisfies this requirement."""
        return type_id == self.type or type_id in self.alternatives


class ProcedureVersion(_Strict):
    """The rules of a procedure between two dates (both inclusive)."""

    effective_from: date
    effective_to: date | None = None
    level: Level
    agency: str = Field(min_length=1)
    processing_time: ProcessingTime
    fee: Fee
    result: str = Field(min_length=1)
    components: tuple[Component, ...] = Field(min_length=1)
    source: str = Field(min_length=1)
    notes: str | None = None

    @model_validator(mode="after")
    def _dates_and_types(self) -> ProcedureVersion:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError(
                f"version starting {self.effective_from} ends before it starts "
                f"({self.effective_to})"
            )
        seen: set[tuple[str, str]] = set()
        for comp in self.components:
            key = (comp.type, comp.mode)
            if key in seen:
                raise ValueError(
                    f"component type '{comp.type}' with mode '{comp.mode}' appears twice "
                    f"in the version starting {self.effective_from}"
                )
            seen.add(key)
        return self

    def in_force_on(self, d: date) -> bool:
        """True when this version applies to a dossier received on ``d``."""
        return self.effective_from <= d and (self.effective_to is None or d <= self.effective_to)

    def required_types(self) -> list[RequiredType]:
        """Papers that must be submitted (mode ``nop``), each with its lawful substitutes.

        Completeness checks use this list: papers that are only shown, or only
        needed in some situations, are not in it.
        """
        return [
            RequiredType(c.type, c.alternatives)
            for c in self.components
            if c.required and c.mode == "nop"
        ]

    def type_ids(self) -> set[str]:
        """Every document type id this version mentions, substitutes included."""
        ids: set[str] = set()
        for c in self.components:
            ids.add(c.type)
            ids.update(c.alternatives)
        return ids


class Procedure(_Strict):
    """An administrative procedure (thủ tục hành chính) of the national database."""

    code: str = Field(pattern=CODE_PATTERN)
    name: str = Field(min_length=1)
    domain: str = Field(min_length=1)
    publishing_decision: str | None = None
    legal_basis: tuple[str, ...] = Field(min_length=1)
    notes: str | None = None
    versions: tuple[ProcedureVersion, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _versions_and_decision(self) -> Procedure:
        # An unknown decision must be said so explicitly, never left silently blank.
        if self.publishing_decision is None and "unverified" not in (self.notes or ""):
            raise ValueError(
                "publishing_decision is empty: give the Quyết định công bố or write "
                "'unverified' in notes"
            )
        for prev, nxt in zip(self.versions, self.versions[1:], strict=False):
            if nxt.effective_from <= prev.effective_from:
                raise ValueError(
                    f"versions are not in order: {nxt.effective_from} comes after "
                    f"{prev.effective_from}"
                )
            if prev.effective_to is None or prev.effective_to >= nxt.effective_from:
                raise ValueError(
                    f"versions overlap: the version starting {prev.effective_from} "
                    f"(effective_to {prev.effective_to}) runs into the one starting "
                    f"{nxt.effective_from}"
                )
        return self

    def version_on(self, d: date) -> ProcedureVersion:
        """The version in force on ``d``; NoVersionError when none is."""
        for v in self.versions:
            if v.in_force_on(d):
                return v
        raise NoVersionError(f"procedure {self.code} has no version in force on {d.isoformat()}")

    @property
    def current(self) -> ProcedureVersion:
        """The latest version (the one without an end date, or the last one)."""
        return self.versions[-1]


class Catalog(_Strict):
    """All document types and procedures, cross-checked against each other."""

    document_types: dict[str, DocumentType]
    procedures: dict[str, Procedure]
    folder: Path

    def procedure(self, code: str) -> Procedure:
        """The procedure with this national code; KeyError naming the code if unknown."""
        try:
            return self.procedures[code]
        except KeyError:
            raise KeyError(
                f"unknown procedure code {code!r}; the catalogue in {self.folder} has "
                f"{', '.join(sorted(self.procedures))}"
            ) from None

    def document_type(self, type_id: str) -> DocumentType:
        """The document type with this id; KeyError naming the id if unknown."""
        try:
            return self.document_types[type_id]
        except KeyError:
            raise KeyError(
                f"unknown document type {type_id!r}; see {self.folder / DOCUMENT_TYPES_FILE}"
            ) from None


# --------------------------------------------------------------------------- loading


def _read_yaml(path: Path) -> Any:
    """Parse one YAML file, turning syntax errors into a CatalogError naming it."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CatalogError(f"{path}: not UTF-8 text ({exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path}: invalid YAML: {exc}") from None
    _check_nfc(data, path, "")
    return data


def _check_nfc(node: Any, path: Path, where: str) -> None:
    """Reject text not in Unicode NFC: decomposed accents break matching and search."""
    if isinstance(node, str):
        if unicodedata.normalize("NFC", node) != node:
            raise CatalogError(
                f"{path}: text at '{where or '<root>'}' is not Unicode NFC "
                f"(decomposed diacritics in {node[:40]!r}); re-save it normalised to NFC"
            )
    elif isinstance(node, dict):
        for key, value in node.items():
            _check_nfc(key, path, where)
            _check_nfc(value, path, f"{where}.{key}" if where else str(key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _check_nfc(value, path, f"{where}[{i}]")


def _format_loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<root>"


def _explain(exc: ValidationError, path: Path) -> CatalogError:
    """One readable error for a pydantic failure, naming the file and each bad spot."""
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        if err["type"] == "extra_forbidden":
            parent = _format_loc(loc[:-1])
            lines.append(f"unknown key '{loc[-1]}' at {parent}")
        else:
            msg = err["msg"].removeprefix("Value error, ")
            lines.append(f"{_format_loc(loc)}: {msg}")
    return CatalogError(f"{path}: " + "; ".join(lines))


def _load_document_types(path: Path) -> dict[str, DocumentType]:
    data = _read_yaml(path)
    if not isinstance(data, dict) or set(data) != {"types"} or not isinstance(data["types"], list):
        raise CatalogError(f"{path}: expected a mapping with exactly one key 'types' (a list)")
    types: dict[str, DocumentType] = {}
    for i, raw in enumerate(data["types"]):
        try:
            dt = DocumentType.model_validate(raw)
        except ValidationError as exc:
            raise _explain(exc, path) from None
        if dt.id in types:
            raise CatalogError(f"{path}: document type id '{dt.id}' is defined twice (entry {i})")
        types[dt.id] = dt
    return types


def _load_procedure(path: Path, types: dict[str, DocumentType]) -> Procedure:
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise CatalogError(f"{path}: expected a mapping describing one procedure")
    try:
        proc = Procedure.model_validate(data)
    except ValidationError as exc:
        raise _explain(exc, path) from None
    if proc.code != path.stem:
        raise CatalogError(
            f"{path}: code '{proc.code}' does not match the file name; "
            f"name the file '{proc.code}.yaml'"
        )
    for v in proc.versions:
        unknown = sorted(v.type_ids() - types.keys())
        if unknown:
            raise CatalogError(
                f"{path}: unknown document type id(s) {', '.join(unknown)} in the version "
                f"starting {v.effective_from}; add them to {DOCUMENT_TYPES_FILE}"
            )
    return proc


def load_catalog(folder: Path | None = None) -> Catalog:
    """Load and cross-check the catalogue in ``folder`` (default: the repo's ``catalog/``).

    Raises CatalogError, naming the file, when anything is inconsistent.
    """
    folder = Path(folder) if folder is not None else DEFAULT_FOLDER
    types_path = folder / DOCUMENT_TYPES_FILE
    if not types_path.is_file():
        raise CatalogError(f"{types_path}: document types file not found")
    types = _load_document_types(types_path)

    proc_dir = folder / PROCEDURES_DIR
    if not proc_dir.is_dir():
        raise CatalogError(f"{proc_dir}: procedures folder not found")
    procedures: dict[str, Procedure] = {}
    for path in sorted(proc_dir.iterdir()):
        if path.suffix == ".yml":
            raise CatalogError(f"{path}: use the '.yaml' extension")
        if path.suffix != ".yaml":
            continue
        proc = _load_procedure(path, types)
        if proc.code in procedures:
            raise CatalogError(f"{path}: procedure code '{proc.code}' is defined twice")
        procedures[proc.code] = proc
    if not procedures:
        raise CatalogError(f"{proc_dir}: no procedure files (*.yaml)")
    return Catalog(document_types=types, procedures=procedures, folder=folder)
