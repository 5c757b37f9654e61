"""Synthetic datasets at province and national scale (``bdtx generate``)."""
