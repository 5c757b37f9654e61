"""External events (R-EXT-1..4); importing the package registers its problem texts."""

from app.external import messages as messages
