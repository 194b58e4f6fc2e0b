package dev.patchwright.bot.console;

import dev.patchwright.bot.api.BudgetView;
import dev.patchwright.inference.money.Money;
import dev.patchwright.worker.budget.SpendReport;
import dev.patchwright.worker.queue.DeliveryLog;
import dev.patchwright.worker.queue.JobView;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;

import java.util.List;

/**
 * The console's templates ({@code templates/console/*.html}). Qute checks every expression in them against these
 * parameters when the application is built, and escapes every value it writes into HTML.
 */
@CheckedTemplate(basePath = "console")
final class Pages {

    private Pages() {
    }

    static native TemplateInstance login(String error, String next);

    static native TemplateInstance overview(String csrf, List<OverviewPage.Row> rows, OverviewPage.Totals totals,
                                            int days, List<SpendReport.DaySpend> daily);

    static native TemplateInstance jobs(String csrf, JobsPage.Filter filter, List<String> repositories,
                                        List<JobView> jobs, String error, int limit);

    static native TemplateInstance job(String csrf, JobsPage.Detail detail);

    static native TemplateInstance budgets(String csrf, List<BudgetView> budgets, BudgetsPage.Refusal refusal,
                                           String saved, Money defaultMonthly);

    static native TemplateInstance deliveries(String csrf, List<DeliveryLog.Entry> deliveries, String message,
                                              int limit);

    static native TemplateInstance notFound(String csrf, String message);
}
