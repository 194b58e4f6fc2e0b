package dev.patchwright.worker.pack;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How a pack is written: a directory tree, then each file under its path, then (when the window
 * was too small) the declarations of the files left out. Every piece is a function of its inputs
 * only, so the same files always give the same bytes.
 */
public enum OutputFormat {

    /** {@code <directory_tree>}, {@code <file path="...">} blocks, {@code <file_map>}; the default. */
    XML {
        @Override
        String treeOpen() {
            return "<directory_tree>\n";
        }

        @Override
        String treeClose() {
            return "</directory_tree>\n\n";
        }

        @Override
        String name(String name) {
            return escape(name);
        }

        @Override
        String fileOpen(String path, String content) {
            return "<file path=\"" + escape(path) + "\">\n";
        }

        @Override
        String fileClose(String path, String content) {
            return endsLine(content) ? "</file>\n" : "\n</file>\n";
        }

        @Override
        String mapOpen() {
            return "<file_map note=\"declarations of the files left out to fit the window\">\n";
        }

        @Override
        String mapClose() {
            return "</file_map>\n";
        }
    },

    /** Headings and fenced code blocks; a fence is longer than any run of backticks in the file. */
    MARKDOWN {
        @Override
        String treeOpen() {
            return "# Directory tree\n\n```\n";
        }

        @Override
        String treeClose() {
            return "```\n\n";
        }

        @Override
        String fileOpen(String path, String content) {
            return "## File: " + path + "\n\n" + fence(content) + language(path) + "\n";
        }

        @Override
        String fileClose(String path, String content) {
            return (endsLine(content) ? "" : "\n") + fence(content) + "\n\n";
        }

        @Override
        String mapOpen() {
            return "## Declarations of the files left out to fit the window\n\n```\n";
        }

        @Override
        String mapClose() {
            return "```\n";
        }
    },

    /** Plain text with separator lines. */
    PLAIN {
        @Override
        String treeOpen() {
            return "Directory tree:\n";
        }

        @Override
        String treeClose() {
            return "\n";
        }

        @Override
        String fileOpen(String path, String content) {
            return "--- File: " + path + " ---\n";
        }

        @Override
        String fileClose(String path, String content) {
            return endsLine(content) ? "\n" : "\n\n";
        }

        @Override
        String mapOpen() {
            return "--- Declarations of the files left out to fit the window ---\n";
        }

        @Override
        String mapClose() {
            return "\n";
        }
    };

    /**
     * The format named {@code name}, in any case.
     *
     * @throws IllegalArgumentException for an unknown name, naming the known ones
     */
    public static OutputFormat parse(String name) {
        for (OutputFormat format : values()) {
            if (format.name().equalsIgnoreCase(name)) {
                return format;
            }
        }
        throw new IllegalArgumentException("unknown format '" + name + "'; known: xml, markdown, plain");
    }

    abstract String treeOpen();

    abstract String treeClose();

    abstract String fileOpen(String path, String content);

    abstract String fileClose(String path, String content);

    abstract String mapOpen();

    abstract String mapClose();

    /** A file or directory name as the tree shows it. */
    String name(String name) {
        return name;
    }

    /** One file of the map: its path, then its declarations indented. */
    String mapEntry(String path, List<String> declarations) {
        StringBuilder sb = new StringBuilder(path).append('\n');
        for (String declaration : declarations) {
            sb.append("  ").append(declaration).append('\n');
        }
        return sb.toString();
    }

    /** The tree of {@code paths} (in git order), indented two spaces a level; directories end in '/'. */
    String tree(List<String> paths) {
        return tree(paths, Integer.MAX_VALUE);
    }

    /**
     * The tree of {@code paths} (in git order) down to {@code depth} directories: a directory at that
     * depth with more below it is one line saying how many files it holds. Git order keeps a
     * directory's files together, so each such directory is counted in one run.
     */
    String tree(List<String> paths, int depth) {
        StringBuilder sb = new StringBuilder(treeOpen());
        String[] open = new String[0];
        for (int p = 0; p < paths.size(); ) {
            String[] parts = paths.get(p).split("/");
            boolean deep = parts.length - 1 > depth;
            int shown = deep ? depth + 1 : parts.length;
            int same = 0;
            while (same < open.length - 1 && same < shown - 1 && open[same].equals(parts[same])) {
                same++;
            }
            for (int level = same; level < shown - 1; level++) {
                sb.append("  ".repeat(level)).append(name(parts[level])).append("/\n");
            }
            if (!deep) {
                sb.append("  ".repeat(shown - 1)).append(name(parts[shown - 1])).append('\n');
                open = parts;
                p++;
                continue;
            }
            String prefix = String.join("/", Arrays.copyOf(parts, shown)) + "/";
            int files = 0;
            while (p < paths.size() && paths.get(p).startsWith(prefix)) {
                files++;
                p++;
            }
            sb.append("  ".repeat(shown - 1)).append(name(parts[shown - 1])).append("/ (").append(files)
                    .append(files == 1 ? " file)\n" : " files)\n");
            open = Arrays.copyOf(parts, shown);
        }
        return sb.append(treeClose()).toString();
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    private static boolean endsLine(String content) {
        return content.isEmpty() || content.endsWith("\n");
    }

    private static String fence(String content) {
        int longest = 0;
        int run = 0;
        for (int i = 0; i < content.length(); i++) {
            run = content.charAt(i) == '`' ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        return "`".repeat(Math.max(3, longest + 1));
    }

    private static String language(String path) {
        int dot = path.lastIndexOf('.');
        String ext = dot < 0 || dot < path.lastIndexOf('/') ? "" : path.substring(dot + 1).toLowerCase(Locale.ROOT);
        return switch (ext) {
            case "java", "kotlin", "go", "rust", "python", "c", "cpp", "xml", "json", "yaml", "sql", "html", "css" -> ext;
            case "kt", "kts" -> "kotlin";
            case "py" -> "python";
            case "rs" -> "rust";
            case "js", "mjs", "cjs" -> "javascript";
            case "ts", "tsx" -> "typescript";
            case "h", "hpp", "cc", "cxx" -> "cpp";
            case "md" -> "markdown";
            case "sh" -> "bash";
            case "yml" -> "yaml";
            default -> "";
        };
    }

    /** Escapes text for XML; control characters become character references. */
    static String escape(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&apos;");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append("&#").append((int) c).append(';');
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
