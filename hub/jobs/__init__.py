"""Background work on Dramatiq: syncs, notification mail and the outbox."""
