"""Understanding pages: the fields of each document, identity checks, card QR codes.

Public API (stable):

``fields.extract_fields(doc_type, pages, qr_payloads=None) -> ExtractedDocument``
    ``ExtractedDocument`` is a ``dict[str, Field]`` (field id → ``Field``) with one
    extra attribute, ``problems: list[Problem]``; ``.fields`` gives a plain dict.
    A missing key means the field's label was not found on any page; a present field
    with ``needs_review=True`` (often ``value == ""``) was found but could not be read
    reliably (handwriting, garbage, a blank dotted line, low OCR confidence).
    ``Field(value, confidence, page, bbox, source, raw, needs_review)``: ``value`` is
    normalised as ../shared/contract.md says; ``source`` is ``"ocr"`` or ``"qr"``.
    For ``cccd`` the decoded QR payloads win over OCR; where a well-read printed value
    disagrees, a ``qr_khac_noi_dung_in`` problem names both. Twelve-digit numbers are
    checked with ``validate_cccd`` (on a card, against its birth date and sex).
    Extra fields beyond the contract: ``cccd`` → ``noi_dang_ky_khai_sinh`` (2024
    card), ``ngay_cap`` and ``so_cmnd_cu`` (from the back / the QR).
    Decision: the 2024 card's "Nơi đăng ký khai sinh" is *not* put in ``que_quan``:
    it is where the birth was registered, not the family's place of origin, and the
    two often differ; ``que_quan`` is absent for that layout.
``identity.validate_cccd(number, birth_date=None, gender=None) -> list[Problem]``,
``identity.province_of(number) -> str | None``, ``identity.Problem(kind, message)``.
``qr.decode_qr_codes(image: numpy.ndarray) -> list[str]``,
``qr.parse_cccd_qr(payload) -> CardQr | None`` (never raises).
``address.resolve_address(text) -> AddressMatch | None`` (units before and after the
July 2025 reorganisation, through the ``vietnamadminunits`` package).
``normalise.*``: the normalisers (dates, gender, identity numbers, names, places,
money), each returning ``Normalised(value, guessed)`` or None.

Label patterns per document type are data in ``labels/*.yaml``; the province codes of
Thông tư 07/2016/TT-BCA are data in ``data/provinces_07_2016.yaml``.
"""
