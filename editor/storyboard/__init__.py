"""From a script to a cut: the storyboard (script parsing, building shots, cards, card edits, cast rules)."""
