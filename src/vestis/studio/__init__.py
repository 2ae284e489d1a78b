"""Product image studio: composable image steps, recipes, batch runs over folders or Spark.

Each step (``remove-background``, ``fit-canvas``, ``white-balance`` … see :data:`STEPS`) is a
plain function ``image -> image`` in its topic module; a :class:`Recipe` is a named, checked
list of steps loaded from TOML (:func:`load_recipe`); :func:`run_recipe` applies one to files
and folders in parallel, resumably, writing every output atomically.
"""

from vestis.studio.batch import BatchReport, run_recipe
from vestis.studio.errors import StudioError
from vestis.studio.recipes import Recipe, list_recipes, load_recipe
from vestis.studio.steps import STEPS, run_step

__all__ = [
    "STEPS",
    "BatchReport",
    "Recipe",
    "StudioError",
    "list_recipes",
    "load_recipe",
    "run_recipe",
    "run_step",
]
