package foodcdc.bench;

import foodcdc.config.PipelineConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Scrapes both jobs' {@code /metrics} every second while a run lasts, as a Prometheus would (and
 * more often than the compose stack's 5 s), so that the metrics cost scenario measures the
 * endpoints at work, not idle. With metrics off it does nothing.
 */
final class Scraper implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Thread thread;
    private final AtomicLong scrapes = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private volatile boolean closed;

    private Scraper(List<URI> targets) {
        thread = new Thread(() -> {
            while (!closed) {
                for (URI target : targets) {
                    scrape(target);
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-scraper");
        thread.setDaemon(true);
        if (!targets.isEmpty()) {
            thread.start();
        }
    }

    static Scraper start(PipelineConfig c, boolean on) {
        PipelineConfig.Metrics m = c.metrics();
        return new Scraper(on ? List.of(URI.create("http://" + m.host() + ":" + m.producerPort() + "/metrics"),
                URI.create("http://" + m.host() + ":" + m.consumerPort() + "/metrics")) : List.of());
    }

    private void scrape(URI target) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                scrapes.incrementAndGet();
                bytes.addAndGet(r.body().length());
            }
        } catch (java.io.IOException e) {
            // not listening yet (the job is starting) or already gone
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What it scraped, for the run's line ("" when off). */
    String describe() {
        return thread.isAlive() || scrapes.get() > 0 ? ", metrics on: " + scrapes.get() + " scrapes of "
                + (scrapes.get() == 0 ? 0 : bytes.get() / scrapes.get()) + " bytes" : ", metrics off";
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
