-- The role KEDA's postgresql trigger (keda.yaml) counts jobs with: it may read jobs.status and
-- nothing else (not a job's payload, not deliveries, not the ledger), and its sessions are read-only.
-- Run as the database owner after the application's first start (Flyway creates the jobs table):
--   psql "$DATABASE_URL" -f k8s/readonly-role.sql
--   psql "$DATABASE_URL" -c '\password patchwright_keda'     -- prompts; the password is in no file
--   kubectl create secret generic patchwright-keda-db --from-literal=password='...'
create role patchwright_keda login connection limit 3;
alter role patchwright_keda set default_transaction_read_only = on;
grant usage on schema public to patchwright_keda;
grant select (status) on table public.jobs to patchwright_keda;
