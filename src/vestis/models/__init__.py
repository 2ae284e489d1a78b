"""The model artifact registry: versioned folders with metadata and an active pointer per model."""

from vestis.models.registry import ModelLoadError, ModelRegistry, RegistryError, Version

__all__ = ["ModelLoadError", "ModelRegistry", "RegistryError", "Version"]
