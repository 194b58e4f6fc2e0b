package dev.patchwright.inference.local;

import dev.patchwright.inference.tokenizer.TokenStreamDecoder;
import java.util.List;

/**
 * The text of one sample as its tokens arrive: decoded as a stream (split UTF-8 characters are held back),
 * cut before the first stop string, and released for streaming only where no stop string can still begin.
 */
final class SampleText {

    private final TokenStreamDecoder decoder;
    private final List<String> stops;
    private final int longestStop;
    private final StringBuilder text = new StringBuilder();
    private int released;
    private boolean stopped;

    SampleText(TokenStreamDecoder decoder, List<String> stops) {
        this.decoder = decoder;
        this.stops = stops;
        this.longestStop = stops.stream().mapToInt(String::length).max().orElse(0);
    }

    /**
     * Adds a generated token.
     *
     * @return the text that may now be streamed (often empty)
     */
    String add(int token) {
        String piece;
        try {
            piece = decoder.next(token);
        } catch (IllegalArgumentException e) {
            // Models pad their vocabulary past the tokenizer's; such an id has no text.
            piece = "";
        }
        return append(piece, false);
    }

    /** Ends the sample: releases what was held back, cut at a stop string if one completed. */
    String finish() {
        return stopped ? "" : append(decoder.finish(), true);
    }

    /** Whether the text reached a stop string: the sample is over. */
    boolean stopped() {
        return stopped;
    }

    /** The sample's text, without the stop string and what followed it. */
    String text() {
        return text.toString();
    }

    private String append(String piece, boolean end) {
        int searchFrom = Math.max(0, text.length() - longestStop + 1);
        text.append(piece);
        int cut = -1;
        for (String stop : stops) {
            int at = text.indexOf(stop, searchFrom);
            if (at >= 0 && (cut < 0 || at < cut)) {
                cut = at;
            }
        }
        if (cut >= 0) {
            text.setLength(cut);
            stopped = true;
            return release(text.length());
        }
        return release(end ? text.length() : text.length() - heldBack());
    }

    /** Characters at the end of the text that begin some stop string, so cannot be streamed yet. */
    private int heldBack() {
        int held = 0;
        for (String stop : stops) {
            for (int k = Math.min(stop.length() - 1, text.length()); k > held; k--) {
                if (text.substring(text.length() - k).equals(stop.substring(0, k))) {
                    held = k;
                    break;
                }
            }
        }
        return held;
    }

    private String release(int upTo) {
        if (upTo <= released) {
            return "";
        }
        String out = text.substring(released, upTo);
        released = upTo;
        return out;
    }
}
