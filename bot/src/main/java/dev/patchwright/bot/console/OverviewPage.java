package dev.patchwright.bot.console;

import dev.patchwright.bot.api.BudgetView;
import dev.patchwright.inference.money.Money;
import dev.patchwright.worker.budget.BudgetLimits;
import dev.patchwright.worker.budget.SpendLedger;
import dev.patchwright.worker.budget.SpendReport;
import dev.patchwright.worker.queue.DeliveryLog;
import dev.patchwright.worker.queue.JobStatistics;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** {@code /console}: each repository at a glance, and {@code /console/spend.json}, the data its chart draws. */
@Path("/console")
public class OverviewPage {

    /** The window of the overview's counts and chart. */
    static final int DAYS = 30;

    @Inject
    JobStatistics statistics;

    @Inject
    SpendReport report;

    @Inject
    DeliveryLog deliveries;

    @Inject
    BudgetLimits limits;

    @Inject
    SpendLedger ledger;

    @Inject
    CurrentSession current;

    /** One repository's line of the overview. */
    public record Row(String repository, JobStatistics.RepositoryJobs jobs, Money today, BudgetView budget) {
    }

    /**
     * The cards at the top, over all repositories.
     *
     * @param received deliveries received within the window
     * @param handled  of those, the ones that ended handled or ignored (nothing left to do)
     * @param pending  of those, the ones still received or processing
     */
    public record Totals(long running, long queued, Integer successPercent, long received, long handled,
                         long failed, long pending) {
    }

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance page() {
        Map<String, JobStatistics.RepositoryJobs> jobs = new LinkedHashMap<>();
        statistics.perRepository(Duration.ofDays(DAYS)).forEach(row -> jobs.put(row.repository(), row));
        Map<String, Money> today = report.today();
        List<Row> rows = new ArrayList<>();
        for (String repository : repositories(jobs)) {
            rows.add(new Row(repository, jobs.getOrDefault(repository,
                    new JobStatistics.RepositoryJobs(repository, 0, 0, 0, 0, 0, null)),
                    today.getOrDefault(repository, Money.ZERO), BudgetView.read(repository, limits, ledger)));
        }
        return Pages.overview(current.csrfToken(), rows, totals(jobs.values(), deliveries.countsByStatus(
                Duration.ofDays(DAYS))), DAYS, report.daily(DAYS));
    }

    private static Totals totals(java.util.Collection<JobStatistics.RepositoryJobs> jobs, Map<String, Long> counts) {
        long succeeded = jobs.stream().mapToLong(JobStatistics.RepositoryJobs::succeeded).sum();
        long failed = jobs.stream().mapToLong(JobStatistics.RepositoryJobs::failed).sum();
        return new Totals(jobs.stream().mapToLong(JobStatistics.RepositoryJobs::running).sum(),
                jobs.stream().mapToLong(JobStatistics.RepositoryJobs::queued).sum(),
                new JobStatistics.RepositoryJobs("all", 0, 0, succeeded, failed, 0, null).successPercent(),
                counts.values().stream().mapToLong(Long::longValue).sum(),
                counts.get("handled") + counts.get("ignored"), counts.get("failed"),
                counts.get("received") + counts.get("processing"));
    }

    /**
     * Per repository, the spend of each of the last {@value #DAYS} days (UTC) and what its month had spent by then,
     * with its monthly limit: the chart draws the month's running total against the limit, which is where a
     * repository runs out.
     */
    @GET
    @Path("spend.json")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> spend() {
        LocalDate first = LocalDate.now(ZoneOffset.UTC).minusDays(DAYS - 1);
        List<String> days = new ArrayList<>();
        for (int i = 0; i < DAYS; i++) {
            days.add(first.plusDays(i).toString());
        }
        Map<String, long[]> daily = new LinkedHashMap<>();
        // The month's spend before the window starts, so the running total is right on the window's first day.
        Map<String, Long> monthBefore = new LinkedHashMap<>();
        for (SpendReport.DaySpend day : report.daily(DAYS + first.getDayOfMonth() - 1)) {
            if (day.day().isBefore(first)) {
                monthBefore.merge(day.repository(), day.amount().micros(), Long::sum);
            } else {
                daily.computeIfAbsent(day.repository(), r -> new long[DAYS])[(int) (day.day().toEpochDay()
                        - first.toEpochDay())] += day.amount().micros();
            }
        }
        List<Map<String, Object>> series = new ArrayList<>();
        for (String repository : repositories(Map.of())) {
            long[] micros = daily.getOrDefault(repository, new long[DAYS]);
            List<Double> perDay = new ArrayList<>();
            List<Double> monthToDate = new ArrayList<>();
            long running = monthBefore.getOrDefault(repository, 0L);
            for (int i = 0; i < DAYS; i++) {
                if (i > 0 && first.plusDays(i).getDayOfMonth() == 1) {
                    running = 0;
                }
                running += micros[i];
                perDay.add(micros[i] / 1e6);
                monthToDate.add(running / 1e6);
            }
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("repository", repository);
            one.put("monthly_budget", BudgetView.read(repository, limits, ledger).monthly().micros() / 1e6);
            one.put("per_day", perDay);
            one.put("month_to_date", monthToDate);
            series.add(one);
        }
        return Map.of("days", days, "repositories", series);
    }

    private List<String> repositories(Map<String, JobStatistics.RepositoryJobs> jobs) {
        TreeSet<String> names = new TreeSet<>(report.repositories());
        names.addAll(jobs.keySet());
        return List.copyOf(names);
    }
}
