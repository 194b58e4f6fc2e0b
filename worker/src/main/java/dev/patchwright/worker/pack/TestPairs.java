package dev.patchwright.worker.pack;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which files test which, by the usual naming conventions: {@code Foo} and {@code FooTest},
 * {@code FooTests}, {@code TestFoo} or {@code FooIT}; {@code foo.py} and {@code test_foo.py} or
 * {@code foo_test.py}; {@code foo.ts} and {@code foo.test.ts} or {@code foo.spec.js}; {@code foo.go}
 * and {@code foo_test.go}; a Rust {@code src/foo.rs} and {@code tests/foo.rs}. A test named after
 * more than its subject ({@code StringUtilsTrimTest}) pairs with the longest leading part of its
 * name that is a source ({@code StringUtils}). Of several sources of that name, the test pairs with
 * those whose directory is most like its own, read from the end ({@code src/test/java/a/b} is most
 * like {@code src/main/java/a/b}).
 */
final class TestPairs {

    /** What a file is about: its subject's name (lower case), its language family, and whether it is a test. */
    record Subject(String name, String family, boolean test) {
    }

    private TestPairs() {
    }

    /** For each of {@code paths}, the indices of its partners: a source's tests, a test's sources. */
    static int[][] of(List<String> paths) {
        Map<String, List<Integer>> sources = new HashMap<>();
        Subject[] subjects = new Subject[paths.size()];
        for (int i = 0; i < paths.size(); i++) {
            subjects[i] = subject(paths.get(i));
            if (subjects[i] != null && !subjects[i].test()) {
                String key = subjects[i].family() + ":" + subjects[i].name().toLowerCase(Locale.ROOT);
                sources.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
            }
        }
        List<List<Integer>> partners = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
            partners.add(new ArrayList<>());
        }
        for (int i = 0; i < paths.size(); i++) {
            Subject subject = subjects[i];
            if (subject == null || !subject.test()) {
                continue;
            }
            List<Integer> candidates = null;
            for (String name : prefixes(subject.name())) {
                candidates = sources.get(subject.family() + ":" + name);
                if (candidates != null) {
                    break;
                }
            }
            if (candidates == null) {
                continue;
            }
            int best = -1;
            for (int j : candidates) {
                best = Math.max(best, likeness(paths.get(i), paths.get(j)));
            }
            for (int j : candidates) {
                if (likeness(paths.get(i), paths.get(j)) == best) {
                    partners.get(i).add(j);
                    partners.get(j).add(i);
                }
            }
        }
        int[][] result = new int[paths.size()][];
        for (int i = 0; i < result.length; i++) {
            result[i] = partners.get(i).stream().mapToInt(Integer::intValue).toArray();
        }
        return result;
    }

    /**
     * The subject of the file at {@code path}, or null for a file without an extension. Names keep
     * their case marks here ({@code StringUtilsTrim}) so {@link #prefixes} can cut them, and are
     * compared in lower case.
     */
    static Subject subject(String path) {
        String fileName = path.substring(path.lastIndexOf('/') + 1);
        int dot = fileName.lastIndexOf('.');
        if (dot <= 0) {
            return null;
        }
        String ext = fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
        String base = fileName.substring(0, dot);
        String family = switch (ext) {
            case "js", "jsx", "mjs", "cjs", "ts", "tsx", "mts", "cts" -> "js";
            case "java", "kt", "kts", "scala", "groovy" -> "jvm";
            case "py", "pyi" -> "py";
            case "c", "cc", "cpp", "cxx", "h", "hpp" -> "c";
            default -> ext;
        };
        String name = null;
        if (base.endsWith(".test") || base.endsWith(".spec")) {
            name = base.substring(0, base.length() - 5);
        } else if (base.startsWith("test_") && base.length() > 5) {
            name = base.substring(5);
        } else if (base.endsWith("_test") && base.length() > 5) {
            name = base.substring(0, base.length() - 5);
        } else if (base.endsWith("Tests") && base.length() > 5) {
            name = base.substring(0, base.length() - 5);
        } else if (base.endsWith("Test") && base.length() > 4) {
            name = base.substring(0, base.length() - 4);
        } else if (base.endsWith("IT") && base.length() > 2 && !Character.isUpperCase(base.charAt(base.length() - 3))) {
            name = base.substring(0, base.length() - 2);
        } else if (base.startsWith("Test") && base.length() > 4 && Character.isUpperCase(base.charAt(4))) {
            name = base.substring(4);
        } else if (family.equals("rs") && ("/" + path).contains("/tests/")) {
            name = base;
        }
        return name == null ? new Subject(base, family, false) : new Subject(name, family, true);
    }

    /**
     * The names a test's subject may go by, longest first, in lower case: the name, then the name
     * cut after each of its parts ({@code StringUtilsTrim}, {@code StringUtils}, {@code String};
     * {@code row_key_cache}, {@code row_key}, {@code row}).
     */
    static List<String> prefixes(String name) {
        List<String> names = new ArrayList<>();
        names.add(name.toLowerCase(Locale.ROOT));
        for (int end = name.length() - 1; end > 0; end--) {
            char c = name.charAt(end);
            boolean cut = c == '_' || c == '-'
                    || Character.isUpperCase(c) && Character.isLowerCase(name.charAt(end - 1));
            if (cut) {
                names.add(name.substring(0, end).toLowerCase(Locale.ROOT));
            }
        }
        return names;
    }

    /** How many directories, read from the end, two paths share. */
    private static int likeness(String a, String b) {
        String[] x = a.split("/");
        String[] y = b.split("/");
        int same = 0;
        for (int i = x.length - 2, j = y.length - 2; i >= 0 && j >= 0 && x[i].equals(y[j]); i--, j--) {
            same++;
        }
        return same;
    }
}
