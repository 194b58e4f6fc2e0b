package dev.patchwright.inference.tokenizer;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The cached rank tables give the same ids as deriving them, and a broken cache is replaced. */
class RankTablesTest {

    private static final String TEXT = "public static void main(String[] args) { System.out.println(\"héllo, 世界 🎉\"); }\n"
            + "    \t\r\n  12345678 don't WE'LL <|endoftext|>";

    @TempDir
    Path cache;

    private String previous;

    @BeforeEach
    void useTemporaryCache() {
        previous = System.getProperty("patchwright.tokenizer.cache");
        System.setProperty("patchwright.tokenizer.cache", cache.toString());
    }

    @AfterEach
    void restore() {
        if (previous == null) {
            System.clearProperty("patchwright.tokenizer.cache");
        } else {
            System.setProperty("patchwright.tokenizer.cache", previous);
        }
    }

    @Test
    void theCachedTablesEncodeLikeTheDerivedOnesAndLikeJtokkit() throws Exception {
        Encoding reference = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
        int[] expected = reference.encodeOrdinary(TEXT).toArray();

        BytePairEncoder derived = TiktokenEncoding.load("o200k_base");
        assertThat(cacheFiles()).singleElement().satisfies(f -> assertThat(Files.size(f)).isGreaterThan(1 << 20));
        BytePairEncoder cached = TiktokenEncoding.load("o200k_base");

        assertThat(derived.encode(TEXT)).containsExactly(expected);
        assertThat(cached.encode(TEXT)).containsExactly(expected);
        assertThat(cached.decode(cached.encode(TEXT))).isEqualTo(TEXT);
    }

    @Test
    void aBrokenCacheFileIsDerivedAgainAndReplaced() throws Exception {
        TiktokenEncoding.load("cl100k_base");
        Path file = cacheFiles().get(0);
        long size = Files.size(file);
        Files.write(file, new byte[] {1, 2, 3});

        BytePairEncoder encoder = TiktokenEncoding.load("cl100k_base");

        Encoding reference = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);
        assertThat(encoder.encode(TEXT)).containsExactly(reference.encodeOrdinary(TEXT).toArray());
        assertThat(Files.size(file)).isEqualTo(size);
    }

    private List<Path> cacheFiles() throws Exception {
        try (Stream<Path> files = Files.list(cache)) {
            return files.filter(f -> f.toString().endsWith(".bin")).toList();
        }
    }
}
