package dev.patchwright.bot.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwright.inference.money.Money;
import dev.patchwright.worker.budget.SpendReport;
import dev.patchwright.worker.queue.JobEvent;
import dev.patchwright.worker.queue.JobFilter;
import dev.patchwright.worker.queue.JobHistory;
import dev.patchwright.worker.queue.JobView;
import dev.patchwright.worker.solve.CandidateRecord;
import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;

/** {@code /console/jobs}: the jobs, filtered by repository, state and day; {@code /console/jobs/{id}}: one job's evidence. */
@Path("/console/jobs")
@Produces(MediaType.TEXT_HTML)
public class JobsPage {

    static final int LIMIT = 200;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    JobHistory history;

    @Inject
    SpendReport report;

    @Inject
    CurrentSession current;

    /** The filter as typed, so the form shows it again. */
    public record Filter(String repository, String state, String date) {

        /** The states the form offers. */
        public List<String> states() {
            return List.of("queued", "running", "succeeded", "failed", "cancelled");
        }
    }

    /** A candidate and what the page shows of it. */
    public record Candidate(CandidateRecord record, List<Evidence.DiffLine> diff, String testOutput) {
    }

    /** Everything the job's page shows. */
    public record Detail(JobView job, String issueTitle, String issueUrl, List<JobEvent> events,
                         List<Candidate> candidates, List<SpendReport.Entry> ledger, Money total) {
    }

    @GET
    public Response list(@QueryParam("repository") String repository, @QueryParam("state") String state,
                         @QueryParam("date") String date) {
        Filter typed = new Filter(blankToNull(repository), blankToNull(state), blankToNull(date));
        JobFilter filter;
        try {
            LocalDate day = null;
            if (typed.date() != null) {
                try {
                    day = LocalDate.parse(typed.date());
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException("date must be a day such as 2026-12-06, not '" + typed.date()
                            + "'");
                }
            }
            filter = new JobFilter(typed.repository(), typed.state(), day);
        } catch (IllegalArgumentException e) {
            String message = e.getMessage().startsWith("status") ? "state" + e.getMessage().substring(6) : e.getMessage();
            return Response.status(400).entity(Pages.jobs(current.csrfToken(), typed, report.repositories(),
                    List.of(), message, LIMIT)).build();
        }
        return Response.ok(Pages.jobs(current.csrfToken(), typed, report.repositories(), history.find(filter, LIMIT),
                null, LIMIT)).build();
    }

    @GET
    @Path("{id}")
    public Response job(@PathParam("id") String id) {
        JobView job = id.matches("\\d{1,18}") ? history.job(Long.parseLong(id)).orElse(null) : null;
        if (job == null) {
            return Response.status(404).entity(Pages.notFound(current.csrfToken(), "There is no job " + id + "."))
                    .build();
        }
        List<Candidate> candidates = history.candidates(job.id()).stream()
                .map(c -> new Candidate(c, Evidence.diff(c.diff()), Evidence.testOutput(c.testOutputTail()))).toList();
        List<SpendReport.Entry> ledger = report.entries(job.id());
        Money total = ledger.stream().map(SpendReport.Entry::amount).reduce(Money.ZERO, Money::plus);
        return Response.ok(Pages.job(current.csrfToken(), new Detail(job, issueTitle(job.id()), issueUrl(job),
                history.events(job.id()), candidates, ledger, total))).build();
    }

    private String issueTitle(long jobId) {
        try {
            JsonNode payload = JSON.readTree(history.payload(jobId).orElse("{}"));
            return payload.path("issueTitle").asText(null);
        } catch (IOException e) {
            return null; // an old or odd payload: the page shows the number alone
        }
    }

    /**
     * The issue on the same host as the job's pull request (GitHub or an Enterprise server); github.com when the job
     * opened none.
     */
    static String issueUrl(JobView job) {
        if (job.issueNumber() == null) {
            return null;
        }
        String url = job.resultUrl();
        int pull = url == null ? -1 : url.indexOf("/" + job.repository() + "/pull/");
        String base = pull >= 0 && url.startsWith("http") ? url.substring(0, pull) : "https://github.com";
        return base + "/" + job.repository() + "/issues/" + job.issueNumber();
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }
}
