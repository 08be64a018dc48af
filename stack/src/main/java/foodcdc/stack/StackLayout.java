package foodcdc.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where things are: the repository ({@code home}: runtime jars laid out by Maven, the db
 * scripts, a cache of PostgreSQL binaries) and one stack's folder of data and logs.
 */
record StackLayout(Path home, Path stackDir) {

    StackLayout {
        home = home.toAbsolutePath().normalize();
        stackDir = stackDir.toAbsolutePath().normalize();
    }

    Path kafkaLibs() { return home.resolve("runtime/kafka/target/libs"); }

    Path sparkHome() { return home.resolve("runtime/spark/target/home"); }

    /** A java argument file with the --add-opens that Spark needs on Java 17. */
    Path sparkJavaOptions() { return home.resolve("runtime/spark/java17-opens.args"); }

    Path sparkLog4jConfig() { return home.resolve("runtime/spark/log4j2.properties"); }

    Path dbScript(String name) {
        return home.resolve("db").resolve(name);
    }

    Path postgresBinariesCache() { return home.resolve("var/cache"); }

    Path logs() { return stackDir.resolve("logs"); }

    Path stateFile() { return stackDir.resolve("stack.properties"); }

    /** Fails with the command that fixes it when Maven has not laid out the runtimes yet. */
    void requireBuilt(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new IOException(folder + " does not exist: build first with "
                    + "'mvn -B -q -DskipTests package' in " + home);
        }
    }
}
