package dev.patchwright.bot;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.patchwright.worker.queue.JobQueue;
import org.junit.jupiter.api.BeforeAll;

import java.time.Duration;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/** Keeps the module boundaries of DESIGN.md: bot → worker → inference, and nothing imports bot. */
class ModuleBoundariesTest {

    private static JavaClasses classes;

    @BeforeAll
    static void importProductionClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.patchwright");
        assertThat(classes.stream().map(c -> c.getPackageName()))
                .as("classes of every module were imported")
                .anyMatch(p -> p.startsWith("dev.patchwright.inference"))
                .anyMatch(p -> p.startsWith("dev.patchwright.worker"))
                .anyMatch(p -> p.startsWith("dev.patchwright.bot"));
    }

    @Test
    void inferenceKnowsNoFrameworkSqlGitOrGitHub() {
        noClasses().that().resideInAPackage("dev.patchwright.inference..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.patchwright.worker..", "dev.patchwright.bot..",
                        "io.quarkus..", "jakarta..", "java.sql..", "javax.sql..", "org.eclipse.jgit..", "org.kohsuke..")
                .check(classes);
    }

    @Test
    void workerNeverSeesGitHubTypesOrTheBot() {
        noClasses().that().resideInAPackage("dev.patchwright.worker..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.patchwright.bot..", "org.kohsuke..",
                        "io.quarkiverse..", "io.quarkus..")
                .check(classes);
    }

    /**
     * No package depends on itself through others. The local engine's packages are left out for now: the engine
     * picks its CPU kernels itself and its file format shares the engine's exception, which the GPU engine's
     * kernel choice will change (see the closing note of issue 11).
     */
    @Test
    void noPackageCycles() {
        slices().matching("dev.patchwright.(**)").should().beFreeOfCycles()
                .check(classes.that(not(resideInAPackage("dev.patchwright.inference.engine.."))));
    }

    @Test
    void theJobLoopLivesInTheWorker() {
        noClasses().that().resideInAPackage("dev.patchwright.bot..")
                .should().callMethod(JobQueue.class, "claim", String.class, Duration.class)
                .orShould().callMethod(JobQueue.class, "renew", long.class, String.class, Duration.class)
                .orShould().callMethod(JobQueue.class, "retryLater", long.class, String.class, Duration.class,
                        String.class)
                .because("the bot hands jobs to the worker, which runs them and publishes through its Publisher SPI")
                .check(classes);
    }
}
