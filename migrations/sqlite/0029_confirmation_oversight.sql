-- The ministry's oversight of identity confirmation systems (seed 003 要點六、七, SPEC I-4):
-- where each system stands (app::services::confirmation::oversight) and the deadline to
-- improve it was given under rule 6(五). A stop keeps its time and ground in stopped_at and
-- stop_ground (0027). Kept in step with postgres/0029_confirmation_oversight.sql.
ALTER TABLE confirmation_systems ADD COLUMN oversight TEXT NOT NULL DEFAULT 'normal'
    CHECK (oversight IN ('normal', 'improving', 'stopped'));
ALTER TABLE confirmation_systems ADD COLUMN improve_by BIGINT;
