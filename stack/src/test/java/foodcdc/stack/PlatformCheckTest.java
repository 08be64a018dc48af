package foodcdc.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local scripts on a machine the local stack cannot run on (README.md, "Run it"): a
 * stand-in {@code uname} first on PATH plays macOS on ARM and Linux on ARM. Each script says so
 * in one line, names the compose stack, and exits 3 before it builds or starts anything.
 */
class PlatformCheckTest {
    @TempDir
    Path tmp;

    private record Ran(int exit, String out, String err) {
    }

    private Ran run(String os, String arch, String script, String... args) throws Exception {
        Path bin = Files.createDirectories(tmp.resolve(os + "-" + arch));
        Path uname = bin.resolve("uname");
        Files.writeString(uname, "#!/bin/sh\ncase \"$1\" in -s) echo " + os + " ;; -m) echo " + arch + " ;; *) echo "
                + os + " ;; esac\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(uname, PosixFilePermissions.fromString("rwxr-xr-x"));
        // Whatever gets past the check stops at once, and says so: never a build or a stack here.
        for (String tool : List.of("mvn", "java", "podman", "runc", "docker-compose", "debootstrap", "apt-get")) {
            Path stub = bin.resolve(tool);
            Files.writeString(stub, "#!/bin/sh\necho \"past the check: " + tool + "\" >&2\nexit 99\n", StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        List<String> command = new java.util.ArrayList<>(List.of("bash",
                Repository.home().resolve("scripts").resolve(script).toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(tmp.resolve("out").toFile())
                .redirectError(tmp.resolve("err").toFile());
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), script + " did not end");
        return new Ran(p.exitValue(), Files.readString(tmp.resolve("out")), Files.readString(tmp.resolve("err")));
    }

    @Test
    void shouldSayInOneLineThatTheLocalStackNeedsLinuxX8664AndPointAtDocker() throws Exception {
        for (String script : List.of("run_local.sh", "local_stack.sh", "bench.sh", "run_tests.sh")) {
            for (String[] platform : List.of(new String[] {"Darwin", "arm64"}, new String[] {"Linux", "aarch64"})) {
                Ran ran = script.equals("local_stack.sh") ? run(platform[0], platform[1], script, "start")
                        : run(platform[0], platform[1], script);
                String what = script + " on " + platform[0] + " " + platform[1];
                assertEquals(3, ran.exit(), what + ": " + ran.err());
                assertEquals("", ran.out(), what);
                assertEquals(script + ": the local stack runs on Linux x86_64 with setsid, and as root with unshare -U (this is "
                        + platform[0] + " " + platform[1] + "); use the compose stack instead: docker compose up -d "
                        + "(README.md, \"In Docker\")\n", ran.err(), what);
            }
        }
    }

    @Test
    void shouldGoOnWhereItCanRun() throws Exception {
        for (String script : List.of("run_local.sh", "local_stack.sh", "bench.sh", "run_tests.sh")) {
            Ran ran = script.equals("local_stack.sh") ? run("Linux", "x86_64", script, "status")
                    : run("Linux", "x86_64", script);
            assertEquals(99, ran.exit(), script + ": " + ran.err());
            assertTrue((ran.out() + ran.err()).contains("past the check: "), script + ": " + ran.out() + ran.err());
            assertTrue(!ran.err().contains("the local stack runs on"), script + ": " + ran.err());
        }
    }
}
