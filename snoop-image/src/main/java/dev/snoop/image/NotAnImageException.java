package dev.snoop.image;

import dev.snoop.core.SnoopException;

/**
 * The path given as an image does not exist or is no kind of image snoop reads: a usage problem
 * (the CLI exits 2), unlike an image that is damaged or unsafe (a plain {@link SnoopException}).
 */
public final class NotAnImageException extends SnoopException {
    private static final long serialVersionUID = 1L;

    public NotAnImageException(String message) {
        super(message);
    }
}
