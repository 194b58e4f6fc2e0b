package dev.patchwright.bot.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwright.inference.money.Money;
import dev.patchwright.worker.budget.BudgetLimits;
import dev.patchwright.worker.budget.Limits;
import dev.patchwright.worker.budget.SpendLedger;
import dev.patchwright.worker.config.RepoBudget;
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
import java.util.regex.Pattern;

/**
 * {@code GET/PUT /api/repos/{owner}/{repo}/budget}: a repository's limits as the operator set them (dollars per
 * month, per issue, and time per issue), what applies now, and what this month spent. A PUT replaces all three;
 * an omitted or null field goes back to the operator's default. Bad values get a 400 that names the field and
 * change nothing. Behind {@link AdminTokenFilter}.
 */
@Path("/api/repos/{owner}/{repo}/budget")
@Produces(MediaType.APPLICATION_JSON)
public class BudgetResource {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,6})([hm])");
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
        BudgetLimits.Override set = limits.repository(repository);
        Limits effective = limits.effective(repository, null, RepoBudget.NONE);
        SpendLedger.MonthSpend month = ledger.repositoryMonth(repository);
        Money left = effective.repositoryMonthly().minus(month.spent()).minus(month.held());
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("repository", repository);
        view.put("currency", "USD");
        view.put("monthly", plain(effective.repositoryMonthly()));
        view.put("per_issue", plain(effective.perIssue()));
        view.put("per_issue_time", BudgetLimits.minutes(effective.perIssueTime()));
        Map<String, String> source = new LinkedHashMap<>();
        source.put("monthly", set.monthly() == null ? "default" : "set");
        source.put("per_issue", set.perIssue() == null ? "default" : "set");
        source.put("per_issue_time", set.perIssueTime() == null ? "default" : "set");
        view.put("source", source);
        view.put("month", month.month());
        view.put("spent_this_month", plain(month.spent()));
        view.put("held_this_month", plain(month.held()));
        view.put("left_this_month", plain(left.isNegative() ? Money.ZERO : left));
        view.put("updated_by", set.updatedBy());
        view.put("updated_at", set.updatedAt() == null ? null : set.updatedAt().toString());
        return view;
    }

    private static Money dollars(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isNumber() && !node.isTextual()) {
            throw new IllegalArgumentException(field + " must be an amount of dollars such as \"50.00\", not " + node);
        }
        String text = node.isNumber() ? node.decimalValue().toPlainString() : node.asText();
        if (text.strip().startsWith("-")) {
            throw new IllegalArgumentException(field + " must not be negative, got " + text);
        }
        try {
            return Money.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + e.getMessage());
        }
    }

    private static Duration duration(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        String text = node.asText().strip();
        if (!node.isTextual() || !text.matches("(\\d{1,6}[hm])+")) {
            throw new IllegalArgumentException(field + " must be a duration such as \"30m\", \"1h\" or \"1h30m\", not "
                    + node);
        }
        Duration total = Duration.ZERO;
        var matcher = DURATION.matcher(text);
        while (matcher.find()) {
            long amount = Long.parseLong(matcher.group(1));
            total = total.plus(matcher.group(2).equals("h") ? Duration.ofHours(amount) : Duration.ofMinutes(amount));
        }
        return total;
    }

    private static String plain(Money money) {
        return money.toString().substring(1);
    }

    private static String repository(String owner, String repo) {
        return NAME.matcher(owner).matches() && NAME.matcher(repo).matches() ? owner + "/" + repo : null;
    }

    private static Response error(int status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(Map.of("error", message)).build();
    }
}
