"""Versioning and team sync of a KB through git (Qt-free): commit, history, pull, push, conflicts."""
