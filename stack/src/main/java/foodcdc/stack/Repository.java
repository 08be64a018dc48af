package foodcdc.stack;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's root folder: its scripts, db scripts, shipped config and runtimes. */
public final class Repository {
    private Repository() {
    }

    /** From Maven's {@code orders.home}, else the nearest folder above the working one with db/orders.sql. */
    public static Path home() {
        String fromMaven = System.getProperty("orders.home");
        if (fromMaven != null) {
            return Path.of(fromMaven);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("db/orders.sql"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository above " + Path.of("").toAbsolutePath());
    }

    /** The config the repository ships, {@code configs/orders_stream.yml}. */
    public static Path shippedConfig() {
        return home().resolve("configs/orders_stream.yml");
    }
}
