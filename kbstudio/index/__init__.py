"""The offline search index: Whoosh schema, incremental indexer and search."""
