package dev.patchwright.worker.pack;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which files of the pack a file imports, from its import lines (Java, Kotlin, Python, JS/TS, Go,
 * Rust, C/C++ includes). An import becomes candidate path suffixes; a suffix names a packed file
 * when the file's path is it or ends with '/' and it.
 */
final class Imports {

    /**
     * A pattern that {@link #each} runs only where one of its keywords occurs, which every match
     * holds: from the start of the keyword's line when the pattern starts with {@code (?m)^}, else
     * from the keyword. Equal to a {@code find} over the whole text, which would try every position.
     */
    private record Finder(Pattern pattern, boolean lineStart, List<String> keywords) {
    }

    private static final Finder JVM = new Finder(Pattern.compile("(?m)^\\s*import\\s+(?:static\\s+)?([\\w.]+)"), true,
            List.of("import"));
    private static final Finder PYTHON = new Finder(
            Pattern.compile("(?m)^\\s*(?:from\\s+([\\w.]+)\\s+import|import\\s+([\\w.]+))"), true, List.of("from", "import"));
    private static final Finder SCRIPT = new Finder(
            Pattern.compile("(?:\\bfrom|\\brequire\\(|\\bimport\\(?)\\s*['\"]([^'\"]+)['\"]"), false,
            List.of("from", "require(", "import"));
    /** Go's import blocks list bare quoted paths: no keyword to look for. */
    private static final Pattern GO = Pattern.compile("(?m)^\\s*(?:import\\s+)?(?:\\w+\\s+)?\"([\\w./-]+)\"\\s*$");
    private static final Finder RUST = new Finder(
            Pattern.compile("(?m)^\\s*(?:pub\\s+)?(?:use|mod)\\s+(?:crate::|super::|self::)?([\\w:]+)"), true, List.of("use", "mod"));
    private static final Finder INCLUDE = new Finder(Pattern.compile("(?m)^\\s*#\\s*include\\s+\"([^\"]+)\""), true,
            List.of("include"));

    private Imports() {
    }

    /** The path suffixes that {@code text} (the file at {@code path}) imports. */
    static List<String> of(String path, String text) {
        int dot = path.lastIndexOf('.');
        String ext = dot < 0 ? "" : path.substring(dot + 1).toLowerCase(Locale.ROOT);
        String dir = path.contains("/") ? path.substring(0, path.lastIndexOf('/')) : "";
        Set<String> suffixes = new LinkedHashSet<>();
        switch (ext) {
            case "java", "kt", "kts", "scala", "groovy" -> each(JVM, text, 1, name -> {
                String file = name.replace('.', '/');
                suffixes.add(file + ".java");
                suffixes.add(file + ".kt");
                if (file.contains("/")) {
                    String outer = file.substring(0, file.lastIndexOf('/'));
                    suffixes.add(outer + ".java");
                    suffixes.add(outer + ".kt");
                }
            });
            case "py" -> {
                each(PYTHON, text, 1, name -> python(name, dir, suffixes));
                each(PYTHON, text, 2, name -> python(name, dir, suffixes));
            }
            case "js", "jsx", "mjs", "cjs", "ts", "tsx", "mts", "cts" -> each(SCRIPT, text, 1, name -> {
                if (name.startsWith(".")) {
                    String base = normalize(dir.isEmpty() ? name : dir + "/" + name);
                    for (String end : List.of("", ".ts", ".tsx", ".js", ".jsx", ".mjs", "/index.ts", "/index.js")) {
                        suffixes.add(base + end);
                    }
                }
            });
            case "go" -> each(GO, text, 1, name -> suffixes.add(name + "/"));
            case "rs" -> each(RUST, text, 1, name -> {
                String file = name.replace("::", "/");
                for (String candidate = file; !candidate.isEmpty();
                     candidate = candidate.contains("/") ? candidate.substring(0, candidate.lastIndexOf('/')) : "") {
                    suffixes.add(candidate + ".rs");
                    suffixes.add(candidate + "/mod.rs");
                }
            });
            case "c", "h", "cc", "cpp", "cxx", "hpp", "hh" -> each(INCLUDE, text, 1, suffixes::add);
            default -> {
            }
        }
        return new ArrayList<>(suffixes);
    }

    private static void python(String name, String dir, Set<String> suffixes) {
        if (name == null) {
            return;
        }
        if (name.startsWith(".")) {
            // Relative: one dot is the importing file's package (its directory), each further dot one up.
            int dots = 0;
            while (dots < name.length() && name.charAt(dots) == '.') {
                dots++;
            }
            String base = dir;
            for (int up = 1; up < dots; up++) {
                if (base.isEmpty()) {
                    return; // above the repository's root
                }
                base = base.contains("/") ? base.substring(0, base.lastIndexOf('/')) : "";
            }
            String rest = name.substring(dots).replace('.', '/');
            String file = base.isEmpty() ? rest : rest.isEmpty() ? base : base + "/" + rest;
            if (!rest.isEmpty()) {
                suffixes.add(file + ".py");
            }
            suffixes.add(file.isEmpty() ? "__init__.py" : file + "/__init__.py");
            return;
        }
        String file = name.replace('.', '/');
        suffixes.add(file + ".py");
        suffixes.add(file + "/__init__.py");
        if (!dir.isEmpty()) {
            suffixes.add(dir + "/" + file + ".py");
        }
    }

    private static void each(Pattern pattern, String text, int group, Consumer<String> action) {
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            if (m.group(group) != null) {
                action.accept(m.group(group));
            }
        }
    }

    /** As {@code each} with the finder's pattern, trying it only at the finder's keywords; see {@link Finder}. */
    private static void each(Finder finder, String text, int group, Consumer<String> action) {
        Matcher m = finder.pattern().matcher(text).useTransparentBounds(true);
        int[] next = new int[finder.keywords().size()];
        for (int k = 0; k < next.length; k++) {
            next[k] = text.indexOf(finder.keywords().get(k));
        }
        int done = 0; // where the last match ended: a find goes on from there
        while (true) {
            int k = -1;
            for (int i = 0; i < next.length; i++) {
                if (next[i] >= 0 && (k < 0 || next[i] < next[k])) {
                    k = i;
                }
            }
            if (k < 0) {
                return;
            }
            int at = next[k];
            next[k] = text.indexOf(finder.keywords().get(k), at + 1);
            int start = finder.lineStart() ? lineStart(text, at) : at;
            if (start < done || !m.region(start, text.length()).lookingAt()) {
                continue;
            }
            done = m.end();
            if (m.group(group) != null) {
                action.accept(m.group(group));
            }
        }
    }

    /** Where the line holding {@code at} starts, by the line terminators of {@code (?m)^}. */
    private static int lineStart(String text, int at) {
        int i = at;
        while (i > 0) {
            char c = text.charAt(i - 1);
            if (c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029') {
                break;
            }
            i--;
        }
        return i;
    }

    private static String normalize(String path) {
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.equals("..")) {
                if (!parts.isEmpty()) {
                    parts.remove(parts.size() - 1);
                }
            } else if (!part.isEmpty() && !part.equals(".")) {
                parts.add(part);
            }
        }
        return String.join("/", parts);
    }

    /** Resolves suffixes against the packed paths; a suffix ending in '/' names every file of that directory. */
    static final class Index {
        private final Map<String, List<Integer>> byName = new HashMap<>();
        private final Map<String, List<Integer>> byDirectory = new HashMap<>();
        private final List<String> paths;

        Index(List<String> paths) {
            this.paths = paths;
            for (int i = 0; i < paths.size(); i++) {
                String path = paths.get(i);
                int slash = path.lastIndexOf('/');
                byName.computeIfAbsent(path.substring(slash + 1), k -> new ArrayList<>()).add(i);
                String directory = slash < 0 ? "" : path.substring(0, slash);
                String last = directory.contains("/") ? directory.substring(directory.lastIndexOf('/') + 1) : directory;
                byDirectory.computeIfAbsent(last, k -> new ArrayList<>()).add(i);
            }
        }

        /** The indexes of the files {@code suffix} names. */
        List<Integer> resolve(String suffix) {
            List<Integer> found = new ArrayList<>();
            if (suffix.endsWith("/")) {
                String directory = suffix.substring(0, suffix.length() - 1);
                String last = directory.substring(directory.lastIndexOf('/') + 1);
                for (int i : byDirectory.getOrDefault(last, List.of())) {
                    String dirOf = paths.get(i).substring(0, Math.max(0, paths.get(i).lastIndexOf('/')));
                    if (directory.equals(dirOf) || directory.endsWith("/" + dirOf) || dirOf.endsWith("/" + directory)) {
                        found.add(i);
                    }
                }
                return found;
            }
            for (int i : byName.getOrDefault(suffix.substring(suffix.lastIndexOf('/') + 1), List.of())) {
                String path = paths.get(i);
                if (path.equals(suffix) || path.endsWith("/" + suffix)) {
                    found.add(i);
                }
            }
            return found;
        }
    }
}
