package foodcdc.validator;

import java.util.ArrayList;
import java.util.List;

/**
 * A failure as one line a user can act on, instead of a stack trace: the message of the
 * outermost exception that says something of its own (outer ones often only wrap their cause:
 * "Job aborted due to stage failure: ...: " + the cause, with a whole stack trace inside the
 * message), its first line only, followed by the root cause's message when that adds to it
 * ("The connection attempt failed. (Connect timed out)").
 */
final class FailureMessage {
    static final int MAX_LENGTH = 500;

    private FailureMessage() {
    }

    static String of(Throwable failure) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = failure; t != null && chain.size() < 50; t = t.getCause()) {
            chain.add(t);
        }
        List<String> messages = chain.stream().map(FailureMessage::firstLine).toList();
        String main = null;
        String root = null;
        for (int i = chain.size() - 1; i >= 0; i--) {
            String m = messages.get(i);
            if (m == null) {
                continue;
            }
            if (root == null) {
                root = named(chain.get(i), m);
            }
            // An outer message that repeats the one below it only wraps it.
            if (main == null || !m.contains(main)) {
                main = named(chain.get(i), m);
            }
        }
        String line;
        if (main == null) {
            line = chain.get(chain.size() - 1).getClass().getSimpleName();
        } else {
            line = main.contains(root) ? main : main + " (" + root + ")";
        }
        return line.length() <= MAX_LENGTH ? line : line.substring(0, MAX_LENGTH) + "...";
    }

    private static String firstLine(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? null : m.strip().lines().findFirst().orElse("").strip();
    }

    /** An Error (OutOfMemoryError, ...) is named: its message alone ("Java heap space") says too little. */
    private static String named(Throwable t, String message) {
        return t instanceof Error ? t.getClass().getSimpleName() + ": " + message : message;
    }
}
