"""Size and fit: size advice from purchases, returns with fit feedback, size charts and measurements."""

from vestis.fit.size import SizeAdvice, SizeAdvisor

__all__ = ["SizeAdvice", "SizeAdvisor"]
