"""First-run setup of generation: the GPU, the models that fit it, getting them, and whether the person has
been through it. Plain Python (no Qt, no torch); the wizard in ``editor.ui.setup_wizard`` drives it.

* ``index``: a model index, a list of each model's files with sizes and checksums, read from a local folder, an
  http(s) address or the Hugging Face hub.
* ``recommend``: which indexed models and profiles fit the GPU that was found.
* ``fetch``: downloading one model's files into the models folder, resumable, every file checked.
* ``first_run``: whether setup was done, skipped or never offered.
"""
