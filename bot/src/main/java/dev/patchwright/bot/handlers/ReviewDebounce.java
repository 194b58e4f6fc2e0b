package dev.patchwright.bot.handlers;

import io.quarkus.arc.Arc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDataMap;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * Gathers a burst of line comments on one pull request into one revision: each comment (re)starts a timer for that
 * pull request, and when the timer runs out the open threads become one job. The timer is a Quartz trigger in the
 * clustered JDBC store, so it fires once across the cluster, also when the node that set it stopped meanwhile (a
 * trigger missed while no node ran fires as soon as one does).
 */
@ApplicationScoped
public class ReviewDebounce {

    private static final Logger LOG = Logger.getLogger(ReviewDebounce.class);
    static final String GROUP = "patchwright-review";

    @Inject
    Scheduler quartz;

    /** Starts, or starts again, the window for {@code repository}'s pull request {@code pull}. */
    @Transactional
    public Instant schedule(long installationId, String repository, int pull, Duration window) {
        String name = repository + "#" + pull;
        Instant due = Instant.now().plus(window);
        Trigger trigger = TriggerBuilder.newTrigger().withIdentity(TriggerKey.triggerKey(name, GROUP))
                .forJob(JobKey.jobKey(name, GROUP)).startAt(Date.from(due))
                .withSchedule(SimpleScheduleBuilder.simpleSchedule().withMisfireHandlingInstructionFireNow())
                .build();
        try {
            if (quartz.checkExists(trigger.getKey())) {
                quartz.rescheduleJob(trigger.getKey(), trigger);
            } else {
                JobDetail job = JobBuilder.newJob(Fire.class).withIdentity(JobKey.jobKey(name, GROUP))
                        .usingJobData("installation", String.valueOf(installationId))
                        .usingJobData("repository", repository)
                        .usingJobData("pull", String.valueOf(pull))
                        .build();
                quartz.scheduleJob(job, java.util.Set.of(trigger), true);
            }
        } catch (SchedulerException e) {
            throw new IllegalStateException("could not schedule the review of " + name + ": " + e.getMessage(), e);
        }
        return due;
    }

    /** Drops a pending window (the pull request was closed). */
    @Transactional
    public void cancel(String repository, int pull) {
        try {
            quartz.deleteJob(JobKey.jobKey(repository + "#" + pull, GROUP));
        } catch (SchedulerException e) {
            LOG.warnf("Could not drop the pending review window of %s#%d: %s", repository, pull, e.getMessage());
        }
    }

    /** The timer's end: the open threads of the pull request become one revision job. */
    @DisallowConcurrentExecution
    public static class Fire implements Job {

        @Override
        public void execute(JobExecutionContext context) {
            JobDataMap data = context.getMergedJobDataMap();
            String repository = data.getString("repository");
            int pull = Integer.parseInt(data.getString("pull"));
            long installation = Long.parseLong(data.getString("installation"));
            try {
                Arc.container().instance(ReviewRevisions.class).get().gathered(installation, repository, pull);
            } catch (Exception e) {
                // The comments stay on GitHub: the next comment, or a review, gathers them again.
                LOG.errorf(e, "Gathering the review comments of %s#%d failed", repository, pull);
            }
        }
    }
}
