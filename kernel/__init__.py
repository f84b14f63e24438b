"""The shared kernel: plumbing every app uses (environment reader, uploads, ...); imports no app."""
