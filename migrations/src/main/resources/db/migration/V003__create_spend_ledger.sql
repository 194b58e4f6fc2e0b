-- Money: limits, reservations, an append-only ledger and running totals, all in micro-dollars (bigint,
-- never floating point). The rules the tables carry:
--   * spend_totals holds, per job, per repository and month, and per installation and month, what is
--     spent (settled) and what is reserved (held for calls in flight). A reservation raises the three
--     rows' reserved amounts in one conditional update that refuses when any row would pass its limit.
--   * spend_ledger is append-only (a trigger refuses update and delete); a settlement writes its entry
--     and moves the reservation's amount from reserved to spent in the same transaction, so every total
--     always equals the sum of its entries.
--   * A month is the calendar month in UTC of the reservation, written 'YYYY-MM'.

-- Limits set by the operator through the REST API; absent rows fall back to the configured defaults.
create table budget_limits (
    scope              text not null
        constraint budget_limits_scope_check check (scope in ('repository', 'installation')),
    key                text not null,                     -- owner/name, or the installation id
    monthly_micros     bigint constraint budget_limits_monthly_check check (monthly_micros >= 0),
    per_issue_micros   bigint constraint budget_limits_per_issue_check check (per_issue_micros >= 0),
    per_issue_seconds  bigint constraint budget_limits_per_issue_seconds_check check (per_issue_seconds > 0),
    updated_by         text not null,
    updated_at         timestamptz not null default now(),
    primary key (scope, key)
);

-- Who changed which limit, when, from what to what.
create table budget_changes (
    id          bigserial primary key,
    scope       text not null,
    key         text not null,
    changed_by  text not null,
    changed_at  timestamptz not null default now(),
    before      jsonb,
    after       jsonb not null
);

create table spend_totals (
    scope            text not null
        constraint spend_totals_scope_check check (scope in ('job', 'repository-month', 'installation-month')),
    key              text not null,                       -- job id; 'owner/name@YYYY-MM'; 'installation@YYYY-MM'
    spent_micros     bigint not null default 0 constraint spend_totals_spent_check check (spent_micros >= 0),
    reserved_micros  bigint not null default 0 constraint spend_totals_reserved_check check (reserved_micros >= 0),
    primary key (scope, key)
);

create table spend_reservations (
    id               bigserial primary key,
    job_id           bigint not null references jobs (id),
    repository       text not null,
    installation_id  bigint not null,                     -- 0 when the job has none
    month            text not null,
    kind             text not null
        constraint spend_reservations_kind_check check (kind in ('model', 'sandbox', 'local-engine')),
    amount_micros    bigint not null constraint spend_reservations_amount_check check (amount_micros >= 0),
    status           text not null default 'held'
        constraint spend_reservations_status_check check (status in ('held', 'settled', 'released')),
    created_at       timestamptz not null default now(),
    closed_at        timestamptz
);

-- Serves the release of a finished or handed-back job's reservations.
create index spend_reservations_held on spend_reservations (job_id) where status = 'held';

create table spend_ledger (
    id                    bigserial primary key,
    job_id                bigint not null references jobs (id),
    reservation_id        bigint not null unique references spend_reservations (id),
    repository            text not null,
    installation_id       bigint not null,
    month                 text not null,
    kind                  text not null
        constraint spend_ledger_kind_check check (kind in ('model', 'sandbox', 'local-engine')),
    model                 text,
    prompt_tokens         bigint not null default 0 constraint spend_ledger_prompt_check check (prompt_tokens >= 0),
    cached_prompt_tokens  bigint not null default 0 constraint spend_ledger_cached_check check (cached_prompt_tokens >= 0),
    completion_tokens     bigint not null default 0 constraint spend_ledger_completion_check check (completion_tokens >= 0),
    compute_millis        bigint not null default 0 constraint spend_ledger_compute_check check (compute_millis >= 0),
    price                 text not null,                  -- the price applied, as people read it
    amount_micros         bigint not null constraint spend_ledger_amount_check check (amount_micros >= 0),
    at                    timestamptz not null default now()
);

create index spend_ledger_job on spend_ledger (job_id);
create index spend_ledger_repository_month on spend_ledger (repository, month);
create index spend_ledger_installation_month on spend_ledger (installation_id, month);

create function spend_ledger_is_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'spend_ledger is append-only: % refused', tg_op;
end
$$;

create trigger spend_ledger_append_only
    before update or delete or truncate on spend_ledger
    for each statement execute function spend_ledger_is_append_only();

-- When a job first started running: the per-issue wall-clock limit counts from there, across retries.
alter table jobs add column started_at timestamptz;

-- A candidate's raw answer, so a retried job can rebuild a patch it already paid for; and the result of
-- a finished solve, so a job whose only failure was publishing publishes again without solving again.
alter table candidates add column answer text;
alter table jobs add column result jsonb;
