"""A project that carries everything it needs: generated takes moved into the project on its first save,
Collect Project (copy every file the project uses beside it and relink) and Archive Project (one zip holding
the project, its media, its generated takes and the fonts it uses) and opening such an archive safely."""
