-- Core tables: durable webhook intake, the job queue, what each job did, and known repositories.
-- Every timestamp is timestamptz; leases and backoff compare against the database's now(),
-- so worker clocks never have to agree.

create table webhook_deliveries (
    delivery_id     text primary key,                   -- X-GitHub-Delivery, unique per delivery
    event           text not null,                      -- X-GitHub-Event
    action          text,
    installation_id bigint,
    repository      text,                               -- owner/name, when the payload has one
    payload         jsonb not null,
    received_at     timestamptz not null default now(),
    status          text not null default 'received'
        constraint webhook_deliveries_status_check
            check (status in ('received', 'processing', 'handled', 'ignored', 'failed')),
    attempts        int not null default 0,
    next_attempt_at timestamptz not null default now(),
    claimed_at      timestamptz,
    handled_at      timestamptz,
    outcome         text
);

-- Serves the sweep for deliveries that are due again or were left processing by a crash.
create index webhook_deliveries_pending
    on webhook_deliveries (status, next_attempt_at)
    where status in ('received', 'processing');

create table jobs (
    id                  bigserial primary key,
    kind                text not null
        constraint jobs_kind_check check (kind in ('solve', 'revise')),
    status              text not null default 'queued'
        constraint jobs_status_check
            check (status in ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    repository          text not null,                  -- owner/name
    installation_id     bigint,
    issue_number        int,                            -- issue (solve) or pull request (revise)
    delivery_id         text unique,                    -- the webhook delivery that made it
    payload             jsonb not null,
    attempts            int not null default 0
        constraint jobs_attempts_check check (attempts >= 0),
    max_attempts        int not null default 3
        constraint jobs_max_attempts_check check (max_attempts >= 1),
    run_after           timestamptz not null default now(),
    lease_owner         text,
    lease_expires_at    timestamptz,
    claimed_at          timestamptz,                    -- last claim; the claim's round-robin key
    cancel_requested_at timestamptz,                    -- set while running; the runner stops
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now(),
    finished_at         timestamptz,
    outcome             text,
    reason              text,
    result_url          text
);

-- At most one active job per issue and kind: a second trigger while one waits or runs is a no-op.
create unique index jobs_one_active_per_issue
    on jobs (repository, issue_number, kind)
    where status in ('queued', 'running');

-- At most one running job per repository. The claim query already skips busy repositories;
-- this index is what makes that hold when two claims race.
create unique index jobs_one_running_per_repository
    on jobs (repository)
    where status = 'running';

-- Serves the claim: due queued jobs, oldest first.
create index jobs_claimable
    on jobs (run_after, id)
    where status = 'queued';

-- Serves the claim's round-robin key (latest claim per installation); 0 stands for "none".
create index jobs_installation_claims
    on jobs ((coalesce(installation_id, 0)), claimed_at);

-- Serves the lease reaper.
create index jobs_leases
    on jobs (lease_expires_at)
    where status = 'running';

create index jobs_issue
    on jobs (repository, issue_number);

create table job_events (
    id      bigserial primary key,
    job_id  bigint not null references jobs (id) on delete cascade,
    at      timestamptz not null default now(),
    kind    text not null,
    message text not null
);

create index job_events_job on job_events (job_id, id);

create table candidates (
    id                bigserial primary key,
    job_id            bigint not null references jobs (id) on delete cascade,
    attempt           int not null default 1,           -- the job's attempt that produced it
    ordinal           int not null,
    status            text not null
        constraint candidates_status_check check (status in ('passed', 'rejected', 'error')),
    reason            text not null,
    failing_tests     text[] not null,
    diff              text,
    model             text,
    prompt_tokens     bigint,
    completion_tokens bigint,
    test_output       text,
    elapsed_ms        bigint,
    created_at        timestamptz not null default now(),
    constraint candidates_job_attempt_ordinal unique (job_id, attempt, ordinal)
);

create table repositories (
    full_name       text primary key,                   -- owner/name
    installation_id bigint,
    first_seen      timestamptz not null default now(),
    last_job_at     timestamptz
);
