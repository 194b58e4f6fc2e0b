package dev.patchwright.inference.tokenizer;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;

/** Loads tokenizers by name. */
public final class Tokenizers {

    private Tokenizers() {
    }

    /**
     * A tokenizer by its name: {@code o200k_base} or {@code cl100k_base}.
     *
     * @throws IllegalArgumentException for an unknown name, naming the known ones
     */
    public static Tokenizer load(String spec) {
        EncodingType type = switch (spec) {
            case "o200k_base" -> EncodingType.O200K_BASE;
            case "cl100k_base" -> EncodingType.CL100K_BASE;
            default -> throw new IllegalArgumentException("unknown tokenizer '" + spec
                    + "'; known: o200k_base, cl100k_base");
        };
        Encoding encoding = Encodings.newLazyEncodingRegistry().getEncoding(type);
        return new Tokenizer() {
            @Override
            public String name() {
                return spec;
            }

            @Override
            public int[] encode(String text) {
                return encoding.encodeOrdinary(text).toArray();
            }

            @Override
            public int count(String text) {
                return encoding.countTokensOrdinary(text);
            }

            @Override
            public String decode(int[] ids) {
                IntArrayList list = new IntArrayList(ids.length);
                for (int id : ids) {
                    list.add(id);
                }
                return encoding.decode(list);
            }
        };
    }
}
