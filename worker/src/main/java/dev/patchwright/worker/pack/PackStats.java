package dev.patchwright.worker.pack;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@link ContextPacker#pack} wrote and what it left out.
 *
 * @param files           number of files packed
 * @param bytes           UTF-8 size of everything written (tree, tags and contents), in bytes
 * @param estimatedTokens an estimate of the tokens the output costs: {@code bytes / 4}. It is a
 *                        rough rule of thumb for source code, not a tokenizer's count
 * @param skipped         path (directories end in '/') to why it was left out, in walk order
 */
public record PackStats(int files, long bytes, long estimatedTokens, Map<String, String> skipped) {

    public PackStats {
        skipped = Collections.unmodifiableMap(new LinkedHashMap<>(skipped));
    }
}
