"""Widget calculators: each lesson cell is a single call, e.g. ``calculators.break_even()``."""
