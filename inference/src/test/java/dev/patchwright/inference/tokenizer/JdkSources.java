package dev.patchwright.inference.tokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** The JDK's {@code java.base} sources, read straight from the Temurin 25 JDK's {@code lib/src.zip}. */
final class JdkSources {

    static final Path SRC_ZIP = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/lib/src.zip");

    private JdkSources() {
    }

    /** Every {@code java.base/...java} entry's text, in the archive's order. */
    static List<String> javaBase() {
        if (!Files.isRegularFile(SRC_ZIP)) {
            throw new IllegalStateException(SRC_ZIP + " is missing; every machine of this project has it");
        }
        List<String> texts = new ArrayList<>();
        try (ZipFile zip = new ZipFile(SRC_ZIP.toFile())) {
            for (ZipEntry entry : Collections.list(zip.entries())) {
                if (entry.getName().startsWith("java.base/") && entry.getName().endsWith(".java")) {
                    texts.add(new String(zip.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return texts;
    }
}
