package dev.infercost;

/**
 * An input/output fault outside the user's input: the disk is full, a path cannot be created or written
 * (permissions, read-only file system, a regular file where a folder is needed). The CLI prints
 * {@link #getMessage()} as one line and exits with status 3 ({@code dev.infercost.cli.Main#EXIT_IO}); the run
 * folder being written is abandoned, so nothing half-written is left and earlier results are untouched.
 *
 * <p>Messages name the path and the operation, e.g. {@code "results/.x.partial/cost.csv: cannot write (No space left on device)"}.
 */
public class IoFaultException extends RuntimeException {
    public IoFaultException(String message, Throwable cause) { super(message, cause); }
}
