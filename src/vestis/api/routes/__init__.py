"""One router per resource; ``vestis.app`` includes them all."""
