"""Open Referral HSDS 3.0 interoperability: import (HSDS JSON and CSV, Ohana CSV), export.

``importer.import_hsds`` and ``ohana.import_ohana`` read a directory into validated records
and write them through ``ingest.load``; ``export`` turns the graph back into HSDS 3.0
documents, which ``webapp.hsds_api`` serves. See docs/HSDS.md.
"""
