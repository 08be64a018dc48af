package foodcdc.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What README.md and docs/*.md name exists: every link (and its #anchor), every file path of the
 * repository, every config key and ORDERS_* variable, every test class, every class named by its
 * package, and every flag given to one of the scripts. A doc that names what is not there fails
 * here, with the file and line.
 */
class DocsTest {
    private static final Path HOME = home();
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern PATH = Pattern.compile(
            "(?<![\\w./-])((?:scripts|db|docs|configs|docker|common|producer|consumer|validator|bench|stack|runtime)"
                    + "/[\\w./-]*[\\w/])");
    private static final Pattern KEY = Pattern.compile("`((?:postgres|kafka|datalake|streaming|metrics)\\.[a-z_]+)`");
    /** {@code kafka.log}, {@code postgres.log}: files, not keys. */
    private static final Pattern FILE_NAME = Pattern.compile(".*\\.(log|properties|yml|json|sql|sh|md)");
    private static final Pattern ENV = Pattern.compile("\\bORDERS_([A-Z]+)_([A-Z_]*[A-Z])\\b");
    private static final Pattern TEST_CLASS = Pattern.compile("`(\\w+(?:IT|Test))`");
    private static final Pattern JAVA_CLASS = Pattern.compile("\\bfoodcdc\\.((?:[a-z]+\\.)+)([A-Z]\\w*)");
    private static final Pattern SCRIPT_CALL = Pattern.compile("scripts/(\\w+\\.sh)\\b([^#`|]*)");
    private static final Pattern FLAG = Pattern.compile("(?<![\\w-])(--[a-z][a-z-]*)");

    /** A finding: where in which document, and what is wrong. */
    private final List<String> problems = new ArrayList<>();

    @Test
    void shouldNameOnlyWhatExists() throws IOException {
        Set<String> keys = ConfigSchema.KEYS.stream().map(ConfigKey::path).collect(Collectors.toSet());
        Set<String> testClasses = javaFiles("test");
        for (Path doc : documents()) {
            List<String> lines = Files.readAllLines(doc);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                String where = HOME.relativize(doc) + ":" + (i + 1) + ": ";
                links(doc, line, where);
                for (Matcher m = PATH.matcher(line); m.find(); ) {
                    String path = m.group(1).replaceAll("[./]+$", "");
                    if (!path.contains("*") && !path.contains("…") && !generated(path)
                            && !Files.exists(HOME.resolve(path))) {
                        problems.add(where + "no file or folder " + path);
                    }
                }
                for (Matcher m = KEY.matcher(line); m.find(); ) {
                    if (!keys.contains(m.group(1)) && !FILE_NAME.matcher(m.group(1)).matches()) {
                        problems.add(where + "no config key " + m.group(1));
                    }
                }
                for (Matcher m = ENV.matcher(line); m.find(); ) {
                    String key = m.group(1).toLowerCase(Locale.ROOT) + "." + m.group(2).toLowerCase(Locale.ROOT);
                    // ORDERS_X_FILE: the file that holds key x's value.
                    if (!keys.contains(key) && !(key.endsWith("_file") && keys.contains(key.replaceFirst("_file$", "")))) {
                        problems.add(where + "ORDERS_" + m.group(1) + "_" + m.group(2) + " overrides no key");
                    }
                }
                for (Matcher m = TEST_CLASS.matcher(line); m.find(); ) {
                    if (!testClasses.contains(m.group(1)) && !m.group(1).equals("NoUnit")) {
                        problems.add(where + "no test class " + m.group(1));
                    }
                }
                for (Matcher m = JAVA_CLASS.matcher(line); m.find(); ) {
                    String file = "foodcdc/" + m.group(1).replace('.', '/') + m.group(2) + ".java";
                    if (!javaFileExists(file)) {
                        problems.add(where + "no class foodcdc." + m.group(1) + m.group(2));
                    }
                }
                flags(line, where);
            }
        }
        assertEquals(List.of(), problems, "README.md and docs/ name what does not exist");
    }

    /**
     * Each page names each of its sections once: an edit that pasted a page into itself (one
     * once grew docs/CHANGES.md to 13 MB, still naming only what exists) is caught here.
     */
    @Test
    void shouldHaveEachSectionOncePerPage() throws IOException {
        for (Path doc : documents()) {
            Set<String> headings = new java.util.HashSet<>();
            boolean fenced = false;
            for (String line : Files.readAllLines(doc)) {
                fenced ^= line.startsWith("```");
                if (!fenced && line.startsWith("#") && !headings.add(line.replaceFirst("^#+\\s*", ""))) {
                    problems.add(HOME.relativize(doc) + ": the section \"" + line + "\" twice");
                    break;   // one line per page says enough
                }
            }
        }
        assertEquals(List.of(), problems, "a page's sections are each there once");
    }

    /** The documents checked: README.md and every page in docs/. */
    private static List<Path> documents() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(HOME.resolve("README.md")));
        try (Stream<Path> pages = Files.list(HOME.resolve("docs"))) {
            pages.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        assertTrue(docs.size() > 5, "docs/ has its pages: " + docs);
        return docs;
    }

    /**
     * Made by the build or by a run, or the operator's own secret files (docker/secrets/, ignored
     * by git), not in git: named by the docs as where things end up.
     */
    private static boolean generated(String path) {
        return path.contains("/target/") || path.endsWith("/target") || path.startsWith("var/")
                || path.startsWith("docker/secrets/");
    }

    private void links(Path doc, String line, String where) throws IOException {
        for (Matcher m = LINK.matcher(line); m.find(); ) {
            String target = m.group(1);
            if (target.startsWith("http://") || target.startsWith("https://")) {
                continue;
            }
            String file = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
            Path resolved = file.isEmpty() ? doc : doc.getParent().resolve(file).normalize();
            if (!Files.exists(resolved)) {
                problems.add(where + "link to missing " + target);
            } else if (target.contains("#") && !anchors(resolved).contains(target.substring(target.indexOf('#') + 1))) {
                problems.add(where + "link to a heading " + resolved.getFileName() + " does not have: " + target);
            }
        }
    }

    /** The anchors of a Markdown file's headings, as GitHub makes them. */
    private static Set<String> anchors(Path doc) throws IOException {
        Set<String> anchors = new TreeSet<>();
        boolean inCode = false;
        for (String line : Files.readAllLines(doc)) {
            if (line.startsWith("```")) {
                inCode = !inCode;
            } else if (!inCode && line.startsWith("#")) {
                anchors.add(line.replaceFirst("^#+\\s*", "").toLowerCase(Locale.ROOT)
                        .replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
            }
        }
        return anchors;
    }

    /** Flags after a script's name on one line must be ones the script (or the program behind it) takes. */
    private void flags(String line, String where) throws IOException {
        for (Matcher m = SCRIPT_CALL.matcher(line); m.find(); ) {
            Path script = HOME.resolve("scripts").resolve(m.group(1));
            if (!Files.exists(script)) {
                continue;   // reported as a missing path
            }
            for (Matcher f = FLAG.matcher(m.group(2)); f.find(); ) {
                if (!Files.readString(script).contains(f.group(1)) && !inMainSources(f.group(1))) {
                    problems.add(where + "scripts/" + m.group(1) + " takes no " + f.group(1));
                }
            }
        }
    }

    private boolean inMainSources(String text) throws IOException {
        if (mainSources == null) {
            mainSources = new ArrayList<>();
            for (Path f : sources("main")) {
                mainSources.add(Files.readString(f));
            }
        }
        return mainSources.stream().anyMatch(source -> source.contains("\"" + text + "\""));
    }

    private List<String> mainSources;

    /** The Java files of every module's {@code src/<kind>/java}: never build outputs or state. */
    private static List<Path> sources(String kind) throws IOException {
        List<Path> roots = new ArrayList<>();
        try (Stream<Path> top = Files.list(HOME)) {
            top.forEach(roots::add);
        }
        try (Stream<Path> runtimes = Files.list(HOME.resolve("runtime"))) {
            runtimes.forEach(roots::add);
        }
        List<Path> files = new ArrayList<>();
        for (Path root : roots) {
            Path java = root.resolve("src").resolve(kind).resolve("java");
            if (Files.isDirectory(java)) {
                try (Stream<Path> walk = Files.walk(java)) {
                    walk.filter(p -> p.toString().endsWith(".java")).forEach(files::add);
                }
            }
        }
        return files;
    }

    private static Set<String> javaFiles(String kind) throws IOException {
        return sources(kind).stream().map(p -> p.getFileName().toString().replace(".java", ""))
                .collect(Collectors.toSet());
    }

    private static boolean javaFileExists(String relative) throws IOException {
        try (Stream<Path> modules = Files.list(HOME)) {
            return modules.anyMatch(m -> Files.exists(m.resolve("src/main/java").resolve(relative))
                    || Files.exists(m.resolve("src/test/java").resolve(relative))
                    || Files.exists(m.resolve("runtime").resolve(relative)));
        }
    }

    /** The repository root, above the module folder the tests run in. */
    private static Path home() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("README.md")) && Files.exists(p.resolve("db/orders.sql"))) {
                return p;
            }
        }
        throw new AssertionError("no repository above " + Path.of("").toAbsolutePath());
    }
}
