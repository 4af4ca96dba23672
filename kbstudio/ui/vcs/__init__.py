"""Git in the app: diff view, history, commit, sync, conflicts and clone, run on one git worker."""
