package dev.patchwright.bot.console;

import dev.patchwright.worker.budget.SpendReport;
import dev.patchwright.worker.queue.DeliveryLog;
import dev.patchwright.worker.queue.JobHistory;
import dev.patchwright.worker.queue.JobStatistics;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import javax.sql.DataSource;

/** The worker's read-only views of the database that the console's pages show. */
public class ConsoleReaders {

    @Produces
    @Singleton
    JobHistory jobHistory(DataSource dataSource) {
        return new JobHistory(dataSource);
    }

    @Produces
    @Singleton
    JobStatistics jobStatistics(DataSource dataSource) {
        return new JobStatistics(dataSource);
    }

    @Produces
    @Singleton
    DeliveryLog deliveryLog(DataSource dataSource) {
        return new DeliveryLog(dataSource);
    }

    @Produces
    @Singleton
    SpendReport spendReport(DataSource dataSource) {
        return new SpendReport(dataSource);
    }
}
