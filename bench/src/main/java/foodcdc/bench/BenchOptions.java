package foodcdc.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * What scripts/bench.sh runs: the scenarios, their sizes, and local or cluster mode.
 *
 * @param cluster        both jobs on a local standalone cluster instead of local[*]
 * @param rate           orders per second of the latency scenario, each its own transaction
 * @param seconds        duration of the latency scenario's insert stream
 * @param batchIntervals the producer's {@code streaming.batch_interval} values, one latency run each
 * @param backlog        orders already in the table when the jobs start (0: no backlog run)
 * @param grownFiles     files of 250 orders in today's partition before the grown-lake latency run (0: none)
 * @param keep           keep the temporary folder (job logs, lakes) for inspection
 * @param changes        also the latency scenario in change capture mode, updates at the last batch interval
 * @param metricsRounds  rounds of the metrics cost scenario: each a run with both endpoints on (scraped) and one off
 */
record BenchOptions(boolean cluster, int rate, int seconds, List<Integer> batchIntervals, int backlog, int grownFiles,
                    boolean keep, boolean changes, int metricsRounds) {

    static final String USAGE = """
            usage: scripts/bench.sh [--cluster] [--rate N] [--seconds N] [--batch-intervals 5,1] [--backlog N] [--grown-files N] [--no-changes] [--metrics-cost N] [--keep]
              --cluster           run both jobs on a local Spark standalone cluster (master + worker)
              --rate N            latency scenario: orders per second, one transaction each (default 20)
              --seconds N         latency scenario: how long to insert (default 60; 0 skips it)
              --batch-intervals   latency scenario: batch_interval values to run (default 5,1)
              --backlog N         backlog scenario: orders in the table before the jobs start
                                  (default 1000000; 0 skips it)
              --grown-files N     grown lake: today's partition pre-filled with N files of 250 orders,
                                  then the latency scenario at the last batch interval (default 20000; 0 skips it)
              --no-changes        skip the latency scenario of change capture mode (updates at the
                                  last batch interval, each its own transaction, at --rate)
              --metrics-cost N    N rounds (at least 3 to compare) of the same two runs, latency at batch_interval 1
                                  and a backlog of 200000, with both metrics endpoints on (scraped every second)
                                  and off, alternated; medians compared (default 0: skipped; ~4 minutes a round)
              --keep              keep the temporary folder (job logs, lakes) and print where""";

    static BenchOptions defaults() {
        return new BenchOptions(false, 20, 60, List.of(5, 1), 1_000_000, 20_000, false, true, 0);
    }

    /** Parses the command line; an IllegalArgumentException names the bad argument. */
    static BenchOptions parse(String... args) {
        BenchOptions o = defaults();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--cluster") || arg.equals("--keep") || arg.equals("--no-changes")) {
                o = new BenchOptions(o.cluster || arg.equals("--cluster"), o.rate, o.seconds, o.batchIntervals, o.backlog,
                        o.grownFiles, o.keep || arg.equals("--keep"), o.changes && !arg.equals("--no-changes"), o.metricsRounds);
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(arg.startsWith("--") ? arg + " needs a value" : "unknown argument " + arg);
            }
            String value = args[++i];
            o = switch (arg) {
                case "--rate" -> new BenchOptions(o.cluster, number(arg, value, 1, 10_000), o.seconds, o.batchIntervals,
                        o.backlog, o.grownFiles, o.keep, o.changes, o.metricsRounds);
                case "--seconds" -> new BenchOptions(o.cluster, o.rate, number(arg, value, 0, 3_600), o.batchIntervals,
                        o.backlog, o.grownFiles, o.keep, o.changes, o.metricsRounds);
                case "--batch-intervals" -> new BenchOptions(o.cluster, o.rate, o.seconds, intervals(value), o.backlog,
                        o.grownFiles, o.keep, o.changes, o.metricsRounds);
                case "--backlog" -> new BenchOptions(o.cluster, o.rate, o.seconds, o.batchIntervals,
                        number(arg, value, 0, 100_000_000), o.grownFiles, o.keep, o.changes, o.metricsRounds);
                case "--grown-files" -> new BenchOptions(o.cluster, o.rate, o.seconds, o.batchIntervals, o.backlog,
                        number(arg, value, 0, 1_000_000), o.keep, o.changes, o.metricsRounds);
                case "--metrics-cost" -> new BenchOptions(o.cluster, o.rate, o.seconds, o.batchIntervals, o.backlog,
                        o.grownFiles, o.keep, o.changes, number(arg, value, 0, 20));
                default -> throw new IllegalArgumentException("unknown argument " + arg);
            };
        }
        return o;
    }

    private static List<Integer> intervals(String value) {
        List<Integer> out = new ArrayList<>();
        for (String part : value.split(",")) {
            out.add(number("--batch-intervals", part.trim(), 1, 86_400));
        }
        return List.copyOf(out);
    }

    private static int number(String arg, String value, int min, int max) {
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(arg + " must be a whole number from " + min + " to " + max + ", not '" + value + "'");
    }
}
