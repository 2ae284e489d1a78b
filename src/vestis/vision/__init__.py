"""Image analysis shared by try-on, studio, fit and the visual recommenders."""
