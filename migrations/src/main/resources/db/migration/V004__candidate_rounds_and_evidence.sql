-- Candidates come in rounds, and each carries what its test runs showed: votes, tests that went from failing to
-- passing, tests it broke, its own reproduction tests, and the test files it changed (see CandidateRecord.Evidence).
alter table candidates
    add column round integer not null default 1 check (round >= 1),
    add column evidence jsonb;
