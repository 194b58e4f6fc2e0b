package dev.patchwright.bot;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Starts the bot ({@code ./patchwright serve}). Without {@code PATCHWRIGHT_DB_URL} it first starts an
 * embedded PostgreSQL whose data stays under {@code ~/.patchwright/postgres}, so one command gives a
 * working bot on a laptop; deployments point it at their own server.
 */
@QuarkusMain
public final class PatchwrightMain {

    private static final Logger LOG = Logger.getLogger(PatchwrightMain.class);

    private PatchwrightMain() {
    }

    public static void main(String... args) throws IOException {
        if (setting("patchwright.db.url") == null) {
            startEmbeddedDatabase();
        }
        Quarkus.run(args);
    }

    private static void startEmbeddedDatabase() throws IOException {
        String home = setting("patchwright.home");
        Path homeDir = Path.of(home != null ? home : System.getProperty("user.home") + "/.patchwright");
        EmbeddedDatabase database = EmbeddedDatabase.start(homeDir);
        System.setProperty("patchwright.db.url", database.jdbcUrl());
        System.setProperty("patchwright.db.user", "postgres");
        System.setProperty("patchwright.db.password", database.password());
        LOG.infof("No PATCHWRIGHT_DB_URL: started embedded PostgreSQL on port %d with data in %s",
                database.port(), homeDir.resolve("postgres"));
    }

    /** A setting from a system property or its environment variable (as Quarkus maps them). */
    private static String setting(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = System.getenv(property.toUpperCase().replace('.', '_').replace('-', '_'));
        }
        return value == null || value.isBlank() ? null : value;
    }
}
