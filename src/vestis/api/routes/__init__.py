"""One router per resource; ``vestis.api.app`` includes them all."""
