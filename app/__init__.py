"""bdtx-api: training governance and BDTX for Vietnamese education authorities."""
