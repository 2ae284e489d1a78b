"""The artifact registry: versioned folders with metadata and an active pointer per name, for every family."""

from vestis.models.registry import ModelLoadError, ModelRegistry, RegistryError, Saveable, Version

__all__ = ["ModelLoadError", "ModelRegistry", "RegistryError", "Saveable", "Version"]
