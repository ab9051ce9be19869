"""The privacy layer every person-data response passes through.

* :mod:`~hub.privacy.doelbinding` — the gemeente's purposes (``[[doelen]]``) and their roles
* :mod:`~hub.privacy.fields` — the Haal Centraal ``Persoon`` field catalogue, ``fields`` param
* :mod:`~hub.privacy.masking` — the role × field policy, its validation and partial forms
* :mod:`~hub.privacy.keys` — keyed hash, BSN encryption and signatures from secret references
* :mod:`~hub.privacy.logboek` — the append-only, hash-chained logboek: tables, chain (append,
  verify), retention (purge) and query (search, export)
* :mod:`~hub.privacy.settings` — one gemeente's validated privacy configuration
* :mod:`~hub.privacy.pipeline` — ``lookup_personen``, what ``POST /personen`` calls
* :mod:`~hub.privacy.retention` — the periodic purge job
* :mod:`~hub.privacy.cli` — ``kcc-hub logboek verify|export|inzage|purge``

See docs/privacy.md.
"""
