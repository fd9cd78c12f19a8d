"""Project files (``.composer``): versioned JSON that stores everything a Song holds."""

from composer_app.project.schema import FORMAT_NAME, FORMAT_VERSION, song_from_dict, song_to_dict
from composer_app.project.store import PROJECT_SUFFIX, load_project, save_project

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "PROJECT_SUFFIX",
    "load_project",
    "save_project",
    "song_from_dict",
    "song_to_dict",
]
