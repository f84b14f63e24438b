"""The shared kernel: plumbing every app uses and no app owns (env reader, uploads, email outbox,
enqueue, registry, input bounds and query ids, the scoped API bases and JSON errors, the replica
router, the failover cache, the error middleware); it imports no app."""
