package dev.patchwright.bot.console;

import dev.patchwright.worker.queue.DeliveryInbox;
import dev.patchwright.worker.queue.DeliveryLog;
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
import org.jboss.logging.Logger;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * {@code /console/deliveries}: the latest webhook deliveries, and a button that hands a failed one back to the
 * delivery sweep, which handles it as if GitHub had just sent it.
 */
@Path("/console/deliveries")
@Produces(MediaType.TEXT_HTML)
public class DeliveriesPage {

    static final int LIMIT = 100;
    private static final Logger LOG = Logger.getLogger(DeliveriesPage.class);

    @Inject
    DeliveryLog log;

    @Inject
    DeliveryInbox inbox;

    @Inject
    CurrentSession current;

    @GET
    public TemplateInstance page(@QueryParam("replayed") String replayed) {
        String message = replayed == null ? null
                : "Delivery " + replayed + " is queued again; the sweep handles it within seconds.";
        return Pages.deliveries(current.csrfToken(), log.recent(LIMIT), message, LIMIT);
    }

    @POST
    @Path("{id}/replay")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response replay(@PathParam("id") String id, @FormParam("csrf") String csrf) {
        current.requireCsrf(csrf);
        String message;
        int status;
        try {
            inbox.replay(id, "console");
            LOG.infof("console: webhook delivery %s replayed", id);
            // After the change, a GET: reloading the page must not post again.
            return Response.seeOther(URI.create("/console/deliveries?replayed="
                    + URLEncoder.encode(id, StandardCharsets.UTF_8))).build();
        } catch (IllegalArgumentException e) {
            message = e.getMessage();
            status = 404;
        } catch (IllegalStateException e) {
            message = e.getMessage();
            status = 409;
        }
        return Response.status(status).entity(Pages.deliveries(current.csrfToken(), log.recent(LIMIT), message, LIMIT))
                .build();
    }
}
