"""The shared kernel: code every app may use and that imports no app of PRM."""
