package dev.patchwright.inference.engine.cuda;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The lines {@code build-ptx.sh} puts at the top of each checked-in PTX: which source it was
 * compiled from (with the source's SHA-256), by which nvcc release, for which target.
 *
 * @param source the {@code .cu} file's name
 * @param sha256 the source's SHA-256 when it was compiled, lower-case hex
 * @param nvcc e.g. {@code release 13.0, V13.0.88}
 * @param target e.g. {@code compute_90}
 */
public record PtxHeader(String source, String sha256, String nvcc, String target) {

    /**
     * Reads the header of a PTX text.
     *
     * @throws IllegalArgumentException naming the line that is missing
     */
    public static PtxHeader read(String ptx) {
        String source = null;
        String sha = null;
        String nvcc = null;
        String target = null;
        for (String line : ptx.lines().limit(8).toList()) {
            if (line.startsWith("// patchwright-source: ")) {
                String[] parts = line.substring("// patchwright-source: ".length()).split(" sha256=");
                source = parts[0].trim();
                sha = parts.length > 1 ? parts[1].trim() : null;
            } else if (line.startsWith("// patchwright-nvcc: ")) {
                nvcc = line.substring("// patchwright-nvcc: ".length()).trim();
            } else if (line.startsWith("// patchwright-target: ")) {
                target = line.substring("// patchwright-target: ".length()).trim();
            }
        }
        if (source == null || sha == null) {
            throw new IllegalArgumentException("PTX has no '// patchwright-source: NAME.cu sha256=HEX' line: not built by build-ptx.sh");
        }
        if (nvcc == null || target == null) {
            throw new IllegalArgumentException("PTX of " + source + " lacks its patchwright-nvcc or patchwright-target line");
        }
        return new PtxHeader(source, sha, nvcc, target);
    }

    /** SHA-256 of {@code bytes}, lower-case hex. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** As {@link #sha256(byte[])} of the UTF-8 bytes of {@code text}. */
    public static String sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }
}
