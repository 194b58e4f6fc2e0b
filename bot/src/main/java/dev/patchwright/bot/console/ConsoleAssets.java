package dev.patchwright.bot.console;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.Response;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * {@code /console/assets/*}: the console's stylesheet and scripts, and the chart library from its WebJar, all from
 * the bot's own jar (no CDN). Behind the login like every console path, except the stylesheet the login page uses.
 */
@Path("/console/assets")
public class ConsoleAssets {

    /** The WebJar's folder, named by its version, which its own pom.properties says: the parent pom sets it once. */
    private static final String UPLOT = "META-INF/resources/webjars/uplot/" + webJarVersion("uplot") + "/dist/";

    /** Name in the URL → resource and type; nothing else is served. */
    private static final Map<String, String[]> ASSETS = Map.of(
            "console.css", new String[] {"console/console.css", "text/css; charset=utf-8"},
            "chart.js", new String[] {"console/chart.js", "text/javascript; charset=utf-8"},
            "uplot.js", new String[] {UPLOT + "uPlot.iife.min.js", "text/javascript; charset=utf-8"},
            "uplot.css", new String[] {UPLOT + "uPlot.min.css", "text/css; charset=utf-8"});

    private static String webJarVersion(String name) {
        String file = "META-INF/maven/org.webjars.npm/" + name + "/pom.properties";
        try (InputStream in = ConsoleAssets.class.getClassLoader().getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("the build left out " + file);
            }
            java.util.Properties properties = new java.util.Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @GET
    @Path("{name}")
    public Response asset(@PathParam("name") String name) {
        String[] asset = ASSETS.get(name);
        if (asset == null) {
            return Response.status(404).build();
        }
        try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(asset[0])) {
            if (in == null) {
                throw new IllegalStateException("the build left out " + asset[0]);
            }
            CacheControl cache = new CacheControl();
            cache.setPrivate(true); // behind the login: no shared cache may keep it
            cache.setMaxAge(3600);
            return Response.ok(in.readAllBytes()).type(asset[1]).cacheControl(cache)
                    .header("X-Content-Type-Options", "nosniff").build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
