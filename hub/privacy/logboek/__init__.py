"""The logboek: an append-only, hash-chained record of every person-data response.

Fields follow Logboek Dataverwerkingen (Logius/MinBZK): ``trace_id`` (16 bytes
hex), ``span_id`` (8 bytes hex), ``parent_span_id``, ``name`` (the activity),
``start_time``, ``end_time``, ``status_code`` (0 unset, 1 ok, 2 error),
``processing_activity_id`` (the doel's verwerkingsactiviteit URI), the
betrokkene (``dpl.core.data_subject_id``, type BSN) as a keyed hash plus the
BSN encrypted, and ``foreign_operation`` (the caller's traceparent). The hub
adds the doel code, the medewerker, role, client, the fields delivered and the
outcome.

Integrity
---------
* Each gemeente has its own chain: record *n* stores ``prev_hash`` (the
  ``record_hash`` of *n-1*) and ``record_hash`` = SHA-256 over a canonical JSON
  of its own content, its betrokkenen and ``prev_hash``. Editing, deleting or
  reordering a row breaks the chain at that row; :func:`verify` reports the
  first broken record.
* The chain head (``logboek_keten``) holds the last sequence number and hash,
  signed with the gemeente's key, so cutting records off the end is detected
  too. Appends lock the head row, so concurrent appends never fork the chain
  (PostgreSQL: the row lock of ``UPDATE … RETURNING``; SQLite: the database
  write lock taken by the first statement).
* Retention: :func:`purge` removes a prefix of the chain older than the
  gemeente's bewaartermijn and stores a signed checkpoint (the last purged
  sequence number and hash); verification continues from it.
* PostgreSQL refuses UPDATE and DELETE on the logboek tables by trigger; DELETE
  is allowed only inside :func:`purge` (``SET LOCAL kcc_hub.retention_purge``).
  SQLite has the same guard with a permission row. These triggers stop mistakes
  and the application's own database role; an attacker with owner rights can
  drop them, which is what the hash chain and the signatures are for.

Modules
-------
* :mod:`~hub.privacy.logboek.tables` — the tables and their append-only guards
* :mod:`~hub.privacy.logboek.chain` — appending to and verifying a gemeente's chain
* :mod:`~hub.privacy.logboek.retention` — purging the part older than the bewaartermijn
* :mod:`~hub.privacy.logboek.query` — search and export for the privacy officer
  (the inzage for a betrokkene is :mod:`hub.privacy.inzage`)
"""
