package foodcdc.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WritableLocationTest {
    @TempDir
    Path tmp;

    @Test
    void shouldCreateAMissingFolderAndLeaveNoProbeBehind() throws Exception {
        Path lake = tmp.resolve("a/b/lake");
        WritableLocation.require("datalake.path", lake.toString(), new Configuration());
        assertTrue(Files.isDirectory(lake));
        try (var files = Files.list(lake)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void shouldNameTheKeyAndPathOfAnUnwritableLocation() throws Exception {
        // A path below a regular file cannot be created, not even by root (the CI user).
        Path file = Files.writeString(tmp.resolve("not-a-folder"), "x");
        String location = file.resolve("checkpoints").toString();
        var problem = assertThrows(WritableLocation.StorageProblem.class,
                () -> WritableLocation.require("streaming.checkpoint_location", location, new Configuration()));
        assertTrue(problem.getMessage().startsWith("streaming.checkpoint_location: cannot write " + location + " ("),
                problem.getMessage());
        assertTrue(problem.getMessage().endsWith("Make it a folder this user can write, or set "
                + "streaming.checkpoint_location to one."), problem.getMessage());

        var isFile = assertThrows(WritableLocation.StorageProblem.class,
                () -> WritableLocation.require("datalake.path", file.toString(), new Configuration()));
        assertTrue(isFile.getMessage().contains("(it is a file, not a folder)"), isFile.getMessage());
    }
}
