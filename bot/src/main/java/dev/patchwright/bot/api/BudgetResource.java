package dev.patchwright.bot.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwright.inference.money.Money;
import dev.patchwright.worker.budget.BudgetLimits;
import dev.patchwright.worker.budget.SpendLedger;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET/PUT /api/repos/{owner}/{repo}/budget}: a repository's limits as the operator set them (dollars per
 * month, per issue, and time per issue), what applies now, and what this month spent. A PUT replaces all three;
 * an omitted or null field goes back to the operator's default. Bad values get a 400 that names the field and
 * change nothing. Behind {@link AdminTokenFilter}.
 */
@Path("/api/repos/{owner}/{repo}/budget")
@Produces(MediaType.APPLICATION_JSON)
public class BudgetResource {

    private static final Set<String> FIELDS = Set.of("currency", "monthly", "per_issue", "per_issue_time");
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    @Inject
    BudgetLimits limits;

    @Inject
    SpendLedger ledger;

    @GET
    public Response get(@PathParam("owner") String owner, @PathParam("repo") String repo) {
        String repository = repository(owner, repo);
        if (repository == null) {
            return error(404, "'" + owner + "/" + repo + "' is not a repository name");
        }
        return Response.ok(view(repository)).build();
    }

    @PUT
    @Consumes(MediaType.WILDCARD)
    public Response put(@PathParam("owner") String owner, @PathParam("repo") String repo,
                        @HeaderParam("X-Patchwright-Actor") String actor, String body) {
        String repository = repository(owner, repo);
        if (repository == null) {
            return error(404, "'" + owner + "/" + repo + "' is not a repository name");
        }
        JsonNode root;
        try {
            root = JSON.readTree(body == null ? "" : body);
        } catch (JsonProcessingException e) {
            return error(400, "the body is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            return error(400, "the body must be a JSON object such as {\"monthly\": \"50.00\", \"per_issue\": \"5.00\", "
                    + "\"per_issue_time\": \"1h\"}");
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                return error(400, "unknown field '" + name + "'; known fields: currency, monthly, per_issue, "
                        + "per_issue_time");
            }
        }
        JsonNode currency = root.get("currency");
        if (currency != null && !currency.isNull() && !"USD".equals(currency.asText())) {
            return error(400, "currency: only USD is supported, got '" + currency.asText() + "'");
        }
        try {
            Money monthly = dollars(root, "monthly");
            Money perIssue = dollars(root, "per_issue");
            Duration perIssueTime = duration(root, "per_issue_time");
            String who = actor == null || actor.isBlank() ? "admin API" : "admin API (" + actor.strip() + ")";
            limits.setRepository(repository, monthly, perIssue, perIssueTime, who);
        } catch (IllegalArgumentException e) {
            return error(400, e.getMessage());
        }
        return Response.ok(view(repository)).build();
    }

    private Map<String, Object> view(String repository) {
        BudgetView budget = BudgetView.read(repository, limits, ledger);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("repository", repository);
        view.put("currency", "USD");
        view.put("monthly", plain(budget.monthly()));
        view.put("per_issue", plain(budget.perIssue()));
        view.put("per_issue_time", budget.perIssueTimeText());
        Map<String, String> source = new LinkedHashMap<>();
        source.put("monthly", budget.monthlySet() ? "set" : "default");
        source.put("per_issue", budget.perIssueSet() ? "set" : "default");
        source.put("per_issue_time", budget.perIssueTimeSet() ? "set" : "default");
        view.put("source", source);
        view.put("month", budget.month());
        view.put("spent_this_month", plain(budget.spent()));
        view.put("held_this_month", plain(budget.held()));
        view.put("left_this_month", plain(budget.left()));
        view.put("updated_by", budget.updatedBy());
        view.put("updated_at", budget.updatedAt() == null ? null : budget.updatedAt().toString());
        return view;
    }

    /** A JSON field as dollars: a number or a string, read as {@link BudgetInput#dollars} reads text. */
    private static Money dollars(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        // A blank field means "the default" in the console's form; in JSON that is null, and blank is a mistake.
        if (!node.isNumber() && (!node.isTextual() || node.asText().isBlank())) {
            throw new IllegalArgumentException(field + " must be an amount of dollars such as \"50.00\", not " + node);
        }
        return BudgetInput.dollars(field, node.isNumber() ? node.decimalValue().toPlainString() : node.asText());
    }

    private static Duration duration(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual() || node.asText().isBlank()) {
            throw new IllegalArgumentException(field + " must be a duration such as \"30m\", \"1h\" or \"1h30m\", not "
                    + node);
        }
        return BudgetInput.duration(field, node.asText());
    }

    private static String plain(Money money) {
        return BudgetInput.plain(money);
    }

    private static String repository(String owner, String repo) {
        return BudgetInput.repository(owner, repo);
    }

    private static Response error(int status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("error", message)).build();
    }
}
