"""Generated product images: a conditional VAE and a conditional GAN trained on catalog photos.

Generation enriches a catalog (new colourways and variations as previews) and augments
training data for the image models. Every generated image is labelled as such, in the
pixels' file (PNG text and XMP metadata) and wherever it is shown.
"""

from vestis.generate.base import (
    GENERATORS,
    MAX_SAMPLES,
    SIZES,
    GenerationRequestError,
    ImageGenerator,
    check_request,
    load_generator,
)

__all__ = [
    "GENERATORS",
    "MAX_SAMPLES",
    "SIZES",
    "GenerationRequestError",
    "ImageGenerator",
    "check_request",
    "load_generator",
]
