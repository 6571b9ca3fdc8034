"""The agency's digital signature on digitised copies (Decree 30/2020/NĐ-CP, issue #8).

``signing.desk.desk_signer()`` gives the configured (or trial) signer that
``archive.keep`` signs each searchable PDF with; ``signing.verify.verify_pdf``
is what ``dossier fsck`` checks. Submodules are imported where used (pyHanko
is slow to import, and most commands never sign). See ``signing/README.md``.
"""
