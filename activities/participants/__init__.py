"""Participants of an organization: the registry, consent, support notes, enrolment, import and
the data-subject rights (export and erasure).

`models` holds the tables; `service` the registry, support notes and enrolments; `consent` the
consent rules; `imports` the CSV/XLSX import flow; `rights` export and erasure with hook lists other
packages append to.
"""
