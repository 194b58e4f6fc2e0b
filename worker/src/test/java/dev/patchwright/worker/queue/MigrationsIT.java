package dev.patchwright.worker.queue;

import dev.patchwright.worker.testing.TestDatabase;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MigrationsIT {

    /**
     * Quartz 2.5.2's tables_postgres.sql, column by column: name, type as information_schema
     * spells it (with length or precision), and whether it may be null.
     */
    private static final Map<String, List<String>> QUARTZ = Map.ofEntries(
            Map.entry("qrtz_job_details", List.of(
                    "sched_name character varying(120) not null", "job_name character varying(200) not null",
                    "job_group character varying(200) not null", "description character varying(250) null",
                    "job_class_name character varying(250) not null", "is_durable boolean not null",
                    "is_nonconcurrent boolean not null", "is_update_data boolean not null",
                    "requests_recovery boolean not null", "job_data bytea null")),
            Map.entry("qrtz_triggers", List.of(
                    "sched_name character varying(120) not null", "trigger_name character varying(200) not null",
                    "trigger_group character varying(200) not null", "job_name character varying(200) not null",
                    "job_group character varying(200) not null", "description character varying(250) null",
                    "next_fire_time bigint null", "prev_fire_time bigint null", "priority integer null",
                    "trigger_state character varying(16) not null", "trigger_type character varying(8) not null",
                    "start_time bigint not null", "end_time bigint null",
                    "calendar_name character varying(200) null", "misfire_instr smallint null",
                    "job_data bytea null")),
            Map.entry("qrtz_simple_triggers", List.of(
                    "sched_name character varying(120) not null", "trigger_name character varying(200) not null",
                    "trigger_group character varying(200) not null", "repeat_count bigint not null",
                    "repeat_interval bigint not null", "times_triggered bigint not null")),
            Map.entry("qrtz_cron_triggers", List.of(
                    "sched_name character varying(120) not null", "trigger_name character varying(200) not null",
                    "trigger_group character varying(200) not null",
                    "cron_expression character varying(120) not null", "time_zone_id character varying(80) null")),
            Map.entry("qrtz_simprop_triggers", List.of(
                    "sched_name character varying(120) not null", "trigger_name character varying(200) not null",
                    "trigger_group character varying(200) not null", "str_prop_1 character varying(512) null",
                    "str_prop_2 character varying(512) null", "str_prop_3 character varying(512) null",
                    "int_prop_1 integer null", "int_prop_2 integer null", "long_prop_1 bigint null",
                    "long_prop_2 bigint null", "dec_prop_1 numeric(13,4) null", "dec_prop_2 numeric(13,4) null",
                    "bool_prop_1 boolean null", "bool_prop_2 boolean null")),
            Map.entry("qrtz_blob_triggers", List.of(
                    "sched_name character varying(120) not null", "trigger_name character varying(200) not null",
                    "trigger_group character varying(200) not null", "blob_data bytea null")),
            Map.entry("qrtz_calendars", List.of(
                    "sched_name character varying(120) not null", "calendar_name character varying(200) not null",
                    "calendar bytea not null")),
            Map.entry("qrtz_paused_trigger_grps", List.of(
                    "sched_name character varying(120) not null", "trigger_group character varying(200) not null")),
            Map.entry("qrtz_fired_triggers", List.of(
                    "sched_name character varying(120) not null", "entry_id character varying(95) not null",
                    "trigger_name character varying(200) not null", "trigger_group character varying(200) not null",
                    "instance_name character varying(200) not null", "fired_time bigint not null",
                    "sched_time bigint not null", "priority integer not null",
                    "state character varying(16) not null", "job_name character varying(200) null",
                    "job_group character varying(200) null", "is_nonconcurrent boolean null",
                    "requests_recovery boolean null")),
            Map.entry("qrtz_scheduler_state", List.of(
                    "sched_name character varying(120) not null", "instance_name character varying(200) not null",
                    "last_checkin_time bigint not null", "checkin_interval bigint not null")),
            Map.entry("qrtz_locks", List.of(
                    "sched_name character varying(120) not null", "lock_name character varying(40) not null")));

    private static final String[] QUARTZ_INDEXES = {
            "idx_qrtz_j_req_recovery", "idx_qrtz_j_grp",
            "idx_qrtz_t_j", "idx_qrtz_t_jg", "idx_qrtz_t_c", "idx_qrtz_t_g", "idx_qrtz_t_state",
            "idx_qrtz_t_n_state", "idx_qrtz_t_n_g_state", "idx_qrtz_t_next_fire_time", "idx_qrtz_t_nft_st",
            "idx_qrtz_t_nft_misfire", "idx_qrtz_t_nft_st_misfire", "idx_qrtz_t_nft_st_misfire_grp",
            "idx_qrtz_ft_trig_inst_name", "idx_qrtz_ft_inst_job_req_rcvry", "idx_qrtz_ft_j_g", "idx_qrtz_ft_jg",
            "idx_qrtz_ft_t_g", "idx_qrtz_ft_tg"};

    @Test
    void migrationsApplyToAnEmptyDatabaseAndThenHaveNothingLeftToDo() {
        DataSource dataSource = TestDatabase.empty();

        MigrateResult first = TestDatabase.flyway(dataSource).migrate();
        MigrateResult second = TestDatabase.flyway(dataSource).migrate();

        assertThat(first.success).isTrue();
        assertThat(first.migrations).extracting(m -> m.version).containsExactly("001", "002", "003", "004");
        assertThat(second.migrationsExecuted).isZero();
        assertThat(TestDatabase.flyway(dataSource).validateWithResult().validationSuccessful).isTrue();
    }

    @Test
    void coreTablesExist() throws SQLException {
        DataSource dataSource = TestDatabase.migrated();

        assertThat(columns(dataSource, "webhook_deliveries")).contains(
                "delivery_id text not null", "payload jsonb not null", "next_attempt_at timestamp with time zone not null");
        assertThat(columns(dataSource, "jobs")).contains(
                "kind text not null", "status text not null", "payload jsonb not null",
                "lease_expires_at timestamp with time zone null", "result_url text null");
        assertThat(columns(dataSource, "job_events")).contains("kind text not null", "message text not null");
        assertThat(columns(dataSource, "candidates")).contains("failing_tests ARRAY not null", "elapsed_ms bigint null");
        assertThat(columns(dataSource, "repositories")).contains(
                "full_name text not null", "last_job_at timestamp with time zone null");
    }

    @Test
    void quartzTablesMatchTheQuartzSchemaAndAnswerToUnquotedUpperCaseNames() throws SQLException {
        DataSource dataSource = TestDatabase.migrated();

        for (Map.Entry<String, List<String>> table : QUARTZ.entrySet()) {
            assertThat(columns(dataSource, table.getKey())).as(table.getKey()).containsExactlyElementsOf(table.getValue());
        }
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            // Quartz writes its SQL with the QRTZ_ prefix, unquoted.
            statement.executeUpdate("INSERT INTO QRTZ_LOCKS (SCHED_NAME, LOCK_NAME) VALUES ('patchwright', 'TRIGGER_ACCESS')");
            try (ResultSet rows = statement.executeQuery("SELECT LOCK_NAME FROM QRTZ_LOCKS WHERE SCHED_NAME = 'patchwright'")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString(1)).isEqualTo("TRIGGER_ACCESS");
            }
        }
        assertThat(indexNames(dataSource, "qrtz_%")).filteredOn(name -> !name.endsWith("_pkey"))
                .containsExactlyInAnyOrder(QUARTZ_INDEXES);
    }

    @Test
    void checksRefuseUnknownStatuses() throws SQLException {
        DataSource dataSource = TestDatabase.migrated();
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            assertThatThrownBy(() -> statement.executeUpdate(
                    "insert into jobs (kind, repository, payload) values ('deploy', 'o/r', '{}')"))
                    .hasMessageContaining("jobs_kind_check");
            assertThatThrownBy(() -> statement.executeUpdate(
                    "insert into webhook_deliveries (delivery_id, event, payload, status) values ('d', 'e', '{}', 'lost')"))
                    .hasMessageContaining("webhook_deliveries_status_check");
        }
    }

    private static List<String> columns(DataSource dataSource, String table) throws SQLException {
        String sql = """
                select column_name, data_type, character_maximum_length, numeric_precision, numeric_scale, is_nullable
                from information_schema.columns where table_schema = 'public' and table_name = ? order by ordinal_position
                """;
        List<String> columns = new ArrayList<>();
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = connection.prepareStatement(sql)) {
            query.setString(1, table);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    String type = rows.getString("data_type");
                    if (rows.getObject("character_maximum_length") != null) {
                        type += "(" + rows.getInt("character_maximum_length") + ")";
                    } else if (type.equals("numeric")) {
                        type += "(" + rows.getInt("numeric_precision") + "," + rows.getInt("numeric_scale") + ")";
                    }
                    String nullable = rows.getString("is_nullable").equals("YES") ? "null" : "not null";
                    columns.add(rows.getString("column_name") + " " + type + " " + nullable);
                }
            }
        }
        return columns;
    }

    /** Names of the indexes on the matching tables, primary keys included. */
    private static List<String> indexNames(DataSource dataSource, String tablePattern) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection connection = dataSource.getConnection(); PreparedStatement query = connection.prepareStatement(
                "select indexname from pg_indexes where schemaname = 'public' and tablename like ?")) {
            query.setString(1, tablePattern);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    names.add(rows.getString(1));
                }
            }
        }
        return names;
    }
}
