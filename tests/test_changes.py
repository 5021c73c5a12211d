"""Which stamps a statement's commit renews (whobenefits/changes.py): what the dashboard's
caches are kept under."""

import pytest

from whobenefits.changes import HISTORY_STAMP, STAMP, TABLE_STAMPS, stamps_renewed

EVIDENCE, PERSONAS = TABLE_STAMPS["evidence_"], TABLE_STAMPS["personas_"]
THRESHOLDS = TABLE_STAMPS["roadmap_reviewthresholds"]
PEOPLE, PRODUCTS = TABLE_STAMPS["auth_"], TABLE_STAMPS["roadmap_product"]


@pytest.mark.parametrize(("sql", "params", "renewed"), [
    ('SELECT "roadmap_roadmapitem"."id" FROM "roadmap_roadmapitem"', (), set()),
    ('UPDATE "roadmap_roadmapitem" SET "title" = %s WHERE "id" = %s', ("SSO", 1), {STAMP}),
    ('INSERT INTO "evidence_evidence" ("text") VALUES (%s)', ("Hi",), {STAMP, EVIDENCE}),
    ('INSERT OR IGNORE INTO "evidence_evidence_items" ("evidence_id") VALUES (%s)', (1,),
     {STAMP, EVIDENCE}),
    ('DELETE FROM "personas_persona" WHERE "id" = %s', (1,), {STAMP, PERSONAS}),
    ('UPDATE "roadmap_reviewthresholds" SET "evidence_share" = %s', (60,), {STAMP, THRESHOLDS}),
    ('INSERT INTO "auth_user_groups" ("user_id") VALUES (%s)', (1,), {STAMP, PEOPLE}),
    ('UPDATE "roadmap_product" SET "name" = %s WHERE "id" = %s', ("Expenses", 1),
     {STAMP, PRODUCTS}),
    # History is appended, dated when written; changing or removing records rewrites it.
    ('INSERT INTO "roadmap_historicaltriage" ("history_date") VALUES (%s)', ("now",), {STAMP}),
    ('UPDATE "roadmap_historicalroadmapitem" SET "history_date" = %s WHERE "id" = %s',
     ("2025-01-01", 1), {STAMP, HISTORY_STAMP}),
    ('DELETE FROM "roadmap_historicaltriage" WHERE "item_id" = %s', (1,),
     {STAMP, HISTORY_STAMP}),
    # save_with_picks marks the record it has just written as the creation.
    ('UPDATE "roadmap_historicaltriage" SET "history_type" = %s WHERE "id" = %s', ("+", 1),
     {STAMP}),
    ('UPDATE "roadmap_historicaltriage" SET "history_type" = %s WHERE "id" = %s', ("-", 1),
     {STAMP, HISTORY_STAMP}),
    ('TRUNCATE "roadmap_roadmapitem", "evidence_evidence"', (),
     {STAMP, HISTORY_STAMP, *TABLE_STAMPS.values()}),
    # What no page shows, and the kept plans themselves.
    ('UPDATE "django_session" SET "expire_date" = %s', ("x",), set()),
    ('INSERT INTO "roadmap_quarterplan" ("quarter") VALUES (%s)', ("2026-Q4",), set()),
])
def test_the_stamps_a_statement_renews(sql, params, renewed):
    assert stamps_renewed(sql, params) == renewed
