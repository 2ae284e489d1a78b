"""Shoppers' personal data: private files, keyed pseudonyms, erased-customer tombstones, erasure.

:func:`vestis.privacy.erasure.erase_customer` carries out a right-to-erasure request across
the catalog, the kept try-on photos and the model artifacts. The modules below it are
leaves the rest of the package may use (the try-on service writes private files, the
recommendation service consults the tombstones); this ``__init__`` imports none of them so
that using a leaf never pulls in the erasure and what it depends on.
"""
