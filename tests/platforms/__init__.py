"""Platforms other than the reference stubs, built the way other teams build theirs, for the gate to meet."""
