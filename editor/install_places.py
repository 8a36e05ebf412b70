"""Where an installed PromptCut finds its data files (theme, icons, fonts). To be filled in (issue #13)."""
