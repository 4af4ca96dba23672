"""The knowledge loop (issue #16, Qt-free): uses, flags, search gaps, health figures, review reminders.

- ``service.KnowledgeLoop``: record and read uses, flags and gaps of one KB;
- ``ledger``, ``flags``, ``gaps``: the records and their files (``logfiles``);
- ``gap_groups``, ``drafts``: similar failed searches grouped, an article created from them;
- ``figures``: knowledge health figures for the dashboard; ``remind``: reviews due per owner;
- ``gitsync``: commit the loop's files before a sync; ``handoff``: the use a hand-off note records.

See ``docs/knowledge-loop.md`` for the file formats and the definitions.
"""
