"""MARC handling without the ORM: reading ISO 2709 and MARCXML tolerantly, mapping MARC21
and CNMARC records to catalogue fields, and a line-based editing format."""
