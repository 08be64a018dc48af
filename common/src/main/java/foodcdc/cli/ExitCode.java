package foodcdc.cli;

/**
 * How every program of the project ends (both jobs, the validator, the tools), defined once.
 * Code deep inside a program that must end it throws {@link Ending}; only {@code main} exits,
 * so everything else can be called from tests and other code without ending their JVM.
 */
public enum ExitCode {
    OK(0, "done (the validator: consistent; `local_stack.sh status`: PostgreSQL and Kafka run)"),
    FAILED(1, "failed at its work: the validator found differences, a job gave up after failures retrying "
            + "cannot fix, a tool's operation failed, a stack component is down"),
    BAD_CONFIG(2, "bad config or usage: one line per problem, naming the key; nothing was started or written"),
    CANNOT_START(3, "cannot start, or cannot trust what it would work on: a folder it cannot write, a source "
            + "database it must not read as it is, a corrupt watermark, a store the validator cannot read; "
            + "the line says what to fix or run");

    /** The number the process exits with. */
    public final int number;
    /** What it means, as README's table says it. */
    public final String meaning;

    ExitCode(int number, String meaning) {
        this.number = number;
        this.meaning = meaning;
    }

    /** A program's body, which ends with a code or throws {@link Ending}. */
    @FunctionalInterface
    public interface Program {
        ExitCode run() throws Exception;
    }

    /** Runs a program's body: the code it returns, or the code it ended with. For {@code main}. */
    public static ExitCode of(Program program) throws Exception {
        try {
            return program.run();
        } catch (Ending e) {
            return e.code;
        }
    }

    /** Ends the program with this code; what went wrong has been reported to the user already. */
    public Ending ending() {
        return new Ending(this);
    }

    /** The program must end with {@link #code}; its reason has been printed or logged. */
    public static final class Ending extends Exception {
        private static final long serialVersionUID = 1L;
        private final ExitCode code;

        private Ending(ExitCode code) {
            super("exit " + code.number + " (" + code.name() + ")", null, false, false);
            this.code = code;
        }
    }
}
