package dev.patchwright.bot;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;

/**
 * The PostgreSQL server a laptop install runs for itself, with its data under {@code home/postgres}.
 *
 * <p>The embedded binaries start with {@code trust} authentication on localhost. A repository's setup
 * step may run with network in the host's network namespace, so it could reach that port: the server
 * is therefore switched to password authentication with a random password kept in a file only the
 * bot's user can read.
 */
final class EmbeddedDatabase {

    private final EmbeddedPostgres postgres;
    private final String password;

    private EmbeddedDatabase(EmbeddedPostgres postgres, String password) {
        this.postgres = postgres;
        this.password = password;
    }

    static EmbeddedDatabase start(Path home) throws IOException {
        Path dataDir = home.resolve("postgres");
        Files.createDirectories(dataDir);
        String password = password(home.resolve("postgres.password"));
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dataDir)
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(true)
                .setConnectConfig("password", password)
                .start();
        requirePassword(postgres, dataDir, password);
        return new EmbeddedDatabase(postgres, password);
    }

    String jdbcUrl() {
        return postgres.getJdbcUrl("postgres", "postgres");
    }

    String password() {
        return password;
    }

    int port() {
        return postgres.getPort();
    }

    private static void requirePassword(EmbeddedPostgres postgres, Path dataDir, String password) throws IOException {
        Path hba = dataDir.resolve("pg_hba.conf");
        String rules = Files.readString(hba, StandardCharsets.UTF_8);
        String strict = rules.replaceAll("(?m)^(\\s*(?:local|host)\\S*\\s.*\\s)trust\\s*$", "$1scram-sha-256");
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
             Statement statement = connection.createStatement()) {
            // The password is hex, so it cannot break out of the literal.
            statement.execute("ALTER ROLE postgres PASSWORD '" + password + "'");
            if (!strict.equals(rules)) {
                Files.writeString(hba, strict, StandardCharsets.UTF_8);
                statement.execute("SELECT pg_reload_conf()");
            }
        } catch (SQLException e) {
            throw new IOException("could not require a password on the embedded PostgreSQL: " + e.getMessage(), e);
        }
    }

    private static String password(Path file) throws IOException {
        if (Files.exists(file)) {
            return Files.readString(file, StandardCharsets.US_ASCII).strip();
        }
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String password = HexFormat.of().formatHex(random);
        Files.writeString(file, password, StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return password;
    }
}
