package dev.patchwright.worker.pack;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The type and function signatures of a source file, found line by line with regular expressions
 * (Java, Kotlin, Python, JavaScript/TypeScript, Go, Rust, C/C++): enough for a model to know what a
 * file it cannot see offers, not a parser. Each signature is one line, without its body.
 */
final class Declarations {

    /** One declaration: its signature line and the name it declares. */
    record Declaration(String signature, String name) {
    }

    private static final int MAX_SIGNATURE = 200;
    private static final int MAX_PER_FILE = 200;

    private static final String JAVA_MODIFIERS = "(?:(?:public|protected|private|static|final|abstract|sealed"
            + "|non-sealed|synchronized|native|default|strictfp)\\s+)*";
    private static final List<Pattern> JAVA = List.of(
            Pattern.compile("^\\s*" + JAVA_MODIFIERS + "(?:class|interface|enum|record|@interface)\\s+(\\w+).*"),
            Pattern.compile("^\\s*" + JAVA_MODIFIERS + "(?:<[^>]+>\\s+)?(?!return\\b|new\\b|else\\b|throw\\b)"
                    + "[\\w.$]+(?:<[^()]*>)?(?:\\[\\])*\\s+(\\w+)\\s*\\([^;=]*\\)?\\s*(?:throws [\\w.,\\s]+)?\\{?\\s*$"));
    private static final List<Pattern> KOTLIN = List.of(
            Pattern.compile("^\\s*(?:(?:public|private|protected|internal|open|abstract|sealed|data|enum|inner"
                    + "|annotation|value)\\s+)*(?:class|interface|object)\\s+(\\w+).*"),
            Pattern.compile("^\\s*(?:(?:public|private|protected|internal|open|override|suspend|inline|operator"
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

    /** The declarations of {@code text}, in file order; empty for a language it does not know. */
    static List<Declaration> of(String path, String text) {
        List<Pattern> patterns = patterns(path);
        if (patterns.isEmpty()) {
            return List.of();
        }
        List<Declaration> found = new ArrayList<>();
        int start = 0;
        while (start < text.length() && found.size() < MAX_PER_FILE) {
            int end = text.indexOf('\n', start);
            end = end < 0 ? text.length() : end;
            if (end - start <= 400) {
                String line = text.substring(start, end);
                for (Pattern pattern : patterns) {
                    Matcher m = pattern.matcher(line);
                    if (m.matches()) {
                        found.add(new Declaration(signature(line), m.group(1)));
                        break;
                    }
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

    private static List<Pattern> patterns(String path) {
        int dot = path.lastIndexOf('.');
        String ext = dot < 0 ? "" : path.substring(dot + 1).toLowerCase(Locale.ROOT);
        return switch (ext) {
            case "java", "scala", "groovy", "cs" -> JAVA;
            case "kt", "kts" -> KOTLIN;
            case "py", "pyi" -> PYTHON;
            case "js", "jsx", "mjs", "cjs", "ts", "tsx", "mts", "cts" -> SCRIPT;
            case "go" -> GO;
            case "rs" -> RUST;
            case "c", "h", "cc", "cpp", "cxx", "hpp", "hh", "hxx" -> C;
            default -> List.of();
        };
    }
}
