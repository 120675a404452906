"""The public preview at /s/<sessionId>: the page, the sandboxed frame, its state and runtime-error reports."""
