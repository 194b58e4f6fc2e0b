package dev.patchwright.bot;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
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
}
