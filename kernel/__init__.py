"""The shared kernel: plumbing every app uses (env reader, uploads, email outbox, enqueue); no app."""
