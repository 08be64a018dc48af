package foodcdc.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/job.sh, the compose stack's job runner, with a stand-in job script: what the real run
 * (ComposeIT) cannot show without breaking the stack on purpose. A job that cannot start stops
 * its container at once with its code; one that failed is started again; a stop asked for is
 * passed on to the job and nothing is restarted.
 */
class JobWrapperTest {
    @TempDir
    Path tmp;

    /** A copy of docker/job.sh beside a scripts/producer_spark_submit.sh that runs {@code body}. */
    private Path wrapperWithJob(String body) throws Exception {
        Files.createDirectories(tmp.resolve("docker"));
        Files.createDirectories(tmp.resolve("scripts"));
        Path wrapper = tmp.resolve("docker/job.sh");
        Files.copy(Repository.home().resolve("docker/job.sh"), wrapper);
        Path job = tmp.resolve("scripts/producer_spark_submit.sh");
        Files.writeString(job, "#!/usr/bin/env bash\necho run >> '" + tmp.resolve("runs") + "'\n" + body + "\n",
                StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(job, PosixFilePermissions.fromString("rwxr-xr-x"));
        return wrapper;
    }

    private Process start(Path wrapper) throws Exception {
        return new ProcessBuilder("bash", wrapper.toString(), "producer").redirectErrorStream(true)
                .redirectOutput(tmp.resolve("out").toFile()).start();
    }

    private int runs() throws Exception {
        return Files.exists(tmp.resolve("runs")) ? Files.readAllLines(tmp.resolve("runs")).size() : 0;
    }

    private static int await(Process p) throws Exception {
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "docker/job.sh did not end");
        return p.exitValue();
    }

    @Test
    void shouldEndWithTheJobsCodeWhenItCannotStart() throws Exception {
        for (int code : new int[] {2, 3}) {
            Files.deleteIfExists(tmp.resolve("runs"));
            Process p = start(wrapperWithJob("echo 'Refusing: another source database'; exit " + code));
            assertEquals(code, await(p));
            String out = Files.readString(tmp.resolve("out"));
            assertEquals(1, runs(), "a job that cannot start is not restarted");
            assertTrue(out.contains("Refusing: another source database"), out);
            assertTrue(out.contains("producer stopped with exit code " + code + ": it will not be restarted"), out);
            Files.deleteIfExists(tmp.resolve("docker/job.sh"));
        }
    }

    @Test
    void shouldRestartAJobThatFailed() throws Exception {
        // Fails (1) on its first run, is killed (137) on its second, ends well on its third.
        Process p = start(wrapperWithJob("n=$(wc -l < '" + tmp.resolve("runs") + "'); "
                + "if (( n == 1 )); then exit 1; elif (( n == 2 )); then kill -9 $$; fi; exit 0"));
        assertEquals(0, await(p));
        String out = Files.readString(tmp.resolve("out"));
        assertEquals(3, runs(), out);
        assertTrue(out.contains("producer exited with code 1; restarting it in 5 s"), out);
        assertTrue(out.contains("producer exited with code 137; restarting it in 10 s"), out);
    }

    @Test
    void shouldPassAStopOnAndNotRestart() throws Exception {
        Process p = start(wrapperWithJob("trap 'echo job stopping; kill $!; exit 0' TERM; sleep 300 & wait"));
        Wait.until(() -> runs() == 1, Duration.ofSeconds(30), "the job's start");
        Thread.sleep(500);   // the job's trap is set
        new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
        assertEquals(0, await(p));
        String out = Files.readString(tmp.resolve("out"));
        assertTrue(out.contains("job stopping"), out);
        assertEquals(1, runs(), out);
        assertFalse(out.contains("restarting"), out);
    }

    @Test
    void shouldStopAtOnceWhenStoppedWhileItWaitsToRestart() throws Exception {
        Process p = start(wrapperWithJob("exit 1"));
        Wait.until(() -> Files.readString(tmp.resolve("out")).contains("restarting it in 5 s"), Duration.ofSeconds(30),
                "the pause before a restart");
        long stop = System.nanoTime();
        new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
        assertEquals(0, await(p), "a stop asked for is no failure");
        assertTrue(System.nanoTime() - stop < Duration.ofSeconds(3).toNanos(), "it waited out the pause");
        assertEquals(1, runs(), "nothing restarted after the stop");
    }
}
