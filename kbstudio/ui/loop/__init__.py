"""The knowledge loop in the app (issue #16): record uses, flag or fix, log search gaps, health figures.

Qt only; every rule and record lives in ``kbstudio.loop`` (the core). ``controller.LoopController``
is what the main window holds, with its ``FlagActions`` (Fix it, Resolve) and ``LoopPages`` (the
Search gaps page, drafts from searches, the dashboard's part); the dialogs, the flag bar, the
search-gap tracker, the gaps page and the knowledge health view are small widgets they build.
"""
