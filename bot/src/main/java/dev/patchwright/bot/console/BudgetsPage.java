package dev.patchwright.bot.console;

import dev.patchwright.bot.api.BudgetInput;
import dev.patchwright.bot.api.BudgetView;
import dev.patchwright.inference.money.Money;
import dev.patchwright.worker.budget.BudgetLimits;
import dev.patchwright.worker.budget.SpendLedger;
import dev.patchwright.worker.budget.SpendReport;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * {@code /console/budgets}: every repository's limits and this month's spend, and a form per repository that changes
 * them through the same checks as {@code PUT /api/repos/{owner}/{repo}/budget}, recorded as changed by "console".
 */
@Path("/console/budgets")
@Produces(MediaType.TEXT_HTML)
public class BudgetsPage {

    /** Who the budget history says made a change here: the console has one operator token, not named users. */
    static final String CHANGED_BY = "console";

    @Inject
    BudgetLimits limits;

    @Inject
    SpendLedger ledger;

    @Inject
    SpendReport report;

    @Inject
    CurrentSession current;

    /** A refused change: which repository, the error, and the values as typed so the form keeps them. */
    public record Refusal(String repository, String error, String monthly, String perIssue, String perIssueTime) {

        static final Refusal NONE = new Refusal(null, null, null, null, null);

        /** Whether this refusal is of {@code name}'s form, which then shows the values as typed. */
        public boolean isFor(String name) {
            return name.equals(repository);
        }
    }

    @GET
    public TemplateInstance page(@QueryParam("saved") String saved) {
        return render(Refusal.NONE, saved == null || BudgetInput.repository(saved.split("/", 2)[0],
                saved.contains("/") ? saved.split("/", 2)[1] : null) == null ? null : saved);
    }

    @POST
    @Path("{owner}/{repo}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response change(@PathParam("owner") String owner, @PathParam("repo") String repo,
                           @FormParam("csrf") String csrf, @FormParam("monthly") String monthly,
                           @FormParam("per_issue") String perIssue, @FormParam("per_issue_time") String perIssueTime) {
        current.requireCsrf(csrf);
        String repository = BudgetInput.repository(owner, repo);
        if (repository == null) {
            return Response.status(404).entity(Pages.notFound(current.csrfToken(),
                    "'" + owner + "/" + repo + "' is not a repository name.")).build();
        }
        try {
            Money monthlyLimit = BudgetInput.dollars("monthly", monthly);
            Money perIssueLimit = BudgetInput.dollars("per_issue", perIssue);
            Duration time = BudgetInput.duration("per_issue_time", perIssueTime);
            limits.setRepository(repository, monthlyLimit, perIssueLimit, time, CHANGED_BY);
        } catch (IllegalArgumentException e) {
            return Response.status(400).entity(render(new Refusal(repository, e.getMessage(), monthly, perIssue,
                    perIssueTime), null)).build();
        }
        return Response.seeOther(URI.create("/console/budgets?saved="
                + URLEncoder.encode(repository, StandardCharsets.UTF_8))).build();
    }

    private TemplateInstance render(Refusal refusal, String saved) {
        List<BudgetView> budgets = report.repositories().stream()
                .map(repository -> BudgetView.read(repository, limits, ledger)).toList();
        return Pages.budgets(current.csrfToken(), budgets, refusal, saved, limits.defaults().repositoryMonthly());
    }
}
