package dev.patchwright.bot.console;

import io.quarkus.qute.TemplateInstance;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;

import java.net.URI;

/** {@code /console/login} and {@code /console/logout}: the operator token in, a session cookie out, and back. */
@Path("/console")
@Produces(MediaType.TEXT_HTML)
public class LoginPage {

    private static final Logger LOG = Logger.getLogger(LoginPage.class);

    @Inject
    ConsoleSessions sessions;

    @Inject
    CurrentSession current;

    @Context
    UriInfo uri;

    @GET
    @Path("login")
    public TemplateInstance form(@QueryParam("next") String next) {
        return Pages.login(sessions.enabled() ? null : "The console is off: the operator has not set "
                + "PATCHWRIGHT_ADMIN_TOKEN.", safeNext(next));
    }

    @POST
    @Path("login")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response login(@FormParam("token") String token, @FormParam("next") String next) {
        if (!sessions.enabled()) {
            return Response.status(403).entity(Pages.login("The console is off: the operator has not set "
                    + "PATCHWRIGHT_ADMIN_TOKEN.", safeNext(next))).build();
        }
        if (!sessions.isOperatorToken(token)) {
            // Never the typed value: it may be a real token of something else.
            LOG.info("console: a login with a wrong token was refused");
            return Response.status(401).entity(Pages.login("That is not the operator token (PATCHWRIGHT_ADMIN_TOKEN).",
                    safeNext(next))).build();
        }
        return Response.seeOther(URI.create(safeNext(next))).cookie(cookie(sessions.issue(),
                (int) ConsoleSessions.LIFETIME.toSeconds())).build();
    }

    @POST
    @Path("logout")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response logout(@FormParam("csrf") String csrf) {
        current.requireCsrf(csrf);
        sessions.revoke(current.session());
        return Response.seeOther(URI.create("/console/login")).cookie(cookie("", 0)).build();
    }

    /** HttpOnly so scripts never read it, SameSite=Strict so other sites' requests do not carry it. */
    private NewCookie cookie(String value, int maxAge) {
        return new NewCookie.Builder(ConsoleSessions.COOKIE).value(value).path("/console").httpOnly(true)
                .sameSite(NewCookie.SameSite.STRICT).secure("https".equals(uri.getRequestUri().getScheme()))
                .maxAge(maxAge).build();
    }

    /** Only a console path: a login link must not send the operator to another site. */
    static String safeNext(String next) {
        return next != null && next.matches("/console(/[A-Za-z0-9/_.-]*)?") ? next : "/console";
    }
}
