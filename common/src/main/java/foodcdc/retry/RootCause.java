package foodcdc.retry;

/** The innermost cause of a failure, in one line: what an operator needs in a retry message. */
public final class RootCause {
    private RootCause() {
    }

    /** {@code SimpleClassName: first line of its message}, of the deepest cause. */
    public static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String first = String.valueOf(root.getMessage()).lines().findFirst().orElse("");
        return root.getClass().getSimpleName() + ": " + first;
    }
}
