"""The typed records the pipeline stages hand to each other through the store.

A record is a frozen (or plain) dataclass with no behaviour beyond checking its own values:
what one stage produces, the store keeps, and a later stage reads. Records live here, below
:mod:`lagesbild.store` and every stage, so that the store never imports a stage and no two
stages import each other for a type (``tests/test_architecture.py`` holds the layering)::

    records.link        SiteAd, SiteAds, LinkResult, Summary rows     link -> store -> estimate, report
    records.capture     CaptureHistories, FrequencyCounts            link.overlap -> estimate.crc
    records.estimates   LinkedAd, EstimateResult, DataSnapshot       store -> estimate -> store -> report, web
    records.verdicts    VerdictRecord, EXTRACTOR_VERSION             verdicts -> store -> estimate, report
    records.campaigns   Campaign                                     campaigns -> store -> campaigns, web
    records.tables      csv_text, excel_csv_bytes, xlsx_bytes        the one export writer: cli, web, verdicts

:class:`lagesbild.observations.Observation`, the record every entry point produces, sits beside them.
Import a record from its module (``from lagesbild.records.link import SiteAds``); the stages'
packages re-export the ones that belong to their public API.
"""
