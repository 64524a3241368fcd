"""Shared by every page: device, jobs, memory, safe image decoding, datasets, shipped models, the catalog."""
