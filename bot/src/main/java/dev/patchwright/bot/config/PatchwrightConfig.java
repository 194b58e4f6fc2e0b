package dev.patchwright.bot.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The operator's settings, every one documented with its default in the README. Each is also an
 * environment variable: {@code patchwright.model.url} is {@code PATCHWRIGHT_MODEL_URL}.
 */
@ConfigMapping(prefix = "patchwright")
public interface PatchwrightConfig {

    /** Where mirrors and the embedded database live. */
    @WithDefault("${user.home}/.patchwright")
    Path home();

    /**
     * Where job worktrees and dependency caches live. The sandbox user must be able to reach it, which
     * rules out anything under {@code /root}.
     */
    @WithDefault("/var/tmp/patchwright")
    Path workDir();

    /** {@code all}, {@code webhook} (records jobs, never runs them) or {@code worker}. */
    @WithDefault("all")
    Role role();

    /** What a node does; every node serves {@code /webhook} and takes part in Quartz's cluster. */
    enum Role {
        ALL, WEBHOOK, WORKER
    }

    Db db();

    /**
     * How often stored deliveries that were never handled (a crash right after answering GitHub, a
     * GitHub outage) are picked up again.
     */
    @WithDefault("5s")
    java.time.Duration deliverySweep();

    /**
     * Rehearsal deliveries a node that takes webhooks posts to its own {@code /webhook} before it says it is ready
     * (nothing is stored), so that its first real deliveries find it warm; 0 turns the warm-up off.
     */
    @WithDefault("10000")
    int intakeWarmup();

    Trigger trigger();

    Model model();

    Solve solve();

    Worker worker();

    Budget budget();

    /**
     * The price table, YAML or JSON ({@code MODEL: {input: 2.00, cached-input: 0.50, output: 8.00}}, dollars per
     * million tokens; {@code gpu-hour} for the local engine). Unset: {@code home()/prices.yaml}.
     */
    Optional<Path> prices();

    /** Bearer token of the REST admin API ({@code /api/...}); unset, the API refuses every request. Never logged. */
    Optional<String> adminToken();

    /**
     * Spending limits, in dollars. These are the operator's defaults; the REST API sets them per repository (up to
     * the maximums), and a repository's {@code budget:} may lower them, never raise them.
     */
    interface Budget {
        /** What one repository may spend per calendar month (UTC). */
        @WithDefault("50")
        String repositoryMonthly();

        /** What one issue may spend, all its attempts together. */
        @WithDefault("5")
        String perIssue();

        /** How long one issue may run, from its first start. */
        @WithDefault("1h")
        Duration perIssueTime();

        /** What all repositories of one installation may spend per calendar month. */
        @WithDefault("500")
        String installationMonthly();

        /** The most the REST API may set as a repository's monthly limit. */
        @WithDefault("10000")
        String maxRepositoryMonthly();

        /** The most the REST API may set as a repository's per-issue limit. */
        @WithDefault("500")
        String maxPerIssue();

        /** The longest per-issue time the REST API may set. */
        @WithDefault("24h")
        Duration maxPerIssueTime();

        /** The price of one CPU-hour of sandboxed commands (setup, tests). */
        @WithDefault("0.05")
        String sandboxCpuHour();
    }

    /** The PostgreSQL server; without a URL, {@code PatchwrightMain} starts an embedded one. */
    interface Db {
        /** JDBC URL, e.g. {@code jdbc:postgresql://db:5432/patchwright}. */
        Optional<String> url();

        @WithDefault("postgres")
        String user();

        Optional<String> password();
    }

    interface Trigger {
        /** The label that starts work when the repository's configuration does not name one. */
        @WithDefault("patchwright")
        String label();

        /**
         * The least permission a user needs to start paid work: {@code write}, {@code maintain} or {@code admin}.
         * A repository's {@code allowed:} list can only narrow it.
         */
        @WithDefault("write")
        String minPermission();

        /**
         * How long line comments on a Patchwright pull request are gathered before they become one revision: each new
         * comment starts the window again ({@code PATCHWRIGHT_TRIGGER_REVIEW_DEBOUNCE}).
         */
        @WithDefault("2m")
        Duration reviewDebounce();
    }

    interface Model {
        /** Base URL of an OpenAI-compatible API, e.g. {@code https://api.openai.com/v1}. */
        Optional<String> url();

        /**
         * The model's price inline ({@code input=2.00,cached-input=0.50,output=8.00} dollars per million tokens, or
         * {@code gpu-hour=2.50}), instead of its row in the price table.
         */
        Optional<String> price();

        /** Model name sent with every request. */
        @WithDefault("gpt-4.1")
        String name();

        /** API key, sent only to {@link #url()}; never logged. */
        Optional<String> apiKey();

        /** Time allowed for one model call. */
        @WithDefault("10m")
        Duration timeout();

        /** Completion tokens allowed per call. */
        @WithDefault("8192")
        int maxTokens();

        /**
         * The model's context window in tokens. A repository larger than what it leaves (after the
         * instructions, the issue, earlier failures and the answer) is cut to fit: the files most
         * relevant to the issue stay whole, the others are listed by their declarations.
         */
        @WithDefault("128000")
        long contextTokens();
    }

    interface Solve {
        /** Candidates sampled per round when the repository does not say. */
        @WithDefault("4")
        int candidates();

        /** Rounds at most when the repository does not say; each repairs what the last got wrong. */
        @WithDefault("3")
        int rounds();

        /** Candidates verified at once, each in its own sandbox. */
        @WithDefault("2")
        int sandboxes();

        /** The most candidates a repository may ask for. */
        @WithDefault("16")
        int maxCandidates();

        /** Memory limit of each sandboxed setup or test command, in MiB. */
        @WithDefault("4096")
        long memoryMib();

        /**
         * Whether a repository's setup command may use the network. Off by default: setup would share the host's
         * network namespace, its loopback and private ranges included.
         */
        @WithDefault("false")
        boolean setupNetwork();

        /** The longest setup or test time limit a repository may ask for. */
        @WithDefault("1h")
        Duration maxTestTimeout();

        /** The largest file of a repository's tree that is written out, in MB; a larger one refuses the job. */
        @WithDefault("100")
        long maxFileMb();

        /** All files of a repository's tree together, in MB; over it the job is refused before anything is written. */
        @WithDefault("1000")
        long maxTreeMb();

        /** The most files and links of a repository's tree. */
        @WithDefault("200000")
        int maxTreeFiles();

        /** Disk a job's worktrees may take while a command runs, in MiB; over it the command is killed. */
        @WithDefault("20480")
        long jobDiskMib();

        /** Disk a repository's dependency cache may take while setup runs, in MiB; over it setup is killed. */
        @WithDefault("10240")
        long cacheDiskMib();

        /** A repository's dependency cache no job has used for this long is removed (swept hourly). */
        @WithDefault("14d")
        Duration cacheIdle();
    }

    interface Worker {
        /** Jobs this node runs at once. */
        @WithDefault("1")
        int concurrency();

        /** How long a claimed job stays ours without a heartbeat. */
        @WithDefault("2m")
        Duration lease();

        /** How often an idle worker looks for work while its connection for wake-ups is down. */
        @WithDefault("2s")
        Duration poll();

        /**
         * How often, across the cluster, running jobs whose lease expired (their node died) are handed back. With
         * {@link #reapBackoff()} it bounds the take-over: another node resumes such a job at most a lease, this and
         * the backoff after the node died.
         */
        @WithDefault("30s")
        Duration reapEvery();

        /** How long a job handed back that way waits before it runs again; doubled for each attempt it had (15 min at most). */
        @WithDefault("30s")
        Duration reapBackoff();
    }
}
