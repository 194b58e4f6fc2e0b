package dev.patchwright.bot.console;

import io.quarkus.qute.TemplateExtension;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** How the console writes times and durations: UTC, to the minute, as the ledger's days and months are. */
@TemplateExtension
final class Formats {

    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private Formats() {
    }

    /** {@code 2026-12-06 13:21:07 UTC}; a dash for no time. */
    static String utc(Instant instant) {
        return instant == null ? "–" : MINUTE.format(instant);
    }

    /** {@code 4m 05s}, {@code 2h 10m}; a dash for none. */
    static String human(Duration duration) {
        if (duration == null) {
            return "–";
        }
        long seconds = duration.toSeconds();
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return String.format("%dm %02ds", seconds / 60, seconds % 60);
        }
        return String.format("%dh %02dm", seconds / 3600, seconds % 3600 / 60);
    }

    /** The URL when it is a web address, else null: a {@code javascript:} link must never reach an href. */
    static String web(String url) {
        return url != null && (url.startsWith("https://") || url.startsWith("http://")) ? url : null;
    }

    /** The job's pull request (or comment) when it left one with a web address. */
    static String pullRequest(dev.patchwright.worker.queue.JobView job) {
        return web(job.resultUrl());
    }

    /** Dollars as a form takes them back: {@code 50.00}. */
    static String plain(dev.patchwright.inference.money.Money money) {
        return dev.patchwright.bot.api.BudgetInput.plain(money);
    }
}
