package dev.patchwright.worker.pack;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The type and function signatures of a source file, found line by line with regular expressions
 * (Java, Kotlin, Python, JavaScript/TypeScript, Go, Rust, C/C++): enough for a model to know what a
 * file it cannot see offers, not a parser. Each signature is one line, without its body; every
 * declaration is kept, annotated ones ({@code @Test void name()}, {@code @Override public String
 * toString()}) too.
 */
final class Declarations {

    /** One declaration: its signature line and the name it declares. */
    record Declaration(String signature, String name) {
    }

    private static final int MAX_SIGNATURE = 200;

    /** Annotations before a declaration on its line: {@code @Test}, {@code @SuppressWarnings("x")}, {@code @A(b = 1)}. */
    private static final String ANNOTATIONS = "(?:@(?!interface\\b)[\\w.]+(?:\\((?:[^()]|\\([^()]*\\))*\\))?\\s+)*";
    private static final String JAVA_MODIFIERS = ANNOTATIONS + "(?:(?:public|protected|private|static|final|abstract|sealed"
            + "|non-sealed|synchronized|native|default|strictfp)\\s+)*";
    private static final List<Pattern> JAVA = List.of(
            Pattern.compile("^\\s*" + JAVA_MODIFIERS + "(?:class|interface|enum|record|@interface)\\s+(\\w+).*"),
            Pattern.compile("^\\s*" + JAVA_MODIFIERS + "(?:<[^>]+>\\s+)?(?!return\\b|new\\b|else\\b|throw\\b)"
                    + "[\\w.$]+(?:<[^()]*>)?(?:\\[\\])*\\s+(\\w+)\\s*\\([^;=]*\\)?\\s*(?:throws [\\w.,\\s]+)?\\{?\\s*$"));
    private static final List<Pattern> KOTLIN = List.of(
            Pattern.compile("^\\s*" + ANNOTATIONS + "(?:(?:public|private|protected|internal|open|abstract|sealed|data|enum|inner"
                    + "|annotation|value)\\s+)*(?:class|interface|object)\\s+(\\w+).*"),
            Pattern.compile("^\\s*" + ANNOTATIONS + "(?:(?:public|private|protected|internal|open|override|suspend|inline|operator"
                    + "|abstract|infix)\\s+)*fun\\s+(?:<[^>]+>\\s*)?(?:[\\w.]+\\.)?(\\w+)\\s*\\(.*"));
    private static final List<Pattern> PYTHON = List.of(
            Pattern.compile("^\\s*class\\s+(\\w+).*:\\s*$"),
            Pattern.compile("^\\s*(?:async\\s+)?def\\s+(\\w+)\\s*\\(.*"));
    private static final List<Pattern> SCRIPT = List.of(
            Pattern.compile("^\\s*(?:export\\s+)?(?:default\\s+)?(?:async\\s+)?function\\*?\\s+(\\w+)\\s*[(<].*"),
            Pattern.compile("^\\s*(?:export\\s+)?(?:default\\s+)?(?:abstract\\s+)?class\\s+(\\w+).*"),
            Pattern.compile("^\\s*(?:export\\s+)?(?:declare\\s+)?(?:interface|type|enum)\\s+(\\w+).*"),
            Pattern.compile("^\\s*(?:export\\s+)?(?:const|let)\\s+(\\w+)\\s*=\\s*(?:async\\s*)?(?:\\([^)]*\\)|\\w+)"
                    + "\\s*=>.*"),
            Pattern.compile("^\\s+(?:(?:public|private|protected|static|async|readonly)\\s+)*(?!if\\b|for\\b"
                    + "|while\\b|switch\\b|catch\\b|return\\b)(\\w+)\\s*\\([^)]*\\)\\s*(?::\\s*[^{]+)?\\{\\s*$"));
    private static final List<Pattern> GO = List.of(
            Pattern.compile("^func\\s+(?:\\([^)]*\\)\\s*)?(\\w+).*"),
            Pattern.compile("^type\\s+(\\w+)\\s+.*"));
    private static final List<Pattern> RUST = List.of(
            Pattern.compile("^\\s*(?:pub(?:\\([^)]*\\))?\\s+)?(?:const\\s+)?(?:async\\s+)?(?:unsafe\\s+)?"
                    + "(?:extern\\s+\"[^\"]*\"\\s+)?(?:fn|struct|enum|trait|mod|type|union)\\s+(\\w+).*"),
            Pattern.compile("^\\s*impl\\b.*?(\\w+)\\s*(?:<[^>]*>)?\\s*\\{?\\s*$"));
    private static final List<Pattern> C = List.of(
            Pattern.compile("^\\s*(?:template\\s*<[^>]*>\\s*)?(?:class|struct|enum|union|namespace)\\s+(\\w+)[^;]*$"),
            Pattern.compile("^(?!\\s)(?!return\\b|else\\b|if\\b)[\\w:<>,*&\\s]*?[\\s*&]([\\w:~]+)\\s*\\([^;]*\\)"
                    + "\\s*(?:const)?\\s*(?:noexcept)?\\s*\\{?\\s*$"));

    private Declarations() {
    }

    /**
     * A language's patterns, and what a line must have for one of them to match it: its first
     * non-blank char a word char or one of {@code firstChars}, and what the pattern's test in
     * {@code needs} (one a pattern) asks. Checking that first spares the patterns the lines of
     * comments and plain statements, most lines of code.
     */
    private record Language(List<Pattern> patterns, String firstChars, List<Predicate<String>> needs) {

        /** Whether the line {@code text[start, end)} may start as a declaration: by its first non-blank char. */
        boolean mayStart(String text, int start, int end) {
            int first = start;
            while (first < end && Character.isWhitespace(text.charAt(first))) {
                first++;
            }
            if (first == end) {
                return false;
            }
            char c = text.charAt(first);
            return Character.isLetterOrDigit(c) || c == '_' || firstChars.indexOf(c) >= 0;
        }

        /** The name {@code line} declares, or null. */
        String declared(String line) {
            for (int i = 0; i < patterns.size(); i++) {
                if (needs.get(i).test(line)) {
                    Matcher m = patterns.get(i).matcher(line);
                    if (m.matches()) {
                        return m.group(1);
                    }
                }
            }
            return null;
        }
    }

    /** A line that holds one of {@code parts}. */
    private static Predicate<String> anyOf(String... parts) {
        return line -> {
            for (String part : parts) {
                if (line.contains(part)) {
                    return true;
                }
            }
            return false;
        };
    }

    /**
     * A line with a {@code (} after which comes none of {@code refused}: a signature's parameter list
     * runs to the line's end (or its body's brace) without a statement's {@code ;} (or, in Java, an
     * assignment's {@code =}). The last {@code (} is tested, which any match's own follows or is.
     */
    private static Predicate<String> parametersWithout(String refused) {
        return line -> {
            int open = line.lastIndexOf('(');
            if (open < 0) {
                return false;
            }
            for (int k = open + 1; k < line.length(); k++) {
                if (refused.indexOf(line.charAt(k)) >= 0) {
                    return false;
                }
            }
            return true;
        };
    }

    private static final Language JAVA_LIKE = new Language(JAVA, ".$<@",
            List.of(anyOf("class", "interface", "enum", "record"), parametersWithout(";=")));
    private static final Language KOTLIN_LIKE = new Language(KOTLIN, "@",
            List.of(anyOf("class", "interface", "object"), anyOf("fun")));
    private static final Language PYTHON_LIKE = new Language(PYTHON, "", List.of(anyOf("class"), anyOf("def")));
    private static final Language SCRIPT_LIKE = new Language(SCRIPT, "", List.of(anyOf("function"), anyOf("class"),
            anyOf("interface", "type", "enum"), anyOf("=>"),
            line -> line.indexOf('(') >= 0 && line.stripTrailing().endsWith("{")));
    private static final Language GO_LIKE = new Language(GO, "", List.of(anyOf("func"), anyOf("type")));
    private static final Language RUST_LIKE = new Language(RUST, "",
            List.of(anyOf("fn", "struct", "enum", "trait", "mod", "type", "union"), anyOf("impl")));
    private static final Language C_LIKE = new Language(C, ":<>,*&",
            List.of(anyOf("class", "struct", "enum", "union", "namespace"), parametersWithout(";")));

    /** The declarations of {@code text}, in file order; empty for a language it does not know. */
    static List<Declaration> of(String path, String text) {
        Language language = language(path);
        if (language == null) {
            return List.of();
        }
        List<Declaration> found = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            end = end < 0 ? text.length() : end;
            if (end - start <= 400 && language.mayStart(text, start, end)) {
                String line = text.substring(start, end);
                String name = language.declared(line);
                if (name != null) {
                    found.add(new Declaration(signature(line), name));
                }
            }
            start = end + 1;
        }
        return found;
    }

    private static String signature(String line) {
        String s = line.strip();
        if (s.endsWith("{")) {
            s = s.substring(0, s.length() - 1).strip();
        }
        return s.length() > MAX_SIGNATURE ? s.substring(0, MAX_SIGNATURE) + "..." : s;
    }

    private static Language language(String path) {
        int dot = path.lastIndexOf('.');
        String ext = dot < 0 ? "" : path.substring(dot + 1).toLowerCase(Locale.ROOT);
        return switch (ext) {
            case "java", "scala", "groovy", "cs" -> JAVA_LIKE;
            case "kt", "kts" -> KOTLIN_LIKE;
            case "py", "pyi" -> PYTHON_LIKE;
            case "js", "jsx", "mjs", "cjs", "ts", "tsx", "mts", "cts" -> SCRIPT_LIKE;
            case "go" -> GO_LIKE;
            case "rs" -> RUST_LIKE;
            case "c", "h", "cc", "cpp", "cxx", "hpp", "hh", "hxx" -> C_LIKE;
            default -> null;
        };
    }
}
